#!/bin/bash
# Hostile and broken clients: databytes (SIZE= at MAIL and the stored size
# at the dot: 552, nothing queued), an over-long command line (500, the
# session goes on), a NUL in a command, a bare LF in DATA (451 and the
# connection dropped, nothing queued), 100 hops (554), pipelined commands
# in one packet, and a slow client timed out by timeoutsmtpd (451 timeout,
# nothing queued even in mid-DATA).
. "$LETTERSHOP_SRC/tests/e2e/lib/smtp.sh"
smtp_instance
echo 300 >"$dir/control/databytes"
echo 1 >"$dir/control/timeoutsmtpd"
start_smtpd

"$PY" - "$smtp_port" "$dir" <<'PY' || fail "limits client failed"
import os, socket, sys, time
port, home = int(sys.argv[1]), sys.argv[2]

def queued():
    return sum(len(f) for _, _, f in os.walk(os.path.join(home, "queue", "mess")))

class Client:
    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.f = self.s.makefile("rb")
        self.greeting = self.reply()
    def reply(self):
        lines = []
        while True:
            l = self.f.readline().decode("latin-1")
            if not l:
                lines.append("<EOF>")
                return lines
            lines.append(l.rstrip("\r\n"))
            if len(l) < 4 or l[3] != "-":
                return lines
    def cmd(self, data, n=1):
        self.s.sendall(data)
        return [self.reply()[-1] for _ in range(n)]

def expect(got, want, what):
    if got != want:
        sys.exit(f"{what}: got {got!r}, want {want!r}")

# databytes: SIZE= at MAIL, then the real size at the dot.
c = Client()
expect(c.cmd(b"EHLO x\r\n")[0], "250 ENHANCEDSTATUSCODES", "EHLO last line")
expect(c.cmd(b"MAIL FROM:<a@b> SIZE=301\r\n"), ["552 5.3.4 sorry, that message size exceeds my databytes limit (#5.3.4)"], "SIZE")
expect(c.cmd(b"MAIL FROM:<a@b> SIZE=300\r\n"), ["250 2.1.0 ok"], "SIZE within")
expect(c.cmd(b"RCPT TO:<u@example.test>\r\n"), ["250 2.1.5 ok"], "RCPT")
expect(c.cmd(b"DATA\r\n"), ["354 go ahead"], "DATA")
expect(c.cmd(b"Subject: big\r\n\r\n" + b"x" * 400 + b"\r\n.\r\n"),
       ["552 5.3.4 sorry, that message size exceeds my databytes limit (#5.3.4)"], "big message")
expect(queued(), 0, "queued after 552")
# The session is still in step: a small message goes through.
expect(c.cmd(b"MAIL FROM:<a@b>\r\nRCPT TO:<u@example.test>\r\nDATA\r\n", 3),
       ["250 2.1.0 ok", "250 2.1.5 ok", "354 go ahead"], "pipelined MAIL/RCPT/DATA")
r = c.cmd(b"Subject: small\r\n\r\nhi\r\n.\r\n")[0]
if not r.startswith("250 2.0.0 ok "):
    sys.exit(f"small message: {r}")
expect(queued(), 1, "queued after 250")

# An over-long command line, then NUL, then normal service.
expect(c.cmd(b"NOOP " + b"x" * 10000 + b"\r\n"), ["500 5.5.2 line too long (#5.5.2)"], "long line")
expect(c.cmd(b"NO\0OP\r\n"), ["500 5.5.2 NUL characters are not allowed in commands (#5.5.2)"], "NUL")
expect(c.cmd(b"NOOP\r\n"), ["250 2.0.0 ok"], "NOOP after")
expect(c.cmd(b"QUIT\r\n"), ["221 example.test"], "QUIT")

# 100 hops (databytes is read per session: without it from now on).
os.remove(os.path.join(home, "control", "databytes"))
c = Client()
c.cmd(b"HELO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<u@example.test>\r\nDATA\r\n", 4)
expect(c.cmd(b"Received: x\r\n" * 60 + b"Delivered-To: y\r\n" * 40 + b"\r\nbody\r\n.\r\n"),
       ["554 too many hops, this message is looping (#5.4.6)"], "hops")
expect(queued(), 1, "queued after 554")

# Bare LF inside DATA: 451 and the connection is closed.
c = Client()
c.cmd(b"HELO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<u@example.test>\r\nDATA\r\n", 4)
expect(c.cmd(b"Subject: smuggle\r\n\r\nline\n.\nMAIL FROM:<x@y>\r\n"),
       ["451 See https://cr.yp.to/docs/smtplf.html."], "bare LF")
expect(c.reply(), ["<EOF>"], "after bare LF")
expect(queued(), 1, "queued after bare LF")

# A silent client is timed out after timeoutsmtpd (1 s), also in mid-DATA.
c = Client()
t = time.time()
expect(c.reply(), ["451 timeout (#4.4.2)"], "idle timeout")
if time.time() - t > 5:
    sys.exit("timeout took too long")
c = Client()
c.cmd(b"HELO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<u@example.test>\r\nDATA\r\n", 4)
c.s.sendall(b"Subject: slow\r\n\r\npart")
expect(c.reply(), ["451 timeout (#4.4.2)"], "DATA timeout")
expect(c.reply(), ["<EOF>"], "after timeout")
expect(queued(), 1, "queued after timeout")
PY
# qmail-queue's commit point is the link into todo/: no intd file without it.
for f in $(find "$dir/queue/intd" -type f); do
  [ -e "$dir/queue/todo/$(basename "$f")" ] || fail "partial queue entry $f"
done
echo ok
