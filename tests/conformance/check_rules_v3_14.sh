#!/usr/bin/env bash
# `promtool --compat=3.14 check rules` on upstream's own v3.14.0 rule files
# ($CONFORMANCE_DIR/rulefmt-v3.14.0, $CONFORMANCE_DIR/promtool-v3.14.0),
# against what upstream's tests at v3.14.0 expect of them.  No promtool 3.14
# runs here: the expectations are hand-written from
#   model/rulefmt/rulefmt_test.go  (TestParseFileSuccess,
#     TestParseFileSuccessWithAliases, TestParseFileFailure,
#     TestTemplateParsing, TestUniqueErrorNodes, TestMultiDocParse)
#   cmd/promtool/main_test.go      (TestCheckRules, TestCheckRulesWithRuleFiles,
#     TestCheckDuplicates, TestCheckRulesWithFeatureFlag)
# each case naming the test it follows.  Those tests call rulefmt.ParseFile
# with model.UTF8Validation, as promtool 3.14's check rules does.
. "$(dirname "$0")/../lib.sh"

RF=rulefmt-v3.14.0
PT=promtool-v3.14.0
work=$TMPROOT/work
mkdir -p "$work"

# check NAME WANT_RC DIR FILE [ARGS...]: runs check rules on DIR/FILE from
# inside DIR; stdout and stderr land in $TMPROOT/out, $TMPROOT/err.
check() {
	local name=$1 want=$2 dir=$3 file=$4 rc=0
	shift 4
	(cd "$CONFORMANCE_DIR/$dir" && "$PROMTOOL" --compat=3.14 check rules "$@" "$file") \
		>"$TMPROOT/out" 2>"$TMPROOT/err" || rc=$?
	if [ "$rc" != "$want" ]; then
		fail "check_rules_v3_14 $name" "exit $rc, want $want" "$(head -n 5 "$TMPROOT/err")"
		return 1
	fi
	return 0
}

# first_error FILE: the first message after "  FAILED:" (rulefmt's errs[0];
# a yaml.TypeError's message spans lines, up to the next "FILE: ").
first_error() { awk -v p="$1: " 'NR == 2 { print; next } NR > 2 { if (index($0, p) == 1) exit; print }' "$TMPROOT/err"; }

require_conformance "$RF/test.yaml" || exit 0
require_conformance "$PT/rules.yml" || exit 0

# TestParseFileSuccess: no error from ParseFile (so: exit 0, SUCCESS line).
for f in test.yaml utf-8_lname.good.yaml utf-8_annotation.good.yaml legacy_validation_annotation.good.yaml; do
	if check "success $f" 0 "$RF" "$f" --lint=none; then
		grep -q '^  SUCCESS: [0-9]* rules found$' "$TMPROOT/out" && [ ! -s "$TMPROOT/err" ] &&
			pass "check_rules_v3_14 success $f" || fail "check_rules_v3_14 success $f" "$(cat "$TMPROOT/out")"
	fi
done

# TestParseFileSuccessWithAliases: no error; rules 0 and 2 of each group are
# alert HighAlert (aliases resolved, as rulefmt.Rule's string fields are) and
# rule 3 HighAlert2, all severity critical: so the duplicate lint names
# exactly HighAlert and HighAlert2 (2.42 named the alias, "alertname").
if check "aliases" 0 "$RF" test_aliases.yaml; then
	got=$(grep '^Metric: ' "$TMPROOT/err" | tr '\n' ' ')
	[ "$got" = "Metric: HighAlert Metric: HighAlert2 " ] && pass "check_rules_v3_14 aliases" ||
		fail "check_rules_v3_14 aliases" "got: $got"
fi
if check "aliases no lint" 0 "$RF" test_aliases.yaml --lint=none; then
	grep -q '^  SUCCESS: 8 rules found$' "$TMPROOT/out" && pass "check_rules_v3_14 aliases no lint" ||
		fail "check_rules_v3_14 aliases no lint" "$(cat "$TMPROOT/out")"
fi

# TestParseFileFailure: errs[0] contains errMsg.  Its legacy_validation_
# annotation.bad.yaml case runs with model.LegacyValidation, which promtool
# never selects: under UTF-8 the same file is good (utf-8_annotation.good.yaml).
while IFS='|' read -r f msg; do
	[ -n "$f" ] || continue
	if check "failure $f" 1 "$RF" "$f"; then
		case "$(first_error "$f")" in
		*"$msg"*) pass "check_rules_v3_14 failure $f" ;;
		*) fail "check_rules_v3_14 failure $f" "first error: $(first_error "$f")" "want it to contain: $msg" ;;
		esac
	fi
