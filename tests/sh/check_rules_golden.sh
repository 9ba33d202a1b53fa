#!/usr/bin/env bash
# `promtool check rules` against goldens made by the real promtool 2.42
# (testdata/check-rules/regen.sh): stdout, stderr and exit code, byte for byte.
. "$(dirname "$0")/../lib.sh"

dir=testdata/check-rules
require_cmd check_rules_golden "$PROMTOOL" || exit 0
n=0
for args_file in "$dir"/golden/*.args; do
	name=$(basename "$args_file" .args)
	mapfile -t args <"$args_file"
	out="$TMPROOT/$name"
	rc=0
	(cd "$dir" && "$PROMTOOL" check rules "${args[@]}") >"$out.stdout" 2>"$out.stderr" || rc=$?
	want_rc=$(cat "$dir/golden/$name.rc")
	if cmp -s "$out.stdout" "$dir/golden/$name.stdout" && cmp -s "$out.stderr" "$dir/golden/$name.stderr" &&
		[ "$rc" = "$want_rc" ]; then
		pass "check_rules $name"
	else
		fail "check_rules $name" "exit $rc, want $want_rc" \
			"$(diff "$out.stdout" "$dir/golden/$name.stdout" | head -n 10)" \
			"$(diff "$out.stderr" "$dir/golden/$name.stderr" | head -n 10)"
	fi
	n=$((n + 1))
done
# A test that cannot fail is a defect: there must be cases to compare.
[ "$n" -gt 100 ] && pass "check_rules golden case count ($n)" || fail "check_rules golden case count ($n)"
