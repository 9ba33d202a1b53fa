#!/usr/bin/env bash
# tsdb create-blocks-from rules against a fake Prometheus API
# (tests/fake_prom_server.py): API errors, bad status codes, malformed,
# truncated or empty bodies, warnings, the GET fallback, redirects, a
# refused connection and a server that never answers; then the goldens of
# testdata/rules-backfill/faults (gzip edge cases, stalls, --url forms) and
# our extensions (retries, timeouts, headers, size caps): see
# tests/sh/rules_backfill_faults_more.sh.
#
# Each case runs ours and, when installed, the real promtool 2.42 against
# the same server: exit code, stderr, the requests sent (method, path,
# form, Authorization) and the blocks written must be identical.  Without
# the real promtool the checks that stand alone still run: the exit code,
# and that a failing window leaves no block behind.
. "$(dirname "$0")/../lib.sh"
. testdata/rules-backfill/lib.sh
export TZ=UTC
require_cmd rules_backfill_faults python3 || exit 0
SPID=
RBF_PID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; [ -n "$RBF_PID" ] && kill "$RBF_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMPROOT"' EXIT
"$RB_PY" tests/fake_prom_server.py "$TMPROOT/port" matrix "$TMPROOT/requests" &
SPID=$!
for _ in $(seq 1 200); do
	[ -s "$TMPROOT/port" ] && break
	sleep 0.05
done
if [ ! -s "$TMPROOT/port" ]; then
	fail rules_backfill_faults_server "fake server did not start"
	exit 0
fi
BASE="http://127.0.0.1:$(<"$TMPROOT/port")"
RULES=testdata/rules-backfill/rules_faults.yml
ARGS=(--start 1700000000 --end 1700007300)
: >"$TMPROOT/jobs"

# run BIN TAG URL [extra args...]: runs one import; leaves $TMPROOT/TAG.rc,
# .err, .req and queues the summary of its output for summarize.py.
run() {
	local bin=$1 tag=$2 url=$3 rc
	shift 3
	: >"$TMPROOT/requests"
	timeout 10 "$bin" tsdb create-blocks-from rules --url "$url" --output-dir "$TMPROOT/out-$tag" \
		"${ARGS[@]}" "$@" $RULES >/dev/null 2>"$TMPROOT/$tag.err"
	rc=$?
	echo "$rc" >"$TMPROOT/$tag.rc"
	mv "$TMPROOT/requests" "$TMPROOT/$tag.req"
	echo "$rc|/dev/null|$TMPROOT/$tag.err|$TMPROOT/out-$tag|$TMPROOT/$tag.sum" >>"$TMPROOT/jobs"
}

#  mode            expected exit  blocks expected
CASES="
matrix 0 yes
empty 0 no
warnings 0 yes
get405 0 yes
get501 0 yes
vector 1 no
scalar 1 no
string 1 no
error500 1 no
error503 1 no
baddata400 1 no
exec422 1 no
inconsistent400 1 no
status404 1 no
status204 1 no
redirect302 1 no
malformed 1 no
notjson 1 no
emptybody 1 no
truncjson 1 no
badvalue 1 no
nodata 1 no
truncated 1 no
closenothing 1 no
envtrunc 1 no
envnocolon 1 no
envnoclose 1 no
envbadkey 1 no
envwarnings 1 no
envskipbad 1 no
"
while read -r mode _ _; do
	[ -n "$mode" ] || continue
	# the server picks the mode from the first path segment
	run "$PROMTOOL" "$mode-ours" "$BASE/$mode"
	[ -n "$REAL_PROMTOOL" ] && run "$REAL_PROMTOOL" "$mode-real" "$BASE/$mode"
done <<<"$CASES"

# --url with a path prefix, its own query parameters and credentials.
UURL="http://us%40er:p%3Ass@${BASE#http://}/prom/?tenant=a&query=zzz"
run "$PROMTOOL" url-ours "$UURL"
[ -n "$REAL_PROMTOOL" ] && run "$REAL_PROMTOOL" url-real "$UURL"

# Nothing listening: Go's dial error, once per rule; no password shown.
FREE=$(rb_free_port)
run "$PROMTOOL" refused-ours "http://us:secret@127.0.0.1:$FREE"
[ -n "$REAL_PROMTOOL" ] && run "$REAL_PROMTOOL" refused-real "http://us:secret@127.0.0.1:$FREE"

