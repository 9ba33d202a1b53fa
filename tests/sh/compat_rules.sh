#!/usr/bin/env bash
# Rule files, check rules and the command table under --compat (issue 13):
# what each release accepts and prints where it differs from 2.42, at the
# release that changed it.  No promtool but 2.42 runs here; each expectation
# was read off upstream's source at the tag named (model/rulefmt/rulefmt.go,
# cmd/promtool/main.go), and tests/conformance/check_rules_v3_14.sh checks
# 3.14 against upstream's own tests.  2.42 itself stays pinned by the goldens
# of check_rules_golden.sh and cli_golden.sh.
. "$(dirname "$0")/../lib.sh"

w=$TMPROOT
# run V ARGS...: promtool --compat=V ARGS, stdout/stderr/exit in $w/out $w/err $rc
run() {
	local v=$1
	shift
	rc=0
	"$PROMTOOL" --compat="$v" "$@" >"$w/out" 2>"$w/err" || rc=$?
}
# want NAME RC PATTERN FILE: exit code and a fixed string in out or err
want() {
	if [ "$rc" = "$2" ] && grep -qF -- "$3" "$w/$4"; then
		pass "compat_rules $1"
	else
		fail "compat_rules $1" "exit $rc, want $2; want '$3' in $4" "$(head -n 5 "$w/out" "$w/err")"
	fi
}
# lacks NAME PATTERN FILE
lacks() {
	if grep -qF -- "$2" "$w/$3"; then
		fail "compat_rules $1" "'$2' in $3"
	else
		pass "compat_rules $1"
	fi
}

# ---- group labels (3.0) ----
cat >"$w/glabels.yml" <<'EOF'
groups:
  - name: g
    labels:
      team: a
      env: group
    rules:
      - record: r1
        expr: up
        labels:
          env: rule
      - record: r1
        expr: up
        labels:
          team: a
          env: rule
EOF
run 2.55 check rules "$w/glabels.yml"
want "group labels rejected by 2.55" 1 "field labels not found in type rulefmt.RuleGroup" err
# 3.0 merges them: the two rules have the same labels, a duplicate
run 3.0 check rules "$w/glabels.yml"
want "group labels merged in 3.0 (duplicate check)" 0 "$(printf 'Metric: r1\nLabel(s):\n\tenv: rule\n\tteam: a')" err
if grep -q "env: group" "$w/err"; then fail "compat_rules rule label wins"; else pass "compat_rules rule label wins"; fi
printf 'groups:\n  - name: g\n    labels:\n      __name__: x\n      "a-b": y\n    rules:\n      - record: r\n        expr: up\n' >"$w/gbad.yml"
run 3.0 check rules "$w/gbad.yml"
want "group label __name__ invalid" 1 "gbad.yml: invalid label name: __name__" err
run 2.55 check rules "$w/gbad.yml"
want "group labels field unknown before 3.0" 1 "field labels not found" err

# ---- query_offset (2.53) ----
printf 'groups:\n  - name: g\n    query_offset: 1m\n    rules:\n      - record: r\n        expr: up\n' >"$w/qo.yml"
run 2.52 check rules "$w/qo.yml"
want "query_offset unknown in 2.52" 1 "field query_offset not found in type rulefmt.RuleGroup" err
run 2.53 check rules "$w/qo.yml"
want "query_offset accepted by 2.53" 0 "SUCCESS: 1 rules found" out
printf 'groups:\n  - name: g\n    query_offset: 1x\n    rules:\n      - record: r\n        expr: up\n' >"$w/qo-bad.yml"
run 2.53 check rules "$w/qo-bad.yml"
want "query_offset is a model.Duration" 1 'not a valid duration string: "1x"' err
printf 'groups:\n  - name: g\n    query_offset: ~\n    rules:\n      - record: r\n        expr: up\n' >"$w/qo-null.yml"
run 2.53 check rules "$w/qo-null.yml"
want "query_offset null is unset" 0 "SUCCESS: 1 rules found" out

