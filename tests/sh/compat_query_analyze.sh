#!/usr/bin/env bash
# query analyze (--compat=2.50 and later) against a real Prometheus 2.42
# holding classic histograms: an OpenMetrics file of *_bucket series
# (written below) backfilled by the real promtool 2.42 into the server's
# data dir before it starts on a free port of 127.0.0.1 (stopped by PID).
# No promtool 2.50+ is installed: every expected line is worked out by
# hand from cmd/promtool/analyze.go at v2.50.0 (= v3.14.0 in effect):
# getStatsFromMetrics (one instant query "<match>[1h0m0s]" per --match,
# outputHeader/outputFooter), calcClassicBucketStatistics with
# getBucketCountsAtTime (populated = int(cumulative - previous) != 0, the
# sample count of the first series as the server listed it, a short bucket
# ending the count, a timestamp mismatch an error), statistics.String and
# metaStatistics.String, and model.LabelSet.String of prometheus/common
# v0.46.0 (promtool 2.50; sorts the name="value" strings) and v0.53.0
# (2.52; sorts the names).  Errors are checkErr's: stderr, exit 1.  The
# server's own error text is checked against the real promtool 2.42's
# `query instant` of the same expression (its "query error: " prefix off).
. "$(dirname "$0")/../lib.sh"
. testdata/query/lib.sh
require_cmd compat_query_analyze prometheus python3 promtool || exit 0
export TZ=UTC
w=$TMPROOT/qanalyze
mkdir -p "$w"
PPID_=
trap '[ -n "$PPID_" ] && kill "$PPID_" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMPROOT"' EXIT
T0=1700000000
T=$((T0 + 600))

# h NAME LABELS LE V0 V1 V2 V3: one bucket series, samples a minute apart
# from T0 ("-": no sample); LE "" leaves the le label out.
h() {
	local n=$1 l=$2 le=$3 i=0 v sel
	shift 3
	sel=$l
	[ -n "$le" ] && sel="${l}${l:+,}le=\"$le\""
	for v in "$@"; do
		[ "$v" != - ] && echo "${n}_bucket{${sel}} $v $((T0 + 60 * i))"
		i=$((i + 1))
	done
}
{
	# populated per minute: a 0,1,3,4 of 4 buckets; b 0,1,2,2
	h req_duration_seconds 'job="a"' 0.1 0 1 1 2
	h req_duration_seconds 'job="a"' 0.5 0 1 3 5
	h req_duration_seconds 'job="a"' 1 0 1 4 7
	h req_duration_seconds 'job="a"' +Inf 0 1 4 8
	h req_duration_seconds 'job="b"' 0.1 0 0 0 0
	h req_duration_seconds 'job="b"' 0.5 0 0 0 0
	h req_duration_seconds 'job="b"' 1 0 5 5 5
	h req_duration_seconds 'job="b"' +Inf 0 5 6 6
	echo "req_duration_seconds_count{job=\"a\"} 8 $T0"
	# le="1" stops after two samples: later minutes count 0.1 and 0.5
	# only: 0,3,2,2; +Inf comes first from the server (so 4 samples)
	h short '' 0.1 0 1 1 2
	h short '' 0.5 0 2 2 4
	h short '' 1 0 3 - -
	h short '' +Inf 0 3 5 9
	# int(0.5) and int(0.7) are 0: 0, then 2
	h frac '' 1 0.5 1.5 - -
	h frac '' +Inf 1.2 3.0 - -
	h lbl 'a="x",a1="y"' 1 0 1 - -
	h lbl 'a="x",a1="y"' +Inf 0 2 - -
	# one sample: errNotEnoughData, skipped
	h one '' 1 1 - - -
	h one '' +Inf 2 - - -
	# 0.5 lacks the second minute: not time aligned
	h misaligned '' 0.1 0 1 1 2
	h misaligned '' 0.5 0 - 3 5
	h misaligned '' +Inf 0 1 4 8
	# no le label: skipped
	h nole '' '' 1 2 3 4
	echo "# EOF"
} >"$w/h.om"
if ! promtool tsdb create-blocks-from openmetrics "$w/h.om" "$w/data" >"$w/import.log" 2>&1; then
	fail compat_query_analyze_fixture "promtool 2.42 cannot import the fixture" "$(tail -n 3 "$w/import.log")"
	exit 0
fi
printf 'global:\n  scrape_interval: 15s\n' >"$w/prometheus.yml"
PP=$(q_free_port)
prometheus --config.file="$w/prometheus.yml" --storage.tsdb.path="$w/data" --storage.tsdb.retention.time=100y \
	--web.listen-address="127.0.0.1:$PP" >"$w/prom.log" 2>&1 &
PPID_=$!
if ! q_wait "http://127.0.0.1:$PP/-/ready" "$PPID_"; then
	fail compat_query_analyze_server "cannot start prometheus" "$(tail -n 5 "$w/prom.log")"
	exit 0
fi
P=http://127.0.0.1:$PP

# run V ARGS...: promtool --compat=V query analyze ARGS; $w/out $w/err, $rc
run() {
	local v=$1
	shift
	rc=0
	"$PROMTOOL" --compat="$v" query analyze "$@" >"$w/out" 2>"$w/err" || rc=$?
}
# want NAME RC STDOUT_FILE STDERR: exit code, stdout byte for byte, all of stderr
want() {
	if [ "$rc" = "$2" ] && cmp -s "$w/out" "$3" && [ "$(cat "$w/err")" = "$4" ]; then
		pass "compat_query_analyze $1"
	else
		fail "compat_query_analyze $1" "exit $rc, want $2; stderr: $(head -n 3 "$w/err")" \
			"$(diff "$3" "$w/out" | head -n 12)" "want stderr: $4"
	fi
}

