#!/bin/bash
# Mail to fred lands in ~fred/Mailbox (qmail's first local picture).
#
# qmail-send runs with the default delivery ./Mailbox. A message queued from
# joe@heaven.af.mil to fred@example.test is preprocessed (local: example.test
# is in control/locals), handed to qmail-lspawn, which finds fred in the
# sandbox's users/passwd, and qmail-local appends it to ~fred/Mailbox in mbox
# format: a From_ line, Return-Path and Delivered-To, the queued bytes
# (qmail-queue's Received line and the message) unchanged, and one empty
# line. The log is qmail's sequence, line for line: new msg, info msg (the
# size of the mess file, the sender, qmail-queue's pid and the caller's
# uid), starting delivery 1, status, delivery 1: success: did_1+0+0/,
# status, end msg.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
mta_instance
add_user fred
start_mta ./Mailbox

printf 'Subject: hello fred\n\nThis is a test.\nFrom the first picture.\n' >"$dir/msg"
enqueue joe@heaven.af.mil fred@example.test <"$dir/msg"
wait_log '^end msg [0-9]+$'
wait_queue_empty

box=$(home fred)/Mailbox
[ -f "$box" ] || fail "no ~fred/Mailbox"
[ "$(stat -c %a "$box")" = 600 ] || fail "~fred/Mailbox has mode $(stat -c %a "$box"), not 600"

# The mbox entry, line by line.
sed -n 1p "$box" | grep -Eqx "From joe@heaven\.af\.mil $ctime_re" || fail "From_ line: $(sed -n 1p "$box")"
[ "$(sed -n 2p "$box")" = 'Return-Path: <joe@heaven.af.mil>' ] || fail "line 2: $(sed -n 2p "$box")"
[ "$(sed -n 3p "$box")" = 'Delivered-To: fred@example.test' ] || fail "line 3: $(sed -n 3p "$box")"
uid=$(id -u)
received=$(sed -n 4p "$box")
echo "$received" | grep -Eqx "Received: \(qmail [0-9]+ invoked by uid $uid\); $date822_re" ||
  fail "line 4 is not qmail-queue's Received line: $received"
# Lines 5..: the message exactly (a '>From ' quote is added to the body's
# 'From the first picture.' line: mboxrd quoting of a line starting 'From ').
{ sed 's/^From />From /' "$dir/msg"; echo; } >"$dir/expected.tail"
tail -n +5 "$box" | cmp -s - "$dir/expected.tail" ||
  fail "the message in the mbox differs: $(tail -n +5 "$box" | od -c | head -20)"

# The log: exactly qmail's lines, with the mess size and qp checked.
qp=$(echo "$received" | sed -E 's/^Received: \(qmail ([0-9]+) .*/\1/')
id=$(log_msg_id 'to local fred@example\.test')
[ -n "$id" ] || fail "no starting delivery line; log: $(cat "$mta_log")"
bytes=$(($(echo "$received" | wc -c) + $(wc -c <"$dir/msg")))
expect_text "$mta_log" "log differs from qmail's" <<EOF
status: local 0/10 remote 0/20
new msg $id
info msg $id: bytes $bytes from <joe@heaven.af.mil> qp $qp uid $uid
starting delivery 1: msg $id to local fred@example.test
status: local 1/10 remote 0/20
delivery 1: success: did_1+0+0/
status: local 0/10 remote 0/20
end msg $id
EOF

stop_mta
echo ok
