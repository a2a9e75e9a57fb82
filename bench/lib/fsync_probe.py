#!/usr/bin/env python3
"""fsync_probe.py DIR [N] - the disk probe printed with every benchmark round.

Two figures, because queue files are new files and this VM's latency for
"create + write + fsync" moves between two states over minutes while a
plain fsync stays put (see shared/reference/perf-anchors.md):
  fsync    N x (pwrite 4096 bytes at a growing offset of one file; fsync)
  newfile  N x (open O_CREAT|O_EXCL a new file; write 4096; fsync; close)
Prints one line: median and p90 per op in microseconds for each.
DIR must exist; the probe removes what it creates.
"""
import os
import sys
import time


def timed(op, n):
    lat = []
    for i in range(n):
        t0 = time.perf_counter_ns()
        op(i)
        lat.append((time.perf_counter_ns() - t0) / 1000.0)
    lat.sort()
    return lat[len(lat) // 2], lat[int(len(lat) * 0.9)]


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: fsync_probe.py DIR [N]")
    d, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200
    buf = b"x" * 4096

    path = os.path.join(d, "probe.fsync")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        def append(i):
            os.pwrite(fd, buf, i * len(buf))
            os.fsync(fd)
        f_med, f_p90 = timed(append, n)
    finally:
        os.close(fd)
        os.unlink(path)

    def newfile(i):
        nfd = os.open(os.path.join(d, "probe.new.%d" % i),
                      os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(nfd, buf)
        os.fsync(nfd)
        os.close(nfd)
    try:
        n_med, n_p90 = timed(newfile, n)
    finally:
        for i in range(n):
            try:
                os.unlink(os.path.join(d, "probe.new.%d" % i))
            except FileNotFoundError:
                pass

    print("ops=%d fsync_med_us=%.0f fsync_p90_us=%.0f newfile_med_us=%.0f newfile_p90_us=%.0f"
          % (n, f_med, f_p90, n_med, n_p90))


if __name__ == "__main__":
    main()
