#!/usr/bin/env bash
# --resume: a run killed at any moment (SIGKILL) and run again with the same
# arguments and --resume ends with exactly the blocks of an uninterrupted
# run -- no block twice, none missing (blocks compared file by file, ULIDs
# aside, by testdata/rules-backfill/summarize.py; the state file itself is
# the only other entry).  Kills come at every crash point of the state
# file (PROMTOOL_TEST_RESUME_KILL_AT: after a "begin" record, after the
# block's rename, after its "done" record), twice in a row, and from
# outside after many different delays (mid-query, mid-write).  Per-rule and
# --merge-blocks, and with --concurrency.  Also: differing arguments are refused, a torn last line
# is ignored, and --resume needs --end.
. "$(dirname "$0")/../lib.sh"
. testdata/rules-backfill/lib.sh
export TZ=UTC
# Output on a tmpfs when there is one: a SIGKILL leaves the page cache
# intact, so the disk's fsyncs only cost time here.
OUT=$TMPROOT
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	OUT=$(mktemp -d /dev/shm/rules_resume.XXXXXX)
	trap 'rm -rf "$TMPROOT" "$OUT"' EXIT
fi
src="$TMPROOT/src"
"$RB_PY" "$RB_DIR/gen_om.py" 1700000000 8 15 2 2 >"$TMPROOT/src.om" &&
	"${REAL_PROMTOOL:-$PROMTOOL}" tsdb create-blocks-from openmetrics "$TMPROOT/src.om" "$src" >/dev/null
if [ ! -d "$src" ]; then
	fail rules_resume_source "cannot build the source TSDB"
	exit 0
fi
SMALL=(--source-dir "$src" --start 1700001000 --end 1700020000 testdata/rules-backfill/rules_main.yml)
BIG=(--source-dir "$src" --start 1700000000 --end 1700028800 testdata/rules-backfill/rules_main.yml
	testdata/rules-backfill/rules_intervals.yml testdata/rules-backfill/rules_alert.yml)

# killable CMD...: runs CMD and returns its status; a SIGKILL is not reported
# by the shell as a foreground job's death would be.
killable() {
	"$@" &
	wait $!
}
# blocks DIR: the block rows of the summary (the state file left out).
blocks() {
	rb_summary 0 /dev/null /dev/null "$1" | sed -n '/^--- blocks$/,$p' | grep -v '^stray rules-backfill.resume$'
}
# reference NAME ARGS...: an uninterrupted run without --resume.
reference() {
	local name=$1
	shift
	"$PROMTOOL" tsdb create-blocks-from rules --output-dir "$OUT/ref-$name" "$@" >/dev/null 2>&1
	blocks "$OUT/ref-$name" >"$OUT/ref-$name.txt"
}
# finish DIR ARGS...: runs with --resume until it exits 0 (at most 5 times).
finish() {
	local dir=$1 i
	shift
	for i in 1 2 3 4 5; do
		"$PROMTOOL" tsdb create-blocks-from rules --resume --output-dir "$dir" "$@" >/dev/null 2>&1 && return 0
	done
	return 1
}
# check NAME DIR REF: the finished directory holds exactly the reference blocks.
check() {
	blocks "$2" >"$TMPROOT/got.txt"
	if cmp -s "$TMPROOT/got.txt" "$3"; then pass "$1"; else
		fail "$1" "$(diff "$TMPROOT/got.txt" "$3" | head -5 | cut -c1-200)"
	fi
}

for mode in per_rule merged; do
	extra=()
	[ $mode = merged ] && extra=(--merge-blocks)
	reference "$mode" "${extra[@]}" "${SMALL[@]}"
	ref="$OUT/ref-$mode.txt"
	# every crash point of the state file, then a clean --resume
	k=1
	while :; do
		d="$OUT/kill-$mode-$k"
		PROMTOOL_TEST_RESUME_KILL_AT=$k killable "$PROMTOOL" tsdb create-blocks-from rules --resume \
			--output-dir "$d" "${extra[@]}" "${SMALL[@]}" >/dev/null 2>&1
		rc=$?
		[ $rc -eq 0 ] && break # past the last crash point
		if [ $rc -ne 137 ] || ! finish "$d" "${extra[@]}" "${SMALL[@]}"; then
			fail "rules_resume_${mode}_kill_at_$k" "exit $rc"
		else
			check "rules_resume_${mode}_kill_at_$k" "$d" "$ref"
		fi
		rm -rf "$d"
		k=$((k + 1))
	done
	expect_eq "rules_resume_${mode}_crash_points_seen" "$([ $k -gt 3 ] && echo yes)" yes
	# killed twice in a row at different points
	for pair in "2 3" "5 1"; do
		set -- $pair
		d="$OUT/twice-$mode-$1-$2"
		PROMTOOL_TEST_RESUME_KILL_AT=$1 killable "$PROMTOOL" tsdb create-blocks-from rules --resume \
			--output-dir "$d" "${extra[@]}" "${SMALL[@]}" >/dev/null 2>&1
		PROMTOOL_TEST_RESUME_KILL_AT=$2 killable "$PROMTOOL" tsdb create-blocks-from rules --resume \
			--output-dir "$d" "${extra[@]}" "${SMALL[@]}" >/dev/null 2>&1
		finish "$d" "${extra[@]}" "${SMALL[@]}"
		check "rules_resume_${mode}_killed_at_${1}_then_$2" "$d" "$ref"
	done
	# SIGKILL from outside after many delays, on a longer run
	reference "$mode-big" "${extra[@]}" "${BIG[@]}"
	for delay in 0.03 0.1 0.25 0.5; do
		d="$OUT/ext-$mode-$delay"
		"$PROMTOOL" tsdb create-blocks-from rules --resume --output-dir "$d" "${extra[@]}" "${BIG[@]}" \
			>/dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		if finish "$d" "${extra[@]}" "${BIG[@]}"; then
			check "rules_resume_${mode}_sigkill_after_${delay}s" "$d" "$OUT/ref-$mode-big.txt"
		else
			fail "rules_resume_${mode}_sigkill_after_${delay}s" "the resumed run failed"
		fi
		rm -rf "$d"
	done
