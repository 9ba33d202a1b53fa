#!/usr/bin/env bash
# Reading data dirs of later Prometheus versions (issue 13, item 4), on the
# fixtures tests/unit/test_read3x.c writes from upstream's format docs:
#  - WAL records 1-8 (histograms, float histograms, exemplars, metadata)
#    with snappy: our tsdb dump is byte for byte the REAL promtool 2.42's;
#  - out-of-order data (wbl/ with an m-map marker, an OOO m-mapped chunk,
#    duplicates of in-order and of OOO samples): the same against 2.42;
#  - 3.x only (records 9-13, zstd): the same floats; a --source-dir rule
#    skips the histogram series (WAL records or a block's histogram chunk)
#    with one warning; tsdb dump under a 2.48+ profile says what it left
#    out, the 2.42 profile stays silent.
. "$(dirname "$0")/../lib.sh"
export TZ=UTC
GEN=${GEN:-bin/tests/test_read3x}
REAL=${REAL_PROMTOOL:-/usr/bin/promtool}
T=$TMPROOT/read3x
mkdir -p "$T"
if [ ! -x "$GEN" ]; then
	fail compat_read3x "no $GEN (make bin/tests/test_read3x)"
	exit 0
fi
for k in wal242 ooo242 wal3x ooo hblock; do
	"$GEN" --write $k "$T/$k" || fail "compat_read3x: fixture $k"
done

for k in wal242 ooo242; do
	"$REAL" tsdb dump "$T/$k" >"$T/$k.real" 2>&1
	"$PROMTOOL" tsdb dump "$T/$k" >"$T/$k.ours" 2>&1
	expect_files_eq "compat_read3x: $k dump as the real promtool 2.42" "$T/$k.ours" "$T/$k.real"
done
# the fixtures hold what they should: 2.42 stops series h at its histogram
grep -q '^{__name__="h"} 2 2000$' "$T/wal242.real" && ! grep -q ' 3500$' "$T/wal242.real" &&
	pass "compat_read3x: wal242 floats stop at the histogram" || fail "compat_read3x: wal242 floats stop at the histogram"
grep -q ' 5 5000$' "$T/ooo242.real" && ! grep -q ' 7000$' "$T/ooo242.real" && grep -q '} 20 20000$' "$T/ooo242.real" &&
	pass "compat_read3x: ooo242 has the OOO samples, not the marked ones" ||
	fail "compat_read3x: ooo242 has the OOO samples, not the marked ones" "$(cat "$T/ooo242.real")"

"$PROMTOOL" tsdb dump "$T/wal3x" >"$T/wal3x.ours" 2>"$T/wal3x.err"
expect_files_eq "compat_read3x: 3.x records give the same floats" "$T/wal3x.ours" "$T/wal242.real"
expect_eq "compat_read3x: 2.42 profile dump says nothing of histograms" "$(cat "$T/wal3x.err")" ""
out=$("$PROMTOOL" --compat=3.0 tsdb dump "$T/wal3x" 2>&1 >/dev/null)
expect_eq "compat_read3x: 3.0 profile dump names what it skips" "$out" \
	"tsdb dump: native histogram samples of 2 series not printed"
out=$("$PROMTOOL" --compat=2.47 tsdb dump "$T/wal3x" 2>&1 >/dev/null)
expect_eq "compat_read3x: 2.47 dump (no histogram printing) is silent" "$out" ""
"$PROMTOOL" tsdb dump "$T/ooo" >"$T/ooo.ours" 2>&1
expect_eq "compat_read3x: 3.x OOO (SamplesV2, zstd in wbl/)" "$(awk '{print $NF":"$(NF-1)}' "$T/ooo.ours" | tr '\n' ' ')" \
	"2000:2 5000:5 10000:10 15000:15 20000:20 25000:25 30000:30 "

cat >"$T/r.yml" <<'EOR'
groups:
  - name: g
    interval: 1s
    rules:
      - record: n
        expr: count({__name__=~"a|b|h|fh"})
EOR
"$PROMTOOL" tsdb create-blocks-from rules --source-dir "$T/wal3x" --output-dir "$T/rb" --start 1 --end 6 "$T/r.yml" \
	>"$T/rb.out" 2>"$T/rb.err"
expect_eq "compat_read3x: --source-dir over 3.x records" "$?" 0
expect_eq "compat_read3x: one warning with the count" "$(grep -c warning "$T/rb.err"):$(grep warning "$T/rb.err")" \
	"1:warning: 2 series with native histogram samples skipped (--source-dir evaluates float samples only)"
mkdir -p "$T/rb/wal"
expect_eq "compat_read3x: the histogram series are not counted" "$("$PROMTOOL" tsdb dump "$T/rb" | awk '{print $2}' | sort -u)" "2"

# a block whose series h has a histogram chunk (encoding 2)
"$PROMTOOL" tsdb create-blocks-from rules --source-dir "$T/hblock" --output-dir "$T/rh" --start 1 --end 250 "$T/r.yml" \
	>"$T/rh.out" 2>"$T/rh.err"
expect_eq "compat_read3x: histogram chunk of a block skipped, one warning" "$(grep warning "$T/rh.err")" \
	"warning: 1 series with native histogram samples skipped (--source-dir evaluates float samples only)"
mkdir -p "$T/rh/wal"
expect_eq "compat_read3x: only series a counted" "$("$PROMTOOL" tsdb dump "$T/rh" | awk '{print $2}' | sort -u)" "1"
