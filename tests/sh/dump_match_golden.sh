#!/usr/bin/env bash
# tsdb dump --match=<selector>: 2.42 parses it with parser.ParseMetricSelector,
# so do we (4-promql's promql_parse_metric_selector).  For every selector of
# testdata/dump-match/selectors.txt, good and bad, stdout, stderr and exit
# code must be what real promtool 2.42 printed (golden.txt, made by
# regen.sh), byte for byte.
. "$(dirname "$0")/../lib.sh"
D=testdata/dump-match
cp -r testdata/tsdb-read/fixtures/blocks "$TMPROOT/db"
bash "$D/run.sh" "$PROMTOOL" "$TMPROOT/db" >"$TMPROOT/got"
split() { # file dir
	mkdir -p "$2"
	awk -v d="$2" '/^### /{n++} {f=sprintf("%s/%04d", d, n); printf "%s\n", $0 > f}' "$1"
}
split "$D/golden.txt" "$TMPROOT/w"
split "$TMPROOT/got" "$TMPROOT/g"
expect_eq dump_match_count "$(ls "$TMPROOT/g" | wc -l)" "$(ls "$TMPROOT/w" | wc -l)"
for f in "$TMPROOT/w"/*; do
	g=$TMPROOT/g/$(basename "$f")
	if [ -f "$g" ] && cmp -s "$f" "$g"; then
		pass "dump_match: $(head -n 1 "$f" | cut -c5-)"
	else
		fail "dump_match: $(head -n 1 "$f" | cut -c5-)" "$(diff "$f" "$g" 2>&1 | head -n 10)"
	fi
done
expect_files_eq dump_match_all "$TMPROOT/got" "$D/golden.txt"
