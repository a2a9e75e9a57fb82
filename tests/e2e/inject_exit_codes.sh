#!/bin/bash
# qmail-inject's exit codes and messages (qmail-inject(8), EXIT CODES).
#
# A qmail-queue that exits 31 is a permanent error (100), one that exits 71
# a temporary one (111), each printed as "qmail-inject: fatal: <qq text>";
# an unparsable argument or sender field is 100; a sender with a newline is
# 100 and nothing is queued; an unknown option is a usage error (100).
. "$LETTERSHOP_SRC/tests/e2e/lib/inject.sh"
inject_instance

expect() {  # expect CODE STDERR-TEXT -- ARGS... (message on stdin)
  local code=$1 text=$2
  shift 3
  local rc=0
  "$LETTERSHOP_BIN/qmail-inject" "$@" 2>"$work/err" || rc=$?
  [ "$rc" -eq "$code" ] || fail "qmail-inject $* exited $rc, expected $code ($(cat "$work/err"))"
  [ "$(cat "$work/err")" = "$text" ] || fail "qmail-inject $*: stderr '$(cat "$work/err")', expected '$text'"
}

fake_queue 31
echo 'To: joe' | expect 100 'qmail-inject: fatal: mail server permanently rejected message (#5.3.0)' --
fake_queue 71
echo 'To: joe' | expect 111 'qmail-inject: fatal: mail server temporarily rejected message (#4.3.0)' --
fake_queue 0
echo 'To: joe' | expect 100 'qmail-inject: fatal: unable to parse address: <joe' -- '<joe'
printf 'From: "unbalanced\n\n' | expect 100 'qmail-inject: fatal: unable to parse this line: From: "unbalanced' --
echo 'To: joe' | expect 100 'qmail-inject: fatal: sender contains CR or LF' -- -f "$(printf 'a\nb')"
[ -e "$work/qq.msg" ] && fail "a refused message reached qmail-queue"
echo 'To: joe' | expect 100 "qmail-inject: usage: unrecognised option '-Z'" -- -Z
echo 'To: joe' | expect 0 '' --
[ -e "$work/qq.msg" ] || fail "the good message did not reach qmail-queue"

# No queue program at all: temporary.
QMAILQUEUE=$work/missing
echo 'To: joe' | expect 111 'qmail-inject: fatal: unable to exec qq (#4.3.0)' --
echo ok
