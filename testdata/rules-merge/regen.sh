#!/usr/bin/env bash
# Regenerates expected/*.out: for every case of cases.txt, the REAL
# promtool 2.42 writes its per-rule blocks (querying a real Prometheus 2.42
# serving the source TSDB of testdata/rules-backfill/lib.sh), then a second
# real Prometheus 2.42 started on those blocks with 2h block ranges merges
# each window's overlapping blocks (compact.py says how it is made to do so
# at once).  The summary keeps promtool's exit code, stdout and stderr, and
# the compacted blocks with meta.json's "compaction" section cut out.
# Needs /usr/bin/promtool, /usr/bin/prometheus, python3; run from anywhere.
set -u
cd "$(dirname "$0")/../.."
. testdata/rules-backfill/lib.sh
export TZ=UTC RB_NO_COMPACTION=1
M=testdata/rules-merge
W=$(mktemp -d)
trap 'rb_stop_server; rm -rf "$W"' EXIT
rb_start_server "$W" || { echo "cannot start prometheus" >&2; exit 1; }
mkdir -p "$M/expected"
rm -f "$M"/expected/*.out
grep -v '^#' "$M/cases.txt" | while IFS='|' read -r name args; do
	[ -n "$name" ] || continue
	out="$W/out-$name"
	# shellcheck disable=SC2086
	promtool tsdb create-blocks-from rules --url "http://127.0.0.1:$RB_PORT" --output-dir "$out" $args \
		2>"$W/stderr" >"$W/stdout"
	rc=$?
	n=$(ls "$out" | wc -l)
	"$RB_PY" "$M/compact.py" /usr/bin/prometheus "$out" || { echo "compaction of $name failed" >&2; exit 1; }
	rm -f "$W/out-$name.prometheus.yml" "$W/out-$name.prometheus.log"
	rb_summary "$rc" "$W/stdout" "$W/stderr" "$out" >"$M/expected/$name.out"
	echo "regenerated $name (rc=$rc, $n per-rule blocks, $(ls "$out" | wc -l) compacted)"
done
