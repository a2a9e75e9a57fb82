#!/bin/bash
# qmail-local appends to ./Mailbox in mbox format (reference 7.8).
#
# joe has no .qmail file, so the default delivery ./Mailbox is used: the
# record starts with the From_ line, then Return-Path and Delivered-To, the
# body's "From " line is quoted, and one blank line ends it. A second
# delivery appends; the file is mode 600. The report is "did 1+0+0".
. "$LETTERSHOP_SRC/tests/e2e/lib/local.sh"
local_instance
home=$(local_home joe)

local_run "$home" joe '' ''
local_expect 0 "did 1+0+0"
local_run "$home" joe '' '' ''
local_expect 0 "did 1+0+0"

box=$home/Mailbox
head -n 1 "$box" | grep -Eq '^From s@example\.org [A-Z][a-z]{2} [A-Z][a-z]{2} [0-9]{2} [0-9:]{8} [0-9]{4}$' ||
  fail "From_ line: $(head -n 1 "$box")"
sed -n 2p "$box" | grep -qx 'Return-Path: <s@example.org>' || fail "Return-Path: $(sed -n 2p "$box")"
sed -n 3p "$box" | grep -qx 'Delivered-To: joe@example.test' || fail "Delivered-To: $(sed -n 3p "$box")"
grep -qx '>From the start' "$box" || fail "body From line not quoted: $(cat "$box")"
[ "$(grep -c '^From ' "$box")" -eq 2 ] || fail "want two From_ lines: $(cat "$box")"
grep -q '^From MAILER-DAEMON ' "$box" || fail "empty sender not MAILER-DAEMON: $(cat "$box")"
[ "$(sed -n 9p "$box")" = "" ] || fail "no blank line after the message: $(cat "$box")"
[ "$(stat -c %a "$box")" = 600 ] || fail "mode $(stat -c %a "$box")"

# A .qmail line naming another mbox wins over the default.
printf './Extramail\n' >"$home/.qmail-sos"
local_run "$home" joe-sos - sos
local_expect 0 "did 1+0+0"
grep -qx 'Delivered-To: joe-sos@example.test' "$home/Extramail" || fail "Extramail: $(cat "$home/Extramail")"
echo ok