# ---- names: UTF-8 (3.0), braces (3.2) ----
printf 'groups:\n  - name: g\n    rules:\n      - record: "a.b"\n        expr: sum by ("x.y") ({"c.d"})\n        labels:\n          "ins-tance": v\n' >"$w/utf8.yml"
run 2.55 check rules "$w/utf8.yml"
want "UTF-8 names rejected by 2.55" 1 'invalid recording rule name: a.b' err
run 3.0 check rules "$w/utf8.yml"
want "UTF-8 names accepted by 3.0" 0 "SUCCESS: 1 rules found" out
printf 'groups:\n  - name: g\n    rules:\n      - record: a{b}\n        expr: up\n' >"$w/braces.yml"
run 3.1 check rules "$w/braces.yml"
want "braces allowed in 3.1 (valid UTF-8)" 0 "SUCCESS: 1 rules found" out
run 3.2 check rules "$w/braces.yml"
want "braces rejected by 3.2" 1 'braces present in the recording rule name; should it be in expr?: a{b}' err

# ---- positions: both for a nameless rule (2.48), group 0:0 (3.3) ----
printf 'groups:\n  - name: g\n    rules:\n      - expr: up\n  - name: g\n' >"$w/pos.yml"
run 2.47 check rules "$w/pos.yml"
want "nameless rule: one position in 2.47" 1 'pos.yml: 0:0: group "g", rule 1, "": one of' err
run 2.48 check rules "$w/pos.yml"
want "nameless rule: both positions in 2.48" 1 'pos.yml: 0:0: 0:0: group "g", rule 1, "": one of' err
want "repeated group at its line up to 3.2" 1 'pos.yml: 5:5: groupname: "g" is repeated' err
run 3.3 check rules "$w/pos.yml"
want "repeated group at 0:0 from 3.3" 1 'pos.yml: 0:0: groupname: "g" is repeated' err

# ---- typed decoding (3.3/3.4) ----
printf 'groups:\n  - name: g\n    rules:\n      - record: [x]\n        expr: up\n        annotation: {}\n' >"$w/typed.yml"
run 3.2 check rules "$w/typed.yml"
want "3.2 names RuleNode" 1 "field annotation not found in type rulefmt.RuleNode" err
lacks "3.2 record is a yaml.Node" "into string" err
run 3.3 check rules "$w/typed.yml"
want "3.3 names Rule, record is a string" 1 'line 4: cannot unmarshal !!seq into string' err
want "3.3 names rulefmt.Rule" 1 "field annotation not found in type rulefmt.Rule" err
printf 'groups:\n  - name: g\n    rules: 5\n' >"$w/rules5.yml"
run 3.3 check rules "$w/rules5.yml"
want "3.3 positional decode is typed too" 1 'cannot unmarshal !!int `5` into []rulefmt.ruleNode' err
run 3.4 check rules "$w/rules5.yml"
want "3.4 exports RuleNode" 1 'cannot unmarshal !!int `5` into []rulefmt.RuleNode' err
want "3.4 strict decode names []rulefmt.Rule" 1 'cannot unmarshal !!int `5` into []rulefmt.Rule' err

