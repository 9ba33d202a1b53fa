#!/usr/bin/env bash
# Regenerates expected/*.out with the REAL promtool 2.42 against a real
# Prometheus 2.42 serving the generated source TSDB.  Run from anywhere;
# needs /usr/bin/promtool, /usr/bin/prometheus, python3.
#
# Each expected/<case>.out holds the exit code, stderr with groups in a
# fixed order (promtool's own order is random; see rb_canon_log) and one
# line per written block: meta.json with ULIDs as <ULID>, then a digest of
# every block file.
set -u
cd "$(dirname "$0")/../.."
. testdata/rules-backfill/lib.sh
export TZ=UTC
W=$(mktemp -d)
trap 'rb_stop_server; rm -rf "$W"' EXIT
rb_start_server "$W" || { echo "cannot start prometheus" >&2; exit 1; }
mkdir -p "$RB_DIR/expected"
rm -f "$RB_DIR"/expected/*.out
grep -v '^#' "$RB_DIR/cases.txt" | while IFS='|' read -r name args; do
	[ -n "$name" ] || continue
	out="$W/out-$name"
	# shellcheck disable=SC2086
	promtool tsdb create-blocks-from rules --url "http://127.0.0.1:$RB_PORT" --output-dir "$out" $args \
		2>"$W/stderr" >"$W/stdout"
	rc=$?
	rb_summary "$rc" "$W/stdout" "$W/stderr" "$out" >"$RB_DIR/expected/$name.out"
	echo "regenerated $name (rc=$rc)"
done
