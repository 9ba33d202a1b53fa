#!/usr/bin/env bash
# make demo (tests/demo.sh) needs no server: it must succeed, print each
# command before running it, and leave source blocks and rule blocks that
# hold the three recorded series of testdata/demo/rules.yml.
. "$(dirname "$0")/../lib.sh"
d="$TMPROOT/demo"
if ! DEMO_OUT="$d" bash tests/demo.sh >"$TMPROOT/out" 2>"$TMPROOT/err"; then
	fail demo_runs "tests/demo.sh failed" "$(tail -n 5 "$TMPROOT/err")"
	exit 0
fi
pass demo_runs
for cmd in "tsdb create-blocks-from openmetrics" "tsdb create-blocks-from rules --source-dir=" \
	"tsdb list -r" "tsdb verify"; do
	if grep -q "^\$ promtool $cmd" "$TMPROOT/out"; then pass "demo_prints_${cmd// /_}"; else
		fail "demo_prints_${cmd// /_}" "no '\$ promtool $cmd' line"
	fi
done
nsrc=$(find "$d/source" -mindepth 2 -maxdepth 2 -name meta.json 2>/dev/null | wc -l)
nrules=$(find "$d/rules" -mindepth 2 -maxdepth 2 -name meta.json 2>/dev/null | wc -l)
# demo.om spans 12h: six 2h source blocks; rules: 3 rules x 6 windows
expect_eq demo_source_blocks "$nsrc" 6
expect_eq demo_rule_blocks "$nrules" 18
names=$("$PROMTOOL" tsdb dump "$d/rules" 2>/dev/null | sed -E 's/^\{__name__="([^"]*)".*/\1/' | sort -u | tr '\n' ' ')
expect_eq demo_rule_series "$names" \
	"route:http_errors:ratio_5m route:http_request_duration_seconds:avg_5m route_tenant:http_request_duration_seconds:p95_5m "
