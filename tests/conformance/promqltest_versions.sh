#!/usr/bin/env bash
# Upstream's PromQL test files of the later LTS releases and the latest,
# $CONFORMANCE_DIR/promqltest-v<VERSION>, each run by bin/promqltest under
# its own profile (--compat=VERSION).  Our engine does not implement every
# later semantics yet, so the cases that do not pass are listed in
# tests/conformance/promqltest-expect/v<VERSION>.txt with their category;
# this test fails when a case that is not listed there fails or is skipped
# (a regression), or when the suite's case count changed, and prints a
# NOTE asking to rerun promqltest-expect/regen.sh when a listed case passes
# or changed category.  2.42's files run separately, all of them passing
# (tests/run.sh).
. "$(dirname "$0")/../lib.sh"
export LC_ALL=C # sort and join must collate alike

# PQT_EXPECT_DIR and PQT_VERSIONS are for tests/sh/promqltest_expect.sh.
expect_dir=${PQT_EXPECT_DIR:-$ROOT/tests/conformance/promqltest-expect}
tab=$(printf '\t')
for v in ${PQT_VERSIONS:-2.53.0 3.5.0 3.14.0}; do
	name="promqltest v$v"
	require_conformance "promqltest-v$v" || continue
	want=$expect_dir/v$v.txt
	if [ ! -f "$want" ]; then
		fail "$name" "$want missing (tests/conformance/promqltest-expect/regen.sh $v)"
		continue
	fi
	"$ROOT/bin/promqltest" -v --compat="$v" "$CONFORMANCE_DIR/promqltest-v$v" \
		>"$TMPROOT/out" 2>"$TMPROOT/err"
	summary=$(tail -n 1 "$TMPROOT/err")
	case $summary in
	*" passed, "*" failed, "*" skipped") ;;
	*)
		fail "$name" "bin/promqltest did not finish: $summary"
		continue
		;;
	esac
	read -r np _ nf _ ns _ <<<"$summary"
	total=$((np + nf + ns))
	want_total=$(sed -n 's/^# cases \([0-9]*\) .*/\1/p' "$want")
	cut -f1-3 "$TMPROOT/out" | sort >"$TMPROOT/got"
	grep -v '^#' "$want" | sort >"$TMPROOT/want"
	# Cases not passing now that the file does not list as such.
	join -t "$tab" -1 2 -2 2 -v 1 <(sort -t "$tab" -k2,2 "$TMPROOT/got") \
		<(sort -t "$tab" -k2,2 "$TMPROOT/want") >"$TMPROOT/new"
	# A listed skip that now fails is a regression too.
	join -t "$tab" -1 2 -2 2 <(sort -t "$tab" -k2,2 "$TMPROOT/got") \
		<(sort -t "$tab" -k2,2 "$TMPROOT/want") |
		awk -F'\t' '$2 == "fail" && $4 == "skip"' >>"$TMPROOT/new"
	# Listed cases that pass now, and listed ones whose category moved (or
	# that are skipped now where they failed).
	join -t "$tab" -1 2 -2 2 -v 2 <(sort -t "$tab" -k2,2 "$TMPROOT/got") \
		<(sort -t "$tab" -k2,2 "$TMPROOT/want") >"$TMPROOT/fixed"
	join -t "$tab" -1 2 -2 2 <(sort -t "$tab" -k2,2 "$TMPROOT/got") \
		<(sort -t "$tab" -k2,2 "$TMPROOT/want") |
		awk -F'\t' '($2 == $4 && $3 != $5) || ($2 == "skip" && $4 == "fail")' >"$TMPROOT/moved"
	bad=0
	if [ "$total" != "$want_total" ]; then
		fail "$name case count" "$total cases, $want lists $want_total: the suite changed; rerun regen.sh"
		bad=1
	fi
	if [ -s "$TMPROOT/new" ]; then
		fail "$name: $(wc -l <"$TMPROOT/new") regressions (cases not listed in $(basename "$want"))" \
			"$(cut -f1 "$TMPROOT/new" | head -n 20 | while read -r id; do
				grep -F "$tab$id$tab" "$TMPROOT/out" | cut -f2-5 | cut -c1-300
			done)"
		bad=1
	fi
	if [ -s "$TMPROOT/fixed" ]; then
		echo "NOTE $name: $(wc -l <"$TMPROOT/fixed") listed cases pass now ($(cut -f1 "$TMPROOT/fixed" | head -n 5 | tr '\n' ' ')...): update the expectations with tests/conformance/promqltest-expect/regen.sh $v"
	fi
	if [ -s "$TMPROOT/moved" ]; then
		echo "NOTE $name: $(wc -l <"$TMPROOT/moved") listed cases changed category ($(cut -f1 "$TMPROOT/moved" | head -n 5 | tr '\n' ' ')...): update the expectations with tests/conformance/promqltest-expect/regen.sh $v"
	fi
	[ "$bad" = 1 ] || pass "$name: $summary ($((np + nf)) without native histograms; as expected)"
done
