#!/usr/bin/env bash
# Extracts the goldens of tests/sh/compat_writedoc.sh: <V>.md is upstream's
# docs/command-line/promtool.md at tag v<V>, which upstream generates with
# `promtool write-documentation` (util/documentcli/documentcli.go) and
# commits.  Not run by the tests (CI has no mirror); run by hand:
#   testdata/compat-help/writedoc/regen.sh [GIT_DIR]
#   testdata/compat-help/writedoc/regen.sh --check [GIT_DIR]
# --check compares bin/promtool --compat=V write-documentation with that
# file for every release in 1-common/compat_gates.h that has it, and exits
# non-zero when one differs.
# 2.44.0: first release, "# promtool" header, no `--flag` backticks;
# 2.55.0: repeated-flag marker with the unclosed <code>;
# 3.14.0: header without heading, marker closed (3.13).
set -euo pipefail
check=false
if [ "${1:-}" = --check ]; then
	check=true
	shift
fi
git_dir=${1:-/work/.mirror/prometheus+prometheus/repo}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)

if ! $check; then
	for v in 2.44.0 2.55.0 3.14.0; do
		git --git-dir="$git_dir" show "v$v:docs/command-line/promtool.md" >"$here/$v.md"
	done
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
same=0 differ=0
for v in $(sed -n '/^#define COMPAT_RELEASES/,/^$/p' "$root/1-common/compat_gates.h" |
	grep -o 'X([0-9]*, [0-9]*, [0-9]*)' | tr -d 'X() ' | tr , .); do
	git --git-dir="$git_dir" show "v$v:docs/command-line/promtool.md" >"$tmp/up.md" 2>/dev/null || continue
	"$root/bin/promtool" --compat="$v" write-documentation >"$tmp/ours.md" 2>&1 || true
	if cmp -s "$tmp/up.md" "$tmp/ours.md"; then
		same=$((same + 1))
	else
		differ=$((differ + 1))
		echo "differs: $v"
		diff "$tmp/up.md" "$tmp/ours.md" | head -n 10 || true
	fi
done
echo "$same releases identical, $differ differ"
[ "$differ" = 0 ]
