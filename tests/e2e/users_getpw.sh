#!/bin/bash
# users_getpw — qmail-getpw in a sandbox: accounts from users/passwd, the
# break-character rules, the alias fallback, refusal of foreign uids, and
# its exit codes.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance

uid=$(id -u); gid=$(id -g)
mkdir "$QMAILHOME/fred"
other=$((uid + 1))
cat >> "$QMAILHOME/users/passwd" <<PW
fred:x:$uid:$gid:Fred:$QMAILHOME/fred:/bin/sh
nohome:x:$uid:$gid::$QMAILHOME/nohome:/bin/sh
foreign:x:$other:$gid::$QMAILHOME/fred:/bin/sh
this line is not an account
PW

getpw() { "$LETTERSHOP_BIN/qmail-getpw" "$@" | tr '\0' '|'; }
check() {  # check LOCAL WANT
  got=$(getpw "$1") || fail "qmail-getpw $1 exited $?"
  [ "$got" = "$2" ] || fail "qmail-getpw $1: got '$got', want '$2'"
}
check fred "fred|$uid|$gid|$QMAILHOME/fred|||"
check Fred-Sos "fred|$uid|$gid|$QMAILHOME/fred|-|Sos|"
check fred-a-b "fred|$uid|$gid|$QMAILHOME/fred|-|a-b|"
check nohome "alias|$uid|$gid|$QMAILHOME/alias|-|nohome|"
check foreign "alias|$uid|$gid|$QMAILHOME/alias|-|foreign|"
check help "alias|$uid|$gid|$QMAILHOME/alias|-|help|"

rc=0; out=$("$LETTERSHOP_BIN/qmail-getpw" 2>&1) || rc=$?
[ "$rc" = 100 ] || fail "no argument: exit $rc, want 100"

# Without an alias account: exit 116 and no output.
sed -i '/^alias:/d' "$QMAILHOME/users/passwd"
rc=0; out=$("$LETTERSHOP_BIN/qmail-getpw" help) || rc=$?
[ "$rc" = 116 ] || fail "no alias: exit $rc, want 116"
[ -z "$out" ] || fail "no alias: printed '$out'"
echo "users_getpw: ok"
