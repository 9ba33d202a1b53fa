#!/usr/bin/env bash
# Regenerates golden/ for `promtool check rules` with the REAL promtool 2.42:
# one case per file of inputs/ plus the cases listed in cases.txt.  Each case
# gets <name>.args (one argument per line), .stdout, .stderr and .rc.
# Commands run from this folder so the paths in messages are stable.
set -eu
cd "$(dirname "$0")"
REAL_PROMTOOL=${REAL_PROMTOOL:-/usr/bin/promtool}
"$REAL_PROMTOOL" --version 2>&1 | grep -q 'version 2\.42\.' || {
	echo "regen.sh: $REAL_PROMTOOL is not promtool 2.42" >&2
	exit 1
}
rm -rf golden
mkdir golden

run_case() { # name, args...
	local name=$1 rc=0
	shift
	: >"golden/$name.args"
	[ $# -eq 0 ] || printf '%s\n' "$@" >"golden/$name.args"
	"$REAL_PROMTOOL" check rules "$@" >"golden/$name.stdout" 2>"golden/$name.stderr" || rc=$?
	echo "$rc" >"golden/$name.rc"
}

for f in inputs/*; do
	run_case "file-$(basename "$f")" "$f"
done
while read -r name args; do
	case "$name" in '' | '#'*) continue ;; esac
	# shellcheck disable=SC2086 # word splitting is the format
	run_case "$name" $args
done <cases.txt
echo "regen.sh: $(ls golden/*.args | wc -l) cases"
