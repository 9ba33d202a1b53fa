/*
 * The PromQL gates of the version profiles that bin/promqltest's 2.42
 * format cannot show (tests/sh/promql_compat.sh has the others): which
 * functions a release's parser knows and with what error, the subquery a
 * query returns (a matrix) at 3.0.0 and 3.0.1, and matcher regexps with
 * `.` matching a newline.  Expected answers follow upstream's source at
 * the tag named in each test.
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "1-common/err.h"
#include "2-model/regex.h"
#include "4-promql/ast.h"
#include "4-promql/eval.h"
#include "4-promql/promql.h"
#include "4-promql/storage.h"
#include "tests/unit/check.h"

/* Parses q as release v does (experimental: the feature flag); returns the
 * error message, or "" when it parsed. */
static const char *parse_as(struct buf *out, const char *v, bool experimental, const char *q)
{
	struct compat c;
	struct promql_parse_opts o = { &c, experimental };
	struct promql_expr *x = NULL;
	struct err e = ERR_INIT;

	buf_reset(out);
	CHECK_EQ_I(compat_parse(&c, v, &e), 0);
	if (promql_parse_with(&x, q, strlen(q), &o, &e) < 0)
		buf_adds(out, err_msg(&e));
	promql_expr_free(x);
	err_release(&e);
	return buf_str(out);
}

/*
 * parser/functions.go at each tag: mad_over_time from 2.49, experimental
 * (generated_parser.y: "function %q is not enabled"); holt_winters gone in
 * 3.0 (#14930); first_over_time experimental in 3.7, stable in 3.14;
 * histogram_avg (2.53) never experimental.
 */
static void test_function_availability(void)
{
	struct buf b = BUF_INIT;

	CHECK_STR(parse_as(&b, "2.48.1", true, "mad_over_time(x[1m])"),
		  "1:1: parse error: unknown function with name \"mad_over_time\"");
	CHECK_STR(parse_as(&b, "2.49.0", false, "mad_over_time(x[1m])"),
		  "1:1: parse error: function \"mad_over_time\" is not enabled");
	CHECK_STR(parse_as(&b, "2.49.0", true, "mad_over_time(x[1m])"), "");
	CHECK_STR(parse_as(&b, "2.55.1", false, "holt_winters(x[1m], 0.5, 0.5)"), "");
	CHECK_STR(parse_as(&b, "3.0.0", true, "holt_winters(x[1m], 0.5, 0.5)"),
		  "1:1: parse error: unknown function with name \"holt_winters\"");
	CHECK_STR(parse_as(&b, "2.55.1", true, "double_exponential_smoothing(x[1m], 0.5, 0.5)"),
		  "1:1: parse error: unknown function with name \"double_exponential_smoothing\"");
	CHECK_STR(parse_as(&b, "3.0.0", true, "double_exponential_smoothing(x[1m], 0.5, 0.5)"), "");
	CHECK_STR(parse_as(&b, "3.13.0", false, "first_over_time(x[1m])"),
		  "1:1: parse error: function \"first_over_time\" is not enabled");
	CHECK_STR(parse_as(&b, "3.14.0", false, "first_over_time(x[1m])"), "");
	CHECK_STR(parse_as(&b, "2.52.0", false, "histogram_avg(x)"),
		  "1:1: parse error: unknown function with name \"histogram_avg\"");
	CHECK_STR(parse_as(&b, "2.53.0", false, "histogram_avg(x)"), "");
	/* the flag changes nothing for 2.42, which has no such function */
	CHECK_STR(parse_as(&b, "2.42.0", true, "sort_by_label(x, \"a\")"),
		  "1:1: parse error: unknown function with name \"sort_by_label\"");
	buf_release(&b);
}

/*
 * 2.54 (#9138, #12821; generated_parser.y number_duration_literal, lex.go
 * lexNumberOrDuration): numbers where durations go and durations as
 * numbers; 2.53 rejects them with 2.42's words.
 */
