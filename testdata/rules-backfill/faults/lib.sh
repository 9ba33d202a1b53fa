# Shared by faults/regen.sh and tests/sh/rules_backfill_faults.sh: the fake
# Prometheus API (tests/fake_prom_server.py) and one run against it.
#
# rbf_start_server DIR: starts the server with its request log in DIR and
# sets RBF_PID, RBF_P (HTTP port), RBF_CS (full accept queue), RBF_SI
# (silent listener).  Callers must trap rbf_stop_server.
# rbf_url TEMPLATE: the template of cases.txt with the ports filled in.
# rbf_run BIN DIR NAME URL ARGS...: one import of rules_faults.yml into
# DIR/out-NAME, leaving DIR/NAME.rc, .err and .req and queueing the summary
# DIR/NAME.sum for rbf_summarize.
# rbf_summarize DIR: writes every queued summary (faults/summarize.py).

RBF_DIR=testdata/rules-backfill/faults
RBF_RULES=testdata/rules-backfill/rules_faults.yml
RBF_ARGS=(--start 1700000000 --end 1700007300)
if [ -x /usr/bin/python3 ]; then RBF_PY=/usr/bin/python3; else RBF_PY=python3; fi

rbf_start_server() {
	local d=$1 i
	rm -f "$d/port" "$d/port.connstall" "$d/port.silent"
	: >"$d/requests"
	FAKE_PROM_HEADER_LOG=$d/headers "$RBF_PY" tests/fake_prom_server.py "$d/port" matrix "$d/requests" &
	RBF_PID=$!
	for i in $(seq 1 200); do
		[ -s "$d/port" ] && break
		sleep 0.05
	done
	[ -s "$d/port" ] || return 1
	RBF_P=$(<"$d/port")
	RBF_CS=$(<"$d/port.connstall")
	RBF_SI=$(<"$d/port.silent")
}

rbf_stop_server() {
	if [ -n "${RBF_PID:-}" ]; then
		kill "$RBF_PID" 2>/dev/null
		wait "$RBF_PID" 2>/dev/null
		RBF_PID=
	fi
}

rbf_url() {
	local u=${1//\{P\}/$RBF_P}
	u=${u//\{CS\}/$RBF_CS}
	printf '%s' "${u//\{SI\}/$RBF_SI}"
}

rbf_run() {
	local bin=$1 d=$2 name=$3 url=$4 rc
	shift 4
	: >"$d/requests"
	: >"$d/headers"
	timeout 300 "$bin" tsdb create-blocks-from rules --url "$url" --output-dir "$d/out-$name" \
		"${RBF_ARGS[@]}" "$@" "$RBF_RULES" >/dev/null 2>"$d/$name.err"
	rc=$?
	echo "$rc" >"$d/$name.rc"
	cp "$d/requests" "$d/$name.req"
	cp "$d/headers" "$d/$name.hdr"
	echo "$rc|$d/$name.err|$d/$name.req|$d/out-$name|$d/$name.sum" >>"$d/jobs"
}

rbf_summarize() {
	[ -s "$1/jobs" ] && "$RBF_PY" "$RBF_DIR/summarize.py" --batch "$1/jobs"
	: >"$1/jobs"
}
