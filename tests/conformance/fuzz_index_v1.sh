#!/usr/bin/env bash
# The index fuzz target's replay over upstream's v1 index and mutations of it
# made here (bad magic, bad version, bit flips, no TOC, truncated): the v1
# path of the index reader, which none of our own fixtures exercise.  A crash
# or sanitizer report fails.
. "$(dirname "$0")/../lib.sh"
require_conformance tsdb-v2.42/index_format_v1/index || exit 0
require_cmd fuzz_index_v1 "$ROOT/bin/fuzz/fuzz_index_reader" || exit 0
src=$CONFORMANCE_DIR/tsdb-v2.42/index_format_v1/index
d=$TMPROOT/v1
mkdir -p "$d"
size=$(stat -c %s "$src")
cp "$src" "$d/v1"
# patch FILE OFFSET BYTE: one byte overwritten
patch() { printf "$(printf '\\%03o' "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
cp "$src" "$d/v1_bad_magic"; patch "$d/v1_bad_magic" 0 0
cp "$src" "$d/v1_bad_version"; patch "$d/v1_bad_version" 4 9
for i in 0 1 2; do
	cp "$src" "$d/v1_flip$i"
	off=$(( (size * (i + 1)) / 4 ))
	b=$(od -An -tu1 -j "$off" -N1 "$src" | tr -d ' ')
	patch "$d/v1_flip$i" "$off" $(( b ^ 0x40 ))
done
head -c $((size - 52)) "$src" >"$d/v1_no_toc"
head -c $((size / 2)) "$src" >"$d/v1_trunc_half"
"$ROOT/bin/fuzz/fuzz_index_reader" "$d"
