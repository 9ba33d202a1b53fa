# Helpers for shell tests; source it from tests/sh/*.sh.
#
# A test prints "PASS name", "FAIL name" (with details on stderr) or
# "SKIP name: why".  Paths are relative to the project root, which is the
# working directory when tests/run.sh starts a test.
set -u
# A test that runs make itself must not join the make that runs the suite
# (`make -j2 test` would hand it the jobserver and its warnings).
unset MAKEFLAGS MFLAGS MAKELEVEL
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PROMTOOL=${PROMTOOL:-$ROOT/bin/promtool}
REAL_PROMTOOL=${REAL_PROMTOOL:-$(command -v promtool 2>/dev/null || true)}
# Upstream's test files, for `make conformance` only (never for `make test`).
CONFORMANCE_DIR=${CONFORMANCE_DIR:-$ROOT/../shared/conformance}
TMPROOT=$(mktemp -d)
trap 'rm -rf "$TMPROOT"' EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; shift; [ $# -gt 0 ] && printf '  %s\n' "$@" >&2; return 0; }
skip() { echo "SKIP $1: $2"; }

# require_conformance PATH: PATH under $CONFORMANCE_DIR must exist; else a
# FAIL line (never a skip: a missing suite is a failure) and status 1.
require_conformance() {
	if [ -e "$CONFORMANCE_DIR/$1" ]; then return 0; fi
	fail "conformance $1" "$CONFORMANCE_DIR/$1 not found (set CONFORMANCE_DIR)"
	return 1
}

# require_cmd NAME CMD...: each CMD must be on PATH or an executable path;
# else a FAIL line and status 1.  Tests needing the real promtool or
# prometheus use this: `make test` installs them (.ci/deps), so a missing one
# is a broken setup, not a reason to skip.
require_cmd() {
	local name=$1 c; shift
	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			fail "$name" "needs $c"
			return 1
		fi
	done
	return 0
}

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" == "$3" ]; then pass "$1"; else
		fail "$1" "got:  $(printf '%q' "$2")" "want: $(printf '%q' "$3")"
	fi
}

# expect_files_eq NAME GOT_FILE WANT_FILE: byte comparison with a diff on failure.
expect_files_eq() {
	if cmp -s "$2" "$3"; then pass "$1"; else
		fail "$1" "$2 differs from $3" "$(diff <(od -An -c "$2" | head -c 4000) <(od -An -c "$3" | head -c 4000) | head -n 20)"
	fi
}

# Replaces 26-character ULIDs in text with <ULID>.
normalise_ulids() { sed -E 's/[0-9A-HJKMNP-TV-Z]{26}/<ULID>/g'; }
