#!/usr/bin/env bash
# Regenerates faults/expected/*.out with the REAL promtool 2.42 against
# tests/fake_prom_server.py, one run per line of faults/cases.txt (the
# "ours only" column is not passed: promtool 2.42 has no such flags).  Takes
# a few minutes: 2.42 waits 30 s for each stalled dial and 10 s for each
# stalled TLS handshake.  Needs /usr/bin/promtool and python3.
set -u
cd "$(dirname "$0")/../../.."
. testdata/rules-backfill/faults/lib.sh
export TZ=UTC
real=${REAL_PROMTOOL:-/usr/bin/promtool}
"$real" --version 2>&1 | head -n1 | grep -q 'version 2\.42\.' || { echo "need promtool 2.42" >&2; exit 1; }
W=$(mktemp -d)
trap 'rbf_stop_server; rm -rf "$W"' EXIT
rbf_start_server "$W" || { echo "fake server did not start" >&2; exit 1; }
mkdir -p "$RBF_DIR/expected"
rm -f "$RBF_DIR"/expected/*.out
: >"$W/jobs"
while IFS='|' read -r name url args _; do
	case $name in '' | '#'*) continue ;; esac
	# shellcheck disable=SC2086
	rbf_run "$real" "$W" "$name" "$(rbf_url "$url")" $args
	echo "ran $name (rc=$(<"$W/$name.rc"))"
done <"$RBF_DIR/cases.txt"
rbf_summarize "$W"
for f in "$W"/*.sum; do
	cp "$f" "$RBF_DIR/expected/$(basename "$f" .sum).out"
done
echo "wrote $(ls "$RBF_DIR"/expected/*.out | wc -l) goldens"
