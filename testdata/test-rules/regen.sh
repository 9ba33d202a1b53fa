#!/usr/bin/env bash
# Regenerates expected/ with the REAL promtool 2.42 (`promtool test rules`)
# on every case of cases.txt: upstream's cmd/promtool/testdata test files
# read where the conformance suite keeps them, and our own under cases/.
#
# Each case runs 12 times: where promtool's output depends on Go's map
# order (the order input series are loaded in, say), every variant seen is
# kept as expected/<name>.out, .out.2, ... and ours must equal one of them.
set -eu
cd "$(dirname "$0")"
. ./lib.sh
REAL=${REAL_PROMTOOL:-/usr/bin/promtool}
CONF=${CONFORMANCE_DIR:-$(cd ../../.. && pwd)/shared/conformance}
[ -d "$CONF/promtool-v2.42" ] || { echo "no $CONF/promtool-v2.42 (set CONFORMANCE)" >&2; exit 1; }
CASES=$(pwd)/cases
rm -rf expected
mkdir expected
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' cases.txt | while IFS='|' read -r name kind files; do
	[ -n "$name" ] || continue
	dir=$(tr_dir "$kind" "$CONF" "$CASES")
	rm -f "$tmp"/v.*
	for i in $(seq 1 12); do
		# shellcheck disable=SC2086
		tr_record "$REAL" "$dir" $files >"$tmp/run"
		dup=
		for v in "$tmp"/v.*; do
			[ -e "$v" ] && cmp -s "$v" "$tmp/run" && dup=1
		done
		[ -n "$dup" ] || cp "$tmp/run" "$tmp/v.$(md5sum <"$tmp/run" | cut -c1-16)"
	done
	k=1
	for v in $(ls "$tmp"/v.* | sort); do
		if [ $k = 1 ]; then cp "$v" "expected/$name.out"; else cp "$v" "expected/$name.out.$k"; fi
		k=$((k + 1))
	done
	echo "$name: $((k - 1)) variant(s)"
done
