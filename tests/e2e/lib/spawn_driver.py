#!/usr/bin/env python3
"""spawn_driver.py PROGRAM [ARG...] -- drive a spawner (qmail-lspawn or
qmail-rspawn) through the spawn protocol, as qmail-send does.

Commands come from stdin, one per line: SLOT<TAB>MESSAGE<TAB>SENDER<TAB>RECIPIENT.
All are written, stdin of the spawner is closed, and every report is
printed as SLOT<TAB>STATUS<TAB>TEXT (newlines in TEXT shown as \\n), sorted
by slot. The first line printed is "slots N". Exit status: the spawner's."""
import subprocess, sys

cmds = [l.rstrip("\n").split("\t") for l in sys.stdin if l.strip()]
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
data = b"".join(bytes([int(s)]) + m.encode() + b"\0" + f.encode() + b"\0" + r.encode() + b"\0"
                for s, m, f, r in cmds)
p.stdin.write(data)
p.stdin.close()
out = p.stdout.read()
rc = p.wait()
print("slots", out[0])
reports, rest = [], out[1:]
while rest:  # <slot byte><status><text>\0; the slot byte may itself be 0
    end = rest.index(b"\0", 1)
    reports.append(rest[:end])
    rest = rest[end + 1:]
for r in sorted(reports, key=lambda r: r[0]):
    text = r[2:].decode(errors="replace").replace("\n", "\\n")
    print(f"{r[0]}\t{chr(r[1])}\t{text}")
sys.exit(rc)
