#!/bin/bash
# Hostile .qmail contents: a NUL byte defers with a text naming the file;
# a 100 KB line is just a line; a blank first line defers (4.2.1).
. "$LETTERSHOP_SRC/tests/e2e/lib/local.sh"
local_instance
home=$(local_home joe)

printf './Mail\000box\n' >"$home/.qmail-nul"
local_run "$home" joe-nul - nul
local_expect 111 "Uh-oh: NUL byte in .qmail-nul. (#4.2.1)"
[ -z "$(ls "$home" | grep -v '^\.qmail')" ] || fail "something was delivered: $(ls "$home")"

{ printf '#'; head -c 102400 /dev/zero | tr '\0' x; printf '\n|echo ${#LONG}\n./Mailbox\n'; } >"$home/.qmail-long"
local_run "$home" joe-long - long
local_expect 0 "did 1+0+1"

{ printf '|echo '; head -c 102400 /dev/zero | tr '\0' y; printf ' | wc -c\n'; } >"$home/.qmail-longprog"
local_run "$home" joe-longprog - longprog
local_expect 0 "102401"

printf '\n./Mailbox\n' >"$home/.qmail-blank"
local_run "$home" joe-blank - blank
local_expect 111 "Uh-oh: first line of .qmail file is blank. (#4.2.1)"
echo ok
