#!/bin/bash
# remote_verp — qmail-remote with a VERP template as its sender (a batch
# from qmail-rspawn), run by hand against an SMTP sink:
#   1. "l-@example.test-@[]" and four recipients (one refused with 550, one
#      deferred with 451, between accepted ones): the reports are r, h, s, r
#      in argv order (each r with the reply to its own dot) and then K; the sink holds one transaction per accepted
#      recipient, each with its own MAIL FROM l-box=dom@example.test, the
#      same body (dot-unstuffed, CRLF) in each; RSET follows the refusals;
#      one connection (one EHLO);
#   2. a plain sender keeps one transaction for all recipients;
#   3. a sender ending in "-@[]" without '@' before it is sent as it is;
#   4. a message with a partial final line is D (#5.6.2), nothing accepted.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/remote.sh"
new_instance
w=$dir/w
mkdir -p "$w"

route_to_sink sink
printf 'From: a@example.test\nSubject: hi\n\n.dotted line\nbody\n' >"$w/msg"
# letters - the first letter of each report of the last run, in order
letters() { tr '\n\0' ' \n' <"$w/raw" | cut -c1 | tr -d '\n'; }

# --- 1. a VERP batch
remote example.net 'l-@example.test-@[]' ok1@example.net reject1@example.net defer1@example.net ok2@example.net <"$w/msg"
[ "$(letters)" = rhsrK ] || fail "reports: $(cat "$w/reports")"
grep -q '^h127.0.0.1 does not like recipient.' "$w/reports" || fail "no h report: $(cat "$w/reports")"
# each accepted copy's report quotes the server's reply to its own dot
[ "$(grep -c '^r127.0.0.1 accepted message.$' "$w/reports")" = 2 ] || fail "r reports: $(cat "$w/reports")"
grep -q '^Remote host said: 550 5.1.1 rejected for the test' "$w/reports" || fail "no 550 text"
grep -q '^Remote host said: 451 4.2.0 deferred for the test' "$w/reports" || fail "no 451 text"
[ "$(sink_files | wc -l)" = 2 ] || fail "want two transactions: $(sink_files)"
for box in ok1 ok2; do
  # shellcheck disable=SC2046 # sink paths have no spaces
  txn=$(grep -lx "rcpt: <$box@example.net>" $(sink_files))
  [ "$(grep -c '^rcpt: ' "$txn")" = 1 ] || fail "$box shares a transaction"
  grep -q "^mail: <l-$box=example.net@example.test>" "$txn" || fail "$box: $(grep '^mail' "$txn")"
  grep -q "^.dotted line"$'\r'"$" "$txn" || fail "$box: body not unstuffed or not CRLF: $(cat -A "$txn")"
  grep -q "^body"$'\r'"$" "$txn" || fail "$box: body missing"
done
grep -q 'MAIL FROM:<l-reject1=example.net@example.test>' "$sink_dir/commands.log" || fail "no MAIL for reject1"
grep -q 'MAIL FROM:<l-defer1=example.net@example.test>' "$sink_dir/commands.log" || fail "no MAIL for defer1"
[ "$(grep -c ' RSET$' "$sink_dir/commands.log")" = 2 ] || fail "want an RSET after each refusal: $(cat "$sink_dir/commands.log")"
[ "$(grep -c ' EHLO ' "$sink_dir/commands.log")" = 1 ] || fail "more than one connection"

# --- 2. a plain sender: one transaction
remote example.net a@example.test ok3@example.net ok4@example.net <"$w/msg"
[ "$(letters)" = rrK ] || fail "plain reports: $(cat "$w/reports")"
txn=$(sink_files | tail -1)
[ "$(grep -c '^rcpt: ' "$txn")" = 2 ] || fail "plain sender split: $(head -6 "$txn")"
grep -q '^mail: <a@example.test>' "$txn" || fail "plain sender changed: $(grep '^mail' "$txn")"

# --- 3. "-@[]" without '@' before it is no template
remote example.net 'l-@[]' ok5@example.net ok6@example.net <"$w/msg"
txn=$(sink_files | tail -1)
[ "$(grep -c '^rcpt: ' "$txn")" = 2 ] || fail "l-@[] split: $(head -6 "$txn")"
grep -q '^mail: <l-@\[\]>' "$txn" || fail "l-@[] changed: $(grep '^mail' "$txn")"

# --- 4. a partial final line
n=$(sink_files | wc -l)
printf 'Subject: x\n\nno end' >"$w/partial"
remote example.net 'l-@example.test-@[]' ok7@example.net ok8@example.net <"$w/partial"
grep -q '^DSMTP cannot transfer messages with partial final lines. (#5.6.2)' "$w/reports" ||
  fail "partial line: $(cat "$w/reports")"
grep -q '^r' "$w/reports" && fail "a copy was accepted: $(cat "$w/reports")"
sleep 0.2
[ "$(sink_files | wc -l)" = "$n" ] || fail "the sink kept a partial message"
echo ok
