#!/usr/bin/python3
"""tests/e2e/lib/pop_client.py — a POP3 client for the qmail-popup scenarios.

  pop_client.py fetch PORT USER PASS OUTDIR [--stls CAFILE] [--dele]
      logs in (after STLS, verifying the server against CAFILE), saves every
      message as OUTDIR/<UIDL>, deletes them with --dele, and QUITs. Prints
      "fetched N". A refused login prints "refused: <reply>" and exits 3.
  pop_client.py drop PORT USER PASS
      logs in, DELEs message 1 and closes the socket without QUIT.
  pop_client.py raw PORT [QUIET]
      sends stdin as it is (bytes, no CRLF added) and prints every reply line
      until the server closes the connection or says nothing for QUIET
      seconds (default 2).
"""
import os
import poplib
import socket
import ssl
import sys


def login(port, user, password, cafile=None):
    pop = poplib.POP3("127.0.0.1", port, timeout=20)
    if cafile:
        ctx = ssl.create_default_context(cafile=cafile)
        ctx.check_hostname = False
        pop.stls(context=ctx)
    pop.user(user)
    pop.pass_(password)
    return pop


def fetch(argv):
    port, user, password, outdir = int(argv[0]), argv[1], argv[2], argv[3]
    cafile = argv[argv.index("--stls") + 1] if "--stls" in argv else None
    try:
        pop = login(port, user, password, cafile)
    except poplib.error_proto as e:
        msg = e.args[0]
        print("refused: " + (msg.decode("latin-1") if isinstance(msg, bytes) else msg))
        return 3
    if cafile and not isinstance(pop.sock, ssl.SSLSocket):
        print("not encrypted")
        return 4
    uidls = [line.split() for line in pop.uidl()[1]]
    for num, uid in uidls:
        lines = pop.retr(int(num))[1]
        with open(os.path.join(outdir, uid.decode()), "wb") as f:
            f.write(b"".join(line + b"\n" for line in lines))
        if "--dele" in argv:
            pop.dele(int(num))
    pop.quit()
    print("fetched %d" % len(uidls))
    return 0


def drop(argv):
    pop = login(int(argv[0]), argv[1], argv[2])
    pop.dele(1)
    pop.sock.close()
    print("dropped")
    return 0


def raw(argv):
    s = socket.create_connection(("127.0.0.1", int(argv[0])), timeout=float(argv[1]) if len(argv) > 1 else 2)
    s.sendall(sys.stdin.buffer.read())
    out = b""
    while True:
        try:
            got = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not got:
            break
        out += got
    sys.stdout.write(out.decode("latin-1").replace("\r\n", "\n"))
    return 0


if __name__ == "__main__":
    sys.exit({"fetch": fetch, "drop": drop, "raw": raw}[sys.argv[1]](sys.argv[2:]))
