#!/usr/bin/env bash
# --compat / PROMTOOL_COMPAT: the profile is chosen and checked before any
# command runs, and every gate of 1-common/compat_gates.h has its row in
# COMPATIBILITY.md with the same first release.
source "$(dirname "$0")/../lib.sh"

out=$("$PROMTOOL" --compat=3.15.0 check rules /dev/null 2>&1); rc=$?
expect_eq "compat: unknown release is a usage error" "$rc:$out" \
	"1:promtool: error: unknown promtool version '3.15.0' for --compat: want a release from 2.42.0 to 3.14.0, try --help"
out=$(PROMTOOL_COMPAT=2.41 "$PROMTOOL" check rules /dev/null 2>&1); rc=$?
expect_eq "compat: unknown release in PROMTOOL_COMPAT" "$rc" 1
# The flag wins over the variable.
out=$(PROMTOOL_COMPAT=bogus "$PROMTOOL" --compat=2.42 tsdb list "$TMPROOT" 2>&1); rc=$?
expect_eq "compat: flag wins over PROMTOOL_COMPAT" "$rc" 0
# The 2.42 profile is the default: the same output with and without it.
a=$("$PROMTOOL" tsdb list testdata/openmetrics/golden/counter_resets/blocks 2>&1 | normalise_ulids)
b=$("$PROMTOOL" --compat=v2.42.0 tsdb list testdata/openmetrics/golden/counter_resets/blocks 2>&1 | normalise_ulids)
expect_eq "compat: 2.42 profile is the default" "$b" "$a"
# Hidden: not in 2.42's help.
if "$PROMTOOL" --help 2>&1 | grep -q -- --compat; then fail "compat: hidden in help"; else pass "compat: hidden in help"; fi

missing=""
while read -r name maj min pat; do
	grep -q "^| \`$name\`: .* | $maj\.$min\.$pat | " COMPATIBILITY.md || missing="$missing $name"
done < <(sed -nE 's/.*X\(([A-Z0-9_]+), ([0-9]+), ([0-9]+), ([0-9]+), ".*/\1 \2 \3 \4/p' 1-common/compat_gates.h)
expect_eq "compat: every gate has its COMPATIBILITY.md row" "$missing" ""
