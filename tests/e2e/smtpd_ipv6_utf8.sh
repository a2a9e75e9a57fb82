#!/bin/bash
# An IPv6 client on ::1 (tcpserver sets TCPREMOTEIP=::1; the Received line
# shows it) sending with SMTPUTF8 and a UTF-8 local part: the address is
# accepted and queued intact, and the Received line says UTF8SMTP.
. "$LETTERSHOP_SRC/tests/e2e/lib/smtp.sh"
smtp_instance
"$PY" -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null || {
  echo "skipped: no IPv6 loopback"
  exit 0
}
start_smtpd6

"$PY" - "$smtp6_port" <<'PY' || fail "IPv6 SMTPUTF8 client failed"
import smtplib, sys
with smtplib.SMTP("::1", int(sys.argv[1])) as s:
    s.ehlo("v6.example")
    assert s.has_extn("smtputf8"), s.esmtp_features
    s.sendmail("jürgen@remote.example", ["zoë@example.test"],
               "Subject: utf8\r\n\r\nGrüße\r\n".encode(), mail_options=["SMTPUTF8", "BODY=8BITMIME"])
PY
[ "$(queued_count)" = 1 ] || fail "want one queued message"
queued_envelope | grep -qx 'Fjürgen@remote.example' || fail "sender: $(queued_envelope)"
queued_envelope | grep -qx 'Tzoë@example.test' || fail "recipient: $(queued_envelope)"
queued_message | grep -Eq '^Received: from unknown \(HELO v6\.example\) \(::1\)$' ||
  fail "Received line: $(queued_message)"
queued_message | grep -Eq '^  by example\.test with UTF8SMTP; ' || fail "protocol: $(queued_message)"
queued_message | grep -qx 'Grüße' || fail "8-bit body: $(queued_message)"
echo ok
