#!/bin/bash
# qmail-inject queues through the instance's own bin/qmail-queue.
#
# Without QMAILQUEUE, a message to two header recipients lands in the
# sandbox queue: one todo entry whose envelope names the default sender
# (user@me) and both rewritten recipients, and a mess file holding the
# rewritten header after qmail-queue's Received line.
. "$LETTERSHOP_SRC/tests/e2e/lib/inject.sh"
inject_instance
unset QMAILQUEUE
Q=$QMAILHOME/queue
exec 3<>"$Q/lock/trigger"  # qmail-send's end of the trigger, so nothing blocks

printf 'To: a, b@elsewhere.test\nSubject: real\n\nbody\n' |
  USER=sam "$LETTERSHOP_BIN/qmail-inject" 2>"$work/err" || fail "exit $?: $(cat "$work/err")"
ids=$(ls "$Q/todo")
[ "$(echo "$ids" | wc -w)" -eq 1 ] || fail "expected one todo entry, found: $ids"
id=$ids
tr '\0' '|' <"$Q/todo/$id" | grep -q '|Fsam@example.test|Ta@example.test|Tb@elsewhere.test|$' ||
  fail "todo envelope: $(tr '\0' '|' <"$Q/todo/$id")"
mess=$Q/mess/$((id % 23))/$id
grep -qx 'To: a@example.test, b@elsewhere.test' "$mess" || fail "mess: $(cat "$mess")"
grep -qx 'From: sam@example.test' "$mess" || fail "no From in mess: $(cat "$mess")"
tail -n 1 "$mess" | grep -qx body || fail "body missing"
echo ok
