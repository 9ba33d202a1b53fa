/*
 * Duration expressions per release (4-promql/parse_duration.c,
 * durations.c): how they print, which words each release's parser takes,
 * and what the engine makes of them when the query runs.
 *
 * Printed forms: the 3.14 and 3.6 lists are upstream's TestExprString
 * cases with duration expressions (promql/parser/printer_test.go at
 * v3.14.0 and v3.6.0), each parsed and printed under that release with the
 * feature flags on, as that test's parser has them; the 3.4/3.5 ones are
 * read off DurationExpr.String() and NumberLiteral.String() in
 * promql/parser/printer.go at v3.4.0 and the grammar of
 * generated_parser.y at those tags.  Before this change the parser folded
 * an expression to one duration and these printed "foo[6m]".
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "1-common/err.h"
#include "4-promql/ast.h"
#include "4-promql/promql.h"
#include "tests/unit/check.h"

/* Parses in as release v does (flag: promql-duration-expr) into *x;
 * returns the parse error, or "" */
static const char *parse_as(struct buf *out, const char *v, bool flag, const char *in, struct promql_expr **x)
{
	struct compat c;
	struct promql_parse_opts o = { .compat = &c, .experimental_functions = true, .duration_expressions = flag };
	struct err e = ERR_INIT;

	buf_reset(out);
	*x = NULL;
	if (compat_parse(&c, v, &e) < 0 || promql_parse_with(x, in, strlen(in), &o, &e) < 0)
		buf_adds(out, err_msg(&e));
	err_release(&e);
	return buf_str(out);
}

/* String() under release v; out NULL: the input itself. */
static void expect_print(const char *v, const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	struct compat c;
	struct err e = ERR_INIT;
	struct promql_expr *x = NULL;
	const char *perr = parse_as(&b, v, true, in, &x);

	if (!want)
		want = in;
	if (*perr) {
		fprintf(stderr, "under %s: %s: %s\n", v, in, perr);
		check_state_.failed_checks++;
	} else {
		buf_reset(&b);
		CHECK_EQ_I(compat_parse(&c, v, &e), 0);
		promql_print_with(&b, x, &c);
		if (strcmp(buf_str(&b), want)) {
			fprintf(stderr, "under %s: %s printed \"%s\", want \"%s\"\n", v, in, buf_str(&b), want);
			check_state_.failed_checks++;
		}
	}
	promql_expr_free(x);
	err_release(&e);
	buf_release(&b);
}

static void expect_parse_error(const char *v, bool flag, const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	struct promql_expr *x = NULL;

	CHECK_STR(parse_as(&b, v, flag, in, &x), want);
	promql_expr_free(x);
	buf_release(&b);
}

