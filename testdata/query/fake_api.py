#!/usr/bin/env python3
"""A stand-in for the Prometheus HTTP API, for the query goldens' cases a
real Prometheus 2.42 cannot be made to produce on demand (5xx answers, a
POST refused with 405/501, warnings) and to show exactly what the client
sent.

usage: fake_api.py PORTFILE   (listens on 127.0.0.1, a free port, written
                               to PORTFILE once listening; runs until killed)

The first path segment picks the behaviour; the rest is the API path:
  /echo/api/v1/...      answers with what was asked: method, API path, query
                        string, body and headers (Host left out) as the
                        labels (or, for label values, the strings) of a
                        result of the endpoint's type
  /nopost/..., /notimpl/...  405 / 501 to a POST, /echo's answer to a GET
  /status/CODE/...      status CODE, body "boom\\n" (500: empty body)
  /raw/NAME/...         a fixed body from RAW below, status 200 unless
                        NAME says otherwise
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

RAW = {
    "html": (200, "<html><body>not the API</body></html>\n"),
    "empty": (200, ""),
    "warnings": (200, '{"status":"success","data":["v1","v2"],"warnings":["careful","more care"]}'),
    "warnerr": (400, '{"status":"error","errorType":"bad_data","error":"no","warnings":["w"]}'),
    "string": (200, '{"status":"success","data":{"resultType":"string","result":[1700000000.5,"x"]}}'),
    "inconsistent": (422, '{"status":"success","data":[]}'),
    "nocontent": (204, ""),
    "exectype": (503, '{"status":"error","errorType":"timeout","error":"query timed out in query queue"}'),
    "detailspace": (502, "  bad gateway \n\n"),
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body, ctype="application/json"):
        data = body.encode()
        self.send_response(code)
        if code != 204:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if code != 204:
            self.wfile.write(data)

    def echo(self, api, query, body):
        hdrs = "\n".join("%s: %s" % (k, v) for k, v in sorted(self.headers.items()) if k.lower() != "host")
        labels = {"method": self.command, "path": api, "query": query, "body": body, "headers": hdrs}
        if api == "/api/v1/query":
            data = {"resultType": "vector", "result": [{"metric": labels, "value": [1700000000, "1"]}]}
        elif api == "/api/v1/query_range":
            data = {"resultType": "matrix", "result": [{"metric": labels, "values": [[1700000000, "1"]]}]}
        elif api == "/api/v1/series":
            data = [labels]
        else:
            data = ["%s=%s" % kv for kv in sorted(labels.items())]
        self.reply(200, json.dumps({"status": "success", "data": data}))

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("latin-1") if n else ""
        path, _, query = self.path.partition("?")
        parts = path.split("/", 3)
        mode = parts[1] if len(parts) > 1 else ""
        if mode in ("echo", "nopost", "notimpl"):
            api = "/" + "/".join(parts[2:])
            if self.command == "POST" and mode != "echo":
                self.reply(405 if mode == "nopost" else 501, "no POST here\n", "text/plain")
            else:
                self.echo(api, query, body)
        elif mode == "status" and len(parts) > 2:
            code = int(parts[2])
            self.reply(code, "" if code == 500 else "boom\n", "text/plain")
        elif mode == "raw" and len(parts) > 2 and parts[2] in RAW:
            code, text = RAW[parts[2]]
            self.reply(code, text)
        else:
            self.reply(404, "404 page not found\n", "text/plain")

    do_GET = handle_any
    do_POST = handle_any


def main():
    srv = HTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


main()
