#!/usr/bin/env bash
# Regenerates golden.txt: for every selector of selectors.txt, what the REAL
# promtool 2.42 prints for
#   promtool tsdb dump --min-time=1600000000000 --max-time=1600000030000 --match=<selector> db
# over a copy of ../tsdb-read/fixtures/blocks (with the empty wal/ real
# promtool needs): "### <selector>", stdout, "--- stderr", stderr,
# "exit N".  2.42 parses the selector with parser.ParseMetricSelector.
set -euo pipefail
cd "$(dirname "$0")"
REAL=${REAL_PROMTOOL:-/usr/bin/promtool}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r ../tsdb-read/fixtures/blocks "$tmp/db"
mkdir -p "$tmp/db/wal"
bash run.sh "$REAL" "$tmp/db" >golden.txt
echo "wrote $(grep -c '^### ' golden.txt) selectors to golden.txt"
