#!/usr/bin/env bash
# make bench, the local engine at scale: `create-blocks-from rules
# --source-dir` of bench/rules_stream.yml (3 aggregation rules every 30s)
# over BENCH_STREAM_SERIES gauge series (default 100000) x 2h scraped every
# 15s (48M samples; bench/gen_gauges.c), ours only.  The data dir is
# generated once under $BENCH_OUT/gauges-<N>/ (about 2.4 GB of OpenMetrics
# on the way, removed after the import).
#
# Target (issue 14): peak RSS <= 256 MB at 100k series.  The rules'
# selections are evaluated in batches of series (4-promql/eval_stream.c);
# evaluated whole they took 1.5 GB here.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_need bench_stream
n=${BENCH_STREAM_SERIES:-100000}
d=$BENCH_OUT/gauges-$n
if [ ! -f "$d/.complete" ]; then
	gen=$BENCH_OUT/gen_gauges
	if [ ! -x "$gen" ] || [ bench/gen_gauges.c -nt "$gen" ]; then
		${CC:-cc} -O2 -o "$gen" bench/gen_gauges.c
	fi
	echo "generating $d ($n series, 2h) ..." >&2
	rm -rf "$d" && mkdir -p "$d"
	"$gen" "$n" 2 >"$d.om"
	"$OURS" tsdb create-blocks-from openmetrics -q "$d.om" "$d" >/dev/null
	rm -f "$d.om"
	touch "$d/.complete"
fi
W=$(mktemp -d "$BENCH_OUT/stream.XXXXXX")
trap 'rm -rf "$W"' EXIT
clear_out() { rm -rf "$W/out"; }
echo "== rules backfill at scale (bench/rules_stream.yml, $n series x 2h), load $(load_now)"
BENCH_REPEAT=${BENCH_REPEAT:-1} measure_best clear_out "$OURS" tsdb create-blocks-from rules --source-dir "$d" \
	--start 1700000000 --end 1700007200 --output-dir "$W/out" bench/rules_stream.yml
[ "$M_RC" = 0 ] || exit 1
verdict=ok
awk -v r="$M_RSS" 'BEGIN { exit !(r > 256) }' && verdict="OVER the 256 MB target"
line=$(printf 'stream %-27s wall %6.2f s  cpu %6.2f s  peak RSS %7.1f MB (%s)' "rules ${n} series x 2h" \
	"$M_WALL" "$M_CPU" "$M_RSS" "$verdict")
echo "$line"
echo "$line" >>"$BENCH_OUT/summary.txt"
