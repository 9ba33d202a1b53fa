#!/usr/bin/env bash
# Killed runs leave <ULID>.tmp-for-creation dirs in the output dir (2.42
# leaves them too; only a Prometheus opening the dir removes them).  The
# block-writing commands remove those nobody holds at start, saying so in
# one line on stderr, and touch nothing else: other names (not a strict
# ULID, other suffixes, files, symlinks), a dir a live writer holds (flock),
# or anything at all when a Prometheus holds the dir's lock file.  Then a
# real SIGKILL during a write, and the next run cleaning up after it.
. "$(dirname "$0")/../lib.sh"
U1=01ARZ3NDEKTSV4RRFFQ69G5FAV
U2=01ARZ3NDEKTSV4RRFFQ69G5FAW
printf '# TYPE x gauge\nx{a="1"} 1 1700000000\nx{a="1"} 2 1700000060\n# EOF\n' >"$TMPROOT/in.om"

# leftovers DIR: what a killed run leaves, plus look-alikes that must stay
leftovers() {
	mkdir -p "$1/$U1.tmp-for-creation/chunks" "$1/$U2.tmp-for-creation" "$1/foo.tmp-for-creation" \
		"$1/01ARZ3NDEKTSV4RRFFQ69G5FAX.tmp-for-deletion" "$1/81ARZ3NDEKTSV4RRFFQ69G5FAV.tmp-for-creation" \
		"$1/01ARZ3NDEKTSV4RRFFQ69G5FA.tmp-for-creation" "$1/target"
	echo data >"$1/$U1.tmp-for-creation/chunks/000001"
	echo data >"$1/$U1.tmp-for-creation/index"
	: >"$1/01ARZ3NDEKTSV4RRFFQ69G5FAY.tmp-for-creation"
	ln -s target "$1/01ARZ3NDEKTSV4RRFFQ69G5FAZ.tmp-for-creation"
}
kept='01ARZ3NDEKTSV4RRFFQ69G5FA.tmp-for-creation
01ARZ3NDEKTSV4RRFFQ69G5FAX.tmp-for-deletion
01ARZ3NDEKTSV4RRFFQ69G5FAY.tmp-for-creation
01ARZ3NDEKTSV4RRFFQ69G5FAZ.tmp-for-creation
81ARZ3NDEKTSV4RRFFQ69G5FAV.tmp-for-creation
foo.tmp-for-creation
target'
# hold PATH: a process holding a flock on PATH until killed ($holder)
hold() {
	python3 -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(120)' "$1" "$TMPROOT/held.ok" </dev/null >/dev/null 2>&1 &
	holder=$!
	for _ in $(seq 1 200); do [ -e "$TMPROOT/held.ok" ] && break; sleep 0.05; done
	rm -f "$TMPROOT/held.ok"
}
unhold() { kill "$holder"; wait "$holder" 2>/dev/null; }
listing() { ls "$1" | grep -v '^01M\|^01[A-HJ-NP-Z0-9]\{24\}$' || true; }
ulids() { sed -E 's/\b[0-9A-HJKMNP-TV-Z]{26}\b/<ULID>/g'; }

# openmetrics: both removed, one line, the block written as into a clean dir
d=$TMPROOT/om
leftovers "$d"
"$PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/in.om" "$d" >"$TMPROOT/out" 2>"$TMPROOT/err"
expect_eq stale_tmp_openmetrics_rc "$?" 0
expect_eq stale_tmp_openmetrics_line "$(cat "$TMPROOT/err")" \
	"removed 2 stale temporary block directories left by interrupted runs: '$d/$U1.tmp-for-creation' '$d/$U2.tmp-for-creation'"
expect_eq stale_tmp_openmetrics_kept "$(listing "$d")" "$kept"
"$PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/in.om" "$TMPROOT/clean" >"$TMPROOT/out.clean" 2>&1
expect_eq stale_tmp_openmetrics_stdout "$(ulids <"$TMPROOT/out")" "$(ulids <"$TMPROOT/out.clean")"
expect_eq stale_tmp_openmetrics_samples "$("$PROMTOOL" tsdb dump "$d")" "$("$PROMTOOL" tsdb dump "$TMPROOT/clean")"
# nothing left: nothing said
"$PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/in.om" "$d" >/dev/null 2>"$TMPROOT/err"
expect_eq stale_tmp_openmetrics_quiet "$(cat "$TMPROOT/err")" ""

