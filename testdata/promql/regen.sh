#!/bin/bash
# Regenerates testdata/promql/golden.jsonl with the REAL promtool 2.42:
#   {"in": <expression>, "out": <2.42's Expr.String()>}   or
#   {"in": <expression>, "err": <2.42's parse error text>}
#
# Corpus: every `eval*` expression of ../shared/conformance/promqltest-v2.42,
# every `expr:` of the promtool-v2.42 and rulefmt-v2.42 YAML files, and our
# own cases in testdata/promql/extra.txt (one per line; lines starting with
# "## " and blank lines are skipped; U+23CE "⏎" stands for a newline).
#
# How the truth is obtained without Go:
#  - errors: `promtool check rules` on one file holding one recording rule
#    per expression; it lists every rule that does not parse with the
#    parser's exact message (we keep the text after "could not parse
#    expression: ").
#  - printing: `promtool tsdb create-blocks-from rules` sends each rule's
#    String() as the `query` form field of its query_range request; a tiny
#    local server (capture_server.py, 127.0.0.1 only) records them in order.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
conf=${CONFORMANCE_DIR:-$root/../shared/conformance}
promtool=${PROMTOOL:-/usr/bin/promtool}
tmp=$(mktemp -d)
srv=
cleanup() { [ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# 1. The corpus, deduplicated, in a stable order.
python3 - "$conf" "$here/extra.txt" "$tmp/corpus.json" <<'PY'
import glob, json, re, sys, yaml
conf, extra, out = sys.argv[1:]
exprs = []
for f in sorted(glob.glob(conf + "/promqltest-v2.42/*.test")):
    for line in open(f, encoding="utf-8"):
        m = re.match(r"^\s*eval(?:_fail|_ordered)?\s+instant\s+at\s+\S+\s+(.*?)\s*$", line)
        if m:
            exprs.append(m.group(1))
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if k == "expr" and isinstance(x, str):
                exprs.append(x)
            else:
                walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
for f in sorted(glob.glob(conf + "/promtool-v2.42/*.yml") + glob.glob(conf + "/rulefmt-v2.42/*.yaml")):
    try:
        for doc in yaml.safe_load_all(open(f, encoding="utf-8")):
            walk(doc)
    except yaml.YAMLError:
        pass
for line in open(extra, encoding="utf-8"):
    line = line.rstrip("\n")
    if not line or line.startswith("## "):
        continue
    exprs.append(line.replace("\u23ce", "\n"))
seen, uniq = set(), []
for e in exprs:
    if e not in seen:
        seen.add(e)
        uniq.append(e)
json.dump(uniq, open(out, "w"))
PY

# 2. Parse errors: one rule per expression, all in one file.
python3 - "$tmp/corpus.json" "$tmp/all.yml" <<'PY'
import json, sys
exprs = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write("groups:\n- name: g\n  rules:\n")
    for i, e in enumerate(exprs):
        f.write("  - record: r%d\n    expr: %s\n" % (i, json.dumps(e, ensure_ascii=False)))
PY
"$promtool" check rules "$tmp/all.yml" >"$tmp/check.out" 2>&1 || true

python3 - "$tmp/corpus.json" "$tmp/check.out" "$tmp/errs.json" "$tmp/ok.yml" <<'PY'
import json, re, sys
exprs = json.load(open(sys.argv[1]))
text = open(sys.argv[2], encoding="utf-8", errors="surrogateescape").read()
errs = {}
pat = re.compile(r'group "g", rule \d+, "r(\d+)": could not parse expression: (.*?)(?=\n\S+: \d+:\d+: group "g"|\n*\Z)', re.S)
for m in pat.finditer(text):
    errs[int(m.group(1))] = m.group(2)
json.dump({str(k): v for k, v in errs.items()}, open(sys.argv[3], "w"))
with open(sys.argv[4], "w", encoding="utf-8") as f:
    f.write("groups:\n- name: g\n  rules:\n")
    for i, e in enumerate(exprs):
        if i not in errs:
            f.write("  - record: r%d\n    expr: %s\n" % (i, json.dumps(e, ensure_ascii=False)))
PY

# 3. Printed form: backfill against the capture server.
python3 "$here/capture_server.py" "$tmp/queries.jsonl" "$tmp/port" &
srv=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
"$promtool" tsdb create-blocks-from rules --start=1000 --end=2000 \
	--url="http://127.0.0.1:$(cat "$tmp/port")" --output-dir="$tmp/blocks" "$tmp/ok.yml" >"$tmp/backfill.log" 2>&1

python3 - "$tmp/corpus.json" "$tmp/errs.json" "$tmp/queries.jsonl" "$here/golden.jsonl" <<'PY'
import json, sys
exprs = json.load(open(sys.argv[1]))
errs = {int(k): v for k, v in json.load(open(sys.argv[2])).items()}
queries = [json.loads(l) for l in open(sys.argv[3], encoding="utf-8")]
ok = [i for i in range(len(exprs)) if i not in errs]
if len(queries) != len(ok):
    sys.exit("regen: %d queries captured for %d rules" % (len(queries), len(ok)))
printed = dict(zip(ok, queries))
skipped = 0
with open(sys.argv[4], "w", encoding="utf-8") as f:
    for i, e in enumerate(exprs):
        rec = {"in": e, "err": errs[i]} if i in errs else {"in": e, "out": printed[i]}
        try:
            line = json.dumps(rec, ensure_ascii=False)
            line.encode("utf-8")
        except UnicodeEncodeError:
            # promtool's text holds bytes that are not UTF-8 (e.g. a regexp
            # error quoting a "\xff" escape); JSON cannot carry them
            skipped += 1
            continue
        f.write(line + "\n")
print("regen: %d expressions, %d errors, %d not representable in JSON" % (len(exprs), len(errs), skipped))
PY

# 4. Regexp matching: every regexp of regex_cases.txt against a fixed set
#    of label values, through `promtool test rules` (the "got" series of a
#    test expecting nothing list the matches).
python3 - "$here/regex_cases.txt" "$tmp/re_test.yml" "$tmp/re_cases.json" <<'PY'
import json, sys
VALUES = ["", "a", "A", "b", "ab", "aB", "abc", "aaa", "foo", "a.b", "axb", "x-y", "-", "5", "z",
          "_", " ", "\t", "\n", "\x0b", "\x0c", "\r", "\x07", "\x00", "a\nb", "ab\n", "\xff", "é", "É",
          "日本", "日", "k", "K", "\u212a", "s", "S", "\u017f", "{", "x{,2}", "\\", "$", "^", "12",
          "0", "A.b", "αβ", "Ω", "a b", "ba"]
res = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")
       if l.strip() and not l.startswith("## ")]
def q(s):
    # a Go-syntax double-quoted PromQL string; \xff must stay one byte
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"' or ch == '\\':
            out.append('\\' + ch)
        elif ch == "\xff":
            out.append("\\xff")
        elif o < 0x20 or o == 0x7f:
            out.append("\\x%02x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write("rule_files: []\nevaluation_interval: 1m\ntests:\n- interval: 1m\n  input_series:\n")
    for i, v in enumerate(VALUES):
        f.write("  - series: %s\n    values: '1'\n" % json.dumps('m{id="%d",v=%s}' % (i, q(v)), ensure_ascii=False))
    f.write("  promql_expr_test:\n")
    for i, r in enumerate(res):
        expr = 'm{v=~"%s",id!="r%d"}' % (r, i)
        f.write("  - expr: %s\n    eval_time: 0\n    exp_samples: []\n" % json.dumps(expr, ensure_ascii=False))
json.dump({"values": VALUES, "res": res}, open(sys.argv[3], "w"))
PY
"$promtool" test rules "$tmp/re_test.yml" >"$tmp/re_test.out" 2>&1 || true
python3 - "$tmp/re_cases.json" "$tmp/re_test.out" "$here/regex_golden.json" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
text = open(sys.argv[2], encoding="utf-8", errors="surrogateescape").read()
got = {}
cur = None
for line in text.split("\n"):
    m = re.search(r'id!=\\"r(\d+)\\"', line)
    if line.strip().startswith("expr:") and m:
        cur = int(m.group(1))
    elif line.strip().startswith("got:") and cur is not None:
        got[cur] = sorted(int(x) for x in re.findall(r'id="(\d+)"', line))
        cur = None
if not got:
    sys.exit("regen: promtool test rules failed:\n" + text[:2000])
cases = [{"re": r, "matches": got.get(i, [])} for i, r in enumerate(d["res"])]
# values as hex of their bytes ("\xff" is the single byte 0xff)
hexes = [(v.encode("latin-1") if v == "\xff" else v.encode("utf-8")).hex() for v in d["values"]]
with open(sys.argv[3], "w", encoding="utf-8") as f:
    f.write('{"values_hex": %s,\n "cases": [\n' % json.dumps(hexes))
    f.write(",\n".join(json.dumps(c, ensure_ascii=False) for c in cases))
    f.write("\n]}\n")
print("regen: %d regexps x %d values" % (len(cases), len(d["values"])))
PY
