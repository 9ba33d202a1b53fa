#!/usr/bin/env bash
# Help output and usage errors, byte for byte against real promtool 2.42.
#
# testdata/cli/golden.txt holds what /usr/bin/promtool printed (stdout,
# stderr, exit code) for every line of testdata/cli/vectors.txt
# (testdata/cli/regen.sh).  Our documented extensions change some help
# screens; testdata/cli/extensions.patch lists exactly those changes and is
# applied to the golden before comparing, so any other byte that differs
# fails the test -- and so does an extension the patch does not describe.
. "$(dirname "$0")/../lib.sh"
dir=testdata/cli
# A private copy, so a rebuild of bin/promtool during the run cannot disturb it.
mkdir -p "$TMPROOT/bin" && cp "$PROMTOOL" "$TMPROOT/bin/promtool" && PROMTOOL=$TMPROOT/bin/promtool
want=$TMPROOT/want.txt
got=$TMPROOT/got.txt
cp "$dir/golden.txt" "$want"
if ! patch -s --no-backup-if-mismatch "$want" "$dir/extensions.patch" >"$TMPROOT/patch.log" 2>&1; then
	fail cli_golden_patch "extensions.patch no longer applies to golden.txt" "$(cat "$TMPROOT/patch.log")"
	exit 0
fi
# Every line the patch changes must belong to a documented extension (tsdb
# verify, repeatable tsdb dump --match, create-blocks-from rules
# --http.config.file/--source-dir, --query-timeout/--retries/--header, the
# production flags (--merge-blocks, --block-duration, --resume,
# --concurrency, --progress, --shard) and the column they widen in --help-long,
# query instant|range|series|labels --source-dir and the columns it widens
# (--time's old 17-space continuation lines among them), our version in the
# man page header), so the patch cannot quietly absorb a regression.
stray=$(grep -E '^[-+]' "$dir/extensions.patch" | grep -v -E '^(\+\+\+|---) ' |
	grep -v -E 'verify|Verify the|integrity of|TSDB blocks|http\.config\.file|HTTP client|connect to|source-dir|<path>|--url\.$|match=|Series|selector|[Cc]an be|specified|multiple|times\.$' |
	grep -v -E '^[-+]$|^[-+] +$|^[-+] {20,}|^[-+] {4}--(url|start|end|output-dir|eval-interval|time)=|^- {17}[^ ]|^[-+]\.(TP|SS|PP)$' |
	grep -v -E '^[-+](\.TH promtool 1 promtool, version|  build (user|date):|  go version:|  platform:)' |
	grep -v -E '^[-+]create-blocks-from(--- stderr)?$' |
	grep -v -E 'query-timeout|--retries|retries=0|header=<name: value>|^\+--header$|Time limit of|How many times|Extra HTTP( header for every query|$)' |
	grep -v -E -- '--merge-blocks|Write one block per time window|rule.s series|merge the per-rule|per-rule blocks' |
	grep -v -E -- '--block-duration|Exact length of the blocks|multiples of it|UTC days|dividing 24h' |
	grep -v -E -- '--resume|Record finished blocks|rules-backfill\.resume|same arguments|only what is missing|Needs --end' |
	grep -v -E -- '--concurrency|Windows evaluated at once|evaluation threads|queries in flight|same for any value|one per CPU|--source-dir, 1 with|the same for any value' |
	grep -v -E -- '--progress|A progress line on stderr|redrawn in place|when stderr is a terminal' |
	grep -v -E -- '--shard|Do only shard i of n' |
	grep -v -E 'semantics|external-url|external-label|2\.42 backfills|rule manager|manager writes|alert templates|external URL|external$' || true)
expect_eq cli_golden_patch_only_extensions "$stray" ""
bash "$dir/run_vectors.sh" "$PROMTOOL" >"$got"
# One verdict per vector, so a failure names the command line.
split_vectors() { # file outdir
	mkdir -p "$2"
	awk -v d="$2" '/^### /{n++} {f=sprintf("%s/%04d", d, n); printf "%s\n", $0 > f}' "$1"
}
split_vectors "$want" "$TMPROOT/w"
split_vectors "$got" "$TMPROOT/g"
nw=$(ls "$TMPROOT/w" | wc -l)
ng=$(ls "$TMPROOT/g" | wc -l)
expect_eq cli_golden_vector_count "$ng" "$nw"
for f in "$TMPROOT/w"/*; do
	name=$(head -n1 "$f" | cut -c5-)
	g="$TMPROOT/g/$(basename "$f")"
	if [ -f "$g" ] && cmp -s "$f" "$g"; then
		pass "cli_golden: $name"
	else
		fail "cli_golden: $name" "$(diff "$f" "$g" 2>&1 | head -n 20)"
	fi
done
# And the whole stream, in case the split hid something (e.g. a missing
# final newline).
expect_files_eq cli_golden_all "$got" "$want"
