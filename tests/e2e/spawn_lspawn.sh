#!/bin/bash
# spawn_lspawn — qmail-lspawn driven through the spawn protocol: the slot
# byte, a delivery by the real qmail-local to a users/passwd account, the
# users/cdb assignment taking precedence, the trash address, and qmail's
# validation texts; every command gets exactly one report.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance

uid=$(id -u); gid=$(id -g)
mkdir "$dir/fred" "$dir/box"
echo "fred:x:$uid:$gid::$dir/fred:/bin/sh" >> "$dir/users/passwd"
mkdir -p "$dir/queue/mess/0"
printf 'From: joe@example.test\nSubject: hi\n\nhello\n' > "$dir/queue/mess/0/23"
mkdir "$dir/queue/mess/0/24"  # not a regular file
printf '=boxed:fred:%s:%s:%s:::\n.\n' "$uid" "$gid" "$dir/box" > "$dir/users/assign"
"$LETTERSHOP_BIN/qmail-newu"

out=$(printf '1\t0/23\tjoe@example.test\tfred@example.test\n2\t0/23\tjoe@x\t@example.test\n3\tx/1\ta@b\tfred@example.test\n4\t0/23\ta@b\tnohost\n5\t0/24\ta@b\tfred@example.test\n6\t0/99\ta@b\tfred@example.test\n7\t0/23\tjoe@x\tBoxed@example.test\n' |
  python3 "$LETTERSHOP_SRC/tests/e2e/lib/spawn_driver.py" "$dir/bin/qmail-lspawn" ./Mailbox) ||
  fail "qmail-lspawn exited non-zero: $out"
echo "$out"
line() { echo "$out" | grep -P "^$1\t" || fail "no report for slot $1"; }
echo "$out" | head -1 | grep -qx 'slots 120' || fail "slot byte: $(echo "$out" | head -1)"
[ "$(echo "$out" | wc -l)" = 8 ] || fail "want 7 reports"
line 1 | grep -qP '^1\tK' || fail "fred: $(line 1)"
grep -q '^hello$' "$dir/fred/Mailbox" || fail "fred's Mailbox lacks the message"
line 2 | grep -qxP '2\tK\t' || fail "trash address: $(line 2)"
line 3 | grep -qxP '3\tD\tInternal error: messid has nonnumerics. \(#5.3.5\)\\n' || fail "messid: $(line 3)"
line 4 | grep -qxP '4\tD\tSorry, address must include host name. \(#5.1.3\)\\n' || fail "nohost: $(line 4)"
line 5 | grep -qxP '5\tZ\tSorry, message has wrong type. \(#4.3.5\)\\n' || fail "type: $(line 5)"
line 6 | grep -qxP '6\tZ\tqmail-spawn unable to open message. \(#4.3.0\)\\n' || fail "open: $(line 6)"
line 7 | grep -qP '^7\tK' || fail "users/cdb: $(line 7)"
grep -q '^hello$' "$dir/box/Mailbox" || fail "users/cdb assignment not used"

# No defaultdelivery argument: exit 100.
rc=0; "$dir/bin/qmail-lspawn" < /dev/null > /dev/null || rc=$?
[ "$rc" = 100 ] || fail "no argument: exit $rc"
echo "spawn_lspawn: ok"
