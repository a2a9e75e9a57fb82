#!/bin/bash
# Forwards are queued once, at the end, through the real qmail-queue
# (reference 7.5, 7.6).
#
# .qmail-fw forwards to two addresses and keeps a copy: one queued message
# with both recipients, the message starting with our Delivered-To line,
# the original sender kept; "qp N" is printed. With .qmail-fw-owner the
# sender becomes joe-fw-owner@example.test, with -owner-default the VERP
# form. A failing program line before the forwards prevents them.
. "$LETTERSHOP_SRC/tests/e2e/lib/local.sh"
local_instance
unset QMAILQUEUE
Q=$QMAILHOME/queue
exec 3<>"$Q/lock/trigger"  # qmail-send's end of the trigger, so nothing blocks
home=$(local_home joe)

todo_envelope() {
  for f in "$Q"/todo/*; do tr '\0' '|' <"$f"; echo; done
}

printf '&a@example.org\nb@example.net\n./Mailbox\n' >"$home/.qmail-fw"
local_run "$home" joe-fw - fw
local_expect 0 "did 1+2+0"
case "$out" in *"qp "[0-9]*) ;; *) fail "no qp line: $out" ;; esac
[ "$(ls "$Q/todo" | wc -l)" -eq 1 ] || fail "todo: $(ls "$Q/todo")"
todo_envelope | grep -q '|Fs@example.org|Ta@example.org|Tb@example.net|$' || fail "envelope: $(todo_envelope)"
id=$(ls "$Q/todo")
mess=$Q/mess/$((id % 23))/$id
grep -qx 'Delivered-To: joe-fw@example.test' "$mess" || fail "mess: $(cat "$mess")"
grep -qx 'From the start' "$mess" || fail "body changed: $(cat "$mess")"
! grep -q '^Return-Path:' "$mess" || fail "forward got a Return-Path"
"$LETTERSHOP_BIN/qmail-qread" | grep -q 'a@example.org' || fail "qmail-qread: $("$LETTERSHOP_BIN/qmail-qread")"
rm -f "$Q"/todo/* 

printf '&joe\n' >"$home/.qmail-fw-owner"
local_run "$home" joe-fw - fw
local_expect 0 "did 1+2+0"
todo_envelope | grep -q '|Fjoe-fw-owner@example.test|' || fail "owner sender: $(todo_envelope)"
rm -f "$Q"/todo/*
printf '&joe\n' >"$home/.qmail-fw-owner-default"
local_run "$home" joe-fw - fw
todo_envelope | grep -q '|Fjoe-fw-owner-@example.test-@\[\]|' || fail "VERP sender: $(todo_envelope)"
rm -f "$Q"/todo/*
local_run "$home" joe-fw - fw ''
todo_envelope | grep -q '^[^F]*|F|T' || fail "bounce sender not kept: $(todo_envelope)"
rm -f "$Q"/todo/*

printf '&a@example.org\n|exit 111\n' >"$home/.qmail-fail"
local_run "$home" joe-fail - fail
local_expect 111 ""
[ -z "$(ls "$Q/todo")" ] || fail "forwarded despite a failure"
printf '&a@example.org\n|exit 99\n&skipped@example.org\n' >"$home/.qmail-stop"
local_run "$home" joe-stop - stop
local_expect 0 "did 0+1+1"
todo_envelope | grep -q '|Ta@example.org|$' || fail "99: $(todo_envelope)"
echo ok
