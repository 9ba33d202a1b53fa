#!/usr/bin/env bash
# make demo: import the bundled OpenMetrics file into TSDB blocks and list them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=demo-data
rm -rf "$out"
mkdir -p "$out"
echo "\$ promtool tsdb create-blocks-from openmetrics testdata/demo/demo.om $out"
bin/promtool tsdb create-blocks-from openmetrics testdata/demo/demo.om "$out"
echo
echo "\$ promtool tsdb list -r $out"
bin/promtool tsdb list -r "$out"
