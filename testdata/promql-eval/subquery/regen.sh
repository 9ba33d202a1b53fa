#!/usr/bin/env bash
# Regenerates input.om (gen_input.sh), then data/ and golden.txt with the
# real promtool and Prometheus 2.42, as ../regex/regen.sh does: the
# query_range answers of 2.42 for the subqueries of queries.txt.
# test_promql_eval_range holds our evaluator to them.
#
# Usage: testdata/promql-eval/subquery/regen.sh [promtool] [prometheus]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
./gen_input.sh
REGEN_DIR=$here exec ../regex/regen.sh "$@"
