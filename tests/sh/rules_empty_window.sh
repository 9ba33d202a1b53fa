#!/usr/bin/env bash
# Upstream #19714, fixed: a window without evaluation times no longer ends
# the rule.  For each case of testdata/rules-empty-window/cases.txt, ours
# (against a real Prometheus 2.42, and with --source-dir over the same data)
# must give the exit code and log of the real promtool 2.42 and the blocks
# the real promtool writes when run once per window (expected/<name>.out,
# made by regen.sh).  Each case must also show the bug: the real promtool's
# own whole-range run (expected/<name>.2.42.out) wrote fewer blocks.
. "$(dirname "$0")/../lib.sh"
. testdata/rules-backfill/lib.sh
export TZ=UTC
E=testdata/rules-empty-window

RB_REAL_PROMTOOL=${REAL_PROMTOOL:-$PROMTOOL}
trap 'rb_stop_server; rm -rf "$TMPROOT"' EXIT
if ! rb_start_server "$TMPROOT"; then
	fail rules_empty_window_server "prometheus did not start" "$(tail -5 "$TMPROOT/prometheus.log" 2>/dev/null)"
	exit 0
fi

blocks_of() { sed -n '/^--- blocks/,$p' "$1" | grep -c '^{'; }

grep -v '^#' "$E/cases.txt" | while IFS='|' read -r name start end _block args; do
	[ -n "$name" ] || continue
	want="$E/expected/$name.out"
	if [ "$(blocks_of "$E/expected/$name.2.42.out")" -lt "$(blocks_of "$want")" ]; then
		pass "rules_empty_window_${name}_shows_bug"
	else
		fail "rules_empty_window_${name}_shows_bug" "2.42 wrote as many blocks as the fixed run"
	fi
	for src in url dir; do
		out="$TMPROOT/out-$name-$src"
		if [ "$src" = url ]; then from=(--url "http://127.0.0.1:$RB_PORT"); else from=(--source-dir "$TMPROOT/src"); fi
		# shellcheck disable=SC2086
		"$PROMTOOL" tsdb create-blocks-from rules "${from[@]}" --output-dir "$out" --start "$start" --end "$end" \
			$args 2>"$TMPROOT/stderr" >"$TMPROOT/stdout"
		rc=$?
		rb_summary "$rc" "$TMPROOT/stdout" "$TMPROOT/stderr" "$out" >"$TMPROOT/$name.out"
		expect_files_eq "rules_empty_window_${name}_$src" "$TMPROOT/$name.out" "$want"
		cmp -s "$TMPROOT/$name.out" "$want" || diff "$TMPROOT/$name.out" "$want" | head -10 >&2
	done
done
