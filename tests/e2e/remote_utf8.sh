#!/bin/bash
# SMTPUTF8: a recipient with a UTF-8 local part is delivered intact, with
# MAIL ... SMTPUTF8, when the server offers the extension; when it does not,
# that recipient fails permanently with #5.6.7 while an ASCII recipient of
# the same message is still delivered.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/remote.sh"
new_instance
w=$dir/w
mkdir -p "$w"
printf 'Subject: utf8\n\nhej\n' >"$w/msg"
rcpt=$'j\xc3\xb6rg@example.net'

start_sink utf8
echo "example.net:127.0.0.1:$sink_port" >"$QMAILHOME/control/smtproutes"
remote example.net a@example.test "$rcpt" <"$w/msg"
grep -q '^K127.0.0.1 accepted message.' "$w/reports" || fail "utf8: $(cat "$w/reports")"
txn=$(sink_files | tail -1)
grep -qx "rcpt: <$rcpt>" "$txn" || fail "recipient not intact: $(cat -A "$txn")"
grep -q 'SMTPUTF8' "$txn" || fail "MAIL without SMTPUTF8"

start_sink ascii --no-smtputf8
echo "example.net:127.0.0.1:$sink_port" >"$QMAILHOME/control/smtproutes"
remote example.net a@example.test "$rcpt" plain@example.net <"$w/msg"
grep -q '^hConnected to 127.0.0.1 but it does not support SMTPUTF8' "$w/reports" || fail "no 5.6.7: $(cat "$w/reports")"
grep -q '(#5.6.7)' "$w/reports" || fail "no #5.6.7"
grep -q '^K127.0.0.1 accepted message.' "$w/reports" || fail "ASCII recipient not delivered"
txn=$(sink_files | tail -1)
grep -qx 'rcpt: <plain@example.net>' "$txn" || fail "plain recipient missing"
! grep -q 'SMTPUTF8' "$txn" || fail "SMTPUTF8 sent to a server without it"

# all recipients need it and it is not offered: D for the message
remote example.net a@example.test "$rcpt" <"$w/msg"
grep -q '^DGiving up on 127.0.0.1.' "$w/reports" || fail "no D: $(cat "$w/reports")"
echo ok
