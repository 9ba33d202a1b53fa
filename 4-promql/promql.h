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

#include <stdbool.h>
#include <stddef.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "1-common/err.h"

struct promql_expr;

/*
 * Parses input[0..len).  On failure returns -1 and sets e to the message
 * 2.42's parser error prints, e.g.
 *   1:87: parse error: expected type instant vector in call to function "abs", got scalar
 * (2.42 reports only the first error its parser hits; so do we).
 */
int promql_parse(struct promql_expr **out, const char *input, size_t len, struct err *e);

/* What the parser of another release accepts (see 1-common/compat.h). */
struct promql_parse_opts {
	const struct compat *compat; /* borrowed; NULL: 2.42.0 */
	/* --enable-feature=promql-experimental-functions: the functions the
	 * release marks experimental parse (2.42 has none). */
	bool experimental_functions;
	/* --enable-feature=promql-duration-expr (3.4+): [5m+1m], offset (1h/2) */
	bool duration_expressions;
	/* --enable-feature=promql-binop-fill-modifiers (3.10+) */
	bool binop_fill_modifiers;
	/* --enable-feature=promql-extended-range-selectors (3.7+): anchored, smoothed */
	bool extended_range_selectors;
};

/* promql_parse() as the release in o parses; o may be NULL (2.42.0). */
int promql_parse_with(struct promql_expr **out, const char *input, size_t len, const struct promql_parse_opts *o,
		      struct err *e);
/*
 * parser.ParseMetricSelector of 2.42: input must be one vector selector
 * (a metric name, label matchers, or both; no offset, @, range, or
 * anything around it), with the errors 2.42's grammar gives from its
 * START_METRIC_SELECTOR start ("1:3: parse error: unexpected <op:+>").
 * The root of *out is then a PROMQL_NODE_VECTOR whose matchers are the
 * selector's, __name__ last when a name was given.  As in 2.42, no type
 * checks follow: "{}" gives no matchers.
 */
int promql_parse_metric_selector(struct promql_expr **out, const char *input, size_t len, struct err *e);
/* The same for the release in o (NULL: 2.42.0). */
int promql_parse_metric_selector_with(struct promql_expr **out, const char *input, size_t len,
				      const struct promql_parse_opts *o, struct err *e);
void promql_expr_free(struct promql_expr *x);
/* Appends the canonical text of the expression (2.42's String()). */
void promql_print(struct buf *out, const struct promql_expr *x);
/* String() of the release c (--compat; NULL: 2.42.0). */
void promql_print_with(struct buf *out, const struct promql_expr *x, const struct compat *c);
/*
 * Expr.Pretty(0) (promql/parser/prettier.go, 2.46+; the same through
 * 3.14): String(), split over indented lines where a node's String() is
 * over 100 bytes; c's String() (4-promql/pretty.c).
 */
void promql_pretty_with(struct buf *out, const struct promql_expr *x, const struct compat *c);
/* The same with another maxCharactersPerLine (upstream's tests vary it). */
void promql_pretty_width(struct buf *out, const struct promql_expr *x, const struct compat *c, size_t width);

#endif
