#!/usr/bin/env python3
"""syscount.py MESSAGES [--names PIDFILE] TRACE... - per-message system calls.

Reads `strace -f -o TRACE` logs (one line per call, prefixed with the pid)
and prints, per program, how many fsync/fdatasync, execve and process
creations (clone, clone3, fork, vfork) it made per message.  A call is
charged to the program the process was running at the time; an execve to
the program it starts.  A process that never execs is charged to its
parent's program, unless PIDFILE ("pid name" lines, e.g. daemons already
running when strace attached) names it.  The benchmark's own loop shows
up as "bash" and is left out of the total.

strace -c would give only the sum over all processes; the split by program
is what tells the injection path (sendmail, postdrop, qmail-inject,
qmail-queue) from the daemons behind it (pickup, cleanup, local).
"""
import collections
import os
import re
import sys

KINDS = {"fsync": "fsync", "fdatasync": "fsync", "execve": "execve",
         "clone": "fork", "clone3": "fork", "fork": "fork", "vfork": "fork"}
HARNESS = "bash"

CALL = re.compile(r"^(\d+)\s+(\w+)\((.*)$")
RESUMED = re.compile(r"^(\d+)\s+<\.\.\. (\w+) resumed>(.*)$")
RESULT = re.compile(r"\)\s+=\s+(-?\d+)")


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit("usage: syscount.py MESSAGES [--names PIDFILE] TRACE...")
    messages = int(args.pop(0))
    known = {}
    if len(args) >= 2 and args[0] == "--names":
        with open(args[1]) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    known[parts[0]] = parts[1]
        args = args[2:]

    prog = dict(known)           # pid -> current program, once known
    parent = {}                  # pid -> parent pid
    pending_exec = {}            # pid -> program of an unfinished execve
    counts = collections.Counter()   # (pid, program or None, kind) -> n

    def charge(pid, kind, name=None):
        counts[(pid, name or prog.get(pid), kind)] += 1

    def finished(pid, call, rest):
        m = RESULT.search(rest)
        if not m:
            return
        ret = int(m.group(1))
        kind = KINDS[call]
        if kind == "execve":
            name = pending_exec.pop(pid, None)
            if ret == 0 and name:
                prog[pid] = name
                charge(pid, kind, name)
        elif kind == "fork":
            if ret > 0:
                parent[str(ret)] = pid
                charge(pid, kind)
        elif ret == 0:
            charge(pid, kind)

    for path in args:
        with open(path, errors="replace") as f:
            for line in f:
                m = CALL.match(line)
                if m and m.group(2) in KINDS:
                    pid, call, rest = m.groups()
                    if call == "execve":
                        fm = re.match(r'"([^"]*)"', rest)
                        pending_exec[pid] = os.path.basename(fm.group(1)) if fm else "?"
                    if "<unfinished ...>" not in rest:
                        finished(pid, call, rest)
                    continue
                m = RESUMED.match(line)
                if m and m.group(2) in KINDS:
                    finished(*m.groups())

    def resolve(pid, name):
        seen = set()
        while name is None and pid in parent and pid not in seen:
            seen.add(pid)
            pid = parent[pid]
            name = prog.get(pid)
        return name or "?"

    table = collections.defaultdict(collections.Counter)
    for (pid, name, kind), n in counts.items():
        table[resolve(pid, name)][kind] += n

    total = collections.Counter()
    print("  %-16s %8s %8s %8s   (per message, %d messages)" % ("program", "fsync", "execve", "fork", messages))
    for name in sorted(table):
        c = table[name]
        label = name + (" (loop)" if name == HARNESS else "")
        print("  %-16s %8.2f %8.2f %8.2f" % (label, c["fsync"] / messages, c["execve"] / messages, c["fork"] / messages))
        if name != HARNESS:
            total.update(c)
    print("  %-16s %8.2f %8.2f %8.2f" % ("TOTAL", total["fsync"] / messages, total["execve"] / messages, total["fork"] / messages))
    print("syscalls fsync=%.2f execve=%.2f fork=%.2f" % (total["fsync"] / messages, total["execve"] / messages, total["fork"] / messages))


if __name__ == "__main__":
    main()
