#!/usr/bin/env bash
# Long operator chains and deep nesting (issue 15: `check rules` on
# "up or up or ..." with 50k terms and a --source-dir backfill of
# "x + x + ..." with 30k terms overflowed our stack), against goldens from
# the real promtool 2.42 and a real Prometheus 2.42 (testdata/chains/
# regen.sh).  The inputs are made here by testdata/chains/gen.py, as
# regen.sh made them:
#   - `check rules` on 20 files of one 50,000-term rule each: exit code,
#     stdout and stderr, byte for byte;
#   - `tsdb create-blocks-from rules --source-dir` over the data of
#     testdata/rules-backfill with chains of 10,000 to 30,000 terms: the
#     same blocks (byte for byte) and log as the real promtool wrote with
#     --url against Prometheus.
# Also checks that the comparison fails when one byte of a golden differs.
. "$(dirname "$0")/../lib.sh"
. testdata/rules-backfill/lib.sh
export TZ=UTC
C=testdata/chains

if ! command -v python3 >/dev/null; then
	skip chains_golden "needs python3"
	exit 0
fi
"$RB_PY" "$C/gen.py" check "$TMPROOT/check" && "$RB_PY" "$C/gen.py" eval "$TMPROOT/eval" || {
	fail chains_golden_inputs "gen.py failed"
	exit 0
}

chains_out() { # RC STDOUT STDERR, as regen.sh writes expected/check-*.out
	printf 'exit %s\n--- stdout\n' "$1"
	cat "$2"
	printf -- '--- stderr\n'
	cat "$3"
}

n=0
for want in "$C"/expected/check-*.out; do
	name=$(basename "$want" .out)
	name=${name#check-}
	(cd "$TMPROOT/check" && "$PROMTOOL" check rules "$name.yml") >"$TMPROOT/stdout" 2>"$TMPROOT/stderr"
	chains_out $? "$TMPROOT/stdout" "$TMPROOT/stderr" >"$TMPROOT/check-$name.out"
	expect_files_eq "chains_check_rules_$name" "$TMPROOT/check-$name.out" "$want"
	n=$((n + 1))
done
[ "$n" -ge 20 ] && pass "chains_check_rules case count ($n)" || fail "chains_check_rules case count ($n)"

# One byte off must not compare equal.
want="$C/expected/check-or.out"
sed 's/SUCCESS: 1 rules/SUCCESS: 2 rules/' "$want" >"$TMPROOT/bad.out"
if cmp -s "$TMPROOT/check-or.out" "$TMPROOT/bad.out"; then
	fail chains_golden_detects_change "a changed golden still compares equal"
else
	pass chains_golden_detects_change
fi

# The evaluation: the same source data as testdata/rules-local.
RB_REAL_PROMTOOL=${REAL_PROMTOOL:-$PROMTOOL}
"$RB_PY" "$RB_DIR/gen_om.py" 1700000000 8 15 2 2 >"$TMPROOT/src.om" &&
	"$RB_REAL_PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/src.om" "$TMPROOT/src" >/dev/null
if [ ! -d "$TMPROOT/src" ]; then
	fail chains_eval_source "cannot build the source TSDB"
	exit 0
fi
read -r -a args <"$C/eval.args"
(cd "$TMPROOT/eval" && "$PROMTOOL" tsdb create-blocks-from rules --source-dir "$TMPROOT/src" \
	--output-dir "$TMPROOT/out" "${args[@]}" eval.yml) 2>"$TMPROOT/stderr" >"$TMPROOT/stdout"
rb_summary $? "$TMPROOT/stdout" "$TMPROOT/stderr" "$TMPROOT/out" >"$TMPROOT/eval.out"
expect_files_eq chains_eval_source_dir "$TMPROOT/eval.out" "$C/expected/eval.out"
