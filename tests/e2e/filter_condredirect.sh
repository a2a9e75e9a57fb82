#!/bin/bash
# filter_condredirect — "|condredirect new program" forwards when program says yes.
#
# With the sandbox's real qmail-queue. The condition program reads the
# message; on exit 0 condredirect rewinds, queues DTLINE + the whole
# message to the new address with $SENDER (not $NEWSENDER) as the envelope
# sender, prints "condredirect: qp <pid>" and exits 99. Exit 1 or 100 from
# the program: exit 0, nothing queued. 111 or a crash: 111. SENDER or
# DTLINE unset: 100. A message on a pipe cannot be read again: 111. A
# permanent refusal by the queue program: 100 with its text.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance
unset QMAILQUEUE
Q=$QMAILHOME/queue
w=$dir/work
mkdir "$w"
exec 3<>"$Q/lock/trigger"

export SENDER=orig@elsewhere.test NEWSENDER=joe-owner@example.test
export DTLINE='Delivered-To: joe@example.test
'
printf 'Subject: urgent\n\npage me\n' >"$w/urgent"
printf 'Subject: later\n\nno hurry\n' >"$w/later"

rc=0
"$LETTERSHOP_BIN/condredirect" pager@one.test grep -q '^Subject: urgent' <"$w/urgent" >"$w/out" 2>"$w/err" || rc=$?
[ "$rc" = 99 ] || fail "redirect: exit $rc ($(cat "$w/err"))"
grep -Eqx 'condredirect: qp [0-9]+' "$w/err" || fail "stderr: $(cat "$w/err")"
id=$(ls "$Q/todo")
[ "$(echo "$id" | wc -w)" = 1 ] || fail "todo entries: $id"
todo=$(tr '\0' '|' <"$Q/todo/$id")
case $todo in
  *"|Forig@elsewhere.test|Tpager@one.test|") ;;
  *) fail "envelope: $todo" ;;
esac
# grep read the message to the end: the copy must still be whole.
{ printf '%s' "$DTLINE"; cat "$w/urgent"; } >"$w/want"
tail -n +2 "$Q/mess/$((id % 23))/$id" | cmp -s - "$w/want" || fail "mess: $(cat "$Q/mess/$((id % 23))/$id")"
rm "$Q/todo/$id"

# expect CODE STDERR INPUT ARGS... - condredirect that queues nothing
expect() {
  expect_exit condredirect "$1" "$2" "${@:4}" <"$3"
  [ -z "$(ls "$Q/todo")" ] || fail "condredirect ${*:4}: queued $(ls "$Q/todo")"
}
expect 0 "" "$w/later" pager@one.test grep -q '^Subject: urgent'
expect 0 "" "$w/later" pager@one.test sh -c 'exit 100'
expect 0 "" "$w/later" pager@one.test no-such-program-on-path
expect 111 "condredirect: fatal: temporary child error" "$w/later" pager@one.test sh -c 'exit 111'
expect 111 "condredirect: fatal: child crashed" "$w/later" pager@one.test sh -c 'kill -9 $$'
expect 100 "condredirect: usage: condredirect newaddress program [arg ...]" "$w/later" pager@one.test
unset SENDER
expect 100 "condredirect: fatal: SENDER not set" "$w/urgent" pager@one.test true
export SENDER=orig@elsewhere.test
saved_dtline=$DTLINE
unset DTLINE
expect 100 "condredirect: fatal: DTLINE not set" "$w/urgent" pager@one.test true
export DTLINE=$saved_dtline

# A pipe cannot be rewound after the program has read it.
rc=0
cat "$w/urgent" | "$LETTERSHOP_BIN/condredirect" pager@one.test true 2>"$w/err" || rc=$?
[ "$rc" = 111 ] || fail "pipe: exit $rc ($(cat "$w/err"))"
grep -q '^condredirect: fatal: unable to rewind: ' "$w/err" || fail "pipe: $(cat "$w/err")"
[ -z "$(ls "$Q/todo")" ] || fail "pipe: queued"

printf '#!/bin/sh\ncat >/dev/null; cat <&1 >/dev/null; exit 31\n' >"$w/qq31"
chmod +x "$w/qq31"
export QMAILQUEUE=$w/qq31
expect 100 "condredirect: fatal: mail server permanently rejected message (#5.3.0)" "$w/urgent" \
  pager@one.test true
echo ok
