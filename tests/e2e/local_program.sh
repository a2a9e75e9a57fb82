#!/bin/bash
# |program lines: /bin/sh -c, the environment of reference 7.3, stdin the
# message, and the exit-code table of reference 7.7.
#
# 0 continues; 99 skips the following lines; 100 and 64 bounce (100); 111
# and 1 defer (111); a signal defers with "Aack, child crashed."; the
# program's output is in the report either way.
. "$LETTERSHOP_SRC/tests/e2e/lib/local.sh"
local_instance
home=$(local_home joe)
q=$home/.qmail-p

printf '|env > env.out; cat > stdin.out; echo said hello\n./Mailbox\n' >"$q"
local_run "$home" joe-p - p
local_expect 0 "said hello"
local_expect 0 "did 1+0+1"
cmp -s "$msg" "$home/stdin.out" || fail "program's stdin differs: $(cat "$home/stdin.out")"
for want in USER=joe "HOME=$home" LOCAL=joe-p HOST=example.test RECIPIENT=joe-p@example.test \
  SENDER=s@example.org NEWSENDER=s@example.org EXT=p EXT2= HOST2=example HOST3=example \
  'DTLINE=Delivered-To: joe-p@example.test' 'RPLINE=Return-Path: <s@example.org>' 'UFLINE=From s@example.org '; do
  grep -q "^$want" "$home/env.out" || fail "environment lacks $want: $(cat "$home/env.out")"
done
! grep -q '^DEFAULT=' "$home/env.out" || fail "DEFAULT set without a default file"
[ -s "$home/Mailbox" ] || fail "the line after the program did not run"
rm -f "$home/Mailbox"

for row in "99 0" "100 100" "64 100" "112 100" "111 111" "1 111"; do
  set -- $row
  printf '|echo exiting %s; exit %s\n./Mailbox\n' "$1" "$1" >"$q"
  local_run "$home" joe-p - p
  local_expect "$2" "exiting $1"
  [ ! -e "$home/Mailbox" ] || fail "exit $1: the following line ran"
done

printf '|kill -9 $$\n' >"$q"
local_run "$home" joe-p - p
local_expect 111 "Aack, child crashed. (#4.3.0)"
echo ok
