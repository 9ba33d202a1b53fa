#!/usr/bin/env bash
# push metrics (--compat=2.46 .. 3.7) against a real Prometheus 2.42 started
# with --web.enable-remote-write-receiver and tests/fake_prom_server.py, on
# free ports of 127.0.0.1, stopped by PID.  No promtool 2.46+ is installed:
# the expected bytes are read off the source:
#   cmd/promtool/metrics.go PushMetrics/parseAndPushMetrics at v2.46.0
#     (= v2.48.0, v2.54.0, v2.55.0, v3.4.0 in what is sent and printed):
#     stdout "Parsing metrics file F" / "  SUCCESS: metrics file F pushed to
#     remote write.", stdin "Parsing standard input" / "  SUCCESS: metrics
#     pushed to remote write.", stderr "  FAILED: <err>", exit 1 if any failed
#   util/fmtutil/format.go MetricFamiliesToWriteRequest at v2.46.0: __name__,
#     --label (default job=promtool), the metric's labels with job renamed
#     exported_job; summaries as quantile series then _sum and _count,
#     histograms as _bucket{le} then _sum and _count
#   storage/remote/client.go Client.Store at v2.46.0: the headers, and
#     "server returned HTTP status <Status>: <first body line>"
#   expfmt/text_parse.go (prometheus/common v0.44.0): "text format parsing
#     error in line N: ..."
# 3.8+ (client_golang's remote API) stays refused.
. "$(dirname "$0")/../lib.sh"
. testdata/query/lib.sh
require_cmd compat_push_metrics prometheus python3 curl || exit 0
export TZ=UTC
w=$TMPROOT/pushmetrics
mkdir -p "$w"
PPID_=
FPID=
trap '[ -n "$PPID_" ] && kill "$PPID_" 2>/dev/null; [ -n "$FPID" ] && kill "$FPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMPROOT"' EXIT

printf 'global:\n  scrape_interval: 15s\n' >"$w/prometheus.yml"
PP=$(q_free_port)
prometheus --config.file="$w/prometheus.yml" --storage.tsdb.path="$w/data" --web.enable-remote-write-receiver \
	--web.listen-address="127.0.0.1:$PP" >"$w/prom.log" 2>&1 &
PPID_=$!
FAKE_PROM_HEADER_LOG="$w/headers" "$Q_PY" tests/fake_prom_server.py "$w/port" matrix "$w/requests" &
FPID=$!
for _ in $(seq 1 200); do [ -s "$w/port" ] && break; sleep 0.05; done
if ! q_wait "http://127.0.0.1:$PP/-/ready" "$PPID_" || [ ! -s "$w/port" ]; then
	fail compat_push_metrics_servers "cannot start prometheus and the fake server" "$(tail -n 5 "$w/prom.log")"
	exit 0
fi
P=http://127.0.0.1:$PP
F=http://127.0.0.1:$(<"$w/port")
DEAD=$(q_free_port)

# run V ARGS...: promtool --compat=V ARGS; stdout/stderr in $w/out $w/err, exit in $rc
run() {
	local v=$1
	shift
	rc=0
	"$PROMTOOL" --compat="$v" "$@" >"$w/out" 2>"$w/err" <"${STDIN:-/dev/null}" || rc=$?
}
# want NAME RC STDOUT STDERR
want() {
	if [ "$rc" = "$2" ] && [ "$(cat "$w/out")" = "$3" ] && [ "$(cat "$w/err")" = "$4" ]; then
		pass "compat_push_metrics $1"
	else
		fail "compat_push_metrics $1" "exit $rc, want $2; stdout:" "$(head -n 5 "$w/out")" "stderr:" \
			"$(head -n 5 "$w/err")" "want: $3 / $4"
	fi
}
# series SELECTOR: the samples the server holds from the last 10 minutes
# (a range selector, so the sample times are the stored ones), one
# "labels value@ms" line per sample, sorted
series() {
	curl -s -G "$P/api/v1/query" --data-urlencode "query=$1[10m]" | "$Q_PY" -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
out = []
for s in r:
    m = s["metric"]
    for t, v in s["values"]:
        out.append("{" + ",".join("%s=%s" % (k, m[k]) for k in sorted(m)) + "} " + v + "@" + str(round(float(t) * 1000)))
print("\n".join(sorted(out)))'
}

