#!/bin/bash
# e2e: ezmlm-send's automatic From rewriting from the author domain's DMARC
# policy, asked of a loopback dnsmasq (DNSCACHEIP), and the 111 when no DNS
# server answers: nothing queued, num and the archive unchanged.
# (The retry after a lost datagram is tested in tests/unit/test_post_send.cpp
# against a server that drops it.)
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
dir=$ez
. "$LETTERSHOP_SRC/tests/e2e/lib/remote.sh"
archived_list
ez ezmlm-sub "$d" sub1@example.org
fake_qmail_queue
start_dns --local=/test/ \
  '--txt-record=_dmarc.strict.test,v=DMARC1; p=reject' \
  '--txt-record=_dmarc.relaxed.test,v=DMARC1; p=quarantine' \
  '--txt-record=_dmarc.open.test,v=DMARC1; p=none'

# post AUTHOR: send a one-line post from AUTHOR; expects success
post() {
  printf 'From: %s\nTo: list@example.test\nSubject: dmarc\n\nbody\n' "$1" >"$w/in"
  rm -f "$ez/qq.msg" "$ez/qq.env"
  SENDER=$1 ez ezmlm-send "$d" <"$w/in" 2>"$w/err" || fail "ezmlm-send from $1: $(cat "$w/err")"
}
from_line() { grep -m1 '^From:' "$ez/qq.msg"; }

# Rows: author, rewritten (1) or not (0).
n=0
while read -r author rewritten; do
  n=$((n + 1))
  post "$author"
  if [ "$rewritten" = 1 ]; then
    [ "$(from_line)" = "From: \"$author\" via list <list@example.test>" ] ||
      fail "$author: From not rewritten: $(from_line)"
    grep -qx "Reply-To: $author" "$ez/qq.msg" || fail "$author: no Reply-To with the author"
  else
    [ "$(from_line)" = "From: $author" ] || fail "$author: From changed: $(from_line)"
  fi
  grep -qx "From: $author" "$d/archive/0/0$n" || fail "$author: the archive keeps the original From"
done <<'ROWS'
a@strict.test 1
b@mail.relaxed.test 1
c@open.test 0
d@unknown.test 0
e@sub.strict.test 1
ROWS
[ "$(cut -d: -f1 "$d/num")" = 5 ] || fail "num is $(cat "$d/num")"

# A post over 1 MB: the queue's copy cannot wait in memory for the DNS
# answer, so the header is decided in the middle of the body; both copies
# must still be whole.
{ printf 'From: big@strict.test\nTo: list@example.test\nSubject: big\n\n'
  awk 'BEGIN { for (i = 0; i < 40000; i++) printf "line %06d of a post larger than one megabyte\n", i }'; } >"$w/in"
sed '1,/^$/d' "$w/in" >"$w/body"
rm -f "$ez/qq.msg" "$ez/qq.env"
SENDER=big@strict.test ez ezmlm-send "$d" <"$w/in" 2>"$w/err" || fail "big post: $(cat "$w/err")"
[ "$(from_line)" = 'From: "big@strict.test" via list <list@example.test>' ] || fail "big post: From $(from_line)"
sed '1,/^$/d' "$ez/qq.msg" | cmp -s - "$w/body" || fail "big post: the queued body differs"
sed '1,/^$/d' "$d/archive/0/06" | cmp -s - "$w/body" || fail "big post: the archived body differs"
[ "$(cut -d: -f1 "$d/num")" = 6 ] || fail "num is $(cat "$d/num")"

# No DNS server answers: a temporary failure before anything is committed.
DNSCACHEIP=127.0.0.1:$(free_port)
export DNSCACHEIP
printf 'From: x@strict.test\nTo: list@example.test\nSubject: no dns\n\nbody\n' >"$w/in"
num_before=$(cat "$d/num")
index_before=$(cat "$d/archive/0/index")
rc=0
SENDER=x@strict.test ez ezmlm-send "$d" <"$w/in" 2>"$w/err" || rc=$?
[ "$rc" = 111 ] || fail "no DNS: exit $rc, want 111: $(cat "$w/err")"
grep -q 'DNS' "$w/err" || fail "no DNS: the error does not say why: $(cat "$w/err")"
[ "$(cat "$d/num")" = "$num_before" ] || fail "no DNS: num changed to $(cat "$d/num")"
[ "$(cat "$d/archive/0/index")" = "$index_before" ] || fail "no DNS: the index changed"
[ ! -e "$d/archive/0/07" ] && [ ! -e "$d/archive/0/07n" ] || fail "no DNS: an archive file was left"
[ ! -s "$ez/qq.env" ] || fail "no DNS: an envelope reached the queue: $(envelope_text "$ez/qq.env")"
echo "ezmlm_send_dmarc: ok"
