/*
 * Query limits of the evaluator (internal to 4-promql/eval*.c): 2.42's
 * --query.max-samples and --query.timeout.
 *
 * 2.42 evaluates a query node by node over all steps and keeps a running
 * count of the samples it holds (engine.go's currentSamples); the query
 * fails with "query processing would load too many samples into memory in
 * query execution" when the count would pass the maximum.  We evaluate step
 * by step, so the count is rebuilt from statistics the evaluator hands in
 * here (each node's output size per step, each range function's window
 * sizes per series) over a model of 2.42's evaluation order: which nodes
 * its PreprocessExpr wraps as step invariant, which evaluator (query,
 * subquery) each node runs in, and how rangeEval, matrix functions and
 * subqueries add and release samples.  The count 2.42 would reach only
 * grows as statistics come in, so a check part-way through is a lower
 * bound: the query fails here only if it fails in 2.42, and at the end the
 * check is exact where our statistics are (see COMPATIBILITY.md for where
 * they are not).
 *
 * The evaluator owns its struct ev_limit (ev->lim, NULL when neither limit
 * is on); ev_limit_free() releases it.
 */
#ifndef PROMQL_EVAL_LIMIT_H
#define PROMQL_EVAL_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "4-promql/eval_internal.h"

struct ev_limit;
struct lim_node;

/* Sets up ev->lim for root evaluated over nsteps steps from start to end;
 * leaves it NULL when opts ask for no limit. */
void ev_limit_init(struct evaluator *ev, const struct promql_node *root, int64_t end, int64_t nsteps,
		   const struct promql_engine_opts *opts);
void ev_limit_free(struct ev_limit *l);

/* After node n produced v at a step: records its size, checks the count
 * now and then and the clock every few hundred calls.  -1 with ev->e set
 * when a limit is passed. */
int ev_limit_note(struct evaluator *ev, const struct promql_node *n, const struct ev_value *v);

/* Checks the clock only: for loops that do not evaluate nodes. */
int ev_limit_tick(struct evaluator *ev);

/* The statistics of range-function call n, NULL when not tracked; valid
 * for the rest of the query. */
struct lim_node *ev_limit_call(struct evaluator *ev, const struct promql_node *n);
/* What a range function's series held over the steps so far. */
struct lim_series {
	uint64_t maxw, lastw, stamp, outs;
};

/*
 * Over a matrix selector of npos series: the statistics of each, by its
 * place in the selector's set (allocated on first use), and in *stamp the
 * number of this step.  Each step, for every series with a non-empty
 * window of w points, ev_limit_series_note() with whether 2.42 adds a
 * point to the call's result for it.
 */
struct lim_series *ev_limit_series(struct lim_node *ln, size_t npos, uint64_t *stamp);
static inline void ev_limit_series_note(struct lim_series *s, uint64_t stamp, size_t w, bool output)
{
	if (w > s->maxw)
		s->maxw = w;
	s->lastw = w;
	s->stamp = stamp;
	s->outs += output;
}
/* The same over a subquery, whose series are told apart by key, their
 * labels hash. */
void ev_limit_window(struct lim_node *ln, uint64_t key, size_t w, bool output);

/*
 * Subquery sq starts its inner evaluation at a step: inner_start is the
 * inner evaluator's aligned start, end the last inner time at this outer
 * step ts, moves whether that end moves with ts (no `@`, or a call's
 * moving `@` window).  Saves the enclosing evaluator's end in *saved for
 * ev_limit_subquery_leave().  -1 with ev->e set when the inner evaluator's
 * step count alone passes the limit.
 */
int ev_limit_subquery_enter(struct evaluator *ev, const struct promql_node *sq, int64_t inner_start, int64_t end,
			    int64_t ts, bool moves, int64_t step, int64_t *saved);
void ev_limit_subquery_leave(struct evaluator *ev, int64_t saved);

/* At the end of the query: the exact check; the peak count goes to *peak. */
int ev_limit_finish(struct evaluator *ev, uint64_t *peak);
/* Whether the failure was the timeout (2.42's ErrQueryTimeout). */
bool ev_limit_timed_out(const struct evaluator *ev);

#endif
