#!/usr/bin/env bash
# make bench, tsdb dump: ours vs real promtool 2.42 over the blocks of the
# reference workload (24h: 12 blocks, 10.6M samples; BENCH_DUMP_HOURS),
# output to /dev/null so that the disk does not decide.  Both outputs are
# checked to be the same bytes (real promtool's checksum is computed once
# and kept with the cached blocks).  Real promtool wants a wal/ directory
# and writes chunks_head/ into the directory it dumps, so it gets a copy.
#
# Target (issue 14): >= 20x promtool's wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_need bench_tsdb_dump

h=${BENCH_DUMP_HOURS:-24}
src=$(ref_blocks "$h" 1)
W=$(mktemp -d "$BENCH_OUT/dump.XXXXXX")
trap 'rm -rf "$W"' EXIT
copy_for_real() { rm -rf "$W/real" && cp -r "$src" "$W/real" && mkdir -p "$W/real/wal"; }
if [ ! -s "$src/.real.md5" ]; then
	copy_for_real
	"$REAL" tsdb dump "$W/real" | md5sum | cut -d' ' -f1 >"$src/.real.md5"
fi
same=identical
[ "$("$OURS" tsdb dump "$src" | md5sum | cut -d' ' -f1)" = "$(cat "$src/.real.md5")" ] || same=DIFFERENT
echo "== tsdb dump, load $(load_now)"
row_header
measure_best : "$OURS" tsdb dump "$src"
read -r ow oc om <<<"$M_WALL $M_CPU $M_RSS"
copy_for_real
measure "$REAL" tsdb dump "$W/real"
read -r rw rc rm <<<"$M_WALL $M_CPU $M_RSS"
n=$(samples_in "$src")
row "tsdb dump ${h}h ($((n / 100000))e5 samples)" "$ow" "$oc" "$om" "$rw" "$rc" "$rm" "output $same"
[ "$same" = identical ]
