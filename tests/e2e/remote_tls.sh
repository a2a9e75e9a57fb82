#!/bin/bash
# STARTTLS in qmail-remote: a sink with a self-signed certificate offers
# STARTTLS. With no tlsdestinations entry (opportunistic) the message is
# delivered over TLS, and the sink records it. With "example.net:verify"
# the certificate does not verify, so the message is deferred (Z, #4.7.5)
# and nothing is delivered; with the certificate itself as the CA file it
# verifies and is delivered. "example.net:none" never starts TLS. A
# handshake that fails under the opportunistic policy falls back to plain
# text on a new connection.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/remote.sh"
new_instance
w=$dir/w
mkdir -p "$w"
printf 'Subject: tls\n\nsecret\n' >"$w/msg"
make_cert sink.example.net
start_sink tls --tls "$dir/sink.example.net.pem" "$dir/sink.example.net.key"
echo "example.net:sink.example.net:$sink_port" >"$QMAILHOME/control/smtproutes"
start_dns --local=/example.net/ --host-record=sink.example.net,127.0.0.1

remote example.net a@example.test joe@example.net <"$w/msg"
grep -q '^K127.0.0.1 accepted message.' "$w/reports" || fail "opportunistic: $(cat "$w/reports")"
grep -qx 'tls: yes' $(sink_files | tail -1) || fail "not delivered over TLS"
[ "$(grep -c ' EHLO ' "$sink_dir/commands.log")" = 2 ] || fail "EHLO not repeated after STARTTLS"

echo "example.net:verify" >"$QMAILHOME/control/tlsdestinations"
before=$(sink_files | wc -l)
remote example.net a@example.test joe@example.net <"$w/msg"
grep -q '^ZTLS connection to 127.0.0.1 failed' "$w/reports" || fail "verify: $(cat "$w/reports")"
grep -q '(#4.7.5)' "$w/reports" || fail "verify: no #4.7.5"
[ "$(sink_files | wc -l)" = "$before" ] || fail "delivered although the certificate does not verify"

echo "example.net:verify:$dir/sink.example.net.pem" >"$QMAILHOME/control/tlsdestinations"
remote example.net a@example.test joe@example.net <"$w/msg"
grep -q '^K127.0.0.1 accepted message.' "$w/reports" || fail "verify with CA file: $(cat "$w/reports")"

echo "*:none" >"$QMAILHOME/control/tlsdestinations"
remote example.net a@example.test joe@example.net <"$w/msg"
grep -q '^K127.0.0.1 accepted message.' "$w/reports" || fail "none: $(cat "$w/reports")"
grep -qx 'tls: no' $(sink_files | tail -1) || fail "policy none used TLS"

# opportunistic, but the handshake fails: delivered in plain text on a
# second connection that does not try STARTTLS again
start_sink broken --broken-tls
echo "example.net:sink.example.net:$sink_port" >"$QMAILHOME/control/smtproutes"
rm -f "$QMAILHOME/control/tlsdestinations"
remote example.net a@example.test joe@example.net <"$w/msg"
grep -q '^K127.0.0.1 accepted message.' "$w/reports" || fail "broken TLS: $(cat "$w/reports")"
grep -qx 'tls: no' $(sink_files | tail -1) || fail "broken TLS: not delivered in plain text"
[ "$(grep -c ' STARTTLS$' "$sink_dir/commands.log")" = 1 ] || fail "STARTTLS tried again on the plain connection"

# verify, but the server offers no STARTTLS: deferred
start_sink plain
echo "example.net:sink.example.net:$sink_port" >"$QMAILHOME/control/smtproutes"
echo ".net:verify" >"$QMAILHOME/control/tlsdestinations"
remote example.net a@example.test joe@example.net <"$w/msg"
grep -q '^ZConnected to 127.0.0.1 but it does not offer STARTTLS' "$w/reports" || fail "no STARTTLS: $(cat "$w/reports")"
echo ok
