#!/usr/bin/env bash
# Regenerates golden.txt: for every query of queries.txt, what a real
# Prometheus 2.42 serving ../range/data (the blocks real promtool made of
# ../range/input.om) reports with stats=all as the query's peakSamples --
# the highest count of samples its engine held, which --query.max-samples
# limits -- for the range query of test_promql_limits (start and end 600 s
# and 13980 s after the data's first sample, step 60 s) and for an instant
# query at 7200 s; then the answer to the same range query of a second
# server started with --query.max-samples=1000.
#
# golden.txt has one line per query, tab-separated: range peak, instant
# peak, "ok" or the limited server's error ("error: <text>").
#
# Usage: testdata/promql-eval/limits/regen.sh [prometheus]
set -euo pipefail
cd "$(dirname "$0")"
PROMETHEUS=${1:-$(command -v prometheus)}
BASE=$(awk 'NR == 1 { print $NF; exit }' ../range/input.om)
tmp=$(mktemp -d)
pid=
stop() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		pid=
	fi
}
trap 'stop; rm -rf "$tmp"' EXIT
printf 'global:\n  scrape_interval: 1h\n' >"$tmp/prometheus.yml"

start() { # extra flags...
	rm -rf "$tmp/data"
	cp -r ../range/data "$tmp/data"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$PROMETHEUS" --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
		--web.listen-address="127.0.0.1:$port" --storage.tsdb.retention.time=100y "$@" >"$tmp/log" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "regen.sh: prometheus did not start" >&2
	exit 1
}

# ask ENDPOINT EXPR ARGS...: peakSamples, or "error: <text>"
ask() {
	local ep=$1 q=$2
	shift 2
	curl -s -G "http://127.0.0.1:$port/api/v1/$ep" --data-urlencode "query=$q" "$@" --data-urlencode stats=all |
		python3 -c 'import json, sys
r = json.load(sys.stdin)
print(r["data"]["stats"]["samples"]["peakSamples"] if r["status"] == "success" else "error: " + r["error"])'
}

queries() { grep -v '^#' queries.txt | grep -v '^$' | sed 's/^~//'; }
range=(--data-urlencode "start=$((BASE + 600))" --data-urlencode "end=$((BASE + 13980))" --data-urlencode step=60)

start
queries | while read -r q; do
	printf '%s\t%s\n' "$(ask query_range "$q" "${range[@]}")" "$(ask query "$q" --data-urlencode "time=$((BASE + 7200))")"
done >"$tmp/peaks"
stop
start --query.max-samples=1000
queries | while read -r q; do
	a=$(ask query_range "$q" "${range[@]}")
	case $a in error:*) echo "$a" ;; *) echo ok ;; esac
done >"$tmp/limited"
stop
paste "$tmp/peaks" "$tmp/limited" >golden.txt
echo "wrote $(wc -l <golden.txt) answers to golden.txt"
