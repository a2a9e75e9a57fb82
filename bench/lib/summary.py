#!/usr/bin/env python3
"""summary.py RESULTS - median/min/max table and ratio lines for bench/queue.

RESULTS holds key=value lines written by bench/queue; the ones that start
with "run " carry system=, mode= and rate= (messages per second).  Prints
one row per system and mode, then per mode the line
    MODE: ours N/s  postfix M/s  ratio R
where the ratio is of the medians (ours / postfix).
"""
import collections
import statistics
import sys


def fields(line):
    return dict(p.split("=", 1) for p in line.split()[1:] if "=" in p)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: summary.py RESULTS")
    rates = collections.defaultdict(list)
    order = []
    with open(sys.argv[1]) as f:
        for line in f:
            if not line.startswith("run "):
                continue
            kv = fields(line)
            key = (kv["mode"], kv["system"])
            if key not in rates:
                order.append(key)
            rates[key].append(float(kv["rate"]))

    print("%-9s %-8s %4s %10s %10s %10s" % ("mode", "system", "n", "median/s", "min/s", "max/s"))
    for key in sorted(order):
        r = rates[key]
        print("%-9s %-8s %4d %10.1f %10.1f %10.1f" % (key[0], key[1], len(r), statistics.median(r), min(r), max(r)))
    print()
    for mode in sorted({m for m, _ in order}, key=lambda m: (m != "serial", m)):
        ours, pf = rates.get((mode, "ours")), rates.get((mode, "postfix"))
        o = "%.0f/s" % statistics.median(ours) if ours else "-"
        p = "%.0f/s" % statistics.median(pf) if pf else "-"
        ratio = "%.2f" % (statistics.median(ours) / statistics.median(pf)) if ours and pf else "-"
        print("%s: ours %s  postfix %s  ratio %s" % (mode, o, p, ratio))


if __name__ == "__main__":
    main()
