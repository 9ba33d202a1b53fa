#!/usr/bin/env bash
# The bundled demo input (testdata/demo/demo.om, what `make demo` imports)
# gives the same blocks and table as the real promtool 2.42, run live.
source "$(dirname "$0")/../lib.sh"
if [ -z "$REAL_PROMTOOL" ] || ! "$REAL_PROMTOOL" --version 2>&1 | grep -q 'version 2\.42\.'; then
	fail openmetrics_demo "real promtool 2.42 not installed (.ci/deps installs it)"
	exit 0
fi
bash testdata/openmetrics/run_one.sh "$PROMTOOL" "$ROOT/testdata/demo/demo.om" "$TMPROOT/ours"
bash testdata/openmetrics/run_one.sh "$REAL_PROMTOOL" "$ROOT/testdata/demo/demo.om" "$TMPROOT/real"
if [ "$(cat "$TMPROOT/ours/exitcode")" = 0 ] && [ -s "$TMPROOT/ours/stdout" ] &&
	diffs=$(diff -r "$TMPROOT/real" "$TMPROOT/ours" 2>&1); then
	pass openmetrics_demo
else
	fail openmetrics_demo "${diffs:-ours failed: $(cat "$TMPROOT/ours/stderr")}"
fi
