#!/usr/bin/env bash
# Regenerates the tsdb reader goldens with the REAL promtool 2.42
# (/usr/bin/promtool) and, with --fixtures, the fixtures themselves:
#
#   fixtures/blocks   promtool tsdb create-blocks-from openmetrics inputs/small.om
#   fixtures/overlap  two imports (inputs/ov_a.om, ov_b.om) into one dir:
#                     overlapping blocks with clashing timestamps
#   fixtures/wal      a real Prometheus 2.42 data dir: one ~130 s run scraping
#                     itself every second (head chunks get m-mapped into
#                     chunks_head/ after 120 samples), a 5 s restart (a second
#                     WAL segment), then segment 0 moved to checkpoint.00000000
#                     so that the checkpoint path is exercised
#   fixtures/walcraft craft_wal.py: WAL replay corner cases (duplicate series
#                     records, out-of-order and duplicate samples, unknown
#                     refs, tombstones, a record spanning pages)
#   fixtures/headchunks  crafted once by tests/unit/test_tsdb_reader.c
#                     (test_head_replay): an m-mapped chunk in chunks_head/
#                     plus WAL samples overlapping it; kept, not regenerated
#
# Real promtool writes into the dirs it reads (wal/, chunks_head/) and
# needs wal/ to exist, so it runs on temporary copies with an empty wal/
# added; our promtool runs on the fixtures as committed.
#
# Goldens: golden/<fixture>.<case>.txt hold stdout, then a line "exit N".
# ULIDs stay as they are: the fixtures are committed with their blocks.
set -euo pipefail
cd "$(dirname "$0")"
REAL=${REAL_PROMTOOL:-/usr/bin/promtool}
PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
CONF=${CONFORMANCE_DIR:-../../../shared/conformance}
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

run_prometheus() { # dir seconds
	local port; port=$(free_port)
	cat >"$tmp/prom.yml" <<EOC
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:$port']
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: 'go_(goroutines|threads|gc_duration_seconds.*|memstats_(alloc|heap_inuse)_bytes)|up|scrape_.*|prometheus_tsdb_head_(series|chunks|samples_appended_total)'
        action: keep
EOC
	"$PROMETHEUS" --config.file="$tmp/prom.yml" --storage.tsdb.path="$1" \
		--web.listen-address="127.0.0.1:$port" >"$tmp/prom.log" 2>&1 &
	pid=$!
	sleep "$2"
	kill -TERM "$pid"
	wait "$pid" || true
	pid=
}

if [ "${1:-}" = "--fixtures" ]; then
	rm -rf fixtures/blocks fixtures/overlap fixtures/wal fixtures/walcraft
	mkdir -p fixtures
	python3 craft_wal.py fixtures/walcraft
	"$REAL" tsdb create-blocks-from openmetrics inputs/small.om fixtures/blocks >/dev/null
	"$REAL" tsdb create-blocks-from openmetrics inputs/ov_a.om fixtures/overlap >/dev/null
	"$REAL" tsdb create-blocks-from openmetrics inputs/ov_b.om fixtures/overlap >/dev/null
	run_prometheus fixtures/wal 130
	run_prometheus fixtures/wal 5
	mkdir fixtures/wal/wal/checkpoint.00000000
	mv fixtures/wal/wal/00000000 fixtures/wal/wal/checkpoint.00000000/00000000
	rm -f fixtures/wal/lock fixtures/wal/queries.active
fi

# The v1 index block, in a db dir of its own.
mkdir -p "$tmp/src/v1"
cp -r "$CONF/tsdb-v2.42/index_format_v1" "$tmp/src/v1/01DXXFZDYD1MQW6079WK0K6EDQ"
chmod -R u+w "$tmp/src/v1"

