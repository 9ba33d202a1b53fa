#!/usr/bin/env python3
"""A fake Prometheus query API for fault tests of `tsdb create-blocks-from rules`.

usage: fake_prom_server.py PORTFILE MODE [REQUEST_LOG]

Listens on 127.0.0.1 on a free port, writes the port to PORTFILE, and
answers every request according to MODE (see MODES and RAW_MODES below,
plus "stall", "truncated" and "closenothing").  A request whose first path
segment names a mode ("/error500/api/v1/query_range") gets that mode
instead, so one server can play every fault in turn.  Each request is
appended to REQUEST_LOG as one line "METHOD PATH?QUERY BODY AUTHORIZATION"
so tests can check what was sent; with FAKE_PROM_HEADER_LOG set, every
request's headers are appended to that file too, one request per line.

Stateful modes ("flaky503", "flaky429", "flakyreset", "flakystall") fail
the first two requests, then answer like "matrix"; they count per
"/<mode>/<tag>" path prefix, so each run can pick a fresh tag.

Two more listeners, for faults below HTTP: PORTFILE.connstall names a port
whose accept queue is full, so a connect() there never completes, and
PORTFILE.silent a port that accepts and then never reads or writes a byte
(a TLS handshake or a request that is never answered).

The server exits when its parent kills it; tests always do.
"""
import gzip
import http.server
import json
import os
import socket
import struct
import sys
import threading
import time
import zlib

MATRIX = {
    "resultType": "matrix",
    "result": [
        {"metric": {"__name__": "x", "job": "a", "instance": "i"},
         "values": [[1700000000, "1"], [1700000060.5, "NaN"], [1700000120.123, "+Inf"],
                    [1700000180.0009, "-Inf"], [1700000240, "1e308"], [1700000300, "-0"]]},
        {"metric": {"z": "q\"uo\nte", "team": "ops"},
         "values": [[1700000000, "0.1"], [1700000060, "2.5e-7"]]},
    ],
}


def ok(data, warnings=None):
    body = {"status": "success", "data": data}
    if warnings:
        body["warnings"] = warnings
    return 200, json.dumps(body).encode()


def err(code, etype, msg):
    return code, json.dumps({"status": "error", "errorType": etype, "error": msg}).encode()


MODES = {
    "matrix": lambda m: ok(MATRIX),
    "empty": lambda m: ok({"resultType": "matrix", "result": []}),
    "warnings": lambda m: ok(MATRIX, ["first warning", "second=x"]),
    "vector": lambda m: ok({"resultType": "vector", "result": []}),
    "scalar": lambda m: ok({"resultType": "scalar", "result": [1700000000, "1"]}),
    "string": lambda m: ok({"resultType": "string", "result": [1700000000, "s"]}),
    "error500": lambda m: err(500, "internal", "boom"),
    "error503": lambda m: (503, b"unavailable"),
    "baddata400": lambda m: err(400, "bad_data", 'invalid parameter "query": 1:1: parse error'),
    "exec422": lambda m: err(422, "execution", "query processing would load too many samples into memory"),
    "inconsistent400": lambda m: (400, ok({"resultType": "matrix", "result": []})[1]),
    "status404": lambda m: (404, b"404 page not found\n"),
    "redirect302": lambda m: (302, b""),
    "get405": lambda m: ok(MATRIX) if m == "GET" else (405, b"method not allowed"),
    "get501": lambda m: ok(MATRIX) if m == "GET" else (501, b"not implemented"),
    "malformed": lambda m: (200, b'{"status":"success","data":{"resultType":"matrix","result":[}}'),
    "notjson": lambda m: (200, b"<html>hello</html>"),
    "emptybody": lambda m: (200, b""),
    "truncjson": lambda m: (200, b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000,"1"]'),
    "badvalue": lambda m: ok({"resultType": "matrix", "result": [{"metric": {}, "values": [[1700000000, "abc"]]}]}),
    "nodata": lambda m: (200, b'{"status":"success"}'),
    "status204": lambda m: (204, b""),
    # malformed envelopes: jsoniter's generalStructDecoder error texts
    "envtrunc": lambda m: (200, b'{"x":['),
    "envnocolon": lambda m: (200, b'{"status" 1}'),
    "envnoclose": lambda m: (200, b'{"status":"success" x'),
    "envbadkey": lambda m: (200, b'{"status":"success",}'),
    "envwarnings": lambda m: (200, b'{"status":"success","warnings":[1]}'),
    "envskipbad": lambda m: (200, b'{"zz":tru}'),
}


