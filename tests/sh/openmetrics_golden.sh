#!/usr/bin/env bash
# `tsdb create-blocks-from openmetrics` against goldens made by the real
# promtool 2.42 (testdata/openmetrics/regen.sh): every file of every block
# byte for byte (blocks in order of minTime, ULIDs normalised), stdout,
# stderr, exit code and what is left in the output directory -- for the good
# inputs in cases/ and for the bad inputs (malformed lines, missing # EOF,
# unreadable input, unwritable output), where nothing may be left behind.
source "$(dirname "$0")/../lib.sh"
D=testdata/openmetrics

compare() { # name golden result
	local name=$1 want=$2 got=$3 diffs
	diffs=$(diff -r "$want" "$got" 2>&1 | head -n 20)
	if [ -z "$diffs" ]; then
		pass "$name"
	else
		fail "$name" "$diffs" "stderr: $(head -c 300 "$got/stderr")"
	fi
}

require_cmd openmetrics_golden "$PROMTOOL" || exit 0
for f in "$D"/cases/*.om; do
	name=$(basename "$f" .om)
	args=$(cat "$D/cases/$name.args" 2>/dev/null || true)
	# shellcheck disable=SC2086
	bash "$D/run_one.sh" "$PROMTOOL" "$ROOT/$f" "$TMPROOT/$name" $args
	compare "openmetrics_golden/$name" "$D/golden/$name" "$TMPROOT/$name"
done
for f in "$D"/bad/*.om; do
	name=$(basename "$f" .om)
	bash "$D/run_one.sh" "$PROMTOOL" "$ROOT/$f" "$TMPROOT/bad-$name"
	compare "openmetrics_bad/$name" "$D/golden-bad/$name" "$TMPROOT/bad-$name"
done
run_special() { # name input [OUTPUT]
	OUTPUT=${3:-} bash "$D/run_one.sh" "$PROMTOOL" "$2" "$TMPROOT/bad-$1"
	compare "openmetrics_bad/$1" "$D/golden-bad/$1" "$TMPROOT/bad-$1"
}
run_special input_missing @missing
run_special input_empty @empty
run_special input_dir @dir
run_special output_is_file "$ROOT/$D/cases/one_sample.om" @file
run_special output_under_file "$ROOT/$D/cases/one_sample.om" @under_file
run_special output_unwritable "$ROOT/$D/cases/one_sample.om" /proc
run_special output_uncreatable "$ROOT/$D/cases/one_sample.om" /proc/nonexistent

# Again with the first pass split into parallel shares (which large inputs
# get) even for these small files: same blocks, same first error.
export PROMTOOL_OM_SHARE_BYTES=200
for f in "$D"/cases/*.om "$D"/bad/*.om; do
	name=$(basename "$f" .om)
	kind=golden; [ "${f#"$D"/bad/}" != "$f" ] && kind=golden-bad
	args=$(cat "$D/cases/$name.args" 2>/dev/null || true)
	# shellcheck disable=SC2086
	bash "$D/run_one.sh" "$PROMTOOL" "$ROOT/$f" "$TMPROOT/shares-$name" $args
	compare "openmetrics_shares/$name" "$D/$kind/$name" "$TMPROOT/shares-$name"
done
unset PROMTOOL_OM_SHARE_BYTES

# The goldens must be what they claim: a sabotaged block must fail.
bash "$D/run_one.sh" "$PROMTOOL" "$ROOT/$D/cases/one_sample.om" "$TMPROOT/sabotage"
printf '\001' | dd of="$TMPROOT/sabotage/blocks/0/index" bs=1 seek=100 conv=notrunc 2>/dev/null
if diff -r -q "$D/golden/one_sample" "$TMPROOT/sabotage" >/dev/null 2>&1; then
	fail openmetrics_golden/self_check "a changed index byte was not detected"
else
	pass openmetrics_golden/self_check
fi
