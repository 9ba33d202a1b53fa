# Shared by bench/*.sh (sourced from the project root): the cache of
# generated inputs, measuring a command, printing rows.
#
# Inputs are generated once, with a fixed seed, under bench/out/ (ignored
# by git; BENCH_OUT moves it) and reused by later runs:
#   ref-<H>h.om          the reference workload as OpenMetrics (bench/gen_reference.c)
#   blocks-<H>h-x<S>/    its blocks at S times the series count, imported by
#                        our promtool one 2h window at a time (no big text file)
# Every row a bench prints is also appended to $BENCH_OUT/summary.txt, which
# bench/run.sh prints at the end.

BENCH_OUT=${BENCH_OUT:-bench/out}
OURS=${OURS:-$PWD/bin/promtool}
REAL=${REAL_PROMTOOL:-/usr/bin/promtool}
TIME=/usr/bin/time
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
mkdir -p "$BENCH_OUT"

bench_need() { # name: exit 0 with a SKIP line unless the tools are there
	local miss=
	[ -x "$TIME" ] || miss="/usr/bin/time (apt-get install time)"
	[ -x "$REAL" ] || miss="$miss real promtool at $REAL"
	[ -x "$OURS" ] || miss="$miss $OURS (make)"
	if [ -n "$miss" ]; then
		echo "$1: SKIP: needs$miss"
		exit 0
	fi
}

# The generator, built into the cache when missing or older than its source.
gen_bin() {
	local bin=$BENCH_OUT/gen_reference
	if [ ! -x "$bin" ] || [ bench/gen_reference.c -nt "$bin" ]; then
		${CC:-cc} -O2 -o "$bin" bench/gen_reference.c || return 1
	fi
	echo "$bin"
}

# ref_om HOURS: the reference OpenMetrics file of that many hours (scale 1).
ref_om() {
	local f=$BENCH_OUT/ref-$1h.om gen
	if [ ! -s "$f" ]; then
		gen=$(gen_bin) || return 1
		echo "generating $f ..." >&2
		"$gen" "$1" 1 >"$f.tmp" && mv "$f.tmp" "$f"
	fi
	echo "$f"
}

# ref_blocks HOURS SCALE: blocks of the reference workload.  Each 2h window
# is generated and imported on its own; its blocks are those of the whole
# file, since a window's samples are all in its own part.
ref_blocks() {
	local h=$1 s=$2 d=$BENCH_OUT/blocks-$1h-x$2 gen w part
	if [ ! -f "$d/.complete" ]; then
		gen=$(gen_bin) || return 1
		echo "generating $d (scale $s, ${h}h) ..." >&2
		rm -rf "$d" && mkdir -p "$d"
		part=$BENCH_OUT/part-$$.om
		# windows of 2h from the one holding the first sample
		for w in $(seq 0 $((h / 2 + 1))); do
			"$gen" "$h" "$s" "$w" >"$part" || return 1
			[ "$(wc -l <"$part")" -gt 3 ] || break
			"$OURS" tsdb create-blocks-from openmetrics -q "$part" "$d" >/dev/null || return 1
		done
		rm -f "$part"
		touch "$d/.complete"
	fi
	echo "$d"
}

# samples_in DIR: total samples of the blocks in DIR (from meta.json).
samples_in() {
	cat "$1"/*/meta.json | sed -n 's/^\t\t"numSamples": \([0-9]*\),\{0,1\}$/\1/p' | awk '{ n += $1 } END { print n + 0 }'
}

load_now() { cut -d' ' -f1-3 /proc/loadavg; }

# measure CMD...: runs it with output to /dev/null; sets M_WALL (s), M_CPU
# (user+sys s), M_RSS (peak, MiB) and M_RC.
measure() {
	local tf u s rss
	tf=$(mktemp)
	M_RC=0
	"$TIME" -f '%e %U %S %M' -o "$tf" "$@" >/dev/null 2>"$tf.err" || M_RC=$?
	read -r M_WALL u s rss <"$tf"
	M_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
	M_RSS=$(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')
	if [ "$M_RC" != 0 ]; then
		echo "command failed ($M_RC): $*" >&2
		tail -n 5 "$tf.err" >&2
	fi
	rm -f "$tf" "$tf.err"
}

# measure_best BEFORE CMD...: ours is quick, so it runs BENCH_REPEAT times
# (default 3), each after calling the shell function BEFORE (e.g. clearing
# its output dir; ":" for nothing); M_WALL and M_CPU are the least seen,
# M_RSS the most -- the least disturbed run by other work on the machine.
measure_best() {
	local before=$1 i bw= bc= br=0
	shift
	for i in $(seq "${BENCH_REPEAT:-3}"); do
		"$before"
		measure "$@"
		[ -z "$bw" ] || awk -v a="$M_WALL" -v b="$bw" 'BEGIN { exit !(a < b) }' && bw=$M_WALL
		[ -z "$bc" ] || awk -v a="$M_CPU" -v b="$bc" 'BEGIN { exit !(a < b) }' && bc=$M_CPU
		awk -v a="$M_RSS" -v b="$br" 'BEGIN { exit !(a > b) }' && br=$M_RSS
	done
	M_WALL=$bw M_CPU=$bc M_RSS=$br
}

# row LABEL OURS_WALL OURS_CPU OURS_RSS REAL_WALL REAL_CPU REAL_RSS NOTE:
# one line of ours vs real and the ratios (real / ours).
row_header() {
	printf '%-34s %8s %8s %8s | %8s %8s %8s | %7s %7s %7s\n' "" "wall s" "cpu s" "RSS MB" "wall s" "cpu s" "RSS MB" \
		"wall x" "cpu x" "RSS /"
}
row() {
	local line
	line=$(awk -v l="$1" -v ow="$2" -v oc="$3" -v om="$4" -v rw="$5" -v rc="$6" -v rm="$7" 'BEGIN {
		printf "%-34s %8.2f %8.2f %8.1f | %8.2f %8.2f %8.1f | %7.1f %7.1f %7.1f",
			l, ow, oc, om, rw, rc, rm, rw / (ow > 0.01 ? ow : 0.01), rc / (oc > 0.01 ? oc : 0.01), rm / (om > 0.1 ? om : 0.1)
	}')
	printf '%s  %s\n' "$line" "$8"
	printf '%s  %s\n' "$line" "$8" >>"$BENCH_OUT/summary.txt"
}

# same_blocks A B: the blocks of two output dirs are the same, file for file
# (matched by minTime; meta.json with ULIDs replaced).
same_blocks() {
	local a b f
	blocks_of() {
		for d in "$1"/*/; do
			[ -f "$d/meta.json" ] || continue
			printf '%s %s\n' "$(sed -n 's/^\t"minTime": \(-\{0,1\}[0-9]*\),$/\1/p' "$d/meta.json")" "$d"
		done | sort -n | cut -d' ' -f2
	}
	[ "$(blocks_of "$1" | wc -l)" = "$(blocks_of "$2" | wc -l)" ] || return 1
	while read -r a b; do
		for f in index tombstones chunks/000001; do cmp -s "$a/$f" "$b/$f" || return 1; done
		cmp -s <(sed -E 's/[0-9A-Z]{26}/U/g' "$a/meta.json") <(sed -E 's/[0-9A-Z]{26}/U/g' "$b/meta.json") || return 1
	done < <(paste -d' ' <(blocks_of "$1") <(blocks_of "$2"))
	return 0
}
