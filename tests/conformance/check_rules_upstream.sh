#!/usr/bin/env bash
# `promtool check rules` on upstream's rule files (testdata/check-rules/
# upstream.txt names them under $CONFORMANCE_DIR) against goldens made by the
# real promtool 2.42 (testdata/check-rules/regen.sh): stdout, stderr and exit
# code, byte for byte.  Each file is checked as inputs/<name> from a scratch
# folder, as regen.sh recorded it.
. "$(dirname "$0")/../lib.sh"

dir=$ROOT/testdata/check-rules
work=$TMPROOT/work
mkdir -p "$work/inputs"
n=0
while read -r name path; do
	case "$name" in '' | '#'*) continue ;; esac
	require_conformance "$path" || continue
	cp "$CONFORMANCE_DIR/$path" "$work/inputs/$name"
	g=$dir/golden-upstream/file-$name
	mapfile -t args <"$g.args"
	rc=0
	(cd "$work" && "$PROMTOOL" check rules "${args[@]}") >"$TMPROOT/out" 2>"$TMPROOT/err" || rc=$?
	if cmp -s "$TMPROOT/out" "$g.stdout" && cmp -s "$TMPROOT/err" "$g.stderr" && [ "$rc" = "$(cat "$g.rc")" ]; then
		pass "check_rules_upstream $name"
	else
		fail "check_rules_upstream $name" "exit $rc, want $(cat "$g.rc")" \
			"$(diff "$TMPROOT/out" "$g.stdout" | head -n 10)" "$(diff "$TMPROOT/err" "$g.stderr" | head -n 10)"
	fi
	n=$((n + 1))
done <"$dir/upstream.txt"
[ "$n" -ge 30 ] && pass "check_rules_upstream case count ($n)" || fail "check_rules_upstream case count ($n)"
