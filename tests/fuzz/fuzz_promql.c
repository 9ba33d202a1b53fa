/*
 * Fuzz target for the PromQL parser and printer: any input must parse or
 * fail cleanly, and for a parsed input String() must re-parse and print the
 * same text again -- unless it holds a signed infinity, which 2.42 itself
 * prints as "+Inf"/"-Inf" and so re-parses with an extra unary operator
 * ("2 - inf ^ 3" prints "2 - +Inf ^ 3", which prints "2 - ++Inf ^ 3").
 * A parsed regexp matcher always carries its compiled pattern (RE2): what
 * RE2 cannot compile is a parse error, never a matcher without one.
 * The same bytes also go through the metric-selector entry point (tsdb
 * dump --match): a selector it accepts is one vector selector (which the
 * full parser may still refuse: it also checks the matchers, "{a=\"\"}").
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "4-promql/ast.h"
#include "4-promql/promql.h"

/* Every regexp matcher of a parsed expression is compiled. */
static int check_regexps(const struct promql_node *n, void *arg)
{
	(void)arg;
	if (n->kind != PROMQL_NODE_VECTOR)
		return 0;
	for (size_t i = 0; i < n->u.vector.nmatchers; i++) {
		const struct label_matcher *m = &n->u.vector.matchers[i];
		if ((m->type == LABEL_MATCH_REGEXP || m->type == LABEL_MATCH_NOT_REGEXP) && !m->re)
			abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct promql_expr *x = NULL, *y = NULL;
	struct err e = ERR_INIT;
	struct buf a = BUF_INIT, b = BUF_INIT;

	if (promql_parse_metric_selector(&x, (const char *)data, size, &e) == 0) {
		if (promql_expr_root(x)->kind != PROMQL_NODE_VECTOR)
			abort();
		promql_walk(promql_expr_root(x), check_regexps, NULL);
		promql_print(&a, x);
		buf_release(&a);
	} else if (!err_isset(&e)) {
		abort();
	}
	err_release(&e);
	promql_expr_free(x);
	x = NULL;
	if (promql_parse(&x, (const char *)data, size, &e) != 0)
		goto done;
	promql_walk(promql_expr_root(x), check_regexps, NULL);
	promql_print(&a, x);
	if (promql_parse(&y, (const char *)a.data, a.len, &e) != 0)
		abort(); /* String() printed something that does not parse */
	promql_print(&b, y);
	if (!memmem(a.data, a.len, "Inf", 3) && (a.len != b.len || memcmp(a.data, b.data, a.len) != 0))
		abort(); /* printing is not a fixed point */
done:
	promql_expr_free(x);
	promql_expr_free(y);
	err_release(&e);
	buf_release(&a);
	buf_release(&b);
	return 0;
}
