#!/usr/bin/env bash
# Regenerates, with the real promtool and Prometheus 2.42, what our regexp
# engine is held to on patterns that make a backtracking matcher give up:
#
#   data/        the blocks real promtool makes of input.om
#   golden.txt   the query_range answer of Prometheus 2.42 (served data/ on
#                127.0.0.1, a free port) for each query of queries.txt: its
#                "data", or its "errorType" and "error", one JSON line each
#   dump.txt     for each plain selector of queries.txt (m{...} or {...}), a line
#                "# <selector>", then what real `promtool tsdb dump
#                --match=<selector>` prints for data/, or "## exit <code>"
#                and its stderr when it fails
#
# test_promql_eval_range answers queries.txt with our evaluator (over
# input.om and over data/); tests/sh/regex_engine.sh runs our dump.
#
# Usage: testdata/promql-eval/regex/regen.sh [promtool] [prometheus]
# (REGEN_DIR=<dir> does the same for another directory of that layout:
# ../regex-random/regen.sh; dump.txt is left out when no query is a plain
# selector.)
set -euo pipefail
cd "${REGEN_DIR:-$(dirname "$0")}"
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
rm -rf data
cp -r "$tmp/data" data

# 2.42's dump opens the head too, so it wants a wal directory.
cp -r data "$tmp/dumpdb"
mkdir "$tmp/dumpdb/wal"
: >dump.txt
grep -v '^#' queries.txt | grep -v '^$' | while read -r s e step expr; do
	case $expr in m\{*\} | \{*\}) ;; *) continue ;; esac
	echo "# $expr" >>dump.txt
	rc=0
	"$PROMTOOL" tsdb dump --match="$expr" "$tmp/dumpdb" </dev/null >>dump.txt 2>"$tmp/err" || rc=$?
	if [ $rc -ne 0 ]; then
		echo "## exit $rc" >>dump.txt
		cat "$tmp/err" >>dump.txt
	fi
done

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
	curl -s "http://127.0.0.1:$port/api/v1/query_range" \
		--data-urlencode "query=$expr" \
		--data-urlencode "start=$((BASE + s))" --data-urlencode "end=$((BASE + e))" \
		--data-urlencode "step=$step" </dev/null |
		python3 -c 'import json, sys
r = json.load(sys.stdin)
print(json.dumps({"data": r["data"]} if r["status"] == "success" else {"errorType": r["errorType"], "error": r["error"]}, separators=(",", ":"), ensure_ascii=False))' >>golden.txt
done
[ -s dump.txt ] || rm -f dump.txt
echo "wrote $(wc -l <golden.txt) answers to golden.txt, $(grep -c '^# ' dump.txt 2>/dev/null || echo 0) dumps to dump.txt"
