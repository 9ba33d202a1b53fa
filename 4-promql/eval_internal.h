/*
 * The evaluator itself: struct evaluator and the step functions that the
 * eval*.c files call in one another.  Internal to 4-promql; the public
 * entry points are in eval.h.
 *
 * The internal headers, by concern:
 *   eval_values.h  label sets, samples, vectors, matrices
 *   eval_map.h     uint64-keyed hash maps
 *   eval_cache.h   per-query caches and memos
 *   eval_func.h    the function implementations (func_*.c)
 * This one includes them all.  struct evaluator owns its arenas, caches and
 * memos; ev_release() in eval.c frees them.
 */
#ifndef PROMQL_EVAL_INTERNAL_H
#define PROMQL_EVAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/arena.h"
#include "1-common/err.h"
#include "2-model/regex.h"
#include "4-promql/ast.h"
#include "4-promql/eval.h"
#include "4-promql/eval_cache.h"
#include "4-promql/eval_func.h"
#include "4-promql/eval_map.h"
#include "4-promql/eval_values.h"
#include "4-promql/storage.h"

/* label_replace()'s regexp of one call node, compiled once per query (as
 * 2.42's EvalNodeHelper keeps it), with its submatch scratch. */
struct ev_regex {
	const struct promql_node *call;
	void *re;
	struct label_regex_sub sub;
};

struct evaluator {
	const struct promql_storage *st;
	struct arena qarena; /* lives for the whole query (memo entries) */
	struct node_memo *memos;
	size_t nmemos, memocap, last_memo;
	struct smap dup_scratch; /* ev_check_dup_labels' */
	struct smap agg_scratch; /* ev_aggregate's groups (no evaluation nests in its use) */
	struct smap hq_scratch;  /* histogram_quantile's groups (likewise) */
	int64_t query_start, query_end; /* for @ start() / end() */
	int64_t query_step; /* a range query's step (0: instant), for step() */
	int64_t lookback;
	int64_t subquery_step;
	struct arena arena;
	struct sel_cache *sels;
	size_t nsels, selcap;
	struct hmap sel_dedup; /* while preparing: selection key -> sels index + 1 */
	struct dup_reg *regs;
	size_t nregs, regcap;
	struct subq_cache *subqs;
	size_t nsubqs, subqcap;
	/*
	 * The start of the evaluator 2.42 would be running at this point: the
	 * query start, or inside a subquery its aligned inner start.  Calls
	 * evaluated over several steps (see moving) shift `@` windows by
	 * ts - cur_start.
	 */
	int64_t cur_start;
	/*
	 * Subquery offsets 2.42 leaves in the `@` offsets of selectors below
	 * a subquery whose inner start equals its parent's (setOffsetForAtModifier
	 * is then not re-run for it): `@ t` reads at t - offset + skip_off.
	 */
	int64_t skip_off;
	const struct promql_node **moving; /* calls whose @ windows move */
	size_t nmoving, movingcap;
	struct ev_regex *rxs;
	size_t nrxs, rxcap;
	struct ev_limit *lim; /* eval_limit.h; NULL without limits */
	struct ev_info *info; /* eval_info.h; NULL until info() is evaluated */
	bool use_st; /* 3.12's use-start-timestamps: windows carry start timestamps */
	/* Range functions swept over blocks of steps (eval_sweep.c): the
	 * range query's step (0 for instant queries), how many subqueries
	 * the evaluation is inside (their inner steps are not swept), and
	 * the per-call sweeps; no_sweep (promql_engine_opts.per_step_windows)
	 * turns them and the groups carried over between steps off. */
	int64_t sweep_step;
	unsigned subq_depth;
	bool no_sweep;
	uint64_t swept; /* steps served by sweeps (promql_result.swept) */
	struct sweep **sweeps;
	size_t nsweeps, sweepcap;
	/* Positions in memos, regs and subqs by node, once one has more
	 * than a few entries (see ev_node_find). */
	struct hmap node_index;
	const struct compat *compat; /* the release imitated; NULL: 2.42.0 */
	bool subq_top; /* the subquery being evaluated is not a function's argument */
	struct promql_annotations *annots; /* eval_annot.h; NULL: not collected */
	bool delayed_names; /* promql_engine_opts.delayed_name_removal */
	struct err *e;
};

/*
 * The per-node arrays of the evaluator (memos, regs, subqs): entries of
 * stride bytes at base, each starting with its node pointer.  A query may
 * have hundreds of thousands of such nodes (a long chain of calls), so
 * past a few entries they are found through ev->node_index instead of a
 * scan.  ev_node_find returns the index of node's entry, or n when it has
 * none; ev_node_added records that entry n - 1 was just appended.  arr is
 * which array (EV_MEMOS, EV_REGS, EV_SUBQS).
 */
enum { EV_MEMOS = 1, EV_REGS, EV_SUBQS };
size_t ev_node_find(struct evaluator *ev, int arr, const void *base, size_t n, size_t stride,
		    const struct promql_node *node);
void ev_node_added(struct evaluator *ev, int arr, const void *base, size_t n, size_t stride);

int ev_eval(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_value *out);
/* Selects the series of every selector of the tree (eval_select.c). */
int ev_prepare(struct evaluator *ev, const struct promql_node *root);
/* Frees the selections and subquery caches. */
void ev_select_release(struct evaluator *ev);
/* Whether PreprocessExpr finds n step invariant (evaluated once, at the
 * evaluator's start, then repeated; eval_select.c). */
