#!/usr/bin/env python3
"""Writes the deterministic OpenMetrics fixture of the query goldens.

usage: gen_om.py START_UNIX > fixture.om

Three hours of samples every 60s from START_UNIX, so the import makes two
2h blocks.  The series are chosen for what `promtool query` prints:
label values Go quotes and JSON escapes (quotes, backslashes, newlines,
HTML characters, non-ASCII), label names whose "name=value" strings sort
differently from the names (a, a0, a_b), values printed with and without
exponents (tiny, huge, negative, NaN, +Inf, -Inf), a series that stops
after the first hour, one that starts in the second block, and a metric
with no labels but its name.
"""
import sys


def esc(v):
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")


def lbl(d):
    return "{" + ",".join('%s="%s"' % (k, esc(v)) for k, v in d) + "}" if d else ""


def main():
    start = int(sys.argv[1])
    n = 180
    fams = []
    # name, [(labels, fn(i) -> value or None)]
    fams.append(("up", [
        ([("job", "api"), ("instance", "a:9090")], lambda i: "1"),
        ([("job", "api"), ("instance", "b:9090")], lambda i: "1" if i < 90 else "0"),
        ([("job", "db"), ("instance", "c:5432")], lambda i: "1"),
    ]))
    routes = ["/users", "/orders", "/health"]
    fams.append(("http_requests_total", [
        ([("job", "api"), ("route", r), ("code", c)],
         (lambda ri, c: lambda i: str(i * (3 + ri) * (2 if c == "200" else 1) + ri))(ri, c))
        for ri, r in enumerate(routes) for c in ("200", "500")
    ]))
    fams.append(("http_request_duration_seconds:p95_5m_by_route_tenant", [
        ([("route", r), ("tenant", t)],
         (lambda ri, ti: lambda i: "%.3f" % (0.05 + ri * 0.1 + ti * 0.01 + (i % 7) * 0.003))(ri, ti))
        for ri, r in enumerate(routes) for ti, t in enumerate(("acme", "globex"))
    ]))
    fams.append(("temp", [
        ([("a", "x"), ("a0", "y"), ("a_b", "z")], lambda i: "%.1f" % (20 + (i % 10) * 0.5)),
        ([("a", "x0")], lambda i: "-%.2f" % (1 + (i % 4) * 0.25)),
    ]))
    fams.append(("weird", [
        ([("html", "<b>&amp;</b>"), ("quote", 'say "hi"'), ("nl", "line1\nline2"),
          ("uni", "日本é"), ("back", "c:\\dir"), ("tab", "a\tb")], lambda i: "7"),
    ]))
    fams.append(("values", [
        ([("kind", "big")], lambda i: "1e+21"),
        ([("kind", "bigger")], lambda i: "1.2345e+30"),
        ([("kind", "tiny")], lambda i: "1.5e-07"),
        ([("kind", "small")], lambda i: "0.000001"),
        ([("kind", "frac")], lambda i: "%.6f" % (1.0 / (i + 3))),
        ([("kind", "neg")], lambda i: "-2.5"),
        ([("kind", "nan")], lambda i: "NaN"),
        ([("kind", "inf")], lambda i: "+Inf"),
        ([("kind", "ninf")], lambda i: "-Inf"),
        ([("kind", "int")], lambda i: "12345678901234567"),
    ]))
    fams.append(("early", [
        ([("phase", "first-hour")], lambda i: str(i) if i <= 60 else None),
    ]))
    fams.append(("late", [
        ([("phase", "second-block")], lambda i: str(i) if i >= 130 else None),
    ]))
    fams.append(("lonely", [([], lambda i: "42")]))
    out = sys.stdout
    for name, series in fams:
        for i in range(n + 1):
            ts = start + i * 60
            for labels, fn in series:
                v = fn(i)
                if v is not None:
                    out.write("%s%s %s %d\n" % (name, lbl(labels), v, ts))
    out.write("# EOF\n")


main()
