#!/usr/bin/env bash
# promtool query instant|range|series|labels, byte for byte against real
# promtool 2.42 (testdata/query/golden.txt, made by testdata/query/regen.sh
# against real Prometheus 2.42 servers and a fake API).  The same servers
# are started here, on free ports of 127.0.0.1, and stopped by PID.
#
# Then the --source-dir extension: for every case flagged L, ours with
# --source-dir=<the fixture's data dir> instead of the server must print
# what real promtool printed against the server (stdout, stderr, exit).
# Last, a check that the comparison catches a one-byte difference.
. "$(dirname "$0")/../lib.sh"
. testdata/query/lib.sh
require_cmd query_golden prometheus python3 || exit 0
Q_REAL_PROMTOOL=${REAL_PROMTOOL:-$PROMTOOL}
# A private copy, so a rebuild of bin/promtool during the run cannot disturb it.
mkdir -p "$TMPROOT/bin" && cp "$PROMTOOL" "$TMPROOT/bin/promtool" && PROMTOOL=$TMPROOT/bin/promtool
W=$TMPROOT/w
mkdir -p "$W"
trap 'q_stop; rm -rf "$TMPROOT"' EXIT
if ! q_start "$W"; then
	fail query_golden_servers "cannot start prometheus and the fake API" "$(tail -n 5 "$W"/*.log 2>/dev/null)"
	exit 0
fi

split_cases() { # file outdir
	mkdir -p "$2"
	awk -v d="$2" '/^### /{f=d "/" substr($0, 5)} {print > f}' "$1"
}
split_cases "$Q_DIR/golden.txt" "$TMPROOT/want"

check_stream() { # tag got_file
	local tag=$1 got=$2 f name
	split_cases "$got" "$TMPROOT/$tag"
	for f in "$TMPROOT/$tag"/*; do
		name=$(basename "$f")
		if cmp -s "$f" "$TMPROOT/want/$name"; then
			pass "query_$tag: $name"
		else
			fail "query_$tag: $name" "$(diff -a "$TMPROOT/want/$name" "$f" 2>&1 | head -n 12 | cut -c 1-300)"
		fi
	done
}

q_run_cases "$PROMTOOL" "$Q_DIR/cases.txt" >"$TMPROOT/got.txt"
expect_eq query_golden_case_count "$(grep -ac '^### ' "$TMPROOT/got.txt")" "$(grep -ac '^### ' "$Q_DIR/golden.txt")"
check_stream golden "$TMPROOT/got.txt"
expect_files_eq query_golden_all "$TMPROOT/got.txt" "$Q_DIR/golden.txt"

q_stop
# The servers are gone: the answers below can only come from the data dir.
q_run_cases "$PROMTOOL" "$Q_DIR/cases.txt" source-dir >"$TMPROOT/local.txt"
expect_eq query_source_dir_case_count "$(grep -ac '^### ' "$TMPROOT/local.txt")" \
	"$(grep -c '^[a-z0-9_]*|[A-Z]*L' "$Q_DIR/cases.txt")"
check_stream source_dir "$TMPROOT/local.txt"

# The CLI shape of the extension: <server> is left out with --source-dir,
# wherever the flag stands; giving it anyway is one argument too many.
run_ours() { # NAME WANT_STDERR WANT_EXIT ARGS...
	local name=$1 want_err=$2 want_rc=$3 rc
	shift 3
	(cd "$TMPROOT" && "$PROMTOOL" "$@" >"$TMPROOT/o.out" 2>"$TMPROOT/o.err")
	rc=$?
	expect_eq "query_source_dir_cli: $name" "$rc|$(cat "$TMPROOT/o.err")" "$want_rc|$want_err"
}
run_ours server_given "promtool: error: unexpected up, try --help" 1 query instant --source-dir="$QD" http://x up
run_ours server_given_flag_last "promtool: error: unexpected up, try --help" 1 query instant http://x up --source-dir="$QD"
run_ours no_expr "promtool: error: required argument 'expr' not provided, try --help" 1 query instant --source-dir="$QD"
run_ours no_name "promtool: error: required argument 'name' not provided, try --help" 1 query labels --source-dir="$QD"
run_ours no_match "promtool: error: required flag --match not provided, try --help" 1 query series --source-dir="$QD"
run_ours missing_dir "cannot open source directory: opening the db dir: stat $TMPROOT/nonexistent: no such file or directory" 1 \
	query instant --source-dir="$TMPROOT/nonexistent" up
run_ours time_error_first 'error parsing evaluation time: cannot parse "abc" to a valid timestamp' 1 \
	query instant --time=abc --source-dir="$TMPROOT/nonexistent" up
(cd "$TMPROOT" && "$PROMTOOL" query instant --time=1700003600 up --source-dir="$QD" >"$TMPROOT/o.out" 2>&1)
awk '/^--- stdout$/{on=1; next} /^--- stderr$/{on=0} on' "$TMPROOT/want/inst_vector" >"$TMPROOT/o.want"
expect_files_eq "query_source_dir_cli: flag_after_expr" "$TMPROOT/o.out" "$TMPROOT/o.want"

# The comparison must fail on a single changed byte.
first=$(ls "$TMPROOT/golden" | head -n 1)
sed '2,$ s/1/2/' "$TMPROOT/golden/$first" >"$TMPROOT/mutated"
if cmp -s "$TMPROOT/mutated" "$TMPROOT/want/$first"; then
	fail query_golden_detects_change "mutating $first changed nothing"
else
	pass query_golden_detects_change
fi
