#!/usr/bin/env python3
"""Block windows of a --block-duration backfill, reduced to comparable text.

usage: windows.py SECONDS DUMP_FILE [OUTPUT_DIR MERGED]

From DUMP_FILE (`promtool tsdb dump` of a backfill's output) prints, per
window of SECONDS aligned to the epoch, the samples of every metric name
("--- windows").  With OUTPUT_DIR, also checks the blocks themselves
("--- blocks"): every block lies inside one window, and each window has one
block per metric name in it (MERGED=1: a single block).
"""
import collections
import datetime
import json
import os
import re
import sys

LINE = re.compile(r'^\{(?:.*?)?__name__="([^"]*)".*\} \S+ (-?\d+)$')


def iso(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    d = int(sys.argv[1]) * 1000
    per = collections.defaultdict(collections.Counter)
    with open(sys.argv[2]) as f:
        for line in f:
            m = LINE.match(line.rstrip("\n"))
            if not m:
                sys.exit("unexpected dump line: " + line)
            t = int(m.group(2))
            per[t // d * d][m.group(1)] += 1
    print("--- windows")
    for w in sorted(per):
        for name in sorted(per[w]):
            print(iso(w), name, per[w][name])
    if len(sys.argv) < 4:
        return
    out, merged = sys.argv[3], sys.argv[4] == "1"
    count = collections.Counter()
    print("--- blocks")
    for b in sorted(os.listdir(out)):
        with open(os.path.join(out, b, "meta.json")) as f:
            m = json.load(f)
        w = m["minTime"] // d * d
        if (m["maxTime"] - 1) // d * d != w:
            print("block crosses a window end:", iso(m["minTime"]), iso(m["maxTime"]))
        count[w] += 1
    for w in sorted(set(per) | set(count)):
        want = 1 if merged else len(per[w])
        print(iso(w), "blocks", "ok" if count[w] == want else "%d, want %d" % (count[w], want))


main()
