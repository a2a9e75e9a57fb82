#!/bin/bash
# filter_maildir2mbox — a Maildir's messages appended to $MAIL, oldest first.
#
# Four messages in new/ and cur/ with pinned mtimes and a dot file: the mbox
# keeps its old contents and gets the messages in mtime order, each with
# a From_ line from its Return-Path ("<>" as MAILER-DAEMON, spaces as '-',
# none as XXX) and the mtime in ctime format, ">From" quoting (also of an
# already quoted line), a newline after a partial last line and a blank line
# after each: compared byte for byte. The Maildir ends empty but for the dot
# file, MAILTMP is gone, the mbox is mode 0600. Then: nothing to do leaves
# $MAIL alone; an unset variable or an unwritable MAILTMP is 111 and
# changes nothing.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance
w=$dir/work
mkdir "$w"
"$LETTERSHOP_BIN/maildirmake" "$w/Maildir" || fail "maildirmake"
export MAILDIR=$w/Maildir MAIL=$w/mbox MAILTMP=$w/mbox.tmp

# put NAME MTIME CONTENT - a message file with a pinned mtime
put() {
  printf '%s' "$3" >"$MAILDIR/$1"
  touch -d "@$2" "$MAILDIR/$1"
}
put new/1000000000.1.host 1000000000 'Return-Path: <alice@a.test>
Subject: one

From here
>From there
no newline at the end'
put cur/1000000100.2.host:2,S 1000000100 'Return-Path: <>
Subject: two

bounce
'
put new/999999000.3.host 999999000 'Subject: three

x
'
put cur/1000000200.4.host:2, 1000000200 'Return-Path: <odd name@c.test>
From: x

y
'
put new/.hidden 999 'not a message'
printf 'From old@d.test Sat Sep 08 00:00:00 2001\nold\n\n' >"$MAIL"
chmod 600 "$MAIL"

"$LETTERSHOP_BIN/maildir2mbox" 2>"$w/err" || fail "exit $?: $(cat "$w/err")"
[ ! -s "$w/err" ] || fail "stderr: $(cat "$w/err")"
when() { date -u -d "@$1" '+%a %b %d %H:%M:%S %Y'; }
{
  printf 'From old@d.test Sat Sep 08 00:00:00 2001\nold\n\n'
  printf 'From XXX %s\nSubject: three\n\nx\n\n' "$(when 999999000)"
  printf 'From alice@a.test %s\nReturn-Path: <alice@a.test>\nSubject: one\n\n>From here\n>>From there\nno newline at the end\n\n' \
    "$(when 1000000000)"
  printf 'From MAILER-DAEMON %s\nReturn-Path: <>\nSubject: two\n\nbounce\n\n' "$(when 1000000100)"
  printf 'From odd-name@c.test %s\nReturn-Path: <odd name@c.test>\nFrom: x\n\ny\n\n' "$(when 1000000200)"
} >"$w/want"
cmp "$w/want" "$MAIL" || { diff "$w/want" "$MAIL" >&2; fail "mbox differs"; }
[ "$(ls -A "$MAILDIR/new" "$MAILDIR/cur" | grep -cv -e '^$' -e ':$' -e '^\.hidden$')" = 0 ] ||
  fail "left in Maildir: $(ls -A "$MAILDIR/new" "$MAILDIR/cur")"
[ -f "$MAILDIR/new/.hidden" ] || fail "dot file was taken"
[ ! -e "$MAILTMP" ] || fail "MAILTMP left behind"
[ "$(stat -c %a "$MAIL")" = 600 ] || fail "mbox mode $(stat -c %a "$MAIL")"

# Nothing to do: $MAIL is not touched (not even created).
rm "$MAIL"
"$LETTERSHOP_BIN/maildir2mbox" || fail "empty run: exit $?"
[ ! -e "$MAIL" ] || fail "empty run created $MAIL"

# expect CODE STDERR_PREFIX - a failing run
expect() {
  rc=0
  "$LETTERSHOP_BIN/maildir2mbox" >"$w/out" 2>"$w/err" || rc=$?
  [ "$rc" = "$1" ] || fail "exit $rc, want $1 ($(cat "$w/err"))"
  case $(cat "$w/err") in
    "$2"*) ;;
    *) fail "stderr '$(cat "$w/err")', want '$2...'" ;;
  esac
}
put new/1000000300.5.host 1000000300 'Subject: five

5
'
printf 'kept\n' >"$MAIL"
for v in MAIL MAILTMP MAILDIR; do
  saved=${!v}
  unset "$v"
  expect 111 "maildir2mbox: fatal: $v not set"
  export "$v=$saved"
done
MAILTMP=$w/no/such/dir/tmp expect 111 "maildir2mbox: fatal: unable to create $w/no/such/dir/tmp: "
[ "$(cat "$MAIL")" = kept ] || fail "failed run changed $MAIL"
[ -f "$MAILDIR/new/1000000300.5.host" ] || fail "failed run took the message"
MAILDIR=$w/nowhere expect 111 "maildir2mbox: fatal: "
# And a good run after the failures moves it.
"$LETTERSHOP_BIN/maildir2mbox" || fail "last run: exit $?"
printf 'kept\nFrom XXX %s\nSubject: five\n\n5\n\n' "$(when 1000000300)" | cmp -s - "$MAIL" ||
  fail "last run: $(cat "$MAIL")"
echo ok