# A name that does not resolve (.invalid never does): Go's resolver error,
# which names the first nameserver of /etc/resolv.conf.
run "$PROMTOOL" nxdomain-ours "http://nosuch.invalid:9090"
[ -n "$REAL_PROMTOOL" ] && run "$REAL_PROMTOOL" nxdomain-real "http://nosuch.invalid:9090"

# --http.config.file (promtool 2.43): credentials go into Authorization,
# relative files resolve against the config's directory.
mkdir -p "$TMPROOT/cfg"
printf 'authorization:\n  type: Token\n  credentials_file: tok\n' >"$TMPROOT/cfg/http.yml"
printf 's3cret\n' >"$TMPROOT/cfg/tok"
printf 'bearer_token: a\nbearer_token_file: b\n' >"$TMPROOT/cfg/bad.yml"
run "$PROMTOOL" httpcfg-ours "$BASE/matrix" --http.config.file "$TMPROOT/cfg/http.yml"
run "$PROMTOOL" httpcfg-userinfo "http://u:p@127.0.0.1:1" --http.config.file "$TMPROOT/cfg/http.yml"
run "$PROMTOOL" httpcfg-bad "http://127.0.0.1:1" --http.config.file "$TMPROOT/cfg/bad.yml"

"$RB_PY" "$RB_DIR/summarize.py" --batch "$TMPROOT/jobs"

compare() { # name tag-prefix
	require_cmd "$1_vs_real" "$REAL_PROMTOOL" || return 0
	expect_files_eq "$1_vs_real" "$TMPROOT/$2-ours.sum" "$TMPROOT/$2-real.sum"
	expect_files_eq "$1_requests_vs_real" "$TMPROOT/$2-ours.req" "$TMPROOT/$2-real.req"
}

while read -r mode want_rc want_blocks; do
	[ -n "$mode" ] || continue
	expect_eq "rules_backfill_fault_${mode}_exit" "$(<"$TMPROOT/$mode-ours.rc")" "$want_rc"
	nblocks=$(find "$TMPROOT/out-$mode-ours" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)
	if [ "$want_blocks" = no ]; then
		expect_eq "rules_backfill_fault_${mode}_no_blocks" "$nblocks" 0
	else
		expect_eq "rules_backfill_fault_${mode}_blocks" "$([ "$nblocks" -gt 0 ] && echo some)" some
	fi
	compare "rules_backfill_fault_$mode" "$mode"
done <<<"$CASES"

# The form promtool posts, byte for byte (sorted keys, Go's float and
# query escaping, the group's evaluation offset), and the GET fallback.
expect_eq rules_backfill_request_form "$(head -n 2 "$TMPROOT/get405-ours.req")" \
"POST /get405/api/v1/query_range end=1700006399&query=sum+by+%28job%29+%28rate%28x%7Ba%3D%22b+c%22%7D%5B5m%5D%29%29&start=1700000036.7516582&step=60 -
GET /get405/api/v1/query_range?end=1700006399&query=sum+by+%28job%29+%28rate%28x%7Ba%3D%22b+c%22%7D%5B5m%5D%29%29&start=1700000036.7516582&step=60  -"

expect_eq rules_backfill_url_userinfo_auth "$(head -n 1 "$TMPROOT/url-ours.req" | awk '{print $1, $2, $(NF-1), $NF}')" \
	"POST /prom/api/v1/query_range?tenant=a&query=zzz Basic $(printf 'us@er:p:ss' | base64)"
compare rules_backfill_url_prefix url

expect_eq rules_backfill_nxdomain_exit "$(<"$TMPROOT/nxdomain-ours.rc")" 1
if grep -q "no such host" "$TMPROOT/nxdomain-real.err" 2>/dev/null; then
	compare rules_backfill_nxdomain nxdomain
else # no DNS answer on this machine: the texts are the resolver's, not ours to match
	expect_eq rules_backfill_nxdomain_names_host "$(grep -c 'lookup nosuch.invalid' "$TMPROOT/nxdomain-ours.err")" 1
fi
expect_eq rules_backfill_conn_refused_exit "$(<"$TMPROOT/refused-ours.rc")" 1
compare rules_backfill_conn_refused refused
if grep -q secret "$TMPROOT/refused-ours.err"; then
	fail rules_backfill_conn_refused_redacts_password "$(<"$TMPROOT/refused-ours.err")"
