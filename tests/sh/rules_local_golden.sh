#!/usr/bin/env bash
# tsdb create-blocks-from rules --source-dir: our promtool evaluating the
# rules locally over a data directory must write exactly what the REAL
# promtool 2.42 wrote when it queried (--url) a Prometheus 2.42 serving the
# same directory: exit code, stdout, stderr and every byte of every block
# file (ULIDs normalised, groups in a fixed log order; see
# testdata/rules-backfill/summarize.py).  The goldens are those of
# testdata/rules-backfill (made with --url by its regen.sh) and
# testdata/rules-local (its regen.sh); no server is started here.
#
# Also: --output-dir equal to --source-dir (the blocks written during the
# run are not read as input, the source blocks stay untouched, and the new
# blocks equal the separate-directory golden), and a check that the
# comparison fails when one byte of one block file differs.
# RB_EXTRA_ARGS (word-split) is added to every run of ours (tests/sh/rules_concurrency.sh).
# RB_EXTRA_ARGS (word-split) is added to every run of ours (tests/sh/rules_concurrency.sh).
. "$(dirname "$0")/../lib.sh"
. testdata/rules-backfill/lib.sh
export TZ=UTC
L=testdata/rules-local

require_cmd rules_local_golden python3 || exit 0
# The goldens were made over blocks imported by the real promtool; ours
# imports the same samples (tests/sh/openmetrics_golden.sh), and only the
# samples matter to the queries.
RB_REAL_PROMTOOL=${REAL_PROMTOOL:-$PROMTOOL}
src="$TMPROOT/src"
"$RB_PY" "$RB_DIR/gen_om.py" 1700000000 8 15 2 2 >"$TMPROOT/src.om" &&
	"$RB_REAL_PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/src.om" "$src" >/dev/null
if [ ! -d "$src" ]; then
	fail rules_local_golden_source "cannot build the source TSDB"
	exit 0
fi
rm -f "$TMPROOT/src.om"
(cd "$src" && find . -type f -exec sha256sum {} + | sort) >"$TMPROOT/src.sums"

# run_case TAG GOLDEN_DIR NAME OUTPUT_DIR ARGS...: runs ours, writes $TMPROOT/TAG.out
run_case() {
	local tag=$1 name=$3 out=$4
	shift 4
	"$PROMTOOL" tsdb create-blocks-from rules ${RB_EXTRA_ARGS:-} --source-dir "$src" --output-dir "$out" "$@" \
		2>"$TMPROOT/stderr" >"$TMPROOT/stdout"
	echo "$?|$TMPROOT/stdout|$TMPROOT/stderr|$out|$TMPROOT/$tag.out" >"$TMPROOT/job"
	rb_summary --batch "$TMPROOT/job"
}

check_case() { # GOLDEN_FILE TEST_NAME GOT_FILE
	expect_files_eq "$2" "$3" "$1"
	if ! cmp -s "$3" "$1"; then
		diff "$3" "$1" | head -20 | cut -c 1-300 >&2
	fi
}

for set in "$RB_DIR" "$L"; do
	grep -v '^#' "$set/cases.txt" | while IFS='|' read -r name args; do
		[ -n "$name" ] || continue
		# shellcheck disable=SC2086
		run_case "$name" "$set" "$name" "$TMPROOT/out-$name" $args
		check_case "$set/expected/$name.out" "rules_local_golden_$name" "$TMPROOT/$name.out"
	done
done

# --output-dir is the source directory itself.  rules_inplace.yml's second
# rule counts every series by name, so reading the first rule's new blocks
# back would change its samples.
inplace_args=$(grep '^inplace|' "$L/cases.txt" | cut -d'|' -f2)
cp -r "$src" "$TMPROOT/inplace"
before=$(ls "$TMPROOT/inplace")
# shellcheck disable=SC2086
"$PROMTOOL" tsdb create-blocks-from rules ${RB_EXTRA_ARGS:-} --source-dir "$TMPROOT/inplace" --output-dir "$TMPROOT/inplace" \
	$inplace_args 2>"$TMPROOT/stderr" >"$TMPROOT/stdout"
rc=$?
mkdir "$TMPROOT/inplace-src"
for b in $before; do mv "$TMPROOT/inplace/$b" "$TMPROOT/inplace-src/"; done
(cd "$TMPROOT/inplace-src" && find . -type f -exec sha256sum {} + | sort) >"$TMPROOT/inplace.sums"
expect_files_eq rules_local_golden_inplace_source_untouched "$TMPROOT/inplace.sums" "$TMPROOT/src.sums"
echo "$rc|$TMPROOT/stdout|$TMPROOT/stderr|$TMPROOT/inplace|$TMPROOT/inplace-new.out" >"$TMPROOT/job"
rb_summary --batch "$TMPROOT/job"
check_case "$L/expected/inplace.out" rules_local_golden_inplace_same_as_separate "$TMPROOT/inplace-new.out"

# The comparison must see one changed byte: flip the last byte of one chunk
# file of a passing case and summarise again.
chunk=$(find "$TMPROOT/out-seed_unaligned" -path '*/chunks/000001' | sort | head -n 1)
if [ -n "$chunk" ]; then
	last=$(tail -c 1 "$chunk" | od -An -tu1 | tr -d ' ')
	printf "$(printf '\\%03o' $(((last + 1) % 256)))" |
		dd of="$chunk" bs=1 seek=$(($(stat -c %s "$chunk") - 1)) conv=notrunc status=none
	echo "0|/dev/null|/dev/null|$TMPROOT/out-seed_unaligned|$TMPROOT/flipped.out" >"$TMPROOT/job"
	rb_summary --batch "$TMPROOT/job"
	if cmp -s <(sed -n '/^--- blocks/,$p' "$TMPROOT/flipped.out") \
		<(sed -n '/^--- blocks/,$p' "$L/expected/seed_unaligned.out"); then
		fail rules_local_golden_detects_one_byte "a changed byte in $chunk went unnoticed"
	else
		pass rules_local_golden_detects_one_byte
	fi
else
	fail rules_local_golden_detects_one_byte "no chunk file in out-seed_unaligned"
fi