NOW=$(($(date +%s) * 1000 - 60000))
cat >"$w/m.prom" <<EOF
# HELP req_total Requests.
# TYPE req_total counter
req_total{job="app",code="200"} 3 $NOW
req_total{code="500"} 1 $NOW
# TYPE lat summary
lat{quantile="0.5"} 1.5 $NOW
lat{quantile="0.99"} 4 $NOW
lat_sum 10 $NOW
lat_count 4 $NOW
# TYPE h histogram
h_bucket{le="0.1"} 1 $NOW
h_bucket{le="1e+06"} 2 $NOW
h_bucket{le="+Inf"} 2 $NOW
h_sum 0.3 $NOW
h_count 2 $NOW
temp 7.25 $NOW
EOF

# ---- a real Prometheus 2.42: what arrives ----
for v in 2.46 3.7; do
	run "$v" push metrics --label=env="t$v" --label=dc:x "$P/api/v1/write" "$w/m.prom"
	want "$v push: output" 0 "Parsing metrics file $w/m.prom
  SUCCESS: metrics file $w/m.prom pushed to remote write." ""
	got=$(series "{env=\"t$v\"}")
	want_series="{__name__=h_bucket,dc=x,env=t$v,le=+Inf} 2@$NOW
{__name__=h_bucket,dc=x,env=t$v,le=0.1} 1@$NOW
{__name__=h_bucket,dc=x,env=t$v,le=1e+06} 2@$NOW
{__name__=h_count,dc=x,env=t$v} 2@$NOW
{__name__=h_sum,dc=x,env=t$v} 0.3@$NOW
{__name__=lat,dc=x,env=t$v,quantile=0.5} 1.5@$NOW
{__name__=lat,dc=x,env=t$v,quantile=0.99} 4@$NOW
{__name__=lat_count,dc=x,env=t$v} 4@$NOW
{__name__=lat_sum,dc=x,env=t$v} 10@$NOW
{__name__=req_total,code=200,dc=x,env=t$v,exported_job=app} 3@$NOW
{__name__=req_total,code=500,dc=x,env=t$v} 1@$NOW
{__name__=temp,dc=x,env=t$v} 7.25@$NOW"
	expect_eq "compat_push_metrics $v push: series on the server" "$got" "$want_series"
done
# the comparison sees a changed value
[ "$(series '{env="t2.46"}')" = "${want_series//t3.7/t2.46}" ] && [ "$(series '{env="t2.46"}' | sed 's/7.25/7.26/')" != "${want_series//t3.7/t2.46}" ] &&
	pass "compat_push_metrics comparison sees a one-byte change" || fail "compat_push_metrics comparison sees a one-byte change"

# standard input, the default --label job=promtool, no timestamp: now
printf 'stdin_metric{job="x"} 42\n' >"$w/in.prom"
STDIN="$w/in.prom" run 2.55 push metrics "$P/api/v1/write"
want "stdin" 0 "Parsing standard input
  SUCCESS: metrics pushed to remote write." ""
expect_eq "compat_push_metrics stdin: default job label, exported_job" \
	"$(series 'stdin_metric' | sed 's/@.*//')" "{__name__=stdin_metric,exported_job=x,job=promtool} 42"

# ---- bad input: the parser's words, the next file still pushed ----
printf 'bad 1' >"$w/noeol.prom"
printf '# TYPE x gauge\nx{a="b"} abc\n' >"$w/nan.prom"
printf 'ok_metric 1\n' >"$w/ok.prom"
run 2.46 push metrics "$P/api/v1/write" "$w/noeol.prom" "$w/nan.prom" "$w/ok.prom"
want "bad files" 1 "Parsing metrics file $w/noeol.prom
Parsing metrics file $w/nan.prom
Parsing metrics file $w/ok.prom
  SUCCESS: metrics file $w/ok.prom pushed to remote write." "  FAILED: text format parsing error in line 1: unexpected end of input stream
  FAILED: text format parsing error in line 2: expected float as value, got \"abc\""
