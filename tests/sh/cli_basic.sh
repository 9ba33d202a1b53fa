#!/usr/bin/env bash
# CLI behaviour that is ours rather than promtool's, so it cannot be a golden:
# the version line, hidden aliases, typed accessors, stubs.
. "$(dirname "$0")/../lib.sh"
# kingpin names the program after argv[0]; call ours "promtool" too.  A
# copy, so a rebuild of bin/promtool during the run cannot disturb it.
mkdir -p "$TMPROOT/bin" && cp "$PROMTOOL" "$TMPROOT/bin/promtool" && PROMTOOL=$TMPROOT/bin/promtool

out=$("$PROMTOOL" --version 2>&1); rc=$?
expect_eq cli_version_exit "$rc" 0
# Same first-line shape as "promtool, version 2.42.0+ds (branch: ..., revision: ...)".
shape='^promtool, version 2\.42\.0[^ ]* \(branch: [^,]+, revision: [^)]+\)$'
if [[ $(printf '%s\n' "$out" | head -n1) =~ $shape ]]; then
	pass cli_version_shape
else
	fail cli_version_shape "got: $out"
fi
expect_eq cli_version_lines "$(printf '%s\n' "$out" | wc -l)" 5
# kingpin runs --version's pre-action even when the parse failed later.
out=$("$PROMTOOL" --version --bogus 2>&1); rc=$?
expect_eq cli_version_before_parse_error "$rc/$(printf '%s\n' "$out" | head -c 18)" "0/promtool, version "
out=$("$PROMTOOL" tsdb --no-version extra 2>/dev/null); rc=$?
expect_eq cli_version_negated_still_prints "$rc/$(printf '%s\n' "$out" | head -c 18)" "0/promtool, version "

# Hidden flags parse but stay out of help.
out=$("$PROMTOOL" tsdb create-blocks-from --max-block-duration=3h openmetrics 2>&1); rc=$?
expect_eq cli_hidden_flag_parses "$rc/$out" "1/promtool: error: required argument 'input file' not provided, try --help"
for f in max-block-duration query-url -- '--out=' '--step=' completion; do
	if "$PROMTOOL" help tsdb create-blocks-from rules | grep -q -e "--$f"; then
		fail "cli_hidden_not_in_help_$f" "--$f appears in help"
	else
		pass "cli_hidden_not_in_help_$f"
	fi
done 2>/dev/null

# An alias counts as its canonical flag: giving both is a repetition.
rules=testdata/cli/files/rules.yml
out=$("$PROMTOOL" tsdb create-blocks-from rules --start=1 --url=http://a --query-url=http://b "$rules" 2>&1); rc=$?
expect_eq cli_alias_repeat "$rc/$out" "1/promtool: error: flag 'url' cannot be repeated, try --help"
out=$("$PROMTOOL" tsdb create-blocks-from rules --start=1 --out=x --output-dir=y "$rules" 2>&1); rc=$?
expect_eq cli_alias_repeat_out "$rc/$out" "1/promtool: error: flag 'output-dir' cannot be repeated, try --help"
out=$("$PROMTOOL" tsdb create-blocks-from rules --start=1 --step=5 "$rules" 2>&1); rc=$?
expect_eq cli_alias_typed "$rc/$out" '1/promtool: error: time: missing unit in duration "5", try --help'
out=$("$PROMTOOL" tsdb create-blocks-from rules --start=1 --query-url=:: "$rules" 2>&1); rc=$?
expect_eq cli_alias_url_typed "$rc/$out" '1/promtool: error: invalid URL: parse "::": missing protocol scheme, try --help'
out=$("$PROMTOOL" tsdb create-blocks-from rules --start=1 --http.config.file=testdata/cli/files/nope "$rules" 2>&1); rc=$?
expect_eq cli_http_config_must_exist "$rc/$out" "1/promtool: error: path 'testdata/cli/files/nope' does not exist, try --help"

# Repeatable --match on tsdb dump (an extension): no "cannot be repeated".
out=$("$PROMTOOL" tsdb dump --match=a --match=b --min-time=x 2>&1); rc=$?
expect_eq cli_dump_match_repeatable "$rc/$out" '1/promtool: error: strconv.ParseInt: parsing "x": invalid syntax, try --help'

# tsdb verify exists and takes one optional path.
out=$("$PROMTOOL" tsdb verify a b 2>&1); rc=$?
expect_eq cli_verify_args "$rc/$out" "1/promtool: error: unexpected b, try --help"

# --enable-feature warnings, against real promtool's (testdata/cli/regen.sh).
"$PROMTOOL" --enable-feature=a,,promql-at-modifier --enable-feature='promql-negative-offset,no-default-scrape-port,x"y' \
	tsdb list testdata/cli/files/nonexistent >"$TMPROOT/warn.txt" 2>/dev/null
expect_files_eq cli_feature_warnings "$TMPROOT/warn.txt" testdata/cli/feature_warnings.txt
