# Shared by testdata/query/regen.sh and tests/sh/query_golden.sh: the
# fixture TSDB, the servers the cases talk to, and how a case is run.
#
# q_start W: builds W/data from gen_om.py's OpenMetrics with the real
# promtool (the data dir the --source-dir cases read; never served), then
# starts on 127.0.0.1, each on a free port,
#   QP  Prometheus 2.42 over a copy of it (W/srv)
#   QM  Prometheus 2.42 over another copy with --query.max-samples=5, for
#       execution errors (422)
#   QF  testdata/query/fake_api.py, for what no Prometheus answers on
#       demand (5xx, 405/501 fallback, warnings, echoing the request)
# and waits until all answer.  Callers must trap q_stop.  Variables QP, QM
# and QF hold "http://127.0.0.1:<port>"; QD holds W/data.
#
# q_run_cases PROMTOOL CASES [source-dir]: prints, for every case, its name,
# stdout, stderr and exit code in one stream (the golden format).  With
# "source-dir", only cases flagged L run, each with the $QP word replaced
# by --source-dir=$QD.
Q_DIR=testdata/query
Q_START=1700000000
if [ -x /usr/bin/python3 ]; then Q_PY=/usr/bin/python3; else Q_PY=python3; fi
Q_PIDS=

q_free_port() {
	"$Q_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# q_wait URL PID: bounded wait (~60s) until URL answers, while PID lives.
q_wait() {
	"$Q_PY" - "$1" "$2" <<'PY'
import os, sys, time, urllib.request, urllib.error
url, pid = sys.argv[1], int(sys.argv[2])
direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
for _ in range(600):
    try:
        direct.open(url, timeout=1)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except Exception:
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)
    time.sleep(0.1)
sys.exit(1)
PY
}

# q_prometheus W NAME [FLAGS...]: starts Prometheus on a copy W/NAME of
# W/data; sets Q_PORT and Q_PID.
q_prometheus() {
	local w=$1 name=$2
	shift 2
	cp -r "$w/data" "$w/$name" || return 1
	Q_PORT=$(q_free_port)
	prometheus --config.file="$w/prometheus.yml" --storage.tsdb.path="$w/$name" \
		--web.listen-address="127.0.0.1:$Q_PORT" --storage.tsdb.retention.time=100y "$@" \
		>"$w/$name.log" 2>&1 &
	Q_PID=$!
	Q_PIDS="$Q_PIDS $Q_PID"
}

q_start() {
	local w=$1 ppid mpid fpid
	QD=$w/data
	"$Q_PY" "$Q_DIR/gen_om.py" "$Q_START" >"$w/fixture.om" || return 1
	"${Q_REAL_PROMTOOL:-promtool}" tsdb create-blocks-from openmetrics "$w/fixture.om" "$QD" >/dev/null || return 1
	printf 'global:\n  scrape_interval: 15s\n' >"$w/prometheus.yml"
	q_prometheus "$w" srv || return 1
	QP=http://127.0.0.1:$Q_PORT
	ppid=$Q_PID
	q_prometheus "$w" srv2 --query.max-samples=5 || return 1
	QM=http://127.0.0.1:$Q_PORT
	mpid=$Q_PID
	"$Q_PY" "$Q_DIR/fake_api.py" "$w/fake.port" >"$w/fake.log" 2>&1 &
	fpid=$!
	Q_PIDS="$Q_PIDS $fpid"
	q_wait "$QP/-/ready" "$ppid" && q_wait "$QM/-/ready" "$mpid" || return 1
	for _ in $(seq 100); do [ -s "$w/fake.port" ] && break; sleep 0.1; done
	[ -s "$w/fake.port" ] || return 1
	QF=http://127.0.0.1:$(cat "$w/fake.port")
	q_wait "$QF/" "$fpid"
}

q_stop() {
	local pid
	for pid in $Q_PIDS; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	Q_PIDS=
}

q_run_cases() {
	local bin=$1 cases=$2 mode=${3:-} name flags args tmp rc
	tmp=$(mktemp -d)
	mkdir "$tmp/bin"
	ln -s "$(command -v "$bin" || echo "$bin")" "$tmp/bin/promtool"
	while IFS='|' read -r name flags args; do
		case $name in '' | '#'*) continue ;; esac
		if [ "$mode" = source-dir ]; then
			case $flags in *L*) ;; *) continue ;; esac
			args=${args//\$QP/--source-dir=\$QD}
		fi
		eval "set -- $args"
		env -u COLUMNS TZ=UTC "$tmp/bin/promtool" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
		rc=$?
		printf '### %s\n--- stdout\n' "$name"
		cat "$tmp/out"
		printf -- '--- stderr\n'
		cat "$tmp/err"
		printf -- '--- exit %d\n' "$rc"
	done <"$cases"
	rm -rf "$tmp"
}
