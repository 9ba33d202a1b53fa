#!/usr/bin/env bash
# The layering rule (tests/layers.sh): on this tree, and on small trees that
# break it, so that the check is seen to fail.
. "$(dirname "$0")/../lib.sh"

out=$(bash tests/layers.sh 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then pass layers_repo; else fail layers_repo "$out"; fi

# The folders must sort in layer order, so that `ls` shows it.
want=$(printf '%s\n' 1-common 2-model 3-tsdb 4-promql 5-query 6-rules 7-backfill 8-promtool)
got=$(ls -d [1-9]-* | LC_ALL=C sort)
expect_eq layers_folders "$got" "$want"

t=$TMPROOT/tree
mkdir -p "$t/1-common" "$t/3-tsdb" "$t/4-promql"
printf '#include "1-common/a.h"\n' >"$t/1-common/a.h"
printf '#include "1-common/a.h"\n#include "3-tsdb/b.h"\n' >"$t/3-tsdb/b.c"
touch "$t/3-tsdb/b.h"
out=$(bash tests/layers.sh "$t" 2>&1); rc=$?
expect_eq layers_down_ok "$rc:$out" "0:"

printf '#include "4-promql/ast.h"\n' >"$t/3-tsdb/up.c"
touch "$t/4-promql/ast.h"
out=$(bash tests/layers.sh "$t" 2>&1); rc=$?
expect_eq layers_up_fails "$rc:$out" '1:3-tsdb/up.c:1: includes "4-promql/ast.h" from a higher layer'
rm "$t/3-tsdb/up.c"

printf '#include "../4-promql/ast.h"\n' >"$t/3-tsdb/rel.c"
out=$(bash tests/layers.sh "$t" 2>&1); rc=$?
expect_eq layers_relative_fails "$rc:$out" '1:3-tsdb/rel.c:1: includes "../4-promql/ast.h": not a layer path (use "N-name/file.h")'
