#!/usr/bin/env bash
# meta.json as 2.42 reads it: for every case of testdata/tsdb-meta/mkcase.py
# (the newest block of a data dir with an edited meta.json), `tsdb list`,
# `tsdb analyze` and `tsdb dump` must print the stdout and exit code real
# promtool 2.42 printed (testdata/tsdb-meta/golden, made by regen.sh): a
# block Go reads (invalid UTF-8, lone surrogates and NULs in strings, keys
# in another case) is read, a block Go refuses (negative or fractional
# counts, wrong types, bad ULIDs, bad versions) is left out.  stderr is
# 2.42's, after one line of ours per left-out block, "skipping block
# '<dir>': <why>", with why in the words a Prometheus 2.42 server logs
# (syntax errors excepted: jansson's position and words, not Go's).
# analyze's sections are compared as multisets (2.42 orders ties randomly).
. "$(dirname "$0")/../lib.sh"
M=$ROOT/testdata/tsdb-meta

if ! command -v python3 >/dev/null; then
	skip tsdb_meta_golden "needs python3"
	exit 0
fi
# analyze orders equal counts randomly: its sections are compared as
# multisets, as tests/sh/tsdb_read_golden.sh does.
# canon LIMIT: sorts each run of "<count> <key>" lines; in a section cut at
# LIMIT lines, keys tied at the lowest count become <tie>.
canon() {
	awk -v limit="$1" '
	function flush(   i, min, k) {
		if (!n) return
		min = -1
		for (i = 1; i <= n; i++) { k = sec[i] + 0; if (min < 0 || k < min) min = k }
		for (i = 1; i <= n; i++) {
			if (n == limit && sec[i] + 0 == min) sub(/ .*/, " <tie>", sec[i])
			print sec[i] | "LC_ALL=C sort"
		}
		close("LC_ALL=C sort")
		n = 0
	}
	/^[0-9]+ / { sec[++n] = $0; next }
	# a label value holding a newline continues the previous entry
	n && $0 != "" && $0 !~ /:$/ { sec[n] = sec[n] "\\n" $0; next }
	{ flush(); print }
	END { flush() }'
}

n=0
for c in $("$M/mkcase.py" --list); do
	rm -rf "$TMPROOT/db"
	"$M/mkcase.py" "$ROOT/testdata/tsdb-read/fixtures/blocks" "$TMPROOT/db" "$c"
	blk=$(cd "$TMPROOT/db" && ls -d 01* | sort | tail -n 1)
	for cmd in list analyze dump; do
		g=$M/golden/$c.$cmd.txt
		rc=0
		(cd "$TMPROOT" && "$PROMTOOL" tsdb "$cmd" db >out 2>err) || rc=$?
		{
			cat "$TMPROOT/out"
			echo "--- stderr"
			# our line first, then what 2.42 printed
			if [ -f "$M/golden/$c.skip" ]; then
				line=$(head -n 1 "$TMPROOT/err")
				why=$(cat "$M/golden/$c.skip")
				case $why in
				'?' | 'unexpected end of JSON input' | 'invalid character'*)
					# 2.42's reason is not known or is a syntax error: ours
					case $line in
					"skipping block 'db/$blk': "*) ;;
					*) echo "want a skipping line for db/$blk, got: $line" ;;
					esac ;;
				*)
					[ "$line" = "skipping block 'db/$blk': $why" ] ||
						echo "want: skipping block 'db/$blk': $why; got: $line" ;;
				esac
				tail -n +2 "$TMPROOT/err"
			else
				cat "$TMPROOT/err"
			fi
			echo "exit $rc"
		} >"$TMPROOT/got"
		if [ "$cmd" = analyze ]; then
			canon 20 <"$TMPROOT/got" >"$TMPROOT/got.c"
			canon 20 <"$g" >"$TMPROOT/want.c"
			expect_files_eq "tsdb_meta_golden $c.$cmd" "$TMPROOT/got.c" "$TMPROOT/want.c"
		else
			expect_files_eq "tsdb_meta_golden $c.$cmd" "$TMPROOT/got" "$g"
		fi
		n=$((n + 1))
	done
done
# The comparison sees one changed byte of a golden.
cp "$M/golden/neg_samples.list.txt" "$TMPROOT/want"
sed -i '2s/1/2/' "$TMPROOT/want"
(cd "$TMPROOT" && rm -rf db && "$M/mkcase.py" "$ROOT/testdata/tsdb-read/fixtures/blocks" db neg_samples &&
	"$PROMTOOL" tsdb list db >out 2>/dev/null)
if cmp -s <(sed -n '2p' "$TMPROOT/out") <(sed -n '2p' "$TMPROOT/want"); then
	fail tsdb_meta_golden_detects_one_byte "a changed golden byte went unnoticed"
else
	pass tsdb_meta_golden_detects_one_byte
fi
[ "$n" -gt 50 ] || fail tsdb_meta_golden_count "only $n comparisons"

# --source-dir leaves the block out too, with the same line first; the
# blocks written are those of the same dir without that block.
rm -rf "$TMPROOT/db" "$TMPROOT/db2" "$TMPROOT/o1" "$TMPROOT/o2"
"$M/mkcase.py" "$ROOT/testdata/tsdb-read/fixtures/blocks" "$TMPROOT/db" neg_samples
blk=$(cd "$TMPROOT/db" && ls -d 01* | sort | tail -n 1)
cp -r "$TMPROOT/db" "$TMPROOT/db2" && rm -rf "$TMPROOT/db2/$blk"
printf 'groups:\n  - name: g\n    rules:\n      - record: n\n        expr: count(up)\n' >"$TMPROOT/r.yml"
(cd "$TMPROOT" && "$PROMTOOL" tsdb create-blocks-from rules --source-dir db --output-dir o1 \
	--start 1600000000 --end 1600018000 r.yml >out1 2>err1; echo "exit $?" >>out1)
(cd "$TMPROOT" && "$PROMTOOL" tsdb create-blocks-from rules --source-dir db2 --output-dir o2 \
	--start 1600000000 --end 1600018000 r.yml >out2 2>err2; echo "exit $?" >>out2)
expect_eq tsdb_meta_source_dir_line "$(head -n 1 "$TMPROOT/err1")" \
	"skipping block 'db/$blk': $(cat "$M/golden/neg_samples.skip")"
expect_eq tsdb_meta_source_dir_rest "$(tail -n +2 "$TMPROOT/err1"; cat "$TMPROOT/out1")" \
	"$(cat "$TMPROOT/err2" "$TMPROOT/out2")"
expect_eq tsdb_meta_source_dir_samples "$("$PROMTOOL" tsdb dump "$TMPROOT/o1" 2>&1 | sort)" \
	"$("$PROMTOOL" tsdb dump "$TMPROOT/o2" 2>&1 | sort)"
