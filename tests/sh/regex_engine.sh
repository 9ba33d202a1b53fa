#!/usr/bin/env bash
# Regexp matchers through `tsdb dump --match` on patterns that make a
# backtracking matcher give up ((a|a)*c|.+ and friends): our output, exit
# code and error text must be real promtool 2.42's, byte for byte
# (testdata/promql-eval/regex/dump.txt, made by its regen.sh).  Also the one
# deliberate difference: a pattern Go accepts but RE2 cannot compile is an
# error, never a matcher that silently matches nothing (COMPATIBILITY.md).
. "$(dirname "$0")/../lib.sh"
T=testdata/promql-eval/regex

if [ ! -f "$T/dump.txt" ]; then
	fail regex_engine_dump "missing $T/dump.txt"
else
	got=$TMPROOT/dump.txt
	: >"$got"
	n=0
	while IFS= read -r line; do
		case $line in '# '*) ;; *) continue ;; esac
		sel=${line#\# }
		n=$((n + 1))
		echo "# $sel" >>"$got"
		rc=0
		"$PROMTOOL" tsdb dump --match="$sel" "$T/data" </dev/null >>"$got" 2>"$TMPROOT/err" || rc=$?
		if [ $rc -ne 0 ]; then
			echo "## exit $rc" >>"$got"
			cat "$TMPROOT/err" >>"$got"
		fi
	done <"$T/dump.txt"
	if [ $n -lt 40 ]; then
		fail regex_engine_dump "only $n selectors in $T/dump.txt"
	else
		expect_files_eq "regex_engine_dump ($n selectors)" "$got" "$T/dump.txt"
	fi
fi

# Go accepts it (x{0} is never looked into); RE2 refuses the nested repeat.
rc=0
out=$("$PROMTOOL" tsdb dump --match='{v=~"((a{1000}){0}){2}"}' "$T/data" 2>&1) || rc=$?
expect_eq regex_engine_beyond_re2 "$rc:$out" \
	'1:1:2: parse error: cannot compile regexp: invalid repetition size: {2}: `^(?:((a{1000}){0}){2})$`'
