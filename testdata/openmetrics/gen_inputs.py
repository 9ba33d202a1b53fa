#!/usr/bin/env python3
"""Writes the OpenMetrics inputs of the golden tests into cases/.

Deterministic (fixed seeds), so regen.sh can rebuild everything.  Each case
is <name>.om plus an optional <name>.args holding extra command-line flags.
Bad-input cases live in bad/ and are written by hand by this script too.
"""
import math
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
BAD = os.path.join(HERE, "bad")

T0 = 1_600_000_000  # 2020-09-13T12:26:40Z, not aligned to 2h on purpose


def fmt_ts(ms):
    """Seconds with up to millisecond fractions, as OpenMetrics writers do."""
    s, r = divmod(ms, 1000)
    return "%d" % s if r == 0 else "%d.%03d" % (s, r)


def fmt_val(v):
    if isinstance(v, str):
        return v
    if v != v:
        return "NaN"
    if v == math.inf:
        return "+Inf"
    if v == -math.inf:
        return "-Inf"
    return repr(float(v)) if not float(v).is_integer() or abs(v) >= 1e16 else "%d" % v


def write(name, lines, args=None, eof=True, where=CASES):
    os.makedirs(where, exist_ok=True)
    with open(os.path.join(where, name + ".om"), "w", newline="\n") as f:
        for l in lines:
            f.write(l + "\n")
        if eof:
            f.write("# EOF\n")
    if args is not None:
        with open(os.path.join(where, name + ".args"), "w") as f:
            f.write(args + "\n")


def series(name, labels, samples):
    lab = ",".join('%s="%s"' % kv for kv in labels)
    key = name + ("{" + lab + "}" if labels else "")
    return ["%s %s %s" % (key, fmt_val(v), fmt_ts(t)) for t, v in samples]


