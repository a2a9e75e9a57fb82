#!/bin/bash
# e2e: bad input to the list programs gets a clear refusal and corrupts
# nothing. Addresses with a newline, a quote, 8-bit bytes or more than 400
# characters are refused by ezmlm-sub and the subscriber files stay as they
# were; ezmlm-reject refuses a 50 MB post against msgsize without reading it
# into memory; ezmlm-send refuses a message without a header and one with a
# broken MIME structure under mimeremove, and leaves num and the archive
# untouched.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
archived_list
ez ezmlm-sub "$d" one@example.org two@example.org
fake_qmail_queue
SENDER=one@example.org
export SENDER

# --- addresses
db_files "$d" >"$w/db-before"
for bad in "$(printf 'a@b\nc@d')" 'no-at-sign' "$(printf 'caf\351@example.org')" \
           "$(printf 'x%.0s' $(seq 401))@example.org" ''; do
  rc=0; ez ezmlm-sub "$d" . "$bad" </dev/null 2>"$w/err" || rc=$?
  [ $rc = 100 ] || fail "ezmlm-sub accepted '$bad' (exit $rc)"
  grep -q '^ezmlm-sub: fatal: ' "$w/err" || fail "no clear text for '$bad': $(cat "$w/err")"
done
db_files "$d" >"$w/db-after"
diff "$w/db-before" "$w/db-after" || fail "refused addresses changed the subscriber files"
# A quote is a legal local-part character, and UTF-8 is an SMTPUTF8
# address: both are stored as given and found again.
ez ezmlm-sub "$d" 'o"neil@example.org' "$(printf 'caf\303\251@example.org')" || fail "legal addresses refused"
SENDER='o"neil@example.org' ez ezmlm-issubn "$d" || fail "quoted address not found"
SENDER="$(printf 'caf\303\251@example.org')" ez ezmlm-issubn "$d" || fail "UTF-8 address not found"
ez ezmlm-unsub "$d" 'o"neil@example.org' "$(printf 'caf\303\251@example.org')"
[ "$(ez ezmlm-list "$d" | sort | tr '\n' ' ')" = "one@example.org two@example.org " ] ||
  fail "list after the legal addresses came and went: $(ez ezmlm-list "$d")"

# --- a 50 MB post against msgsize 30000:2: refused, memory stays small
echo "30000:2" >"$d/msgsize"
{ printf 'From: one@example.org\nTo: list@example.test\nSubject: big\n\n'
  head -c 52428800 /dev/zero | tr '\0' 'x' | fold -w 76; } >"$w/big"
rc=0
/usr/bin/time -f '%M' -o "$w/rss" "$LETTERSHOP_BIN/ezmlm-reject" "$d" <"$w/big" >"$w/out" 2>"$w/err" || rc=$?
[ $rc = 100 ] || fail "50 MB post: exit $rc ($(cat "$w/err"))"
grep -q 'ezmlm-reject: fatal: .*' "$w/err" || grep -q 'ezmlm-reject: fatal: .*' "$w/out" ||
  fail "50 MB post: no clear text"
rss=$(tail -1 "$w/rss")
[ "$rss" -lt 40000 ] || fail "ezmlm-reject held the post in memory (peak ${rss} KB)"
rm "$d/msgsize"

# --- ezmlm-send: no header at all; broken MIME under mimeremove
printf '\nonly a body, no header at all\n' >"$w/nohead"
# The editor's first line refuses it (no Subject); ezmlm-send, run alone,
# sends it as it is (ezmlm-idx does too) and numbers it consistently.
rc=0; ez ezmlm-reject "$d" <"$w/nohead" >"$w/out" 2>"$w/err" || rc=$?
[ $rc = 100 ] || fail "ezmlm-reject took a message without a header (exit $rc)"
grep -aq 'fatal' "$w/err" "$w/out" || fail "no header: no clear text"
ez ezmlm-send "$d" <"$w/nohead" 2>"$w/err" || fail "ezmlm-send, no header: $(cat "$w/err")"
[ "$(cut -d: -f1 "$d/num")" = 1 ] || fail "num after the first post: $(cat "$d/num")"
[ -x "$d/archive/0/01" ] || fail "archive/0/01 not complete"
printf 'text/html\n' >"$d/mimeremove"
cat >"$w/broken" <<'MSG'
From: one@example.org
To: list@example.test
Subject: broken
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="missing"

--other
Content-Type: text/html

<p>never closed
MSG
cp "$d/num" "$w/num-before"
rc=0; ez ezmlm-send "$d" <"$w/broken" 2>"$w/err" || rc=$?
[ $rc = 100 ] || fail "broken MIME: exit $rc ($(cat "$w/err"))"
grep -q '^ezmlm-send: fatal: ' "$w/err" || fail "broken MIME: no clear text: $(cat "$w/err")"
cmp -s "$d/num" "$w/num-before" || fail "a refused post changed num"
[ ! -e "$d/archive/0/02" ] || fail "a refused post was archived"
ls -a "$d/archive/0" | grep -Eq '^(02|\.?tmp)' && fail "left-overs in the archive: $(ls -a "$d/archive/0")"
rm "$d/mimeremove"
echo ok
