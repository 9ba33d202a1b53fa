#!/usr/bin/env bash
# make bench: ours vs real promtool 2.42 on the same inputs, printed as ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in bench/bench_*.sh; do
	[ -f "$b" ] || continue
	bash "$b"
done
