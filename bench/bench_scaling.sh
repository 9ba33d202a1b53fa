#!/usr/bin/env bash
# make bench, scaling table (ours only): tsdb dump and the rules backfill
# with --source-dir (bench/rules_bench.yml, 4 rules every 30s, over the whole
# range) on the reference workload at 1x, 4x and 16x its series count
# (1840, 7360, 29440 series) over 12h, and at 1x over 12h, 48h and 7 days.
# Wall, CPU, peak RSS, and CPU per million samples read: constant when cost
# grows linearly.  BENCH_SCALES overrides the list of "hours:scale" points.
# Each point runs BENCH_REPEAT times (default 3; the least time is shown).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_need bench_scaling

W=$(mktemp -d "$BENCH_OUT/scale.XXXXXX")
trap 'rm -rf "$W"' EXIT
clear_out() { rm -rf "$W/out"; }
echo "== scaling (ours), load $(load_now)"
printf '%-8s %6s %7s %8s | %-34s | %-34s\n' "range" "scale" "series" "samples" \
	"dump: wall s  cpu s  RSS MB  cpu/M" "rules: wall s  cpu s  RSS MB  cpu/M"
for p in ${BENCH_SCALES:-12:1 12:4 12:16 48:1 168:1}; do
	h=${p%%:*} s=${p#*:}
	src=$(ref_blocks "$h" "$s")
	n=$(samples_in "$src")
	measure_best : "$OURS" tsdb dump "$src"
	read -r dw dc dm <<<"$M_WALL $M_CPU $M_RSS"
	measure_best clear_out "$OURS" tsdb create-blocks-from rules --source-dir "$src" --start 1700000600 \
		--end $((1700000000 + h * 3600)) --output-dir "$W/out" bench/rules_bench.yml
	read -r lw lc lm <<<"$M_WALL $M_CPU $M_RSS"
	line=$(awk -v h="$h" -v s="$s" -v n="$n" -v dw="$dw" -v dc="$dc" -v dm="$dm" -v lw="$lw" -v lc="$lc" -v lm="$lm" 'BEGIN {
		r = h >= 48 && h % 24 == 0 ? (h / 24) "d" : h "h"
		printf "%-8s %5dx %7d %7.1fM | %12.2f %6.2f %7.1f %6.3f | %12.2f %6.2f %7.1f %6.3f",
			r, s, 1840 * s, n / 1e6, dw, dc, dm, dc / (n / 1e6), lw, lc, lm, lc / (n / 1e6)
	}')
	echo "$line"
	echo "scaling $line" >>"$BENCH_OUT/summary.txt"
done
