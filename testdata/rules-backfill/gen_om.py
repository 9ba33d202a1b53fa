#!/usr/bin/env python3
"""Writes a deterministic OpenMetrics file of request-duration histograms.

usage: gen_om.py START_UNIX HOURS STEP_S ROUTES TENANTS > out.om

Series: http_request_duration_seconds_bucket{le,route,tenant}, _sum, _count.
Tenant "t0" of route "r0" stops receiving requests after the first third
of the range, so rate(_sum)/rate(_count) turns into NaN there (0/0); the
rules in this directory also produce +Inf/-Inf from it.
"""
import sys

BOUNDS = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"]


def main():
    start, hours, step, nroutes, ntenants = (int(a) for a in sys.argv[1:6])
    n = hours * 3600 // step
    out = sys.stdout
    out.write("# HELP http_request_duration_seconds Request latency.\n")
    out.write("# TYPE http_request_duration_seconds histogram\n")
    state = {}
    for i in range(n + 1):
        ts = start + i * step
        for r in range(nroutes):
            for t in range(ntenants):
                key = (r, t)
                buckets, total, count = state.get(key, ([0] * len(BOUNDS), 0, 0))
                idle = r == 0 and t == 0 and i > n // 3
                if not idle:
                    # Deterministic pseudo-random load per series and step.
                    reqs = 1 + (i * 7 + r * 13 + t * 17) % 11
                    for k in range(reqs):
                        x = ((i * 31 + k * 17 + r * 7 + t * 3) % 97) / 97.0
                        lat = 0.002 + x * x * (0.5 + r * 0.3 + t * 0.2)
                        total += lat
                        count += 1
                        for b, bound in enumerate(BOUNDS):
                            if bound == "+Inf" or lat <= float(bound):
                                buckets[b] += 1
                state[key] = (buckets, total, count)
                lbl = 'route="r%d",tenant="t%d"' % (r, t)
                for b, bound in enumerate(BOUNDS):
                    out.write('http_request_duration_seconds_bucket{%s,le="%s"} %d %d\n' % (lbl, bound, buckets[b], ts))
                out.write("http_request_duration_seconds_sum{%s} %.6f %d\n" % (lbl, total, ts))
                out.write("http_request_duration_seconds_count{%s} %d %d\n" % (lbl, count, ts))
    out.write("# EOF\n")


main()
