#!/usr/bin/env bash
# 3.14's chunk encodings 4-6 (issue 13, item 4) through promtool's readers,
# on the fixtures tests/unit/test_read_xor2.c writes from
# tsdb/chunkenc/xor2.go and tsdb/docs/format/{chunks,head_chunks}.md at
# v3.14.0: a block whose series x is in XOR2 chunks (encoding 4, a stale
# marker among its samples), h's second chunk has encoding 5 and fh's only
# one encoding 6 (histograms with start timestamps), and a head with an
# m-mapped XOR2 chunk.  The floats come out as written (the series' samples
# are known: test_read_xor2.c x_value), the histogram series stop at their
# first such chunk with the one counting warning native histograms have.
. "$(dirname "$0")/../lib.sh"
export TZ=UTC
GEN=${GEN:-bin/tests/test_read_xor2}
T=$TMPROOT/readxor2
mkdir -p "$T"
if [ ! -x "$GEN" ]; then
	fail compat_read_xor2 "no $GEN (make bin/tests/test_read_xor2)"
	exit 0
fi
for k in xor2block xor2head; do
	"$GEN" --write $k "$T/$k" || fail "compat_read_xor2: fixture $k"
done

# x: 400 samples 15 s apart from 1000 ms, value (i/10)*0.5, a stale marker at 250
want_x() {
	awk -v fmt="$1" 'BEGIN { for (i = 0; i < 400; i++) {
		v = (i == 250) ? "NaN" : sprintf("%.15g", int(i / 10) * 0.5)
		if (fmt == "om") printf "x{} %s %.3f\n", v, (1000 + i * 15000) / 1000
		else printf "{__name__=\"x\"} %s %d\n", v, 1000 + i * 15000 } }'
}

"$PROMTOOL" tsdb dump --match=x "$T/xor2block" >"$T/x.dump" 2>"$T/x.err"
want_x dump >"$T/x.want"
expect_files_eq "compat_read_xor2: tsdb dump of XOR2 chunks" "$T/x.dump" "$T/x.want"
expect_eq "compat_read_xor2: no word on stderr" "$(cat "$T/x.err")" ""
"$PROMTOOL" --compat=3.14 tsdb dump-openmetrics --match=x "$T/xor2block" >"$T/x.om" 2>&1
{ want_x om; echo '# EOF'; } >"$T/x.omwant"
expect_files_eq "compat_read_xor2: dump-openmetrics of XOR2 chunks" "$T/x.om" "$T/x.omwant"

out=$("$PROMTOOL" --compat=3.14 tsdb dump "$T/xor2block" 2>&1 >"$T/all.dump")
expect_eq "compat_read_xor2: 3.14 dump counts the ST histogram series" "$out" \
	"tsdb dump: native histogram samples of 2 series not printed"
expect_eq "compat_read_xor2: fh (encoding 6) has no floats" "$(grep -c '"fh"' "$T/all.dump")" 0
n=$(grep -c '"h"' "$T/all.dump")
[ "$n" -gt 60 ] && [ "$n" -lt 240 ] && [ "$(grep '"h"' "$T/all.dump" | tail -n 1)" = "{__name__=\"h\"} $((n - 1)) $((1000 + (n - 1) * 15000))" ] &&
	pass "compat_read_xor2: h stops at its encoding-5 chunk" || fail "compat_read_xor2: h stops at its encoding-5 chunk" "$n samples"

"$PROMTOOL" tsdb list "$T/xor2block" >"$T/list" 2>&1
expect_eq "compat_read_xor2: tsdb list" "$(awk 'NR == 2 { print $2, $3, $5, $6, $7 }' "$T/list")" "1000 5986001 820 9 3"
"$PROMTOOL" tsdb analyze --extended "$T/xor2block" >"$T/analyze" 2>&1
expect_eq "compat_read_xor2: tsdb analyze --extended reads every chunk" "$?:$(grep -c 'Fullness' "$T/analyze")" "0:1"

cat >"$T/r.yml" <<'EOR'
groups:
  - name: g
    interval: 15s
    rules:
      - record: s
        expr: sum(x)
      - record: n
        expr: count({__name__=~"x|h|fh"})
EOR
# from $T, so the evaluation offsets (a hash of the file name) are the same every run
(cd "$T" && "$PROMTOOL" tsdb create-blocks-from rules --source-dir xor2block --output-dir rb --start 1 --end 4000 \
	r.yml) >"$T/rb.out" 2>"$T/rb.err"
expect_eq "compat_read_xor2: --source-dir, one warning with the count" "$?:$(grep warning "$T/rb.err")" \
	"0:warning: 2 series with native histogram samples skipped (--source-dir evaluates float samples only)"
mkdir -p "$T/rb/wal"
# sum(x) at each evaluation: x's latest sample (i), none where that is the
# stale marker (i = 250)
"$PROMTOOL" tsdb dump --match=s "$T/rb" | awk '{print $2, $3}' >"$T/s.dump"
awk -v last="$(tail -n 1 "$T/s.dump" | cut -d' ' -f2)" -v first="$(head -n 1 "$T/s.dump" | cut -d' ' -f2)" \
	'BEGIN { for (t = first; t <= last; t += 15000) { i = int((t - 1000) / 15000); if (i != 250) printf "%.15g %d\n", int(i / 10) * 0.5, t } }' >"$T/s.want"
expect_files_eq "compat_read_xor2: sum(x) over XOR2 samples, the stale marker honoured" "$T/s.dump" "$T/s.want"
# x's stale marker is at 3751000 ms, its next sample at 3766000 (the
# evaluation times depend on the rule file's path, a temporary one)
gap=$(awk '$2 >= 3751000 && $2 < 3766000' "$T/s.dump" | wc -l)
before=$(awk '$2 < 3751000' "$T/s.dump" | wc -l)
after=$(awk '$2 >= 3766000' "$T/s.dump" | wc -l)
[ "$gap" = 0 ] && [ "$before" -ge 249 ] && [ "$after" -ge 14 ] &&
	pass "compat_read_xor2: no sum after the stale marker, evaluations on both sides" ||
	fail "compat_read_xor2: no sum after the stale marker, evaluations on both sides" "$gap $before $after"
"$PROMTOOL" tsdb dump --match=n "$T/rb" | awk '{print $2}' | sort -u >"$T/n.dump"
expect_eq "compat_read_xor2: count() sees only x" "$(cat "$T/n.dump")" "1"

"$PROMTOOL" tsdb dump "$T/xor2head" >"$T/head.dump" 2>&1
expect_eq "compat_read_xor2: m-mapped XOR2 head chunk then the WAL" "$(cat "$T/head.dump")" "$(printf '{__name__="a"} 1 1000\n{__name__="a"} 1 2000\n{__name__="a"} 2 3000\n{__name__="a"} 4 4000\n{__name__="a"} 5 5000')"

