#!/usr/bin/env bash
# Regenerates expected/ with the REAL promtool 2.42 and a real Prometheus
# 2.42, over inputs made by gen.py (too big to commit):
#
#   expected/check-<name>.out  `promtool check rules <name>.yml` on one rule
#                              with a 50,000-term chain (or 50,000-deep
#                              nesting): exit code, stdout, stderr
#   expected/eval.out          `tsdb create-blocks-from rules --url` against
#                              a Prometheus serving testdata/rules-backfill's
#                              data, rules of gen.py's eval.yml (summary as
#                              testdata/rules-backfill/summarize.py makes it)
#
# tests/sh/chains_golden.sh runs ours on the same inputs (--source-dir for
# the evaluation).  2.42 is slow on long chains (its checks and its engine
# are quadratic in the chain length): this takes one to two hours (the
# 30,000-term query alone ~15 CPU minutes of the server), and the server
# runs with --query.timeout=3h (its default of 2m ends a 20,000-term query
# already; the answer does not depend on it).  Needs
# /usr/bin/promtool, /usr/bin/prometheus and python3.
set -u
cd "$(dirname "$0")/../.."
. testdata/rules-backfill/lib.sh
export TZ=UTC
C=testdata/chains
REAL_PROMTOOL=${REAL_PROMTOOL:-/usr/bin/promtool}
"$REAL_PROMTOOL" --version 2>&1 | grep -q 'version 2\.42\.' || {
	echo "regen.sh: $REAL_PROMTOOL is not promtool 2.42" >&2
	exit 1
}
W=$(mktemp -d)
trap 'rb_stop_server; rm -rf "$W"' EXIT
"$RB_PY" "$C/gen.py" check "$W/check" && "$RB_PY" "$C/gen.py" eval "$W/eval" || exit 1
mkdir -p "$C/expected"
rm -f "$C"/expected/*.out

# chains_out RC STDOUT STDERR: the format of expected/check-*.out
chains_out() {
	printf 'exit %s\n--- stdout\n' "$1"
	cat "$2"
	printf -- '--- stderr\n'
	cat "$3"
}

for f in "$W"/check/*.yml; do
	name=$(basename "$f" .yml)
	(cd "$W/check" && "$REAL_PROMTOOL" check rules "$name.yml") >"$W/stdout" 2>"$W/stderr"
	chains_out $? "$W/stdout" "$W/stderr" >"$C/expected/check-$name.out"
	echo "regenerated check-$name"
done

RB_PROM_FLAGS=--query.timeout=3h rb_start_server "$W" || { echo "cannot start prometheus" >&2; exit 1; }
read -r -a args <"$C/eval.args"
# from the rules' folder: the log names the file as given
(cd "$W/eval" && "$REAL_PROMTOOL" tsdb create-blocks-from rules --url "http://127.0.0.1:$RB_PORT" \
	--output-dir "$W/out" "${args[@]}" eval.yml) 2>"$W/stderr" >"$W/stdout"
rc=$?
rb_summary "$rc" "$W/stdout" "$W/stderr" "$W/out" >"$C/expected/eval.out"
echo "regenerated eval (rc=$rc)"