MATRIX_BODY = json.dumps({"status": "success", "data": MATRIX}).encode()


def gz(data, flags=0, name=b"", extra=b"", hcrc=False):
    """A gzip member of data, optionally with FEXTRA/FNAME/FHCRC."""
    hdr = b"\x1f\x8b\x08" + bytes([flags]) + b"\x00\x00\x00\x00\x00\x03"
    if flags & 4:
        hdr += struct.pack("<H", len(extra)) + extra
    if flags & 8:
        hdr += name
    if hcrc:
        hdr += struct.pack("<H", zlib.crc32(hdr) & 0xFFFF)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return hdr + c.compress(data) + c.flush() + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def raw_deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


GZ = gz(MATRIX_BODY)
GZ_HDR = GZ[:10]
GZ_DEFLATE = GZ[10:-8]
GZ_TRAILER = GZ[-8:]
# {"status":"success","data":{"resultType":"matrix","result":[]}} as brotli
# (BrotliEncoderCompress, quality 5): Go does not decode br, so neither may we.
BR_EMPTY = bytes.fromhex("1b3e0000046a73a95f36a44f55168c0b2bd3c140840d38604f341d6800afab6b3b559315f51201c4b85b861a8596429ca8bb3f460ef99a01")
# spaces inside a valid body: 16 MiB decompressed unless FAKE_PROM_BOMB_MIB says
BOMB_PAD = int(os.environ.get("FAKE_PROM_BOMB_MIB", "16")) << 20
BIG_PAD = 3 << 20
_cache = {}


def cached(key, fn):
    if key not in _cache:
        _cache[key] = fn()
    return _cache[key]


def padded(n):
    return (b'{"status":"success","data":{"resultType":"matrix","result":[' + b" " * n + b"]}}")


def bomb():
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = b'{"status":"success","data":{"resultType":"matrix","result":['
    tail = b"]}}"
    out = [c.compress(head)]
    crc = zlib.crc32(head)
    chunk = b" " * (1 << 20)
    for _ in range(BOMB_PAD >> 20):
        out.append(c.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    out.append(c.compress(tail))
    crc = zlib.crc32(tail, crc)
    out.append(c.flush())
    size = len(head) + BOMB_PAD + len(tail)
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03" + b"".join(out) +
            struct.pack("<II", crc, size & 0xFFFFFFFF))


def flip(data, i, mask):
    return data[:i] + bytes([data[i] ^ mask]) + data[i + 1:]


