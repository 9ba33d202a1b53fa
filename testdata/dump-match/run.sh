#!/usr/bin/env bash
# Usage: run.sh PROMTOOL DB: runs `tsdb dump` once per selector of
# selectors.txt (next to this script) and prints the stream regen.sh
# stores as golden.txt.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$1 db=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while IFS= read -r sel || [ -n "$sel" ]; do
	case $sel in '#'*) continue ;; '<EMPTY>') sel= ;; esac
	rc=0
	"$bin" tsdb dump --min-time=1600000000000 --max-time=1600000030000 "--match=$sel" "$db" >"$tmp/out" 2>"$tmp/err" || rc=$?
	printf '### %s\n' "$sel"
	cat "$tmp/out"
	echo "--- stderr"
	cat "$tmp/err"
	echo "exit $rc"
done <"$here/selectors.txt"
