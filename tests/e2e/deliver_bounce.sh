#!/bin/bash
# A nonexistent local user: a QSBMF bounce to the sender; a bounce that
# cannot be delivered: a double bounce to postmaster.
#
# 1. fred@example.test writes to nobody@example.test. No account is called
#    nobody, the alias account has no .qmail-nobody or .qmail-default, so
#    qmail-local answers "Sorry, no mailbox here by that name. (#5.1.1)" and
#    exits 100; qmail-send records the failure, and when the message is done
#    sends one bounce from <> to fred, which lands in ~fred/Mailbox. The
#    bounce is byte for byte qmail's (reference 4.8), and so are the log
#    lines (new msg / info msg / starting delivery / delivery 1: failure /
#    bounce msg / end msg, then the bounce's own delivery).
# 2. nonexistent@example.test writes to unknownuser@example.test: the
#    bounce to nonexistent fails too, and since its sender is empty qmail-send
#    sends a double bounce from #@[] to postmaster@example.test, which the
#    alias account's .qmail-postmaster (./Maildir/) keeps.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
mta_instance
add_user fred
start_mta ./Mailbox
uid=$(id -u)

# --- 1. single bounce
printf 'Subject: not for nobody\n\nhello?\n' >"$dir/msg"
enqueue fred@example.test nobody@example.test <"$dir/msg"
wait_log '^delivery 2: '
wait_queue_empty

box=$(home fred)/Mailbox
[ -s "$box" ] || fail "no bounce in ~fred/Mailbox; log: $(cat "$mta_log")"
mail_normalise "$box" >"$dir/box.norm"
expect_text "$dir/box.norm" "the bounce differs from qmail's" <<EOF
From MAILER-DAEMON CTIME
Return-Path: <>
Delivered-To: fred@example.test
Received: QMAIL
Date: DATE
From: MAILER-DAEMON@example.test
To: fred@example.test
Subject: failure notice

Hi. This is the qmail-send program at example.test.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<nobody@example.test>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

Return-Path: <fred@example.test>
Received: QMAIL
Subject: not for nobody

hello?

EOF

# The log, exactly: ids, sizes and qps taken from the bounce itself.
received=$(grep -m 2 '^Received: (qmail' "$box" | tail -n 1)   # the original's
bqp=$(sed -n 4p "$box" | sed -E 's/^Received: \(qmail ([0-9]+) .*/\1/')
qp=$(echo "$received" | sed -E 's/^Received: \(qmail ([0-9]+) .*/\1/')
id=$(log_msg_id 'to local nobody@example\.test')
bid=$(log_msg_id 'to local fred@example\.test')
[ -n "$id" ] && [ -n "$bid" ] || fail "starting delivery lines missing; log: $(cat "$mta_log")"
bytes=$(($(echo "$received" | wc -c) + $(wc -c <"$dir/msg")))
# The bounce's mess file: the mbox entry minus From_, Return-Path,
# Delivered-To and the trailing empty line.
bbytes=$(($(wc -c <"$box") - $(head -n 3 "$box" | wc -c) - 1))
expect_text "$mta_log" "log differs from qmail's" <<EOF
status: local 0/10 remote 0/20
new msg $id
info msg $id: bytes $bytes from <fred@example.test> qp $qp uid $uid
starting delivery 1: msg $id to local nobody@example.test
status: local 1/10 remote 0/20
delivery 1: failure: Sorry,_no_mailbox_here_by_that_name._(#5.1.1)/
status: local 0/10 remote 0/20
bounce msg $id qp $bqp
end msg $id
new msg $bid
info msg $bid: bytes $bbytes from <> qp $bqp uid $uid
starting delivery 2: msg $bid to local fred@example.test
status: local 1/10 remote 0/20
delivery 2: success: did_1+0+0/
status: local 0/10 remote 0/20
end msg $bid
EOF

# --- 2. double bounce
mark=$(($(wc -l <"$mta_log") + 1))
printf 'Subject: from nowhere\n\nanyone?\n' >"$dir/msg2"
enqueue nonexistent@example.test unknownuser@example.test <"$dir/msg2"
wait_log '^delivery 5: '
wait_queue_empty
log_sequence "$mark" <<'EOF'
new msg [0-9]+
info msg [0-9]+: bytes [0-9]+ from <nonexistent@example\.test> qp [0-9]+ uid [0-9]+
starting delivery 3: msg [0-9]+ to local unknownuser@example\.test
delivery 3: failure: Sorry,_no_mailbox_here_by_that_name\._\(#5\.1\.1\)/
bounce msg [0-9]+ qp [0-9]+
end msg [0-9]+
new msg [0-9]+
info msg [0-9]+: bytes [0-9]+ from <> qp [0-9]+ uid [0-9]+
starting delivery 4: msg [0-9]+ to local nonexistent@example\.test
delivery 4: failure: Sorry,_no_mailbox_here_by_that_name\._\(#5\.1\.1\)/
bounce msg [0-9]+ qp [0-9]+
end msg [0-9]+
new msg [0-9]+
info msg [0-9]+: bytes [0-9]+ from <#@\[\]> qp [0-9]+ uid [0-9]+
starting delivery 5: msg [0-9]+ to local postmaster@example\.test
delivery 5: success: did_1\+0\+0/
end msg [0-9]+
EOF

set -- "$dir"/alias/Maildir/new/*
[ $# = 1 ] && [ -f "$1" ] || fail "expected one double bounce in ~alias/Maildir/new, found: $*"
mail_normalise "$1" >"$dir/double.norm"
expect_text "$dir/double.norm" "the double bounce differs from qmail's" <<EOF
Return-Path: <#@[]>
Delivered-To: postmaster@example.test
Received: QMAIL
Date: DATE
From: MAILER-DAEMON@example.test
To: postmaster@example.test
Subject: failure notice

Hi. This is the qmail-send program at example.test.
I tried to deliver a bounce message to this address, but the bounce bounced!

<nonexistent@example.test>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is the original bounce.

Return-Path: <>
Received: QMAIL
Date: DATE
From: MAILER-DAEMON@example.test
To: nonexistent@example.test
Subject: failure notice

Hi. This is the qmail-send program at example.test.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<unknownuser@example.test>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

Return-Path: <nonexistent@example.test>
Received: QMAIL
Subject: from nowhere

anyone?
EOF
[ "$(grep -c 'failure notice' "$box")" = 1 ] || fail "fred got more than the one bounce"
stop_mta
echo ok
