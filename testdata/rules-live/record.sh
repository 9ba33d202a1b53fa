#!/usr/bin/env bash
# Records data/ and meta.txt: a real Prometheus 2.42 on 127.0.0.1 (a free
# port) scraping itself and Debian's prometheus-node-exporter (a few
# collectors, another free port) with rules.yml loaded, for RECORD_SECONDS
# (300); both stopped by their PIDs.  The server is given "rules.yml" as
# the rule file (the config sits next to it), so its groups hash that path,
# as the backfill of the test must.  Keep the result small: it is
# committed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
real=${REAL_PROMETHEUS:-/usr/bin/prometheus}
secs=${RECORD_SECONDS:-300}
node=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
work=$(mktemp -d)
pid= npid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$npid" ] && kill "$npid" 2>/dev/null; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
port=$(free_port)
nport=$(free_port)
cp "$here/rules.yml" "$work/rules.yml"
cat >"$work/prometheus.yml" <<CFG
global:
  scrape_interval: 5s
  evaluation_interval: 15s
rule_files:
  - rules.yml
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["127.0.0.1:$port"]
  - job_name: node
    static_configs:
      - targets: ["127.0.0.1:$nport"]
CFG
cd "$work"
"$node" --web.listen-address="127.0.0.1:$nport" --collector.disable-defaults --collector.cpu \
	--collector.loadavg --collector.meminfo --collector.netdev >"$work/node.log" 2>&1 &
npid=$!
start=$(date +%s)
"$real" --config.file=prometheus.yml --storage.tsdb.path="$work/data" \
	--web.listen-address="127.0.0.1:$port" --web.external-url="http://127.0.0.1:$port/" \
	--log.level=warn >"$work/server.log" 2>&1 &
pid=$!
sleep "$secs"
kill -TERM "$pid"
wait "$pid" || true
pid=
kill -TERM "$npid"
wait "$npid" || true
npid=
end=$(date +%s)
rm -rf "$here/data"
mkdir -p "$here/data"
cp -r "$work/data/wal" "$here/data/"
# the head's memory-mapped chunks, when the run was long enough to cut any
if [ -n "$(ls "$work/data/chunks_head" 2>/dev/null)" ]; then cp -r "$work/data/chunks_head" "$here/data/"; fi
printf 'start=%s\nend=%s\nport=%s\nnode_port=%s\nevaluation_interval=15s\n' "$start" "$end" "$port" "$nport" \
	>"$here/meta.txt"
echo "recorded $(du -sh "$here/data" | cut -f1) into $here/data ($start..$end, port $port)"
grep -v 'level=info' "$work/server.log" | head -20 >&2 || true
