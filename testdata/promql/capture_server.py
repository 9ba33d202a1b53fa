#!/usr/bin/env python3
"""Answers every POST like a Prometheus query_range API returning an empty
matrix and appends the request's form field `query` to a JSON-lines file.

Usage: capture_server.py OUTFILE PORTFILE   (binds 127.0.0.1, port 0, and
writes the chosen port to PORTFILE).  Used by regen.sh only."""
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

OUT, PORTFILE = sys.argv[1], sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    def _answer(self, form):
        for q in form.get("query", []):
            with open(OUT, "a", encoding="utf-8") as f:
                f.write(json.dumps(q, ensure_ascii=False) + "\n")
        body = b'{"status":"success","data":{"resultType":"matrix","result":[]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n).decode("utf-8", "surrogateescape")
        form = urllib.parse.parse_qs(raw, keep_blank_values=True, errors="surrogateescape")
        q = urllib.parse.urlparse(self.path).query
        for k, v in urllib.parse.parse_qs(q, keep_blank_values=True).items():
            form.setdefault(k, []).extend(v)
        self._answer(form)

    def do_GET(self):
        q = urllib.parse.urlparse(self.path).query
        self._answer(urllib.parse.parse_qs(q, keep_blank_values=True))

    def log_message(self, *args):
        pass


srv = HTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE, "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
