#!/bin/bash
# Remote to local through qmail-smtpd under tcpserver: swaks and Python's
# smtplib each send a message to fred@example.test (rcpthosts lists the
# domain); with qmail-send running both land in fred's Maildir, under
# qmail-smtpd's Received line (HELO name, peer IP, "by" host, SMTP).
. "$LETTERSHOP_SRC/tests/e2e/lib/smtp.sh"
smtp_instance
add_user fred
"$LETTERSHOP_BIN/maildirmake" "$(home fred)/Maildir"
start_mta ./Maildir/
start_smtpd

out=$(swaks --server 127.0.0.1 --port "$smtp_port" --helo client.example --from joe@remote.example \
  --to fred@example.test --header 'Subject: by swaks' --body 'hello from swaks' 2>&1) ||
  fail "swaks failed: $out"
echo "$out" | grep -q '^<-  220 example.test ESMTP$' || fail "greeting: $out"
echo "$out" | grep -q '^<-  250-PIPELINING$' || fail "no PIPELINING: $out"
echo "$out" | grep -q '^<-  250-STARTTLS$' && fail "STARTTLS offered without a certificate: $out"
echo "$out" | grep -Eq '^<-  250 2\.0\.0 ok [0-9]+ qp [0-9]+$' || fail "final reply: $out"

"$PY" - "$smtp_port" <<'PY' || fail "smtplib client failed"
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="py.example") as s:
    code, _ = s.ehlo()
    assert code == 250 and s.has_extn("8bitmime") and s.has_extn("enhancedstatuscodes"), s.esmtp_features
    refused = s.sendmail("ann@remote.example", ["Fred@Example.TEST"], b"Subject: by smtplib\r\n\r\n.dot line\r\nhello\r\n")
    assert refused == {}, refused
PY

wait_queue_empty
md=$(home fred)/Maildir/new
[ "$(ls "$md" | wc -l)" = 2 ] || fail "want 2 messages in fred's Maildir: $(ls "$md"); log: $(cat "$mta_log")"
swaks_msg=$(grep -l 'Subject: by swaks' "$md"/*) || fail "swaks message missing"
py_msg=$(grep -l 'Subject: by smtplib' "$md"/*) || fail "smtplib message missing"
grep -Eq '^Received: from unknown \(HELO client\.example\) \(127\.0\.0\.1\)$' "$swaks_msg" ||
  fail "Received line: $(cat "$swaks_msg")"
grep -Eq '^  by example\.test with SMTP; [0-9]+ [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} -0000$' "$swaks_msg" ||
  fail "Received by part: $(cat "$swaks_msg")"
grep -qx 'hello from swaks' "$swaks_msg" || fail "swaks body: $(cat "$swaks_msg")"
grep -qx '.dot line' "$py_msg" || fail "dot-unstuffing: $(cat "$py_msg")"
grep -q $'\r' "$py_msg" && fail "CRLF not converted: $(cat -A "$py_msg")"
grep -Eq '^Received: from unknown \(HELO py\.example\) \(127\.0\.0\.1\)$' "$py_msg" || fail "py Received: $(cat "$py_msg")"
grep -qx 'Return-Path: <ann@remote.example>' "$py_msg" || fail "Return-Path: $(cat "$py_msg")"
stop_servers
stop_mta
echo ok
