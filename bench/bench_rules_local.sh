#!/usr/bin/env bash
# Rules backfill with no server vs the real pipeline: the seed rules (p95
# latency by route and tenant, average latency by route; group interval
# 15s; testdata/rules-backfill/rules_seed.yml) over BENCH_RL_HOURS hours
# (default 12) of 200 request histograms (20 routes x 10 tenants, 60s
# scrapes).
#
#   ours:  bin/promtool ... --source-dir <copy of the data dir>
#   real:  Prometheus 2.42 serving the data dir (started beforehand, page
#          cache and query path warmed by one untimed run), real promtool
#          2.42 ... --url; CPU is promtool's plus the server's during the run
#
# Prints wall and CPU seconds of each and real/ours as speed-ups (target:
# wall >= 10x), then whether both wrote the same blocks.
set -euo pipefail
cd "$(dirname "$0")/.."
. testdata/rules-backfill/lib.sh
export TZ=UTC
HOURS=${BENCH_RL_HOURS:-12}
REAL=${REAL_PROMTOOL:-$(command -v promtool || true)}
if [ -z "$REAL" ] || ! command -v prometheus >/dev/null || [ ! -x /usr/bin/time ]; then
	echo "bench_rules_local: SKIP (needs promtool, prometheus and /usr/bin/time)"
	exit 0
fi
W=$(mktemp -d)
RB_PID=
trap 'rb_stop_server; rm -rf "$W"' EXIT

"$RB_PY" "$RB_DIR/gen_om.py" 1700000000 "$HOURS" 60 20 10 >"$W/src.om"
"$REAL" tsdb create-blocks-from openmetrics "$W/src.om" "$W/src" >/dev/null
rm -f "$W/src.om"
# ours reads a copy: the server may compact or write its WAL into its own
cp -r "$W/src" "$W/src-local"
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
server_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$RB_PID/stat"; }
measure() { # tag binary source-flags...
	local tag=$1 bin=$2
	shift 2
	/usr/bin/time -f '%e %U %S' -o "$W/$tag.time" "$bin" tsdb create-blocks-from rules "$@" \
		--start 1700000600 --end "$end" --output-dir "$W/out-$tag" "$RB_DIR/rules_seed.yml" \
		2>"$W/$tag.err" >/dev/null || {
		echo "bench_rules_local: $tag failed:" >&2
		tail -n 5 "$W/$tag.err" >&2
		exit 1
	}
}
measure warm "$REAL" --url "http://127.0.0.1:$RB_PORT"
t0=$(server_cpu_ticks)
measure real "$REAL" --url "http://127.0.0.1:$RB_PORT"
t1=$(server_cpu_ticks)
rb_stop_server
measure ours bin/promtool --source-dir "$W/src-local"

read -r rw ru rs <"$W/real.time"
read -r ow ou os <"$W/ours.time"
awk -v rw="$rw" -v ru="$ru" -v rs="$rs" -v sc=$(((t1 - t0))) -v hz="$(getconf CLK_TCK)" \
	-v ow="$ow" -v ou="$ou" -v os="$os" -v h="$HOURS" 'BEGIN {
	scpu = sc / hz; rc = ru + rs + scpu; oc = ou + os
	printf "rules backfill, no server (%dh, 200 histograms, 2 seed rules @15s):\n", h
	printf "  real pipeline (promtool --url + prometheus): wall %.2fs  cpu %.2fs (promtool %.2fs, server %.2fs)\n",
		rw, rc, ru + rs, scpu
	printf "  ours --source-dir:                           wall %.2fs  cpu %.2fs\n", ow, oc
	ws = (ow > 0 ? rw / ow : 0)
	printf "  speed-up real/ours: wall %.1fx  cpu %.1fx (target: wall >= 10x: %s)\n",
		ws, (oc > 0 ? rc / oc : 0), (ws >= 10 ? "met" : "NOT met")
}'
"$RB_PY" "$RB_DIR/summarize.py" 0 /dev/null /dev/null "$W/out-real" >"$W/real.sum"
"$RB_PY" "$RB_DIR/summarize.py" 0 /dev/null /dev/null "$W/out-ours" >"$W/ours.sum"
if cmp -s "$W/real.sum" "$W/ours.sum"; then
	echo "  blocks: identical ($(grep -c ULID "$W/ours.sum") blocks)"
else
	echo "  blocks: DIFFER ($(diff "$W/real.sum" "$W/ours.sum" | grep -c '^<') of $(grep -c ULID "$W/real.sum") differ; tests/sh/rules_local_golden.sh shows how)"
	exit 1
fi
