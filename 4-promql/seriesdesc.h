/*
 * 2.42's parser.ParseSeriesDesc and parser.ParseMetric with the parser's
 * exact error reporting: the lexer in series-description mode and the LR
 * automaton goyacc builds for the `series_description` and `metric`
 * rules, default reductions and error recovery included, so that bad
 * input gives promtool's message (the first error: ParseErrors.Error()
 * prints only that one):
 *   1:48: parse error: unexpected character inside braces: '0'
 *   1:6: parse error: unexpected " " in series values
 *   1:5: parse error: unexpected <op:+>
 *
 * Results are appended to caller-owned storage: labels copied into *ls
 * (sorted, __name__ included), values grown with ALLOC_GROW on *cap.
 */
#ifndef PROMQL_SERIESDESC_H
#define PROMQL_SERIESDESC_H

#include <stdbool.h>
#include <stddef.h>

#include "1-common/err.h"
#include "2-model/labels.h"

/* The most values one description may expand to (Go has no limit and runs
 * out of memory on "1x99999999999999999999"). */
#define PROMQL_SERIES_DESC_MAX_VALUES 50000000

int promql_series_desc_parse(const char *s, size_t len, struct labels *ls, double **vals, bool **omitted,
			     size_t *n, size_t *cap, struct err *e);
int promql_metric_parse(const char *s, size_t len, struct labels *ls, struct err *e);

#endif
