#!/usr/bin/env bash
# check healthy / check ready (--compat=2.44 and later) against a real
# Prometheus 2.42 and tests/fake_prom_server.py, all on free ports of
# 127.0.0.1 and stopped by PID.  No promtool 2.44+ is installed: the
# expected bytes are read off cmd/promtool/main.go CheckServerStatus at
# v2.44.0 (= v2.52.0 = v3.11.0 in effect; NoBody and MethodGet change
# nothing on the wire) and v3.13.0 (= v3.14.0: the address is
# serverURL.JoinPath(endpoint), before it serverURL.String()+endpoint), with
# checkErr (cmd/promtool/tsdb.go) printing the error and exit 1:
#   200: Fprintln(os.Stderr, "  SUCCESS: ", body) = "  SUCCESS:  <body>\n"
#   else: "check failed: URL=<--url with http for no scheme>, status=<code>"
#   transport: net/http's url.Error, `Get "<address>": ...`
# and main()'s --http.config.file block (v2.44.0 = v3.14.0).
. "$(dirname "$0")/../lib.sh"
. testdata/query/lib.sh
require_cmd compat_check_server prometheus python3 || exit 0
export TZ=UTC
w=$TMPROOT/checkserver
mkdir -p "$w"
PPID_=
FPID=
trap '[ -n "$PPID_" ] && kill "$PPID_" 2>/dev/null; [ -n "$FPID" ] && kill "$FPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMPROOT"' EXIT

printf 'global:\n  scrape_interval: 15s\n' >"$w/prometheus.yml"
PP=$(q_free_port)
prometheus --config.file="$w/prometheus.yml" --storage.tsdb.path="$w/data" \
	--web.listen-address="127.0.0.1:$PP" >"$w/prom.log" 2>&1 &
PPID_=$!
"$Q_PY" tests/fake_prom_server.py "$w/port" matrix "$w/requests" &
FPID=$!
for _ in $(seq 1 200); do [ -s "$w/port" ] && break; sleep 0.05; done
if ! q_wait "http://127.0.0.1:$PP/-/ready" "$PPID_" || [ ! -s "$w/port" ]; then
	fail compat_check_server_servers "cannot start prometheus and the fake server" "$(tail -n 5 "$w/prom.log")"
	exit 0
fi
P=http://127.0.0.1:$PP
F=http://127.0.0.1:$(<"$w/port")
DEAD=$(q_free_port)

# run V ARGS...: promtool --compat=V ARGS; stdout/stderr in $w/out $w/err, exit in $rc
run() {
	local v=$1
	shift
	rc=0
	"$PROMTOOL" --compat="$v" "$@" >"$w/out" 2>"$w/err" || rc=$?
}
# want NAME RC STDERR: exit code, the whole of stderr (stdout must be empty)
want() {
	if [ "$rc" = "$2" ] && [ "$(cat "$w/err")" = "$3" ] && [ ! -s "$w/out" ]; then
		pass "compat_check_server $1"
	else
		fail "compat_check_server $1" "exit $rc, want $2; stderr is:" "$(head -n 5 "$w/err")" \
			"stdout: $(head -c 200 "$w/out")" "want: $3"
	fi
}
# last_request NAME WANT: the fake server's last logged request line
last_request() {
	expect_eq "compat_check_server $1" "$(tail -n 1 "$w/requests")" "$2"
}

# ---- a real Prometheus 2.42 (web/web.go: "Prometheus Server is Healthy.\n") ----
printf '  SUCCESS:  Prometheus Server is Healthy.\n\n' >"$w/healthy.want"
printf '  SUCCESS:  Prometheus Server is Ready.\n\n' >"$w/ready.want"
for v in 2.44 2.52 3.12 3.13 3.14; do
	run "$v" check healthy --url="$P"
	expect_files_eq "compat_check_server $v healthy: stderr" "$w/err" "$w/healthy.want"
	expect_eq "compat_check_server $v healthy: exit 0, no stdout" "$rc:$(wc -c <"$w/out")" "0:0"
	run "$v" check ready --url="$P/"
	expect_files_eq "compat_check_server $v ready (trailing slash): stderr" "$w/err" "$w/ready.want"
	expect_eq "compat_check_server $v ready: exit 0, no stdout" "$rc:$(wc -c <"$w/out")" "0:0"
done
# the comparison sees a one-byte change
run 3.14 check ready --url="$P"
cmp -s "$w/err" "$w/healthy.want" && fail "compat_check_server comparison sees ready vs healthy" ||
	pass "compat_check_server comparison sees ready vs healthy"
