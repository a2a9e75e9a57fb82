#!/bin/bash
# qmail-remote run by hand against an SMTP sink reached through smtproutes
# (host:port): a message for three recipients comes back as r, h and s
# reports and a K for the message, the sink holds one transaction with the
# accepted recipient and the body unstuffed; MAIL, RCPT and DATA went out
# in one write (PIPELINING). Then the failure stages: a sender refused with
# 5xx is D, a server that says nothing is Z after timeoutremote, a refused
# connection goes on to the next address and ends in Z (#4.4.1), a bad
# greeting is Z, a 554 after the dot is D, a connection lost after the dot
# is Z with "Possible duplicate!", a message
# with a partial final line is D (#5.6.2), and too few arguments is DI.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/remote.sh"
new_instance
w=$dir/w
mkdir -p "$w"

route_to_sink sink
printf 'From: a@example.test\nSubject: hi\n\n.dotted line\nbody\n' >"$w/msg"

remote example.net a@example.test ok@example.net reject1@example.net defer1@example.net <"$w/msg"
grep -qx 'r' "$w/reports" || fail "no r report: $(cat "$w/reports")"
grep -q '^h127.0.0.1 does not like recipient.' "$w/reports" || fail "no h report: $(cat "$w/reports")"
grep -q '^Remote host said: 550 5.1.1 rejected for the test' "$w/reports" || fail "no 550 text"
grep -q '^s127.0.0.1 does not like recipient.' "$w/reports" || fail "no s report: $(cat "$w/reports")"
grep -q '^K127.0.0.1 accepted message.' "$w/reports" || fail "no K report: $(cat "$w/reports")"
# reports in argv order, the message report last
[ "$(head -c1 "$w/raw")" = r ] || fail "first report is not r"
[ "$(grep -c '^--$' "$w/reports")" = 4 ] || fail "want 4 reports: $(cat "$w/reports")"
txn=$(sink_files | head -1)
[ -n "$txn" ] || fail "the sink saved nothing"
grep -qx 'rcpt: <ok@example.net>' "$txn" || fail "recipient missing in $txn"
! grep -q 'reject1' "$txn" || fail "rejected recipient in the transaction"
grep -q '^mail: <a@example.test>' "$txn" || fail "sender missing: $(cat "$txn")"
grep -q 'BODY=8BITMIME' "$txn" || fail "no BODY=8BITMIME though offered"
grep -q 'SIZE=' "$txn" || fail "no SIZE= though offered"
grep -q "^.dotted line"$'\r'"$" "$txn" || fail "body not unstuffed or not CRLF: $(cat -A "$txn")"
grep -qx 'helo: example.test' "$txn" || fail "EHLO name is not me"
# pipelining: MAIL, RCPTs and DATA arrived in one read
mail_read=$(grep ' MAIL FROM' "$sink_dir/commands.log" | head -1 | cut -d' ' -f1)
data_read=$(grep ' DATA$' "$sink_dir/commands.log" | head -1 | cut -d' ' -f1)
[ "$mail_read" = "$data_read" ] || fail "MAIL and DATA not pipelined: $(cat "$sink_dir/commands.log")"

# MAIL refused permanently: D for the message, no recipient reports
start_sink mailrej --mail-reply "553 5.7.1 go away"
echo "example.net:127.0.0.1:$sink_port" >"$QMAILHOME/control/smtproutes"
remote example.net a@example.test ok@example.net <"$w/msg"
[ "$(head -c1 "$w/raw")" = D ] || fail "MAIL 5xx is not D: $(cat "$w/reports")"
grep -q 'Connected to 127.0.0.1 but sender was rejected.' "$w/reports" || fail "sender text: $(cat "$w/reports")"
grep -q '553 5.7.1 go away' "$w/reports" || fail "remote text missing"

# no EHLO, no pipelining: HELO and one command at a time still deliver
start_sink old --no-ehlo
echo "example.net:127.0.0.1:$sink_port" >"$QMAILHOME/control/smtproutes"
remote example.net a@example.test ok@example.net <"$w/msg"
grep -q '^K127.0.0.1 accepted' "$w/reports" || fail "HELO fallback failed: $(cat "$w/reports")"
grep -q ' HELO example.test' "$sink_dir/commands.log" || fail "no HELO sent"

# a stalled peer: Z after timeoutremote
start_sink stall --stall
echo "example.net:127.0.0.1:$sink_port" >"$QMAILHOME/control/smtproutes"
echo 1 >"$QMAILHOME/control/timeoutremote"
start=$(date +%s)
remote example.net a@example.test ok@example.net <"$w/msg"
[ $(($(date +%s) - start)) -lt 10 ] || fail "timeoutremote not honoured"
grep -q '^ZConnected to 127.0.0.1 but connection died. (#4.4.2)' "$w/reports" || fail "stall: $(cat "$w/reports")"

# connection refused everywhere: Z #4.4.1
echo "example.net:127.0.0.1:$(free_port)" >"$QMAILHOME/control/smtproutes"
remote example.net a@example.test ok@example.net <"$w/msg"
grep -q "^ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)" "$w/reports" ||
  fail "refused: $(cat "$w/reports")"

# a partial final line: D #5.6.2, and the sink keeps nothing
start_sink partial
echo "example.net:127.0.0.1:$sink_port" >"$QMAILHOME/control/smtproutes"
printf 'Subject: x\n\nno newline at the end' >"$w/partial"
remote example.net a@example.test ok@example.net <"$w/partial"
grep -q '^DSMTP cannot transfer messages with partial final lines. (#5.6.2)' "$w/reports" ||
  fail "partial: $(cat "$w/reports")"
[ -z "$(sink_files)" ] || fail "a partial message was delivered"

# a greeting other than 220: Z
start_sink busy --greeting "421 4.3.2 busy"
echo "example.net:127.0.0.1:$sink_port" >"$QMAILHOME/control/smtproutes"
remote example.net a@example.test ok@example.net <"$w/msg"
grep -q '^ZConnected to 127.0.0.1 but greeting failed.' "$w/reports" || fail "greeting: $(cat "$w/reports")"
grep -q '^Remote host said: 421 4.3.2 busy' "$w/reports" || fail "greeting text"

# refused after the dot: D; connection lost after the dot: Z, possible duplicate
start_sink spam --data-reply "554 5.7.1 looks like spam"
echo "example.net:127.0.0.1:$sink_port" >"$QMAILHOME/control/smtproutes"
remote example.net a@example.test ok@example.net <"$w/msg"
grep -q '^D127.0.0.1 failed after I sent the message.' "$w/reports" || fail "after dot: $(cat "$w/reports")"
start_sink drop --data-reply drop
echo "example.net:127.0.0.1:$sink_port" >"$QMAILHOME/control/smtproutes"
remote example.net a@example.test ok@example.net <"$w/msg"
grep -q '^ZConnected to 127.0.0.1 but connection died. Possible duplicate! (#4.4.2)' "$w/reports" ||
  fail "drop after dot: $(cat "$w/reports")"

# invoked improperly
remote example.net a@example.test </dev/null
grep -q '^DI (qmail-remote) was invoked improperly. (#5.3.5)' "$w/reports" || fail "usage: $(cat "$w/reports")"
echo ok
