# Helpers shared by the tsdb list/analyze/dump golden tests
# (tests/sh/tsdb_read_golden.sh, tests/conformance/tsdb_read_v1.sh); source
# it after tests/lib.sh.  Goldens are testdata/tsdb-read/golden/NAME.txt.
T=testdata/tsdb-read

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

# run NAME CANON_LIMIT FIXTURE ARGS... ("@DB@" is the db path)
run() {
	local name=$1 lim=$2 fix=$3; shift 3
	local d="$TMPROOT/$name" args=() a rc=0 want="$T/golden/$name.txt"
	if [ ! -f "$want" ]; then fail "tsdb_read $name" "missing $want"; return; fi
	mkdir -p "$d"
	ln -s "$fix" "$d/db"
	for a in "$@"; do args+=("${a//@DB@/db}"); done
	(cd "$d" && "$PROMTOOL" "${args[@]}") >"$d/got" 2>"$d/err" || rc=$?
	echo "exit $rc" >>"$d/got"
	if [ "$lim" = "-" ]; then
		expect_files_eq "tsdb_read $name" "$d/got" "$want"
	else
		canon "$lim" <"$d/got" >"$d/got.c"
		canon "$lim" <"$want" >"$d/want.c"
		expect_files_eq "tsdb_read $name" "$d/got.c" "$d/want.c"
	fi
}
