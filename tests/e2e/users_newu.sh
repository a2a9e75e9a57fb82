#!/bin/bash
# users_newu — qmail-newu compiles users/assign into users/cdb with qmail's
# key layout, and on any malformed assign file fails with exit 111 and
# qmail's fatal line while leaving the old users/cdb byte for byte intact.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance

u=$QMAILHOME/users
printf '=Joe:joe:507:100:/home/joe:::\n+joe-:joe:507:100:/home/joe:-::\n+:alias:7:7:/a:-::\n.\n' > "$u/assign"
"$LETTERSHOP_BIN/qmail-newu" || fail "qmail-newu refused a good assign file"
[ -f "$u/cdb" ] || fail "no users/cdb"
[ ! -e "$u/cdb.tmp" ] || fail "users/cdb.tmp left behind"
mode=$(stat -c %a "$u/cdb")
[ "$mode" = 644 ] || fail "users/cdb has mode $mode, want 644"
# tinycdb's dump: +klen,dlen:key->data, NULs shown as they are.
dump=$(cdb -d "$u/cdb" | tr '\0' '@')
want=$(printf '+5,23:!joe@->joe@507@100@/home/joe@@\n+5,24:!joe-->joe@507@100@/home/joe@-@\n+1,15:!->alias@7@7@/a@-@\n+0,1:->-\n\n')
[ "$dump" = "$want" ] || fail "users/cdb records: got
$dump
want
$want"

before=$(md5sum < "$u/cdb")
bad() {  # bad NAME CONTENT(printf format)
  printf "$2" > "$u/assign"
  rc=0
  err=$("$LETTERSHOP_BIN/qmail-newu" 2>&1) || rc=$?
  [ "$rc" = 111 ] || fail "$1: exit $rc, want 111"
  echo "$err" | grep -qx 'qmail-newu: fatal: bad format in users/assign' || fail "$1: stderr was: $err"
  [ "$(md5sum < "$u/cdb")" = "$before" ] || fail "$1: users/cdb changed"
  [ ! -e "$u/cdb.tmp" ] || fail "$1: users/cdb.tmp left behind"
}
bad "no final newline" '=a:a:1:1:/a:::'
bad "no dot line" '=a:a:1:1:/a:::\n'
bad "NUL byte" '=a:a:1:1:/a:::\n=b\0:b:1:1:/b:::\n.\n'
bad "too few colons" '=a:a:1:1:/a::\n.\n'
bad "colon first" ':a:a:1:1:/a:::\n.\n'
bad "no colon" 'hello\n.\n'

rm "$u/assign"
rc=0
err=$("$LETTERSHOP_BIN/qmail-newu" 2>&1) || rc=$?
[ "$rc" = 111 ] || fail "missing assign: exit $rc"
echo "$err" | grep -q 'unable to open users/assign' || fail "missing assign: $err"
echo "users_newu: ok"
