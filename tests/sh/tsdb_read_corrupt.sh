#!/usr/bin/env bash
# Damaged data dirs: every reading command must fail with one clear line
# naming what is broken (never a crash), and tsdb verify must report the
# problem with its file and exit 1.  Clean fixtures verify with exit 0.
. "$(dirname "$0")/../lib.sh"
F=$ROOT/testdata/tsdb-read/fixtures

for f in blocks overlap wal; do
	out=$("$PROMTOOL" tsdb verify "$F/$f" 2>&1); rc=$?
	case $f in
	overlap) # two imports with overlapping ranges: a note (2.42 merges them), not a problem
		if [ $rc -eq 0 ] && [ "$(printf '%s\n' "$out" | grep -c '^note: blocks .* overlap$')" = 1 ]; then pass "tsdb_verify $f"
		else fail "tsdb_verify $f" "rc=$rc" "$out"; fi ;;
	*) expect_eq "tsdb_verify $f clean" "$rc:$out" "0:" ;;
	esac
done

# corrupt NAME WANT_IN_ERRORS SETUP: SETUP edits a copy of fixtures/blocks in $db
corrupt() {
	local name=$1 want=$2 setup=$3
	local db="$TMPROOT/$name" cmd rc out ok=1
	cp -r "$F/blocks" "$db"
	blk=$(ls "$db" | tail -n 1)
	(cd "$db" && eval "$setup")
	for cmd in "tsdb list" "tsdb analyze" "tsdb dump" "tsdb verify"; do
		out=$($PROMTOOL $cmd "$db" 2>&1 >/dev/null); rc=$?
		[ "$cmd" = "tsdb verify" ] && out=$($PROMTOOL $cmd "$db" 2>&1)
		case "$name:$cmd" in
		# list reads only meta.json and file sizes, analyze/list open
		# only index headers: some damage is invisible to them; a block
		# whose meta.json does not read is skipped, as 2.42 skips it
		# (with one line of ours saying so)
		*meta*:"tsdb list" | *meta*:"tsdb analyze" | *meta*:"tsdb dump")
			[ $rc -eq 0 ] && [ "$(printf '%s\n' "$out" | grep -c "^skipping block '$db/$blk': .*$want")" = 1 ] ||
				{ ok=0; echo "$cmd: rc=$rc $out" >&2; }
			continue ;;
		chunk-*:"tsdb list" | chunk-*:"tsdb analyze" | series-crc:"tsdb list" | wal*:"tsdb list" | wal*:"tsdb analyze")
			[ $rc -eq 0 ] || { ok=0; echo "$cmd: rc=$rc $out" >&2; }
			continue ;;
		esac
		if [ $rc -ne 1 ] || ! printf '%s' "$out" | grep -q -- "$want"; then
			ok=0
			echo "$cmd: rc=$rc, want 1 and '$want' in: $out" >&2
		fi
		if [ "$cmd" != "tsdb verify" ] && [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ]; then
			ok=0
			echo "$cmd: want one line of error, got: $out" >&2
		fi
	done
	if [ $ok = 1 ]; then pass "tsdb_read corrupt $name"; else fail "tsdb_read corrupt $name"; fi
}

flip() { # file offset
	printf "$(printf '\\%03o' $(( $(od -An -tu1 -j "$2" -N1 "$1") ^ 1 )))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

corrupt index-magic "index: invalid magic number" 'flip $blk/index 0'
corrupt index-version "unknown index file version" 'printf "\x07" | dd of=$blk/index bs=1 seek=4 conv=notrunc status=none'
corrupt index-toc "read TOC" 'flip $blk/index $(( $(stat -c %s $blk/index) - 3 ))'
corrupt index-short "file too short" 'head -c 20 $blk/index > x && mv x $blk/index'
corrupt symbols-crc "read symbols" 'flip $blk/index 12'
corrupt series-crc "series at offset" 'flip $blk/index $(( $(od -An -tu8 --endian=big -j $(( $(stat -c %s $blk/index) - 44 )) -N8 $blk/index) + 8 ))'
corrupt chunk-crc "checksum mismatch" 'flip $blk/chunks/000001 20'
corrupt chunk-trunc "chunk" 'head -c 100 $blk/chunks/000001 > x && mv x $blk/chunks/000001'
corrupt chunks-magic "invalid magic number" 'flip $blk/chunks/000001 1'
corrupt meta-json "meta.json" 'echo "{ nope" > $blk/meta.json'
corrupt no-meta "meta.json" 'rm $blk/meta.json'
corrupt tombstones-crc "tombstones: checksum did not match" 'printf "\x01\x30\xba\x30\x01\x00\x00\x00\x01" > $blk/tombstones'
corrupt no-index "index" 'rm $blk/index'
corrupt wal-crc "unexpected checksum" 'mkdir -p wal && cp '"$F"'/wal/wal/checkpoint.00000000/00000000 wal/00000000 && flip wal/00000000 40'
corrupt wal-trunc "wal/00000000" 'mkdir -p wal && head -c 5000 '"$F"'/wal/wal/checkpoint.00000000/00000000 > wal/00000000'
