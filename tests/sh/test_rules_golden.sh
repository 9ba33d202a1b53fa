#!/usr/bin/env bash
# promtool test rules: our exit code, stdout and stderr must equal what the
# REAL promtool 2.42 printed for the same case (testdata/test-rules/regen.sh
# made the goldens).  Our own cases (testdata/test-rules/cases) run here;
# the cases on upstream's test files run in `make conformance`
# (tests/conformance/test_rules_upstream.sh, TR_KIND=conf).  Where promtool's output
# depends on Go's map order, several variants were recorded and ours must
# be one of them.  A changed byte in a golden must be noticed.
. "$(dirname "$0")/../lib.sh"
. testdata/test-rules/lib.sh
T=$ROOT/testdata/test-rules

KIND=${TR_KIND:-cases}
if [ "$KIND" = conf ]; then
	require_conformance promtool-v2.42 || exit 0
fi

grep -v '^#' "$T/cases.txt" | while IFS='|' read -r name kind files; do
	[ -n "$name" ] || continue
	[ "$kind" = "$KIND" ] || continue
	dir=$(tr_dir "$kind" "$CONFORMANCE_DIR" "$T/cases")
	# shellcheck disable=SC2086
	tr_record "$PROMTOOL" "$dir" $files >"$TMPROOT/got"
	ok=
	for want in "$T/expected/$name.out" "$T/expected/$name.out".*; do
		[ -e "$want" ] && cmp -s "$TMPROOT/got" "$want" && ok=1
	done
	if [ -n "$ok" ]; then
		pass "test_rules_golden_$name"
	else
		fail "test_rules_golden_$name" "$(diff "$TMPROOT/got" "$T/expected/$name.out" | head -20)"
	fi
done

[ "$KIND" = conf ] && exit 0
# The comparison must see one changed byte.
cp "$T/expected/templates.out" "$TMPROOT/flipped"
sed -i '0,/SUCCESS\|FAILED/s/FAILED/FAILEE/' "$TMPROOT/flipped"
tr_record "$PROMTOOL" "$T/cases" tmpl_test.yml >"$TMPROOT/got"
if cmp -s "$TMPROOT/got" "$TMPROOT/flipped"; then
	fail test_rules_golden_detects_one_byte "a changed golden went unnoticed"
else
	pass test_rules_golden_detects_one_byte
fi
