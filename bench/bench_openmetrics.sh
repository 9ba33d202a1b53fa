#!/usr/bin/env bash
# make bench, OpenMetrics import: ours vs real promtool 2.42 on the
# reference workload (bench/gen_reference.c: 200 route x tenant histograms
# with 7 buckets, _sum and _count, a gauge and a counter per route, a scrape
# every 15s) over BENCH_OM_HOURS hours (default 24: 10.6M samples in
# 0.98 GB; BENCH_FULL=1 adds 48h, whose real promtool run alone takes 5 to
# 15 minutes).  Wall, CPU and peak RSS of each, the ratios real/ours, and
# whether both wrote the same blocks (they must).
#
# Targets (issue 14): >= 30x promtool's wall time, <= 1/20 of its peak RSS,
# the same or better at 48h.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_need bench_openmetrics

W=$(mktemp -d "$BENCH_OUT/om.XXXXXX")
trap 'rm -rf "$W"' EXIT
clear_ours() { rm -rf "$W/ours"; }
echo "== OpenMetrics import (create-blocks-from openmetrics), load $(load_now)"
row_header
default_hours=24
[ -n "${BENCH_FULL:-}" ] && default_hours="24 48"
for h in ${BENCH_OM_HOURS:-$default_hours}; do
	in=$(ref_om "$h")
	rm -rf "$W/real"
	measure_best clear_ours "$OURS" tsdb create-blocks-from openmetrics -q "$in" "$W/ours"
	read -r ow oc om <<<"$M_WALL $M_CPU $M_RSS"
	measure "$REAL" tsdb create-blocks-from openmetrics -q "$in" "$W/real"
	read -r rw rc rm <<<"$M_WALL $M_CPU $M_RSS"
	same=identical
	same_blocks "$W/ours" "$W/real" || same=DIFFERENT
	n=$(samples_in "$W/ours")
	row "openmetrics ${h}h ($((n / 100000))e5 samples)" "$ow" "$oc" "$om" "$rw" "$rc" "$rm" \
		"$(ls "$W/ours" | wc -l) blocks $same; $(du -m "$in" | cut -f1) MB in"
	[ "$same" = identical ] || exit 1
done
