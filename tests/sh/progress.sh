#!/usr/bin/env bash
# --progress=auto|always|never: a progress line on stderr, redrawn in place
# on a terminal (tests/pty_run.py gives the command a pseudo-terminal), and
# without a terminal exactly promtool's log lines.  With the progress
# drawings taken out (tests/progress_strip.py), what the terminal received
# is byte for byte the log of a run without progress; the last drawing
# counts every unit and stays as a final line; no drawing is wider than the
# terminal.  Both importers (rules, openmetrics).
. "$(dirname "$0")/../lib.sh"
. testdata/rules-backfill/lib.sh
export TZ=UTC
src="$TMPROOT/src"
"$RB_PY" "$RB_DIR/gen_om.py" 1700000000 8 15 2 2 >"$TMPROOT/src.om" &&
	"${REAL_PROMTOOL:-$PROMTOOL}" tsdb create-blocks-from openmetrics "$TMPROOT/src.om" "$src" >/dev/null
if [ ! -d "$src" ]; then
	fail progress_source "cannot build the source TSDB"
	exit 0
fi
ARGS=(--source-dir "$src" --start 1700000000 --end 1700028800 testdata/rules-backfill/rules_main.yml
	testdata/rules-backfill/rules_alert.yml)
rules() { # OUTDIR ARGS...
	local out=$1
	shift
	"$PROMTOOL" tsdb create-blocks-from rules --output-dir "$out" "$@" "${ARGS[@]}"
}

# The log without a terminal, for every --progress but always.
rules "$TMPROOT/o-plain" 2>"$TMPROOT/plain.err" >/dev/null
for mode in auto never; do
	rules "$TMPROOT/o-$mode" --progress=$mode 2>"$TMPROOT/$mode.err" >/dev/null
	expect_files_eq "progress_no_tty_$mode" "$TMPROOT/$mode.err" "$TMPROOT/plain.err"
done
expect_eq progress_plain_is_the_log "$(grep -c -v '^level=info' "$TMPROOT/plain.err")" 0

# On a terminal.
for mode in auto always; do
	"$RB_PY" tests/pty_run.py 200 "$TMPROOT/tty-$mode.raw" /dev/null -- \
		"$PROMTOOL" tsdb create-blocks-from rules --output-dir "$TMPROOT/t-$mode" --progress=$mode "${ARGS[@]}"
	expect_eq "progress_tty_${mode}_exit" "$?" 0
	"$RB_PY" tests/progress_strip.py "$TMPROOT/tty-$mode.raw" >"$TMPROOT/tty-$mode.txt" 2>"$TMPROOT/tty-$mode.lines"
	expect_files_eq "progress_tty_${mode}_log_unchanged" "$TMPROOT/tty-$mode.txt" "$TMPROOT/plain.err"
	expect_eq "progress_tty_${mode}_final" \
		"$(grep '^final: ' "$TMPROOT/tty-$mode.lines" | sed -E 's/samples\/s.*/samples\/s/')" \
		"final: rules: 15/15 units (100%)  12,474 samples  $(grep '^final: ' "$TMPROOT/tty-$mode.lines" |
			sed -E 's/.*  ([0-9,]+ samples\/s).*/\1/')"
	expect_eq "progress_tty_${mode}_drawn" "$(grep -c '^status: rules: [0-9]*/15 units' "$TMPROOT/tty-$mode.lines" |
		awk '{ print ($1 >= 2) }')" 1
	# the blocks are those of a run without progress
	rb_summary 0 /dev/null /dev/null "$TMPROOT/t-$mode" | sed -n '/^--- blocks/,$p' >"$TMPROOT/a"
	rb_summary 0 /dev/null /dev/null "$TMPROOT/o-plain" | sed -n '/^--- blocks/,$p' >"$TMPROOT/b"
	expect_files_eq "progress_tty_${mode}_same_blocks" "$TMPROOT/a" "$TMPROOT/b"
done

# never, on a terminal: nothing but the log (in the terminal's line endings).
"$RB_PY" tests/pty_run.py 200 "$TMPROOT/tty-never.raw" /dev/null -- \
	"$PROMTOOL" tsdb create-blocks-from rules --output-dir "$TMPROOT/t-never" --progress=never "${ARGS[@]}"
sed 's/$/\r/' "$TMPROOT/plain.err" >"$TMPROOT/plain.crlf"
expect_files_eq progress_tty_never_is_the_log "$TMPROOT/tty-never.raw" "$TMPROOT/plain.crlf"

# always, without a terminal: drawn anyway.
rules "$TMPROOT/o-always" --progress=always 2>"$TMPROOT/always.err" >/dev/null
"$RB_PY" tests/progress_strip.py "$TMPROOT/always.err" >"$TMPROOT/always.txt" 2>"$TMPROOT/always.lines"
expect_files_eq progress_always_no_tty_log "$TMPROOT/always.txt" "$TMPROOT/plain.err"
expect_eq progress_always_no_tty_final "$(grep -c '^final: rules: 15/15 units (100%)' "$TMPROOT/always.lines")" 1

# A narrow terminal: no drawing wider than it (it could not be redrawn in place).
"$RB_PY" tests/pty_run.py 40 "$TMPROOT/narrow.raw" /dev/null -- \
	"$PROMTOOL" tsdb create-blocks-from rules --output-dir "$TMPROOT/t-narrow" "${ARGS[@]}"
"$RB_PY" tests/progress_strip.py "$TMPROOT/narrow.raw" >/dev/null 2>"$TMPROOT/narrow.lines"
expect_eq progress_narrow_terminal "$(sed -E 's/^(status|final): //' "$TMPROOT/narrow.lines" | awk 'length($0) > 39' | wc -l)|$(wc -l <"$TMPROOT/narrow.lines" | awk '{ print ($1 > 1) }')" "0|1"

# openmetrics: the block table on stdout as without progress, the progress
# line on the terminal, nothing else on stderr.
"$PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/src.om" "$TMPROOT/om-plain" >"$TMPROOT/om-plain.out" 2>"$TMPROOT/om-plain.err"
"$RB_PY" tests/pty_run.py 200 "$TMPROOT/om.raw" "$TMPROOT/om.out" -- \
	"$PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/src.om" "$TMPROOT/om-tty"
expect_eq progress_openmetrics_exit "$?" 0
normalise_ulids <"$TMPROOT/om.out" >"$TMPROOT/om.out.n"
normalise_ulids <"$TMPROOT/om-plain.out" >"$TMPROOT/om-plain.out.n"
expect_files_eq progress_openmetrics_stdout "$TMPROOT/om.out.n" "$TMPROOT/om-plain.out.n"
"$RB_PY" tests/progress_strip.py "$TMPROOT/om.raw" >"$TMPROOT/om.txt" 2>"$TMPROOT/om.lines"
expect_files_eq progress_openmetrics_no_other_stderr "$TMPROOT/om.txt" "$TMPROOT/om-plain.err"
# every window done, every sample of the block table counted
total=$(awk 'NR > 1 { n += $5 } END { print n }' "$TMPROOT/om-plain.out" | sed -E ':a;s/([0-9])([0-9]{3})($|,)/\1,\2\3/;ta')
expect_eq progress_openmetrics_final "$(grep -c -E "^final: openmetrics: ([0-9]+)/\\1 units \\(100%\\)  $total samples" "$TMPROOT/om.lines")" 1