printf 'a{b="c",b="d"} 1\n' >"$w/dup.prom"
STDIN="$w/dup.prom" run 3.0 push metrics "$P/api/v1/write"
want "duplicate label" 1 "Parsing standard input" '  FAILED: text format parsing error in line 1: duplicate label names for metric "a"'

# ---- answers other than 2xx ----
printf 'old_metric 1 1000\n' >"$w/old.prom"
run 2.46 push metrics "$P/api/v1/write" "$w/old.prom"
want "400 from Prometheus (out of bounds)" 1 "Parsing metrics file $w/old.prom" \
	"  FAILED: server returned HTTP status 400 Bad Request: out of bounds"
run 3.4 push metrics "$F/always503/api/v1/write" "$w/ok.prom"
want "503 from the fake server" 1 "Parsing metrics file $w/ok.prom" \
	"  FAILED: server returned HTTP status 503 Service Unavailable: unavailable"
run 2.46 push metrics "http://127.0.0.1:$DEAD/api/v1/write" "$w/ok.prom"
want "refused port" 1 "Parsing metrics file $w/ok.prom" \
	"  FAILED: Post \"http://127.0.0.1:$DEAD/api/v1/write\": dial tcp 127.0.0.1:$DEAD: connect: connection refused"

# --timeout is the request's context deadline (the fake server's stall mode never answers)
run 3.0 push metrics --timeout=1s "$F/stall/api/v1/write" "$w/ok.prom"
want "--timeout" 1 "Parsing metrics file $w/ok.prom" \
	"  FAILED: Post \"$F/stall/api/v1/write\": context deadline exceeded"
# an empty file is an empty WriteRequest, which Prometheus takes
: >"$w/empty.prom"
run 2.46 push metrics "$P/api/v1/write" "$w/empty.prom"
want "empty file" 0 "Parsing metrics file $w/empty.prom
  SUCCESS: metrics file $w/empty.prom pushed to remote write." ""

# ---- what is sent: Store's headers, --header on top, URL user info ----
: >"$w/headers"
run 2.46 push metrics --header=x-scope-orgid=t1 --header=User-Agent:mine "http://u:pw@127.0.0.1:${F##*:}/api/v1/write" "$w/ok.prom"
h=$(grep '^POST /api/v1/write' "$w/headers" | tail -n 1)
ok=1
for want_h in "Content-Encoding: snappy" "Content-Type: application/x-protobuf" "X-Prometheus-Remote-Write-Version: 0.1.0" \
	"User-Agent: mine" "X-Scope-Orgid: t1" "Authorization: Basic dTpwdw=="; do
	case "| $h |" in *"| $want_h |"*) ;; *) ok=0; fail "compat_push_metrics header $want_h" "$h" ;; esac
done
[ "$ok" = 1 ] && [ "$rc" = 0 ] && pass "compat_push_metrics headers"
: >"$w/headers"
run 3.7 push metrics "$F/api/v1/write" "$w/ok.prom"
case "$(tail -n 1 "$w/headers")" in *"| User-Agent: Prometheus/3.7.0 |"*) pass "compat_push_metrics User-Agent" ;;
*) fail "compat_push_metrics User-Agent" "$(tail -n 1 "$w/headers")" ;; esac
printf 'basic_auth:\n  username: cfg\n  password: pw\n' >"$w/http.yml"
run 2.46 push --http.config.file="$w/http.yml" metrics "$F/api/v1/write" "$w/ok.prom"
expect_eq "compat_push_metrics --http.config.file basic_auth" "$rc:$(tail -n 1 "$w/requests" | awk '{print $NF}')" "0:Y2ZnOnB3"

# ---- 3.8+: client_golang's remote API, not implemented ----
run 3.8 push metrics "$P/api/v1/write" "$w/ok.prom"
want "3.8 refused" 1 "" "promtool: error: push metrics of promtool 3.8.0 is not implemented in this build"
