#!/bin/bash
# qmail-inject -n prints the message with Return-Path instead of queueing it.
#
# With QMAILINJECT=c, QMAILNAME and QMAILSUSER/QMAILSHOST set, -n must show
# "Return-Path: <su@sh.test>", the comment-style From, the added
# "Cc: recipient list not shown: ;", and queue nothing.
. "$LETTERSHOP_SRC/tests/e2e/lib/inject.sh"
inject_instance
fake_queue 0
printf 'Subject: s\n\nbody\n' |
  QMAILINJECT=c QMAILUSER=me QMAILNAME='Me Myself' QMAILSUSER=su QMAILSHOST=sh.test \
    "$LETTERSHOP_BIN/qmail-inject" -n >"$work/out" || fail "exit $?"
normalise "$work/out" >"$work/got"
printf 'Return-Path: <su@sh.test>\nDate: DATE\nMessage-ID: <MSGID@example.test>\nFrom: me@example.test (Me Myself)\nCc: recipient list not shown: ;\nSubject: s\n\nbody\n' >"$work/want"
cmp -s "$work/got" "$work/want" || fail "output differs: $(diff "$work/want" "$work/got")"
[ -e "$work/qq.msg" ] && fail "-n queued the message"
echo ok