def main():
    rnd = random.Random(42)

    # many series, regular 15s scrape, 1h
    lines = ["# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.",
             "# TYPE node_cpu_seconds_total counter"]
    for cpu in range(64):
        for mode in ["idle", "user", "system", "iowait", "irq"]:
            v = rnd.randint(0, 1000)
            pts = []
            for i in range(6):
                v += rnd.random() * 15
                pts.append((T0 * 1000 + i * 15000, round(v, 2)))
            lines += series("node_cpu_seconds_total", [("cpu", str(cpu)), ("mode", mode)], pts)
    write("many_series", lines)

    # one-sample series
    lines = []
    for i in range(30):
        lines += series("one_sample", [("i", str(i))], [(T0 * 1000 + i * 1000, i * 1.5)])
    lines += series("lonely", [], [(T0 * 1000, 42)])
    write("one_sample", lines)

    # irregular intervals: every delta-of-delta width
    lines = []
    for s in range(8):
        t = T0 * 1000
        pts = []
        for i in range(400):
            step = rnd.choice([1, 15000, 15001, 14000, 30000, 60000, 3, 600000, 131071, 524288, 1048577])
            t += step
            pts.append((t, rnd.randint(0, 100)))
        lines += series("irregular", [("s", str(s))], pts)
    write("irregular", lines)

    # gaps inside and across block windows
    lines = []
    for s in range(5):
        pts = []
        t = T0 * 1000
        for i in range(300):
            t += 10000 if rnd.random() > 0.05 else rnd.choice([3600000, 900000, 7200000 + 5])
            pts.append((t, float(i)))
        lines += series("gappy", [("s", str(s))], pts)
    write("gaps", lines)

    # NaN and infinities
    vals = [1, "NaN", "+Inf", "-Inf", 2, "NaN", "NaN", "-Inf", "+Inf", 0, "-0", "nan", "inf", "-inf", "+inf", "Infinity"]
    lines = series("special", [], [(T0 * 1000 + i * 15000, v) for i, v in enumerate(vals)])
    lines += series("only_nan", [], [(T0 * 1000 + i * 15000, "NaN") for i in range(5)])
    write("special_values", lines)

    # counter resets
    lines = ["# TYPE http_requests_total counter"]
    for s in range(4):
        v, pts = 0, []
        for i in range(500):
            v = 0 if rnd.random() < 0.02 else v + rnd.randint(0, 50)
            pts.append((T0 * 1000 + i * 15000, v))
        lines += series("http_requests_total", [("code", str(200 + s))], pts)
    write("counter_resets", lines)

    # out-of-order and duplicate samples inside one appender batch (< 5000)
    b = T0 * 1000
    lines = []
    lines += series("ooo", [("k", "a")], [(b, 1), (b + 15000, 2), (b + 5000, 3), (b + 30000, 4), (b + 30000, 4),
                                          (b + 30000, 5), (b + 45000, 6), (b + 1000, 7), (b + 60000, 8)])
    lines += series("ooo", [("k", "b")], [(b + 60000, 1), (b, 2), (b + 120000, 3)])
    lines += series("ooo", [("k", "a")], [(b + 50000, 9), (b + 75000, 10)])
    write("ooo_dups", lines)

    # values that stress XOR
    lines = []
    pts = [(T0 * 1000 + i * 15000, rnd.uniform(-1e6, 1e6)) for i in range(300)]
    lines += series("xor", [("kind", "random")], pts)
    pts = [(T0 * 1000 + i * 15000, struct.unpack("<d", struct.pack("<Q", rnd.getrandbits(63)))[0]) for i in range(300)]
    pts = [(t, v) for t, v in pts if v == v and not math.isinf(v)]
    lines += series("xor", [("kind", "bits")], pts)
    lines += series("xor", [("kind", "constant")], [(T0 * 1000 + i * 15000, 3.14159) for i in range(300)])
    lines += series("xor", [("kind", "integers")], [(T0 * 1000 + i * 15000, rnd.randint(-2**40, 2**40)) for i in range(300)])
    lines += series("xor", [("kind", "tiny")], [(T0 * 1000 + i * 15000, rnd.random() * 1e-300) for i in range(300)])
    lines += series("xor", [("kind", "huge")], [(T0 * 1000 + i * 15000, rnd.random() * 1e300) for i in range(300)])
    lines += series("xor", [("kind", "denormal")], [(T0 * 1000 + i * 15000, ["5e-324", "1e-310", "0", "-5e-324"][i % 4]) for i in range(40)])
    lines += series("xor", [("kind", "alternating")], [(T0 * 1000 + i * 15000, [1e308, -1e-308, 0.1, 7][i % 4]) for i in range(300)])
    write("xor_values", lines)

    # label values needing escapes, UTF-8, empty values, many labels
    lines = []
    lines += series("esc", [("a", r'quote\"inside'), ("b", "back\\\\slash"), ("c", r"new\nline")], [(T0 * 1000, 1)])
    lines += series("esc", [("a", r"tab\tstays"), ("b", "ünïcödé ✓"), ("c", "")], [(T0 * 1000, 2)])
    lines += series("esc", [("a", r"\\n"), ("z", "last")], [(T0 * 1000, 3)])
    lines += series("esc", [("a", "x"), ("b", "")], [(T0 * 1000, 4), (T0 * 1000 + 1000, 5)])
    lines += series("esc", [("a", "x")], [(T0 * 1000 + 2000, 6)])
    lines += series("esc_many", [("l%02d" % i, "v%d" % i) for i in range(30, 0, -1)], [(T0 * 1000, 1)])
    lines += series("colon:name_total", [("__name__x", "y"), ("_", "underscore")], [(T0 * 1000, 1)])
    write("escapes", lines)

    # series crossing 2h boundaries, printed human-readable
    lines = []
    for s in range(6):
        pts = [(T0 * 1000 - 3 * 3600000 + i * 60000 + s * 7, float(i % 17)) for i in range(8 * 60)]
        lines += series("crossing", [("s", str(s))], pts)
    write("cross_2h", lines, args="-r")

    # dense series: chunk cutting at 240 samples and by computeChunkEndTime
    lines = []
    lines += series("dense", [("rate", "1s")], [(T0 * 1000 + i * 1000, i) for i in range(2400)])
    lines += series("dense", [("rate", "100ms")], [(T0 * 1000 + i * 100, i % 7) for i in range(3000)])
    lines += series("dense", [("rate", "speedup")], [(T0 * 1000 + (i * 60000 if i < 100 else 6000000 + (i - 100) * 1000), i) for i in range(2000)])
    write("chunk_cutting", lines, args="-q")

    # long ranges with bigger blocks
    lines = []
    for s in range(3):
        pts = [(T0 * 1000 + i * 300000 + s, float(i)) for i in range(12 * 24 * 2)]
        lines += series("long", [("s", str(s))], pts)
    write("long_6h", lines, args="--max-block-duration=6h")
    write("long_24h", lines, args="--max-block-duration=24h -r")
    write("long_1h", lines[: 12 * 10], args="--max-block-duration=1h")

    # timestamps: fractions, exponents, negative and zero
    lines = []
    lines += series("ts_forms", [], [(0, 1)])
    lines.append("ts_forms 2 0.001")
    lines.append("ts_forms 3 1.5e1")
    lines.append("ts_forms 4 16.0005")
    lines.append("ts_forms 5 17.9999")
    lines += series("negative", [], [(-7200000 - 1, 1), (-3600000, 2), (-1, 3)])
    write("timestamps", lines)

    # metadata, exemplars and all entry kinds
    lines = ["# HELP foo_seconds A help text with \\\\ and \\n escapes and ünïcode.",
             "# TYPE foo_seconds histogram",
             "# UNIT foo_seconds seconds",
             'foo_seconds_bucket{le="0.1"} 1 %d # {trace_id="abc"} 0.05 %d.5' % (T0, T0),
             'foo_seconds_bucket{le="+Inf"} 2 %d # {} 1' % T0,
             "foo_seconds_sum 3.5 %d" % T0,
             "foo_seconds_count 2 %d" % T0,
             "# TYPE bar_total counter",
             "# HELP bar_total ",
             'bar_total 1 %d # {a="b",c="d"} 1 %d' % (T0, T0),
             "# TYPE up gauge",
             "# UNIT up ",
             "up 1 %d" % T0,
             "# TYPE info_metric info",
             'info_metric{version="1.0"} 1 %d' % T0]
    write("metadata_exemplars", lines)

    # Several windows in other orders than time order (the one-pass importer
    # must give every window its own samples in file order): round-robin
    # across windows, and windows last to first.  Over 5000 samples in some
    # windows, so commits fall inside them.
    by_window = {}
    for s in range(12):
        for i in range(6 * 240):
            t = T0 * 1000 + i * 15000 + s * 3
            by_window.setdefault(t // 7200000, []).append(
                series("multi", [("s", str(s))], [(t, float((i * 7 + s) % 101) / 4)])[0])
    # series of one window in time order, the windows' lines merged
    for w in by_window:
        by_window[w].sort(key=lambda l: float(l.rsplit(" ", 1)[1]))
    order = sorted(by_window)
    rr = []
    for k in range(max(len(v) for v in by_window.values())):
        for w in order:
            if k < len(by_window[w]):
                rr.append(by_window[w][k])
    write("windows_round_robin", rr)
    write("windows_reversed", [l for w in reversed(order) for l in by_window[w]])
    # a sample older than one of its series already in the same batch is
    # dropped silently, in whatever window it falls
    lines = [l for w in order for l in by_window[w]]
    lines.insert(len(lines) // 2, series("multi", [("s", "0")], [(T0 * 1000 + 3600000, 9)])[0])
    write("windows_batch_drop", lines)

    write_bad()


def write_bad():
    b = T0
    cases = {
        # parse errors: one per message of openmetricsparse.go
        "no_eof": ["foo 1 %d" % b],
        "no_eof_newline": None,
        "missing_timestamp": ["foo 1"],
        "missing_timestamp_later": ["foo 1 %d" % b, 'bar{a="b"} 2'],
        "bad_value": ["foo abc %d" % b],
        "bad_value_p": ["foo 0x1p3 %d" % b],
        "bad_value_range": ["foo 1e999 %d" % b],
        "bad_timestamp": ["foo 1 abc"],
        "nan_timestamp": ["foo 1 NaN"],
        "extra_field": ["foo 1 2 3"],
        "label_no_equal": ['foo{a} 1 %d' % b],
        "label_no_value": ['foo{a=} 1 %d' % b],
        "label_trailing_comma": ['foo{a="b",} 1 %d' % b],
        "label_leading_comma": ['foo{,a="b"} 1 %d' % b],
        "label_no_comma": ['foo{a="b" c="d"} 1 %d' % b],
        "label_unterminated": ['foo{a="b} 1 %d' % b],
        "blank_line": ["foo 1 %d" % b, ""],
        "comment_line": ["# just a comment", "foo 1 %d" % b],
        "bad_start": ["1foo 1 %d" % b],
        "hash_no_space": ["#TYPE foo counter"],
        "bad_type": ["# TYPE foo countr"],
        "type_no_text": ["# TYPE foo"],
        "help_no_name": ["# HELP  text"],
        "bad_unit": ["# UNIT foo_bytes seconds"],
        "data_after_eof": None,
        "exemplar_not_allowed": ['foo 1 %d # {a="b"} 1' % b],
        "exemplar_bad_ts": ['foo_total 1 %d # {a="b"} 1 NaN' % b],
        "two_spaces": ["foo  1 %d" % b],
        # errors in several shares of a parallel first pass: the first wins
        "two_errors": ["ok %d %d" % (i, b + i) for i in range(40)] + ["ok{a=1} 1 %d" % b]
                      + ["ok %d %d" % (i, b + i) for i in range(40, 80)] + ["ok 1"]
                      + ["ok %d %d" % (i, b + i) for i in range(80, 120)],
        "eof_in_middle": ["ok %d %d" % (i, b + i) for i in range(60)] + ["# EOF"]
                         + ["ok %d %d" % (i, b + i) for i in range(60, 120)],
        "dup_label": ['foo{a="1",a="2"} 1 %d' % b],
        "empty_name_label": ['foo{__name__=""} 1 %d' % b],
        # appender errors: across 5000-sample batches
        "ooo_across_batches": ["foo 1 %d" % (b + 10)] + ["a 0 %d" % b] * 4999 + ["foo 2 %d" % (b + 5)],
        "ooo_within_batch": ["a 0 %d" % b] * 5000 + ["foo 1 %d" % (b + 10), "foo 2 %d" % (b + 5)],
        "dup_across_batches": ["a 0 %d" % b] * 4999 + ["foo 1 %d" % b, "foo 2 %d" % b],
        "dup_same_value_ok": ["a 0 %d" % b] * 4999 + ["foo 1 %d" % b, "foo 1 %d" % b, "foo 2 %d.001" % b],
        # an append error in a later window: the blocks of the windows before
        # it are written (and printed), nothing after; window order, not file
        # order, decides -- the failing window comes first in the file here
        "error_later_window": ["late 1 %d" % (b + 3 * 7200 + 10)] + ["pad 0 %d" % (b + 3 * 7200)] * 4999
                              + ["late 2 %d" % (b + 3 * 7200 + 5)]
                              + ["ok %d %d" % (i, b + i * 60) for i in range(3 * 120)]
                              + ["after 1 %d" % (b + 5 * 7200)],
        # two failing windows: the earlier one's error
        "error_two_windows": ["ok %d %d" % (i, b + i * 60) for i in range(4 * 120)]
                             + ["late 1 %d" % (b + 3 * 7200 + 10)] + ["pad 0 %d" % (b + 3 * 7200)] * 4999
                             + ["late 2 %d" % (b + 3 * 7200 + 5)]
                             + ['dup{a="1",a="2"} 1 %d' % (b + 7200 + 1)],
    }
    for name, lines in cases.items():
        if lines is None:
            continue
        write(name, lines, where=BAD, eof=name != "no_eof")
    os.makedirs(BAD, exist_ok=True)
    with open(os.path.join(BAD, "no_eof_newline.om"), "w") as f:
        f.write("foo 1 %d\n# EOF" % b)
    with open(os.path.join(BAD, "data_after_eof.om"), "w") as f:
        f.write("foo 1 %d\n# EOF\nbar 1 %d\n" % (b, b))


if __name__ == "__main__":
    main()
