#!/bin/bash
# Delivered-To loop detection (reference 7.2 step 4, 18.18).
#
# A header line byte-identical to our own Delivered-To line bounces with
# 5.4.6 and delivers nothing; the same line in the body, or one that differs
# in case, does not count.
. "$LETTERSHOP_SRC/tests/e2e/lib/local.sh"
local_instance
home=$(local_home joe)

printf 'Delivered-To: joe@example.test\nSubject: loop\n\nbody\n' >"$msg"
local_run "$home" joe '' ''
local_expect 100 "This message is looping: it already has my Delivered-To line. (#5.4.6)"
[ ! -e "$home/Mailbox" ] || fail "a looping message was delivered"

printf 'Delivered-To: other@example.test\n\nDelivered-To: joe@example.test\n' >"$msg"
local_run "$home" joe '' ''
local_expect 0 "did 1+0+0"
printf 'delivered-to: joe@example.test\n\nx\n' >"$msg"
local_run "$home" joe '' ''
local_expect 0 "did 1+0+0"
echo ok
