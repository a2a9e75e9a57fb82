#!/bin/sh
# qmail-send's double and triple bounces (reference mta.md 4.8): a message
# from <> whose recipients fail gets one aggregated double bounce to
# doublebounceto@doublebouncehost from #@[], with the virtualdomains prepend
# stripped from the failed address; a failed message from #@[] is discarded.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance
echo 'virt.test:failvirt' >"$dir/control/virtualdomains"
echo 'dbh.test' >"$dir/control/doublebouncehost"
echo 'pm' >"$dir/control/doublebounceto"
. "$LETTERSHOP_SRC/tests/e2e/lib/send.sh"
start_send
wait_log '^status: local 0/10 remote 0/20$'

# queue_raw SENDER RCPT... - queue a small message straight through qmail-queue
queue_raw() {
  _sender=$1
  shift
  printf 'Subject: raw\n\nhello\n' >"$dir/raw.msg"
  { printf 'F%s\0' "$_sender"; for r; do printf 'T%s\0' "$r"; done; printf '\0'; } >"$dir/raw.env"
  "$LETTERSHOP_BIN/qmail-queue" <"$dir/raw.msg" 1<"$dir/raw.env" || fail "qmail-queue exited $?"
}

# Double bounce: both failures in one notice, sent to pm@dbh.test (remote).
queue_raw '' fail2@example.test x@virt.test
wait_n_log '^end msg ' 2
grep -qx ' failvirt-x@virt.test' "$cap/local.log" || fail "virtual recipient not rewritten: $(cat "$cap/local.log")"
grep -qx '#@\[\] pm@dbh.test' "$cap/remote.log" || fail "double bounce not from #@[] to pm@dbh.test: $(cat "$cap/remote.log")"
got=$(tail -n +2 "$cap/pm@dbh.test" | sed '1s/^Date: .*-0000$/Date: DATE/')
orig=$(cat "$cap/fail2@example.test")
want="Date: DATE
From: MAILER-DAEMON@example.test
To: pm@dbh.test
Subject: failure notice

Hi. This is the qmail-send program at example.test.
I tried to deliver a bounce message to this address, but the bounce bounced!

<fail2@example.test>:
Sorry, no mailbox here by that name. (#5.1.1)

<x@virt.test>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is the original bounce.

Return-Path: <>
$orig"
[ "$got" = "$want" ] || fail "double bounce differs:
$got
--- want:
$want"

# Triple bounce: logged and discarded, nothing new queued.
: >"$log"
queue_raw '#@[]' fail3@example.test
wait_log '^end msg '
id=$(sed -n 's/^new msg \([0-9]*\)$/\1/p' "$log" | head -1)
grep -qx "triple bounce: discarding bounce/$id" "$log" || fail "no triple bounce line: $(cat "$log")"
[ "$(grep -c '^new msg ' "$log")" -eq 1 ] || fail "a bounce of a double bounce was queued: $(cat "$log")"
grep -q '^bounce msg ' "$log" && fail "triple bounce injected"
[ -e "$dir/queue/bounce/$id" ] && fail "bounce file left behind"
stop_send
exit 0
