#!/bin/bash
# qmail-smtpd's server mode: given a listening socket on fd 0 (inetd "wait",
# systemd StandardInput=socket) or fd 3 (systemd LISTEN_FDS), it forks -c
# workers that accept connections and queue through a persistent
# "qmail-queue --serve" each. Checked: every accepted message is in todo/
# and nothing else is; one qmail-queue serves many messages (the "qp" of
# the 250); tcprules -x rules relay or deny per client, IPv4 and IPv6; -c
# caps the sessions at once; a killed worker is replaced; a killed queue
# server costs no message (a new one is started) and one killed mid-message
# gives 451 and no queue entry; STARTTLS; SIGTERM stops every process; a
# missing rules file drops every connection.
. "$LETTERSHOP_SRC/tests/e2e/lib/smtp.sh"
smtp_instance
make_cert
printf '127.0.0.2:deny\n127.:allow,RELAYCLIENT=""\n::1:allow,RELAYCLIENT="",DATABYTES="100000"\n' >"$dir/rules"
tcprules "$dir/rules.cdb" "$dir/rules.tmp" <"$dir/rules" || fail "tcprules failed"

out=$("$dir/bin/qmail-smtpd" -c 0 2>&1 </dev/null) && fail "-c 0 accepted"
[ $? = 100 ] || fail "-c 0: want exit 100"
echo "$out" | grep -q -- "-c wants a number" || fail "-c 0 message: $out"

env - PATH="$MTA_PATH" QMAILHOME="$dir" ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
  LSAN_OPTIONS="${LSAN_OPTIONS:-}" "$PY" - "$dir" <<'PY' || fail "server mode scenario failed; log: $(cat "$dir/server.log" 2>/dev/null)"
import os, signal, smtplib, socket, ssl, subprocess, sys, time
home = sys.argv[1]
env = {k: v for k, v in os.environ.items() if v}
log = open(home + "/server.log", "w")

def procs():
    """pid -> (ppid, argv) for every process."""
    out = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{p}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        out[int(p)] = (ppid, [a.decode(errors="replace") for a in argv if a])
    return out

def workers(server):
    return sorted(p for p, (pp, argv) in procs().items() if pp == server and argv and argv[0].endswith("qmail-smtpd"))

def queue_servers(server):
    ws = set(workers(server))
    return sorted(p for p, (pp, argv) in procs().items() if pp in ws and argv[-1:] == ["--serve"])

started = []

def stop_all():
    """On the way out, whatever happened: no server of ours outlives the test."""
    for p in started:
        if p.poll() is None:
            family = [p.pid] + workers(p.pid) + queue_servers(p.pid)
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            for q in family:
                try:
                    os.kill(q, signal.SIGKILL)
                except OSError:
                    pass

def start(family, host, *args):
    lst = socket.socket(family)
    lst.bind((host, 0))
    lst.listen(16)
    port = lst.getsockname()[1]
    p = subprocess.Popen([home + "/bin/qmail-smtpd", "-v", *args], stdin=lst, stderr=log, env=env)
    started.append(p)
    lst.close()
    deadline = time.time() + 10
    while len(workers(p.pid)) < int(args[args.index("-c") + 1]):
        assert time.time() < deadline, "workers did not start"
        time.sleep(0.05)
    return p, port

def todo():
    return len(os.listdir(home + "/queue/todo"))

def send(port, rcpts, n=1, host="127.0.0.1", source=None, tls=False):
    """n messages over one connection; the (code, text) of each DATA reply."""
    s = smtplib.SMTP(host, port, timeout=10, source_address=source)
    s.ehlo("client.example")
    if tls:
        ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
        s.starttls(context=ctx); s.ehlo("client.example")
    replies = []
    for i in range(n):
        code, _ = s.mail("a@remote.example"); assert code == 250
        for r in rcpts:
            code, text = s.rcpt(r); assert code == 250, (r, code, text)
        replies.append(s.data(b"Subject: %d\r\n\r\nbody\r\n" % i))
    s.quit()
    return replies

def qp(reply):
    code, text = reply
    assert code == 250, reply
    return int(text.split()[-1])

