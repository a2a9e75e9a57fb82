#!/bin/sh
# TERM while a delivery runs (reference mta.md 4.5): qmail-send starts
# nothing new, waits for the running delivery, logs its result with
# "exitasap", then "status: exiting". A report with an unknown status byte
# is logged as mangled and the recipient stays to do.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance
. "$LETTERSHOP_SRC/tests/e2e/lib/send.sh"
start_send
wait_log '^status: local 0/10 remote 0/20$'

printf 'Subject: m\n\nhello\n' | "$LETTERSHOP_BIN/qmail-inject" -fbob@remote.test mangle1 ||
  fail "qmail-inject failed"
wait_log '^delivery 1: report mangled, will defer$'
id=$(sed -n 's/^new msg \([0-9]*\)$/\1/p' "$log" | head -1)
grep -q '^Tmangle1@example.test' "$dir/queue/local/$((id % 23))/$id" || fail "mangled recipient not left to do"

: >"$log"
printf 'Subject: s\n\nhello\n' | "$LETTERSHOP_BIN/qmail-inject" -fbob@remote.test slow1 ||
  fail "qmail-inject failed"
wait_log '^starting delivery 2: '
kill -TERM "$send_pid"
wait "$send_pid" || fail "qmail-send exited $? after TERM"
got=$(sed -n '/^starting delivery 2: /,$p' "$log")
want="starting delivery 2: msg $(sed -n 's/^new msg \([0-9]*\)$/\1/p' "$log") to local slow1@example.test
status: local 1/10 remote 0/20
delivery 2: success: did_1+0+0/
status: local 0/10 remote 0/20 exitasap
end msg $(sed -n 's/^new msg \([0-9]*\)$/\1/p' "$log")
status: exiting"
[ "$got" = "$want" ] || fail "log around TERM:
$got
--- want:
$want"
exit 0
