#!/usr/bin/env bash
# Regenerates expected/ with the REAL promtool 2.42 against a real
# Prometheus 2.42 serving the source TSDB of testdata/rules-backfill/lib.sh.
# Needs /usr/bin/promtool, /usr/bin/prometheus, python3; run from anywhere.
#
# For each case of cases.txt:
#   expected/<name>.2.42.out  the real promtool run once over the whole range
#                             (upstream #19714: windows lost after the first
#                             window without an evaluation time);
#   expected/<name>.out       that run's exit code and log, with the blocks
#                             of the real promtool run once per window,
#                             --start/--end clipped to the window: what the
#                             whole run writes once the bug is fixed.
set -u
cd "$(dirname "$0")/../.."
. testdata/rules-backfill/lib.sh
export TZ=UTC
E=testdata/rules-empty-window
W=$(mktemp -d)
trap 'rb_stop_server; rm -rf "$W"' EXIT
rb_start_server "$W" || { echo "cannot start prometheus" >&2; exit 1; }
mkdir -p "$E/expected"
rm -f "$E"/expected/*.out
url="http://127.0.0.1:$RB_PORT"
grep -v '^#' "$E/cases.txt" | while IFS='|' read -r name start end block args; do
	[ -n "$name" ] || continue
	out="$W/out-$name"
	# shellcheck disable=SC2086
	promtool tsdb create-blocks-from rules --url "$url" --output-dir "$out" --start "$start" --end "$end" $args \
		2>"$W/stderr" >"$W/stdout"
	rc=$?
	rb_summary "$rc" "$W/stdout" "$W/stderr" "$out" >"$E/expected/$name.2.42.out"
	# The same range, one window at a time (as importRule walks them).
	win="$W/win-$name"
	for ((sob = block * (start / block); sob <= end; sob += block)); do
		ws=$((sob > start ? sob : start))
		we=$((sob + block - 1 < end ? sob + block - 1 : end))
		if [ "$ws" -ge "$we" ]; then
			echo "case $name: window $sob has a single second; choose other times" >&2
			exit 1
		fi
		# shellcheck disable=SC2086
		promtool tsdb create-blocks-from rules --url "$url" --output-dir "$win" --start "$ws" --end "$we" $args \
			>/dev/null 2>"$W/win-stderr" || { cat "$W/win-stderr" >&2; exit 1; }
	done
	rb_summary "$rc" "$W/stdout" "$W/stderr" "$win" >"$E/expected/$name.out"
	echo "regenerated $name (rc=$rc, $(ls "$out" 2>/dev/null | wc -l) blocks by 2.42, $(ls "$win" | wc -l) fixed)"
done
