#!/usr/bin/env bash
# make bench, OpenMetrics import: ours vs real promtool 2.42 on the same
# generated input (default 2000 series x 5000 scrapes = 10M samples, ~20.8h,
# 11 blocks of 2h), in the same run.  Prints wall time, CPU time and peak
# RSS of each and the ratios, and checks that both wrote identical blocks.
#
#   SERIES=2000 STEPS=5000 bash bench/bench_openmetrics.sh
#
# The input (~700 MB) is generated once into $BENCH_CACHE (default
# /tmp/promtool-bench) by bench/gen_openmetrics.awk.  Wall time depends on
# what else the machine runs; CPU time (user+sys) is the steadier figure.
set -euo pipefail
cd "$(dirname "$0")/.."
SERIES=${SERIES:-2000}
STEPS=${STEPS:-5000}
CACHE=${BENCH_CACHE:-/tmp/promtool-bench}
OURS=${OURS:-$PWD/bin/promtool}
REAL=${REAL_PROMTOOL:-$(command -v promtool || true)}
TIME=/usr/bin/time

[ -x "$TIME" ] || { echo "bench_openmetrics: SKIP: /usr/bin/time missing (apt-get install time)"; exit 0; }
[ -n "$REAL" ] || { echo "bench_openmetrics: SKIP: no real promtool"; exit 0; }
mkdir -p "$CACHE"
input=$CACHE/om-$SERIES-$STEPS.om
if [ ! -s "$input" ]; then
	echo "generating $input ($((SERIES * STEPS)) samples)..."
	awk -v series="$SERIES" -v steps="$STEPS" -f bench/gen_openmetrics.awk >"$input.tmp"
	mv "$input.tmp" "$input"
fi
work=$(mktemp -d "$CACHE/run.XXXXXX")
trap 'rm -rf "$work"' EXIT

run() { # name binary -> "wall user sys rss_kb"
	local out=$work/$1
	"$TIME" -f '%e %U %S %M' -o "$work/$1.time" "$2" tsdb create-blocks-from openmetrics -q "$input" "$out" >/dev/null
	cat "$work/$1.time"
}
echo "input: $input ($(du -h "$input" | cut -f1), $((SERIES * STEPS)) samples)"
read -r ow ou os orss < <(run ours "$OURS")
read -r pw pu ps prss < <(run promtool "$REAL")

# Same blocks, byte for byte (blocks matched by minTime; meta.json ULIDs aside).
blocks() { for d in "$1"/*/; do printf '%s %s\n' "$(sed -n 's/^\t"minTime": \(-\{0,1\}[0-9]*\),$/\1/p' "$d/meta.json")" "$d"; done | sort -n | cut -d' ' -f2; }
same=yes
paste <(blocks "$work/ours") <(blocks "$work/promtool") | while read -r a b; do
	for f in index tombstones chunks/000001; do cmp -s "$a/$f" "$b/$f" || { echo "DIFFERENT: $f of $a vs $b"; exit 1; }; done
	cmp -s <(sed -E 's/[0-9A-Z]{26}/U/g' "$a/meta.json") <(sed -E 's/[0-9A-Z]{26}/U/g' "$b/meta.json") || { echo "DIFFERENT: meta.json of $a"; exit 1; }
done || same=no
[ "$(ls "$work/ours" | wc -l)" = "$(ls "$work/promtool" | wc -l)" ] || same=no

awk -v ow="$ow" -v ou="$ou" -v os="$os" -v orss="$orss" -v pw="$pw" -v pu="$pu" -v ps="$ps" -v prss="$prss" -v same="$same" 'BEGIN {
	printf "%-10s %10s %10s %12s\n", "", "wall s", "cpu s", "peak RSS MB"
	printf "%-10s %10.2f %10.2f %12.1f\n", "ours", ow, ou + os, orss / 1024
	printf "%-10s %10.2f %10.2f %12.1f\n", "promtool", pw, pu + ps, prss / 1024
	ow = ow > 0.01 ? ow : 0.01; oc = ou + os > 0.01 ? ou + os : 0.01
	printf "speed-up: %.1fx wall, %.1fx cpu (target >= 20x); memory: 1/%.1f of promtool (target <= 1/10)\n", pw / ow, (pu + ps) / oc, prss / orss
	printf "identical blocks: %s\n", same
}'
