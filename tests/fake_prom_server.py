#!/usr/bin/env python3
"""A fake Prometheus query API for fault tests of `tsdb create-blocks-from rules`.

usage: fake_prom_server.py PORTFILE MODE [REQUEST_LOG]

Listens on 127.0.0.1 on a free port, writes the port to PORTFILE, and
answers every request according to MODE (see MODES below, plus "stall",
"truncated" and "closenothing").  A request whose first path segment names
a mode ("/error500/api/v1/query_range") gets that mode instead, so one
server can play every fault in turn.  Each request is appended to REQUEST_LOG as one line
"METHOD PATH?QUERY BODY AUTHORIZATION" so tests can check what was sent.
The server exits when its parent kills it; tests always do.
"""
import http.server
import json
import socket
import sys
import time

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
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, body):
        if len(sys.argv) > 3:
            with open(sys.argv[3], "a") as f:
                f.write("%s %s %s %s\n" % (self.command, self.path, body.decode(),
                                           self.headers.get("Authorization", "-")))

    def handle_any(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(n) if n else b""
        self.record(body)
        mode = sys.argv[2]
        first = self.path.split("/")[1] if self.path.startswith("/") else ""
        first = first.split("?")[0]
        if first in MODES or first in ("stall", "truncated", "closenothing"):
            mode = first
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


def main():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


main()
