/*
 * Expr.String() per release (4-promql/print.c under --compat).  The 3.14
 * cases are upstream's TestExprString (promql/parser/printer_test.go at
 * v3.14.0), the ones our parser can read: not the fill modifiers or
 * duration expressions, which are parser work not done yet.
 * Each input is parsed and printed under the same profile; the expected
 * strings are that test's, copied by hand.  The boundary cases pin the
 * release each printer change arrived in (printer.go at the tags named).
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "1-common/err.h"
#include "4-promql/promql.h"
#include "tests/unit/check.h"

/* Parses in under release v and returns what that release prints (caller
 * frees), or NULL on a parse error. */
static char *print_as(const char *v, const char *in)
{
	struct compat c;
	struct err e = ERR_INIT;
	/* upstream's test parser: every option on (fill modifiers, duration exprs) */
	struct promql_parse_opts o = { .compat = &c, .experimental_functions = true, .duration_expressions = true,
				       .binop_fill_modifiers = true, .extended_range_selectors = true };
	struct promql_expr *x = NULL;
	struct buf b = BUF_INIT;
	char *out = NULL;

	if (compat_parse(&c, v, &e) < 0)
		goto done;
	if (promql_parse_with(&x, in, strlen(in), &o, &e) < 0) {
		fprintf(stderr, "parse %s under %s: %s\n", in, v, err_msg(&e));
		goto done;
	}
	promql_print_with(&b, x, &c);
	out = buf_detach(&b, NULL);
done:
	promql_expr_free(x);
	buf_release(&b);
	err_release(&e);
	return out;
}

static void expect(const char *v, const char *in, const char *want)
{
	char *got = print_as(v, in);

	if (!got || strcmp(got, want) != 0) {
		fprintf(stderr, "under %s: %s printed \"%s\", want \"%s\"\n", v, in, got ? got : "(parse error)", want);
		check_state_.failed_checks++;
	}
	free(got);
}

