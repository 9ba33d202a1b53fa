#!/usr/bin/env bash
# make bench, rules backfill (create-blocks-from rules) of bench/rules_bench.yml
# (4 rules every 30s) over the reference workload's blocks, BENCH_RULES_HOURS
# hours of them (default "12 24"), three ways:
#
#   real pipeline   Prometheus 2.42 serving a copy of the blocks (started
#                   first, page cache and query path warmed by one untimed
#                   run) and real promtool 2.42 --url; CPU is promtool's plus
#                   the server's during the run, RSS promtool's
#   ours --url      our promtool against the same server (client side only)
#   ours --source-dir   no server: our engine reads the blocks itself
#
# Rows: ours --source-dir vs the real pipeline, ours --url vs real promtool
# --url.  All three must write the same blocks.
#
# Target (issue 14, in part): the local engine >= 25x the real pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
. testdata/rules-backfill/lib.sh
bench_need bench_rules
command -v prometheus >/dev/null || { echo "bench_rules: SKIP: needs prometheus"; exit 0; }
export TZ=UTC
W=$(mktemp -d "$BENCH_OUT/rules.XXXXXX")
RB_PID=
trap 'rb_stop_server; rm -rf "$W"' EXIT
rules=bench/rules_bench.yml

run_rules() { # outdir binary source-flags...
	local out=$1 bin=$2
	shift 2
	rm -rf "$out"
	measure "$bin" tsdb create-blocks-from rules "$@" --start 1700000600 --end "$end" --output-dir "$out" "$rules"
}
clear_local() { rm -rf "$W/ours-local"; }

echo "== rules backfill ($rules), load $(load_now)"
row_header
for h in ${BENCH_RULES_HOURS:-12 24}; do
	src=$(ref_blocks "$h" 1)
	end=$((1700000000 + h * 3600))
	rm -rf "$W/served" && cp -r "$src" "$W/served"
	printf 'global:\n  scrape_interval: 15s\n' >"$W/prometheus.yml"
	RB_PORT=$(rb_free_port)
	prometheus --config.file="$W/prometheus.yml" --storage.tsdb.path="$W/served" \
		--web.listen-address="127.0.0.1:$RB_PORT" --storage.tsdb.retention.time=100y >"$W/prometheus.log" 2>&1 &
	RB_PID=$!
	for _ in $(seq 1 600); do
		curl -sf "http://127.0.0.1:$RB_PORT/-/ready" >/dev/null 2>&1 && break
		sleep 0.1
	done
	url=http://127.0.0.1:$RB_PORT
	run_rules "$W/warm" "$REAL" --url "$url"
	t0=$(awk '{ print $14 + $15 }' "/proc/$RB_PID/stat")
	run_rules "$W/real" "$REAL" --url "$url"
	t1=$(awk '{ print $14 + $15 }' "/proc/$RB_PID/stat")
	read -r rw rc rm <<<"$M_WALL $M_CPU $M_RSS"
	rc_pipe=$(awk -v c="$rc" -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", c + t / hz }')
	run_rules "$W/ours-url" "$OURS" --url "$url"
	read -r uw uc um <<<"$M_WALL $M_CPU $M_RSS"
	rb_stop_server
	measure_best clear_local "$OURS" tsdb create-blocks-from rules --source-dir "$src" --start 1700000600 \
		--end "$end" --output-dir "$W/ours-local" "$rules"
	read -r lw lc lm <<<"$M_WALL $M_CPU $M_RSS"
	same=identical
	same_blocks "$W/ours-url" "$W/real" && same_blocks "$W/ours-local" "$W/real" || same=DIFFERENT
	row "rules ${h}h --source-dir vs pipeline" "$lw" "$lc" "$lm" "$rw" "$rc_pipe" "$rm" "blocks $same"
	row "rules ${h}h --url vs promtool --url" "$uw" "$uc" "$um" "$rw" "$rc" "$rm" "client side only"
	[ "$same" = identical ] || exit 1
done
