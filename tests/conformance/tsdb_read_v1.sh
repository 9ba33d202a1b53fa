#!/usr/bin/env bash
# tsdb list / analyze / dump on upstream's v1-index block
# ($CONFORMANCE_DIR/tsdb-v2.42/index_format_v1) against goldens from the real
# promtool 2.42 (testdata/tsdb-read/regen.sh), as tests/sh/tsdb_read_golden.sh
# does for our own fixtures.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tsdb_read_lib.sh"
require_conformance tsdb-v2.42/index_format_v1 || exit 0

mkdir -p "$TMPROOT/v1"
ln -s "$(cd "$CONFORMANCE_DIR/tsdb-v2.42/index_format_v1" && pwd)" "$TMPROOT/v1/01DXXFZDYD1MQW6079WK0K6EDQ"
src=$TMPROOT/v1
run v1.list - "$src" tsdb list @DB@
run v1.list-r - "$src" tsdb list -r @DB@
run v1.analyze 20 "$src" tsdb analyze @DB@
run v1.analyze-all 100000 "$src" tsdb analyze --limit=100000 @DB@
run v1.analyze-ext 3 "$src" tsdb analyze --extended --limit=3 @DB@
run v1.dump - "$src" tsdb dump @DB@
