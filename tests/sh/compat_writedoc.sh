#!/usr/bin/env bash
# promtool write-documentation (hidden, 2.44+): the markdown CLI reference
# generated from our table for the profile's release must be byte for byte
# upstream's docs/command-line/promtool.md at that tag, which upstream
# generates with util/documentcli/documentcli.go and commits.  Goldens in
# testdata/compat-help/writedoc/ (extracted by its regen.sh, which also
# compares every release 2.44.0-3.14.0 when the upstream mirror is at hand).
. "$(dirname "$0")/../lib.sh"
D=testdata/compat-help/writedoc
w=$TMPROOT/writedoc
mkdir -p "$w"

for g in "$D"/*.md; do
	v=$(basename "$g" .md)
	rc=0
	"$PROMTOOL" --compat="$v" write-documentation >"$w/$v.md" 2>"$w/$v.err" || rc=$?
	if [ "$rc" = 0 ] && [ ! -s "$w/$v.err" ]; then
		expect_files_eq "compat_writedoc $v" "$w/$v.md" "$g"
	else
		fail "compat_writedoc $v" "exit $rc, stderr: $(head -n 3 "$w/$v.err")"
	fi
done

# The goldens differ from one another (header, backticks, the "..." marker),
# so a comparison against the wrong release fails.
if cmp -s "$w/2.55.0.md" "$D/3.14.0.md" || cmp -s "$w/2.44.0.md" "$D/2.55.0.md"; then
	fail "compat_writedoc releases differ" "two releases' documentation compare equal"
else
	pass "compat_writedoc releases differ"
fi

# 2.42 (the default) and 2.43 have no such command.
for v in "" 2.43.0; do
	rc=0
	"$PROMTOOL" ${v:+--compat=$v} write-documentation >"$w/out" 2>"$w/err" || rc=$?
	if [ "$rc" = 1 ] && [ ! -s "$w/out" ] &&
		[ "$(cat "$w/err")" = 'promtool: error: expected command but got "write-documentation", try --help' ]; then
		pass "compat_writedoc absent in ${v:-2.42.0}"
	else
		fail "compat_writedoc absent in ${v:-2.42.0}" "exit $rc" "$(head -n 3 "$w/err")"
	fi
done

# Hidden: not in the command list of --help.
if "$PROMTOOL" --compat=3.14.0 --help | grep -q write-documentation; then
	fail "compat_writedoc hidden" "write-documentation in --help"
else
	pass "compat_writedoc hidden"
fi
