#!/usr/bin/env bash
# Rules backfill: ours vs the real promtool 2.42 importing the seed rules
# (p95 latency by route and tenant, average latency by route; group
# interval 15s) over BENCH_RB_HOURS hours (default 12) of 200 request
# histograms (20 routes x 10 tenants, 60s scrapes) from one real
# Prometheus 2.42.  Prints client CPU seconds (user+sys) and peak RSS of
# each, and ours/real as ratios (target: <= 0.25 for both), then checks
# that both wrote the same blocks.
set -euo pipefail
cd "$(dirname "$0")/.."
. testdata/rules-backfill/lib.sh
export TZ=UTC
HOURS=${BENCH_RB_HOURS:-12}
REAL=${REAL_PROMTOOL:-$(command -v promtool || true)}
if [ -z "$REAL" ] || ! command -v prometheus >/dev/null || [ ! -x /usr/bin/time ]; then
	echo "bench_rules_backfill: SKIP (needs promtool, prometheus and /usr/bin/time)"
	exit 0
fi
W=$(mktemp -d)
RB_PID=
trap 'rb_stop_server; rm -rf "$W"' EXIT

"$RB_PY" "$RB_DIR/gen_om.py" 1700000000 "$HOURS" 60 20 10 >"$W/src.om"
"$REAL" tsdb create-blocks-from openmetrics "$W/src.om" "$W/src" >/dev/null
rm -f "$W/src.om"
printf 'global:\n  scrape_interval: 15s\n' >"$W/prometheus.yml"
RB_PORT=$(rb_free_port)
prometheus --config.file="$W/prometheus.yml" --storage.tsdb.path="$W/src" \
	--web.listen-address="127.0.0.1:$RB_PORT" --storage.tsdb.retention.time=100y >"$W/prometheus.log" 2>&1 &
RB_PID=$!
for _ in $(seq 1 600); do
	curl -sf "http://127.0.0.1:$RB_PORT/-/ready" >/dev/null 2>&1 && break
	sleep 0.1
done

end=$((1700000000 + HOURS * 3600))
measure() { # tag binary
	/usr/bin/time -f '%U %S %M' -o "$W/$1.time" "$2" tsdb create-blocks-from rules \
		--url "http://127.0.0.1:$RB_PORT" --start 1700000600 --end "$end" --output-dir "$W/out-$1" \
		"$RB_DIR/rules_seed.yml" 2>"$W/$1.err" >/dev/null || {
		echo "bench_rules_backfill: $1 failed:" >&2
		tail -n 5 "$W/$1.err" >&2
		exit 1
	}
}
# warm Prometheus' page cache and query path once, then measure
measure warm "$REAL"
measure real "$REAL"
measure ours bin/promtool

read -r ru rs rm <"$W/real.time"
read -r ou os om <"$W/ours.time"
awk -v ru="$ru" -v rs="$rs" -v rm="$rm" -v ou="$ou" -v os="$os" -v om="$om" -v h="$HOURS" 'BEGIN {
	rc = ru + rs; oc = ou + os
	printf "rules backfill (%dh, 200 histograms, 2 rules @15s):\n", h
	printf "  real promtool: cpu %.2fs  peak rss %.1f MiB\n", rc, rm / 1024
	printf "  ours:          cpu %.2fs  peak rss %.1f MiB\n", oc, om / 1024
	printf "  ratio ours/real: cpu %.3f  rss %.3f\n", (rc > 0 ? oc / rc : 0), om / rm
}'
"$RB_PY" "$RB_DIR/summarize.py" 0 /dev/null /dev/null "$W/out-real" >"$W/real.sum"
"$RB_PY" "$RB_DIR/summarize.py" 0 /dev/null /dev/null "$W/out-ours" >"$W/ours.sum"
if cmp -s "$W/real.sum" "$W/ours.sum"; then
	echo "  blocks: identical ($(grep -c ULID "$W/ours.sum") blocks)"
else
	echo "  blocks: DIFFER"
	exit 1
fi
