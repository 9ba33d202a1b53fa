#!/usr/bin/env bash
# bin/promqltest reads each release's promqltest format and runs cases as
# that release's test framework does (--compat=VERSION): our own small
# files in testdata/promqltest-formats, one per format step, each run under
# profiles before and after the release that added its syntax.  The
# wanted counts are by hand from promql/promqltest/test.go at the tags
# (2.42's promql/test.go): a notation a release does not know is a failing
# case there (category "syntax"), or, for an unknown command, the end of
# the file, as upstream stops; hist.test and the wrong values in range.test
# and v37.test show that a wrong result fails, annot.test that annotations
# are checked as each release checks them.
. "$(dirname "$0")/../lib.sh"

dir=$ROOT/testdata/promqltest-formats
# file  version  "passed failed skipped"
while read -r file v want; do
	[ -n "$file" ] || continue
	got=$("$ROOT/bin/promqltest" --compat="$v" "$dir/$file.test" 2>&1 >/dev/null | tail -n 1)
	expect_eq "promqltest_formats $file --compat=$v" "$got" "$want"
done <<'TABLE'
base 2.42.0 6 passed, 0 failed, 0 skipped
base 3.14.0 6 passed, 0 failed, 0 skipped
range 2.42.0 0 passed, 4 failed, 0 skipped
range 2.51.0 0 passed, 4 failed, 0 skipped
range 2.52.0 3 passed, 1 failed, 0 skipped
v254 2.53.0 0 passed, 1 failed, 0 skipped
v254 2.54.0 2 passed, 2 failed, 1 skipped
v34 3.3.0 0 passed, 4 failed, 0 skipped
v34 3.4.0 2 passed, 2 failed, 0 skipped
v37 3.6.0 0 passed, 3 failed, 0 skipped
v37 3.7.0 2 passed, 1 failed, 0 skipped
v312 3.11.0 1 passed, 1 failed, 0 skipped
v312 3.12.0 1 passed, 0 failed, 0 skipped
hist 2.42.0 2 passed, 1 failed, 2 skipped
hist 3.14.0 2 passed, 1 failed, 2 skipped
annot 2.53.0 1 passed, 7 failed, 0 skipped
annot 2.54.0 2 passed, 6 failed, 0 skipped
annot 3.0.0 3 passed, 5 failed, 0 skipped
annot 3.1.0 2 passed, 6 failed, 0 skipped
annot 3.3.0 2 passed, 6 failed, 0 skipped
annot 3.4.0 5 passed, 3 failed, 0 skipped
annot 3.11.0 5 passed, 3 failed, 0 skipped
annot 3.12.0 6 passed, 2 failed, 0 skipped
TABLE

# -v: one line per failure and skip, with its category.
cats() { "$ROOT/bin/promqltest" -v --compat="$1" "$dir/$2.test" 2>/dev/null | cut -f1-3 | tr '\t' ' ' | tr '\n' ';'; }
expect_eq "promqltest_formats -v v254" "$(cats 2.54.0 v254)" \
	"fail v254.test:11 error-message;skip v254.test:17 native-histograms;fail v254.test:20 annotations;"
expect_eq "promqltest_formats -v v34" "$(cats 3.4.0 v34)" \
	"fail v34.test:16 error-message;fail v34.test:19 annotations;"
expect_eq "promqltest_formats -v range at 2.42" "$(cats 2.42.0 range)" \
	"fail range.test:6 syntax;fail range.test:9 syntax;fail range.test:12 syntax;fail range.test:14 syntax;"
expect_eq "promqltest_formats -v hist" "$(cats 3.14.0 hist)" \
	"skip hist.test:6 native-histograms;skip hist.test:9 native-histograms;fail hist.test:15 result;"
# annot.test: 3.1-3.3 fail the info nobody expected; from 3.4 a wrong text,
# an info under no_info and (before 3.12) the sort warning missing.
expect_eq "promqltest_formats -v annot at 3.3" "$(cats 3.3.0 annot | sed 's/;fail annot.test:[0-9]* syntax//g')" \
	"fail annot.test:14 annotations;"
expect_eq "promqltest_formats -v annot at 3.11" "$(cats 3.11.0 annot)" \
	"fail annot.test:27 annotations;fail annot.test:32 annotations;fail annot.test:42 annotations;"

# Exit status and usage.
"$ROOT/bin/promqltest" --compat=3.14.0 "$dir/base.test" >/dev/null 2>&1
expect_eq "promqltest_formats exit 0 when all pass" "$?" 0
"$ROOT/bin/promqltest" --compat=3.14.0 "$dir/hist.test" >/dev/null 2>&1
expect_eq "promqltest_formats exit 1 on a failure" "$?" 1
out=$("$ROOT/bin/promqltest" --compat=9.9.9 "$dir/base.test" 2>&1)
expect_eq "promqltest_formats bad --compat exit" "$?" 2
case $out in
promqltest:*) pass "promqltest_formats bad --compat message" ;;
*) fail "promqltest_formats bad --compat message" "$out" ;;
esac
