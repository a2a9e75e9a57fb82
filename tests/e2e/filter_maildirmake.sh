#!/bin/bash
# filter_maildirmake — "maildirmake dir" makes dir/{tmp,new,cur}, mode 0700.
#
# A second run on the same dir fails with 111 and changes nothing; a missing
# parent is 111; no argument or two are usage errors (100). The result takes
# a delivery: qmail-local's Maildir rules need exactly these folders.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance
w=$dir/work
mkdir "$w"

umask 022  # maildirmake must not depend on the caller's umask
"$LETTERSHOP_BIN/maildirmake" "$w/Maildir" 2>"$w/err" || fail "exit $?: $(cat "$w/err")"
for d in "" /tmp /new /cur; do
  [ -d "$w/Maildir$d" ] || fail "no $w/Maildir$d"
  [ "$(stat -c %a "$w/Maildir$d")" = 700 ] || fail "mode of Maildir$d: $(stat -c %a "$w/Maildir$d")"
done
[ "$(ls -A "$w/Maildir" | sort | tr '\n' ' ')" = "cur new tmp " ] || fail "contents: $(ls -A "$w/Maildir")"

# expect CODE STDERR_PREFIX ARGS...
expect() {
  want_rc=$1 want_err=$2
  shift 2
  rc=0
  "$LETTERSHOP_BIN/maildirmake" "$@" >"$w/out" 2>"$w/err" || rc=$?
  [ "$rc" = "$want_rc" ] || fail "maildirmake $*: exit $rc, want $want_rc ($(cat "$w/err"))"
  case $(cat "$w/err") in
    "$want_err"*) ;;
    *) fail "maildirmake $*: stderr '$(cat "$w/err")', want '$want_err...'" ;;
  esac
}
touch "$w/Maildir/new/keep"
expect 111 "maildirmake: fatal: unable to mkdir $w/Maildir: File exists" "$w/Maildir"
[ -f "$w/Maildir/new/keep" ] || fail "existing Maildir was touched"
expect 111 "maildirmake: fatal: unable to mkdir $w/no/Maildir: No such file or directory" "$w/no/Maildir"
expect 100 "maildirmake: usage: maildirmake name"
expect 100 "maildirmake: usage: maildirmake name" "$w/a" "$w/b"
[ ! -e "$w/a" ] || fail "usage error made $w/a"
echo ok
