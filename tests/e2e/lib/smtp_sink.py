#!/usr/bin/python3
"""tests/e2e/lib/smtp_sink.py — an SMTP server that keeps what it receives.

A test peer for qmail-remote and anything else that sends SMTP. Plain
asyncio (no third-party modules), run with /usr/bin/python3.

Usage: smtp_sink.py --dir DIR [options]
  --dir DIR           save each transaction as DIR/N.txn (written to a temp
                      name and renamed, so a file that exists is complete);
                      every command line is appended to DIR/commands.log as
                      "<read#> <line>" (commands that arrived in one read share
                      the number: that is how tests see pipelining)
  --host ADDR         listen address (default 127.0.0.1; ::1 for IPv6)
  --port N            port (default 0: a free one)
  --port-file FILE    write the port there once listening (else print it on stdout)
  --stall             accept connections and never say anything
  --tls CERT KEY      offer STARTTLS with this certificate and key
  --broken-tls        offer STARTTLS, answer 220 and then send garbage instead
                      of a TLS handshake (the client must give up on TLS)
  --no-pipelining, --no-smtputf8, --no-8bitmime, --no-size
                      leave the extension out of the EHLO reply
  --no-ehlo           answer EHLO with 502 (the client must fall back to HELO)
  --greeting TEXT     the greeting (default "220 sink.test ESMTP")
  --mail-reply TEXT   reply to MAIL (default "250 ok")
  --data-reply TEXT   reply after the final dot (default "250 ok queued");
                      "drop" closes the connection instead of replying
  --rcpt-file FILE    if FILE exists, its first line is the reply to every RCPT
                      (a test can change the sink's mind while it runs)

Per recipient, by the local part: "defer..." gets 451, "reject..." gets 550,
anything else 250.

Each DIR/N.txn holds header lines, an empty line, then the data as received
(CRLF kept, dot-stuffing removed):
  helo: NAME / mail: ARGS / rcpt: ADDRESS (one each) / tls: yes|no / peer: IP
"""
import argparse
import asyncio
import os
import ssl
import sys


