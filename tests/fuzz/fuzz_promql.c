/*
 * Fuzz target for the PromQL parser and printer: any input must parse or
 * fail cleanly, and for a parsed input, String() must be a fixed point:
 * parse(print(x)) succeeds and prints the same text (2.42's String() is
 * designed to re-parse to the same tree).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "promql/promql.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct promql_expr *x = NULL, *y = NULL;
	struct err e = ERR_INIT;
	struct buf a = BUF_INIT, b = BUF_INIT;

	if (promql_parse(&x, (const char *)data, size, &e) != 0)
		goto done;
	promql_print(&a, x);
	if (promql_parse(&y, (const char *)a.data, a.len, &e) != 0)
		abort(); /* String() printed something that does not parse */
	promql_print(&b, y);
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort(); /* printing is not a fixed point */
done:
	promql_expr_free(x);
	promql_expr_free(y);
	err_release(&e);
	buf_release(&a);
	buf_release(&b);
	return 0;
}
