#!/usr/bin/env bash
# `make sanitize [CONFORMANCE_DIR=dir]`: the unit binaries, the fuzz corpus
# replays and, with CONFORMANCE_DIR, upstream's PromQL files (tests/run.sh
# sanitize) built with AddressSanitizer and
# UndefinedBehaviorSanitizer, in a copy of the tree under build/sanitize/
# (so bin/ and build/ keep the normal build).  Any sanitizer report stops
# the program with exit code 86, which fails the run.  Leak reports are off:
# the commands free what they own, but exit paths need not.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
copy=build/sanitize/src
mkdir -p "$copy"
# the work tree as it is (committed or not); mtimes kept, so a rerun
# rebuilds only what changed
tar -c --exclude=./build --exclude=./bin --exclude=./.git . | tar -x -C "$copy"
export ASAN_OPTIONS=detect_leaks=0:exitcode=86
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86
make -C "$copy" --no-print-directory -j"$(nproc)" SANITIZE=address,undefined \
	bin/promtool unit fuzz-replay bin/promqltest >"$root/build/sanitize/build.log" 2>&1 ||
	{ tail -n 40 "$root/build/sanitize/build.log"; exit 1; }
# upstream's PromQL files only when asked for (.ci/run passes them): the
# repository reads ../shared only in make conformance
if [ -n "${CONFORMANCE_DIR:-}" ]; then
	CONFORMANCE_DIR=$(cd "$CONFORMANCE_DIR" 2>/dev/null && pwd || echo /nonexistent)
	export CONFORMANCE_DIR
fi
exec bash "$copy/tests/run.sh" sanitize
