#!/bin/bash
# filter_forward — "|forward a b" queues DTLINE + message from $NEWSENDER.
#
# With the sandbox's real qmail-queue: exit 0, "forward: qp <pid>" on
# stderr (the pid qmail-queue recorded in the todo file), one todo entry
# with envelope F$NEWSENDER T<a> T<b>, and a mess file holding qmail-queue's
# Received line, the Delivered-To line, then the message byte for byte (also
# a 1 MB one, streamed). Then the failures: NEWSENDER or DTLINE unset, no
# address (100, nothing queued); a queue program exiting 31 (D, 100) and 53
# (Z, 111) with qmail's texts.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance
unset QMAILQUEUE
Q=$QMAILHOME/queue
w=$dir/work
mkdir "$w"
exec 3<>"$Q/lock/trigger"  # qmail-send's end of the trigger, so nothing blocks

export NEWSENDER=joe-owner@example.test SENDER=orig@elsewhere.test
export DTLINE='Delivered-To: joe@example.test
'
printf 'From: orig@elsewhere.test\nSubject: fwd\n\nline one\nFrom the body\n' >"$w/msg"

# forwarded ID EXPECTED_MESSAGE - the mess file after the Received line
forwarded() {
  mess=$Q/mess/$(($1 % 23))/$1
  head -n 1 "$mess" | grep -q '^Received: (qmail [0-9]* invoked by uid [0-9]*); ' ||
    fail "no Received line: $(head -n 1 "$mess")"
  tail -n +2 "$mess" | cmp -s - "$2" || fail "mess differs: $(tail -n +2 "$mess" | head -5)"
}

rc=0
"$LETTERSHOP_BIN/forward" a@one.test b@two.test <"$w/msg" >"$w/out" 2>"$w/err" || rc=$?
[ "$rc" = 0 ] || fail "forward: exit $rc ($(cat "$w/err"))"
grep -Eqx 'forward: qp [0-9]+' "$w/err" || fail "stderr: $(cat "$w/err")"
[ ! -s "$w/out" ] || fail "stdout: $(cat "$w/out")"
id=$(ls "$Q/todo")
[ "$(echo "$id" | wc -w)" = 1 ] || fail "todo entries: $id"
todo=$(tr '\0' '|' <"$Q/todo/$id")
case $todo in
  *"|Fjoe-owner@example.test|Ta@one.test|Tb@two.test|") ;;
  *) fail "envelope: $todo" ;;
esac
qp=$(sed 's/forward: qp //' "$w/err")
case "|$todo" in *"|p$qp|"*) ;; *) fail "qp $qp is not the pid in $todo" ;; esac
{ printf '%s' "$DTLINE"; cat "$w/msg"; } >"$w/want"
forwarded "$id" "$w/want"
rm "$Q/todo/$id"

# A large message is streamed through whole.
head -c 1048576 /dev/urandom | base64 >"$w/big"
"$LETTERSHOP_BIN/forward" big@one.test <"$w/big" 2>"$w/err" || fail "big: $(cat "$w/err")"
id=$(ls "$Q/todo")
{ printf '%s' "$DTLINE"; cat "$w/big"; } >"$w/want"
forwarded "$id" "$w/want"
rm "$Q/todo/$id"

# expect CODE STDERR ARGS... - a failing forward: exit, text, nothing queued
expect() {
  expect_exit forward "$1" "$2" "${@:3}" <"$w/msg"
  [ -z "$(ls "$Q/todo")" ] || fail "forward ${*:3}: queued $(ls "$Q/todo")"
}
unset NEWSENDER
expect 100 "forward: fatal: NEWSENDER not set" a@one.test
export NEWSENDER=joe-owner@example.test
saved_dtline=$DTLINE
unset DTLINE
expect 100 "forward: fatal: DTLINE not set" a@one.test
export DTLINE=$saved_dtline
expect 100 "forward: usage: forward address [address ...]"

printf '#!/bin/sh\ncat >/dev/null; cat <&1 >/dev/null; exit %s\n' 31 >"$w/qq31"
printf '#!/bin/sh\ncat >/dev/null; cat <&1 >/dev/null; exit %s\n' 53 >"$w/qq53"
chmod +x "$w/qq31" "$w/qq53"
export QMAILQUEUE=$w/qq31
expect 100 "forward: fatal: mail server permanently rejected message (#5.3.0)" a@one.test
export QMAILQUEUE=$w/qq53
expect 111 "forward: fatal: qq write error or disk full (#4.3.0)" a@one.test
echo ok
