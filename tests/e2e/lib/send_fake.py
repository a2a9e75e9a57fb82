#!/usr/bin/env python3
"""tests/e2e/lib/send_fake.py — qmail-send under test, with fake spawners.

  send_fake.py start LOG QMAIL-SEND QMAIL-CLEAN CAPTURE-DIR
      Plays qmail-start: pipes to two fake spawners (this script in
      "spawn local" / "spawn remote" mode) and a real qmail-clean, then
      execs qmail-send with qmail's fd layout (0 log, 1/2 lspawn, 3/4
      rspawn, 5/6 clean), so $! of the caller is qmail-send.
  send_fake.py spawn CHANNEL CAPTURE-DIR
      A spawner speaking reference mta.md 4.3: writes its slot count (120),
      then answers each command by the recipient's local part:
        fail*  -> D "Sorry, no mailbox here by that name. (#5.1.1)\\n"
        defer* -> Z "Temporary trouble.\\n\\nTry later. (#4.3.0)\\n"
        slow*  -> K after 1 second
        mangle* -> a report with status byte Q
        else   -> K "did 1+0+0\\n" (remote: "1.2.3.4 accepted message.\\n")
      Each command is appended to CAPTURE-DIR/CHANNEL.log as
      "sender recipient" and the message copied to CAPTURE-DIR/<recipient>.
Needs QMAILHOME (the messages are read from QMAILHOME/queue/mess).
"""
import os
import sys
import time


def start(log, send, clean, capture):
    pipes = [os.pipe() for _ in range(6)]
    me = os.path.abspath(__file__)

    def child(argv, rfd, wfd):
        if os.fork() == 0:
            os.dup2(rfd, 0)
            os.dup2(wfd, 1)
            os.closerange(3, 1024)
            os.execv(argv[0], argv)
    # pipes: 0 lspawn cmd, 1 lspawn report, 2 rspawn cmd, 3 rspawn report, 4 clean cmd, 5 clean answer
    child([sys.executable, me, "spawn", "local", capture], pipes[0][0], pipes[1][1])
    child([sys.executable, me, "spawn", "remote", capture], pipes[2][0], pipes[3][1])
    child([clean], pipes[4][0], pipes[5][1])
    logfd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    wanted = [logfd, pipes[0][1], pipes[1][0], pipes[2][1], pipes[3][0], pipes[4][1], pipes[5][0]]
    # Move everything out of the way first: a wanted fd may sit on 0..6.
    for i, fd in enumerate(wanted):
        os.dup2(fd, 100 + i)
    for i in range(7):
        os.dup2(100 + i, i)
    os.closerange(7, 1024)
    os.execv(send, [send])


def spawn(channel, capture):
    os.write(1, bytes([120]))
    mess = os.path.join(os.environ["QMAILHOME"], "queue", "mess")
    buf = b""
    while True:
        data = os.read(0, 65536)
        if not data:
            return
        buf += data
        while True:
            parts = buf[1:].split(b"\0", 3)
            if len(buf) < 1 or len(parts) < 4:
                break
            slot = buf[0]
            path, sender, rcpt = parts[0], parts[1], parts[2]
            buf = parts[3]
            with open(os.path.join(capture, channel + ".log"), "ab") as f:
                f.write(sender + b" " + rcpt + b"\n")
            with open(os.path.join(mess, path.decode()), "rb") as m:
                body = m.read()
            with open(os.path.join(capture, rcpt.decode()), "wb") as out:
                out.write(body)
            local = rcpt.rsplit(b"@", 1)[0]
            if local.startswith(b"fail"):
                report = b"DSorry, no mailbox here by that name. (#5.1.1)\n"
            elif local.startswith(b"slow"):
                time.sleep(1)
                report = b"Kdid 1+0+0\n"
            elif local.startswith(b"mangle"):
                report = b"Qwhat?\n"
            elif local.startswith(b"defer"):
                report = b"ZTemporary trouble.\n\nTry later. (#4.3.0)\n"
            elif channel == "remote":
                report = b"K1.2.3.4 accepted message.\n"
            else:
                report = b"Kdid 1+0+0\n"
            os.write(1, bytes([slot]) + report + b"\0")


if __name__ == "__main__":
    if sys.argv[1] == "start":
        start(*sys.argv[2:6])
    else:
        spawn(*sys.argv[2:4])
