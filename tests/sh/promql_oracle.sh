#!/usr/bin/env bash
# Our own PromQL cases in promqltest format (testdata/promql-eval: results
# recorded from the real Prometheus 2.42, see its regen script), compared bit
# for bit by bin/promqltest --exact.  Upstream's .test files run in
# `make conformance`.
. "$(dirname "$0")/../lib.sh"
require_cmd promql_oracle "$ROOT/bin/promqltest" || exit 0
"$ROOT/bin/promqltest" --exact testdata/promql-eval
