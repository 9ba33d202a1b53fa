#!/usr/bin/env python3
"""Makes a real Prometheus 2.42 compact the blocks of a directory now.

usage: compact.py PROMETHEUS_BINARY DATA_DIR

Starts the server on DATA_DIR (127.0.0.1, a free port, 2h block ranges:
--storage.tsdb.min-block-duration=2h --storage.tsdb.max-block-duration=2h,
so the only compaction it plans is the merge of overlapping blocks), makes
it compact at once, waits until no two blocks overlap, and stops it by PID.

Why a remote write: 2.42's DB.run() compacts one minute after start, or
earlier when an append is committed while the head spans more than 1.5
times its chunk range (dbAppender.Commit -> head.compactable()).  One
remote-write request with two samples 4h apart, both after the newest
block, is such an append: the server first persists the head's first 2h
(a block holding only the sample of series `compaction_trigger`, which
overlaps nothing), then plans and runs the merges of overlapping blocks
(LeveledCompactor.plan -> selectOverlappingDirs), one group at a time.
The trigger's block is removed before returning, so DATA_DIR is left with
the compacted blocks only.
"""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request


def uvarint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, wire, payload):
    return uvarint(num << 3 | wire) + payload


def ld(num, data):  # length-delimited field
    return field(num, 2, uvarint(len(data)) + data)


def write_request(name, samples):
    """prompb.WriteRequest{timeseries: [{labels: [__name__=name], samples}]}"""
    label = ld(1, b"__name__") + ld(2, name.encode())
    ts = ld(1, label)
    for t, v in samples:
        s = field(1, 1, struct.pack("<d", v)) + field(2, 0, uvarint(t))
        ts += ld(2, s)
    return ld(1, ts)


def snappy_literal(data):
    """A valid snappy block holding data as literals only (no compression)."""
    out = bytearray(uvarint(len(data)))
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        elif n < 256:
            out += bytes([60 << 2, n])
        else:
            out += bytes([61 << 2]) + struct.pack("<H", n)
        out += chunk
    return bytes(out)


def blocks(d):
    res = []
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name, "meta.json")
        if len(name) == 26 and os.path.exists(p):
            with open(p) as f:
                m = json.load(f)
            res.append((m["minTime"], m["maxTime"], name, m))
    return sorted(res)


def overlapping(bs):
    return any(b[0] < a[1] for a, b in zip(bs, bs[1:]))


def main():
    prom, d = sys.argv[1], sys.argv[2]
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    cfg = os.path.join(d, "..", os.path.basename(d) + ".prometheus.yml")
    with open(cfg, "w") as f:
        f.write("global:\n  scrape_interval: 15s\n")
    log = open(os.path.join(d, "..", os.path.basename(d) + ".prometheus.log"), "w")
    before = blocks(d)
    if len(before) < 2:
        return  # nothing to merge
    newest = max(b[1] for b in before)
    p = subprocess.Popen([prom, "--config.file=" + cfg, "--storage.tsdb.path=" + d,
                          "--web.listen-address=127.0.0.1:%d" % port,
                          "--storage.tsdb.retention.time=100y",
                          "--storage.tsdb.min-block-duration=2h", "--storage.tsdb.max-block-duration=2h",
                          "--web.enable-remote-write-receiver"], stdout=log, stderr=log)
    try:
        base = "http://127.0.0.1:%d" % port
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/-/ready", timeout=1)
                break
            except Exception:
                if p.poll() is not None:
                    sys.exit("prometheus exited")
                time.sleep(0.1)
        body = snappy_literal(write_request("compaction_trigger", [(newest + 1, 1.0), (newest + 4 * 3600 * 1000, 1.0)]))
        req = urllib.request.Request(base + "/api/v1/write", data=body, method="POST", headers={
            "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
            "X-Prometheus-Remote-Write-Version": "0.1.0"})
        urllib.request.urlopen(req, timeout=10)
        for _ in range(1200):
            bs = blocks(d)
            tmp = [n for n in os.listdir(d) if n.endswith((".tmp-for-creation", ".tmp-for-deletion"))]
            trig = [b for b in bs if b[0] >= newest]
            if trig and not tmp and not overlapping(bs):
                break
            time.sleep(0.1)
        else:
            sys.exit("no compaction within 120s")
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait()
    for b in blocks(d):
        if b[0] >= newest:
            shutil.rmtree(os.path.join(d, b[2]))
    for n in ("wal", "chunks_head", "queries.active", "lock"):
        path = os.path.join(d, n)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)


main()
