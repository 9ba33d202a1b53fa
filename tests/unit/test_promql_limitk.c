/*
 * limitk and limit_ratio in the parser per release (2.54's LIMITK and
 * LIMIT_RATIO tokens, promql/parser/lex.go and generated_parser.y;
 * newAggregateExpr's experimental check in parse.go at v2.54.0 and
 * v3.1.0).  Their evaluation is in testdata/promql-compat/2.54.0.test and
 * 3.6.0.test.
 */
#include <string.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "1-common/err.h"
#include "4-promql/promql.h"
#include "tests/unit/check.h"

/* The parse error of q under release v ("" when it parses); printed: its
 * String() when it parses. */
static const char *parse_as(struct buf *out, const char *v, bool experimental, const char *q, struct buf *printed)
{
	struct compat c;
	struct promql_parse_opts o = { .compat = &c, .experimental_functions = experimental };
	struct promql_expr *x = NULL;
	struct err e = ERR_INIT;

	buf_reset(out);
	CHECK_EQ_I(compat_parse(&c, v, &e), 0);
	if (promql_parse_with(&x, q, strlen(q), &o, &e) < 0)
		buf_adds(out, err_msg(&e));
	else if (printed)
		promql_print_with(printed, x, &c);
	promql_expr_free(x);
	err_release(&e);
	return buf_str(out);
}

static void test_per_release(void)
{
	struct buf b = BUF_INIT, p = BUF_INIT;

	CHECK_STR(parse_as(&b, "2.53.5", true, "limitk(1, x)", NULL),
		  "1:1: parse error: unknown function with name \"limitk\"");
	CHECK_STR(parse_as(&b, "2.53.5", false, "limit_ratio + limitk", NULL), "");
	CHECK_STR(parse_as(&b, "2.54.0", false, "limitk(1, x)", NULL),
		  "1:1: parse error: limitk() and limit_ratio() are experimental and must be enabled with "
		  "--enable-feature=promql-experimental-functions");
	CHECK_STR(parse_as(&b, "3.0.1", false, "x + limit_ratio(0.5, x)", NULL),
		  "1:5: parse error: limitk() and limit_ratio() are experimental and must be enabled with "
		  "--enable-feature=promql-experimental-functions");
	CHECK_STR(parse_as(&b, "3.1.0", false, "x + limit_ratio(0.5, x)", NULL),
		  "1:5: parse error: limit_ratio() is experimental and must be enabled with "
		  "--enable-feature=promql-experimental-functions");
	/* still names where no "(" or by/without follows (metric_identifier,
	 * maybe_label have LIMITK and LIMIT_RATIO) */
	CHECK_STR(parse_as(&b, "2.54.0", false, "limitk + sum by (limit_ratio) (x)", NULL), "");
	CHECK_STR(parse_as(&b, "2.54.0", false, "limit_(1, x)", NULL),
		  "1:1: parse error: unknown function with name \"limit_\"");
	CHECK_STR(parse_as(&b, "2.54.0", true, "limitk(\"a\", x)", NULL),
		  "1:8: parse error: expected type scalar in aggregation parameter, got string");
	CHECK_STR(parse_as(&b, "2.54.0", true, "limitk by (g) (1, x)", &p), "");
	CHECK_STR(buf_str(&p), "limitk by (g) (1, x)");
	buf_reset(&p);
	CHECK_STR(parse_as(&b, "3.14.0", true, "LIMIT_RATIO without(g)(-0.5, x)", &p), "");
	CHECK_STR(buf_str(&p), "limit_ratio without (g) (-0.5, x)");
	buf_release(&b);
	buf_release(&p);
}

int main(void)
{
	RUN(test_per_release);
	return check_done();
}