else
	pass rules_backfill_conn_refused_redacts_password
fi

expect_eq rules_backfill_http_config_auth "$(head -n 1 "$TMPROOT/httpcfg-ours.req" | awk '{print $(NF-1), $NF}')" "Token s3cret"
expect_eq rules_backfill_http_config_exit "$(<"$TMPROOT/httpcfg-ours.rc")" 0
expect_eq rules_backfill_http_config_with_userinfo "$(<"$TMPROOT/httpcfg-userinfo.rc") $(<"$TMPROOT/httpcfg-userinfo.err")" \
	"1 promtool: error: Cannot set base auth in the server URL and use a http.config.file at the same time"
expect_eq rules_backfill_http_config_invalid "$(<"$TMPROOT/httpcfg-bad.rc") $(<"$TMPROOT/httpcfg-bad.err")" \
	"1 promtool: error: Failed to load HTTP config file: at most one of bearer_token & bearer_token_file must be configured"

# A server that accepts and never answers: promtool 2.42 waits forever; we
# give up after 5 minutes of silence (--idle-timeout, below), so a 2 s
# `timeout` still stops us (exit 124); no block may be left behind.
timeout 2 "$PROMTOOL" tsdb create-blocks-from rules --url "$BASE/stall" --output-dir "$TMPROOT/out-stall" \
	"${ARGS[@]}" $RULES >/dev/null 2>&1
expect_eq rules_backfill_stall_waits "$?" 124
expect_eq rules_backfill_stall_no_blocks "$(find "$TMPROOT/out-stall" -mindepth 1 2>/dev/null | wc -l)" 0

# ---------------------------------------------------------------------------
# The goldens of testdata/rules-backfill/faults: what promtool 2.42 answered
# (faults/regen.sh) to gzip edge cases, other encodings, stalls where Go has
# a limit, --url forms and failures --retries would retry.  Ours must match
# byte for byte: exit code, stderr, the requests, the blocks.
. testdata/rules-backfill/faults/lib.sh
F=$TMPROOT/f
mkdir -p "$F"
if ! rbf_start_server "$F"; then
	fail rules_backfill_faults_golden_server "fake server did not start"
	exit 0
fi
: >"$F/jobs"
ncases=0
while IFS='|' read -r name url args ours; do
	case $name in '' | '#'*) continue ;; esac
	ncases=$((ncases + 1))
	# shellcheck disable=SC2086
	rbf_run "$PROMTOOL" "$F" "$name" "$(rbf_url "$url")" $args $ours
