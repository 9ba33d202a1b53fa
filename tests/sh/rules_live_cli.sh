#!/usr/bin/env bash
# tsdb create-blocks-from rules --semantics=prometheus through the CLI,
# over the data a real Prometheus 2.42 recorded while it evaluated
# testdata/rules-live/rules.yml (record.sh):
#   - from the data dir (--source-dir): every sample the server wrote is
#     reproduced (bin/tests/test_rules_live compares and explains each
#     difference); the log is promtool's "new rule importer" line only;
#   - from a real Prometheus 2.42 serving a copy of that data (--url): one
#     warning per rule that reads another backfilled rule's output, naming
#     both, and again every sample compared;
#   - the default (promtool) semantics stays what it was: no ALERTS.
. "$(dirname "$0")/../lib.sh"
. testdata/rules-backfill/lib.sh
L=$ROOT/testdata/rules-live
start=$(sed -n 's/^start=//p' "$L/meta.txt")
end=$(sed -n 's/^end=//p' "$L/meta.txt")
cp -r "$L/data" "$TMPROOT/data"

# run NAME ARGS...: from testdata/rules-live, so the rule file is "rules.yml"
# as the server was given it
run() {
	local name=$1
	shift
	(cd "$L" && "$PROMTOOL" tsdb create-blocks-from rules --start "$start" --end "$end" --eval-interval 15s \
		--output-dir "$TMPROOT/out-$name" "$@" rules.yml) >"$TMPROOT/$name.out" 2>"$TMPROOT/$name.err"
}

run local --semantics=prometheus --source-dir "$TMPROOT/data"
expect_eq rules_live_cli_local_rc "$?" 0
expect_eq rules_live_cli_local_log "$(sed -E 's/start="[^"]*" end="[^"]*"/start=S end=E/' "$TMPROOT/local.err")" \
	'level=info backfiller="new rule importer" start=S end=E'
report=$(RULES_LIVE_OUT="$TMPROOT/out-local" bin/tests/test_rules_live 2>&1)
if printf '%s\n' "$report" | grep -q '^PASS'; then
	pass rules_live_cli_local_matches_server
	printf '%s\n' "$report" | grep '^rules_live:' | sed 's/^/  /' >&2
else
	fail rules_live_cli_local_matches_server "$report"
fi

run default --source-dir "$TMPROOT/data"
expect_eq rules_live_cli_default_rc "$?" 0
alerts=$("$PROMTOOL" tsdb dump "$TMPROOT/out-default" 2>/dev/null | grep -c '__name__="ALERTS' || true)
named=$("$PROMTOOL" tsdb dump "$TMPROOT/out-default" 2>/dev/null | grep -c '__name__="ManySeries"' || true)
expect_eq rules_live_cli_default_no_alerts_series "$alerts" 0
if [ "$named" -gt 0 ]; then pass rules_live_cli_default_alert_named_series; else
	fail rules_live_cli_default_alert_named_series "promtool's default wrote no series named after the alert"
fi

# --url: a real Prometheus serving a copy of the recorded data
cp -r "$L/data" "$TMPROOT/served"
printf 'global:\n  scrape_interval: 15s\n' >"$TMPROOT/prometheus.yml"
RB_PORT=$(rb_free_port)
prometheus --config.file="$TMPROOT/prometheus.yml" --storage.tsdb.path="$TMPROOT/served" \
	--web.listen-address="127.0.0.1:$RB_PORT" --storage.tsdb.retention.time=100y >"$TMPROOT/prom.log" 2>&1 &
