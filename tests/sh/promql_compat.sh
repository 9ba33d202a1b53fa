#!/usr/bin/env bash
# The PromQL gates of the version profiles (1-common/compat_gates.h), one
# case per gate on both sides: testdata/promql-compat/<release>.test holds
# the answers of that release, worked out from upstream's source at its tag
# (2.42.0.test: 2.42's answers, from our engine pinned to the real 2.42).
# Each file must pass under its own --compat and must not pass under the
# release just before (a gate that fires too early, or not at all, fails
# one side).  2.42's file also runs at 2.43.0, which has no PromQL gate.
. "$(dirname "$0")/../lib.sh"
require_cmd promql_compat "$ROOT/bin/promqltest" || exit 0
D=testdata/promql-compat
# release:the release before it
pairs="2.42.0:- 2.44.0:2.43.1 2.47.0:2.46.0 2.49.0:2.48.1 2.50.0:2.49.1 2.51.0:2.50.1 2.54.0:2.53.5
2.55.0:2.54.1 3.0.0:2.55.1 3.4.0:3.3.1 3.5.0:3.4.2 3.6.0:3.5.5 3.7.0:3.6.0 3.7.2:3.7.1 3.8.0:3.7.3 3.9.0:3.8.1 3.10.0:3.9.1 3.11.0:3.10.0 3.12.0:3.11.3 3.13.0:3.12.0"
for p in $pairs; do
	v=${p%%:*} prev=${p#*:}
	"$ROOT/bin/promqltest" --exact --compat="$v" "$D/$v.test" 2>"$TMPROOT/err" |
		sed "s/^\(PASS\|FAIL\) /\1 compat $v /"
	[ -s "$TMPROOT/err" ] && grep -v ' passed, ' "$TMPROOT/err" >&2
	[ "$prev" = - ] && continue
	if "$ROOT/bin/promqltest" --exact --compat="$prev" "$D/$v.test" >/dev/null 2>&1; then
		fail "promql_compat $v.test under $prev" "every case passed under the release before the gates"
	else
		pass "promql_compat $v.test under $prev"
	fi
done
if "$ROOT/bin/promqltest" --exact --compat=2.43.0 "$D/2.42.0.test" >"$TMPROOT/out" 2>&1; then
	pass "promql_compat 2.42.0.test under 2.43.0"
else
	fail "promql_compat 2.42.0.test under 2.43.0" "$(grep -v '^PASS' "$TMPROOT/out")"
fi
# info() (2.55, experimental) and start timestamps (3.12): their gates,
# one file per release in info/ and st/, the same both sides.
for p in info/2.55.0:2.54.1 info/3.7.0:3.6.0 info/3.10.0:3.9.1 info/3.11.0:3.10.0 info/3.12.0:3.11.3 \
	st/3.12.0:3.11.3 st/3.14.0:3.13.2; do
	f=${p%%:*} prev=${p#*:}
	v=${f#*/}
	"$ROOT/bin/promqltest" --exact --compat="$v" "$D/$f.test" 2>"$TMPROOT/err" |
		sed "s#^\(PASS\|FAIL\) #\1 compat ${f%/*} $v #"
	[ -s "$TMPROOT/err" ] && grep -v ' passed, ' "$TMPROOT/err" >&2
	if "$ROOT/bin/promqltest" --exact --compat="$prev" "$D/$f.test" >/dev/null 2>&1; then
		fail "promql_compat $f.test under $prev" "every case passed under the release before the gates"
	else
		pass "promql_compat $f.test under $prev"
	fi
done
