#!/usr/bin/env bash
# Regenerates the expectations of `make conformance` for upstream's PromQL
# test files of the later releases: v<VERSION>.txt lists every case of
# $CONFORMANCE_DIR/promqltest-v<VERSION> that bin/promqltest --compat=VERSION
# does not pass, one "fail|skip <TAB> file:line <TAB> category" line each,
# under a header with the counts.  tests/conformance/promqltest_versions.sh
# fails when a case that is not listed fails (a regression) and asks for a
# rerun of this script when a listed case passes.
#
#   tests/conformance/promqltest-expect/regen.sh [VERSION...]
#   tests/conformance/promqltest-expect/regen.sh --report FILE [VERSION...]
#
# --report also writes FILE: the failures grouped by category, with the
# query and why of each (the work queue of the engine's version gates; it
# quotes upstream's queries, so it stays outside the repository).
# Run it after `make bin/promqltest`, from anywhere.
set -eu
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out_dir=${PQT_EXPECT_DIR:-$here} # another folder: for tests/sh/promqltest_expect.sh
CONFORMANCE_DIR=${CONFORMANCE_DIR:-$root/../shared/conformance}
report=
if [ "${1:-}" = --report ]; then
	report=$2
	shift 2
fi
versions=${*:-2.53.0 3.5.0 3.14.0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -z "$report" ] || : >"$report"

for v in $versions; do
	dir=$CONFORMANCE_DIR/promqltest-v$v
	[ -d "$dir" ] || { echo "regen.sh: $dir not found (set CONFORMANCE_DIR)" >&2; exit 1; }
	"$root/bin/promqltest" -v --compat="$v" "$dir" >"$tmp/out" 2>"$tmp/err" || true
	summary=$(tail -n 1 "$tmp/err")
	case $summary in
	*" passed, "*" failed, "*" skipped") ;;
	*) echo "regen.sh: bin/promqltest --compat=$v did not finish: $summary" >&2; exit 1 ;;
	esac
	read -r np _ nf _ ns _ <<<"$summary"
	{
		echo "# bin/promqltest --compat=$v on \$CONFORMANCE_DIR/promqltest-v$v (upstream's"
		echo "# promql/promqltest/testdata at v$v): every case that does not pass, with its"
		echo "# category.  Made by tests/conformance/promqltest-expect/regen.sh; checked by"
		echo "# tests/conformance/promqltest_versions.sh (make conformance)."
		echo "# cases $((np + nf + ns)) passed $np failed $nf skipped $ns"
		cut -f1-3 "$tmp/out" | sort -t "$(printf '\t')" -k2,2V
	} >"$out_dir/v$v.txt"
	echo "v$v: $summary"
	if [ -n "$report" ]; then
		{
			echo "=== v$v: $summary ($((np + nf)) cases without native histograms)"
			echo "--- failures by category"
			awk -F'\t' '$1 == "fail" { print $3 }' "$tmp/out" | sort | uniq -c | sort -rn
			echo "--- skips by category"
			awk -F'\t' '$1 == "skip" { print $3 }' "$tmp/out" | sort | uniq -c | sort -rn
			echo "--- every failure: id, query, why (grouped by category)"
			awk -F'\t' '$1 == "fail"' "$tmp/out" | sort -t "$(printf '\t')" -k3,3 -k2,2V |
				awk -F'\t' '$3 != last { print "## " $3; last = $3 } { print "  " $2 "  " $4 "\n      " $5 }'
			echo
		} >>"$report"
	fi
done
