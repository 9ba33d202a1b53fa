#!/usr/bin/env bash
# The expectations check of make conformance (tests/conformance/
# promqltest_versions.sh) and its regen.sh, on our own format files posing
# as a suite: green on what regen.sh wrote, FAIL when a failing case is not
# listed or the case count changed, a NOTE (and still PASS) when a listed
# case passes or changed category.
. "$(dirname "$0")/../lib.sh"

conf=$TMPROOT/conf
exp=$TMPROOT/expect
mkdir -p "$conf" "$exp"
ln -s "$ROOT/testdata/promqltest-formats" "$conf/promqltest-v3.14.0"
check() { CONFORMANCE_DIR=$conf PQT_EXPECT_DIR=$exp PQT_VERSIONS=3.14.0 bash "$ROOT/tests/conformance/promqltest_versions.sh" 2>&1; }
want=$exp/v3.14.0.txt

CONFORMANCE_DIR=$conf PQT_EXPECT_DIR=$exp "$ROOT/tests/conformance/promqltest-expect/regen.sh" 3.14.0 >/dev/null
expect_eq "promqltest_expect regen header" "$(grep '^# cases' "$want")" "# cases 36 passed 24 failed 9 skipped 3"
out=$(check)
case $out in
"PASS promqltest v3.14.0: 24 passed, 9 failed, 3 skipped (33 without native histograms; as expected)") pass "promqltest_expect green" ;;
*) fail "promqltest_expect green" "$out" ;;
esac

cp "$want" "$TMPROOT/orig"
grep -v 'hist.test:15' "$TMPROOT/orig" >"$want"
out=$(check)
case $out in
"FAIL promqltest v3.14.0: 1 regressions"*hist.test:15*) pass "promqltest_expect regression fails" ;;
*) fail "promqltest_expect regression fails" "$out" ;;
esac

cp "$TMPROOT/orig" "$want"
printf 'fail\tbase.test:6\tresult\n' >>"$want"
out=$(check)
case $out in
"NOTE promqltest v3.14.0: 1 listed cases pass now (base.test:6 "*"PASS promqltest v3.14.0: "*) pass "promqltest_expect improvement is a NOTE" ;;
*) fail "promqltest_expect improvement is a NOTE" "$out" ;;
esac
sed 's/^skip\thist.test:9\t/fail\thist.test:9\t/' "$TMPROOT/orig" >"$want"
out=$(check)
case $out in
"NOTE promqltest v3.14.0: 1 listed cases changed category (hist.test:9 "*"PASS promqltest v3.14.0: "*) pass "promqltest_expect a listed failure now skipped is a NOTE" ;;
*) fail "promqltest_expect a listed failure now skipped is a NOTE" "$out" ;;
esac
sed 's/^fail\thist.test:15\tresult/fail\thist.test:15\tparse/' "$TMPROOT/orig" >"$want"
out=$(check)
case $out in
"NOTE promqltest v3.14.0: 1 listed cases changed category (hist.test:15 "*"PASS promqltest v3.14.0: "*) pass "promqltest_expect category change is a NOTE" ;;
*) fail "promqltest_expect category change is a NOTE" "$out" ;;
esac

sed 's/^fail\thist.test:15\t/skip\thist.test:15\t/' "$TMPROOT/orig" >"$want"
out=$(check)
case $out in
"FAIL promqltest v3.14.0: 1 regressions"*) pass "promqltest_expect a listed skip that fails is a regression" ;;
*) fail "promqltest_expect a listed skip that fails is a regression" "$out" ;;
esac

sed 's/^# cases 36 /# cases 37 /' "$TMPROOT/orig" >"$want"
out=$(check)
case $out in
"FAIL promqltest v3.14.0 case count"*) pass "promqltest_expect case count" ;;
*) fail "promqltest_expect case count" "$out" ;;
esac
