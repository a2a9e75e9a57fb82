#!/bin/bash
# fred-sos is delivered by ~fred/.qmail-sos to ./Extramail (qmail's second
# local picture).
#
# No account is called fred-sos, so qmail-getpw cuts the local part at its
# last '-': fred owns it, with dash '-' and extension 'sos', and qmail-local
# follows ~fred/.qmail-sos, whose one line ./Extramail is an mbox relative to
# the home. The copy's Delivered-To names the whole address; ~fred/Mailbox
# (the default delivery) stays untouched.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
mta_instance
add_user fred
fred=$(home fred)
echo ./Extramail >"$fred/.qmail-sos"
start_mta ./Mailbox

printf 'Subject: help\n\nsave our souls\n' | enqueue joe@heaven.af.mil fred-sos@example.test
wait_log '^end msg [0-9]+$'

box=$fred/Extramail
[ -s "$box" ] || fail "no ~fred/Extramail; log: $(cat "$mta_log")"
[ ! -e "$fred/Mailbox" ] || fail "~fred/Mailbox was written too"
sed -n 1p "$box" | grep -Eqx "From joe@heaven\.af\.mil $ctime_re" || fail "From_ line: $(sed -n 1p "$box")"
[ "$(sed -n 2p "$box")" = 'Return-Path: <joe@heaven.af.mil>' ] || fail "line 2: $(sed -n 2p "$box")"
[ "$(sed -n 3p "$box")" = 'Delivered-To: fred-sos@example.test' ] || fail "line 3: $(sed -n 3p "$box")"
[ "$(tail -n 2 "$box" | head -n 1)" = 'save our souls' ] || fail "body: $(tail -n 3 "$box")"
[ -z "$(tail -n 1 "$box")" ] || fail "no empty line after the message"
[ "$(grep -c '^Delivered-To: ' "$box")" = 1 ] || fail "more than one Delivered-To line"

id=$(log_msg_id 'to local fred-sos@example\.test')
[ -n "$id" ] || fail "no 'starting delivery 1: msg N to local fred-sos@example.test'; log: $(cat "$mta_log")"
grep -qx 'delivery 1: success: did_1+0+0/' "$mta_log" || fail "no success line; log: $(cat "$mta_log")"
grep -qx "end msg $id" "$mta_log" || fail "no end msg $id"
stop_mta
echo ok