class Sink:
    def __init__(self, args):
        self.args = args
        self.count = 0
        self.reads = 0
        self.tls_ctx = None
        if args.tls:
            self.tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls_ctx.load_cert_chain(args.tls[0], args.tls[1])

    def log(self, read_no, line):
        with open(os.path.join(self.args.dir, "commands.log"), "a", encoding="utf-8",
                  errors="surrogateescape") as f:
            f.write(f"{read_no} {line}\n")

    def save(self, txn, data):
        self.count += 1
        head = "".join(f"{k}: {v}\n" for k, v in txn)
        path = os.path.join(self.args.dir, f"{self.count}.txn")
        with open(path + ".tmp", "wb") as f:
            f.write(head.encode("utf-8", "surrogateescape") + b"\n" + data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(path + ".tmp", path)

    def ehlo_lines(self, tls_on):
        a = self.args
        lines = ["sink.test hello"]
        if not a.no_pipelining:
            lines.append("PIPELINING")
        if not a.no_8bitmime:
            lines.append("8BITMIME")
        if not a.no_size:
            lines.append("SIZE 10000000")
        if not a.no_smtputf8:
            lines.append("SMTPUTF8")
        if (self.tls_ctx or self.args.broken_tls) and not tls_on:
            lines.append("STARTTLS")
        return "".join(f"250-{l}\r\n" for l in lines[:-1]) + f"250 {lines[-1]}\r\n"

    def rcpt_reply(self, arg):
        if self.args.rcpt_file and os.path.exists(self.args.rcpt_file):
            with open(self.args.rcpt_file) as f:
                return f.readline().strip()
        addr = arg[arg.find("<") + 1:arg.rfind(">")] if "<" in arg else arg
        local = addr.rsplit("@", 1)[0].strip('"').lower()
        if local.startswith("defer"):
            return "451 4.2.0 deferred for the test"
        if local.startswith("reject"):
            return "550 5.1.1 rejected for the test"
        return "250 ok"

    async def session(self, reader, writer):
        if self.args.stall:
            try:
                while await reader.read(4096):
                    pass
            finally:
                writer.close()
            return
        peer = writer.get_extra_info("peername")[0]
        buf = b""
        tls_on = False
        helo = ""
        txn = None
        pending = []  # lines read in one chunk, with its read number

        async def reply(text):
            writer.write(text.encode() if text.endswith("\r\n") else (text + "\r\n").encode())
            await writer.drain()

        async def next_line():
            nonlocal buf
            while b"\n" not in buf:
                chunk = await reader.read(65536)
                if not chunk:
                    return None, 0
                self.reads += 1
                buf += chunk
                read_no = self.reads
                # every complete line of this chunk belongs to this read
                pending.append((read_no, buf.count(b"\n")))
            line, buf = buf.split(b"\n", 1)
            return line.rstrip(b"\r").decode("utf-8", "surrogateescape"), (pending[-1][0] if pending else 0)

        await reply(self.args.greeting)
        while True:
            line, read_no = await next_line()
            if line is None:
                break
            self.log(read_no, line)
            verb = line[:4].upper()
            arg = line[5:] if len(line) > 5 else ""
            if verb == "EHLO":
                if self.args.no_ehlo:
                    await reply("502 5.5.1 no EHLO here")
                    continue
                helo = arg
                await reply(self.ehlo_lines(tls_on))
            elif verb == "HELO":
                helo = arg
                await reply("250 sink.test")
            elif line.upper() == "STARTTLS" and self.args.broken_tls:
                await reply("220 2.0.0 go ahead")
                writer.write(b"this is not a TLS handshake\r\n" * 4)
                await writer.drain()
                break
            elif line.upper() == "STARTTLS" and self.tls_ctx and not tls_on:
                await reply("220 2.0.0 go ahead")
                buf = b""
                await writer.start_tls(self.tls_ctx)
                tls_on = True
            elif verb == "MAIL":
                txn = [("helo", helo), ("mail", arg[5:] if arg.upper().startswith("FROM:") else arg)]
                await reply(self.args.mail_reply)
                if not self.args.mail_reply.startswith("2"):
                    txn = None
            elif verb == "RCPT":
                if txn is None:
                    await reply("503 5.5.1 MAIL first")
                    continue
                r = self.rcpt_reply(arg)
                if r.startswith("2"):
                    txn.append(("rcpt", arg[3:] if arg.upper().startswith("TO:") else arg))
                await reply(r)
            elif verb == "DATA":
                if txn is None or not any(k == "rcpt" for k, _ in txn):
                    await reply("554 5.5.1 no valid recipients")
                    continue
                await reply("354 go ahead")
                data = b""
                while True:
                    while b"\n" not in buf:
                        chunk = await reader.read(65536)
                        if not chunk:
                            writer.close()
                            return
                        buf += chunk
                    l, buf = buf.split(b"\n", 1)
                    if l in (b".\r", b"."):
                        break
                    if l.startswith(b"."):
                        l = l[1:]
                    data += l + b"\n"
                txn.append(("tls", "yes" if tls_on else "no"))
                txn.append(("peer", peer))
                if self.args.data_reply.startswith("2"):
                    self.save(txn, data)
                if self.args.data_reply == "drop":
                    break
                await reply(self.args.data_reply)
                txn = None
            elif verb == "RSET":
                txn = None
                await reply("250 ok")
            elif verb == "NOOP":
                await reply("250 ok")
            elif verb == "QUIT":
                await reply("221 bye")
                break
            else:
                await reply("502 5.5.2 unknown command")
        writer.close()


async def main():
    p = argparse.ArgumentParser(description="SMTP sink for tests")
    p.add_argument("--dir", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--stall", action="store_true")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--broken-tls", action="store_true")
    p.add_argument("--no-pipelining", action="store_true")
    p.add_argument("--no-smtputf8", action="store_true")
    p.add_argument("--no-8bitmime", action="store_true")
    p.add_argument("--no-size", action="store_true")
    p.add_argument("--no-ehlo", action="store_true")
    p.add_argument("--greeting", default="220 sink.test ESMTP")
    p.add_argument("--mail-reply", default="250 ok")
    p.add_argument("--data-reply", default="250 ok queued")
    p.add_argument("--rcpt-file")
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    sink = Sink(args)
    server = await asyncio.start_server(sink.session, args.host, args.port)
    port = server.sockets[0].getsockname()[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(f"{port}\n")
        os.rename(args.port_file + ".tmp", args.port_file)
    else:
        print(port, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
