#!/usr/bin/env bash
# Version profiles of the importers (issue 13; gates in the first section
# of 1-common/compat_gates.h, byte-level checks in
# tests/unit/test_compat_tsdb.c).  Here, end to end:
#  - blocks written under the 3.14 profile (no label indices, no quirk
#    bytes, 1005-byte cuts, numFloatSamples) are read by the REAL promtool
#    2.42 (tsdb list, dump, analyze): same samples as the 2.42 profile's;
#  - the 2.42 profile (the default) writes what it always wrote;
#  - the rules importer's evaluation offset: rules.yml / group "example" /
#    60s evaluates at :39.456 under 2.42, :50.337 under 3.x (the note's
#    worked example), and its log lines are slog's from 3.0;
#  - openmetrics from a pipe under 3.3, refused (mmap) under 2.42.
. "$(dirname "$0")/../lib.sh"
export TZ=UTC
require_cmd compat_tsdb python3 || exit 0
REAL=${REAL_PROMTOOL:-/usr/bin/promtool}
T=$TMPROOT/compat_tsdb
mkdir -p "$T"

# Three series over 6h at 10s with jitter: random 52-bit values (chunks
# over 1005 bytes), small integers, and a series of single samples.
python3 - >"$T/in.om" <<'EOF'
import random
random.seed(5)
lines = []
t = 1700000000.0
for i in range(2160):
    t += 10 + random.randint(0, 3000) / 1000.0
    lines.append((t, 'm{s="rand"} %r %.3f' % (1 + random.getrandbits(52) / 2.0**52, t)))
    lines.append((t, 'm{s="small"} %d %.3f' % (i % 9, t)))
    if i % 700 == 0:
        lines.append((t, 'single{at="%d"} 3 %.3f' % (i, t)))
for _, l in sorted(lines, key=lambda x: x[0]):
    print(l)
print('# EOF')
EOF

for p in 2.42 3.14; do
	"$PROMTOOL" --compat=$p tsdb create-blocks-from openmetrics "$T/in.om" "$T/om-$p" >"$T/om-$p.out" 2>&1
	expect_eq "compat_tsdb: openmetrics import under $p" "$?" 0
	mkdir -p "$T/om-$p/wal"
