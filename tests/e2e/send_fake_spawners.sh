#!/bin/sh
# qmail-send with fake spawners (tests/e2e/lib/send_fake.py) and the real
# qmail-clean and qmail-queue: the log lines of a success, a failure with
# its bounce, a VERP sender, and TERM, byte for byte (reference mta.md 4.6,
# 4.7, 4.8); the bounce is checked as qmail-queue stored it.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance

. "$LETTERSHOP_SRC/tests/e2e/lib/send.sh"
start_send

wait_log '^status: local 0/10 remote 0/20$'

# 1. A local success.
printf 'Subject: one\n\nhello\n' | "$LETTERSHOP_BIN/qmail-inject" -fbob@remote.test alice ||
  fail "qmail-inject failed"
wait_log '^end msg '
id=$(sed -n 's/^new msg \([0-9]*\)$/\1/p' "$log" | head -1)
[ -n "$id" ] || fail "no new msg line"
bytes=$(wc -c <"$cap/alice@example.test")
got=$(sed 's/ qp [0-9]* uid [0-9]*$/ qp QP uid UID/' "$log")
want="status: local 0/10 remote 0/20
new msg $id
info msg $id: bytes $bytes from <bob@remote.test> qp QP uid UID
starting delivery 1: msg $id to local alice@example.test
status: local 1/10 remote 0/20
delivery 1: success: did_1+0+0/
status: local 0/10 remote 0/20
end msg $id"
[ "$got" = "$want" ] || fail "log of a success:
$got
--- want:
$want"
[ -e "$dir/queue/info/$((id % 23))/$id" ] && fail "info file left behind"
[ -e "$dir/queue/mess/$((id % 23))/$id" ] && fail "mess file left behind"

# 2. A permanent failure: a bounce to the sender through the real qmail-queue.
: >"$log"
printf 'Subject: two\n\nhello\n' | "$LETTERSHOP_BIN/qmail-inject" -fbob@remote.test fail1 ||
  fail "qmail-inject failed"
wait_log '^delivery 3: success: '
wait_n_log '^end msg ' 2
id=$(sed -n 's/^new msg \([0-9]*\)$/\1/p' "$log" | head -1)
bid=$(sed -n 's/^new msg \([0-9]*\)$/\1/p' "$log" | sed -n 2p)
got=$(sed 's/ qp [0-9]* uid [0-9]*$/ qp QP uid UID/; s/ qp [0-9]*$/ qp QP/; s/bytes [0-9]*/bytes N/' "$log")
want="new msg $id
info msg $id: bytes N from <bob@remote.test> qp QP uid UID
starting delivery 2: msg $id to local fail1@example.test
status: local 1/10 remote 0/20
delivery 2: failure: Sorry,_no_mailbox_here_by_that_name._(#5.1.1)/
status: local 0/10 remote 0/20
bounce msg $id qp QP
end msg $id
new msg $bid
info msg $bid: bytes N from <> qp QP uid UID
starting delivery 3: msg $bid to remote bob@remote.test
status: local 0/10 remote 1/20
delivery 3: success: 1.2.3.4_accepted_message./
status: local 0/10 remote 0/20
end msg $bid"
[ "$got" = "$want" ] || fail "log of a failure and its bounce:
$got
--- want:
$want"
[ -e "$dir/queue/bounce/$id" ] && fail "bounce file left behind"

# The bounce as qmail-queue stored it: its Received line, then QSBMF.
{
  printf 'Date: DATE\nFrom: MAILER-DAEMON@example.test\nTo: bob@remote.test\n'
  printf 'Subject: failure notice\n\nHi. This is the qmail-send program at example.test.\n'
  printf "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
  printf "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
  printf '<fail1@example.test>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n'
  printf -- '--- Below this line is a copy of the message.\n\nReturn-Path: <bob@remote.test>\n'
  cat "$cap/fail1@example.test"
} >"$dir/want.bounce"
head -1 "$cap/bob@remote.test" | grep -q '^Received: (qmail [0-9]* invoked ' ||
  fail "bounce lacks qmail-queue's Received line: $(head -1 "$cap/bob@remote.test")"
tail -n +2 "$cap/bob@remote.test" | sed '1s/^Date: .*-0000$/Date: DATE/' >"$dir/got.bounce"
cmp -s "$dir/want.bounce" "$dir/got.bounce" ||
  fail "bounce differs: $(diff "$dir/want.bounce" "$dir/got.bounce")"
grep -q '^ bob@remote.test$' "$cap/remote.log" || fail "bounce not sent from <>: $(cat "$cap/remote.log")"

# 3. A VERP sender, expanded per recipient; a deferral stays queued.
: >"$log"
printf 'Subject: three\n\nhello\n' |
  "$LETTERSHOP_BIN/qmail-inject" '-flist-@example.test-@[]' carol@far.test defer1 ||
  fail "qmail-inject failed"
wait_n_log '^delivery [0-9]*: ' 2
grep -qx 'list-carol=far.test@example.test carol@far.test' "$cap/remote.log" ||
  fail "VERP sender not expanded: $(cat "$cap/remote.log")"
grep -qx 'list-defer1=example.test@example.test defer1@example.test' "$cap/local.log" ||
  fail "VERP sender not expanded for local: $(cat "$cap/local.log")"
grep -q '^delivery [0-9]*: deferral: Temporary_trouble.//Try_later._(#4.3.0)/$' "$log" ||
  fail "no deferral line: $(cat "$log")"
id=$(sed -n 's/^new msg \([0-9]*\)$/\1/p' "$log" | head -1)
local_file=$dir/queue/local/$((id % 23))/$id
[ -e "$local_file" ] || fail "deferred recipient's local file is gone"
[ -e "$dir/queue/remote/$((id % 23))/$id" ] && fail "finished remote file not removed"
grep -q 'end msg' "$log" && fail "message with a deferred recipient ended"

# 4. TERM: "status: exiting", exit 0, the retry time saved in the mtime.
stop_send
now=$(date +%s)
mtime=$(stat -c %Y "$local_file")
[ "$mtime" -gt "$now" ] || fail "retry time not saved: mtime $mtime, now $now"
exit 0
