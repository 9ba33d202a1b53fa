#!/usr/bin/env bash
# tsdb create-blocks-from rules against a fake Prometheus API
# (tests/fake_prom_server.py): API errors, bad status codes, malformed,
# truncated or empty bodies, warnings, the GET fallback, redirects, a
# refused connection and a server that never answers.
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
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMPROOT"' EXIT
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

# A server that accepts and never answers: promtool has no timeout and
# waits forever; so do we.  `timeout` stops it (exit 124); no block may
# be left behind.
timeout 2 "$PROMTOOL" tsdb create-blocks-from rules --url "$BASE/stall" --output-dir "$TMPROOT/out-stall" \
	"${ARGS[@]}" $RULES >/dev/null 2>&1
expect_eq rules_backfill_stall_waits "$?" 124
expect_eq rules_backfill_stall_no_blocks "$(find "$TMPROOT/out-stall" -mindepth 1 2>/dev/null | wc -l)" 0
