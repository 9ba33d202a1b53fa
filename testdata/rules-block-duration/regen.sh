#!/usr/bin/env bash
# Regenerates expected/*.out: for every case of cases.txt, the REAL
# promtool 2.42 run with the same arguments minus --block-duration (and
# --merge-blocks) and with the oracle's --max-block-duration, against a
# real Prometheus 2.42 serving the source TSDB
# of testdata/rules-backfill/lib.sh: its exit code, stdout and stderr, the
# samples it wrote per window (windows.py over its `tsdb dump`) and a
# digest of the whole dump.  Needs /usr/bin/promtool, /usr/bin/prometheus,
# python3; run from anywhere.
set -u
cd "$(dirname "$0")/../.."
. testdata/rules-backfill/lib.sh
export TZ=UTC
B=testdata/rules-block-duration
W=$(mktemp -d)
trap 'rb_stop_server; rm -rf "$W"' EXIT
rb_start_server "$W" || { echo "cannot start prometheus" >&2; exit 1; }
. "$B/lib.sh"
mkdir -p "$B/expected"
rm -f "$B"/expected/*.out
grep -v '^#' "$B/cases.txt" | while IFS='|' read -r name args oracle; do
	[ -n "$name" ] || continue
	out="$W/out-$name"
	secs=$(printf '%s\n' "$args" | sed -E 's/.*--block-duration=([0-9]+)([hm]).*/\1 \2/' |
		awk '{ print $2 == "h" ? $1 * 3600 : $1 * 60 }')
	# shellcheck disable=SC2086
	real_args="--max-block-duration=$oracle $(printf '%s\n' "$args" | sed -E 's/--block-duration=[^ ]+ //; s/--merge-blocks //')"
	# shellcheck disable=SC2086
	promtool tsdb create-blocks-from rules --url "http://127.0.0.1:$RB_PORT" --output-dir "$out" $real_args \
		2>"$W/stderr" >"$W/stdout"
	rc=$?
	bd_dump "$out" "$W/dump" || exit 1
	{
		rb_summary "$rc" "$W/stdout" "$W/stderr" /nonexistent | sed '/^--- blocks$/,$d'
		printf -- '--- dump %s lines, sha256 %s\n' "$(wc -l <"$W/dump")" "$(sha256sum <"$W/dump" | cut -c1-32)"
		"$RB_PY" "$B/windows.py" "$secs" "$W/dump"
	} >"$B/expected/$name.out"
	echo "regenerated $name (rc=$rc, $(ls "$out" 2>/dev/null | wc -l) oracle blocks, $(wc -l <"$W/dump") samples)"
done
