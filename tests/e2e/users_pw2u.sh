#!/bin/bash
# users_pw2u — qmail-pw2u turns a passwd file into assign text that
# qmail-newu accepts; home checks; a bad option is exit 100, a missing
# alias exit 111.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance

h=$QMAILHOME
printf 'sos:joe:help:\n' > "$h/users/subusers"
printf '=extra:joe:5001:100:/j:::\n' > "$h/users/append"
passwd="root:x:0:0::/root:/bin/sh
joe:x:5001:100::/j:/bin/sh
Upper:x:5002:100::/u:/bin/sh
alias:x:5003:100::/a:"
out=$(printf '%s\n' "$passwd" | "$LETTERSHOP_BIN/qmail-pw2u" -H)
want="=joe:joe:5001:100:/j:::
+joe-:joe:5001:100:/j:-::
=alias:alias:5003:100:/a:::
+alias-:alias:5003:100:/a:-::
+:alias:5003:100:/a:-::
=sos:joe:5001:100:/j:-:help:
+sos-:joe:5001:100:/j:-:help-:
=extra:joe:5001:100:/j:::
."
[ "$out" = "$want" ] || fail "pw2u -H output:
$out"
printf '%s\n' "$out" > "$h/users/assign"
"$LETTERSHOP_BIN/qmail-newu" || fail "qmail-newu refused qmail-pw2u's output"

# Default -o: homes that do not exist are skipped, so alias (and with it
# the whole run) fails: exit 111.
rc=0; printf '%s\n' "$passwd" | "$LETTERSHOP_BIN/qmail-pw2u" > /dev/null 2>&1 || rc=$?
[ "$rc" = 111 ] || fail "-o with missing homes: exit $rc, want 111"
rc=0; "$LETTERSHOP_BIN/qmail-pw2u" -x < /dev/null > /dev/null 2>&1 || rc=$?
[ "$rc" = 100 ] || fail "bad option: exit $rc, want 100"
echo "users_pw2u: ok"
