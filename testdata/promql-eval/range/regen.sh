#!/usr/bin/env bash
# Regenerates golden.txt: the query_range answers of the real Prometheus
# 2.42 for every query of queries.txt over the data of input.om, and data/:
# the blocks the real promtool made of input.om, that Prometheus served.
#
# input.om is turned into blocks with the real `promtool tsdb
# create-blocks-from openmetrics`, a Prometheus 2.42 with no scrape targets
# serves them on 127.0.0.1 (a free port), and each answer's "data" (or its
# "errorType" and "error") is written as one line of JSON, in queries.txt's
# order.
#
# Usage: testdata/promql-eval/range/regen.sh [promtool] [prometheus]
set -euo pipefail
cd "$(dirname "$0")"
PROMTOOL=${1:-$(command -v promtool)}
PROMETHEUS=${2:-$(command -v prometheus)}
BASE=$(awk 'NR == 1 { print $NF; exit }' input.om)
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

"$PROMTOOL" tsdb create-blocks-from openmetrics input.om "$tmp/data" >/dev/null
# The same blocks serve test_promql_eval_range's --source-dir path.
rm -rf data
cp -r "$tmp/data" data
printf 'global:\n  scrape_interval: 1h\n' >"$tmp/prometheus.yml"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PROMETHEUS" --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
	--web.listen-address="127.0.0.1:$port" >"$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && break
	sleep 0.2
done

: >golden.txt
grep -v '^#' queries.txt | grep -v '^$' | while read -r s e step expr; do
	curl -s -G "http://127.0.0.1:$port/api/v1/query_range" \
		--data-urlencode "query=$expr" \
		--data-urlencode "start=$((BASE + s))" --data-urlencode "end=$((BASE + e))" \
		--data-urlencode "step=$step" |
		python3 -c 'import json, sys
r = json.load(sys.stdin)
print(json.dumps({"data": r["data"]} if r["status"] == "success" else {"errorType": r["errorType"], "error": r["error"]}, separators=(",", ":")))' >>golden.txt
done
echo "wrote $(wc -l <golden.txt) answers to golden.txt"
