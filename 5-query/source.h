/*
 * A query source: something that evaluates a PromQL range query and hands
 * the resulting series to a sink, one at a time.  The rules backfill
 * (7-backfill/rules_import.c) talks only to this interface, so the remote
 * Prometheus API (5-query/remote.h) and a local TSDB evaluator can stand in
 * for each other.
 *
 * A source owns its own state; query_source_free() releases it (accepts
 * NULL).  Everything passed to the sink (labels, samples, warnings) is owned
 * by the source and valid only during the callback.
 */
#ifndef QUERY_SOURCE_H
#define QUERY_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "2-model/labels.h"

/* One series of a range query result: its labels (unsorted, as the source
 * returned them) and its samples in time order. */
struct query_series {
	const struct label *labels;
	size_t nlabels;
	const int64_t *t; /* milliseconds */
	const double *v;
	size_t n;
};

/*
 * Where results go.  A source first validates the whole response, then
 * calls begin() once (result type as the Prometheus API names it --
 * "matrix", "vector", "scalar" or "string" -- and any warnings), then
 * series() once per series.  A callback that returns non-zero stops the
 * query; the source then returns -1 without touching e (the callback has
 * set it).
 */
struct query_sink {
	void *arg;
	int (*begin)(void *arg, const char *result_type, const char *const *warnings, size_t nwarnings,
		     struct err *e);
	int (*series)(void *arg, const struct query_series *s, struct err *e);
};

struct query_source;

struct query_source_ops {
	/*
	 * Evaluates expr over [start, end] (end inclusive) every step.  start
	 * keeps nanoseconds because promtool sends its aligned start time with
	 * them; end is whole seconds in practice.  Returns 0, or -1 with e set
	 * to the error promtool's v1 API client would return (the caller adds
	 * "query range: ").
	 */
	int (*range_query)(struct query_source *src, const char *expr, int64_t start_ns, int64_t end_ns,
			   int64_t step_ns, const struct query_sink *sink, struct err *e);
	void (*free)(struct query_source *src);
	/*
	 * Optional (may be NULL): the expressions that will be queried, each
	 * over the same windows, before the first query.  A source may use it
	 * to share work between them (5-query/local.c keeps the selections
	 * they have in common); it changes no result.
	 */
	void (*plan)(struct query_source *src, const char *const *exprs, size_t n);
};

struct query_source {
	const struct query_source_ops *ops;
};

static inline int query_source_range(struct query_source *src, const char *expr, int64_t start_ns,
				     int64_t end_ns, int64_t step_ns, const struct query_sink *sink,
				     struct err *e)
{
	return src->ops->range_query(src, expr, start_ns, end_ns, step_ns, sink, e);
}

static inline void query_source_plan(struct query_source *src, const char *const *exprs, size_t n)
{
	if (src->ops->plan)
		src->ops->plan(src, exprs, n);
}

static inline void query_source_free(struct query_source *src)
{
	if (src)
		src->ops->free(src);
}

#endif
