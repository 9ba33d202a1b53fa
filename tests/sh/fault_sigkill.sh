#!/usr/bin/env bash
# Both importers (create-blocks-from openmetrics, create-blocks-from rules
# with --source-dir) killed with SIGKILL at every step of writing their
# blocks: tests/sh/killat.c (LD_PRELOAD) counts the calls that change the
# file system (writes, fsyncs, mkdirs, renames, unlinks) and kills the run
# just before call N, for every N of an uninterrupted run (or ~40 spread
# over them when there are more).  After each kill:
#   - no partial block is visible: every entry but *.tmp-for-creation is a
#     block that the uninterrupted run also wrote (its `tsdb list` row, ULID
#     aside), and our `tsdb verify` finds nothing wrong;
#   - the real promtool 2.42 reads the directory (`tsdb list`, exit 0);
#   - a run started afterwards removes what the killed one left, says so,
#     and succeeds with the directory verify-clean.
. "$(dirname "$0")/../lib.sh"
export TZ=UTC
require_cmd fault_sigkill cc "$REAL_PROMTOOL" || exit 0
SHIM=$TMPROOT/killat.so
if ! cc -shared -fPIC -O1 -o "$SHIM" tests/sh/killat.c -ldl 2>"$TMPROOT/cc.err"; then
	fail fault_sigkill_shim "$(cat "$TMPROOT/cc.err")"
	exit 0
fi
# Output on a tmpfs when there is one: SIGKILL leaves the page cache
# intact, so fsyncs to disk would only cost time here.
OUT=$TMPROOT
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	OUT=$(mktemp -d /dev/shm/fault_sigkill.XXXXXX)
	trap 'rm -rf "$TMPROOT" "$OUT"' EXIT
fi

# Two series, one sample a minute over 5 hours: three 2h blocks.
awk 'BEGIN {
	print "# TYPE x gauge"
	for (i = 0; i <= 300; i++) for (s = 0; s < 2; s++)
		printf "x{s=\"%d\"} %d %d\n", s, i * (s + 1), 1700000000 + 60 * i
	print "# EOF"
}' >"$TMPROOT/in.om"
printf 'groups:\n  - name: g\n    interval: 1m\n    rules:\n      - record: y\n        expr: x * 2\n' >"$TMPROOT/r.yml"
"$PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/in.om" "$TMPROOT/src" >/dev/null 2>&1

# import KIND OUTDIR: one run of the importer KIND writing into OUTDIR.
import() {
	case $1 in
	openmetrics) "$PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/in.om" "$2" ;;
	rules) "$PROMTOOL" tsdb create-blocks-from rules --source-dir "$TMPROOT/src" --output-dir "$2" \
		--start 1700000000 --end 1700018000 "$TMPROOT/r.yml" ;;
	esac
}
# rows DIR: our `tsdb list` rows with the ULIDs cut, sorted.
rows() { "$PROMTOOL" tsdb list "$1" 2>&1 | tail -n +2 | normalise_ulids | sort; }

for kind in openmetrics rules; do
	ref=$OUT/ref-$kind
	KILLAT_COUNT=$TMPROOT/count LD_PRELOAD=$SHIM import $kind "$ref" >/dev/null 2>&1
	total=$(cat "$TMPROOT/count" 2>/dev/null || echo 0)
	rows "$ref" >"$TMPROOT/ref-rows"
	nref=$(wc -l <"$TMPROOT/ref-rows")
	if [ "$total" -lt 10 ] || [ "$nref" -lt 3 ]; then
		fail "fault_sigkill_${kind}_reference" "uninterrupted run: $total calls, $nref blocks"
		continue
	fi
	# every call when few, else ~40 spread evenly plus the last ten
	if [ "$total" -le 60 ]; then
		points=$(seq 1 "$total")
	else
		points=$( (seq 1 $(((total + 39) / 40)) "$total"; seq $((total - 9)) "$total") | sort -nu)
	fi
	bad=0 n=0 partial=0
	for k in $points; do
		d=$OUT/kill-$kind-$k
		n=$((n + 1))
		KILLAT_N=$k LD_PRELOAD=$SHIM import $kind "$d" >/dev/null 2>&1 &
		wait $!
		rc=$?
		why=
		[ "$rc" -eq 137 ] || why="exit $rc, not killed"
		if [ -z "$why" ] && [ -d "$d" ]; then
			# visible entries: complete blocks of the reference, nothing else
			for e in "$d"/*; do
				[ -e "$e" ] || continue
				case $e in *.tmp-for-creation) partial=$((partial + 1)); continue ;; esac
				[ -f "$e/meta.json" ] || why="$why; $(basename "$e") visible without meta.json"
			done
			if [ -z "$why" ]; then
				rows "$d" >"$TMPROOT/rows"
				extra=$(comm -23 "$TMPROOT/rows" "$TMPROOT/ref-rows")
				[ -z "$extra" ] || why="$why; blocks not in the reference: $extra"
				"$PROMTOOL" tsdb verify "$d" >"$TMPROOT/verify" 2>&1 || why="$why; verify: $(head -3 "$TMPROOT/verify")"
				"$REAL_PROMTOOL" tsdb list "$d" >/dev/null 2>"$TMPROOT/real" || why="$why; real promtool list: $(head -3 "$TMPROOT/real")"
			fi
		fi
		if [ -z "$why" ]; then
			# the next run cleans up and completes
			left=$(find "$d" -maxdepth 1 -name '*.tmp-for-creation' 2>/dev/null | wc -l)
			import $kind "$d" >/dev/null 2>"$TMPROOT/again" || why="rerun failed: $(head -3 "$TMPROOT/again")"
			said=$(grep -c 'stale temporary block director' "$TMPROOT/again")
			[ "$left" -eq 0 ] || [ "$said" -ge 1 ] || why="$why; rerun removed $left tmp dirs silently"
			[ "$(find "$d" -maxdepth 1 -name '*.tmp-for-creation' | wc -l)" -eq 0 ] || why="$why; tmp dir left after rerun"
			"$PROMTOOL" tsdb verify "$d" >"$TMPROOT/verify" 2>&1 || why="$why; verify after rerun: $(head -3 "$TMPROOT/verify")"
		fi
		if [ -n "$why" ]; then
			bad=$((bad + 1))
			fail "fault_sigkill_${kind}_at_$k" "$why"
		fi
		rm -rf "$d"
	done
	# the kill points must have caught runs mid-block, or they prove little
	[ "$partial" -gt 0 ] || fail "fault_sigkill_${kind}_mid_block" "no kill left a tmp dir behind"
	[ "$bad" -eq 0 ] && pass "fault_sigkill_${kind} ($n kill points of $total, $partial mid-block)"
done