static void test_float_durations(void)
{
	struct buf b = BUF_INIT;

	CHECK_STR(parse_as(&b, "2.53.5", false, "x[300]"), "1:3: parse error: missing unit character in duration");
	CHECK_STR(parse_as(&b, "2.54.0", false, "x[300]"), "");
	CHECK_STR(parse_as(&b, "2.53.5", false, "x offset 50"),
		  "1:10: parse error: unexpected number \"50\" in offset, expected duration");
	CHECK_STR(parse_as(&b, "2.54.0", false, "x offset 50"), "");
	CHECK_STR(parse_as(&b, "2.54.0", false, "x offset"),
		  "1:9: parse error: unexpected end of input in offset, expected number or duration");
	CHECK_STR(parse_as(&b, "2.53.5", false, "time() - 5m"), "1:10: parse error: unexpected duration \"5m\"");
	CHECK_STR(parse_as(&b, "2.54.0", false, "time() - 5m"), "");
	CHECK_STR(parse_as(&b, "2.53.5", false, "x @ 100s"),
		  "1:5: parse error: unexpected duration \"100s\" in @, expected timestamp");
	CHECK_STR(parse_as(&b, "2.54.0", false, "x @ 100s"), "");
	CHECK_STR(parse_as(&b, "2.54.0", false, "x[1m:]"), "");
	CHECK_STR(parse_as(&b, "2.54.0", false, "x[0s]"), "1:3: parse error: duration must be greater than 0");
	buf_release(&b);
}

/*
 * 3.4's duration expressions (generated_parser.y duration_expr,
 * experimentalDurationExpr; lex.go lexDurationExpr): behind the feature
 * flag, which a single literal does not need; 3.4's parseDuration takes 0.
 */
static void test_duration_expressions(void)
{
	struct buf b = BUF_INIT;
	struct compat c;
	struct promql_parse_opts o = { &c, false, true };
	struct promql_expr *x = NULL;
	struct err e = ERR_INIT;

	CHECK_STR(parse_as(&b, "3.4.0", false, "x[1m+1m]"),
		  "1:3: parse error: experimental duration expression is not enabled");
	CHECK_STR(parse_as(&b, "3.4.0", false, "x[5m:1m] offset (1m)"),
		  "1:18: parse error: experimental duration expression is not enabled");
	CHECK_STR(parse_as(&b, "3.4.0", false, "x[5m:1m] offset -1m"), "");
	CHECK_STR(parse_as(&b, "3.4.0", false, "x[0s]"), "1:3: parse error: duration must be greater than 0");
	CHECK_STR(parse_as(&b, "3.4.0", false, "x offset 0s"), "");
	CHECK_STR(parse_as(&b, "3.3.1", false, "x offset 0s"), "1:10: parse error: duration must be greater than 0");
	CHECK_STR(parse_as(&b, "3.4.0", false, "x[1m)]"), "1:5: parse error: unexpected right parenthesis ')'");
	/* fill modifiers (3.10): behind their flag; before, fill is a function name */
	CHECK_STR(parse_as(&b, "3.10.0", false, "a + fill(0) b"),
		  "1:5: parse error: binop fill modifiers are experimental and not enabled");
	CHECK_STR(parse_as(&b, "3.9.1", false, "a + fill(0) b"), "1:5: parse error: unknown function with name \"fill\"");
	CHECK_STR(parse_as(&b, "3.10.0", false, "a + fill"), "");
	CHECK_EQ_I(compat_parse(&c, "3.4.0", &e), 0);
	CHECK_EQ_I(promql_parse_with(&x, "x[2m*(10+5):1m] offset -(1h/2)", 30, &o, &e), 0);
	if (x) {
		const struct promql_node *n = promql_expr_root(x);
		CHECK_EQ_I(n->kind, PROMQL_NODE_SUBQUERY);
		CHECK_EQ_I(n->u.subquery.range_ms, 1800000);
		CHECK_EQ_I(n->u.subquery.step_ms, 60000);
		CHECK_EQ_I(n->u.subquery.offset_ms, -1800000);
	}
	promql_expr_free(x);
	x = NULL;
	CHECK_EQ_I(promql_parse_with(&x, "x[1m/0]", 7, &o, &e), -1);
	CHECK_STR(err_msg(&e), "1:5: parse error: division by zero");
	promql_expr_free(x);
	err_release(&e);
	buf_release(&b);
}

