# Shared by regen.sh and tests/sh/rules_block_duration.sh.
#
# bd_dump DIR OUT: the real promtool 2.42's `tsdb dump` of the blocks in
# DIR, sorted, into OUT.  2.42's dump needs a wal/ directory and writes into
# the one it reads (COMPATIBILITY.md), so it runs on a copy.
bd_dump() {
	local copy
	copy=$(mktemp -d)
	[ -d "$1" ] && cp -r "$1"/. "$copy"/
	mkdir -p "$copy/wal"
	"${BD_REAL_PROMTOOL:-promtool}" tsdb dump "$copy" | sort >"$2"
	local rc=${PIPESTATUS[0]}
	rm -rf "$copy"
	return "$rc"
}
