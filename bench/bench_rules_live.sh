#!/usr/bin/env bash
# Rules backfill with the live rule manager's semantics vs promtool's, both
# ours and local: the seed rules (testdata/rules-backfill/rules_seed.yml,
# group interval 15s) over BENCH_RL_HOURS hours (default 12) of 200 request
# histograms (20 routes x 10 tenants, 60s scrapes), from a data dir.
#
#   default:    bin/promtool ... --source-dir <dir>
#   prometheus: bin/promtool ... --source-dir <dir> --semantics=prometheus
#
# Prints wall and CPU seconds of each and what the live semantics cost
# (prometheus / default).
set -euo pipefail
cd "$(dirname "$0")/.."
. testdata/rules-backfill/lib.sh
export TZ=UTC
HOURS=${BENCH_RL_HOURS:-12}
if [ ! -x /usr/bin/time ]; then
	echo "bench_rules_live: SKIP (needs /usr/bin/time)"
	exit 0
fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$RB_PY" "$RB_DIR/gen_om.py" 1700000000 "$HOURS" 60 20 10 >"$W/src.om"
bin/promtool tsdb create-blocks-from openmetrics "$W/src.om" "$W/src" >/dev/null
rm -f "$W/src.om"
end=$((1700000000 + HOURS * 3600))
measure() { # tag flags...
	local tag=$1
	shift
	/usr/bin/time -f '%e %U %S' -o "$W/$tag.time" bin/promtool tsdb create-blocks-from rules "$@" \
		--source-dir "$W/src" --start 1700000600 --end "$end" --output-dir "$W/out-$tag" \
		"$RB_DIR/rules_seed.yml" 2>"$W/$tag.err" >/dev/null || {
		echo "bench_rules_live: $tag failed:" >&2
		tail -n 5 "$W/$tag.err" >&2
		exit 1
	}
}
measure default
measure live --semantics=prometheus
read -r dw du ds <"$W/default.time"
read -r lw lu ls <"$W/live.time"
samples() { bin/promtool tsdb dump "$1" 2>/dev/null | wc -l; }
awk -v dw="$dw" -v du="$du" -v ds="$ds" -v lw="$lw" -v lu="$lu" -v ls="$ls" -v h="$HOURS" \
	-v dn="$(samples "$W/out-default")" -v ln="$(samples "$W/out-live")" 'BEGIN {
	printf "rules backfill, live semantics (%dh, 200 histograms, 2 seed rules @15s, --source-dir):\n", h
	printf "  default (promtool 2.42):       wall %.2fs  cpu %.2fs  %d samples\n", dw, du + ds, dn
	printf "  --semantics=prometheus:        wall %.2fs  cpu %.2fs  %d samples\n", lw, lu + ls, ln
	printf "  cost prometheus/default: wall %.2fx  cpu %.2fx\n", (dw > 0 ? lw / dw : 0), (du + ds > 0 ? (lu + ls) / (du + ds) : 0)
}'
