#!/usr/bin/env bash
# Runs one `tsdb create-blocks-from openmetrics` and records what it did, in
# a form that can be compared byte for byte with another run:
#
#   run_one.sh PROMTOOL INPUT RESULT_DIR [FLAGS...]
#
# RESULT_DIR gets stdout, stderr, exitcode, tree (every path left in the
# output directory) and blocks/<i>/ (the files of each block, i in order of
# minTime).  ULIDs are replaced by 26 zeros everywhere -- same length, so
# the SIZE column and meta.json's length stay what the run produced.
#
# INPUT is a file, or one of @missing (a path that does not exist), @empty
# (an empty file), @dir (a directory).  OUTPUT=<path> in the environment
# overrides the output directory (default: a fresh "out" next to the input;
# @file: a regular file; @under_file: a path below a regular file).
set -u
bin=$1 in=$2 res=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$res"
mkdir -p "$res/blocks"
res=$(cd "$res" && pwd)

case $in in
@missing) input=missing.om ;;
@empty) input=input.om; : >"$work/input.om" ;;
@dir) input=input.om; mkdir "$work/input.om" ;;
*) input=input.om; cp "$in" "$work/input.om" ;;
esac
out=out
case ${OUTPUT:-} in
'') ;;
@file) out=afile; echo x >"$work/afile" ;;
@under_file) out=afile/sub; echo x >"$work/afile" ;;
*) out=$OUTPUT ;;
esac

norm() { sed -E 's/[0-9A-HJKMNP-TV-Z]{26}/00000000000000000000000000/g'; }

(cd "$work" && "$bin" tsdb create-blocks-from openmetrics "$@" "$input" "$out" >stdout 2>stderr; echo $? >exitcode)
norm <"$work/stdout" >"$res/stdout"
norm <"$work/stderr" >"$res/stderr"
cp "$work/exitcode" "$res/exitcode"
: >"$res/tree"
if [ -d "$work/$out" ] && [ "${out#/}" = "$out" ]; then
	(cd "$work/$out" && find . | LC_ALL=C sort | norm) >"$res/tree"
	i=0
	for d in $(for b in "$work/$out"/*/; do
		[ -f "$b/meta.json" ] || continue
		printf '%s %s\n' "$(sed -n 's/^\t"minTime": \(-\{0,1\}[0-9]*\),$/\1/p' "$b/meta.json")" "$b"
	done | sort -n | cut -d' ' -f2); do
		mkdir -p "$res/blocks/$i"
		(cd "$d" && find . -type f | LC_ALL=C sort | while read -r f; do
			mkdir -p "$res/blocks/$i/$(dirname "$f")"
			if [ "$f" = ./meta.json ]; then norm <"$f" >"$res/blocks/$i/$f"; else cp "$f" "$res/blocks/$i/$f"; fi
		done)
		i=$((i + 1))
	done
fi
# git keeps no empty directories: no blocks, no blocks/ (so goldens compare)
rmdir "$res/blocks" 2>/dev/null || true
