#!/usr/bin/env bash
# tsdb create-blocks-from rules into a Prometheus data directory takes its
# lock (flock on <dir>/lock, as Prometheus 2.42 does):
#   - a real Prometheus 2.42 running on the directory holds the lock: ours
#     exits 1 with one line saying so and writes nothing;
#   - while ours runs (held up by a query that never answers), a real
#     Prometheus cannot start on the directory;
#   - with the server stopped, the backfill succeeds and leaves no lock file
#     behind (Prometheus removes its own on shutdown, and so do we);
#   - a directory that is not a data dir (no wal/, no lock) gets no lock file.
. "$(dirname "$0")/../lib.sh"
. testdata/rules-backfill/lib.sh
export TZ=UTC

RB_REAL_PROMTOOL=${REAL_PROMTOOL:-$PROMTOOL}
# Debian's package turns the lock file off by default (its
# --storage.tsdb.use-lockfile); upstream 2.42 always takes it
# (--storage.tsdb.no-lockfile to opt out).  Run it as upstream does.
LOCKFLAG=--storage.tsdb.use-lockfile
RB_PROM_ARGS=$LOCKFLAG
OURS_PID=
FAKE_PID=
PROM2_PID=
cleanup() {
	rb_stop_server
	for p in $OURS_PID $FAKE_PID $PROM2_PID; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMPROOT"
}
trap cleanup EXIT
if ! rb_start_server "$TMPROOT"; then
	fail rules_lock_server "prometheus did not start" "$(tail -5 "$TMPROOT/prometheus.log" 2>/dev/null)"
	exit 0
fi
D=$TMPROOT/src
ARGS=(--start 1700001000 --end 1700012000 testdata/rules-backfill/rules_main.yml)

# 1. A running server holds the lock.
ls "$D" >"$TMPROOT/before"
"$PROMTOOL" tsdb create-blocks-from rules --url "http://127.0.0.1:$RB_PORT" --output-dir "$D" "${ARGS[@]}" \
	>"$TMPROOT/stdout" 2>"$TMPROOT/stderr"
rc=$?
ls "$D" >"$TMPROOT/after"
expect_eq rules_lock_held_exit "$rc" 1
expect_eq rules_lock_held_message "$(cat "$TMPROOT/stderr")" \
	"output directory '$D' is locked by a running Prometheus (flock on '$D/lock'): stop the server before writing blocks into its data directory"
expect_eq rules_lock_held_stdout "$(cat "$TMPROOT/stdout")" ""
expect_files_eq rules_lock_held_nothing_written "$TMPROOT/after" "$TMPROOT/before"
rb_stop_server
if [ -e "$D/lock" ]; then fail rules_lock_prometheus_removes_lock "$D/lock left by prometheus"; fi

# 2. Ours holds the lock: a Prometheus cannot start on the directory.
"$RB_PY" tests/fake_prom_server.py "$TMPROOT/port" stall "$TMPROOT/requests" &
FAKE_PID=$!
for _ in $(seq 1 200); do [ -s "$TMPROOT/port" ] && break; sleep 0.05; done
"$PROMTOOL" tsdb create-blocks-from rules --url "http://127.0.0.1:$(<"$TMPROOT/port")" --output-dir "$D" \
	"${ARGS[@]}" >/dev/null 2>&1 &
OURS_PID=$!
for _ in $(seq 1 200); do [ -s "$TMPROOT/requests" ] && break; sleep 0.05; done
prometheus --config.file="$TMPROOT/prometheus.yml" --storage.tsdb.path="$D" $LOCKFLAG \
	--web.listen-address="127.0.0.1:$(rb_free_port)" >"$TMPROOT/prom2.log" 2>&1 &
PROM2_PID=$!
for _ in $(seq 1 600); do kill -0 "$PROM2_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$PROM2_PID" 2>/dev/null; then
	fail rules_lock_blocks_prometheus "prometheus started on a directory we hold"
	kill "$PROM2_PID" 2>/dev/null
	wait "$PROM2_PID" 2>/dev/null
else
	wait "$PROM2_PID" 2>/dev/null
	if grep -q 'lock DB directory: resource temporarily unavailable' "$TMPROOT/prom2.log"; then
		pass rules_lock_blocks_prometheus
	else
		fail rules_lock_blocks_prometheus "$(tail -3 "$TMPROOT/prom2.log")"
	fi
fi
PROM2_PID=
kill -9 "$OURS_PID" 2>/dev/null
wait "$OURS_PID" 2>/dev/null
OURS_PID=
kill "$FAKE_PID" 2>/dev/null
wait "$FAKE_PID" 2>/dev/null
FAKE_PID=
rm -f "$D/lock" # left by the killed run: a stale file, no longer locked

# 3. Stopped server: the backfill writes its blocks and removes the lock.
"$PROMTOOL" tsdb create-blocks-from rules --source-dir "$D" --output-dir "$D" "${ARGS[@]}" >/dev/null 2>"$TMPROOT/stderr"
rc=$?
expect_eq rules_lock_free_exit "$rc" 0
new=$(comm -13 "$TMPROOT/before" <(ls "$D") | tr '\n' ' ')
expect_eq rules_lock_free_only_blocks "$(comm -13 "$TMPROOT/before" <(ls "$D") | grep -c -v -E '^[0-9A-HJKMNP-TV-Z]{26}$')" 0
if [ -n "$new" ] && [ ! -e "$D/lock" ]; then pass rules_lock_free_wrote; else
	fail rules_lock_free_wrote "new entries: $new; lock: $(ls "$D/lock" 2>&1)"
fi

# 4. Not a data dir: no lock file appears (the output stays 2.42's).
mkdir "$TMPROOT/plain"
"$PROMTOOL" tsdb create-blocks-from rules --source-dir "$D" --output-dir "$TMPROOT/plain" "${ARGS[@]}" \
	>/dev/null 2>&1 &
p=$!
saw=0
while kill -0 "$p" 2>/dev/null; do [ -e "$TMPROOT/plain/lock" ] && saw=1; done
wait "$p"
expect_eq rules_lock_plain_dir_untouched "$saw$(ls "$TMPROOT/plain" | grep -c -v -E '^[0-9A-HJKMNP-TV-Z]{26}$')" 00
