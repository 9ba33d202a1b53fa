#!/usr/bin/env bash
# --concurrency=N: the output is byte for byte that of N=1.  Runs the golden
# suites again with several workers and requires every case to pass:
#   rules_backfill_golden.sh  against a real Prometheus 2.42, N queries in
#                             flight (N API clients)        --concurrency=3
#   rules_local_golden.sh     --source-dir, N evaluation threads over one
#                             shared source                 --concurrency=1, 2, 4
#                             (its own runs take the default, 0: one per CPU)
#   rules_merge.sh            --merge-blocks, both sources  --concurrency=3
# plus its usage error.  Test names get the prefix rules_concurrency_<N>_.
. "$(dirname "$0")/../lib.sh"

suite() { # N SCRIPT
	RB_EXTRA_ARGS="--concurrency=$1" bash "tests/sh/$2" 2>"$TMPROOT/err" | sed -E "s/^(PASS|FAIL) /\1 rules_concurrency_$1_/"
	[ -s "$TMPROOT/err" ] && cat "$TMPROOT/err" >&2
	return 0
}
suite 3 rules_backfill_golden.sh
suite 1 rules_local_golden.sh
suite 2 rules_local_golden.sh
suite 4 rules_local_golden.sh
suite 3 rules_merge.sh

"$PROMTOOL" tsdb create-blocks-from rules --concurrency=257 --start 1700000000 --end 1700003600 \
	--output-dir "$TMPROOT/u" testdata/rules-backfill/rules_main.yml >/dev/null 2>"$TMPROOT/err"
expect_eq rules_concurrency_usage "$?|$(cat "$TMPROOT/err")|$(ls "$TMPROOT/u" 2>/dev/null)" \
	"1|promtool: error: --concurrency must be between 0 and 256, got 257, try --help|"
