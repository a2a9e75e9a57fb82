#!/bin/bash
# filter_dotqmail — the helpers inside real .qmail files, run by qmail-local.
#
# The environment qmail-local gives programs is what the helpers read:
#   .qmail-pager  |condredirect pager@example.org grep -q '^Subject: urgent'
#                 ./Mailbox
#     an ordinary message goes on to ./Mailbox; an urgent one is queued to
#     the pager from $SENDER with our Delivered-To line, and (exit 99) the
#     Mailbox line is skipped;
#   .qmail-gone   |bouncesaying 'This address is gone.'  -> 100, text in report;
#   .qmail-pre    |preline cat > preline.out  -> From_, Return-Path,
#                 Delivered-To, then the message;
#   .qmail-fwd    |forward x@example.org  -> queued from $NEWSENDER.
. "$LETTERSHOP_SRC/tests/e2e/lib/local.sh"
local_instance
unset QMAILQUEUE
Q=$QMAILHOME/queue
exec 3<>"$Q/lock/trigger"
PATH=$LETTERSHOP_BIN:$PATH
export PATH
home=$(local_home joe)

todo_envelope() {
  for f in "$Q"/todo/*; do tr '\0' '|' <"$f"; echo; done
}

printf '%s\n' "|condredirect pager@example.org grep -q '^Subject: urgent'" ./Mailbox >"$home/.qmail-pager"
local_run "$home" joe-pager - pager
local_expect 0 "did 1+0+1"
grep -qx 'Delivered-To: joe-pager@example.test' "$home/Mailbox" || fail "Mailbox: $(cat "$home/Mailbox")"
[ -z "$(ls "$Q/todo")" ] || fail "ordinary message redirected: $(todo_envelope)"
rm "$home/Mailbox"

printf 'From: s@example.org\nSubject: urgent\n\ncall me\n' >"$msg"
local_run "$home" joe-pager - pager
local_expect 0 "condredirect: qp "
[ ! -e "$home/Mailbox" ] || fail "exit 99 did not skip ./Mailbox"
todo_envelope | grep -q '|Fs@example.org|Tpager@example.org|$' || fail "envelope: $(todo_envelope)"
id=$(ls "$Q/todo")
{ echo 'Delivered-To: joe-pager@example.test'; cat "$msg"; } >"$work/want"
tail -n +2 "$Q/mess/$((id % 23))/$id" | cmp -s - "$work/want" || fail "mess: $(cat "$Q/mess/$((id % 23))/$id")"
rm -f "$Q"/todo/*

printf '%s\n' "|bouncesaying 'This address is gone.'" >"$home/.qmail-gone"
local_run "$home" joe-gone - gone
local_expect 100 "This address is gone."

printf '|preline cat > preline.out\n' >"$home/.qmail-pre"
local_run "$home" joe-pre - pre
local_expect 0 "did 0+0+1"
head -n 1 "$home/preline.out" | grep -Eq '^From s@example.org [A-Z][a-z]{2} [A-Z][a-z]{2} [0-9]{2} [0-9:]{8} [0-9]{4}$' ||
  fail "From_ line: $(head -n 1 "$home/preline.out")"
{ echo 'Return-Path: <s@example.org>'; echo 'Delivered-To: joe-pre@example.test'; cat "$msg"; } >"$work/want"
tail -n +2 "$home/preline.out" | cmp -s - "$work/want" || fail "preline.out: $(cat "$home/preline.out")"

printf '|forward x@example.org\n' >"$home/.qmail-fwd"
printf '&joe\n' >"$home/.qmail-fwd-owner"
local_run "$home" joe-fwd - fwd
local_expect 0 "forward: qp "
todo_envelope | grep -q '|Fjoe-fwd-owner@example.test|Tx@example.org|$' || fail "envelope: $(todo_envelope)"
echo ok
