#!/usr/bin/env bash
# Extension: `check rules` reads a Prometheus Operator PrometheusRule manifest
# from spec.groups.  Real promtool 2.42 has no such mode, so the expected
# output (testdata/rules/expected/) is ours, reviewed by hand: the same
# messages 2.42 prints for a plain rule file, with the manifest's line:column.
. "$(dirname "$0")/../lib.sh"

dir=testdata/rules
require_cmd check_rules_prometheusrule "$PROMTOOL" || exit 0
n=0
for f in "$dir"/*.yaml; do
	name=$(basename "$f" .yaml)
	out="$TMPROOT/$name"
	rc=0
	(cd "$dir" && "$PROMTOOL" check rules "$name.yaml") >"$out.stdout" 2>"$out.stderr" || rc=$?
	if cmp -s "$out.stdout" "$dir/expected/$name.stdout" && cmp -s "$out.stderr" "$dir/expected/$name.stderr" &&
		[ "$rc" = "$(cat "$dir/expected/$name.rc")" ]; then
		pass "check_rules_prometheusrule $name"
	else
		fail "check_rules_prometheusrule $name" "exit $rc" "$(diff "$out.stderr" "$dir/expected/$name.stderr" | head)"
	fi
	n=$((n + 1))
done
[ "$n" -ge 3 ] && pass "check_rules_prometheusrule case count ($n)" || fail "check_rules_prometheusrule case count ($n)"

# It is an extension: the real 2.42 refuses the manifest.
if require_cmd "check_rules_prometheusrule is an extension" "$REAL_PROMTOOL"; then
	msg=$("$REAL_PROMTOOL" check rules "$dir/prometheusrule-originflow.yaml" 2>&1)
	case "$msg" in
	*"field apiVersion not found in type rulefmt.RuleGroups"*) pass "check_rules_prometheusrule is an extension" ;;
	*) fail "check_rules_prometheusrule is an extension" "$msg" ;;
	esac
fi