RB_PID=$!
trap 'rb_stop_server; rm -rf "$TMPROOT"' EXIT
"$RB_PY" - "$RB_PORT" "$RB_PID" <<'PY' || fail rules_live_cli_url_server "the server did not get ready"
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
run url --semantics=prometheus --url "http://127.0.0.1:$RB_PORT"
rc=$?
rb_stop_server
expect_eq rules_live_cli_url_rc "$rc" 0
deps=$(grep 'level=warn' "$TMPROOT/url.err" | sed -E 's/.* rule=([^ ]+) depends_on=([^ ]+)$/\1 <- \2/' | sort)
expect_eq rules_live_cli_url_dependency_warnings "$deps" "$(sort <<'W'
Flapping <- flapping
alerts:count <- Flapping
alerts:count <- LoadSeen
alerts:count <- ManySeries
alerts:count <- NeverFires
alerts:count <- TargetUp
job:http_requests:rate1m_top2 <- job_handler:http_requests:rate1m
job:samples_per_target <- job:scrape_samples:sum
W
)"
report=$(RULES_LIVE_OUT="$TMPROOT/out-url" bin/tests/test_rules_live 2>&1)
if printf '%s\n' "$report" | grep -q '^PASS'; then
	pass rules_live_cli_url_matches_server
	printf '%s\n' "$report" | grep '^rules_live:' | sed 's/^/  /' >&2
else
	fail rules_live_cli_url_matches_server "$report"
fi

# The comparison must be able to fail: one label of one rule changed (the
# file keeps its name, so the offsets stay) gives samples the server never
# wrote.
mkdir -p "$TMPROOT/changed"
sed 's/          source: head/          source: heap/' "$L/rules.yml" >"$TMPROOT/changed/rules.yml"
(cd "$TMPROOT/changed" && "$PROMTOOL" tsdb create-blocks-from rules --start "$start" --end "$end" \
	--eval-interval 15s --output-dir "$TMPROOT/out-changed" --semantics=prometheus --source-dir "$TMPROOT/data" \
	rules.yml) >/dev/null 2>&1
report=$(RULES_LIVE_OUT="$TMPROOT/out-changed" bin/tests/test_rules_live 2>&1)
if printf '%s\n' "$report" | grep -q '^FAIL' && printf '%s\n' "$report" | grep -q 'unexplained [1-9]'; then
	pass rules_live_cli_detects_a_changed_rule
else
	fail rules_live_cli_detects_a_changed_rule "a changed rule label went unnoticed" "$report"
fi

# The production flags are not part of the live semantics yet: each is
# refused as a usage error, before anything is written.
for flag in --merge-blocks --block-duration=2h --resume --concurrency=2; do
	name=${flag%%=*}
	run "refused${name#--}" --semantics=prometheus --source-dir "$TMPROOT/data" "$flag"
	rc=$?
	expect_eq "rules_live_cli_refuses_${name#--}" "$rc:$(cat "$TMPROOT/refused${name#--}.err"):$(ls -d "$TMPROOT/out-refused${name#--}" 2>/dev/null)" \
		"1:promtool: error: $name is not supported with --semantics=prometheus, try --help:"
done

# Writing into a data dir takes its lock with the live semantics too: a held
# lock (a running server) is refused and nothing is written.
cp -r "$L/data" "$TMPROOT/locked"
exec {lockfd}>"$TMPROOT/locked/lock"
flock -x "$lockfd"
before=$(ls "$TMPROOT/locked" | sort)
(cd "$L" && "$PROMTOOL" tsdb create-blocks-from rules --start "$start" --end "$end" --eval-interval 15s \
	--semantics=prometheus --source-dir "$TMPROOT/data" --output-dir "$TMPROOT/locked" rules.yml) \
	>"$TMPROOT/locked.out" 2>"$TMPROOT/locked.err"
rc=$?
exec {lockfd}>&-
if [ "$rc" = 1 ] && grep -q "stop the server before writing blocks into its data directory" "$TMPROOT/locked.err" &&
	[ "$(ls "$TMPROOT/locked" | sort)" = "$before" ]; then
	pass rules_live_cli_takes_the_data_dir_lock
else
	fail rules_live_cli_takes_the_data_dir_lock "rc=$rc" "$(cat "$TMPROOT/locked.err")"
fi