# ---- check rules: standard input (2.46), lint warning and unknown fields (3.2) ----
printf 'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n' >"$w/ok.yml"
rc=0
"$PROMTOOL" --compat=2.45 check rules <"$w/ok.yml" >"$w/out" 2>"$w/err" || rc=$?
want "no file is a usage error in 2.45" 1 "required argument 'rule-files' not provided" err
rc=0
"$PROMTOOL" --compat=2.46 check rules <"$w/ok.yml" >"$w/out" 2>"$w/err" || rc=$?
want "2.46 reads standard input" 0 "$(printf 'Checking standard input\n  SUCCESS: 1 rules found')" out
rc=0
printf 'groups:\n  - name: ""\n' | "$PROMTOOL" --compat=2.46 check rules >"$w/out" 2>"$w/err" || rc=$?
want "standard input errors have no file prefix" 1 "$(printf '  FAILED:\n1:3: Groupname must not be empty')" err
run 3.1 check rules --lint=bogus "$w/ok.yml"
want "3.1 lint warning" 0 "WARNING: unknown lint option bogus" out
run 3.2 check rules --lint=bogus "$w/ok.yml"
want "3.2 lint warning quoted" 0 'WARNING: unknown lint option: "bogus"' out
printf 'groups:\n  - name: g\n    owner: me\n    rules:\n      - record: r\n        expr: up\n        note: x\n' >"$w/extra.yml"
run 3.1 check rules --ignore-unknown-fields "$w/extra.yml"
want "--ignore-unknown-fields unknown in 3.1" 1 "unknown long flag '--ignore-unknown-fields'" err
run 3.2 check rules "$w/extra.yml"
want "unknown fields rejected by default in 3.2" 1 "field owner not found in type rulefmt.RuleGroup" err
run 3.2 check rules --ignore-unknown-fields "$w/extra.yml"
want "--ignore-unknown-fields in 3.2" 0 "SUCCESS: 1 rules found" out

# ---- help and flags per release (cmd/promtool/main.go at each tag) ----
run 2.42 --help
lacks "--compat hidden in 2.42" "--compat" out
run 2.43 --help
want "--compat shown from 2.43" 0 "--compat=VERSION" out
run 2.45 --help
lacks "no --experimental in 2.45" "experimental" out
run 2.46 --help
want "--experimental from 2.46" 0 "--[no-]experimental" out
run 2.55 --help
want "enable-feature help of 2.55" 0 "PromQL related and no-default-scrape-port" out
run 3.0 --help
want "enable-feature help of 3.0" 0 "enable. Currently" out
run 3.14 --help
want "enable-feature help of 3.14" 0 "promql-delayed-name-removal," out
lacks "3.14 dropped promql-duration-expr from the list" "promql-duration-expr" out
run 3.10 --help
want "3.10 lists promql-duration-expr" 0 "promql-duration-expr" out
run 2.45 check rules --help
want "rule-files required in 2.45" 0 "<rule-files>  The rule files to check." out
run 2.46 check rules --help
want "rule-files optional in 2.46" 0 "[<rule-files>]  The rule files to check, default is read from standard input." out
run 3.1 check rules --help
lacks "no --ignore-unknown-fields in 3.1" "ignore-unknown-fields" out
run 3.2 check rules --help
want "--ignore-unknown-fields in 3.2" 0 "--[no-]ignore-unknown-fields" out
want "check --query.lookback-delta in 3.2" 0 '--query.lookback-delta=5m' out
run 3.9 check rules --help
lacks "check --extended moved to check metrics in 3.9" "extended" out
run 2.42 tsdb create-blocks-from rules --help
if awk '/--http.config.file/ { h = NR } /--url=/ { u = NR } END { exit !(h > u) }' "$w/out"; then
	pass "compat_rules 2.42 help: --http.config.file after 2.42's flags (extension)"
else
	fail "compat_rules 2.42 help: --http.config.file after 2.42's flags (extension)"
fi
run 2.43 tsdb create-blocks-from rules --help
if awk '/--http.config.file/ { h = NR } /--url=/ { u = NR } END { exit !(h && h < u) }' "$w/out"; then
	pass "compat_rules 2.43 help: --http.config.file first"
else
	fail "compat_rules 2.43 help: --http.config.file first" "$(head -n 20 "$w/out")"
fi
[ "$(grep -c -- '--http.config.file' "$w/out")" = 1 ] && pass "compat_rules 2.43 help: --http.config.file once" ||
	fail "compat_rules 2.43 help: --http.config.file once"
