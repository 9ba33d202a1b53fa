#!/usr/bin/env bash
# tsdb create-blocks-from rules against a real Prometheus 2.42: our exit
# code, stdout, stderr and every block file must equal what the real
# promtool 2.42 produced (testdata/rules-backfill/expected, made by
# regen.sh).  Only ULIDs are normalised, plus the order of groups in the
# log, which is random in promtool (Go map iteration).
# RB_EXTRA_ARGS (word-split) is added to every run of ours (tests/sh/rules_concurrency.sh).
. "$(dirname "$0")/../lib.sh"
. testdata/rules-backfill/lib.sh
export TZ=UTC

require_cmd rules_backfill_golden prometheus python3 || exit 0
# The source TSDB comes from an openmetrics import: the real promtool's
# when installed, else ours (the goldens were made with the real one).
RB_REAL_PROMTOOL=${REAL_PROMTOOL:-$PROMTOOL}
trap 'rb_stop_server; rm -rf "$TMPROOT"' EXIT
if ! rb_start_server "$TMPROOT"; then
	fail rules_backfill_golden_server "prometheus did not start" "$(tail -5 "$TMPROOT/prometheus.log" 2>/dev/null)"
	exit 0
fi

grep -v '^#' "$RB_DIR/cases.txt" | while IFS='|' read -r name args; do
	[ -n "$name" ] || continue
	out="$TMPROOT/out-$name"
	# shellcheck disable=SC2086
	"$PROMTOOL" tsdb create-blocks-from rules ${RB_EXTRA_ARGS:-} --url "http://127.0.0.1:$RB_PORT" --output-dir "$out" $args \
		2>"$TMPROOT/stderr" >"$TMPROOT/stdout"
	rc=$?
	rb_summary "$rc" "$TMPROOT/stdout" "$TMPROOT/stderr" "$out" >"$TMPROOT/$name.out"
	expect_files_eq "rules_backfill_golden_$name" "$TMPROOT/$name.out" "$RB_DIR/expected/$name.out"
	if ! cmp -s "$TMPROOT/$name.out" "$RB_DIR/expected/$name.out"; then
		diff "$TMPROOT/$name.out" "$RB_DIR/expected/$name.out" | head -20 >&2
	fi
done
