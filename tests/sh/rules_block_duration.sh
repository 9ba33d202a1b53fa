#!/usr/bin/env bash
# --block-duration=D: exact, epoch-aligned blocks.  For each case of
# testdata/rules-block-duration/cases.txt ours (against a real Prometheus
# 2.42, and with --source-dir) must give the exit code, stdout and stderr of
# the real promtool 2.42 run without the flag, the very same samples (the
# real promtool's `tsdb dump` of both outputs, so 2.42 reads our blocks),
# and one block per rule (--merge-blocks: one block) per window of D, none
# crossing a window's end (testdata/rules-block-duration/windows.py).  The
# split_5s case needs queries split at 11,000 points: the real server
# refuses longer ones.  Also the flag's usage errors.
. "$(dirname "$0")/../lib.sh"
. testdata/rules-backfill/lib.sh
. testdata/rules-block-duration/lib.sh
export TZ=UTC
B=testdata/rules-block-duration
BD_REAL_PROMTOOL=${REAL_PROMTOOL:-/usr/bin/promtool}

RB_REAL_PROMTOOL=${REAL_PROMTOOL:-$PROMTOOL}
trap 'rb_stop_server; rm -rf "$TMPROOT"' EXIT
if ! rb_start_server "$TMPROOT"; then
	fail rules_block_duration_server "prometheus did not start" "$(tail -5 "$TMPROOT/prometheus.log" 2>/dev/null)"
	exit 0
fi

grep -v '^#' "$B/cases.txt" | while IFS='|' read -r name args oracle; do
	[ -n "$name" ] || continue
	secs=$(printf '%s\n' "$args" | sed -E 's/.*--block-duration=([0-9]+)([hm]).*/\1 \2/' |
		awk '{ print $2 == "h" ? $1 * 3600 : $1 * 60 }')
	merged=0
	case $args in *--merge-blocks*) merged=1 ;; esac
	for src in url dir; do
		out="$TMPROOT/out-$name-$src"
		if [ "$src" = url ]; then from=(--url "http://127.0.0.1:$RB_PORT"); else from=(--source-dir "$TMPROOT/src"); fi
		# shellcheck disable=SC2086
		"$PROMTOOL" tsdb create-blocks-from rules "${from[@]}" --output-dir "$out" $args \
			2>"$TMPROOT/stderr" >"$TMPROOT/stdout"
		rc=$?
		if ! bd_dump "$out" "$TMPROOT/dump"; then
			fail "rules_block_duration_${name}_$src" "the real promtool cannot dump our blocks"
			continue
		fi
		{
			rb_summary "$rc" "$TMPROOT/stdout" "$TMPROOT/stderr" /nonexistent | sed '/^--- blocks$/,$d'
			printf -- '--- dump %s lines, sha256 %s\n' "$(wc -l <"$TMPROOT/dump")" \
				"$(sha256sum <"$TMPROOT/dump" | cut -c1-32)"
			"$RB_PY" "$B/windows.py" "$secs" "$TMPROOT/dump" "$out" "$merged"
		} >"$TMPROOT/$name.out"
		sed '/^--- blocks$/,$d' "$TMPROOT/$name.out" >"$TMPROOT/$name.cmp"
		expect_files_eq "rules_block_duration_${name}_$src" "$TMPROOT/$name.cmp" "$B/expected/$name.out"
		cmp -s "$TMPROOT/$name.cmp" "$B/expected/$name.out" ||
			diff "$TMPROOT/$name.cmp" "$B/expected/$name.out" | head -10 >&2
		bad=$(sed -n '/^--- blocks$/,$p' "$TMPROOT/$name.out" | sed 1d | grep -v ' blocks ok$')
		expect_eq "rules_block_duration_${name}_${src}_windows" "$bad" ""
	done
done

# Usage errors.
usage() { # NAME WANT ARGS...
	local name=$1 want=$2
	shift 2
	"$PROMTOOL" tsdb create-blocks-from rules --start 1700000000 --end 1700003600 --output-dir "$TMPROOT/u" \
		"$@" testdata/rules-backfill/rules_main.yml >/dev/null 2>"$TMPROOT/err"
	expect_eq "rules_block_duration_usage_$name" "$?|$(cat "$TMPROOT/err")|$(ls "$TMPROOT/u" 2>/dev/null)" "1|$want|"
}
usage short "promtool: error: invalid --block-duration=59m59s: must be at least 1h, try --help" --block-duration=59m59s
usage no_divisor "promtool: error: invalid --block-duration=5h: must divide 24h or be a multiple of it (blocks must not cross a UTC midnight), try --help" --block-duration=5h
usage not_multiple "promtool: error: invalid --block-duration=36h: must divide 24h or be a multiple of it (blocks must not cross a UTC midnight), try --help" --block-duration=36h
usage with_max "promtool: error: --block-duration and --max-block-duration cannot be used together, try --help" --block-duration=24h --max-block-duration=24h
