# Shared by regen.sh and tests/sh/rules_backfill_golden.sh: the source
# TSDB, a Prometheus 2.42 serving it on 127.0.0.1, and how block
# directories and logs are reduced to comparable text.
#
# rb_start_server WORKDIR: creates WORKDIR/src (OpenMetrics from gen_om.py,
# blocks via the real promtool), starts prometheus on a free port and sets
# RB_PORT and RB_PID.  Callers must trap rb_stop_server.  RB_PROM_ARGS and
# RB_PROM_FLAGS add server flags (word-split).

RB_DIR=testdata/rules-backfill
# The system interpreter: version-manager shims (pyenv) cost seconds per start.
if [ -x /usr/bin/python3 ]; then RB_PY=/usr/bin/python3; else RB_PY=python3; fi

rb_free_port() {
	"$RB_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

rb_start_server() {
	local w=$1 i
	"$RB_PY" "$RB_DIR/gen_om.py" 1700000000 8 15 2 2 >"$w/src.om" || return 1
	"${RB_REAL_PROMTOOL:-promtool}" tsdb create-blocks-from openmetrics "$w/src.om" "$w/src" >/dev/null || return 1
	printf 'global:\n  scrape_interval: 15s\n' >"$w/prometheus.yml"
	RB_PORT=$(rb_free_port)
	# shellcheck disable=SC2086 # RB_PROM_FLAGS: extra flags, word-split
	prometheus --config.file="$w/prometheus.yml" --storage.tsdb.path="$w/src" \
		--web.listen-address="127.0.0.1:$RB_PORT" --storage.tsdb.retention.time=100y ${RB_PROM_ARGS:-} ${RB_PROM_FLAGS:-} \
		>"$w/prometheus.log" 2>&1 &
	RB_PID=$!
	# Bounded wait for readiness (at most ~60s); the caller's trap stops it.
	"$RB_PY" - "$RB_PORT" "$RB_PID" <<'PY'
import os, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
for _ in range(600):
    try:
        urllib.request.urlopen("http://127.0.0.1:%s/-/ready" % port, timeout=1)
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

rb_stop_server() {
	if [ -n "${RB_PID:-}" ]; then
		kill "$RB_PID" 2>/dev/null
		wait "$RB_PID" 2>/dev/null
		RB_PID=
	fi
}

# rb_summary RC STDOUT STDERR OUTDIR: see summarize.py.
rb_summary() {
	"$RB_PY" "$RB_DIR/summarize.py" "$@"
}