done
"$REAL" tsdb create-blocks-from openmetrics "$T/in.om" "$T/om-real" >/dev/null 2>&1
mkdir -p "$T/om-real/wal"
# Each block's index and chunk files, blocks in time order: ULIDs do not
# give it (the importer writes several blocks at once, and a ULID's random
# part orders blocks made in the same millisecond).
block_sums() {
	for b in "$1"/0*/; do
		printf '%s %s\n' "$(grep -o '"minTime": *-\{0,1\}[0-9]*' "$b/meta.json" | grep -o -- '-\{0,1\}[0-9]*$')" "$b"
	done | sort -n | while read -r _ b; do
		(cd "$b" && sha256sum index chunks/*)
	done
}
block_sums "$T/om-real" >"$T/real.sums"
block_sums "$T/om-2.42" >"$T/242.sums"
block_sums "$T/om-3.14" >"$T/314.sums"
expect_files_eq "compat_tsdb: 2.42 profile writes the real promtool's index and chunks" "$T/242.sums" "$T/real.sums"
if cmp -s "$T/314.sums" "$T/242.sums"; then
	fail "compat_tsdb: 3.14 profile writes other bytes"
else
	pass "compat_tsdb: 3.14 profile writes other bytes"
fi

"$REAL" tsdb dump "$T/om-2.42" >"$T/dump-242" 2>&1
"$REAL" tsdb dump "$T/om-3.14" >"$T/dump-314" 2>&1
expect_eq "compat_tsdb: real promtool 2.42 dumps the 3.14 blocks" "$?" 0
expect_files_eq "compat_tsdb: same samples under 3.14 and 2.42" "$T/dump-314" "$T/dump-242"
"$PROMTOOL" tsdb dump "$T/om-3.14" >"$T/dump-314-ours" 2>&1
expect_files_eq "compat_tsdb: our dump reads the 3.14 blocks" "$T/dump-314-ours" "$T/dump-242"
n=$(wc -l <"$T/dump-242")
[ "$n" -gt 4000 ] && pass "compat_tsdb: dump has the samples" || fail "compat_tsdb: dump has the samples" "$n lines"
"$REAL" tsdb list "$T/om-3.14" >"$T/list-314" 2>&1
expect_eq "compat_tsdb: real promtool 2.42 lists the 3.14 blocks" "$?" 0
"$REAL" tsdb list "$T/om-2.42" >"$T/list-242" 2>&1
# the chunk counts differ (1005-byte cuts), the samples do not
s314=$(awk 'NR>1 {s+=$5} END {print s}' "$T/list-314")
s242=$(awk 'NR>1 {s+=$5} END {print s}' "$T/list-242")
expect_eq "compat_tsdb: same sample count in tsdb list" "$s314" "$s242"
c314=$(awk 'NR>1 {s+=$6} END {print s}' "$T/list-314")
c242=$(awk 'NR>1 {s+=$6} END {print s}' "$T/list-242")
[ "$c314" -gt "$c242" ] && pass "compat_tsdb: more chunks under 3.14 (1005-byte cut)" ||
	fail "compat_tsdb: more chunks under 3.14 (1005-byte cut)" "$c314 vs $c242"
for b in "$T"/om-3.14/0*; do
	"$REAL" tsdb analyze "$T/om-3.14" "$(basename "$b")" >"$T/an-314" 2>&1 || fail "compat_tsdb: real analyze of a 3.14 block" "$(head -3 "$T/an-314")"
	"$REAL" tsdb analyze "$T/om-3.14" "$(basename "$b")" | grep -q '^Series: ' ||
		fail "compat_tsdb: real analyze of a 3.14 block"
	grep -q '"numFloatSamples"' "$b/meta.json" || fail "compat_tsdb: numFloatSamples in 3.14 meta.json"
done
pass "compat_tsdb: real promtool 2.42 analyzes every 3.14 block"
if grep -q numFloatSamples "$T"/om-2.42/*/meta.json; then
	fail "compat_tsdb: no numFloatSamples under 2.42"
else
	pass "compat_tsdb: no numFloatSamples under 2.42"
fi
# 3.5: no numFloatSamples (3.6 added it); 3.6: label indices still there (3.7 dropped them)
"$PROMTOOL" --compat=3.5 tsdb create-blocks-from openmetrics "$T/in.om" "$T/om-3.5" >/dev/null 2>&1
"$PROMTOOL" --compat=3.6 tsdb create-blocks-from openmetrics "$T/in.om" "$T/om-3.6" >/dev/null 2>&1
if grep -q numFloatSamples "$T"/om-3.5/*/meta.json || ! grep -q numFloatSamples "$T"/om-3.6/*/meta.json; then
	fail "compat_tsdb: numFloatSamples from 3.6"
else
	pass "compat_tsdb: numFloatSamples from 3.6"
fi
"$PROMTOOL" --compat=3.7 tsdb create-blocks-from openmetrics "$T/in.om" "$T/om-3.7" >/dev/null 2>&1
c36=$(block_sums "$T/om-3.6" | grep chunks/ | sha256sum)
c37=$(block_sums "$T/om-3.7" | grep chunks/ | sha256sum)
expect_eq "compat_tsdb: 3.6 and 3.7 chunks are the same" "$c37" "$c36"
i36=$(cat "$T"/om-3.6/*/index | wc -c)
i37=$(cat "$T"/om-3.7/*/index | wc -c)
[ "$i37" -lt "$i36" ] && pass "compat_tsdb: 3.7 index is smaller (no label indices)" ||
	fail "compat_tsdb: 3.7 index is smaller (no label indices)" "$i37 vs $i36"

# The rules importer: offset and logs.
mkdir -p "$T/rules" && cd "$T/rules" || exit 1
cat >rules.yml <<'EOF'
groups:
  - name: example
    interval: 60s
    rules:
      - record: small:x2
        expr: m{s="small"} * 2
EOF
for p in 2.42 3.0 3.7; do
	"$PROMTOOL" --compat=$p tsdb create-blocks-from rules --source-dir "$T/om-2.42" --output-dir "out-$p" \
		--start 1700003600 --end 1700010800 rules.yml >"stdout-$p" 2>"stderr-$p"
	expect_eq "compat_tsdb: rules import under $p" "$?" 0
	mkdir -p "out-$p/wal"
	"$REAL" tsdb dump "out-$p" >"dump-$p" 2>&1
done
offsets() { awk '{print $NF % 60000}' "$1" | sort -u | tr '\n' ' '; }
# the query's start, 39.456891295 s past the minute, comes back rounded
# to the millisecond (the API's parseTime)
expect_eq "compat_tsdb: 2.42 evaluates at :39.456891295 (hash b63b7f17f860f19f)" "$(offsets dump-2.42)" "39457 "
expect_eq "compat_tsdb: 3.0 evaluates at :50.337076781 (hash 25b5f761f8444e2d)" "$(offsets dump-3.0)" "50337 "
n=$(wc -l <dump-3.0)
[ "$n" -ge 100 ] && pass "compat_tsdb: rules samples written" || fail "compat_tsdb: rules samples written" "$n"
expect_eq "compat_tsdb: 2.42 importer lines" "$(cat stderr-2.42)" 'level=info backfiller="new rule importer" start="14 Nov 23 23:13 UTC" end="15 Nov 23 01:13 UTC"
level=info backfiller="processing group" name=rules.yml;example
level=info backfiller="processing rule" id=0 name=small:x2'
ts='time=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
want="^$ts level=INFO source=rules.go:61 msg=\"new rule importer\" component=backfiller start=\"14 Nov 23 23:13 UTC\" end=\"15 Nov 23 01:13 UTC\"
$ts level=INFO source=rules.go:83 msg=\"processing group\" component=backfiller name=rules.yml;example
$ts level=INFO source=rules.go:86 msg=\"processing rule\" component=backfiller id=0 name=small:x2\$"
if [ "$(wc -l <stderr-3.0)" = 3 ] && tr '\n' '\001' <stderr-3.0 | sed 's/\x01$//' |
	grep -Eq "$(printf '%s' "$want" | tr '\n' '\001')"; then
	pass "compat_tsdb: 3.0 importer lines are slog's"
else
	fail "compat_tsdb: 3.0 importer lines are slog's" "$(cat stderr-3.0)"
fi
grep -q 'source=rules.go:62 msg="new rule importer"' stderr-3.7 && grep -q 'source=rules.go:89 msg="processing rule"' stderr-3.7 &&
	pass "compat_tsdb: 3.7 source lines" || fail "compat_tsdb: 3.7 source lines" "$(cat stderr-3.7)"
# --semantics prometheus (the rule manager, an extension) takes the
# release's offsets too (it writes the manager's ms-truncated times)
for p in 2.42 3.0; do
	"$PROMTOOL" --compat=$p tsdb create-blocks-from rules --semantics prometheus --source-dir "$T/om-2.42" \
		--output-dir "out-live-$p" --start 1700003600 --end 1700007200 rules.yml >/dev/null 2>&1
	mkdir -p "out-live-$p/wal"
	"$REAL" tsdb dump "out-live-$p" >"dump-live-$p" 2>&1
done
expect_eq "compat_tsdb: live semantics offsets of 2.42 and 3.0" "$(offsets dump-live-2.42)|$(offsets dump-live-3.0)" "39456 |50337 "
# the time zone of slog's time: local for 3.0 and 3.5+, UTC for 3.1-3.4
for p in 3.0 3.2 3.5; do
	TZ=Asia/Kolkata "$PROMTOOL" --compat=$p tsdb create-blocks-from rules --source-dir "$T/om-2.42" \
		--output-dir "out-tz-$p" --start 1700003600 --end 1700007200 rules.yml >/dev/null 2>"stderr-tz-$p"
done
zones=$(for p in 3.0 3.2 3.5; do head -n 1 "stderr-tz-$p" | cut -d' ' -f1 | grep -oE '(Z|\+05:30)$'; done | tr '\n' ' ')
expect_eq "compat_tsdb: slog time zones of 3.0, 3.2, 3.5" "$zones" "+05:30 Z +05:30 "
cd - >/dev/null || exit 1

# openmetrics from a pipe: 3.3 reads it whole, 2.42 cannot mmap it.
"$PROMTOOL" --compat=3.3 tsdb create-blocks-from openmetrics <(cat "$T/in.om") "$T/om-pipe" >"$T/pipe.out" 2>&1
expect_eq "compat_tsdb: 3.3 imports a pipe" "$?" 0
mkdir -p "$T/om-pipe/wal"
"$REAL" tsdb dump "$T/om-pipe" >"$T/dump-pipe" 2>&1
expect_files_eq "compat_tsdb: pipe import has every sample" "$T/dump-pipe" "$T/dump-242"
"$PROMTOOL" tsdb create-blocks-from openmetrics <(cat "$T/in.om") "$T/om-pipe242" >"$T/pipe242.out" 2>&1
rc=$?
"$REAL" tsdb create-blocks-from openmetrics <(cat "$T/in.om") "$T/om-pipereal" >"$T/pipereal.out" 2>&1
rcr=$?
expect_eq "compat_tsdb: 2.42 refuses a pipe as the real one does" "$rc:$(sed -E 's|/dev/fd/[0-9]+|FD|; s|/proc/self/fd/[0-9]+|FD|' "$T/pipe242.out")" \
	"$rcr:$(sed -E 's|/dev/fd/[0-9]+|FD|; s|/proc/self/fd/[0-9]+|FD|' "$T/pipereal.out")"
out=$("$PROMTOOL" --compat=3.3 tsdb create-blocks-from openmetrics "$T/missing.om" "$T/om-missing" 2>&1)
expect_eq "compat_tsdb: 3.3 stats the input first" "$?:$out" "1:stat $T/missing.om: no such file or directory"

# openmetrics --label (2.55): set on every sample, an empty value removes
# the label; not a flag of 2.54.
printf 'm{a="1",c="3"} 1 1700000000\nm{a="2"} 2 1700000001\n# EOF\n' >"$T/l.om"
"$PROMTOOL" --compat=2.55 tsdb create-blocks-from openmetrics --label b=2 --label a= --label b=3 "$T/l.om" "$T/om-l" >/dev/null 2>&1
expect_eq "compat_tsdb: openmetrics --label under 2.55" "$?" 0
mkdir -p "$T/om-l/wal"
expect_eq "compat_tsdb: --label values on every series" "$("$REAL" tsdb dump "$T/om-l")" '{__name__="m", b="3"} 2 1700000001000
{__name__="m", b="3", c="3"} 1 1700000000000'
out=$("$PROMTOOL" --compat=2.54 tsdb create-blocks-from openmetrics --label b=2 "$T/l.om" "$T/om-l2" 2>&1)
expect_eq "compat_tsdb: no --label in 2.54" "$?:$out" "1:promtool: error: unknown long flag '--label', try --help"
out=$("$PROMTOOL" --compat=2.55 tsdb create-blocks-from openmetrics --label b "$T/l.om" "$T/om-l3" 2>&1)
expect_eq "compat_tsdb: --label without =" "$?:$out" "1:promtool: error: expected KEY=VALUE got 'b', try --help"