# Bodies with a Content-Encoding: (encoding, body, bytes actually sent or None).
RAW_MODES = {
    "gzip": lambda: ("gzip", GZ, None),
    "gzipupper": lambda: ("GZIP", GZ, None),
    "gzipmulti": lambda: ("gzip", gz(MATRIX_BODY[:40]) + gz(MATRIX_BODY[40:]), None),
    "gzipname": lambda: ("gzip", gz(MATRIX_BODY, 8, b"resp.json\0"), None),
    "gzipextra": lambda: ("gzip", gz(MATRIX_BODY, 4 | 16 | 8, b"n\0c\0", b"xy\x00z", True), None),
    "gziphcrc": lambda: ("gzip", gz(MATRIX_BODY, 2, hcrc=True), None),
    "gzipbadhcrc": lambda: ("gzip", flip(gz(MATRIX_BODY, 2, hcrc=True), 10, 1), None),
    "gziptrunc": lambda: ("gzip", GZ[: len(GZ) // 2], None),
    "gzipcut": lambda: ("gzip", GZ, len(GZ) // 2),
    "gzipnotrailer": lambda: ("gzip", GZ[:-8], None),
    "gziphalftrailer": lambda: ("gzip", GZ[:-4], None),
    "gzipbadcrc": lambda: ("gzip", flip(GZ, len(GZ) - 8, 1), None),
    "gzipbadsize": lambda: ("gzip", flip(GZ, len(GZ) - 1, 1), None),
    "gziptrailing": lambda: ("gzip", GZ + b"garbage after the member", None),
    "gziptrailingnl": lambda: ("gzip", GZ + b"\n", None),
    "gziptrailingzero": lambda: ("gzip", GZ + b"\0" * 16, None),
    "gzipbadmagic": lambda: ("gzip", MATRIX_BODY, None),
    "gzipbadmethod": lambda: ("gzip", flip(GZ, 2, 1), None),
    "gzipshortheader": lambda: ("gzip", GZ[:5], None),
    "gzipheaderonly": lambda: ("gzip", GZ_HDR, None),
    "gzipnametrunc": lambda: ("gzip", gz(MATRIX_BODY, 8, b"resp.json\0")[:14], None),
    "gzipempty": lambda: ("gzip", b"", None),
    # BFINAL=1 with the reserved block type 3
    "gzipbtype3": lambda: ("gzip", GZ_HDR + b"\x07" + GZ_DEFLATE[1:] + GZ_TRAILER, None),
    # a stored block whose NLEN is not the complement of LEN
    "gzipbadstored": lambda: ("gzip", GZ_HDR + b"\x01\x05\x00\x00\x00hello" + GZ_TRAILER, None),
    # damage in the middle of the Huffman-coded data
    "gzipcorrupt": lambda: ("gzip", flip(GZ, 40, 0xFF), None),
    "gzipcorrupt2": lambda: ("gzip", flip(GZ, 12, 0x55), None),
    "deflate": lambda: ("deflate", zlib.compress(MATRIX_BODY), None),
    "rawdeflate": lambda: ("deflate", raw_deflate(MATRIX_BODY), None),
    "br": lambda: ("br", BR_EMPTY, None),
    "identity": lambda: ("identity", MATRIX_BODY, None),
    "gzipbr": lambda: ("gzip, br", GZ, None),
    "bomb": lambda: ("gzip", cached("bomb", bomb), None),
    "big": lambda: (None, cached("big", lambda: padded(BIG_PAD)), None),
}
STATEFUL = ("flaky503", "flaky429", "flakyreset", "flakystall")
OTHER = ("stall", "truncated", "closenothing", "stallbody", "slowbody", "slow", "apitimeout",
         "always503", "always429", "hugeheaders", "get405gzipbad")
_counts = {}
_lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, body):
        if len(sys.argv) > 3:
            with open(sys.argv[3], "a") as f:
                f.write("%s %s %s %s\n" % (self.command, self.path, body.decode("utf-8", "backslashreplace"),
                                           self.headers.get("Authorization", "-")))
        if os.environ.get("FAKE_PROM_HEADER_LOG"):
            with open(os.environ["FAKE_PROM_HEADER_LOG"], "a") as f:
                f.write("%s %s | %s\n" % (self.command, self.path.split("?")[0],
                                          " | ".join("%s: %s" % kv for kv in self.headers.items())))

    def send_body(self, code, data, encoding=None, extra=(), sent=None):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        if encoding is not None:
            self.send_header("Content-Encoding", encoding)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data if sent is None else data[:sent])
        self.wfile.flush()
        if sent is not None:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    def other(self, mode):
        """Modes that need more than a status and a body; False if not one."""
        parts = self.path.split("?")[0].split("/")
        if mode in STATEFUL:
            key = "/".join(parts[1:3])
            with _lock:
                n = _counts[key] = _counts.get(key, 0) + 1
            if n > 2:
                self.send_body(200, MATRIX_BODY)
            elif mode == "flaky503":
                self.send_body(503, b"unavailable")
            elif mode == "flaky429":
                self.send_body(429, b"slow down", extra=[("Retry-After", "0")])
            elif mode == "flakyreset":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            else:
                time.sleep(3600)
            return True
        if mode == "always503":
            self.send_body(503, b"unavailable")
        elif mode == "always429":
            self.send_body(429, b"slow down", extra=[("Retry-After", "0")])
        elif mode == "apitimeout":
            self.send_body(503, err(503, "timeout", "query timed out in expression evaluation")[1])
        elif mode == "hugeheaders":
            # header lines without end (20 MiB, then it gives up)
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            line = b"X-Pad: " + b"a" * 1000 + b"\r\n"
            try:
                for _ in range(20 << 10):
                    self.wfile.write(line)
            except OSError:
                pass
            self.close_connection = True
        elif mode == "get405gzipbad":
            if self.command == "GET":
                self.send_body(200, MATRIX_BODY)
            else:
                self.send_body(405, b"not gzip", "gzip")
        elif mode == "slow":
            time.sleep(5)
            self.send_body(200, MATRIX_BODY)
        elif mode == "stallbody":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(MATRIX_BODY)))
            self.end_headers()
            self.wfile.write(MATRIX_BODY[: len(MATRIX_BODY) // 2])
            self.wfile.flush()
            time.sleep(3600)
        elif mode == "slowbody":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(MATRIX_BODY)))
            self.end_headers()
            step = len(MATRIX_BODY) // 20 + 1
            for i in range(0, len(MATRIX_BODY), step):
                self.wfile.write(MATRIX_BODY[i:i + step])
                self.wfile.flush()
                time.sleep(0.05)
        else:
            return False
        return True

    def handle_any(self):
        try:
            self.answer()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (a timeout under test)

    def answer(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(n) if n else b""
        self.record(body)
        mode = sys.argv[2]
        first = self.path.split("/")[1] if self.path.startswith("/") else ""
        first = first.split("?")[0]
        if first in MODES or first in RAW_MODES or first in STATEFUL or first in OTHER:
            mode = first
        if mode in RAW_MODES:
            enc, data, sent = RAW_MODES[mode]()
            self.send_body(200, data, enc, sent=sent)
            return
        if self.other(mode):
            return
        if mode == "stall":
            time.sleep(3600)
            return
        if mode == "closenothing":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if mode == "truncated":
            data = json.dumps({"status": "success", "data": MATRIX}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        code, data = MODES[mode](self.command)
        self.send_response(code)
        if code == 302:
            self.send_header("Location", self.path.split("?")[0])
        self.send_header("Content-Type", "application/json")
        if code != 204:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if code != 204:
            self.wfile.write(data)

    do_GET = handle_any
    do_POST = handle_any


def write_port(path, port):
    with open(path + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(path + ".tmp", path)


def stall_listeners(portfile):
    """The .connstall and .silent ports; the sockets live as long as we do."""
    full = socket.socket()
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    port = full.getsockname()[1]
    fillers = []
    for _ in range(3):  # a backlog of 0 still queues one; fill it
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(c)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    held = []

    def hold():
        while True:
            conn, _ = silent.accept()
            held.append(conn)

    threading.Thread(target=hold, daemon=True).start()
    write_port(portfile + ".connstall", port)
    write_port(portfile + ".silent", silent.getsockname()[1])
    return full, fillers, silent, held


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    keep = stall_listeners(sys.argv[1])
    write_port(sys.argv[1], srv.server_address[1])
    srv.serve_forever()
    del keep


main()