done <<'EOF'
duplicate_grp.bad.yaml|groupname: "yolo" is repeated in the same file
bad_expr.bad.yaml|parse error
record_and_alert.bad.yaml|only one of 'record' and 'alert' must be set
no_rec_alert.bad.yaml|one of 'record' or 'alert' must be set
noexpr.bad.yaml|field 'expr' must be set in rule
invalid_record_name.bad.yaml|braces present in the recording rule name; should it be in expr?: strawberry{flavor="sweet"}
bad_field.bad.yaml|field annotation not found
invalid_label_name.bad.yaml|invalid label name
record_and_for.bad.yaml|invalid field 'for' in recording rule
record_and_keep_firing_for.bad.yaml|invalid field 'keep_firing_for' in recording rule
EOF

# TestTemplateParsing: each rule string parses; shouldPass means no error.
# The rule texts are that test's (its second one has group labels, 3.0+).
tmpl_case() { # name, want_rc; the rule file on stdin
	cat >"$work/$1.yml"
	check "templates $1" "$2" "" "$work/$1.yml" --lint=none && pass "check_rules_v3_14 templates $1"
}
tmpl_case pass-plain 0 <<'EOF'
groups:
- name: example
  rules:
  - alert: InstanceDown
    expr: up == 0
    for: 5m
    labels:
      severity: "page"
    annotations:
      summary: "Instance {{ $labels.instance }} down"
EOF
tmpl_case pass-group-labels 0 <<'EOF'
groups:
- name: example
  labels:
    team: myteam
  rules:
  - alert: InstanceDown
    expr: up == 0
    for: 5m
    labels:
      severity: "page"
    annotations:
      summary: "Instance {{ $labels.instance }} down"
EOF
tmpl_case fail-label-var 1 <<'EOF'
groups:
- name: example
  rules:
  - alert: InstanceDown
    expr: up == 0
    for: 5m
    labels:
      severity: "page"
    annotations:
      summary: "Instance {{ $label.instance }} down"
EOF
tmpl_case fail-undefined-var 1 <<'EOF'
groups:
- name: example
  rules:
  - alert: InstanceDown
    expr: up == 0
    for: 5m
    labels:
      severity: "{{$this_is_wrong}}"
    annotations:
      summary: "Instance {{ $labels.instance }} down"
EOF
tmpl_case fail-multiply 1 <<'EOF'
groups:
- name: example
  rules:
  - alert: InstanceDown
    expr: up == 0
    for: 5m
    labels:
      severity: "page"
    annotations:
      summary: "Instance {{ $labels.instance }} down"
      description: "{{$labels.quantile * 100}}"
EOF

# TestUniqueErrorNodes: two bad expressions give two errors on two nodes.
cat >"$work/unique.yml" <<'EOF'
groups:
- name: example
  rules:
  - alert: InstanceDown
    expr: up ===== 0
    for: 5m
    labels:
      severity: "page"
    annotations:
      summary: "Instance {{ $labels.instance }} down"
  - alert: InstanceUp
    expr: up ===== 1
    for: 5m
    labels:
      severity: "page"
    annotations:
      summary: "Instance {{ $labels.instance }} up"
EOF
if check "unique error nodes" 1 "" "$work/unique.yml"; then
	n=$(grep -c 'could not parse expression' "$TMPROOT/err")
	pos=$(grep 'could not parse expression' "$TMPROOT/err" | sed -E 's/^[^:]*: ([0-9]+:[0-9]+): .*/\1/' | sort -u | wc -l)
	[ "$n" = 2 ] && [ "$pos" = 2 ] && pass "check_rules_v3_14 unique error nodes" ||
		fail "check_rules_v3_14 unique error nodes" "$(cat "$TMPROOT/err")"
fi

# TestMultiDocParse: only the first document counts; no error either way.
# (3.12+ also logs a warning for the second document: not reproduced.)
printf 'groups:\n- name: example\n  rules:\n  - alert: InstanceDown\n    expr: up == 0\n---\ngroups:\n- name: example2\n  rules:\n  - alert: InstanceDown2\n    expr: up == 0\n' >"$work/multi.yml"
printf 'groups:\n- name: example\n  rules:\n  - alert: InstanceDown\n    expr: up == 0\n---\n' >"$work/multi-empty.yml"
for f in multi multi-empty; do
	if check "multidoc $f" 0 "" "$work/$f.yml"; then
		grep -q '^  SUCCESS: 1 rules found$' "$TMPROOT/out" && pass "check_rules_v3_14 multidoc $f" ||
			fail "check_rules_v3_14 multidoc $f" "$(cat "$TMPROOT/out")"
	fi
