#!/bin/bash
# e2e: ezmlm-idx rebuilds archive/N/index and creates `indexed` (ezmlm-idx
# test 210; reference ezmlm.md 1.5).
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
archived_list
echo "[list #]" >"$d/prefix"
ez ezmlm-sub "$d" sub@example.org
fake_qmail_queue
SENDER=poster@example.org
export SENDER
for i in 1 2 3; do
  printf 'Received: by x; 24 Nov 2026 12:00:0%s -0000\nFrom: "Poster %s" <poster%s@example.com>\nSubject: Re: [list 9] topic %s\n\nbody\n' \
    "$i" "$i" "$i" "$i" | ez ezmlm-send "$d" 2>/dev/null || fail "post $i"
done
cp "$d/archive/0/index" "$w/index.send"
grep -Eq '^1: [a-p]{20} Re: topic 1$' "$w/index.send" || fail "index: $(cat "$w/index.send")"
grep -Pq '^\t24 Nov 2026 12:00:01 -0000;[a-p]{20} Poster 1$' "$w/index.send" || fail "index date/author"
# An incomplete archive file (no owner-x bit) is not indexed.
chmod 0644 "$d/archive/0/02"
rm "$d/archive/0/index" "$d/indexed"
rc=0; ez ezmlm-idx "$d" 2>"$w/err" || rc=$?
[ $rc = 0 ] || fail "ezmlm-idx: exit $rc $(cat "$w/err")"
[ -e "$d/indexed" ] || fail "indexed not created"
[ "$(grep -c '^[0-9]*: ' "$d/archive/0/index")" = 2 ] || fail "entries: $(cat "$d/archive/0/index")"
diff <(sed -n '1,2p;5,6p' "$w/index.send") "$d/archive/0/index" || fail "rebuilt index differs from ezmlm-send's"
chmod 0744 "$d/archive/0/02"
ez ezmlm-idx "$d"
diff "$w/index.send" "$d/archive/0/index" || fail "full rebuild differs"
# Usage: no DIR, bad -f.
rc=0; ez ezmlm-idx 2>/dev/null || rc=$?; [ $rc = 100 ] || fail "usage exit $rc"
rc=0; ez ezmlm-idx -f x "$d" 2>/dev/null || rc=$?; [ $rc = 100 ] || fail "-f x exit $rc"
echo OK
