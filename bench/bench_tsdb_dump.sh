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
	rm -rf "$OUT/real" && cp -r "$OUT/db" "$OUT/real" && mkdir -p "$OUT/real/wal"
	# the reference output's checksum, once (real promtool is slow)
	"$REAL" tsdb dump "$OUT/real" | md5sum >"$OUT/real.md5"
	touch "$OUT/ready-$SERIES-$SAMPLES"
fi
rm -rf "$OUT/real" && cp -r "$OUT/db" "$OUT/real" && mkdir -p "$OUT/real/wal"
if [ "$("$OURS" tsdb dump "$OUT/db" | md5sum)" != "$(cat "$OUT/real.md5")" ]; then
	echo "bench_tsdb_dump: our output differs from real promtool's" >&2
	exit 1
fi

# measure NAME CMD...: wall seconds, peak RSS (KiB) and CPU seconds; output
# goes to /dev/null so that disk speed does not decide the result
measure() {
	local name=$1; shift
	local t0 t1 rss
	t0=$(date +%s.%N)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M %U %S' -o "$OUT/$name.rss" "$@" >/dev/null
		read -r rss ut st < <(tail -n 1 "$OUT/$name.rss")
	else
		"$@" >/dev/null
		rss=0 ut=0 st=0
	fi
	t1=$(date +%s.%N)
	echo "$name $(echo "$t1 - $t0" | bc) $rss $(echo "$ut + $st" | bc)"
}

ours=$(measure ours "$OURS" tsdb dump "$OUT/db")
real=$(measure real "$REAL" tsdb dump "$OUT/real")
read -r _ ot orss oc <<<"$ours"
read -r _ rt rrss rc <<<"$real"
printf 'tsdb dump, %d samples (outputs identical)\n' "$((SERIES * SAMPLES))"
printf '  ours: %8.2f s wall  %8.2f s CPU  %8d KiB peak RSS\n' "$ot" "$oc" "$orss"
printf '  real: %8.2f s wall  %8.2f s CPU  %8d KiB peak RSS\n' "$rt" "$rc" "$rrss"
printf '  speedup %.1fx wall, %.1fx CPU; RSS ratio (real/ours) %.1fx\n' "$(echo "$rt / $ot" | bc -l)" \
	"$(echo "$rc / ($oc + 0.001)" | bc -l)" "$(echo "$rrss / ($orss + 0.000001)" | bc -l)"
rm -f "$OUT/ours.rss" "$OUT/real.rss"
