#!/usr/bin/env bash
# Deeply nested YAML in `check rules`: yaml.v3's depth limits (10,000 flow
# levels, 10,000 block indents) at, below and above them, byte for byte
# against real promtool 2.42 (testdata/yaml-depth/golden, regen.sh), on the
# files testdata/yaml-depth/gen.py writes.  40,000 levels used to take
# ours 20-40 s (an unbounded pre-scan, quadratic in the depth); the time is
# not asserted here, only the answers.
. "$(dirname "$0")/../lib.sh"
Y=testdata/yaml-depth
if ! command -v python3 >/dev/null; then
	skip yaml_depth_golden "needs python3"
	exit 0
fi
"$Y/gen.py" "$TMPROOT"
n=0
for c in $("$Y/gen.py" --list); do
	rc=0
	(cd "$TMPROOT" && "$PROMTOOL" check rules "$c.yml" >out 2>err) || rc=$?
	{ cat "$TMPROOT/out"; echo "--- stderr"; cat "$TMPROOT/err"; echo "exit $rc"; } >"$TMPROOT/got"
	expect_files_eq "yaml_depth $c" "$TMPROOT/got" "$Y/golden/$c.txt"
	n=$((n + 1))
done
[ "$n" -ge 12 ] && pass "yaml_depth case count ($n)" || fail "yaml_depth case count ($n)"
