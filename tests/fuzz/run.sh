#!/usr/bin/env bash
# make fuzz: runs each libFuzzer binary given ($FUZZ_SECONDS seconds each,
# $FUZZ_JOBS at a time) over its committed corpus (tests/fuzz/corpus/<t>/,
# read first, never written) and a working corpus (build/fuzz/corpus/<t>/,
# where new inputs go).  A crash stops that target and leaves the input in
# build/fuzz/crashes/<t>/; minimise it (<binary> -minimize_crash=1
# -runs=100000 <input>), fix the bug, and add the minimised input to
# tests/fuzz/corpus/<t>/ so make test replays it.
#
# Prints one line per target: executions, speed, coverage (edges "cov" and
# features "ft" as libFuzzer counts them), corpus size, and the verdict;
# exits 1 when any target crashed.
set -u
cd "$(dirname "$0")/../.."
SECS=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-1}
W=build/fuzz
mkdir -p "$W/logs"

one() { # binary
	local bin=$1 t rc
	t=$(basename "$bin")
	t=${t#fuzz_}
	mkdir -p "$W/corpus/$t" "$W/crashes/$t" "tests/fuzz/corpus/$t"
	"$bin" -max_total_time="$SECS" -timeout=20 -rss_limit_mb=2560 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$W/crashes/$t/" "$W/corpus/$t" "tests/fuzz/corpus/$t" >"$W/logs/$t.log" 2>&1
	rc=$?
	awk -v t="$t" -v rc="$rc" '
	/^stat::number_of_executed_units:/ { execs = $2 }
	/^stat::average_exec_per_sec:/ { speed = $2 }
	/^#[0-9]+/ { for (i = 1; i < NF; i++) { if ($i == "cov:") cov = $(i + 1); if ($i == "ft:") ft = $(i + 1); if ($i == "corp:") corp = $(i + 1) } }
	/^SUMMARY: / && !why { why = $0 }
	/^==[0-9]+== ERROR: / && !why { why = $0 }
	END {
		printf "fuzz %-14s %10s execs %7s/s  cov %6s  ft %7s  corpus %-10s %s\n", t, execs, speed, cov, ft, corp,
			rc == 0 ? "ok" : "CRASH (" (why ? why : "exit " rc) ")"
	}' "$W/logs/$t.log"
	return $rc
}

fail=0
pids=()
for bin in "$@"; do
	one "$bin" &
	pids+=($!)
	if [ "${#pids[@]}" -ge "$JOBS" ]; then
		wait "${pids[0]}" || fail=1
		pids=("${pids[@]:1}")
	fi
done
for p in "${pids[@]}"; do
	wait "$p" || fail=1
done
exit $fail
