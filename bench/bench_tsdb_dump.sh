#!/usr/bin/env bash
# tsdb dump of a >= 10M-sample data dir: ours vs the real promtool 2.42, in
# one run.  Prints wall time and peak RSS of each and their ratios; the
# target is ours >= 10x faster.
#
# The source is generated once and cached under bench/out/ (git-ignored):
# an OpenMetrics file of 2000 series x 5000 samples (15 s apart) imported
# with the real promtool's `tsdb create-blocks-from openmetrics`.  Real
# promtool needs a wal/ dir and writes chunks_head/ into the dir it dumps,
# so it gets its own copy.
set -euo pipefail
cd "$(dirname "$0")/.."
REAL=${REAL_PROMTOOL:-/usr/bin/promtool}
OURS=${PROMTOOL:-bin/promtool}
OUT=bench/out/tsdb_dump
SERIES=${SERIES:-2000}
SAMPLES=${SAMPLES:-5000}
mkdir -p "$OUT"

if [ ! -f "$OUT/ready-$SERIES-$SAMPLES" ]; then
	rm -rf "$OUT/db" "$OUT/real" "$OUT"/ready-*
	echo "generating $((SERIES * SAMPLES)) samples..." >&2
	awk -v ns="$SERIES" -v np="$SAMPLES" 'BEGIN {
		print "# TYPE bench_metric gauge"
		for (s = 0; s < ns; s++)
			for (i = 0; i < np; i++)
				printf "bench_metric{instance=\"host-%d\",job=\"bench\",shard=\"%d\"} %.6g %d\n", s, s % 16, (s * 7 + i * 0.25 + (i % 13) / 7.0), 1600000000 + i * 15
		print "# EOF"
	}' >"$OUT/input.om"
	"$REAL" tsdb create-blocks-from openmetrics "$OUT/input.om" "$OUT/db" >/dev/null
	rm -f "$OUT/input.om"
	touch "$OUT/ready-$SERIES-$SAMPLES"
fi
rm -rf "$OUT/real" && cp -r "$OUT/db" "$OUT/real" && mkdir -p "$OUT/real/wal"

# measure NAME CMD...: wall seconds and peak RSS (KiB) via GNU time or /proc
measure() {
	local name=$1; shift
	local t0 t1 rss
	t0=$(date +%s.%N)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o "$OUT/$name.rss" "$@" >"$OUT/$name.out"
		rss=$(tail -n 1 "$OUT/$name.rss")
	else
		"$@" >"$OUT/$name.out"
		rss=0
	fi
	t1=$(date +%s.%N)
	echo "$name $(echo "$t1 - $t0" | bc) $rss"
}

ours=$(measure ours "$OURS" tsdb dump "$OUT/db")
real=$(measure real "$REAL" tsdb dump "$OUT/real")
if ! cmp -s "$OUT/ours.out" "$OUT/real.out"; then
	echo "bench_tsdb_dump: outputs differ" >&2
	exit 1
fi
lines=$(wc -l <"$OUT/ours.out")
read -r _ ot orss <<<"$ours"
read -r _ rt rrss <<<"$real"
printf 'tsdb dump, %d samples (outputs identical)\n' "$lines"
printf '  ours: %8.2f s  %8d KiB peak RSS\n' "$ot" "$orss"
printf '  real: %8.2f s  %8d KiB peak RSS\n' "$rt" "$rrss"
printf '  speedup %.1fx, RSS ratio (real/ours) %.1fx\n' "$(echo "$rt / $ot" | bc -l)" \
	"$(echo "$rrss / ($orss + 0.000001)" | bc -l)"
rm -f "$OUT/ours.out" "$OUT/real.out"
