#!/bin/bash
# help@ has no account: ~alias/.qmail-help forwards it to john (qmail's
# fourth local picture).
#
# qmail-getpw finds no account for 'help', so the alias account takes it
# with dash '-' and extension 'help'; ~alias/.qmail-help holds the bare
# address john, which qmail-local forwards through qmail-queue (envnoathost
# then makes it john@example.test). The forwarded copy carries
# Delivered-To: help@example.test and keeps the original envelope sender;
# john's mailbox gets it with his own Delivered-To on top.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
mta_instance
add_user john
echo john >"$dir/alias/.qmail-help"
start_mta ./Mailbox

printf 'Subject: please help\n\nI need somebody\n' | enqueue joe@heaven.af.mil help@example.test
wait_log '^starting delivery 2: msg [0-9]+ to local john@example\.test$'
wait_log '^delivery 2: '
wait_queue_empty

box=$(home john)/Mailbox
[ -s "$box" ] || fail "no ~john/Mailbox; log: $(cat "$mta_log")"
sed -n 1p "$box" | grep -Eqx "From joe@heaven\.af\.mil $ctime_re" || fail "From_ line: $(sed -n 1p "$box")"
[ "$(sed -n 2p "$box")" = 'Return-Path: <joe@heaven.af.mil>' ] || fail "line 2: $(sed -n 2p "$box")"
[ "$(sed -n 3p "$box")" = 'Delivered-To: john@example.test' ] || fail "line 3: $(sed -n 3p "$box")"
# qmail-queue's Received line for the forward, then the alias's Delivered-To.
sed -n 4p "$box" | grep -Eq '^Received: \(qmail [0-9]+ invoked ' || fail "line 4: $(sed -n 4p "$box")"
[ "$(sed -n 5p "$box")" = 'Delivered-To: help@example.test' ] || fail "line 5: $(sed -n 5p "$box")"
grep -qx 'I need somebody' "$box" || fail "body missing: $(cat "$box")"
[ "$(grep -c '^Delivered-To: ' "$box")" = 2 ] || fail "not exactly two Delivered-To lines"
[ -z "$(ls "$dir/alias/Maildir/new")" ] || fail "something landed in the alias Maildir"

grep -Eqx 'starting delivery 1: msg [0-9]+ to local help@example\.test' "$mta_log" || fail "log: $(cat "$mta_log")"
grep -Eqx 'delivery 1: success: did_0\+1\+0/qp_[0-9]+/' "$mta_log" || fail "no 'success: did_0+1+0/qp_N/'; log: $(cat "$mta_log")"
grep -qx 'delivery 2: success: did_1+0+0/' "$mta_log" || fail "no 'delivery 2: success: did_1+0+0/'; log: $(cat "$mta_log")"
# The forward's qp in the log is the qp of the new message.
fqp=$(sed -nE 's|^delivery 1: success: did_0\+1\+0/qp_([0-9]+)/$|\1|p' "$mta_log")
grep -Eqx "info msg [0-9]+: bytes [0-9]+ from <joe@heaven\.af\.mil> qp $fqp uid [0-9]+" "$mta_log" ||
  fail "no info msg line with the forward's qp $fqp; log: $(cat "$mta_log")"
stop_mta
echo ok
