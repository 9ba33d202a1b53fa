#!/usr/bin/env bash
# The commands of promtool 2.43-3.14 (issue 13): each release's --help lists
# exactly its commands and flags (testdata/compat-help/later/, derived from
# cmd/promtool/main.go at the tag, see the README there); tsdb
# dump-openmetrics (2.51+) and promql format / label-matchers (2.46+) run;
# check healthy / ready and query analyze run (tests/sh/compat_check_server.sh,
# compat_query_analyze.sh); the other later commands refuse with one error.  Expectations are read off
# upstream's source at the tag named: cmd/promtool/tsdb.go
# formatSeriesSetOpenMetrics and CondensedString (v2.51.0 = v3.14.0 in
# effect), cmd/promtool/main.go formatPromQL / labelsSetPromQL /
# labelsDeletePromQL / checkExperimental (v2.46.0 = v3.14.0), and
# promql/parser/prettier.go (v3.14.0).  The real promtool 2.42 checks the
# OpenMetrics dump by importing it again.
. "$(dirname "$0")/../lib.sh"
export TZ=UTC
REAL=${REAL_PROMTOOL:-/usr/bin/promtool}
w=$TMPROOT/later
mkdir -p "$w"
H=testdata/compat-help/later

# run V ARGS...: promtool --compat=V ARGS, stdout/stderr/exit in $w/out $w/err $rc
run() {
	local v=$1
	shift
	rc=0
	"$PROMTOOL" --compat="$v" "$@" >"$w/out" 2>"$w/err" || rc=$?
}
# want NAME RC FILE TEXT: exit code and the whole of out or err
want() {
	if [ "$rc" = "$2" ] && [ "$(cat "$w/$3")" = "$4" ]; then
		pass "compat_cli_later $1"
	else
		fail "compat_cli_later $1" "exit $rc, want $2; $3 is:" "$(head -n 5 "$w/$3")" "want: $4"
	fi
}

