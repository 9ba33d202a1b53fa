#!/usr/bin/env bash
# Regenerates expected/*.out with the REAL promtool 2.42 querying (--url) a
# real Prometheus 2.42 that serves the source TSDB of
# testdata/rules-backfill/lib.sh.  tests/sh/rules_local_golden.sh then
# requires ours with --source-dir on the same data to give the same exit
# code, stdout, stderr and block files.  Needs /usr/bin/promtool,
# /usr/bin/prometheus, python3; run from anywhere.
set -u
cd "$(dirname "$0")/../.."
. testdata/rules-backfill/lib.sh
export TZ=UTC
L=testdata/rules-local
W=$(mktemp -d)
trap 'rb_stop_server; rm -rf "$W"' EXIT
rb_start_server "$W" || { echo "cannot start prometheus" >&2; exit 1; }
mkdir -p "$L/expected"
rm -f "$L"/expected/*.out
grep -v '^#' "$L/cases.txt" | while IFS='|' read -r name args; do
	[ -n "$name" ] || continue
	out="$W/out-$name"
	# shellcheck disable=SC2086
	promtool tsdb create-blocks-from rules --url "http://127.0.0.1:$RB_PORT" --output-dir "$out" $args \
		2>"$W/stderr" >"$W/stdout"
	rc=$?
	rb_summary "$rc" "$W/stdout" "$W/stderr" "$out" >"$L/expected/$name.out"
	echo "regenerated $name (rc=$rc)"
done
