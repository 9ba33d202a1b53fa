#!/usr/bin/env python3
"""Reduces one `create-blocks-from rules` run to comparable text.

usage: summarize.py RC STDOUT_FILE STDERR_FILE OUTPUT_DIR
       summarize.py --batch JOBS   (lines "RC|STDOUT|STDERR|OUTPUT_DIR|DEST";
                                    one interpreter start for many runs)

Prints the exit code, stdout, stderr with the log lines of each group kept
together and the groups sorted (promtool walks its groups in Go map order,
which is random), and one line per block: meta.json with ULIDs replaced by
<ULID>, then a SHA-256 of every file in the block (byte-for-byte equality),
sorted so that the order the blocks were written in does not matter.
Anything else in OUTPUT_DIR is listed as stray.

With RB_NO_COMPACTION=1 in the environment, meta.json's "compaction"
section (level, sources, parents: what differs between a compacted block
and one written merged) is cut out before it is shown and hashed.
"""
import hashlib
import os
import re
import sys

ULID = re.compile(rb"[0-9A-HJKMNP-TV-Z]{26}")


def canon_log(lines):
    out, groups, cur = [], [], None
    for line in lines:
        if 'backfiller="processing group"' in line:
            if cur is not None:
                groups.append(cur)
            cur = [line]
        elif cur is not None and line.startswith("level="):
            cur.append(line)
        else:
            if cur is not None:
                groups.append(cur)
                cur = None
            if groups:
                out.extend(l for g in sorted(groups) for l in g)
                groups = []
            out.append(line)
    if cur is not None:
        groups.append(cur)
    out.extend(l for g in sorted(groups) for l in g)
    return out


def drop_compaction(meta):
    """meta.json without its "compaction": {...} member (and the comma before it)."""
    i = meta.find(b'"compaction":')
    if i < 0:
        return meta
    j = meta.index(b"{", i)
    depth = 0
    for k in range(j, len(meta)):
        depth += {ord("{"): 1, ord("}"): -1}.get(meta[k], 0)
        if depth == 0:
            break
    start = meta.rindex(b",", 0, i)
    return meta[:start] + meta[k + 1:]


NO_COMPACTION = os.environ.get("RB_NO_COMPACTION") == "1"


def blocks(d):
    if not os.path.isdir(d):
        return ["(no output directory)"]
    rows, stray = [], []
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if not os.path.isdir(p):
            stray.append("stray " + name)
            continue
        files = []
        for root, _, fs in os.walk(p):
            for f in fs:
                files.append(os.path.relpath(os.path.join(root, f), p))
        meta = b""
        if os.path.exists(os.path.join(p, "meta.json")):
            with open(os.path.join(p, "meta.json"), "rb") as f:
                meta = ULID.sub(b"<ULID>", f.read())
            if NO_COMPACTION:
                meta = drop_compaction(meta)
        row = meta.replace(b"\n", b"").replace(b"\t", b"").decode(errors="replace")
        for f in sorted(files):
            with open(os.path.join(p, f), "rb") as fh:
                data = fh.read()
            if f == "meta.json":
                data = ULID.sub(b"<ULID>", data)
                if NO_COMPACTION:
                    data = drop_compaction(data)
            row += " %s=%s" % (f, hashlib.sha256(data).hexdigest()[:32])
        rows.append(row)
    return sorted(rows) + stray


def summarize(rc, out_f, err_f, d, w):
    with open(out_f, errors="replace") as f:
        out = f.read()
    with open(err_f, errors="replace") as f:
        err = f.read().splitlines(keepends=True)
    w("rc=%s\n--- stdout\n%s--- stderr\n" % (rc, out))
    w("".join(canon_log(err)))
    w("--- blocks\n")
    for r in blocks(d):
        w(r + "\n")


def main():
    if sys.argv[1] == "--batch":
        with open(sys.argv[2]) as jobs:
            for line in jobs:
                rc, out_f, err_f, d, dest = line.rstrip("\n").split("|")
                with open(dest, "w") as f:
                    summarize(rc, out_f, err_f, d, f.write)
    else:
        summarize(*sys.argv[1:5], sys.stdout.write)


if __name__ == "__main__":
    main()
