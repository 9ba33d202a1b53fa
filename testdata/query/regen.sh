#!/usr/bin/env bash
# Regenerates golden.txt: what the REAL promtool 2.42 prints (stdout,
# stderr, exit code) for every case of cases.txt, against real Prometheus
# 2.42 servers over the fixture of gen_om.py and the fake API of
# fake_api.py (testdata/query/lib.sh).  tests/sh/query_golden.sh runs ours
# the same way.  Needs /usr/bin/promtool, /usr/bin/prometheus, python3.
set -u
cd "$(dirname "$0")/../.."
. testdata/query/lib.sh
real=${REAL_PROMTOOL:-/usr/bin/promtool}
"$real" --version | head -n1 | grep -q 'version 2\.42\.' || { echo "need promtool 2.42" >&2; exit 1; }
Q_REAL_PROMTOOL=$real
W=$(mktemp -d)
trap 'q_stop; rm -rf "$W"' EXIT
q_start "$W" || { echo "cannot start the servers" >&2; exit 1; }
q_run_cases "$real" "$Q_DIR/cases.txt" >"$Q_DIR/golden.txt"
echo "wrote $Q_DIR/golden.txt ($(grep -c '^### ' "$Q_DIR/golden.txt") cases)"
