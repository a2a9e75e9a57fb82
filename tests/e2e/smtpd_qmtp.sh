#!/bin/bash
# qmail-qmtpd with a Python netstring client: a message with an accepted
# and a refused recipient (K and D in recipient order), CRLF conversion of
# a "\r" message, a bad sender (D for all), databytes (D), a queue that
# fails temporarily (Z, through QMAILQUEUE), and a protocol violation
# (connection closed, nothing queued).
. "$LETTERSHOP_SRC/tests/e2e/lib/smtp.sh"
smtp_instance
start_qmtpd DATABYTES=2000

# qmtp PORT - sends the messages of the Python list CASES, prints each answer list
cat >"$dir/qmtp.py" <<'PY'
import socket, sys
def ns(b): return str(len(b)).encode() + b":" + b + b","
def read_ns(f):
    n = b""
    while True:
        c = f.read(1)
        if not c: return None
        if c == b":": break
        n += c
    data = f.read(int(n)); assert f.read(1) == b","
    return data.decode()
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
f = s.makefile("rb")
for case in sys.argv[2:]:
    kind, body, sender, rcpts = case.split("|")
    msg = (b"\n" if kind == "lf" else b"\r") + body.encode().replace(b"\\n", b"\n").replace(b"\\r", b"\r")
    if body.startswith("big"): msg = b"\n" + b"x" * 5000
    if sender == "long": sender = "a" * 1000
    rlist = [r for r in rcpts.split(",") if r]
    s.sendall(ns(msg) + ns(sender.encode()) + ns(b"".join(ns(r.encode()) for r in rlist)))
    print(" / ".join(read_ns(f) for _ in rlist))
PY

out=$("$PY" "$dir/qmtp.py" "$qmtp_port" \
  'lf|Subject: one\n\nlf body\n|joe@remote.example|fred@example.test,far@elsewhere.example' \
  'cr|Subject: two\r\n\r\ncrlf body\r\nlone\rcr\r\n|joe@remote.example|fred@example.test' \
  'lf|Subject: three\n\nx\n|long|fred@example.test' \
  'lf|big|joe@remote.example|fred@example.test')
want_line() { echo "$out" | sed -n "$1p" | grep -Eqx -- "$2" || fail "QMTP answer $1:
$out"; }
want_line 1 "Kok [0-9]+ qp [0-9]+ / Dsorry, that domain isn't in my list of allowed rcpthosts \(#5\.7\.1\)"
want_line 2 'Kok [0-9]+ qp [0-9]+'
want_line 3 'Dunacceptable sender \(#5\.1\.7\)'
want_line 4 'Dsorry, that message size exceeds my databytes limit \(#5\.3\.4\)'
[ "$(queued_count)" = 2 ] || fail "want two queued messages, have $(queued_count)"
two=$(grep -l 'Subject: two' $(find "$dir/queue/mess" -type f)) || fail "message two not queued"
[ "$(grep -c $'\r' "$two")" = 1 ] || fail "CRLF conversion: $(cat -A "$two")"
grep -q $'^lone\rcr$' "$two" || fail "lone CR not kept: $(cat -A "$two")"
grep -Eq '^  by example\.test with QMTP; ' "$two" || fail "Received line: $(cat "$two")"
grep -q 'HELO' "$two" && fail "QMTP Received line with HELO: $(cat "$two")"
stop_servers

# A queue that fails temporarily: Z.
start_qmtpd QMAILQUEUE=/bin/false
out=$("$PY" "$dir/qmtp.py" "$qmtp_port" 'lf|Subject: z\n\nz\n|joe@remote.example|fred@example.test')
echo "$out" | grep -Eq '^Z.*\(#4\.3\.0\)$' || fail "temporary queue failure: $out"

# Protocol violation: a message that starts with neither \n nor \r.
out=$("$PY" - "$qmtp_port" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"3:abc,0:,0:,")
print(repr(s.recv(100)))
PY
)
[ "$out" = "b''" ] || fail "protocol violation answered: $out"
[ "$(queued_count)" = 2 ] || fail "something more was queued"
echo ok