rm -rf golden && mkdir golden
golden() { # fixture-dir name args... ("@DB@" stands for the db path)
	local src=$1 name=$2; shift 2
	local d="$tmp/run/$name" args=() a rc=0
	rm -rf "$d" && mkdir -p "$d"
	cp -r "$src" "$d/db"
	mkdir -p "$d/db/wal"
	for a in "$@"; do args+=("${a//@DB@/db}"); done
	(cd "$d" && "$REAL" "${args[@]}") >"golden/$name.txt" 2>"$tmp/err" || rc=$?
	echo "exit $rc" >>"golden/$name.txt"
}
case_set() { # fixture fixture-dir
	local f=$1 src=$2
	golden "$src" "$f.list" tsdb list @DB@
	golden "$src" "$f.list-r" tsdb list -r @DB@
	golden "$src" "$f.analyze" tsdb analyze @DB@
	golden "$src" "$f.analyze-all" tsdb analyze --limit=100000 @DB@
	golden "$src" "$f.analyze-ext" tsdb analyze --extended --limit=3 @DB@
	golden "$src" "$f.dump" tsdb dump @DB@
}
case_set blocks fixtures/blocks
case_set overlap fixtures/overlap
case_set v1 "$tmp/src/v1"
golden fixtures/blocks blocks.dump-range tsdb dump --min-time=1600003600000 --max-time=1600007200000 @DB@
golden fixtures/blocks blocks.dump-match tsdb dump '--match={__name__=~"temp.*|up",room!~"k.*"}' @DB@
golden fixtures/blocks blocks.dump-match-eq tsdb dump '--match=http_requests_total{code="404"}' @DB@
golden fixtures/overlap overlap.dump-range tsdb dump --min-time=1600001790000 --max-time=1600001900000 @DB@
golden fixtures/wal wal.dump tsdb dump @DB@
golden fixtures/wal wal.dump-unsorted tsdb dump --min-time=0 @DB@
golden fixtures/wal wal.dump-match tsdb dump '--match={job="prometheus",__name__=~"go_.*"}' --max-time=9000000000000 @DB@
golden fixtures/wal wal.list tsdb list @DB@
golden fixtures/walcraft walcraft.dump tsdb dump @DB@
golden fixtures/walcraft walcraft.dump-unsorted tsdb dump --min-time=0 @DB@
golden fixtures/headchunks headchunks.dump tsdb dump @DB@
golden fixtures/headchunks headchunks.dump-range tsdb dump --min-time=1 --max-time=9 @DB@
# blocks plus a head: the Prometheus WAL (after the blocks in time) and the
# crafted segment (before them, so dropped by minValidTime, and reusing
# series refs for other labels), composed the same way by the test
mkdir -p "$tmp/src/mixed/wal"
cp -r fixtures/blocks/* "$tmp/src/mixed/"
cp -r fixtures/wal/wal/* "$tmp/src/mixed/wal/"
cp fixtures/walcraft/wal/00000000 "$tmp/src/mixed/wal/00000002"
golden "$tmp/src/mixed" mixed.dump tsdb dump '--match={__name__=~"up|go_goroutines|temp_celsius"}' @DB@
golden "$tmp/src/mixed" mixed.dump-range tsdb dump --min-time=1600010000000 --max-time=1700000000000 @DB@
golden "$tmp/src/mixed" mixed.list tsdb list @DB@

# analyze of a specific (not the last) block
first=$(ls fixtures/blocks | head -n 1)
golden fixtures/blocks blocks.analyze-id tsdb analyze --limit=100000 @DB@ "$first"

# Error cases: stdout, then stderr, then the exit code.  "nodb" runs where
# no db exists; "empty" where db is an empty directory.
golden_err() { # blocks|empty|nodb name args...
	local kind=$1 name=$2; shift 2
	local d="$tmp/run/$name" args=() a rc=0
	rm -rf "$d" && mkdir -p "$d"
	case $kind in
	blocks) cp -r fixtures/blocks "$d/db" && mkdir -p "$d/db/wal" ;;
	empty) mkdir -p "$d/db/wal" ;;
	badmeta) # the last block's meta.json unreadable: 2.42 skips the block
		cp -r fixtures/blocks "$d/db" && mkdir -p "$d/db/wal"
		echo "{ nope" >"$d/db/$(ls fixtures/blocks | tail -n 1)/meta.json" ;;
	esac
	for a in "$@"; do args+=("${a//@DB@/db}"); done
	(cd "$d" && "$REAL" "${args[@]}") >"golden/$name.txt" 2>"$tmp/err" || rc=$?
	cat "$tmp/err" >>"golden/$name.txt"
	echo "exit $rc" >>"golden/$name.txt"
}
golden_err nodb err.list-nodir tsdb list @DB@
golden_err nodb err.analyze-nodir tsdb analyze @DB@
golden_err nodb err.dump-nodir tsdb dump @DB@
golden_err blocks err.analyze-badid tsdb analyze @DB@ 01ARZ3NDEKTSV4RRFFQ69G5FAV
golden_err empty err.analyze-empty tsdb analyze @DB@
golden_err empty err.list-empty tsdb list @DB@
golden_err blocks err.dump-match-eof tsdb dump '--match={a=' @DB@
golden_err blocks err.dump-match-regexp tsdb dump '--match={a=~"("}' @DB@
golden_err blocks err.dump-match-ident tsdb dump '--match=a b' @DB@
golden_err blocks err.dump-match-empty tsdb dump '--match={}' @DB@
golden_err badmeta err.list-badmeta tsdb list @DB@
golden_err badmeta err.analyze-badmeta tsdb analyze --limit=100000 @DB@
golden_err badmeta err.dump-badmeta tsdb dump @DB@
