#!/bin/bash
# sendmail runs bin/qmail-inject of the instance the way qmail's wrapper does.
#
# sendmail -t -f boss@corp.test -oi: header recipients, the given sender,
# and a From: made of the sender's user and host. sendmail with recipients:
# only those. An unknown option prints the classic usage text (exit 100);
# called as newaliases it refuses (exit 100).
. "$LETTERSHOP_SRC/tests/e2e/lib/inject.sh"
inject_instance
fake_queue 0
[ -x "$QMAILHOME/bin/qmail-inject" ] || fail "qmail-setup did not link bin/qmail-inject"

printf 'To: joe\nCc: ann@x.test\n\nhi\n' | NAME=ignored "$LETTERSHOP_BIN/sendmail" -t -f boss@corp.test -oi ||
  fail "sendmail -t exited $?"
env=$(envelope_text "$work/qq.env")
[ "$env" = "Fboss@corp.test|Tjoe@example.test|Tann@x.test||" ] || fail "envelope -t: $env"
grep -qx 'From: boss@corp.test' "$work/qq.msg" || fail "From: $(grep From: "$work/qq.msg")"

printf 'To: joe\n\nhi\n' | env -u QMAILUSER -u MAILUSER USER=sam "$LETTERSHOP_BIN/sendmail" -i only@x.test ||
  fail "sendmail exited $?"
env=$(envelope_text "$work/qq.env")
[ "$env" = "Fsam@example.test|Tonly@x.test||" ] || fail "envelope with arguments: $env"

rc=0
"$LETTERSHOP_BIN/sendmail" -q 2>"$work/err" </dev/null || rc=$?
[ "$rc" -eq 100 ] || fail "sendmail -q exited $rc"
[ "$(cat "$work/err")" = 'sendmail: usage: sendmail [ -t ] [ -fsender ] [ -Fname ] [ -bp ] [ -bs ] [ arg ... ]' ] ||
  fail "usage text: $(cat "$work/err")"

ln -s "$LETTERSHOP_BIN/sendmail" "$work/newaliases"
rc=0
"$work/newaliases" 2>"$work/err" </dev/null || rc=$?
[ "$rc" -eq 100 ] || fail "newaliases exited $rc"
grep -qx 'sendmail: fatal: please use fastforward/newaliases instead' "$work/err" || fail "newaliases: $(cat "$work/err")"
echo ok
