# Shared by regen.sh and tests/sh/test_rules_golden.sh: runs one case of
# cases.txt with the promtool given and prints its record (exit code,
# stdout, stderr).
# tr_record PROMTOOL DIR FILES...
tr_record() {
	local tool=$1 dir=$2 out err rc
	shift 2
	out=$(mktemp) err=$(mktemp)
	rc=0
	(cd "$dir" && "$tool" test rules "$@" >"$out" 2>"$err" </dev/null) || rc=$?
	printf 'rc=%s\n--- stdout\n' "$rc"
	cat "$out"
	printf -- '--- stderr\n'
	cat "$err"
	rm -f "$out" "$err"
}

# tr_dir KIND CONFORMANCE_DIR CASES_DIR
tr_dir() {
	if [ "$1" = conf ]; then echo "$2/promtool-v2.42"; else echo "$3"; fi
}