/* TestExprString at v3.14.0: its cases with step(), range(), min_of, max_of. */
static void test_print_3_14(void)
{
	static const char *const cases[][2] = {
		{ "foo[step()]", NULL },
		{ "foo[-step()]", NULL },
		{ "foo[(step())]", NULL },
		{ "foo[-(step())]", NULL },
		{ "foo offset step()", NULL },
		{ "foo offset -step()", NULL },
		{ "foo offset (step())", NULL },
		{ "foo offset -(step())", NULL },
		{ "foo offset +(5*2)", "foo offset (5 * 2)" },
		{ "foo offset +min_of(10s, 20s)", "foo offset min_of(10s, 20s)" },
		{ "foo offset -min_of(10s, 20s)", NULL },
		{ "foo offset -min_of(10s, +max_of(step() ^ 2, 2))", "foo offset -min_of(10s, max_of(step() ^ 2, 2))" },
		{ "foo[200-min_of(-step()^+step(),1)]", "foo[200 - min_of(-step() ^ step(), 1)]" },
		{ "foo[200 - min_of(step() + 10s, -max_of(step() ^ 2, 3))]", NULL },
		{ "foo[range()]", NULL },
		{ "foo[-range()]", NULL },
		{ "foo offset range()", NULL },
		{ "foo offset -range()", NULL },
		{ "foo[max_of(range(), 5s)]", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_print("3.14.0", cases[i][0], cases[i][1]);
}

/* TestExprString at v3.6.0: min and max before their 3.13 rename. */
static void test_print_3_6(void)
{
	expect_print("3.6.0", "foo offset +min(10s, 20s)", "foo offset min(10s, 20s)");
	expect_print("3.6.0", "foo offset -min(10s, +max(step() ^ 2, 2))", "foo offset -min(10s, max(step() ^ 2, 2))");
	expect_print("3.6.0", "foo[200-min(-step()^+step(),1)]", "foo[200 - min(-step() ^ step(), 1)]");
	expect_print("3.12.0", "foo[200 - min(step() + 10s, -max(step() ^ 2, 3))]", NULL);
}

/*
 * printer.go at v3.4.0: DurationExpr.String() puts one space around a
 * binary operator, glues a unary minus on, keeps the parentheses written
 * around an expression (Wrapped; a literal in parentheses is only the
 * literal); a NumberLiteral written as a duration prints as one, a number
 * as FormatFloat 'f'; a subquery prints StepExpr as Step is 0.
 */
static void test_print_3_4(void)
{
	expect_print("3.4.0", "foo[5m+1m]", "foo[5m + 1m]");
	expect_print("3.4.0", "foo[60*30]", "foo[60 * 30]");
	expect_print("3.4.0", "foo[2m*(10+5)]", "foo[2m * (10 + 5)]");
	expect_print("3.4.0", "foo[(5m)]", "foo[5m]");
	expect_print("3.4.0", "foo[(5m)+1m]", "foo[5m + 1m]");
	expect_print("3.4.0", "foo[-5m+35m]", "foo[-5m + 35m]");
	expect_print("3.4.0", "foo[1h30m % 1h]", NULL);
	expect_print("3.4.0", "foo[24m+((1.5*2m)+2m)]", "foo[24m + ((1.5 * 2m) + 2m)]");
	expect_print("3.4.0", "foo[29s+1s:5s+5s]", "foo[29s + 1s:5s + 5s]");
	expect_print("3.4.0", "foo[5m:1m*2] offset (1h/2)", "foo[5m:1m * 2] offset (1h / 2)");
	expect_print("3.4.0", "foo offset -(1m * 1)", NULL);
	expect_print("3.4.0", "foo offset (5m)", "foo offset 5m");
	expect_print("3.4.0", "rate(foo[2m+2m] offset (1m+1m))", "rate(foo[2m + 2m] offset (1m + 1m))");
	/* generated_parser.y: 3.4's offset takes -2 ^ 2 whole (unary_op
	 * duration_expr shifts the ^); 3.5's offset_duration_expr stops after
	 * the signed literal */
	expect_print("3.4.0", "foo offset -2 ^ 2", NULL);
	expect_print("3.5.0", "foo offset -2 ^ 2", "foo offset -2s ^ 2");
	/* 3.5: a parenthesised expression goes on through the operators after
	 * it (offset_duration_expr: duration_expr, yacc shifts); 3.6 ends the
	 * offset after a sign and parentheses */
	expect_print("3.5.0", "foo offset (1m) * 2", "foo offset 1m * 2");
	expect_print("3.5.0", "foo offset -(1m) * 2", "foo offset -1m * 2");
	expect_print("3.6.0", "foo offset -(1m * 1) * 2", "foo offset -(1m * 1) * 2");
	/* 3.13 (5a152e815e): a literal there (3.6-3.12's parser panics,
	 * test_parse_per_release) */
	expect_print("3.13.0", "foo offset -(1m) * 2", "foo offset -1m * 2");
	/* 2.42-3.3 have no expressions; literals print as before */
	expect_print("3.4.0", "foo[5m] offset 1m", NULL);
}

/* Which words each release's lexer and grammar take (lex.go
 * scanDurationKeyword, generated_parser.y), and the feature flag. */
static void test_parse_per_release(void)
{
	expect_parse_error("3.5.0", true, "x[step()]", "1:3: parse error: unexpected character in duration expression: 's'");
	expect_parse_error("3.6.0", true, "x[step()]", "");
	expect_parse_error("3.6.0", true, "x[STep()+min(1s, 2s)]", "");
	/* before 3.12 step() and min() need no flag, arithmetic does */
	expect_parse_error("3.11.0", false, "x[step()] offset max(1s, step())", "");
	expect_parse_error("3.11.0", false, "x[step()+1s]", "1:3: parse error: experimental duration expression is not enabled");
	expect_parse_error("3.12.0", false, "x[step()]", "1:3: parse error: experimental duration expression is not enabled");
	expect_parse_error("3.12.0", false, "x offset -step()", "1:10: parse error: experimental duration expression is not enabled");
	expect_parse_error("3.9.1", true, "x[range()]", "1:3: parse error: unexpected character in duration expression: 'r'");
	expect_parse_error("3.10.0", true, "x[range()]", "");
	expect_parse_error("3.12.0", true, "x[min_of(1s, 2s)]", "1:3: parse error: unexpected character in duration expression: 'm'");
	expect_parse_error("3.13.0", true, "x[min(1s, 2s)]", "1:3: parse error: unexpected character in duration expression: 'm'");
	expect_parse_error("3.13.0", true, "x[min_of(1s, 2s)] offset MAX_OF(step(), 1s)", "");
	/* parse_test.go at v3.14.0 */
	expect_parse_error("3.14.0", true, "foo[step]",
			   "1:9: parse error: unexpected \"]\" in subquery or range selector, expected number, duration, "
			   "step(), or range()");
	expect_parse_error("3.14.0", true, "foo[step()/0d]", "1:11: parse error: division by zero");
	expect_parse_error("3.14.0", true, "foo offset (4d/0)", "1:15: parse error: division by zero");
	expect_parse_error("3.14.0", true, "foo offset 9.5e10", "1:12: parse error: duration out of range");
	expect_parse_error("3.5.0", true, "foo[5m:step]",
			   "1:8: parse error: unexpected character in duration expression: 's'");
	expect_parse_error("3.6.0", true, "foo[5m:step]",
			   "1:12: parse error: unexpected \"]\" in subquery selector, expected number, duration, or step() "
			   "or \"]\"");
	/* lex.go: step (3.6) and range (3.10) are keywords, so before 3.12
	 * made them functions "step()" is the selector step and a "(" */
	expect_parse_error("3.5.0", true, "step()", "1:1: parse error: unknown function with name \"step\"");
	expect_parse_error("3.6.0", true, "step()", "1:5: parse error: unexpected \"(\"");
	expect_parse_error("3.11.0", true, "RANGE()", "1:6: parse error: unexpected \"(\"");
	expect_parse_error("3.11.0", true, "step + range", "");
	expect_parse_error("3.12.0", true, "range() + step()", "");
	/* 3.6-3.12 panic on a literal in a sign's parentheses after offset */
	expect_parse_error("3.6.0", true, "x offset -(5m)", "unexpected error");
	expect_parse_error("3.12.0", true, "x offset +((1))", "unexpected error");
	expect_parse_error("3.12.0", true, "x offset -(5m + 1m)", "");
	expect_parse_error("3.13.0", true, "x offset -(5m)", "");
	expect_parse_error("3.5.0", true, "x offset -(5m)", "");
	/* an expression that is not positive parses: the engine refuses it */
	expect_parse_error("3.4.0", true, "x[1m-2m]", "");
}

/* durations.go calculateDuration at v3.4.0 and v3.12.0, run as the engine
 * does before a query (promql_resolve_durations). */
static void test_resolve(void)
{
	struct buf b = BUF_INIT;
	struct compat c;
	struct err e = ERR_INIT;
	struct promql_expr *x = NULL;
	const struct promql_node *n;

	CHECK_STR(parse_as(&b, "3.14.0", true, "x[step()*2:min_of(range(), 1m)] offset -range()", &x), "");
	CHECK_EQ_I(compat_parse(&c, "3.14.0", &e), 0);
	if (x) {
		n = promql_expr_root(x);
		CHECK_EQ_I(n->kind, PROMQL_NODE_SUBQUERY);
		CHECK_EQ_I(promql_resolve_durations(n, 15000, 30000, &c, &e), 0);
		CHECK_EQ_I(n->u.subquery.range_ms, 30000);
		CHECK_EQ_I(n->u.subquery.step_ms, 30000);
		CHECK_EQ_I(n->u.subquery.offset_ms, -30000);
		/* an instant query: step() and range() are 0 */
		CHECK_EQ_I(promql_resolve_durations(n, 0, 0, &c, &e), -1);
		CHECK_STR(err_msg(&e), "18:29: duration must be greater than 0");
	}
	promql_expr_free(x);
	err_release(&e);
	CHECK_STR(parse_as(&b, "3.12.0", true, "x[2^2000]", &x), "");
	CHECK_EQ_I(compat_parse(&c, "3.12.0", &e), 0);
	if (x) {
		CHECK_EQ_I(promql_resolve_durations(promql_expr_root(x), 0, 0, &c, &e), -1);
		CHECK_STR(err_msg(&e), "2:8: duration is NaN or infinite");
		err_release(&e);
		CHECK_EQ_I(compat_parse(&c, "3.11.0", &e), 0);
		CHECK_EQ_I(promql_resolve_durations(promql_expr_root(x), 0, 0, &c, &e), -1);
		CHECK_STR(err_msg(&e), "2:8: duration is out of range");
	}
	promql_expr_free(x);
	err_release(&e);
	CHECK_STR(parse_as(&b, "3.4.0", true, "x[1m-2m] offset (1m/(1m-1m))", &x), "");
	CHECK_EQ_I(compat_parse(&c, "3.4.0", &e), 0);
	if (x) {
		/* parser.Walk meets the range before its selector's offset */
		CHECK_EQ_I(promql_resolve_durations(promql_expr_root(x), 0, 0, &c, &e), -1);
		CHECK_STR(err_msg(&e), "2:7: duration must be greater than 0");
	}
	promql_expr_free(x);
	err_release(&e);
	CHECK_STR(parse_as(&b, "3.4.0", true, "x offset (1m/(1m-1m))", &x), "");
	if (x) {
		CHECK_EQ_I(promql_resolve_durations(promql_expr_root(x), 0, 0, &c, &e), -1);
		CHECK_STR(err_msg(&e), "10:19: division by zero");
	}
	promql_expr_free(x);
	err_release(&e);
	buf_release(&b);
}

/* What the backfill's range shortcut must not take (7-backfill/rules_live.c). */
static void test_reads_query(void)
{
	static const struct {
		const char *q;
		bool reads;
	} cases[] = {
		{ "rate(x[5m+1m] offset 1m)", false },
		{ "x[5m:1m] offset (1m*2)", false },
		{ "rate(x[step()+1m])", true },
		{ "sum(x offset -range())", true },
		{ "max_over_time(x[5m:max_of(step(), 1s)])", true },
		{ "x @ start()", true },
		{ "rate(x[1m] @ end())", true },
		{ "x * step()", true },
		{ "x @ 10", false },
	};
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct promql_expr *x = NULL;
		CHECK_STR(parse_as(&b, "3.14.0", true, cases[i].q, &x), "");
		if (x && promql_reads_query(promql_expr_root(x)) != cases[i].reads) {
			fprintf(stderr, "promql_reads_query(%s) != %d\n", cases[i].q, cases[i].reads);
			check_state_.failed_checks++;
		}
		promql_expr_free(x);
	}
	buf_release(&b);
}

int main(void)
{
	RUN(test_print_3_14);
	RUN(test_print_3_6);
	RUN(test_print_3_4);
	RUN(test_parse_per_release);
	RUN(test_resolve);
	RUN(test_reads_query);
	return check_done();
}
