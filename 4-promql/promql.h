/*
 * PromQL: parsing an expression into an AST and printing it back exactly as
 * Prometheus 2.42's Expr.String() does.
 *
 * A struct promql_expr owns every node of its tree (they live in an arena
 * inside it); promql_expr_free() releases all of it and accepts NULL.  The
 * node types themselves are declared in 4-promql/ast.h for the evaluator and
 * the printer.
 */
#ifndef PROMQL_PROMQL_H
#define PROMQL_PROMQL_H

#include <stddef.h>

#include "1-common/buf.h"
#include "1-common/err.h"

struct promql_expr;

/*
 * Parses input[0..len).  On failure returns -1 and sets e to the message
 * 2.42's parser error prints, e.g.
 *   1:87: parse error: expected type instant vector in call to function "abs", got scalar
 * (2.42 reports only the first error its parser hits; so do we).
 */
int promql_parse(struct promql_expr **out, const char *input, size_t len, struct err *e);
/*
 * parser.ParseMetricSelector of 2.42 (the API's match[], promtool's
 * --match): one vector selector such as `name{l="v"}` and nothing after
 * it, with 2.42's error texts.  The root of *out is a PROMQL_NODE_VECTOR
 * whose matchers (regexes compiled) come in 2.42's order, __name__ last.
 */
int promql_parse_metric_selector(struct promql_expr **out, const char *input, size_t len, struct err *e);
void promql_expr_free(struct promql_expr *x);
/* Appends the canonical text of the expression (2.42's String()). */
void promql_print(struct buf *out, const struct promql_expr *x);

#endif