# one dir: the singular line
d=$TMPROOT/one
mkdir -p "$d/$U1.tmp-for-creation"
"$PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/in.om" "$d" >/dev/null 2>"$TMPROOT/err"
expect_eq stale_tmp_one "$(cat "$TMPROOT/err")" \
	"removed stale temporary block directory '$d/$U1.tmp-for-creation' left by an interrupted run"

# a dir some writer holds stays; so does everything while a Prometheus holds lock
d=$TMPROOT/held
mkdir -p "$d/$U1.tmp-for-creation" "$d/$U2.tmp-for-creation"
hold "$d/$U1.tmp-for-creation"
"$PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/in.om" "$d" >/dev/null 2>"$TMPROOT/err"
unhold
expect_eq stale_tmp_held "$(cat "$TMPROOT/err"; listing "$d")" \
	"removed stale temporary block directory '$d/$U2.tmp-for-creation' left by an interrupted run
$U1.tmp-for-creation"
d=$TMPROOT/prometheus
mkdir -p "$d/$U1.tmp-for-creation"
: >"$d/lock"
hold "$d/lock"
"$PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/in.om" "$d" >/dev/null 2>"$TMPROOT/err"
unhold
expect_eq stale_tmp_prometheus_lock "$(cat "$TMPROOT/err"; listing "$d")" "$U1.tmp-for-creation
lock"

# rules: the same before the importer writes
d=$TMPROOT/rules
leftovers "$d"
"$PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/in.om" "$TMPROOT/src" >/dev/null 2>&1
printf 'groups:\n  - name: g\n    rules:\n      - record: y\n        expr: x * 2\n' >"$TMPROOT/r.yml"
"$PROMTOOL" tsdb create-blocks-from rules --source-dir "$TMPROOT/src" --output-dir "$d" \
	--start 1700000000 --end 1700000100 "$TMPROOT/r.yml" >/dev/null 2>"$TMPROOT/err"
expect_eq stale_tmp_rules "$(grep -c '^removed 2 stale temporary block directories' "$TMPROOT/err"):$(listing "$d")" "1:$kept"

# SIGKILL while a block is being written, then the next run removes it
python3 - "$PROMTOOL" "$TMPROOT" <<'PY'
import os, signal, subprocess, sys, time
promtool, tmp = sys.argv[1], sys.argv[2]
out = os.path.join(tmp, "killed")
for attempt, n in enumerate((200000, 800000, 3200000)):
    src = os.path.join(tmp, "big%d.om" % attempt)
    with open(src, "w") as f:
        f.write("# TYPE big gauge\n")
        for i in range(n):
            f.write('big{s="%d"} %d %d\n' % (i % 1000, i, 1700000000 + i // 1000 * 15))
        f.write("# EOF\n")
    p = subprocess.Popen([promtool, "tsdb", "create-blocks-from", "openmetrics", src, out],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while p.poll() is None:
        if os.path.isdir(out) and any(e.endswith(".tmp-for-creation") for e in os.listdir(out)):
            p.send_signal(signal.SIGKILL)
            p.wait()
            print("killed")
            sys.exit(0)
        time.sleep(0.0005)
print("finished before a tmp dir was seen")
PY
left=$(ls "$TMPROOT/killed" 2>/dev/null | grep -c 'tmp-for-creation$')
"$PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/in.om" "$TMPROOT/killed" >/dev/null 2>"$TMPROOT/err"
expect_eq stale_tmp_after_sigkill "$left:$(grep -c '^removed stale temporary block directory .*tmp-for-creation. left by an interrupted run$' "$TMPROOT/err"):$(ls "$TMPROOT/killed" | grep -c 'tmp-for-creation$')" "1:1:0"
