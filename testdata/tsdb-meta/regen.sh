#!/usr/bin/env bash
# Regenerates golden/ with the REAL promtool 2.42 and Prometheus 2.42: for
# every case of mkcase.py (a copy of ../tsdb-read/fixtures/blocks whose
# newest block has an edited meta.json),
#
#   golden/<case>.<cmd>.txt  stdout of `promtool tsdb <cmd> db`, a line
#                            "--- stderr", its stderr, a line "exit N"
#                            (cmd: list, analyze, dump)
#   golden/<case>.skip       only when 2.42 leaves the block out: why, as a
#                            Prometheus 2.42 started on the same dir logs it
#                            ("Failed to read meta.json for a block during
#                            reloadBlocks. Skipping ... err=..."), or "?"
#                            when the server has no such line (it repairs a
#                            meta.json of version 2 instead of reading it)
#
# promtool itself says nothing about such a block; ours prints
# "skipping block '<dir>': <why>" (tests/sh/tsdb_meta_golden.sh).
set -euo pipefail
cd "$(dirname "$0")"
REAL=${REAL_PROMTOOL:-/usr/bin/promtool}
PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
printf 'global:\n  scrape_interval: 1h\n' >"$tmp/prometheus.yml"
rm -f golden/*
for c in $(./mkcase.py --list); do
	rm -rf "$tmp/db"
	./mkcase.py ../tsdb-read/fixtures/blocks "$tmp/db" "$c"
	for cmd in list analyze dump; do
		rc=0
		(cd "$tmp" && "$REAL" tsdb "$cmd" db >out 2>err) || rc=$?
		{ cat "$tmp/out"; echo "--- stderr"; cat "$tmp/err"; echo "exit $rc"; } >"golden/$c.$cmd.txt"
	done
	if [ "$(grep -c . "golden/$c.list.txt")" -lt 6 ]; then
		# the block is missing from the list: ask a server why
		rm -rf "$tmp/srv"
		./mkcase.py ../tsdb-read/fixtures/blocks "$tmp/srv" "$c"
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		"$PROMETHEUS" --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/srv" \
			--web.listen-address="127.0.0.1:$port" --storage.tsdb.retention.time=100y >"$tmp/log" 2>&1 &
		pid=$!
		for _ in $(seq 1 100); do
			grep -q 'during reloadBlocks\|Server is ready' "$tmp/log" && break
			sleep 0.1
		done
		kill "$pid"
		wait "$pid" 2>/dev/null || true
		pid=
		python3 - "$tmp/log" >"golden/$c.skip" <<'PY'
import re, sys
for line in open(sys.argv[1], encoding="utf-8", errors="surrogateescape"):
    if "during reloadBlocks" in line:
        m = re.search(r' err=("(?:[^"\\]|\\.)*"|\S+)', line)
        v = m.group(1)
        if v.startswith('"'):
            v = v[1:-1].encode("utf-8", "surrogateescape").decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")
        print(v)
        break
else:
    print("?")
PY
	fi
	echo "regenerated $c"
done
