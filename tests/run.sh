#!/usr/bin/env bash
# Runs a test suite and ends with "N passed, M failed, K skipped".
#
#   tests/run.sh              `make test`: what the repository holds
#   tests/run.sh conformance  `make conformance`: upstream's test files from
#                             $CONFORMANCE_DIR (fails when it is absent)
#   tests/run.sh sanitize     `make sanitize` (tests/sanitize.sh runs it in a
#                             copy built with ASan and UBSan): the unit
#                             binaries, the corpus replays and, when
#                             $CONFORMANCE_DIR is set, upstream's PromQL
#                             files at every release make conformance runs
#
# Every test prints lines "PASS <name>", "FAIL <name>" or "SKIP <name>: why";
# this script only counts them ("NOTE ..." lines are shown, not counted).
# make test's layers, in order: unit binaries (bin/tests/*), shell and golden
# tests (tests/sh/*.sh), fuzz corpus replay (bin/fuzz/* over
# tests/fuzz/corpus/<target>/).  Conformance: bin/conformance/*
# and tests/conformance/*.sh.
set -u
cd "$(dirname "$0")/.."
mode=${1:-test}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run() { # name, command...
	local name=$1; shift
	local out rc
	out=$("$@" 2>&1); rc=$?
	printf '%s\n' "$out" >>"$log"
	printf '%s\n' "$out" | grep -E '^(FAIL|SKIP|NOTE)' || true
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL'; then
		# A crash or a non-zero exit without a FAIL line still fails.
		printf 'FAIL %s (exit %d)\n' "$name" "$rc" | tee -a "$log"
		printf '%s\n' "$out" | tail -n 20
	fi
	if printf '%s\n' "$out" | grep -q '^FAIL'; then
		printf '%s\n' "$out" | grep -v -E '^(PASS|SKIP)' | tail -n 40
	fi
}

replay() { # every fuzz target over its committed corpus
	for src in tests/fuzz/fuzz_*.c; do
		name=$(basename "$src" .c)
		f=bin/fuzz/$name
		echo "== fuzz replay: $name"
		run "$f" "$f" "tests/fuzz/corpus/${name#fuzz_}"
	done
}

case $mode in
test)
	# By source, not by what bin/ holds: a stale binary of a removed test
	# must not run, and a test whose binary is missing fails.
	for src in tests/unit/test_*.c; do
		t=bin/tests/$(basename "$src" .c)
		echo "== unit: $t"
		run "$t" "$t"
	done
	for t in tests/sh/*.sh; do
		[ -f "$t" ] || continue
		echo "== shell: $t"
		run "$t" bash "$t"
	done
	replay
	;;
sanitize)
	for src in tests/unit/test_*.c; do
		t=bin/tests/$(basename "$src" .c)
		echo "== unit: $t"
		run "$t" "$t"
	done
	replay
	# the runner's own pass/fail counts are not ours to check here (make
	# conformance does that): only that no file makes it crash or err
	if [ -z "${CONFORMANCE_DIR:-}" ]; then
		echo "NOTE sanitize: CONFORMANCE_DIR not set, upstream's PromQL files not run"
	elif ! ls -d "$CONFORMANCE_DIR"/promqltest-v* >/dev/null 2>&1; then
		echo "FAIL sanitize: no promqltest-v* folders in $CONFORMANCE_DIR" | tee -a "$log"
	fi
	for d in "${CONFORMANCE_DIR:-/nonexistent}"/promqltest-v*; do
		[ -d "$d" ] || continue
		v=${d##*/promqltest-v}
		[ "$v" = 2.42 ] && v=2.42.0
		echo "== promqltest: $d"
		run "promqltest $v" sh -c 'bin/promqltest --compat="$1" "$2" >/dev/null; rc=$?; [ $rc -le 1 ] || exit $rc; echo "PASS promqltest_sanitized $1"' sh "$v" "$d"
	done
	;;
conformance)
	CONFORMANCE_DIR=${CONFORMANCE_DIR:-$(pwd)/../shared/conformance}
	export CONFORMANCE_DIR
	if [ ! -d "$CONFORMANCE_DIR" ]; then
		echo "FAIL conformance: $CONFORMANCE_DIR not found; set CONFORMANCE_DIR (see README.md)" | tee -a "$log"
	else
		echo "== promqltest: $CONFORMANCE_DIR/promqltest-v2.42"
		run promqltest bin/promqltest --compat=2.42.0 "$CONFORMANCE_DIR/promqltest-v2.42"
		for src in tests/conformance/test_*.c; do
			t=bin/conformance/$(basename "$src" .c)
			echo "== conformance: $t"
			run "$t" "$t"
		done
		for t in tests/conformance/*.sh; do
			[ -f "$t" ] || continue
			echo "== conformance: $t"
			run "$t" bash "$t"
		done
	fi
	;;
*)
	echo "usage: tests/run.sh [test|conformance|sanitize]" >&2
	exit 2
	;;
esac

passed=$(grep -c '^PASS' "$log")
failed=$(grep -c '^FAIL' "$log")
skipped=$(grep -c '^SKIP' "$log")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
