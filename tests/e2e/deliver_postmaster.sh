#!/bin/bash
# POSTmaster in any capitalisation reaches the alias account's Maildir
# (TEST.deliver step 6), and a bare local name is qualified on the way.
#
# qmail-inject qualifies "POSTmaster" with defaulthost; qmail-send does not
# case-fold local parts, qmail-getpw lower-cases its account candidates and
# finds none, so the alias account takes the address with extension
# "POSTmaster", and qmail-local lower-cases it again to pick
# ~alias/.qmail-postmaster (./Maildir/, made by qmail-setup). The Maildir
# file starts with Return-Path and Delivered-To (the address as sent),
# and there is no From_ line.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
mta_instance
start_mta ./Mailbox

printf 'To: POSTmaster\nSubject: case\n\nanyone home?\n' | inject joe@example.test
wait_log '^end msg [0-9]+$'
grep -Eqx 'starting delivery 1: msg [0-9]+ to local POSTmaster@example\.test' "$mta_log" ||
  fail "not delivered locally as POSTmaster@example.test; log: $(cat "$mta_log")"
grep -qx 'delivery 1: success: did_1+0+0/' "$mta_log" || fail "log: $(cat "$mta_log")"

set -- "$dir"/alias/Maildir/new/*
[ $# = 1 ] && [ -f "$1" ] || fail "expected one message in ~alias/Maildir/new, found: $*"
[ "$(sed -n 1p "$1")" = 'Return-Path: <joe@example.test>' ] || fail "line 1: $(sed -n 1p "$1")"
[ "$(sed -n 2p "$1")" = 'Delivered-To: POSTmaster@example.test' ] || fail "line 2: $(sed -n 2p "$1")"
grep -qx 'anyone home?' "$1" || fail "body missing: $(cat "$1")"
[ "$(stat -c %a "$1")" = 600 ] || fail "Maildir file mode $(stat -c %a "$1"), not 600"
[ -z "$(ls -A "$dir/alias/Maildir/tmp")" ] || fail "a file was left in ~alias/Maildir/tmp"
stop_mta
echo ok
