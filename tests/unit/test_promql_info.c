/*
 * info() (2.55, experimental) where bin/promqltest cannot show it: the
 * parser's checks of its second argument, whose errors a test file of
 * 2.55-3.8 could not expect (upstream's framework fails the whole file on
 * a query it cannot parse).  Expected messages follow
 * promql/parser/parse.go checkAST at the tag named in each check.
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "1-common/err.h"
#include "4-promql/promql.h"
#include "tests/unit/check.h"

/* Parses q as release v does, experimental functions on unless
 * !experimental; returns the error message, or "" when it parsed. */
static const char *parse_as(struct buf *out, const char *v, bool experimental, const char *q)
{
	struct compat c;
	struct promql_parse_opts o = { &c, experimental, false, false };
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

/* parser/functions.go: info from 2.55.0, experimental up to 3.14. */
static void test_info_availability(void)
{
	struct buf b = BUF_INIT;

	CHECK_STR(parse_as(&b, "2.54.1", true, "info(x)"), "1:1: parse error: unknown function with name \"info\"");
	CHECK_STR(parse_as(&b, "2.55.0", false, "info(x)"), "1:1: parse error: function \"info\" is not enabled");
	CHECK_STR(parse_as(&b, "3.14.0", false, "info(x)"), "1:1: parse error: function \"info\" is not enabled");
	CHECK_STR(parse_as(&b, "2.55.0", true, "info(x)"), "");
	CHECK_STR(parse_as(&b, "2.55.0", true, "info(x, {a=\"b\"}, {c=\"d\"})"),
		  "1:1: parse error: expected at most 2 argument(s) in call to \"info\", got 3");
	buf_release(&b);
}

/*
 * The second argument (checkAST's Call case at v2.55.0 and v3.8.0): label
 * selectors, which need no non-empty matcher (BypassEmptyMatcherCheck); a
 * metric name is refused; before 3.8 anything but a vector selector fails
 * a type assertion, a panic ParseExpr reports as "unexpected error" in
 * place of any error found before; from 3.8 "expected label selectors
 * only" at the argument.
 */
static void test_info_label_selectors(void)
{
	struct buf b = BUF_INIT;

	CHECK_STR(parse_as(&b, "2.55.0", true, "info(x, {a=~\".*\"})"), "");
	CHECK_STR(parse_as(&b, "3.14.0", true, "info(x, {})"), "");
	CHECK_STR(parse_as(&b, "3.14.0", true, "x + {a=~\".*\"}"),
		  "1:5: parse error: vector selector must contain at least one non-empty matcher");
	CHECK_STR(parse_as(&b, "2.55.0", true, "info(x, y{a=\"b\"})"),
		  "1:9: parse error: expected label selectors only, got vector selector instead");
	CHECK_STR(parse_as(&b, "3.7.3", true, "info(x, vector(1))"), "unexpected error");
	CHECK_STR(parse_as(&b, "3.7.3", true, "info(x, 1)"), "unexpected error");
	CHECK_STR(parse_as(&b, "3.8.0", true, "info(x, vector(1))"),
		  "1:9: parse error: expected label selectors only");
	CHECK_STR(parse_as(&b, "3.8.0", true, "info(x, 1)"),
		  "1:1: parse error: expected type instant vector in call to function \"info\", got scalar");
	buf_release(&b);
}

int main(void)
{
	RUN(test_info_availability);
	RUN(test_info_label_selectors);
	return check_done();
}
