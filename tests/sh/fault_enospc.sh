#!/usr/bin/env bash
# Both importers (create-blocks-from openmetrics, create-blocks-from rules
# with --source-dir) writing into a small tmpfs that fills up, at sizes
# from a few KiB (the first chunk file fails) to just short of the whole
# output (the last block's index fails).  Each run that does not fit must
# end with one error line naming the file and "no space left on device",
# exit 1, and nothing half-written: no *.tmp-for-creation left, every
# visible block one the uninterrupted run also wrote (its `tsdb list` row,
# ULID aside), our `tsdb verify` clean, the real promtool's `tsdb list`
# reading the directory.
#
# Needs mount(2) for the tmpfs: as root (CI) it must work; without root
# the test is skipped with the reason.
. "$(dirname "$0")/../lib.sh"
export TZ=UTC
require_cmd fault_enospc "$REAL_PROMTOOL" || exit 0
if [ "$(id -u)" -ne 0 ]; then
	skip fault_enospc "mounting a tmpfs needs root"
	exit 0
fi
M=$TMPROOT/mnt
mkdir -p "$M"
if ! mount -t tmpfs -o size=64k tmpfs "$M" 2>"$TMPROOT/mount.err"; then
	fail fault_enospc_mount "root cannot mount a tmpfs: $(cat "$TMPROOT/mount.err")"
	exit 0
fi
umount "$M"
trap 'mountpoint -q "$M" && umount "$M"; rm -rf "$TMPROOT"' EXIT

# 300 series, one sample a minute over 5 hours: three 2h blocks, ~420 KiB.
awk 'BEGIN {
	print "# TYPE x gauge"
	for (i = 0; i <= 300; i++) for (s = 0; s < 300; s++)
		printf "x{s=\"%d\",pad=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%d\"} %d %d\n", s, s, i * (s + 1) % 977, 1700000000 + 60 * i
	print "# EOF"
}' >"$TMPROOT/in.om"
printf 'groups:\n  - name: g\n    interval: 1m\n    rules:\n      - record: y\n        expr: x * 2\n' >"$TMPROOT/r.yml"
"$PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/in.om" "$TMPROOT/src" >/dev/null 2>&1

import() { # KIND OUTDIR
	case $1 in
	openmetrics) "$PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/in.om" "$2" ;;
	rules) "$PROMTOOL" tsdb create-blocks-from rules --source-dir "$TMPROOT/src" --output-dir "$2" \
		--start 1700000000 --end 1700018000 "$TMPROOT/r.yml" ;;
	esac
}
rows() { "$PROMTOOL" tsdb list "$1" 2>&1 | tail -n +2 | normalise_ulids | sort; }

for kind in openmetrics rules; do
	import $kind "$TMPROOT/ref-$kind" >/dev/null 2>&1
	rows "$TMPROOT/ref-$kind" >"$TMPROOT/ref-rows"
	nref=$(wc -l <"$TMPROOT/ref-rows")
	kib=$(du -sk "$TMPROOT/ref-$kind" | cut -f1)
	if [ "$nref" -lt 3 ]; then
		fail "fault_enospc_${kind}_reference" "uninterrupted run wrote $nref blocks"
		continue
	fi
	bad=0 full=0 partial_blocks=0 tried=0
	for pct in 2 5 10 20 30 40 50 60 70 80 150; do
		sz=$((kib * pct / 100))
		[ "$sz" -ge 4 ] || sz=4
		tried=$((tried + 1))
		mount -t tmpfs -o size=${sz}k tmpfs "$M"
		import $kind "$M/out" >/dev/null 2>"$TMPROOT/err"
		rc=$?
		why=
		nb=$(find "$M/out" -mindepth 1 -maxdepth 1 -type d ! -name '*.tmp-for-creation' 2>/dev/null | wc -l)
		if [ "$rc" -eq 0 ]; then
			[ "$pct" -ge 100 ] || why="exit 0 in ${sz} KiB of the ${kib} KiB needed"
			[ "$nb" -eq "$nref" ] || why="$why; $nb blocks, want $nref"
		else
			full=$((full + 1))
			[ "$rc" -eq 1 ] || why="exit $rc, want 1"
			# promtool's shapes: the openmetrics importer's one line; the
			# rules importer's log lines, its error, then its summary line
			case $kind in
			openmetrics) errs=$(cat "$TMPROOT/err") ;;
			rules) errs=$(grep -v '^level=info ' "$TMPROOT/err" | sed '$ { /^error importing rules$/d }') ;;
			esac
			[ "$(printf '%s\n' "$errs" | wc -l)" -eq 1 ] &&
				printf '%s\n' "$errs" | grep -q "^[a-z ]*: .*compactor write: write $M/out/[^ ]*: no space left on device$" ||
				why="$why; not one error naming the file: $(head -c 600 "$TMPROOT/err")"
			[ "$nb" -gt 0 ] && partial_blocks=$((partial_blocks + 1))
		fi
		[ -z "$(find "$M/out" -maxdepth 1 -name '*.tmp-for-creation' 2>/dev/null)" ] || why="$why; a tmp dir is left"
		if [ "$nb" -gt 0 ]; then
			extra=$(comm -23 <(rows "$M/out") "$TMPROOT/ref-rows")
			[ -z "$extra" ] || why="$why; blocks not in the reference: $extra"
			"$PROMTOOL" tsdb verify "$M/out" >"$TMPROOT/verify" 2>&1 || why="$why; verify: $(head -3 "$TMPROOT/verify")"
			"$REAL_PROMTOOL" tsdb list "$M/out" >/dev/null 2>"$TMPROOT/real" || why="$why; real promtool list: $(head -3 "$TMPROOT/real")"
		fi
		umount "$M"
		if [ -n "$why" ]; then
			bad=$((bad + 1))
			fail "fault_enospc_${kind}_${pct}pct" "tmpfs of ${sz} KiB:$why"
		fi
	done
	# the sizes must have failed both before and after a block was complete;
	# the one-pass OpenMetrics import writes its blocks at once and renames
	# them in window order, so whether one is complete when the disk fills
	# depends on timing: there, none visible is fine too
	min_partial=1
	[ "$kind" = openmetrics ] && min_partial=0
	[ "$full" -ge 5 ] && [ "$partial_blocks" -ge "$min_partial" ] && [ "$partial_blocks" -lt "$full" ] ||
		fail "fault_enospc_${kind}_coverage" "$full of $tried sizes ran out of space, $partial_blocks after a block"
	[ "$bad" -eq 0 ] && pass "fault_enospc_${kind} ($tried tmpfs sizes, $full ran out, $partial_blocks after a complete block)"
done