def scenario():
    srv, port = start(socket.AF_INET, "127.0.0.1", "-c", "2", "-x", home + "/rules.cdb")
    accepted = 0

    # Six connections, one message each: at most two queue programs, one per worker.
    qps = {qp(r) for _ in range(6) for r in send(port, ["u@example.test"])}
    accepted += 6
    assert qps <= set(queue_servers(srv.pid)) and 1 <= len(qps) <= 2, (qps, queue_servers(srv.pid))
    # Three messages on one connection: one queue program for all three.
    assert len({qp(r) for r in send(port, ["u@example.test"], n=3)}) == 1
    accepted += 3
    # The rule for 127. sets RELAYCLIENT: a foreign recipient is accepted.
    qp(send(port, ["x@foreign.example"])[0]); accepted += 1
    # The rule for 127.0.0.2 denies: the connection closes before any greeting.
    c = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=("127.0.0.2", 0))
    assert c.recv(100) == b"", "denied client got a greeting"
    c.close()

    # -c 2: a third client waits for its greeting until one of two sessions ends.
    c1 = socket.create_connection(("127.0.0.1", port), timeout=10); assert c1.recv(100).startswith(b"220")
    c2 = socket.create_connection(("127.0.0.1", port), timeout=10); assert c2.recv(100).startswith(b"220")
    c3 = socket.create_connection(("127.0.0.1", port), timeout=1)
    try:
        c3.recv(100); raise AssertionError("third session served beside two")
    except socket.timeout:
        pass
    c1.sendall(b"QUIT\r\n"); c1.recv(100); c1.close()
    c3.settimeout(10)
    assert c3.recv(100).startswith(b"220"), "third client never greeted"
    for c in (c2, c3):
        c.sendall(b"QUIT\r\n"); c.recv(100); c.close()

    # A worker killed outright is replaced.
    victim = workers(srv.pid)[0]
    os.kill(victim, signal.SIGKILL)
    deadline = time.time() + 10
    while victim in workers(srv.pid) or len(workers(srv.pid)) < 2:
        assert time.time() < deadline, "killed worker not replaced"
        time.sleep(0.05)
    qp(send(port, ["u@example.test"])[0]); accepted += 1

    # Queue servers killed between messages: the next messages still get in.
    for p in queue_servers(srv.pid):
        os.kill(p, signal.SIGKILL)
    for _ in range(3):
        qp(send(port, ["u@example.test"])[0]); accepted += 1

    # A queue server killed in the middle of a message: 451, nothing queued.
    before = todo()
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = s.makefile("rb")
    def reply():
        while True:
            l = f.readline()
            if l[3:4] != b"-":
                return l
    reply()
    for cmd in (b"HELO x", b"MAIL FROM:<a@remote.example>", b"RCPT TO:<u@example.test>", b"DATA"):
        s.sendall(cmd + b"\r\n"); r = reply()
    assert r.startswith(b"354"), r
    s.sendall(b"Subject: cut\r\n\r\n" + b"line\r\n" * 100)
    time.sleep(0.2)
    for p in queue_servers(srv.pid):
        os.kill(p, signal.SIGKILL)
    s.sendall(b"last\r\n.\r\n")
    r = reply()
    assert r.startswith(b"451 ") and b"qq crashed" in r, r
    s.sendall(b"QUIT\r\n"); reply(); s.close()
    assert todo() == before, "a message was queued after its qmail-queue died"

    # STARTTLS in a worker.
    qp(send(port, ["u@example.test"], tls=True)[0]); accepted += 1

    assert todo() == accepted, (todo(), accepted)

    # SIGTERM: the parent passes it on; every worker and queue server ends.
    family = [srv.pid] + workers(srv.pid) + queue_servers(srv.pid)
    srv.send_signal(signal.SIGTERM)
    assert srv.wait(timeout=15) == 0
    deadline = time.time() + 10
    while any(p in procs() and procs()[p][1] for p in family[1:]):
        assert time.time() < deadline, "processes left after SIGTERM"
        time.sleep(0.05)

    # IPv6: the ::1 rule relays and raises DATABYTES.
    srv6, port6 = start(socket.AF_INET6, "::1", "-c", "1", "-x", home + "/rules.cdb")
    qp(send(port6, ["y@foreign.example"], host="::1")[0]); accepted += 1
    srv6.send_signal(signal.SIGTERM)
    assert srv6.wait(timeout=15) == 0

    # A rules file that does not exist: every connection is dropped (fail closed).
    srvx, portx = start(socket.AF_INET, "127.0.0.1", "-c", "1", "-x", home + "/no-such-rules.cdb")
    c = socket.create_connection(("127.0.0.1", portx), timeout=10)
    assert c.recv(100) == b"", "served without its rules file"
    c.close()
    srvx.send_signal(signal.SIGTERM)
    assert srvx.wait(timeout=15) == 0
    assert todo() == accepted, (todo(), accepted)
    return accepted

try:
    print(scenario())
finally:
    stop_all()
PY

# What the queue holds: the envelopes of the relayed messages, the Received
# lines of a network session and a TLS one.
grep -rlZ 'x@foreign.example' "$dir/queue/todo" | grep -qz . || fail "relayed IPv4 envelope missing"
grep -rlZ 'y@foreign.example' "$dir/queue/todo" | grep -qz . || fail "relayed IPv6 envelope missing"
grep -rhq '^Received: from unknown (HELO client.example) (127.0.0.1)$' "$dir/queue/mess" || fail "IPv4 Received line"
grep -rhq '^Received: from unknown (HELO client.example) (::1)$' "$dir/queue/mess" || fail "IPv6 Received line"
grep -rhq '^  by 127.0.0.1 with ESMTPS (' "$dir/queue/mess" || fail "no ESMTPS Received line"
grep -q '^qmail-smtpd: deny [0-9]* 127.0.0.2$' "$dir/server.log" || fail "no deny line: $(cat "$dir/server.log")"
grep -q '^qmail-smtpd: ok [0-9]* 127.0.0.1 127.0.0.1$' "$dir/server.log" || fail "no ok line"

# systemd's own protocol: the socket on fd 3 with LISTEN_FDS=1 and LISTEN_PID.
port=$(free_port 127.0.0.1)
env - PATH="$MTA_PATH" ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
  systemd-socket-activate -E QMAILHOME="$dir" -E ASAN_OPTIONS -E UBSAN_OPTIONS -l "127.0.0.1:$port" \
  "$dir/bin/qmail-smtpd" -c 1 2>>"$dir/activate.log" &
activator=$!
on_exit "kill $activator 2>/dev/null || true"
sleep 0.3
before=$(queued_count)
out=$(swaks --server 127.0.0.1 --port "$port" --from a@remote.example --to u@example.test 2>&1) ||
  fail "swaks against LISTEN_FDS mode: $out"
echo "$out" | grep -q '^<-  250 2.0.0 ok [0-9]* qp [0-9]*$' || fail "LISTEN_FDS reply: $out"
[ "$(queued_count)" = $((before + 1)) ] || fail "LISTEN_FDS message not queued"
kill "$activator"
wait "$activator" 2>/dev/null || true
echo ok