header() {
	cat <<'OUT'
Bucket stats for each histogram series over time
------------------------------------------------
First the min, avg, and max number of populated buckets, followed by the total
number of buckets (only if different from the max number of populated buckets
which is typical for classic but not native histograms).

OUT
}
footer() {
	cat <<'OUT'

Aggregated bucket stats
-----------------------
Each line shows min/avg/max over the series above.
OUT
}

# ---- two histograms, one --match each (so upstream's map order cannot vary) ----
{
	header
	echo '- req_duration_seconds_bucket{job="a"} (classic): 0/2.000/4'
	echo '- req_duration_seconds_bucket{job="b"} (classic): 0/1.250/2/4'
	footer
	cat <<'OUT'

Classic histogram series (2 in total):
- min populated: 0/0.000/0
- avg populated: 1/1.500/2
- max populated: 2/3.000/4
- total: 4/4.000/4
OUT
} >"$w/two.want"
for v in 2.50 2.55 3.0 3.14; do
	run "$v" --server="$P" --type=histogram --time="$T" \
		--match='req_duration_seconds_bucket{job="a"}' --match='req_duration_seconds_bucket{job="b"}'
	want "$v two histograms" 0 "$w/two.want" ""
done
# the comparison sees a one-byte change
sed 's/0\/1.250\/2\/4/0\/1.250\/2\/3/' "$w/two.want" >"$w/changed"
cmp -s "$w/out" "$w/changed" && fail "compat_query_analyze comparison sees a change" ||
	pass "compat_query_analyze comparison sees a change"

# ---- a short bucket, truncated counts, too few samples, no le ----
{
	header
	echo '- short_bucket{} (classic): 0/1.750/3/4'
	echo '- frac_bucket{} (classic): 0/1.000/2'
	footer
	cat <<'OUT'

Classic histogram series (2 in total):
- min populated: 0/0.000/0
- avg populated: 1/1.000/1
- max populated: 2/2.500/3
- total: 2/3.000/4
OUT
} >"$w/edge.want"
run 3.14 --server="$P" --type=histogram --time="$T" --match=short_bucket --match=frac_bucket \
	--match=one_bucket --match=nole_bucket
want "short bucket, int() truncation, one sample, no le" 0 "$w/edge.want" ""

# ---- LabelSet.String(): common v0.46 (2.50, 2.51) sorts `a1="y"` before `a="x"` ----
{
	header
	echo '- lbl_bucket{a1="y", a="x"} (classic): 0/1.000/2'
	footer
	cat <<'OUT'

Classic histogram series (1 in total):
- min populated: 0/0.000/0
- avg populated: 1/1.000/1
- max populated: 2/2.000/2
OUT
} >"$w/lbl250.want"
sed 's/{a1="y", a="x"}/{a="x", a1="y"}/' "$w/lbl250.want" >"$w/lbl252.want"
run 2.51 --server="$P" --type=histogram --time="$T" --match=lbl_bucket
want "2.51 label order (name=value strings sorted)" 0 "$w/lbl250.want" ""
run 2.52 --server="$P" --type=histogram --time="$T" --match=lbl_bucket
want "2.52 label order (names sorted)" 0 "$w/lbl252.want" ""

# ---- nothing matched: header and footer only ----
{ header; footer; } >"$w/none.want"
run 3.14 --server="//127.0.0.1:$PP" --type=histogram --time="$T" --match=nothing_here
want "nothing matched (no scheme: http)" 0 "$w/none.want" ""

# ---- errors ----
header >"$w/header.want"
run 3.14 --server="$P" --type=histogram --time="$T" --match=misaligned_bucket
want "not time aligned" 1 "$w/header.want" "matrix result is not time aligned"
promtool query instant "$P" 'foo{[1h0m0s]' --time="$T" >/dev/null 2>"$w/real.err"
run 3.14 --server="$P" --type=histogram --time="$T" --match='foo{'
want "the server's error (real promtool 2.42's words)" 1 "$w/header.want" "$(sed 's/^query error: //' "$w/real.err")"
: >"$w/empty"
run 3.14 --server="$P" --type=summary --match=x
want "type other than histogram" 1 "$w/empty" "analyze type is summary, must be 'histogram'"
run 3.14 --server="$P" --type=histogram --time=yesterday --match=x
want "bad --time" 1 "$w/empty" "error parsing time 'yesterday': cannot parse \"yesterday\" to a valid timestamp"
DEAD=$(q_free_port)
run 2.50 --server="http://127.0.0.1:$DEAD" --type=histogram --match=x
want "refused port" 1 "$w/header.want" "Post \"http://127.0.0.1:$DEAD/api/v1/query\": dial tcp 127.0.0.1:$DEAD: connect: connection refused"

# ---- a native histogram series (a 2.42 server holds none: a one-answer server) ----
cat >"$w/native.py" <<'PY'
import http.server, json, sys
body = json.dumps({"status": "success", "data": {"resultType": "matrix", "result": [
    {"metric": {"__name__": "nh", "job": "x"},
     "histograms": [[1700000000, {"count": "2", "sum": "1", "buckets": [[0, "-1", "1", "2"]]}]]}]}}).encode()
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
PY
"$Q_PY" "$w/native.py" "$w/native.port" &
NPID=$!
for _ in $(seq 1 200); do [ -s "$w/native.port" ] && break; sleep 0.05; done
run 3.14 --server="http://127.0.0.1:$(cat "$w/native.port")" --type=histogram --match=nh
want "native histograms refused" 1 "$w/header.want" \
	'{__name__="nh", job="x"} has no float samples: query analyze of native histograms is not implemented in this build'
kill "$NPID" 2>/dev/null
wait "$NPID" 2>/dev/null || true
