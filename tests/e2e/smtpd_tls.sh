#!/bin/bash
# STARTTLS with a self-signed certificate in control/servercert.pem: swaks
# --tls and Python's smtplib deliver through TLS, the Received line notes
# the protocol and cipher, STARTTLS is not offered again inside TLS, and a
# client that pipelines plaintext after STARTTLS (CVE-2011-0411) is refused
# before any handshake.
. "$LETTERSHOP_SRC/tests/e2e/lib/smtp.sh"
smtp_instance
make_cert
start_smtpd

out=$(swaks --server 127.0.0.1 --port "$smtp_port" --tls --from joe@remote.example --to fred@example.test \
  --body 'secret' 2>&1) || fail "swaks --tls failed: $out"
echo "$out" | grep -q '^<-  220 2.0.0 ready to start TLS$' || fail "no 220 to STARTTLS: $out"
echo "$out" | grep -q '^=== TLS started' || fail "TLS not started: $out"
[ "$(queued_count)" = 1 ] || fail "want one queued message"
queued_message | grep -Eq '^  by example\.test with ESMTPS \(TLSv1\.[23] [A-Z0-9_-]+\); ' ||
  fail "Received line does not note TLS: $(queued_message)"

"$PY" - "$smtp_port" <<'PY' || fail "smtplib STARTTLS client failed"
import smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as s:
    s.ehlo()
    assert s.has_extn("starttls")
    s.starttls(context=ctx)
    s.ehlo()
    assert not s.has_extn("starttls"), "STARTTLS offered inside TLS"
    assert s.docmd("STARTTLS")[0] == 502
    s.sendmail("ann@remote.example", ["fred@example.test"], b"Subject: tls\r\n\r\nvia smtplib\r\n")
PY
[ "$(queued_count)" = 2 ] || fail "want two queued messages"

# Plaintext pipelined after STARTTLS is refused, and nothing is obeyed.
out=$("$PY" - "$smtp_port" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
f.readline()
s.sendall(b"EHLO x\r\n")
while f.readline()[3:4] == b"-":
    pass
s.sendall(b"STARTTLS\r\nMAIL FROM:<evil@x>\r\n")
print(f.readline().decode().strip())
print(repr(f.readline()))
PY
)
echo "$out" | sed -n 1p | grep -q '^554 5.5.1 ' || fail "pipelined STARTTLS: $out"
echo "$out" | sed -n 2p | grep -qx "b''" || fail "connection not closed: $out"
echo ok
