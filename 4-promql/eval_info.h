/*
 * The experimental info() function (2.55, promql-experimental-functions):
 * its first argument's series enriched with the data labels of the info
 * series (target_info by default, or those its second argument selects)
 * that share their identifying labels, instance and job.  Internal to
 * 4-promql (eval*.c).
 *
 * The evaluator owns its struct ev_info (ev->info, NULL until an info()
 * call is evaluated): the info series selected for each call, released by
 * ev_info_free().
 */
#ifndef PROMQL_EVAL_INFO_H
#define PROMQL_EVAL_INFO_H

#include <stdint.h>

#include "4-promql/eval_internal.h"

struct ev_info;

/* info(base [, {label selectors}]) at step ts: a vector in out. */
int ev_info(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_value *out);
/* Frees the selections (accepts NULL). */
void ev_info_free(struct ev_info *info);

#endif
