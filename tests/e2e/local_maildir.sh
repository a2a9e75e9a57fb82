#!/bin/bash
# qmail-local delivers ./Maildir/ lines into new/ (reference 7.9).
#
# The file in new/ holds Return-Path, Delivered-To and the message
# unchanged (no From_ line, no quoting); tmp/ is left empty. A Maildir that
# does not exist defers (111, 4.2.1) and creates nothing.
. "$LETTERSHOP_SRC/tests/e2e/lib/local.sh"
local_instance
home=$(local_home joe)

local_run "$home" joe '' '' s@example.org ./Maildir/
local_expect 111 "Unable to chdir to maildir. (#4.2.1)"
[ ! -e "$home/Maildir" ] || fail "a Maildir appeared"

mkdir -p "$home/Maildir/tmp" "$home/Maildir/new" "$home/Maildir/cur"
local_run "$home" joe '' '' s@example.org ./Maildir/
local_expect 0 "did 1+0+0"
local_run "$home" joe '' '' s@example.org ./Maildir/
[ "$(ls "$home/Maildir/new" | wc -l)" -eq 2 ] || fail "new/: $(ls "$home/Maildir/new")"
[ -z "$(ls "$home/Maildir/tmp")" ] || fail "tmp/ not empty: $(ls "$home/Maildir/tmp")"
f=$(ls "$home/Maildir/new" | head -n 1)
printf 'Return-Path: <s@example.org>\nDelivered-To: joe@example.test\n' | cat - "$msg" |
  cmp -s - "$home/Maildir/new/$f" || fail "content: $(cat "$home/Maildir/new/$f")"
echo ok
