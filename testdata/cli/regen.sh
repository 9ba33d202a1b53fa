#!/usr/bin/env bash
# Regenerates golden.txt from the real promtool 2.42 (default /usr/bin/promtool).
# extensions.patch is NOT regenerated: it is the reviewed list of the places
# where our help deliberately differs (our extensions); re-check it by hand
# if `patch` stops applying it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
real=${REAL_PROMTOOL:-/usr/bin/promtool}
"$real" --version | head -n1 | grep -q 'version 2\.42\.' || { echo "need promtool 2.42, got: $("$real" --version | head -n1)" >&2; exit 1; }
bash "$here/run_vectors.sh" "$real" >"$here/golden.txt"
echo "wrote $here/golden.txt ($(grep -c '^### ' "$here/golden.txt") vectors)"
# promtool's --enable-feature warnings (stdout only: the command after them
# fails on a missing directory, and its message is not the CLI's business).
"$real" --enable-feature=a,,promql-at-modifier --enable-feature='promql-negative-offset,no-default-scrape-port,x"y' \
	tsdb list "$here/files/nonexistent" >"$here/feature_warnings.txt" 2>/dev/null || true
echo "wrote $here/feature_warnings.txt"
