#!/usr/bin/env bash
# make bench: ours vs real promtool 2.42 on the same generated inputs, side
# by side in one run (bench/bench_openmetrics.sh, bench_tsdb_dump.sh,
# bench_rules.sh), then our scaling table (bench_scaling.sh), the live
# semantics against the default (bench_rules_live.sh) and the rules
# backfill's production flags (bench_rules_production.sh), and the local
# engine at 100k series (bench_stream.sh).  Inputs are
# generated once under bench/out/ and reused; a first run spends a few
# minutes on that.  The machine's load is printed before and after: with
# other work running, wall times move a lot and the ratios (measured in the
# same run) much less.  BENCH_ONLY="openmetrics tsdb_dump" runs a subset;
# BENCH_FULL=1 adds the 48h OpenMetrics import (real promtool needs 5-15
# minutes for it); BENCH_REPEAT sets how often ours runs (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
: >"$BENCH_OUT/summary.txt"
echo "make bench on $(nproc) CPUs, load $(load_now) (1, 5, 15 min)"
for b in ${BENCH_ONLY:-openmetrics tsdb_dump rules scaling stream rules_live rules_production}; do
	bash "bench/bench_$b.sh"
	echo
done
echo "== summary (real/ours: wall x, cpu x = how many times faster; RSS / = how many times less memory)"
row_header
grep -v '^scaling' "$BENCH_OUT/summary.txt" || true
grep '^scaling' "$BENCH_OUT/summary.txt" | sed 's/^scaling /scaling: /' || true
echo "load at the end $(load_now)"