done <"$RBF_DIR/cases.txt"
rbf_summarize "$F"
expect_eq rules_backfill_faults_golden_count "$(ls "$RBF_DIR"/expected/*.out | wc -l)" "$ncases"
for want in "$RBF_DIR"/expected/*.out; do
	name=$(basename "$want" .out)
	expect_files_eq "rules_backfill_fault_golden_$name" "$F/$name.sum" "$want"
done
# The blocks every successful fault run must write (2.42's, from the golden).
sed -n '/^--- blocks$/,$p' "$RBF_DIR/expected/gzip.out" >"$F/want-blocks"

# ---------------------------------------------------------------------------
# Our extensions, where 2.42 has no answer.  Each case gets its own server so
# that the slow ones run side by side and their request logs stay apart.
# solo NAME PATH ARGS...: leaves $F/NAME.rc .err .req .hdr and .sum.
solo() {
	local name=$1 path=$2
	shift 2
	(
		d=$F/solo-$name
		mkdir -p "$d"
		rbf_start_server "$d" || exit 1
		trap 'rbf_stop_server' EXIT
		: >"$d/jobs"
		rbf_run "$PROMTOOL" "$d" "$name" "http://127.0.0.1:$RBF_P$path" "$@"
		rbf_summarize "$d"
		cp "$d/$name".* "$F/"
	)
}
blocks_of() { sed -n '/^--- blocks$/,$p' "$F/$1.sum"; }
errors_of() { grep -a '^rule importer error' "$1" | sed -E 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g'; }
nothing_written() { # name
	expect_eq "rules_backfill_$1_nothing_written" "$(find "$F/solo-$1/out-$1" -mindepth 1 2>/dev/null | wc -l)" 0
}
U='Post "http://127.0.0.1:PORT'

# two at a time (the machine has two cores); `wait` names them, since the
# fake servers above are children too
solo idle_headers /stall --idle-timeout=1s & j1=$!
solo idle_body /stallbody --idle-timeout=1s & j2=$!
wait $j1 $j2
solo trickle /slowbody --idle-timeout=5s & j1=$!
solo query_timeout /slow --query-timeout=1s & j2=$!
wait $j1 $j2
solo retry503 /flaky503/x --retries=2 & j1=$!
solo retry429 /flaky429/x --retries=2 & j2=$!
wait $j1 $j2
solo retry_reset /flakyreset/x --retries=2 & j1=$!
solo retry_stall /flakystall/x --retries=2 --idle-timeout=1s & j2=$!
wait $j1 $j2
solo no_retry_400 /baddata400 --retries=3
solo no_retry_422 /exec422 --retries=3
solo no_retry_malformed /malformed --retries=3
solo retry_gives_up /always503 --retries=1
solo timeout_param /matrix --query-timeout=90s
solo timeout_param_url '/matrix?timeout=5&x=1' --query-timeout=1m30.5s
solo headers /always429 --retries=1 --header 'X-Scope-OrgID: tenant-1' \
	--header 'Authorization: Bearer s3cr3t-t0ken' --header 'X-Empty:' --header 'X-Pad:   a b  '
solo cap_decompressed /bomb --max-response-size=1MiB
solo cap_wire /big --max-response-size=1MiB
solo cap_default /big

# Silence: one clear error per rule, a non-zero exit, nothing written.
for c in idle_headers:stall idle_body:stallbody; do
	name=${c%%:*} path=${c#*:}
	expect_eq "rules_backfill_${name}_exit" "$(<"$F/$name.rc")" 1
	expect_eq "rules_backfill_${name}_error" "$(errors_of "$F/$name.err")" \
"rule importer error: query range: $U/$path/api/v1/query_range\": no data received for 1s (--idle-timeout)
rule importer error: query range: $U/$path/api/v1/query_range\": no data received for 1s (--idle-timeout)"
	nothing_written "$name"
done
# Bytes that keep coming, however slowly, are not silence.
expect_eq rules_backfill_trickle_exit "$(<"$F/trickle.rc")" 0
expect_eq rules_backfill_trickle_blocks "$(blocks_of trickle)" "$(cat "$F/want-blocks")"

# --query-timeout: sent as timeout= (seconds, as Prometheus's parseDuration
# reads them), replacing one of --url's, and enforced here.
expect_eq rules_backfill_query_timeout_exit "$(<"$F/query_timeout.rc")" 1
expect_eq rules_backfill_query_timeout_error "$(errors_of "$F/query_timeout.err")" \
"rule importer error: query range: $U/slow/api/v1/query_range\": no complete answer within 1s (--query-timeout)
rule importer error: query range: $U/slow/api/v1/query_range\": no complete answer within 1s (--query-timeout)"
nothing_written query_timeout
expect_eq rules_backfill_query_timeout_param "$(awk '{print $3}' "$F/timeout_param.req" | sed 's/.*&step=60//' | sort -u)" "&timeout=90"
expect_eq rules_backfill_query_timeout_param_url "$(head -n 1 "$F/timeout_param_url.req" | awk '{print $2, $3}')" \
	"/matrix/api/v1/query_range?timeout=5&x=1 end=1700006399&query=sum+by+%28job%29+%28rate%28x%7Ba%3D%22b+c%22%7D%5B5m%5D%29%29&start=1700000036.7516582&step=60&timeout=90.5&x=1"
expect_eq rules_backfill_query_timeout_blocks "$(blocks_of timeout_param)" "$(cat "$F/want-blocks")"

# --retries: what failed for a passing reason is asked again (two failures,
# then 2.42's blocks), with one warning per retry; 4xx answers and
# malformed bodies are not retried; the last error is 2.42's.
for name in retry503 retry429 retry_reset retry_stall; do
	expect_eq "rules_backfill_${name}_exit" "$(<"$F/$name.rc")" 0
	expect_eq "rules_backfill_${name}_blocks" "$(blocks_of "$name")" "$(cat "$F/want-blocks")"
	expect_eq "rules_backfill_${name}_requests" "$(wc -l <"$F/$name.req")" 6
	expect_eq "rules_backfill_${name}_warnings" \
		"$(grep -a '^level=warn' "$F/$name.err" | sed -E 's/ wait=[^ ]+ / wait=W /; s/ err=.*//')" \
"level=warn backfiller=\"query failed, retrying\" attempt=2 attempts=3 wait=W
level=warn backfiller=\"query failed, retrying\" attempt=3 attempts=3 wait=W"
done
expect_eq rules_backfill_retry503_warning_error "$(grep -a -m1 '^level=warn' "$F/retry503.err" | sed 's/.* err=//')" \
	'"server_error: server error: 503"'