# no scheme: CheckServerStatus sets "http"
run 3.14 check healthy --url="//127.0.0.1:$PP"
want "no scheme means http" 0 "$(cat "$w/healthy.want")"

# ---- a refused port, other schemes ----
run 3.14 check healthy --url="http://127.0.0.1:$DEAD"
want "refused (3.14 healthy)" 1 "Get \"http://127.0.0.1:$DEAD/-/healthy\": dial tcp 127.0.0.1:$DEAD: connect: connection refused"
run 2.44 check ready --url="http://127.0.0.1:$DEAD/prom/"
want "refused (2.44 ready, doubled slash)" 1 "Get \"http://127.0.0.1:$DEAD/prom//-/ready\": dial tcp 127.0.0.1:$DEAD: connect: connection refused"
run 3.13 check ready --url="http://127.0.0.1:$DEAD/prom/"
want "refused (3.13 ready, joined path)" 1 "Get \"http://127.0.0.1:$DEAD/prom/-/ready\": dial tcp 127.0.0.1:$DEAD: connect: connection refused"
run 3.14 check healthy --url="http://u:secret@127.0.0.1:$DEAD"
want "refused: password redacted in the url.Error" 1 "Get \"http://u:***@127.0.0.1:$DEAD/-/healthy\": dial tcp 127.0.0.1:$DEAD: connect: connection refused"
run 3.14 check healthy --url="ftp://127.0.0.1:$DEAD"
want "unsupported scheme" 1 "Get \"ftp://127.0.0.1:$DEAD/-/healthy\": unsupported protocol scheme \"ftp\""

# ---- status other than 200 (the fake server's always503 path answers 503) ----
run 2.44 check healthy --url="$F/always503"
want "503 (2.44)" 1 "check failed: URL=$F/always503, status=503"
last_request "503 (2.44): path asked" "GET /always503/-/healthy  -"
run 3.14 check ready --url="//127.0.0.1:${F##*:}/always503/"
want "503 (3.14, no scheme: URL shows http)" 1 "check failed: URL=$F/always503/, status=503"
last_request "503 (3.14): path asked" "GET /always503/-/ready  -"
run 3.14 check ready --url="http://u:secret@127.0.0.1:${F##*:}/always503"
want "503: the URL keeps its password (url.URL.String)" 1 "check failed: URL=http://u:secret@127.0.0.1:${F##*:}/always503, status=503"
last_request "URL user info is Basic auth" "GET /always503/-/ready  Basic dTpzZWNyZXQ="

# ---- the address per release (a 200 from the fake server: its JSON body) ----
run 3.12 check healthy --url="$F/pfx/"
last_request "3.12: String()+endpoint doubles the slash" "GET /pfx//-/healthy  -"
expect_eq "compat_check_server 3.12: fake body printed" "$rc:$(head -c 21 "$w/err")" '0:  SUCCESS:  {"status"'
run 3.13 check healthy --url="$F/pfx/"
last_request "3.13: JoinPath gives one slash" "GET /pfx/-/healthy  -"
run 2.44 check healthy --url="$F/pfx?a=b"
last_request "2.44: the endpoint lands in the query string" "GET /pfx?a=b/-/healthy  -"
run 3.14 check healthy --url="$F/pfx/../x/?a=b"
last_request "3.14: JoinPath cleans the path and keeps the query" "GET /x/-/healthy?a=b  -"

# ---- --http.config.file (main(), before the command runs) ----
printf 'basic_auth:\n  username: cfg\n  password: pw\n' >"$w/http.yml"
run 3.14 check healthy --http.config.file="$w/http.yml" --url="$F/cfg"
last_request "--http.config.file basic_auth is sent" "GET /cfg/-/healthy  Basic Y2ZnOnB3"
expect_eq "compat_check_server --http.config.file: exit 0" "$rc" "0"
run 2.44 check ready --http.config.file="$w/http.yml" --url="http://u@127.0.0.1:$DEAD"
want "--http.config.file with user info" 1 "promtool: error: Cannot set base auth in the server URL and use a http.config.file at the same time"
printf 'basic_auth: [\n' >"$w/bad.yml"
run 3.14 check ready --http.config.file="$w/bad.yml" --url="$F"
if [ "$rc" = 1 ] && grep -q '^promtool: error: Failed to load HTTP config file: ' "$w/err"; then
	pass "compat_check_server bad --http.config.file"
else
	fail "compat_check_server bad --http.config.file" "exit $rc" "$(head -n 3 "$w/err")"
fi
