#!/usr/bin/env bash
# tsdb list / analyze / dump against goldens from the real promtool 2.42
# (testdata/tsdb-read/regen.sh).  Byte comparison, except that analyze's
# sections are compared as multisets: promtool orders equal counts
# randomly, and when a section is cut at --limit, which of the tied keys
# at the cut are shown is random too (only their count must agree).
# Our promtool reads the committed fixtures in place, through a symlink,
# and must leave them untouched.  The v1-index block is upstream's: its
# cases run in `make conformance` (tests/conformance/tsdb_read_v1.sh).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tsdb_read_lib.sh"

before=$(cd $T/fixtures && find . -type f -exec cksum {} + | sort; find . | sort)
for f in blocks overlap; do
	src=$ROOT/$T/fixtures/$f
	run "$f.list" - "$src" tsdb list @DB@
	run "$f.list-r" - "$src" tsdb list -r @DB@
	run "$f.analyze" 20 "$src" tsdb analyze @DB@
	run "$f.analyze-all" 100000 "$src" tsdb analyze --limit=100000 @DB@
	run "$f.analyze-ext" 3 "$src" tsdb analyze --extended --limit=3 @DB@
	run "$f.dump" - "$src" tsdb dump @DB@
done
B=$ROOT/$T/fixtures
run blocks.dump-range - "$B/blocks" tsdb dump --min-time=1600003600000 --max-time=1600007200000 @DB@
run blocks.dump-match - "$B/blocks" tsdb dump '--match={__name__=~"temp.*|up",room!~"k.*"}' @DB@
run blocks.dump-match-eq - "$B/blocks" tsdb dump '--match=http_requests_total{code="404"}' @DB@
run overlap.dump-range - "$B/overlap" tsdb dump --min-time=1600001790000 --max-time=1600001900000 @DB@
run wal.dump - "$B/wal" tsdb dump @DB@
run wal.dump-unsorted - "$B/wal" tsdb dump --min-time=0 @DB@
run wal.dump-match - "$B/wal" tsdb dump '--match={job="prometheus",__name__=~"go_.*"}' --max-time=9000000000000 @DB@
run wal.list - "$B/wal" tsdb list @DB@
run walcraft.dump - "$B/walcraft" tsdb dump @DB@
run walcraft.dump-unsorted - "$B/walcraft" tsdb dump --min-time=0 @DB@
run headchunks.dump - "$B/headchunks" tsdb dump @DB@
run headchunks.dump-range - "$B/headchunks" tsdb dump --min-time=1 --max-time=9 @DB@
mkdir -p "$TMPROOT/mixed/wal"
cp -r "$B"/blocks/* "$TMPROOT/mixed/"
cp -r "$B"/wal/wal/* "$TMPROOT/mixed/wal/"
cp "$B/walcraft/wal/00000000" "$TMPROOT/mixed/wal/00000002"
run mixed.dump - "$TMPROOT/mixed" tsdb dump '--match={__name__=~"up|go_goroutines|temp_celsius"}' @DB@
run mixed.dump-range - "$TMPROOT/mixed" tsdb dump --min-time=1600010000000 --max-time=1700000000000 @DB@
run mixed.list - "$TMPROOT/mixed" tsdb list @DB@
first=$(ls "$B/blocks" | head -n 1)
run blocks.analyze-id 100000 "$B/blocks" tsdb analyze --limit=100000 @DB@ "$first"

# error cases: stdout, stderr, exit code
run_err() { # blocks|empty|nodb name args...
	local kind=$1 name=$2; shift 2
	local d="$TMPROOT/$name" args=() a rc=0 want="$T/golden/$name.txt"
	mkdir -p "$d"
	case $kind in
	blocks) ln -s "$B/blocks" "$d/db" ;;
	empty) mkdir -p "$d/db" ;;
	badmeta)
		cp -r "$B/blocks" "$d/db"
		echo "{ nope" >"$d/db/$(ls "$B/blocks" | tail -n 1)/meta.json" ;;
	esac
	for a in "$@"; do args+=("${a//@DB@/db}"); done
	(cd "$d" && "$PROMTOOL" "${args[@]}") >"$d/got" 2>"$d/err" || rc=$?
	if [ "$kind" = badmeta ]; then
		# ours says which block it left out (2.42 is silent): one line
		[ "$(grep -c "^skipping block 'db/" "$d/err")" = 1 ] ||
			fail "tsdb_read $name skipping line" "$(cat "$d/err")"
		grep -v "^skipping block 'db/" "$d/err" >>"$d/got"
	else
		cat "$d/err" >>"$d/got"
	fi
	echo "exit $rc" >>"$d/got"
	expect_files_eq "tsdb_read $name" "$d/got" "$want"
}
run_err nodb err.list-nodir tsdb list @DB@
run_err nodb err.analyze-nodir tsdb analyze @DB@
run_err nodb err.dump-nodir tsdb dump @DB@
run_err blocks err.analyze-badid tsdb analyze @DB@ 01ARZ3NDEKTSV4RRFFQ69G5FAV
run_err empty err.analyze-empty tsdb analyze @DB@
run_err empty err.list-empty tsdb list @DB@
run_err blocks err.dump-match-eof tsdb dump '--match={a=' @DB@
run_err blocks err.dump-match-regexp tsdb dump '--match={a=~"("}' @DB@
run_err blocks err.dump-match-ident tsdb dump '--match=a b' @DB@
run_err blocks err.dump-match-empty tsdb dump '--match={}' @DB@
run_err badmeta err.list-badmeta tsdb list @DB@
# (analyze's stderr is empty here, so run's stdout + exit format fits)
cp -r "$B/blocks" "$TMPROOT/badmeta"
echo "{ nope" >"$TMPROOT/badmeta/$(ls "$B/blocks" | tail -n 1)/meta.json"
run err.analyze-badmeta 100000 "$TMPROOT/badmeta" tsdb analyze --limit=100000 @DB@
run_err badmeta err.dump-badmeta tsdb dump @DB@

after=$(cd $T/fixtures && find . -type f -exec cksum {} + | sort; find . | sort)
expect_eq "tsdb_read fixtures untouched" "$after" "$before"

# Extension: repeated --match (3.x) selects the union, sorted by labels,
# each series once.
d="$TMPROOT/multi"
mkdir -p "$d"
"$PROMTOOL" tsdb dump '--match=up' "$B/blocks" >"$d/up"
"$PROMTOOL" tsdb dump '--match=temp_celsius' "$B/blocks" >"$d/temp"
"$PROMTOOL" tsdb dump '--match={__name__=~"up|temp_celsius"}' "$B/blocks" >"$d/both"
"$PROMTOOL" tsdb dump '--match=up' '--match=temp_celsius' "$B/blocks" >"$d/union"
"$PROMTOOL" tsdb dump '--match={__name__=~"up|temp_celsius"}' '--match=up' "$B/blocks" >"$d/overlap"
cat "$d/temp" "$d/up" >"$d/want"
if [ -s "$d/up" ] && [ -s "$d/temp" ]; then
	expect_files_eq "tsdb_read dump --match twice: union" "$d/union" "$d/want"
	expect_files_eq "tsdb_read dump --match twice: overlap once" "$d/overlap" "$d/both"
else
	fail "tsdb_read dump --match twice" "empty single-match output"
fi