# Retry-After: 0 is obeyed
expect_eq rules_backfill_retry429_retry_after "$(grep -a -c ' wait=0s ' "$F/retry429.err")" 2
for name in no_retry_400 no_retry_422 no_retry_malformed; do
	expect_eq "rules_backfill_${name}_exit" "$(<"$F/$name.rc")" 1
	expect_eq "rules_backfill_${name}_requests" "$(wc -l <"$F/$name.req")" 2
	expect_eq "rules_backfill_${name}_no_warnings" "$(grep -a -c '^level=warn' "$F/$name.err")" 0
done
expect_eq rules_backfill_retry_gives_up_exit "$(<"$F/retry_gives_up.rc")" 1
expect_eq rules_backfill_retry_gives_up_requests "$(wc -l <"$F/retry_gives_up.req")" 4
expect_eq rules_backfill_retry_gives_up_error "$(errors_of "$F/retry_gives_up.err")" \
	"$(errors_of "$RBF_DIR/expected/always503.out")"
nothing_written retry_gives_up

# --header: sent on every request, as given (an explicit Authorization
# replaces none of ours here, and would win over --url's); never printed.
expect_eq rules_backfill_headers_sent "$(grep -c 'X-Scope-OrgID: tenant-1 | Authorization: Bearer s3cr3t-t0ken | X-Empty:  | X-Pad: a b' "$F/headers.hdr")" 4
expect_eq rules_backfill_headers_no_accept "$(grep -c 'Accept: ' "$F/headers.hdr")" 0
if grep -a -q 's3cr3t' "$F/headers.err"; then
	fail rules_backfill_headers_never_printed "$(cat "$F/headers.err")"
else
	pass rules_backfill_headers_never_printed
fi
usage() { # name want args...
	local name=$1 want=$2 got
	shift 2
	got=$("$PROMTOOL" tsdb create-blocks-from rules --url "$BASE/matrix" --output-dir "$F/out-usage" \
		"${ARGS[@]}" "$@" $RULES 2>&1)
	expect_eq "rules_backfill_usage_$name" "$? $got" "1 promtool: error: $want, try --help"
}
usage header_no_colon '--header wants "Name: value"' --header 'Authorization Bearer s3cr3t'
usage header_bad_name 'invalid --header name "X Y"' --header 'X Y: s3cr3t'
usage header_control 'invalid --header "X-Key": the value has a control character' --header $'X-Key: s3cr\x01t'
usage header_managed '--header cannot set Content-Length: promtool sets it' --header 'content-length: 1'
usage retries_negative '--retries must be between 0 and 1000' --retries=-1
usage query_timeout_zero '--query-timeout must be positive' --query-timeout=0s
usage idle_negative '--idle-timeout must not be negative' --idle-timeout=-1s
usage size_bad 'invalid --max-response-size "1GB": want bytes, e.g. 512MiB or 2GiB' --max-response-size=1GB
expect_eq rules_backfill_usage_nothing_written "$(find "$F/out-usage" 2>/dev/null | wc -l)" 0

# Size caps: the wire bytes and the decompressed bytes (a 16 MiB gzip bomb),
# each with its own message; the default (1 GiB) lets a 3 MiB body through.
expect_eq rules_backfill_cap_decompressed "$(<"$F/cap_decompressed.rc") $(errors_of "$F/cap_decompressed.err" | head -n 1)" \
	"1 rule importer error: query range: $U/bomb/api/v1/query_range\": decompressed response body larger than 1048576 bytes (--max-response-size)"
nothing_written cap_decompressed
expect_eq rules_backfill_cap_wire "$(<"$F/cap_wire.rc") $(errors_of "$F/cap_wire.err" | head -n 1)" \
	"1 rule importer error: query range: $U/big/api/v1/query_range\": response body larger than 1048576 bytes (--max-response-size)"
nothing_written cap_wire
expect_eq rules_backfill_cap_default "$(<"$F/cap_default.rc") $(wc -l <"$F/cap_default.req")" "0 4"
