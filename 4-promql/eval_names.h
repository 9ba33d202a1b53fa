/*
 * Delayed name removal's end of a query (internal to 4-promql; see
 * eval_names.c).  Labels made here live in the evaluator's arena.
 */
#ifndef PROMQL_EVAL_NAMES_H
#define PROMQL_EVAL_NAMES_H

#include <stdint.h>

#include "4-promql/eval_internal.h"

/*
 * One step's result vector: the marked label sets lose their names (and
 * metadata labels from 3.5); two equal label sets are then "vector cannot
 * contain metrics with the same labelset".  With orig, *orig receives each
 * sample's label-set hash from before (arena memory), for the range query's
 * check across steps.
 */
int ev_names_finish(struct evaluator *ev, struct ev_vector *v, uint64_t **orig);
/* The same for an instant query's matrix result. */
int ev_names_finish_matrix(struct evaluator *ev, struct ev_matrix *m);
/* An instant query's result, vector or matrix; nothing without delayed
 * name removal. */
int ev_names_result(struct evaluator *ev, struct ev_value *v);

#endif