# ---- help: <version>[_<word>...].help is COLUMNS=80 promtool --compat=V WORDS --help ----
for f in "$H"/*.help; do
	b=$(basename "$f" .help)
	v=${b%%_*}
	words=()
	[ "$b" != "$v" ] && IFS=_ read -r -a words <<<"${b#*_}"
	COLUMNS=80 "$PROMTOOL" --compat="$v" "${words[@]}" --help >"$w/help" 2>&1
	expect_files_eq "compat_cli_later help $b" "$w/help" "$f"
done
# the comparison sees a one-byte change
sed 's/pretty printed/pretty-printed/' "$H/3.14_promql_format.help" >"$w/changed"
COLUMNS=80 "$PROMTOOL" --compat=3.14 promql format --help >"$w/help" 2>&1
cmp -s "$w/help" "$w/changed" && fail "compat_cli_later help comparison sees a change" ||
	pass "compat_cli_later help comparison sees a change"

# ---- which release has which command ----
run 2.45 promql format x
want "2.45 has no promql" 1 err 'promtool: error: expected command but got "promql", try --help'
run 2.50 tsdb dump-openmetrics
want "2.50 has no dump-openmetrics" 1 err 'promtool: error: expected command but got "dump-openmetrics", try --help'
rc=0
"$PROMTOOL" tsdb dump-openmetrics >"$w/out" 2>"$w/err" || rc=$?
want "2.42 (no --compat) has no dump-openmetrics" 1 err 'promtool: error: expected command but got "dump-openmetrics", try --help'
run 2.49 query analyze --server=http://x --type=histogram --match=up
want "2.49 has no query analyze" 1 err 'promtool: error: expected command but got "analyze", try --help'
run 2.43 check healthy
want "2.43 has no check healthy" 1 err 'promtool: error: expected command but got "healthy", try --help'

# ---- later commands this build does not implement: one error, exit 1 ----
printf 'up 1\n' >"$w/m.prom"
run 3.14 push metrics http://127.0.0.1:1/api/v1/write "$w/m.prom"
want "push metrics refused" 1 err "promtool: error: push metrics of promtool 3.14.0 is not implemented in this build"
# write-documentation runs from 2.44: tests/sh/compat_writedoc.sh
echo '{}' >"$w/http.yml"
run 3.14 query --http.config.file="$w/http.yml" instant http://127.0.0.1:1 up
want "query --http.config.file refused" 1 err "promtool: error: --http.config.file of promtool 3.14.0 is not implemented, try --help"

# ---- promql format / label-matchers (String() as each release prints it) ----
run 3.14 promql format 'sum(rate(x[5m]))'
want "promql needs --experimental" 1 err "This command is experimental and requires the --experimental flag to be set."
run 3.14 --experimental promql format 'sum by(job)(rate(foo{b="1",a="2"}[5m] offset 1m))'
want "promql format" 0 out 'sum by (job) (rate(foo{a="2",b="1"}[5m] offset 1m))'
run 2.46 --experimental promql format 'sum by(job)(rate(foo{b="1",a="2"}[5m] offset 1m))'
want "promql format at 2.46" 0 out 'sum by (job) (rate(foo{a="2",b="1"}[5m] offset 1m))'
run 3.14 --experimental promql format 'foo{'
want "promql format parse error" 1 err "1:5: parse error: unexpected end of input inside braces"
run 3.14 --experimental promql label-matchers set 'rate(foo{a="b"}[5m]) / bar' c d
want "label-matchers set adds" 0 out 'rate(foo{a="b",c="d"}[5m]) / bar{c="d"}'
run 3.14 --experimental promql label-matchers set -t '!~' 'rate(foo{a="b"}[5m]) / bar' a 'x.*'
want "label-matchers set replaces" 0 out 'rate(foo{a!~"x.*"}[5m]) / bar{a!~"x.*"}'
run 3.14 --experimental promql label-matchers delete 'foo{a="b",c="d"} + on(a) bar{a="1"}' a
want "label-matchers delete" 0 out 'foo{c="d"} + on (a) bar'
run 3.14 --experimental promql label-matchers delete 'foo{a="b",a="c",d="e"}' a
want "label-matchers delete skips the next (Go's range)" 0 out 'foo{a="c",d="e"}'
run 3.14 --experimental promql label-matchers set -t '==' x a b
want "label-matchers set type enum" 1 err "promtool: error: enum value must be one of =,!=,=~,!~, got '==', try --help"

# Pretty(0) splits a node whose String() is over 100 bytes (prettier.go at
# v3.14.0; the same rules from v2.46.0): binary operands one level deeper,
# the operator alone on its line; calls and aggregations open a paren, one
# argument per line; a unary minus stays in front of its operand
run 3.14 --experimental promql format 'sum by (job, instance) (rate(http_requests_total{job="api-server", code=~"5.."}[5m])) / sum by (job, instance) (rate(http_requests_total{job="api-server"}[5m])) > bool 0.05'
want "promql format splits a long binary expression" 0 out '    sum by (job, instance) (rate(http_requests_total{code=~"5..",job="api-server"}[5m]))
  /
    sum by (job, instance) (rate(http_requests_total{job="api-server"}[5m]))
> bool
  0.05'
run 3.14 --experimental promql format 'histogram_quantile(0.9, sum by (le) (rate(very_long_metric_name_for_testing_purposes_bucket{environment="production", cluster="eu-west"}[10m])))'
want "promql format splits calls and aggregations" 0 out 'histogram_quantile(
  0.9,
  sum by (le) (
    rate(
      very_long_metric_name_for_testing_purposes_bucket{cluster="eu-west",environment="production"}[10m]
    )
  )
)'
run 3.14 --experimental promql format -- '-(topk(5, rate(very_long_metric_name_for_testing_purposes_total{environment="production", cluster="eu-west-1"}[10m]))) + max_over_time(rate(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_total{environment="production", cluster="eu-west-1"}[5m])[1h:1m] offset 1m)'
want "promql format: unary, paren, a split subquery" 0 out '  -(
    topk(
      5,
      rate(
        very_long_metric_name_for_testing_purposes_total{cluster="eu-west-1",environment="production"}[10m]
      )
    )
  )
+
  max_over_time(
    rate(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_total{cluster="eu-west-1",environment="production"}[5m])[1h:1m] offset 1m
  )'
run 3.14 --experimental promql label-matchers set 'sum by (job, instance) (rate(http_requests_total{job="api-server"}[5m])) / sum by (job, instance) (rate(http_errors_total[5m]))' cluster eu
want "label-matchers set prints Pretty(0)" 0 out '  sum by (job, instance) (rate(http_requests_total{cluster="eu",job="api-server"}[5m]))
/
  sum by (job, instance) (rate(http_errors_total{cluster="eu"}[5m]))'

# ---- tsdb dump-openmetrics ----
cat >"$w/src.txt" <<'EOM'
# TYPE up gauge
up 1 1600000000.5
up 0 1600000060
# TYPE weird gauge
weird{a="x\"y\\z",b="new\nline"} +Inf 1600000000
weird{a="x\"y\\z",b="new\nline"} -Inf 1600000001.001
weird{a="x\"y\\z",b="new\nline"} NaN 1600000002
big{l="ü"} 1e+21 1600000000
big{l="ü"} 123456789012 1600000001
big{l="ü"} 1.5e-07 1600000002
big{l="ü"} -0.0 1600000003
# EOF
EOM
"$REAL" tsdb create-blocks-from openmetrics "$w/src.txt" "$w/om" >/dev/null 2>&1 || fail "compat_cli_later fixture" "real promtool import failed"
mkdir -p "$w/om/wal"
run 2.51 tsdb dump-openmetrics "$w/om"
want "dump-openmetrics values, labels, seconds and # EOF" 0 out "$(cat <<'EOM'
big{l="ü"} 1e+21 1600000000.000
big{l="ü"} 1.23456789012e+11 1600000001.000
big{l="ü"} 1.5e-07 1600000002.000
big{l="ü"} -0 1600000003.000
up{} 1 1600000000.500
up{} 0 1600000060.000
weird{a="x\"y\\z",b="new\nline"} +Inf 1600000000.000
weird{a="x\"y\\z",b="new\nline"} -Inf 1600000001.001
weird{a="x\"y\\z",b="new\nline"} NaN 1600000002.000
# EOF
EOM
)"
run 3.14 tsdb dump-openmetrics --match='{__name__="up"}' --match='big' --min-time=1600000000600 "$w/om"
want "dump-openmetrics --match twice, --min-time" 0 out "$(printf 'big{l="ü"} 1.23456789012e+11 1600000001.000\nbig{l="ü"} 1.5e-07 1600000002.000\nbig{l="ü"} -0 1600000003.000\nup{} 0 1600000060.000\n# EOF')"
run 3.14 tsdb dump-openmetrics "$w/nonexistent"
[ "$rc" = 1 ] && pass "compat_cli_later dump-openmetrics missing dir" || fail "compat_cli_later dump-openmetrics missing dir" "exit $rc"

# round trip through the real promtool 2.42: our dump of the fixture blocks,
# imported again, dumps as the fixture does
cp -r testdata/tsdb-read/fixtures/blocks "$w/fx"
mkdir -p "$w/fx/wal"
run 3.14 tsdb dump-openmetrics "$w/fx"
cp "$w/out" "$w/fx.om"
if [ "$rc" = 0 ] && [ "$(wc -l <"$w/fx.om")" -gt 100 ]; then
	"$REAL" tsdb create-blocks-from openmetrics "$w/fx.om" "$w/fx2" >/dev/null 2>&1
	mkdir -p "$w/fx2/wal"
	"$REAL" tsdb dump "$w/fx" 2>&1 | sort >"$w/fx.dump"
	"$REAL" tsdb dump "$w/fx2" 2>&1 | sort >"$w/fx2.dump"
	expect_files_eq "compat_cli_later dump-openmetrics round trip through the real promtool" "$w/fx2.dump" "$w/fx.dump"
else
	fail "compat_cli_later dump-openmetrics of the fixture" "exit $rc" "$(head -3 "$w/err")"
fi
