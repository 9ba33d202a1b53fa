#!/usr/bin/env bash
# The one-pass OpenMetrics importer against the real promtool 2.42, run
# here on multi-window inputs (testdata/openmetrics/gen_multiwindow.py: 100
# series over 12h, 12000 samples per 2h window) in several line orders --
# scrape order, series after series, windows reversed, all shuffled (an
# error in the first window), one window shuffled (an error after four
# blocks), nearly in order -- and with --max-block-duration.  Ours runs as
# it would and with the input cut into eight parallel shares, so windows
# have samples in several shares.  Stdout, stderr, exit code, what is left
# in the output directory and every file of every block must be the same
# (ULIDs aside), as in openmetrics_golden.sh.
source "$(dirname "$0")/../lib.sh"
D=testdata/openmetrics
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

[ -x "$PROMTOOL" ] || { skip openmetrics_live "no $PROMTOOL"; exit 0; }
[ -n "$REAL_PROMTOOL" ] || { skip openmetrics_live "no real promtool"; exit 0; }

compare() { # name want got
	local diffs
	diffs=$(diff -r "$2" "$3" 2>&1 | head -n 20)
	if [ -z "$diffs" ]; then pass "$1"; else fail "$1" "$diffs" "stderr: $(head -c 300 "$3/stderr")"; fi
}

for spec in time series reversed shuffled late nearly time:--max-block-duration=6h; do
	order=${spec%%:*} args=
	[ "$order" != "$spec" ] && args=${spec#*:}
	name=$order${args:+_6h}
	"$PY" "$D/gen_multiwindow.py" "$order" 100 12 60 7 >"$TMPROOT/$name.om"
	# shellcheck disable=SC2086
	bash "$D/run_one.sh" "$REAL_PROMTOOL" "$TMPROOT/$name.om" "$TMPROOT/real-$name" $args
	# shellcheck disable=SC2086
	bash "$D/run_one.sh" "$PROMTOOL" "$TMPROOT/$name.om" "$TMPROOT/ours-$name" $args
	compare "openmetrics_live/$name" "$TMPROOT/real-$name" "$TMPROOT/ours-$name"
	# shellcheck disable=SC2086
	PROMTOOL_OM_SHARE_BYTES=300000 bash "$D/run_one.sh" "$PROMTOOL" "$TMPROOT/$name.om" "$TMPROOT/shares-$name" $args
	compare "openmetrics_live/${name}_shares" "$TMPROOT/real-$name" "$TMPROOT/shares-$name"
done
# the comparison can fail: a block of a window the real promtool wrote is
# missing here
rm -rf "$TMPROOT/ours-time/blocks/3"
if diff -r -q "$TMPROOT/real-time" "$TMPROOT/ours-time" >/dev/null 2>&1; then
	fail openmetrics_live/self_check "a missing block was not detected"
else
	pass openmetrics_live/self_check
fi