run 3.6 tsdb create-blocks-from rules --help
want "3.6 http.config.file help" 0 "HTTP client configuration file, see details at" out
run 2.54 tsdb create-blocks-from openmetrics --help
lacks "no openmetrics --label in 2.54" "--label" out
run 2.55 tsdb create-blocks-from openmetrics --help
want "openmetrics --label in 2.55" 0 "--label=" out
run 2.52 tsdb dump --help
lacks "no dump --sandbox-dir-root in 2.52" "--sandbox-dir-root" out
run 2.53 tsdb dump --help
want "dump --sandbox-dir-root with a default in 2.53" 0 '--sandbox-dir-root="data/"' out
run 2.55 tsdb dump --help
want "dump --sandbox-dir-root without one in 2.55" 0 "(default is the database path)" out
run 3.5 tsdb dump --help
want "dump --min-time help of 3.5" 0 "in milliseconds since" out
run 3.9 tsdb dump --help
want "dump --format in 3.9" 0 "--format=prom" out
want "dump help text of 3.9" 0 "Dump data (series+samples or optionally just series) from a TSDB." out
run 2.47 tsdb analyze --help
lacks "no analyze --match in 2.47" "--match" out
run 2.48 tsdb analyze --help
want "analyze --match in 2.48" 0 "--match=MATCH" out
run 2.48 test rules --help
lacks "no test rules --run in 2.48" "--run=" out
run 3.2 test rules --help
want "test rules --run in 3.2" 0 "--run=RUN ..." out
want "test rules --diff in 3.2" 0 "--[no-]diff" out
want "test rules --debug in 3.2" 0 "--[no-]debug" out
want "test --junit in 3.2" 0 "--junit=JUNIT" out

# flags we list but do not implement are refused, never ignored
run 2.49 test rules --run x "$w/ok.yml"
want "unimplemented --run refused" 1 "--run of promtool 2.49.0 is not implemented" err
run 3.9 tsdb dump --format=seriesjson "$w"
want "unimplemented --format=seriesjson refused" 1 "--format of promtool 3.9.0 is not implemented" err
run 2.52 tsdb dump --sandbox-dir-root=x "$w"
want "--sandbox-dir-root unknown in 2.52" 1 "unknown long flag '--sandbox-dir-root'" err

# ---- the backfill: group labels reach the written series (3.0) ----
mkdir -p "$w/bf"
for i in $(seq 0 30); do echo "up{job=\"a\"} 1 $((1700000000 + i * 60))"; done >"$w/bf/om.txt"
echo "# EOF" >>"$w/bf/om.txt"
printf 'groups:\n  - name: g\n    labels:\n      team: a\n      env: group\n    rules:\n      - record: r1\n        expr: up\n        labels:\n          env: rule\n' >"$w/bf/r.yml"
if "$PROMTOOL" tsdb create-blocks-from openmetrics "$w/bf/om.txt" "$w/bf/src" >/dev/null; then
	run 3.0 tsdb create-blocks-from rules --source-dir "$w/bf/src" --output-dir "$w/bf/out" \
		--start 1700000000 --end 1700001800 "$w/bf/r.yml"
	got=$("$PROMTOOL" tsdb dump "$w/bf/out" | sed 's/} .*/}/' | sort -u)
	[ "$rc" = 0 ] && [ "$got" = '{__name__="r1", env="rule", job="a", team="a"}' ] &&
		pass "compat_rules backfill merges group labels (3.0)" ||
		fail "compat_rules backfill merges group labels (3.0)" "exit $rc" "$got"
	run 2.42 tsdb create-blocks-from rules --source-dir "$w/bf/src" --output-dir "$w/bf/out242" \
		--start 1700000000 --end 1700001800 "$w/bf/r.yml"
	want "backfill: 2.42 rejects group labels" 1 "line 3: field labels not found in type rulefmt.RuleGroup" err
	[ ! -e "$w/bf/out242" ] || [ -z "$(ls -A "$w/bf/out242")" ] && pass "compat_rules backfill 2.42 writes nothing" ||
		fail "compat_rules backfill 2.42 writes nothing"