/* x at 0, 1m, ..., 6m with value i. */
static void load(struct promql_memstore *ms, struct promql_storage *st)
{
	struct label ls[1] = { { "__name__", "x" } };
	struct err e = ERR_INIT;

	promql_memstore_init(ms);
	for (int i = 0; i <= 6; i++)
		CHECK_EQ_I(promql_memstore_append(ms, ls, 1, (int64_t)i * 60000, i, &e), 0);
	*st = promql_memstore_storage(ms);
	err_release(&e);
}

/* The points q returns at 5m under release v: their count, first time. */
static void matrix_at(const char *v, const char *q, size_t want_n, int64_t want_first)
{
	struct promql_memstore ms;
	struct promql_storage st;
	struct compat c;
	struct promql_engine_opts o = { .compat = &c };
	struct promql_expr *x = NULL;
	struct promql_result r;
	struct err e = ERR_INIT;

	load(&ms, &st);
	promql_result_init(&r);
	CHECK_EQ_I(compat_parse(&c, v, &e), 0);
	CHECK_EQ_I(promql_parse(&x, q, strlen(q), &e), 0);
	if (x && promql_eval_instant(&r, &st, promql_expr_root(x), 300000, &o, &e) == 0) {
		CHECK_EQ_I(r.type, PROMQL_TYPE_MATRIX);
		CHECK_EQ_U(r.nseries, 1);
		if (r.nseries == 1) {
			CHECK_EQ_U(r.series[0].n, want_n);
			if (r.series[0].n)
				CHECK_EQ_I(r.series[0].t[0], want_first);
		}
	} else {
		CHECK(!"query failed");
	}
	promql_result_release(&r);
	promql_expr_free(x);
	promql_memstore_release(&ms);
	err_release(&e);
}

/*
 * engine.go eval() SubqueryExpr: 3.0.0 still starts the inner steps at the
 * first multiple of the step >= t - range (only functions then drop the
 * point at t - range, matrixIterSlice being left-open); 3.0.1 (#15431)
 * starts strictly after it.  A range selector x[2m] is left-open from 3.0.
 */
static void test_subquery_left_open(void)
{
	matrix_at("2.42.0", "x[2m:1m]", 3, 180000);
	matrix_at("3.0.0", "x[2m:1m]", 3, 180000);
	matrix_at("3.0.1", "x[2m:1m]", 2, 240000);
	matrix_at("2.55.1", "x[2m]", 3, 180000);
	matrix_at("3.0.0", "x[2m]", 2, 240000);
}

/*
 * engine.go of 3.9: unary minus merges the series whose names it dropped
 * when they never meet at one step (37b97a0200), and a filtering
 * comparison checks many-to-one matching before filtering (4cad87cae8).
 */
static int eval_range_as(const char *v, struct promql_memstore *ms, const char *q, int64_t start, int64_t end,
			 int64_t step, struct promql_result *r, struct err *e)
{
	struct compat c;
	struct promql_engine_opts o = { .compat = &c };
	struct promql_storage st = promql_memstore_storage(ms);
	struct promql_expr *x = NULL;
	int rc;

	CHECK_EQ_I(compat_parse(&c, v, e), 0);
	CHECK_EQ_I(promql_parse(&x, q, strlen(q), e), 0);
	rc = x ? promql_eval_range(r, &st, promql_expr_root(x), start, end, step, &o, e) : -1;
	promql_expr_free(x);
	return rc;
}

