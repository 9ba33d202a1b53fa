#!/usr/bin/env python3
"""Writes a multi-window OpenMetrics input for tests/sh/openmetrics_live.sh.

usage: gen_multiwindow.py ORDER SERIES HOURS STEP_S SEED > out.om

SERIES counters and gauges, a sample every STEP_S seconds for HOURS hours
(so one window of 2h holds SERIES * 7200 / STEP_S samples, several
appender commits of 5000 when that is large), in one of these line orders:

  time      scrape by scrape, as a dump of a running target looks
  series    each series' samples together, series after series
  reversed  windows last to first, each in time order
  shuffled  every line anywhere (so the first window hits out-of-order
            errors when it holds more than 5000 samples)
  late      time order, but the lines of the fifth window shuffled: an
            error there, after the blocks of the windows before it
  nearly    time order with a few lines moved a little earlier
"""
import random
import sys

T0 = 1_700_000_005


def main():
    order, nseries, hours, step, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    rnd = random.Random(seed)
    n = hours * 3600 // step
    rows = []  # (series, i, text)
    counters = [0] * nseries
    for i in range(n):
        ts = T0 + i * step
        for s in range(nseries):
            if s % 2 == 0:
                counters[s] += rnd.randrange(0, 50)
                if rnd.random() < 0.001:
                    counters[s] = 0
                text = 'req_total{job="api",instance="host-%03d"} %d %d' % (s, counters[s], ts)
            else:
                text = 'load{instance="host-%03d",cpu="%d"} %.17g %d.%03d' % (s, s % 4, rnd.random() * 8, ts, s % 1000)
            rows.append((s, i, ts, text))
    if order == "series":
        rows.sort(key=lambda r: (r[0], r[1]))
    elif order == "reversed":
        rows.sort(key=lambda r: (-(r[2] // 7200), r[1], r[0]))
    elif order == "shuffled":
        rnd.shuffle(rows)
    elif order == "late":
        w5 = [k for k, r in enumerate(rows) if r[2] // 7200 == T0 // 7200 + 4]
        part = [rows[k] for k in w5]
        rnd.shuffle(part)
        for k, r in zip(w5, part):
            rows[k] = r
    elif order == "nearly":
        for _ in range(len(rows) // 2000):
            a = rnd.randrange(len(rows))
            b = max(0, a - rnd.randrange(1, 3 * nseries))
            rows.insert(b, rows.pop(a))
    elif order != "time":
        sys.exit("unknown order " + order)
    out = sys.stdout
    out.write("# HELP req_total Requests.\n# TYPE req_total counter\n")
    for r in rows:
        out.write(r[3] + "\n")
    out.write("# EOF\n")


main()