/* TestExprString at v3.14.0: {in, out}; out NULL means the input itself. */
static void test_upstream_3_14(void)
{
	static const char *const cases[][2] = {
		{ "sum by() (task:errors:rate10s{job=\"s\"})", "sum(task:errors:rate10s{job=\"s\"})" },
		{ "sum by(code) (task:errors:rate10s{job=\"s\"})", "sum by (code) (task:errors:rate10s{job=\"s\"})" },
		{ "sum without() (task:errors:rate10s{job=\"s\"})", "sum without () (task:errors:rate10s{job=\"s\"})" },
		{ "sum without(instance) (task:errors:rate10s{job=\"s\"})",
		  "sum without (instance) (task:errors:rate10s{job=\"s\"})" },
		{ "sum by(\"foo.bar\") (task:errors:rate10s{job=\"s\"})",
		  "sum by (\"foo.bar\") (task:errors:rate10s{job=\"s\"})" },
		{ "sum without(\"foo.bar\") (task:errors:rate10s{job=\"s\"})",
		  "sum without (\"foo.bar\") (task:errors:rate10s{job=\"s\"})" },
		{ "topk(5, task:errors:rate10s{job=\"s\"})", NULL },
		{ "count_values(\"value\", task:errors:rate10s{job=\"s\"})", NULL },
		{ "a - on() c", "a - on () c" },
		{ "a - on(b) c", "a - on (b) c" },
		{ "a - on(b) group_left(x) c", "a - on (b) group_left (x) c" },
		{ "a - on(b) group_left(x, y) c", "a - on (b) group_left (x, y) c" },
		{ "a - on(b) group_left c", "a - on (b) group_left () c" },
		{ "a - on(b) group_left() (c)", "a - on (b) group_left () (c)" },
		{ "a - ignoring(b) c", "a - ignoring (b) c" },
		{ "a - ignoring() c", "a - c" },
		{ "a - ignoring() group_left(__metric__) c", "a - ignoring () group_left (__metric__) c" },
		{ "a - ignoring() group_left c", "a - ignoring () group_left () c" },
		{ "a + fill(-23) b", "a + fill (-23) b" },
		{ "a + fill_left(-23) b", "a + fill_left (-23) b" },
		{ "a + fill_right(42) b", "a + fill_right (42) b" },
		{ "a + fill_left(-23) fill_right(42) b", "a + fill_left (-23) fill_right (42) b" },
		{ "a + fill_left(5) fill_right(5) b", "a + fill (5) b" },
		{ "a + on(b) group_left fill(-23) c", "a + on (b) group_left () fill (-23) c" },
		{ "up > bool 0", NULL },
		{ "a offset 1m", NULL },
		{ "a offset -7m", NULL },
		{ "a{c=\"d\"}[5m] offset 1m", NULL },
		{ "a[5m] offset 1m", NULL },
		{ "a[12m] offset -3m", NULL },
		{ "a[1h:5m] offset 1m", NULL },
		{ "{__name__=\"a\"}", NULL },
		{ "a{b!=\"c\"}[1m]", NULL },
		{ "a{b=~\"c\"}[1m]", NULL },
		{ "a{b!~\"c\"}[1m]", NULL },
		{ "a @ 10", "a @ 10.000" },
		{ "a[1m] @ 10", "a[1m] @ 10.000" },
		{ "a @ start()", NULL },
		{ "a @ end()", NULL },
		{ "a[1m] @ start()", NULL },
		{ "a[1m] @ end()", NULL },
		{ "{__name__=\"\",a=\"x\"}", NULL },
		{ "{\"a.b\"=\"c\"}", NULL },
		{ "{\"0\"=\"1\"}", NULL },
		{ "{\"_0\"=\"1\"}", "{_0=\"1\"}" },
		{ "{\"\"=\"0\"}", NULL },
		{ "{``=\"0\"}", "{\"\"=\"0\"}" },
		{ "1048576", "1048576" },
		{ "predict_linear(foo[1h], 3000)", NULL },
		{ "sum by(\"üüü\") (foo)", "sum by (\"üüü\") (foo)" },
		{ "sum without(\"äää\") (foo)", "sum without (\"äää\") (foo)" },
		{ "a anchored", NULL },
		{ "a[5m] anchored", NULL },
		{ "a{b=\"c\"}[5m] anchored @ start() offset 1m", NULL },
		{ "a smoothed", NULL },
		{ "a{b=\"c\"}[5m] smoothed offset 1m", NULL },
		{ "count by(\"ööö\", job) (foo)", "count by (\"ööö\", job) (foo)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect("3.14", cases[i][0], cases[i][1] ? cases[i][1] : cases[i][0]);
}

/* The same inputs where 2.42 differs: its goldens (test_promql_golden.c)
 * pin 2.42 itself; these show the profile really switches. */
static void test_2_42_contrast(void)
{
	expect("2.42", "1048576", "1.048576e+06");
	expect("2.42", "predict_linear(foo[1h], 3000)", "predict_linear(foo[1h], 3000)");
	expect("2.42", "a - ignoring() group_left(__metric__) c", "a - c");
	expect("2.42", "{__name__=\"\",a=\"x\"}", "{a=\"x\"}");
	CHECK(print_as("2.42", "{\"a.b\"=\"c\"}") == NULL);
	CHECK(print_as("2.42", "sum by(\"foo.bar\") (x)") == NULL);
}

/* Each printer change at the release that made it. */
static void test_boundaries(void)
{
	/* 3.3: strconv.FormatFloat(v, 'f', -1, 64) instead of fmt.Sprint */
	expect("3.2", "1048576", "1.048576e+06");
	expect("3.3", "1048576", "1048576");
	expect("3.3", "0.0001 + 1e-7", "0.0001 + 0.0000001");
	expect("3.3", "-Inf", "-Inf");
	/* 3.4: a number written as a duration prints as one (2.54 parses it) */
	expect("3.3", "time() - 5m", "time() - 300");
	expect("3.4", "time() - 5m", "time() - 5m");
	expect("3.4", "time() - -90s", "time() - -1m30s");
	expect("3.14", "vector(1h30m) * 2", "vector(1h30m) * 2");
	/* 3.9 (#17643): the empty ignoring() before group_x stays */
	expect("3.8", "a - ignoring() group_left(x) c", "a - c");
	expect("3.9", "a - ignoring() group_left(x) c", "a - ignoring () group_left (x) c");
	expect("3.9", "a - ignoring() group_right c", "a - ignoring () group_right () c");
	/* 2.53: a __name__="" matcher is printed */
	expect("2.52", "{__name__=\"\",a=\"x\"}", "{a=\"x\"}");
	expect("2.53", "{__name__=\"\",a=\"x\"}", "{__name__=\"\",a=\"x\"}");
	/* 3.0: quoted names parse; {"a.b"} is the metric name */
	expect("3.0", "{\"a.b\"}", "{__name__=\"a.b\"}");
	expect("3.0", "{\"a.b\", \"c d\"=~\"x\"}", "{\"c d\"=~\"x\",__name__=\"a.b\"}");
	/* grouping labels: 3.0 raw quotes, 3.3 strconv.Quote, 3.10 colons */
	expect("3.0", "sum by(\"a\\\"b\") (x)", "sum by (\"a\"b\") (x)");
	expect("3.3", "sum by(\"a\\\"b\") (x)", "sum by (\"a\\\"b\") (x)");
	expect("3.9", "sum by(\"a:b\") (x)", "sum by (a:b) (x)");
	expect("3.10", "sum by(\"a:b\") (x)", "sum by (\"a:b\") (x)");
	expect("3.14", "x - on(\"a.b\") group_left(\"c.d\") y", "x - on (\"a.b\") group_left (\"c.d\") y");
}

static void test_parse_errors(void)
{
	/* 3.x's grouping_label rule: any non-empty UTF-8 */
	CHECK(print_as("3.14", "sum by(\"\") (x)") == NULL);
}

int main(void)
{
	RUN(test_upstream_3_14);
	RUN(test_2_42_contrast);
	RUN(test_boundaries);
	RUN(test_parse_errors);
	return check_done();
}
