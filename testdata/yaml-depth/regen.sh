#!/usr/bin/env bash
# Regenerates golden/<case>.txt with the REAL promtool 2.42: the stdout,
# stderr ("--- stderr") and exit code ("exit N") of
# `promtool check rules <case>.yml` for every file gen.py writes.
set -euo pipefail
cd "$(dirname "$0")"
REAL=${REAL_PROMTOOL:-/usr/bin/promtool}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./gen.py "$tmp"
rm -f golden/*.txt
for c in $(./gen.py --list); do
	rc=0
	(cd "$tmp" && "$REAL" check rules "$c.yml" >out 2>err) || rc=$?
	{ cat "$tmp/out"; echo "--- stderr"; cat "$tmp/err"; echo "exit $rc"; } >"golden/$c.txt"
done
echo "wrote $(ls golden | wc -l) goldens"
