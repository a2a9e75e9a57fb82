#!/bin/bash
# The mode bits qmail-local checks (reference 7.2, 7.4, 18.3).
#
# A sticky home means "the user is editing .qmail": defer with 4.2.1 and
# deliver nothing (with -n it only warns). A world-writable home or .qmail
# defers with 4.7.0. A .qmail with the owner-execute bit is forward-only:
# file and program lines defer with 4.7.0, forwards are fine (-n shows them).
. "$LETTERSHOP_SRC/tests/e2e/lib/local.sh"
local_instance
home=$(local_home joe)

chmod +t "$home"
local_run "$home" joe '' ''
local_expect 111 "Home directory is sticky: user is editing his .qmail file. (#4.2.1)"
[ ! -e "$home/Mailbox" ] || fail "delivered into a sticky home"
local_run -n "$home" joe '' ''
local_expect 0 "mbox ./Mailbox"
chmod -t "$home"

chmod o+w "$home"
local_run "$home" joe '' ''
local_expect 111 "Uh-oh: home directory is writable. (#4.7.0)"
chmod o-w "$home"

printf './Mailbox\n' >"$home/.qmail"
chmod 0646 "$home/.qmail"
local_run "$home" joe '' ''
local_expect 111 "Uh-oh: .qmail file is writable. (#4.7.0)"
[ ! -e "$home/Mailbox" ] || fail "delivered by a writable .qmail"

chmod 0744 "$home/.qmail"
local_run "$home" joe '' ''
local_expect 111 "Uh-oh: .qmail has file delivery but has x bit set. (#4.7.0)"
printf '|true\n' >"$home/.qmail"
local_run "$home" joe '' ''
local_expect 111 "Uh-oh: .qmail has prog delivery but has x bit set. (#4.7.0)"
printf '&fred@example.org\n' >"$home/.qmail"
local_run -n "$home" joe '' ''
local_expect 0 "forward fred@example.org"
local_expect 0 "did 0+1+0"

# +list turns on forward-only mode from its own line on.
chmod 0644 "$home/.qmail"
printf './Mailbox\n+list\n./Other\n' >"$home/.qmail"
local_run "$home" joe '' ''
local_expect 111 "file delivery but has x bit set"
[ -s "$home/Mailbox" ] || fail "the line before +list did not run"
echo ok
