#!/bin/bash
# virtmailfilter refuses what could let mail escape its domain, run directly
# as qmail-local would run it (message on fd 0, EXT and HOST set):
#   HOST with '../' or '/', an empty EXT or one with '/'   -> 100, nothing written
#   an account with uid 0, with a home outside the domain
#   (directly, or through a symlink), or with another uid  -> 111, nothing written
#   an unknown domain                                      -> 100 (#5.1.2)
#   an extra operand                                       -> 100 (usage)
# and a good account still gets its mail (the control case).
. "$LETTERSHOP_SRC/tests/e2e/lib/virtual.sh"
virtual_instance
bob=$(virtual_user domain1.com bob)
w=$dir/w
mkdir -p "$w" "$dir/outside"
printf 'Subject: x\n\nhi\n' >"$w/msg"
uid=$vuid
gid=$vgid
other=$((uid + 1))

# run HOST EXT CODE TEXT - virtmailfilter exits CODE, stderr has TEXT
run() {
  local host=$1 ext=$2 code=$3 text=$4
  rc=0
  HOST=$host EXT=$ext RPLINE='Return-Path: <joe@example.test>
' DTLINE="Delivered-To: domain1-$ext@$host
" "$LETTERSHOP_BIN/virtmailfilter" --prefix "$prefix" <"$w/msg" >"$w/out" 2>"$w/err" || rc=$?
  [ "$rc" = "$code" ] || fail "HOST=$host EXT=$ext: exit $rc, want $code ($(cat "$w/err"))"
  if [ -z "$text" ]; then
    [ ! -s "$w/err" ] || fail "HOST=$host EXT=$ext: unexpected stderr '$(cat "$w/err")'"
    return 0
  fi
  grep -qF -- "$text" "$w/err" || fail "HOST=$host EXT=$ext: stderr '$(cat "$w/err")' lacks '$text'"
}

run '../x' bob 100 "unusable HOST ('/') (#5.1.2)"
run '..' bob 100 "unusable HOST ('..') (#5.1.2)"
run 'domain1.com/../domain1.com' bob 100 'unusable HOST'
run 'domain1.com' '' 100 'no such user: EXT is empty (#5.1.1)'
run 'domain1.com' '../bob' 100 'no such user: unusable EXT'
run 'nowhere.org' bob 100 'no such virtual domain: nowhere.org (#5.1.2)'

echo "root:x:0:0::$prefix/domain1.com/users/bob:" >>"$prefix/domain1.com/etc/passwd"
run domain1.com root 111 'refusing to deliver as root for root@domain1.com (#4.3.5)'
echo "eve:x:$uid:$gid::$dir/outside:" >>"$prefix/domain1.com/etc/passwd"
run domain1.com eve 111 "home directory of eve@domain1.com lies outside $prefix/domain1.com (#4.3.5)"
mkdir -p "$prefix/domain1.com/users"
ln -s "$dir/outside" "$prefix/domain1.com/users/mallory"
echo "mallory:x:$uid:$gid::$prefix/domain1.com/users/mallory:" >>"$prefix/domain1.com/etc/passwd"
run domain1.com mallory 111 'lies outside'
echo "dot:x:$uid:$gid::$prefix/domain1.com/users/../../../outside:" >>"$prefix/domain1.com/etc/passwd"
run domain1.com dot 111 'lies outside'
if [ "$(id -u)" != 0 ]; then
  mkdir -p "$prefix/domain1.com/users/ted"
  echo "ted:x:$other:$gid::$prefix/domain1.com/users/ted:" >>"$prefix/domain1.com/etc/passwd"
  run domain1.com ted 111 "the account's uid $other is not ours ($(id -u)); refusing to deliver (#4.3.5)"
  [ ! -e "$prefix/domain1.com/users/ted/Maildir" ] || fail "ted got a Maildir"
fi
[ -z "$(ls -A "$dir/outside")" ] || fail "something was written outside: $(ls -A "$dir/outside")"

expect_exit virtmailfilter 100 'virtmailfilter: usage: unexpected argument: extra' --prefix "$prefix" extra </dev/null
[ -z "$(find "$prefix" -path '*/Maildir/new/*' -type f)" ] || fail "a refused run delivered something"

run domain1.com BOB 0 ''
[ "$(maildir_files "$bob/Maildir" | wc -l)" = 1 ] || fail "bob did not get the control message"
echo ok
