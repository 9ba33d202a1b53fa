/*
 * The annotations the evaluator raises (internal to 4-promql), where
 * upstream's engine.go and functions.go add them, for float samples.
 * Each is a no-op unless the query collects annotations (ev->annots), so
 * the hooks in the evaluator cost one test of a pointer otherwise.
 * Implemented in eval_annot.c.
 */
#ifndef PROMQL_EVAL_ANNOT_H
#define PROMQL_EVAL_ANNOT_H

#include "4-promql/eval_internal.h"

void ev_annot_quantile_at(struct evaluator *ev, double q);
void ev_annot_bad_bucket_at(struct evaluator *ev, struct lset ls);
void ev_annot_monotonic_at(struct evaluator *ev, struct lset ls);
void ev_annot_counter_at(struct evaluator *ev, const struct promql_node *call, struct lset in);
void ev_annot_sort_at(struct evaluator *ev);
void ev_annot_ratio_at(struct evaluator *ev, double r);
void ev_annot_st_overlap_at(struct evaluator *ev, const struct promql_node *call, const struct ev_mseries *s);
void ev_annot_range_call_at(struct evaluator *ev, const struct promql_node *call, double arg,
			    const struct ev_value *out);

/* quantile, quantile_over_time, histogram_quantile(s): q outside [0, 1]. */
static inline void ev_annot_quantile(struct evaluator *ev, double q)
{
	if (ev->annots)
		ev_annot_quantile_at(ev, q);
}

/* limit_ratio: r outside [-1, 1] (capped). */
static inline void ev_annot_ratio(struct evaluator *ev, double r)
{
	if (ev->annots)
		ev_annot_ratio_at(ev, r);
}

/* histogram_quantile/fraction: series ls has no `le` or a malformed one. */
static inline void ev_annot_bad_bucket(struct evaluator *ev, struct lset ls)
{
	if (ev->annots)
		ev_annot_bad_bucket_at(ev, ls);
}

/* histogram_quantile: the buckets of the group of input series ls had to
 * be made monotonic. */
static inline void ev_annot_monotonic(struct evaluator *ev, struct lset ls)
{
	if (ev->annots)
		ev_annot_monotonic_at(ev, ls);
}

/* rate/increase gave a value for input series in (once per series). */
static inline void ev_annot_counter(struct evaluator *ev, const struct promql_node *call, struct lset in)
{
	if (ev->annots)
		ev_annot_counter_at(ev, call, in);
}

/* sort, sort_desc, sort_by_label(_desc) evaluated over several steps. */
static inline void ev_annot_sort(struct evaluator *ev)
{
	if (ev->annots)
		ev_annot_sort_at(ev);
}

/* rate/increase over window s, whose samples carry start timestamps. */
static inline void ev_annot_st_overlap(struct evaluator *ev, const struct promql_node *call,
				       const struct ev_mseries *s)
{
	if (ev->annots)
		ev_annot_st_overlap_at(ev, call, s);
}

/* A range function's step done with scalar argument arg and output out
 * (quantile_over_time: q outside [0, 1] once a series had samples). */
static inline void ev_annot_range_call(struct evaluator *ev, const struct promql_node *call, double arg,
				       const struct ev_value *out)
{
	if (ev->annots)
		ev_annot_range_call_at(ev, call, arg, out);
}

#endif