else
	fail "compat_rules backfill source" "cannot import $w/bf/om.txt"
fi

# ---- kingpin v2.3 (promtool 2.43) and v2.4 (2.49): layout and messages ----
run 2.42 check rules --help
lacks "2.42: bool flags without [no-]" "[no-]" out
[ "$(sed -n 4p "$w/out")" = "" ] && [ "$(sed -n 5p "$w/out")" = "Flags:" ] && pass "compat_rules 2.42: one blank line before Flags" ||
	fail "compat_rules 2.42: one blank line before Flags" "$(head -n 5 "$w/out")"
run 2.43 check rules --help
want "2.43: bool flags as --[no-]name" 0 "  -h, --[no-]help " out
want "2.43: --[no-]lint-fatal" 0 "      --[no-]lint-fatal " out
[ "$(sed -n 4p "$w/out")" = "" ] && [ "$(sed -n 5p "$w/out")" = "" ] && [ "$(sed -n 6p "$w/out")" = "Flags:" ] &&
	pass "compat_rules 2.43: two blank lines before Flags" ||
	fail "compat_rules 2.43: two blank lines before Flags" "$(head -n 6 "$w/out")"
run 2.43 --help-long
if [ "$(sed -n 4p "$w/out")" = "" ] && [ "$(sed -n 5p "$w/out")" = "Flags:" ]; then
	pass "compat_rules 2.43: --help-long keeps one blank line"
else
	fail "compat_rules 2.43: --help-long keeps one blank line" "$(head -n 5 "$w/out")"
fi
run 2.48 tsdb create-blocks-from rules "$w/ok.yml"
want "2.48 required flag message" 1 "promtool: error: required flag --start not provided, try --help" err
run 2.49 tsdb create-blocks-from rules "$w/ok.yml"
want "2.49 required flag message" 1 "promtool: error: required flag(s) '--start' not provided, try --help" err
run 2.42 --completion-script-zsh
want "2.42 zsh script" 0 "autoload -U bashcompinit && bashcompinit" out
run 2.43 --completion-script-zsh
want "2.43 zsh script" 0 'local matches=($(${words[1]} --completion-bash "${(@)words[1,$CURRENT]}"))' out
run 2.49 --completion-script-zsh
want "2.49 zsh script" 0 'local matches=($(${words[1]} --completion-bash "${(@)words[2,$CURRENT]}"))' out
run 2.43 --completion-script-bash
want "2.43 bash script" 0 "complete -F _promtool_bash_autocomplete -o default promtool" out

