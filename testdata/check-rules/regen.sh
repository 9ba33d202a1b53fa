#!/usr/bin/env bash
# Regenerates the goldens for `promtool check rules` with the REAL promtool
# 2.42: golden/ gets one case per file of inputs/ (ours) plus the cases listed
# in cases.txt; golden-upstream/ gets one case per upstream file listed in
# upstream.txt, read from $CONFORMANCE_DIR (default ../../../shared/conformance)
# and checked under the name inputs/<name>, as `make conformance` checks it.
# Each case gets <name>.args (one argument per line), .stdout, .stderr and .rc.
# Commands run from a folder holding inputs/, so the paths in messages are stable.
set -eu
cd "$(dirname "$0")"
here=$(pwd)
REAL_PROMTOOL=${REAL_PROMTOOL:-/usr/bin/promtool}
CONFORMANCE_DIR=${CONFORMANCE_DIR:-$here/../../../shared/conformance}
"$REAL_PROMTOOL" --version 2>&1 | grep -q 'version 2\.42\.' || {
	echo "regen.sh: $REAL_PROMTOOL is not promtool 2.42" >&2
	exit 1
}
[ -d "$CONFORMANCE_DIR" ] || { echo "regen.sh: $CONFORMANCE_DIR not found (set CONFORMANCE_DIR)" >&2; exit 1; }

run_case() { # golden-dir name args...
	local out=$1 name=$2 rc=0
	shift 2
	: >"$out/$name.args"
	[ $# -eq 0 ] || printf '%s\n' "$@" >"$out/$name.args"
	"$REAL_PROMTOOL" check rules "$@" >"$out/$name.stdout" 2>"$out/$name.stderr" || rc=$?
	echo "$rc" >"$out/$name.rc"
}

rm -rf golden golden-upstream
mkdir golden golden-upstream
for f in inputs/*; do
	run_case golden "file-$(basename "$f")" "$f"
done
while read -r name args; do
	case "$name" in '' | '#'*) continue ;; esac
	# shellcheck disable=SC2086 # word splitting is the format
	run_case golden "$name" $args
done <cases.txt

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/inputs"
while read -r name path; do
	case "$name" in '' | '#'*) continue ;; esac
	cp "$CONFORMANCE_DIR/$path" "$tmp/inputs/$name"
	(cd "$tmp" && run_case "$here/golden-upstream" "file-$name" "inputs/$name")
done <upstream.txt
echo "regen.sh: $(ls golden/*.args | wc -l) cases, $(ls golden-upstream/*.args | wc -l) upstream cases"