done

# With several workers (units run ahead, blocks prepared aside): the same.
for delay in 0.05 0.15 0.3; do
	d="$OUT/conc-$delay"
	"$PROMTOOL" tsdb create-blocks-from rules --resume --concurrency=3 --output-dir "$d" "${BIG[@]}" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if finish "$d" --concurrency=2 "${BIG[@]}"; then
		check "rules_resume_concurrency_sigkill_after_${delay}s" "$d" "$OUT/ref-per_rule-big.txt"
	else
		fail "rules_resume_concurrency_sigkill_after_${delay}s" "the resumed run failed"
	fi
	rm -rf "$d"
done

# A finished run resumed again writes nothing more.
d="$OUT/again"
finish "$d" "${SMALL[@]}"
before=$(ls "$d")
finish "$d" "${SMALL[@]}"
expect_eq rules_resume_finished_run_writes_nothing "$(ls "$d")" "$before"

# Other arguments are refused, and nothing is written.
"$PROMTOOL" tsdb create-blocks-from rules --resume --output-dir "$d" --source-dir "$src" --start 1700001000 \
	--end 1700020001 testdata/rules-backfill/rules_main.yml >/dev/null 2>"$TMPROOT/err"
expect_eq rules_resume_refuses_other_args "$?|$(tail -n 1 "$TMPROOT/err")|$(ls "$d")" \
	"1|--resume: the arguments differ from those recorded in '$d/rules-backfill.resume': end was 1700020000.000000000, now 1700020001.000000000|$before"
cp testdata/rules-backfill/rules_main.yml "$TMPROOT/rules.yml"
d2="$OUT/edited"
finish "$d2" --source-dir "$src" --start 1700001000 --end 1700020000 "$TMPROOT/rules.yml"
echo "# edited" >>"$TMPROOT/rules.yml"
"$PROMTOOL" tsdb create-blocks-from rules --resume --output-dir "$d2" --source-dir "$src" --start 1700001000 \
	--end 1700020000 "$TMPROOT/rules.yml" >/dev/null 2>"$TMPROOT/err"
rc=$?
case $(tail -n 1 "$TMPROOT/err") in
"--resume: the arguments differ from those recorded in '$d2/rules-backfill.resume': rule-file was $TMPROOT/rules.yml 676 "*) r=ok ;;
*) r="$(tail -n 1 "$TMPROOT/err")" ;;
esac
expect_eq rules_resume_refuses_edited_rules "$rc|$r" "1|ok"

# A torn last line (a crash in the middle of an append) is dropped.
d="$OUT/torn"
PROMTOOL_TEST_RESUME_KILL_AT=4 killable "$PROMTOOL" tsdb create-blocks-from rules --resume --output-dir "$d" \
	"${SMALL[@]}" >/dev/null 2>&1
printf 'done 5 01ABC' >>"$d/rules-backfill.resume"
finish "$d" "${SMALL[@]}"
check rules_resume_torn_line "$d" "$OUT/ref-per_rule.txt"

# --resume needs --end.
"$PROMTOOL" tsdb create-blocks-from rules --resume --output-dir "$OUT/noend" --source-dir "$src" \
	--start 1700001000 testdata/rules-backfill/rules_main.yml >/dev/null 2>"$TMPROOT/err"
expect_eq rules_resume_needs_end "$?|$(cat "$TMPROOT/err")|$(ls "$OUT/noend" 2>/dev/null)" \
	"1|promtool: error: --resume needs --end (its default, 3 hours ago, moves between runs), try --help|"
