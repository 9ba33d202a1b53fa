#!/usr/bin/env bash
# The production flags of the rules backfill on the 24h seed-rule backfill
# (the seed rules -- p95 latency by route and tenant, average latency by
# route, group interval 15s -- over BENCH_RP_HOURS hours, default 24, of
# 200 request histograms, 20 routes x 10 tenants, 60s scrapes) from one real
# Prometheus 2.42:
#
#   per-rule (2.42's output) vs --merge-blocks: blocks, bytes, wall
#   --concurrency=2 vs 1 against the server (N queries in flight), and with
#   --source-dir (N evaluation threads): wall, cpu
#
# Each pair must write the same data: merged and per-rule the same samples
# (`tsdb dump`), concurrency 1 and 2 the very same blocks.  Wall times are
# as measured on a shared machine; read them as indications.
set -euo pipefail
cd "$(dirname "$0")/.."
. testdata/rules-backfill/lib.sh
export TZ=UTC
HOURS=${BENCH_RP_HOURS:-24}
REAL=${REAL_PROMTOOL:-$(command -v promtool || true)}
if [ -z "$REAL" ] || ! command -v prometheus >/dev/null || [ ! -x /usr/bin/time ]; then
	echo "bench_rules_production: SKIP (needs promtool, prometheus and /usr/bin/time)"
	exit 0
fi
W=$(mktemp -d)
RB_PID=
trap 'rb_stop_server; rm -rf "$W"' EXIT

"$RB_PY" "$RB_DIR/gen_om.py" 1700000000 "$HOURS" 60 20 10 >"$W/src.om"
"$REAL" tsdb create-blocks-from openmetrics "$W/src.om" "$W/src" >/dev/null
rm -f "$W/src.om"
cp -r "$W/src" "$W/src-local"
printf 'global:\n  scrape_interval: 15s\n' >"$W/prometheus.yml"
RB_PORT=$(rb_free_port)
prometheus --config.file="$W/prometheus.yml" --storage.tsdb.path="$W/src" \
	--web.listen-address="127.0.0.1:$RB_PORT" --storage.tsdb.retention.time=100y >"$W/prometheus.log" 2>&1 &
RB_PID=$!
for _ in $(seq 1 600); do
	curl -sf "http://127.0.0.1:$RB_PORT/-/ready" >/dev/null 2>&1 && break
	sleep 0.1
done
end=$((1700000000 + HOURS * 3600))
URL=(--url "http://127.0.0.1:$RB_PORT")
LOCAL=(--source-dir "$W/src-local")

run() { # tag flags...
	local tag=$1
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$W/$tag.time" bin/promtool tsdb create-blocks-from rules "$@" \
		--start 1700000600 --end "$end" --output-dir "$W/out-$tag" "$RB_DIR/rules_seed.yml" \
		2>"$W/$tag.err" >/dev/null || {
		echo "bench_rules_production: $tag failed:" >&2
		tail -n 5 "$W/$tag.err" >&2
		exit 1
	}
}
row() { # label tag
	local wall user sys rss
	read -r wall user sys rss <"$W/$2.time"
	awk -v l="$1" -v b="$(find "$W/out-$2" -mindepth 1 -maxdepth 1 -type d | wc -l)" \
		-v s="$(du -sb "$W/out-$2" | cut -f1)" -v w="$wall" -v c="$user + $sys" -v u="$user" -v y="$sys" \
		-v r="$rss" 'BEGIN {
		printf "  %-38s blocks %4d  bytes %10d  wall %6.2fs  cpu %6.2fs  rss %5.1f MiB\n", l, b, s, w, u + y, r / 1024
	}'
}
same_blocks() { # tag tag
	"$RB_PY" "$RB_DIR/summarize.py" 0 /dev/null /dev/null "$W/out-$1" >"$W/$1.sum"
	"$RB_PY" "$RB_DIR/summarize.py" 0 /dev/null /dev/null "$W/out-$2" >"$W/$2.sum"
	cmp -s "$W/$1.sum" "$W/$2.sum"
}
dump() { # tag: the samples, as the real promtool reads them (on a copy: 2.42's dump needs and writes wal/)
	cp -r "$W/out-$1" "$W/dump-$1" && mkdir -p "$W/dump-$1/wal"
	"$REAL" tsdb dump "$W/dump-$1" | sort | sha256sum | cut -c1-16
}

run warm "${URL[@]}" # the server's page cache and query path, untimed
run url_c1 "${URL[@]}" # per-rule blocks, one query at a time: 2.42's output
run merged "${URL[@]}" --merge-blocks
run url_c2 "${URL[@]}" --concurrency=2
rb_stop_server
run dir_c1 "${LOCAL[@]}" --concurrency=1
run dir_c2 "${LOCAL[@]}" --concurrency=2

echo "rules backfill, production flags (${HOURS}h, 200 histograms, 2 seed rules @15s, real Prometheus 2.42):"
row "per-rule blocks (2.42's output)" url_c1
row "--merge-blocks" merged
if [ "$(dump url_c1)" = "$(dump merged)" ]; then echo "  merged: the same samples"; else
	echo "  merged: samples DIFFER"
	exit 1
fi
row "--url, --concurrency=1 (as above)" url_c1
row "--url, --concurrency=2" url_c2
row "--source-dir, --concurrency=1" dir_c1
row "--source-dir, --concurrency=2" dir_c2
for src in url dir; do
	if same_blocks "${src}_c1" "${src}_c2"; then echo "  $src: --concurrency=2 wrote the same blocks as 1"; else
		echo "  $src: --concurrency=2 blocks DIFFER"
		exit 1
	fi
done
awk -v a="$(cut -d' ' -f1 "$W/url_c1.time")" -v b="$(cut -d' ' -f1 "$W/url_c2.time")" \
	-v c="$(cut -d' ' -f1 "$W/dir_c1.time")" -v d="$(cut -d' ' -f1 "$W/dir_c2.time")" 'BEGIN {
	printf "  speed-up of --concurrency=2: --url %.2fx, --source-dir %.2fx (2 cores, shared)\n", a / b, c / d
}'