done

# TestCheckRules (standard input) and TestCheckRulesWithRuleFiles (a file):
# rules.yml succeeds, rules-bad.yml fails (1), prometheus-rules.lint.yml with
# --lint-fatal exits lintErrExitCode (3); all with --lint=duplicate-rules.
stdin_case() { # name, want_rc, file, args...
	local name=$1 want=$2 file=$3 rc=0
	shift 3
	(cd "$CONFORMANCE_DIR/$PT" && "$PROMTOOL" --compat=3.14 check rules "$@" <"$file") \
		>"$TMPROOT/out" 2>"$TMPROOT/err" || rc=$?
	if [ "$rc" = "$want" ] && head -n 1 "$TMPROOT/out" | grep -qx 'Checking standard input'; then
		pass "check_rules_v3_14 stdin $name"
	else
		fail "check_rules_v3_14 stdin $name" "exit $rc, want $want" "$(head -n 3 "$TMPROOT/out")"
	fi
}
stdin_case rules-good 0 rules.yml --lint=duplicate-rules
stdin_case rules-bad 1 rules-bad.yml --lint=duplicate-rules
stdin_case rules-lint-fatal 3 prometheus-rules.lint.yml --lint=duplicate-rules --lint-fatal
check "files rules-good" 0 "$PT" rules.yml --lint=duplicate-rules && pass "check_rules_v3_14 files rules-good"
check "files rules-bad" 1 "$PT" rules-bad.yml --lint=duplicate-rules && pass "check_rules_v3_14 files rules-bad"
check "files rules-lint-fatal" 3 "$PT" prometheus-rules.lint.yml --lint=duplicate-rules --lint-fatal &&
	pass "check_rules_v3_14 files rules-lint-fatal"

# TestCheckDuplicates: rules.yml has none; rules_duplicates.yml exactly one,
# job:test:count_over_time1m with no labels (its two rules are in different
# groups).  A lint finding alone exits 0.
if check "duplicates none" 0 "$PT" rules.yml; then
	grep -q 'duplicate rule' "$TMPROOT/err" && fail "check_rules_v3_14 duplicates none" "$(cat "$TMPROOT/err")" ||
		pass "check_rules_v3_14 duplicates none"
fi
if check "duplicates other group" 0 "$PT" rules_duplicates.yml; then
	want=$(printf '  FAILED:\nlint error 1 duplicate rule(s) found.\nMetric: job:test:count_over_time1m\nLabel(s):\nMight cause inconsistency while recording expressions')
	[ "$(cat "$TMPROOT/err")" = "$want" ] && pass "check_rules_v3_14 duplicates other group" ||
		fail "check_rules_v3_14 duplicates other group" "$(cat "$TMPROOT/err")"
fi

# TestCheckRulesWithFeatureFlag: features.yml exits 0 with its features on
# (sort_by_label, `[1m * 2]`, `rate(up[1m] anchored)`, `fill(0)`).
rc=0
(cd "$CONFORMANCE_DIR/$PT" && "$PROMTOOL" --compat=3.14 --enable-feature=promql-experimental-functions \
	--enable-feature=promql-extended-range-selectors --enable-feature=promql-binop-fill-modifiers \
	check rules features.yml) >"$TMPROOT/out" 2>"$TMPROOT/err" || rc=$?
if [ "$rc" = 0 ] && grep -q '^  SUCCESS: 4 rules found$' "$TMPROOT/out"; then
	pass "check_rules_v3_14 feature flags"
else
	fail "check_rules_v3_14 feature flags" "exit $rc, want 0" "$(head -n 5 "$TMPROOT/err")"
fi
# ... and without --enable-feature=promql-extended-range-selectors, the
# anchored rule is refused (parse.go setAnchored at v3.14.0).
rc=0
(cd "$CONFORMANCE_DIR/$PT" && "$PROMTOOL" --compat=3.14 --enable-feature=promql-experimental-functions \
	--enable-feature=promql-binop-fill-modifiers check rules features.yml) >"$TMPROOT/out" 2>"$TMPROOT/err" || rc=$?
if [ "$rc" = 1 ] && grep -q 'rule 3, "promql-extended-range-selectors": could not parse expression: 1:6: parse error: anchored modifier is experimental and not enabled$' "$TMPROOT/err"; then
	pass "check_rules_v3_14 feature flags: anchored not enabled"
else
	fail "check_rules_v3_14 feature flags: anchored not enabled" "exit $rc, want 1" "$(head -n 5 "$TMPROOT/err")"
fi
