#!/usr/bin/env bash
# Regenerates queries.txt (gen.py: 500 random regexps, as matchers and in
# label_replace()), then data/ and golden.txt with the real promtool and
# Prometheus 2.42, as ../regex/regen.sh does.  test_promql_eval_range runs
# the set against our evaluator.
#
# Usage: testdata/promql-eval/regex-random/regen.sh [promtool] [prometheus]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
python3 gen.py
REGEN_DIR=$here exec ../regex/regen.sh "$@"
