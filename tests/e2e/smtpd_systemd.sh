#!/bin/bash
# systemd socket activation with Accept=yes: qmail-smtpd gets the connected
# socket on fd 0 and 1 and no TCP* variables, so it asks getpeername and
# getsockname; the Received line shows the peer's and our own address.
. "$LETTERSHOP_SRC/tests/e2e/lib/smtp.sh"
smtp_instance

env - PATH="$MTA_PATH" QMAILHOME="$dir" "$PY" - "$dir/bin/qmail-smtpd" <<'PY' || fail "socket-activated session failed"
import os, socket, subprocess, sys
lst = socket.socket(); lst.bind(("127.0.0.1", 0)); lst.listen(1)
client = socket.create_connection(lst.getsockname(), timeout=10)
conn, _ = lst.accept()
assert not any(k.startswith("TCP") for k in os.environ), os.environ
p = subprocess.Popen([sys.argv[1]], stdin=conn, stdout=conn)
conn.close()
f = client.makefile("rb")
def reply():
    while True:
        l = f.readline().decode()
        if l[3:4] != "-":
            return l.strip()
assert reply() == "220 example.test ESMTP"
for cmd, want in [(b"HELO sd.example", "250"), (b"MAIL FROM:<a@remote.example>", "250"),
                  (b"RCPT TO:<u@example.test>", "250"), (b"DATA", "354"),
                  (b"Subject: socket\r\n\r\nactivated\r\n.", "250"), (b"QUIT", "221")]:
    client.sendall(cmd + b"\r\n")
    r = reply()
    assert r.startswith(want), (cmd, r)
assert p.wait(timeout=10) == 0
PY
queued_message | grep -Eq '^Received: from unknown \(HELO sd\.example\) \(127\.0\.0\.1\)$' ||
  fail "Received from part: $(queued_message)"
queued_message | grep -Eq '^  by 127\.0\.0\.1 with SMTP; ' || fail "Received by part: $(queued_message)"
echo ok