# ---- whole --help of five commands at 2.53 and 3.14 (testdata/compat-help/README.md) ----
for f in testdata/compat-help/*.help; do
	b=$(basename "$f" .help)
	v=${b%%-*}
	read -r -a cmd <<<"$(echo "${b#*-}" | sed 's/-/ /')"
	COLUMNS=80 "$PROMTOOL" --compat="$v" "${cmd[@]}" --help >"$w/help" 2>&1
	expect_files_eq "compat_rules help $b" "$w/help" "$f"
done

# ---- --enable-feature per release: warnings and the parser's options ----
run 2.55 --enable-feature=promql-at-modifier,bogus check rules "$w/ok.yml"
want "2.55 feature warnings" 0 "$(printf '  WARNING: Option for --enable-feature is a no-op after promotion to a stable feature: "promql-at-modifier"\n  WARNING: Unknown option for --enable-feature: "bogus"')" out
run 3.0 --enable-feature=bogus check rules "$w/ok.yml"
want "3.0 feature warning, no newline" 0 "  WARNING: --enable-feature is currently a no-opChecking " out
run 3.4 --enable-feature=bogus,promql-delayed-name-removal check rules "$w/ok.yml"
want "3.4 feature warning, no newline" 0 "  WARNING: Unknown feature passed to --enable-feature: bogusChecking " out
printf 'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: sort_by_label(up, "x")\n' >"$w/exp.yml"
run 3.4 check rules "$w/exp.yml"
want "3.4 experimental function needs the feature" 1 'function "sort_by_label" is not enabled' err
run 3.4 --enable-feature=promql-experimental-functions check rules "$w/exp.yml"
want "3.4 promql-experimental-functions" 0 "SUCCESS: 1 rules found" out
run 3.3 --enable-feature=promql-experimental-functions check rules "$w/exp.yml"
want "3.3 has no parser features" 1 'not enabled' err
printf 'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: rate(up[1m * 2])\n' >"$w/dur.yml"
run 3.9 --enable-feature=promql-duration-expr check rules "$w/dur.yml"
want "3.9 promtool has no promql-duration-expr" 1 "could not parse expression" err
run 3.10 --enable-feature=promql-duration-expr check rules "$w/dur.yml"
want "3.10 promql-duration-expr" 0 "SUCCESS: 1 rules found" out
run 3.13 check rules "$w/dur.yml"
want "3.13 needs the flag" 1 "could not parse expression" err
run 3.14 check rules "$w/dur.yml"
want "3.14 parses duration expressions always" 0 "SUCCESS: 1 rules found" out
printf 'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: rate(up[1m] anchored)\n' >"$w/anch.yml"
run 3.6 --enable-feature=promql-extended-range-selectors check rules "$w/anch.yml"
want "3.6 has no anchored" 1 'parse error: unexpected identifier "anchored"' err
run 3.9 --enable-feature=promql-extended-range-selectors check rules "$w/anch.yml"
want "3.9 promtool has no promql-extended-range-selectors" 1 "1:6: parse error: anchored modifier is experimental and not enabled" err
want "3.9 warns of promql-extended-range-selectors" 1 "Unknown feature passed to --enable-feature: promql-extended-range-selectors" out
run 3.10 --enable-feature=promql-extended-range-selectors check rules "$w/anch.yml"
want "3.10 promql-extended-range-selectors" 0 "SUCCESS: 1 rules found" out
run 3.14 check rules "$w/anch.yml"
want "3.14 needs promql-extended-range-selectors" 1 "anchored modifier is experimental and not enabled" err

# ---- group labels in test rules and the --semantics prometheus backfill (3.0) ----
mkdir -p "$w/ut"
cat >"$w/ut/rules.yml" <<'EOR'
groups:
  - name: g
    labels:
      team: a
    rules:
      - alert: Up
        expr: up == 1
        labels:
          severity: page
EOR
cat >"$w/ut/t.yml" <<'EOR'
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="x"}'
        values: '1 1 1'
    alert_rule_test:
      - eval_time: 1m
        alertname: Up
        exp_alerts:
          - exp_labels:
              job: x
              severity: page
              team: a
EOR
run 3.0 test rules "$w/ut/t.yml"
want "test rules: 3.0 alerts carry the group labels" 0 "  SUCCESS" out
run 2.55 test rules "$w/ut/t.yml"
want "test rules: 2.55 rejects group labels" 1 "field labels not found in type rulefmt.RuleGroup" err
if [ -d "$w/bf/src" ]; then
	run 3.0 tsdb create-blocks-from rules --semantics prometheus --source-dir "$w/bf/src" --output-dir "$w/bf/live" \
		--start 1700000000 --end 1700001800 "$w/bf/r.yml"
	got=$("$PROMTOOL" tsdb dump "$w/bf/live" | sed 's/} .*/}/' | sort -u)
	[ "$rc" = 0 ] && [ "$got" = '{__name__="r1", env="rule", job="a", team="a"}' ] &&
		pass "compat_rules --semantics prometheus merges group labels (3.0)" ||
		fail "compat_rules --semantics prometheus merges group labels (3.0)" "exit $rc" "$got"
fi
