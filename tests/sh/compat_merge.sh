#!/usr/bin/env bash
# --merge-blocks under a version profile (issue 13): the merged block's
# chunks follow the profile's chunk bytes as the per-rule blocks' do.
#  - series only one rule writes: the merged block holds exactly the chunks
#    the per-rule blocks of the same profile hold (the 1005-byte cut, the
#    end-time estimate and the quirk byte are the head's, gated there);
#  - series two rules write at interleaved times: the compactor re-encodes
#    them (storage/series.go seriesToChunkEncoder at v3.14.0: 120 samples a
#    chunk, no other cut), so under 3.14 they are 2.42's re-encoded chunks
#    minus only the bstream quirk byte (tsdb/chunkenc/bstream.go at v3.0.0),
#    with the same samples.
# The 2.42 profile's merged blocks are pinned against a real Prometheus 2.42
# compactor by tests/sh/rules_merge.sh; the bytes of the re-encoding by
# tests/unit/test_compat_merge.c.
. "$(dirname "$0")/../lib.sh"
export TZ=UTC
w=$TMPROOT/merge
mkdir -p "$w"

# source data: 12 routes, a counter every 15 s over 5 h
awk 'BEGIN { for (t = 1700000000; t < 1700018000; t += 15) for (r = 1; r <= 12; r++)
	printf "req_total{route=\"r%d\"} %d %d\n", r, (t - 1700000000) * r + int(t % 7), t; print "# EOF" }' >"$w/src.om"
"$PROMTOOL" tsdb create-blocks-from openmetrics "$w/src.om" "$w/src" >/dev/null || fail "compat_merge source data"

cat >"$w/distinct.yml" <<'EOR'
groups:
  - name: a
    interval: 1m
    rules:
      - record: route:rate5m
        expr: sum by (route) (rate(req_total[5m]))
  - name: b
    interval: 20s
    rules:
      - record: all:rate1m
        expr: sum(rate(req_total[1m])) * 1.001
EOR
cat >"$w/collide.yml" <<'EOR'
groups:
  - name: a
    interval: 1m
    rules:
      - record: route:rate5m
        expr: sum by (route) (rate(req_total[5m]))
  - name: b
    interval: 2h
    rules:
      # one sample a window inside a's chunk: merged, 121 samples cut
      # into 120 + 1, and a one-sample chunk always ends byte-aligned
      - record: route:rate5m
        expr: sum by (route) (rate(req_total[5m])) * 1.5
EOR

# backfill NAME RULES PROFILE [--merge-blocks]: --source-dir run into $w/NAME
backfill() {
	local name=$1 rules=$2 profile=$3
	shift 3
	# from $w, so the evaluation offsets (a hash of the file name) are the same every run
	(cd "$w" && PROMTOOL_COMPAT=$profile "$PROMTOOL" tsdb create-blocks-from rules "$@" --source-dir src \
		--output-dir "$name" --start 1700003000 --end 1700017000 "$rules.yml") >"$w/$name.out" 2>&1 ||
		fail "compat_merge run $name" "$(head -3 "$w/$name.out")"
	mkdir -p "$w/$name/wal"
}
# chunks DIR: every chunk (encoding and data in hex) of the blocks in DIR, sorted
chunks() {
	python3 - "$1" <<'EOP'
import glob, sys
out = []
for f in glob.glob(sys.argv[1] + "/*/chunks/*"):
    b = open(f, "rb").read()
    p = 8
    while p < len(b):
        n = s = 0
        while True:
            c = b[p]; p += 1
            n |= (c & 0x7f) << s; s += 7
            if c < 0x80: break
        out.append(b[p:p + 1 + n].hex())
        p += 1 + n + 4
print("\n".join(sorted(out)))
EOP
}

backfill d314 distinct 3.14
backfill d314m distinct 3.14 --merge-blocks
chunks "$w/d314" >"$w/d314.chunks"
chunks "$w/d314m" >"$w/d314m.chunks"
[ "$(wc -l <"$w/d314.chunks")" -gt 10 ] && pass "compat_merge: distinct series have chunks" || fail "compat_merge: distinct series have chunks"
expect_files_eq "compat_merge: 3.14 merged block holds the per-rule blocks' chunks" "$w/d314m.chunks" "$w/d314.chunks"
backfill d242 distinct ""
chunks "$w/d242" >"$w/d242.chunks"
cmp -s "$w/d242.chunks" "$w/d314.chunks" && fail "compat_merge: the 3.14 profile changes the chunks" ||
	pass "compat_merge: the 3.14 profile changes the chunks"

backfill c314m collide 3.14 --merge-blocks
# 2.55 evaluates at the same times as 3.14 (the offset hash of 2.44+; 3.5's
# change is for names of 128 bytes or more) and cuts chunks as 3.14 does:
# only the quirk byte differs
backfill c255m collide 2.55 --merge-blocks
"$PROMTOOL" tsdb dump "$w/c314m" >"$w/c314m.dump" 2>&1
"$PROMTOOL" tsdb dump "$w/c255m" >"$w/c255m.dump" 2>&1
expect_files_eq "compat_merge: re-encoded series, same samples under 3.14 and 2.55" "$w/c314m.dump" "$w/c255m.dump"
chunks "$w/c314m" >"$w/c314m.chunks"
chunks "$w/c255m" >"$w/c255m.chunks"
# every 3.14 chunk is a 2.55 chunk or one minus its last byte 00, and some
# are each
python3 - "$w/c255m.chunks" "$w/c314m.chunks" >"$w/cmp" <<'EOP'
import sys
a = open(sys.argv[1]).read().split()
b = open(sys.argv[2]).read().split()
sa = set(a)
trimmed = same = bad = 0
for c in b:
    if c in sa: same += 1
    elif c + "00" in sa: trimmed += 1
    else: bad += 1
print(len(a) == len(b), bad, trimmed > 0, same > 0)
EOP
expect_eq "compat_merge: 3.14 re-encoded chunks are 2.55's minus the quirk byte" "$(cat "$w/cmp")" "True 0 True True"
