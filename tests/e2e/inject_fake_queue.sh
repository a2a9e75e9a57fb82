#!/bin/bash
# qmail-inject hands qmail-queue the rewritten message and the envelope.
#
# QMAILQUEUE points at a script that saves fd 0 and fd 1. A message with an
# mbox From_ line, a Bcc, a Return-Path and an invalid line after the header
# goes in; the script must see the added fields first (Date, Message-ID,
# From), the rewritten recipient fields, no Bcc/Return-Path, a blank line
# inserted before the invalid line, the body byte for byte (8-bit, no final
# newline), and the envelope F<Return-Path sender> T<header recipients>.
. "$LETTERSHOP_SRC/tests/e2e/lib/inject.sh"
inject_instance
fake_queue 0
echo box > "$QMAILHOME/control/defaulthost"
echo dom.test > "$QMAILHOME/control/defaultdomain"

printf 'From bill Mon Sep  5 04:46:54 1995\nTo: joe, "Fred F" <fred@mammoth+>\nBcc: secret\nReturn-Path: <bill@irs.gov>\nSubject: taxes\nnot a field\n\377 8bit\nlast line' >"$work/in"
rc=0
env -i PATH="$PATH" QMAILHOME="$QMAILHOME" QMAILQUEUE="$QMAILQUEUE" USER=bill NAME='Bill Payer' \
  "$LETTERSHOP_BIN/qmail-inject" <"$work/in" 2>"$work/err" || rc=$?
[ "$rc" -eq 0 ] || fail "qmail-inject exited $rc: $(cat "$work/err")"
[ -s "$work/err" ] && fail "unexpected stderr: $(cat "$work/err")"

normalise "$work/qq.msg" >"$work/got"
printf 'Date: DATE\nMessage-ID: <MSGID@example.test>\nFrom: "Bill Payer" <bill@box.dom.test>\nMBOX-Line: From bill Mon Sep  5 04:46:54 1995\nTo: joe@box.dom.test, "Fred F" <fred@mammoth.example.test>\nSubject: taxes\n\nnot a field\n\377 8bit\nlast line' >"$work/want"
cmp -s "$work/got" "$work/want" || fail "message differs: $(diff "$work/want" "$work/got")"
env=$(envelope_text "$work/qq.env")
[ "$env" = "Fbill@irs.gov|Tjoe@box.dom.test|Tfred@mammoth.example.test|Tsecret@box.dom.test||" ] ||
  fail "envelope: $env"

# Arguments replace the header recipients (-A), and -f replaces Return-Path.
printf 'To: joe\n\nhi\n' | "$LETTERSHOP_BIN/qmail-inject" -f 'boss' 'a@x.y' '"b c"@x.y' || fail "exit $?"
env=$(envelope_text "$work/qq.env")
[ "$env" = "Fboss@box.dom.test|Ta@x.y|Tb c@x.y||" ] || fail "envelope with arguments: $env"
echo ok
