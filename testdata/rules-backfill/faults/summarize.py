#!/usr/bin/env python3
"""Reduces one fault run of `create-blocks-from rules` to comparable bytes.

usage: summarize.py --batch JOBS
       (lines "RC|STDERR_FILE|REQUEST_LOG|OUTPUT_DIR|DEST", one interpreter
       start for many runs)

Writes to DEST: the exit code, stderr byte for byte (the messages of a body
that is not JSON quote raw bytes; only 127.0.0.1:<port> becomes
127.0.0.1:PORT, since every run gets fresh ports), the requests the fake
server logged (method, path, form, Authorization), and one line per block
as ../summarize.py prints them (meta.json with <ULID>, a digest per file),
plus any stray file or directory (a half-written block would show here).
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import summarize as rb  # noqa: E402  (testdata/rules-backfill/summarize.py)

PORT = re.compile(rb"127\.0\.0\.1:[0-9]+")


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def summary(rc, err_f, req_f, out_d):
    err = PORT.sub(b"127.0.0.1:PORT", read(err_f))
    req = PORT.sub(b"127.0.0.1:PORT", read(req_f))
    rows = "\n".join(rb.blocks(out_d)) + "\n"
    return (b"rc=%s\n--- stderr\n" % rc.encode() + err + b"--- requests\n" + req +
            b"--- blocks\n" + rows.encode())


def main():
    if sys.argv[1] != "--batch":
        sys.exit(__doc__)
    with open(sys.argv[2]) as jobs:
        for line in jobs:
            rc, err_f, req_f, out_d, dest = line.rstrip("\n").split("|")
            with open(dest, "wb") as f:
                f.write(summary(rc, err_f, req_f, out_d))


main()
