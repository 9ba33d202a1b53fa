#!/usr/bin/env bash
# --merge-blocks: one block per window holding every rule's series.  For
# each case of testdata/rules-merge/cases.txt ours must write exactly the
# blocks a real Prometheus 2.42 compactor makes of the real promtool's
# per-rule blocks (index, chunks, tombstones and meta.json byte for byte,
# meta.json's "compaction" section aside), with promtool's exit code, stdout
# and stderr -- against a real Prometheus 2.42 (--url) and with --source-dir
# over the same data.  Goldens: testdata/rules-merge/regen.sh.  Also: a
# changed byte in a merged chunk file is seen, and without the flag the
# output is the per-rule blocks of testdata/rules-backfill.
# RB_EXTRA_ARGS (word-split) is added to every run of ours (tests/sh/rules_concurrency.sh).
. "$(dirname "$0")/../lib.sh"
. testdata/rules-backfill/lib.sh
export TZ=UTC
M=testdata/rules-merge

RB_REAL_PROMTOOL=${REAL_PROMTOOL:-$PROMTOOL}
trap 'rb_stop_server; rm -rf "$TMPROOT"' EXIT
if ! rb_start_server "$TMPROOT"; then
	fail rules_merge_server "prometheus did not start" "$(tail -5 "$TMPROOT/prometheus.log" 2>/dev/null)"
	exit 0
fi

grep -v '^#' "$M/cases.txt" | while IFS='|' read -r name args; do
	[ -n "$name" ] || continue
	for src in url dir; do
		out="$TMPROOT/out-$name-$src"
		if [ "$src" = url ]; then from=(--url "http://127.0.0.1:$RB_PORT"); else from=(--source-dir "$TMPROOT/src"); fi
		# shellcheck disable=SC2086
		"$PROMTOOL" tsdb create-blocks-from rules ${RB_EXTRA_ARGS:-} --merge-blocks "${from[@]}" --output-dir "$out" $args \
			2>"$TMPROOT/stderr" >"$TMPROOT/stdout"
		rc=$?
		RB_NO_COMPACTION=1 rb_summary "$rc" "$TMPROOT/stdout" "$TMPROOT/stderr" "$out" >"$TMPROOT/$name.out"
		expect_files_eq "rules_merge_${name}_$src" "$TMPROOT/$name.out" "$M/expected/$name.out"
		cmp -s "$TMPROOT/$name.out" "$M/expected/$name.out" ||
			diff "$TMPROOT/$name.out" "$M/expected/$name.out" | head -10 | cut -c 1-300 >&2
	done
done

# The comparison sees one changed byte in a merged chunk file.
chunk=$(find "$TMPROOT/out-collide-dir" -path '*/chunks/000001' | sort | head -n 1)
printf '\377' | dd of="$chunk" bs=1 seek=20 conv=notrunc status=none
RB_NO_COMPACTION=1 rb_summary 0 /dev/null /dev/null "$TMPROOT/out-collide-dir" >"$TMPROOT/flipped.out"
if cmp -s <(sed -n '/^--- blocks/,$p' "$TMPROOT/flipped.out") <(sed -n '/^--- blocks/,$p' "$M/expected/collide.out"); then
	fail rules_merge_detects_one_byte "a changed byte in $chunk went unnoticed"
else
	pass rules_merge_detects_one_byte
fi
