#!/usr/bin/env python3
"""Writes demo.om, the OpenMetrics file `make demo` imports.

12 hours of 30s scrapes (2020-09-13 00:00 to 12:00 UTC) of a small web
service: a request-duration histogram per route and tenant, request and
error counters, and an in-flight gauge.  Deterministic (fixed seed); each
metric family is contiguous, with its HELP/TYPE/UNIT first, as OpenMetrics
requires.
"""
import os
import random

rnd = random.Random(2042)
START = 1599955200  # 2020-09-13T00:00:00Z
STEP = 30
N = 12 * 3600 // STEP
ROUTES = ["/api/orders", "/api/users"]
TENANTS = ["acme", "globex"]
LE = ["0.05", "0.1", "0.25", "1", "+Inf"]
BOUNDS = [0.05, 0.1, 0.25, 1.0, float("inf")]


def main():
    out = []
    hist = {}
    for r in ROUTES:
        for t in TENANTS:
            counts = [0] * len(LE)
            total, s = 0, 0.0
            rows = []
            for i in range(N):
                # diurnal-ish load: more traffic mid-day
                load = 20 + int(15 * (1 + ((i % 1440) / 1440.0)))
                for _ in range(rnd.randint(load // 2, load)):
                    d = rnd.lognormvariate(-2.6 if r.endswith("users") else -2.0, 0.8)
                    for k, b in enumerate(BOUNDS):
                        if d <= b:
                            counts[k] += 1
                    total += 1
                    s += d
                rows.append((START + i * STEP, list(counts), round(s, 3), total))
            hist[(r, t)] = rows
    out.append("# HELP http_request_duration_seconds Time spent serving HTTP requests.")
    out.append("# TYPE http_request_duration_seconds histogram")
    out.append("# UNIT http_request_duration_seconds seconds")
    for (r, t), rows in hist.items():
        for k, le in enumerate(LE):
            for ts, counts, _, _ in rows:
                out.append('http_request_duration_seconds_bucket{le="%s",route="%s",tenant="%s"} %d %d' % (le, r, t, counts[k], ts))
        for ts, _, s, _ in rows:
            out.append('http_request_duration_seconds_sum{route="%s",tenant="%s"} %s %d' % (r, t, repr(s), ts))
        for ts, _, _, c in rows:
            out.append('http_request_duration_seconds_count{route="%s",tenant="%s"} %d %d' % (r, t, c, ts))
    out.append("# HELP http_errors Requests answered with a 5xx status.")
    out.append("# TYPE http_errors counter")
    for (r, t), rows in hist.items():
        errs = 0
        for ts, _, _, c in rows:
            errs += 1 if rnd.random() < 0.02 else 0
            out.append('http_errors_total{route="%s",tenant="%s"} %d %d' % (r, t, errs, ts))
    out.append("# HELP http_requests_in_flight Requests being served.")
    out.append("# TYPE http_requests_in_flight gauge")
    for i in range(N):
        out.append("http_requests_in_flight %d %d" % (rnd.randint(0, 12), START + i * STEP))
    out.append("# EOF")
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo.om"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