static void test_3_9_binops(void)
{
	struct promql_memstore ms;
	struct label req[2] = { { "__name__", "http_requests" }, { "job", "api" } };
	struct label errs[2] = { { "__name__", "http_errors" }, { "job", "api" } };
	struct label m1[3] = { { "__name__", "many" }, { "job", "t" }, { "l", "a" } };
	struct label m2[3] = { { "__name__", "many" }, { "job", "t" }, { "l", "b" } };
	struct label one[2] = { { "__name__", "one" }, { "job", "t" } };
	struct promql_result r;
	struct err e = ERR_INIT;

	promql_memstore_init(&ms);
	CHECK_EQ_I(promql_memstore_append(&ms, req, 2, 0, 2, &e), 0);
	CHECK_EQ_I(promql_memstore_append(&ms, errs, 2, 1200000, 4, &e), 0);
	CHECK_EQ_I(promql_memstore_append(&ms, m1, 3, 0, 0, &e), 0);
	CHECK_EQ_I(promql_memstore_append(&ms, m2, 3, 0, 1, &e), 0);
	CHECK_EQ_I(promql_memstore_append(&ms, one, 2, 0, 1, &e), 0);

	promql_result_init(&r);
	CHECK_EQ_I(eval_range_as("3.8.1", &ms, "-{job=\"api\"}", 0, 1200000, 1200000, &r, &e), -1);
	CHECK_STR(err_msg(&e), "vector cannot contain metrics with the same labelset");
	promql_result_release(&r);
	err_release(&e);
	CHECK_EQ_I(eval_range_as("3.9.0", &ms, "-{job=\"api\"}", 0, 1200000, 1200000, &r, &e), 0);
	CHECK_EQ_U(r.nseries, 1);
	if (r.nseries == 1) {
		CHECK_EQ_U(r.series[0].n, 2);
		if (r.series[0].n == 2)
			CHECK(r.series[0].v[0] == -2 && r.series[0].v[1] == -4);
	}
	promql_result_release(&r);

	/* nothing survives the filter: 3.8 returns nothing, 3.9 fails */
	CHECK_EQ_I(eval_range_as("3.8.1", &ms, "many > on(job) one", 0, 0, 60000, &r, &e), 0);
	CHECK_EQ_U(r.nseries, 0);
	promql_result_release(&r);
	CHECK_EQ_I(eval_range_as("3.9.0", &ms, "many > on(job) one", 0, 0, 60000, &r, &e), -1);
	CHECK_STR(err_msg(&e), "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
	promql_result_release(&r);
	promql_memstore_release(&ms);
	err_release(&e);
}

/* model/labels/regexp.go of 3.0: "^(?s:" + re + ")$". */
static void test_regex_dotall(void)
{
	struct buf msg = BUF_INIT;
	void *re = NULL;

	/* 2.52's NewFastRegexMatcher parses the bare pattern first */
	CHECK_STR(parse_as(&msg, "2.51.2", false, "x{a=~\"a)\"}"),
		  "1:3: parse error: error parsing regexp: unexpected ): `^(?:a))$`");
	CHECK_STR(parse_as(&msg, "2.52.0", false, "x{a=~\"a)\"}"), "1:3: parse error: error parsing regexp: unexpected ): `a)`");
	CHECK_STR(parse_as(&msg, "3.0.0", false, "x{a=~\"(\"}"),
		  "1:3: parse error: error parsing regexp: missing closing ): `(`");

	CHECK_EQ_I(label_regex_compile_flags(&re, "x.y", 3, 0, &msg), 0);
	CHECK(!label_regex_match(re, "x\ny", 3));
	CHECK(label_regex_match(re, "x-y", 3));
	label_regex_free(re);
	CHECK_EQ_I(label_regex_compile_flags(&re, "x.y", 3, LABEL_REGEX_DOTALL, &msg), 0);
	CHECK(label_regex_match(re, "x\ny", 3));
	CHECK(label_regex_match(re, "x-y", 3));
	CHECK(!label_regex_match(re, "x\n\ny", 4));
	label_regex_free(re);
	buf_release(&msg);
}

int main(void)
{
	RUN(test_function_availability);
	RUN(test_float_durations);
	RUN(test_duration_expressions);
	RUN(test_subquery_left_open);
	RUN(test_regex_dotall);
	RUN(test_3_9_binops);
	return check_done();
}
