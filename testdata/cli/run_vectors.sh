#!/usr/bin/env bash
# Usage: run_vectors.sh PROMTOOL [VECTORS]
# Runs PROMTOOL once per line of VECTORS (default: vectors.txt next to this
# script) from the project root and prints, for each, the command line, its
# stdout, its stderr and its exit code in one stream, so that a golden file
# holds the whole behaviour and `cmp` finds the first differing byte.
# The binary is invoked as "promtool" (via a symlink) because kingpin names
# the program after argv[0].
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
vectors=${2:-$here/vectors.txt}
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
ln -s "$(command -v "$bin" || echo "$bin")" "$tmp/bin/promtool"
cd "$root"
while IFS= read -r line || [ -n "$line" ]; do
	case $line in '' | '#'*) continue ;; esac
	cols=unset
	args=$line
	if [[ $line =~ ^COLUMNS=([^ ]*)\ (.*)$ ]]; then
		cols=${BASH_REMATCH[1]}
		args=${BASH_REMATCH[2]}
	fi
	if [ "$args" = "<EMPTY>" ]; then set --; else eval "set -- $args"; fi
	if [ "$cols" = unset ]; then
		env -u COLUMNS "$tmp/bin/promtool" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	else
		env COLUMNS="$cols" "$tmp/bin/promtool" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	fi
	rc=$?
	printf '### %s\n--- stdout\n' "$line"
	cat "$tmp/out"
	printf -- '--- stderr\n'
	cat "$tmp/err"
	printf -- '--- exit %d\n' "$rc"
done <"$vectors"
