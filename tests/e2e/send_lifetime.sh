#!/bin/sh
# Retry bookkeeping across a restart, ALRM and queuelifetime (reference
# mta.md 4.4, 4.5): a deferred message keeps its retry time in the local
# file's mtime over a TERM and a restart (no early retry); ALRM retries it
# now; being older than queuelifetime turns the deferral into a failure with
# qmail's extra line, and a bounce to the sender.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance
echo 1 >"$dir/control/queuelifetime"
. "$LETTERSHOP_SRC/tests/e2e/lib/send.sh"
start_send
wait_log '^status: local 0/10 remote 0/20$'

printf 'Subject: late\n\nhello\n' | "$LETTERSHOP_BIN/qmail-inject" -fbob@remote.test defer1 ||
  fail "qmail-inject failed"
wait_log '^delivery 1: deferral: '
id=$(sed -n 's/^new msg \([0-9]*\)$/\1/p' "$log" | head -1)
stop_send
local_file=$dir/queue/local/$((id % 23))/$id
[ "$(stat -c %Y "$local_file")" -gt "$(date +%s)" ] || fail "retry time not saved"

# Restart: the saved time is in the future, so nothing is tried at once.
: >"$log"
start_send
wait_log '^status: local 0/10 remote 0/20$'
sleep 2
grep -q '^starting delivery' "$log" && fail "retried before its time: $(cat "$log")"

# ALRM: now. The message is older than queuelifetime (1 s): the deferral
# becomes a failure, and the sender gets the bounce.
kill -ALRM "$send_pid"
wait_n_log '^end msg ' 2
grep -qx "delivery 1: failure: Temporary_trouble.//Try_later._(#4.3.0)/I'm_not_going_to_try_again;_this_message_has_been_in_the_queue_too_long./" "$log" ||
  fail "no lifetime failure line: $(cat "$log")"
grep -q "^bounce msg $id qp [0-9]*\$" "$log" || fail "no bounce: $(cat "$log")"
grep -q "^I'm not going to try again; this message has been in the queue too long.\$" "$cap/bob@remote.test" ||
  fail "bounce lacks the lifetime line"
[ -e "$local_file" ] && fail "local file left behind"
stop_send
exit 0
