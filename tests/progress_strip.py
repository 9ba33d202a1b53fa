#!/usr/bin/env python3
"""Splits what a terminal received into log text and progress lines.

usage: progress_strip.py FILE

Prints the text with "\\r\\n" turned back into "\\n" and every progress
line drawing ("\\r" text ESC[K) and erasure ("\\r" ESC[K) removed; the
final line the progress display leaves behind ("\\r" text ESC[K "\\n" at
the very end) is removed too.  Writes to stderr, one per line: "final:
<that line>", "status: <each line drawn>" (so a test can check them).
"""
import re
import sys

DRAW = re.compile(rb"\r([^\r\n\x1b]*)\x1b\[K")


def main():
    data = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n")
    m = re.search(rb"\r([^\r\n\x1b]*)\x1b\[K\n$", data)
    if m:
        sys.stderr.write("final: %s\n" % m.group(1).decode())
        data = data[: m.start()]
    for d in DRAW.finditer(data):
        if d.group(1):
            sys.stderr.write("status: %s\n" % d.group(1).decode())
    sys.stdout.buffer.write(DRAW.sub(b"", data))


main()
