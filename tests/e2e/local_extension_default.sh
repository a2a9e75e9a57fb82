#!/bin/bash
# .qmail-ext and -default files, DEFAULT, and "no mailbox here".
#
# joe-foo-bar is handled by .qmail-foo-default with DEFAULT=bar;
# joe-foo is handled by .qmail-foo itself; joe-nosuch has no file and no
# .qmail-default, so it bounces with 5.1.1; adding .qmail-default catches it.
. "$LETTERSHOP_SRC/tests/e2e/lib/local.sh"
local_instance
home=$(local_home joe)
printf '|echo "default=$DEFAULT ext2=$EXT2" >> seen\n' >"$home/.qmail-foo-default"
printf '|echo "exact ext=$EXT" >> seen\n' >"$home/.qmail-foo"

local_run "$home" joe-foo-bar - foo-bar
local_expect 0 "did 0+0+1"
grep -qx 'default=bar ext2=bar' "$home/seen" || fail "seen: $(cat "$home/seen")"
local_run "$home" joe-Foo - Foo
grep -qx 'exact ext=Foo' "$home/seen" || fail "case-folded search: $(cat "$home/seen")"

local_run "$home" joe-nosuch - nosuch
local_expect 100 "Sorry, no mailbox here by that name. (#5.1.1)"

printf '|echo "catchall $DEFAULT" >> seen\n' >"$home/.qmail-default"
local_run "$home" joe-nosuch - nosuch
local_expect 0 "did 0+0+1"
grep -qx 'catchall nosuch' "$home/seen" || fail "seen: $(cat "$home/seen")"
echo ok