bool ev_step_invariant(const struct promql_node *n);
/* Whether call n is one whose `@`-pinned range argument 2.42 reads with a
 * window that moves with the step (see eval_select.c). */
bool ev_call_moves(const struct evaluator *ev, const struct promql_node *n);
/* timestamp(selector): samples keep their own timestamps. */
int ev_timestamp_selector(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_vector *out);
/* The instant vector of selector n at ts; keep_t keeps the samples' own
 * timestamps (for timestamp()). */
int ev_vector_selector(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_vector *out);
/* The range-vector argument of a function at ts: a matrix selector or a
 * subquery; range_start and range_end receive the window (for rate()). */
int ev_range_arg(struct evaluator *ev, const struct promql_node *n, int64_t ts, bool moving,
		 struct ev_matrix *out, int64_t *range_start, int64_t *range_end, int64_t *range_ms);
/*
 * The samples a range window ending at maxt holds, from its start mint =
 * maxt - range: timestamps first..last inclusive.  2.42 closes both ends
 * ([mint, maxt]).  Every window of matrix selectors (eval_select.c's
 * per-step windows, eval_sweep.c's sliding ones) is bounded through here,
 * so a version gate (3.0's left-open windows) belongs in this one place.
 */
static inline void ev_window_bounds(bool left_open, int64_t mint, int64_t maxt, int64_t *first, int64_t *last)
{
	/* 3.0 (PROMQL_LEFT_OPEN): (mint, maxt] */
	*first = left_open && mint != INT64_MAX ? mint + 1 : mint;
	*last = maxt;
}

/* One step of a swept range function: per series of the selector's set,
 * the window size (0: empty), whether the function gave a value, and it. */
struct ev_sweep_cells {
	const double *val;
	const uint32_t *w;
	const uint8_t *ok;
	/* Per series, the call's output labels once made (made[i]): the
	 * caller's to fill; kept for the whole query. */
	struct lset *ols;
	uint8_t *made;
};
/*
 * The values of range call `call` over matrix selector `mat` (selection
 * sc) at step ts, from the sweep of the block of steps holding ts (made
 * now if needed); arg and arg2 are the call's scalar arguments at ts.
 * Returns 1 with *out set, 0 when this call or step is not swept (use the
 * per-step path), -1 with ev->e set.  Cells stay valid until the next call.
 */
int ev_sweep_step(struct evaluator *ev, const struct promql_node *call, const struct promql_node *mat,
		  const struct sel_cache *sc, int64_t ts, double arg, double arg2, struct ev_sweep_cells *out);
void ev_sweep_release(struct evaluator *ev);
/*
 * 3.7's anchored and smoothed selectors (eval_extended.c).
 * ev_extended_check: the error upstream gives for a function whose range
 * argument arg has a modifier it does not take (0 when fine).
 * func_range_extended: func_range() for a window read with modifier ext
 * (range_start/range_end of c: the unwidened bounds).
 * ev_extend_points: the points a returned matrix selector with ext holds.
 * ev_smoothed_vector: a smoothed instant selector at ref = time - offset.
 */
int ev_extended_check(struct evaluator *ev, const struct promql_node *call, const struct promql_node *arg);
int func_range_extended(enum promql_func_id id, enum promql_ext ext, const struct ev_point *p, size_t n,
			const struct range_ctx *c, double *out, struct err *e);
void ev_extend_points(struct arena *a, const struct compat *cp, enum promql_ext ext, int64_t mint, int64_t maxt,
		      struct ev_mseries *s);
int ev_smoothed_vector(struct evaluator *ev, const struct promql_node *vs, int64_t ref, int64_t ts,
		       struct ev_vector *out);
/* The selection of selector vs (eval_select.c); NULL if not prepared. */
struct sel_cache *ev_selected(struct evaluator *ev, const struct promql_node *vs);

int ev_binary(struct evaluator *ev, const struct promql_node *n, struct ev_value *l, struct ev_value *r, struct ev_value *out);
int ev_aggregate(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_value *out);
int ev_call(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_value *out);
/* histogram_quantile(q, in) at ts into out (eval_hq.c); with fraction
 * ([lower, upper]) histogram_fraction instead. */
int ev_histogram_quantile(struct evaluator *ev, const struct promql_node *n, double q, const struct ev_vector *in,
			  int64_t ts, struct ev_vector *out, const double *fraction);
struct hq_layout;
void ev_hq_layout_free(struct hq_layout *l);
/* 2.42's Vector.ContainsSameLabelset check; sets the error. */
int ev_check_dup_labels(struct evaluator *ev, const struct ev_vector *v);
const struct promql_node *ev_unwrap(const struct promql_node *n);
/* lset_drop_name of the release evaluated (3.5 drops __type__, __unit__ too);
 * with delayed name removal only marked for the end (eval_names.c). */
static inline struct lset ev_drop_name(struct evaluator *ev, struct lset ls)
{
	if (ev->delayed_names) {
		ls.drop = true;
		return ls;
	}
	return lset_drop_name_at(&ev->arena, ls, ev->compat);
}
/* Records that node produced labels out from input series in; fails with
 * "vector cannot contain metrics with the same labelset" when another input
 * series of the query produced the same labels. */
int ev_note_output(struct evaluator *ev, const struct promql_node *node, struct lset out, struct lset in);

#endif
