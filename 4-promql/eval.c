/*
 * The evaluator's core: the node dispatch and the instant/range query
 * entry points.
 *
 * 2.42's engine evaluates a range query node by node over all steps
 * (rangeEval) and wraps step-invariant sub-trees (those under `@`) so they
 * are computed once.  We evaluate the whole expression once per step
 * instead; every node's value at a step depends only on that step's time,
 * so the results are the same: a selector with `@ t` reads at t - offset
 * whatever the step, and a subquery's inner steps are aligned to multiples
 * of its step (2.42's alignment) so per-step evaluation visits the same
 * inner timestamps the whole-range evaluation does.  Two things of a
 * range query are done over many steps at once, with the same results:
 * range functions over plain matrix selectors are swept over blocks of
 * steps with sliding windows (eval_sweep.c), and aggregations carry their
 * grouping over from the last step while the input repeats (eval_aggr.c).
 *
 * Selectors and subqueries live in eval_select.c, binary operators in
 * eval_binop.c, aggregations in eval_aggr.c, calls in eval_call.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "4-promql/eval_info.h"
#include "4-promql/eval_internal.h"
#include "4-promql/eval_limit.h"
#include "4-promql/eval_names.h"
#include "4-promql/nstack.h"

#define DEFAULT_LOOKBACK_MS (5 * 60 * 1000)
#define DEFAULT_SUBQUERY_STEP_MS (60 * 1000)

const struct promql_node *ev_unwrap(const struct promql_node *n)
{
	while (n && (n->kind == PROMQL_NODE_PAREN || n->kind == PROMQL_NODE_STEP_INVARIANT))
		n = n->kind == PROMQL_NODE_PAREN ? n->u.paren.expr : n->u.step_invariant.expr;
	return n;
}

static int check_dup_labels(struct evaluator *ev, const struct ev_vector *v)
{
	if (v->n < 2)
		return 0;
	smap_begin(&ev->dup_scratch, v->n);
	for (size_t i = 0; i < v->n; i++) {
		bool found;
		size_t *slot = smap_slot(&ev->dup_scratch, lset_hash(v->v[i].ls), &found);
		if (found)
			return err_set(ev->e, "vector cannot contain metrics with the same labelset");
		*slot = i + 1;
	}
	return 0;
}

int ev_check_dup_labels(struct evaluator *ev, const struct ev_vector *v)
{
	/* delayed name removal: checked once, on the result (eval_names.c) */
	return ev->delayed_names ? 0 : check_dup_labels(ev, v);
}

int ev_note_output(struct evaluator *ev, const struct promql_node *node, struct lset out, struct lset in)
{
	struct dup_reg *r = NULL;
	uint64_t ih = lset_hash(in);
	size_t *slot;
	bool found;
	size_t i;

	if (ev->delayed_names)
		return 0; /* checked once, on the result (eval_names.c) */
	i = ev_node_find(ev, EV_REGS, ev->regs, ev->nregs, sizeof(*ev->regs), node);

	if (i < ev->nregs) {
		r = &ev->regs[i];
	} else {
		ALLOC_GROW(ev->regs, ev->nregs + 1, ev->regcap);
		r = &ev->regs[ev->nregs++];
		memset(r, 0, sizeof(*r));
		r->node = node;
		ev_node_added(ev, EV_REGS, ev->regs, ev->nregs, sizeof(*ev->regs));
	}
	if (!ih)
		ih = 1; /* 0 marks an empty slot */
	slot = hmap_slot(&r->seen, lset_hash(out), &found);
	if (found && *slot != ih)
		return err_set(ev->e, "vector cannot contain metrics with the same labelset");
	*slot = ih;
	return 0;
}

/* A node other than a link of a chain (see ev_eval). */
static int eval_other(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_value *out)
{
	memset(out, 0, sizeof(*out));
	switch (n->kind) {
	case PROMQL_NODE_NUMBER:
		out->type = PROMQL_TYPE_SCALAR;
		out->scalar = n->u.number.val;
		return 0;
	case PROMQL_NODE_STRING:
		out->type = PROMQL_TYPE_STRING;
		out->str = n->u.string.val;
		return 0;
	case PROMQL_NODE_VECTOR:
		out->type = PROMQL_TYPE_VECTOR;
		return ev_vector_selector(ev, n, ts, &out->vec);
	case PROMQL_NODE_MATRIX:
	case PROMQL_NODE_SUBQUERY: {
		int64_t rs, re, rm;
		struct ev_matrix m;
		out->type = PROMQL_TYPE_MATRIX;
		ev->subq_top = true; /* a subquery the query returns (3.0.0's window) */
		if (ev_range_arg(ev, n, ts, false, &m, &rs, &re, &rm) < 0)
			return -1;
		ev->subq_top = false;
		if (n->kind == PROMQL_NODE_MATRIX && n->u.matrix.vs->u.vector.ext != PROMQL_EXT_NONE)
			for (size_t i = 0; i < m.n; i++) /* 3.7's anchored / smoothed */
				ev_extend_points(&ev->arena, ev->compat, n->u.matrix.vs->u.vector.ext, rs, re, &m.s[i]);
		/* Series without points in the window are not part of the value. */
		for (size_t i = 0; i < m.n; i++)
			if (m.s[i].n)
				ev_mat_push(&ev->arena, &out->mat, m.s[i].ls, m.s[i].p, m.s[i].n);
		return 0;
	}
	case PROMQL_NODE_AGGREGATE:
		if (ev_aggregate(ev, n, ts, out) < 0)
			return -1;
		/* Other aggregations output one sample per group, labelled with
		 * the group's key, and groups are told apart by that key's
		 * hash: the check could not fail. */
		if (n->u.aggregate.op != PROMQL_AGG_TOPK && n->u.aggregate.op != PROMQL_AGG_BOTTOMK)
			return 0;
		return ev_check_dup_labels(ev, &out->vec);
	case PROMQL_NODE_CALL:
		if (n->u.call.func->id == PROMQL_FN_TIMESTAMP) {
			const struct promql_node *a = ev_unwrap(n->u.call.args[0]);
			if (a->kind == PROMQL_NODE_VECTOR) {
				struct ev_vector v;
				if (ev_timestamp_selector(ev, a, ts, &v) < 0)
					return -1;
				out->type = PROMQL_TYPE_VECTOR;
				for (size_t i = 0; i < v.n; i++)
					vec_push(&ev->arena, &out->vec, ev_drop_name(ev, v.v[i].ls),
						 (double)v.v[i].t / 1000, ts);
				return ev_check_dup_labels(ev, &out->vec);
			}
		}
		if (ev_call(ev, n, ts, out) < 0)
			return -1;
		if (out->unique) {
			out->unique = false;
			return 0;
		}
		if (out->type != PROMQL_TYPE_VECTOR)
			return 0;
		/* evalLabelReplace/Join check their output even with delayed
		 * name removal (names still there) */
		if (n->u.call.func->id == PROMQL_FN_LABEL_REPLACE || n->u.call.func->id == PROMQL_FN_LABEL_JOIN)
			return check_dup_labels(ev, &out->vec);
		return ev_check_dup_labels(ev, &out->vec);
	default: /* the links, evaluated by ev_eval */
		break;
	}
	return err_set(ev->e, "unhandled expression of type: %s", promql_node_kind_name(n->kind));
}

/* The query limits' account of a node's value (eval_limit.h), when on. */
static int noted(struct evaluator *ev, const struct promql_node *n, const struct ev_value *v)
{
	return ev->lim ? ev_limit_note(ev, n, v) : 0;
}

/*
 * The limits' account of the parentheses and step-invariant wrappers from
 * orig down to (not including) inner, innermost first: each has inner's
 * value, as if evaluated by a call of its own.
 */
static int noted_wrappers(struct evaluator *ev, const struct promql_node *orig, const struct promql_node *inner,
			  const struct ev_value *v)
{
	size_t depth = 0;

	if (!ev->lim)
		return 0;
	for (const struct promql_node *w = orig; w != inner; w = w->kind == PROMQL_NODE_PAREN ?
							  w->u.paren.expr : w->u.step_invariant.expr)
		depth++;
	while (depth--) {
		const struct promql_node *w = orig;
		for (size_t i = 0; i < depth; i++)
			w = w->kind == PROMQL_NODE_PAREN ? w->u.paren.expr : w->u.step_invariant.expr;
		if (ev_limit_note(ev, w, v) < 0)
			return -1;
	}
	return 0;
}

/* Unary minus on the value of its operand, in place. */
static int negate(struct evaluator *ev, const struct promql_node *n, struct ev_value *v)
{
	if (n->u.unary.op != PROMQL_OP_SUB)
		return 0;
	if (v->type == PROMQL_TYPE_SCALAR) {
		v->scalar = -v->scalar;
		return 0;
	}
	for (size_t i = 0; i < v->vec.n; i++) {
		struct lset in = v->vec.v[i].ls;
		v->vec.v[i].ls = ev_drop_name(ev, in);
		v->vec.v[i].v = -v->vec.v[i].v;
		/* 3.9 (37b97a0200): series that meet only at other steps merge;
		 * the same labels at one step are still an error (below) */
		if (!compat_on(ev->compat, COMPAT_PROMQL_UNARY_MINUS_MERGE) &&
		    ev_note_output(ev, n, v->vec.v[i].ls, in) < 0)
			return -1;
	}
	return ev_check_dup_labels(ev, &v->vec);
}

struct eframe {
	const struct promql_node *orig; /* n with the parentheses around it */
	const struct promql_node *n; /* a binary or unary expression */
	bool rhs;                    /* a binary's RHS is due; l holds its LHS */
	struct ev_value l;
};

/*
 * Binary and unary expressions, post-order on an explicit stack: operator
 * chains are as deep as they are long (2.42 evaluates chains of hundreds of
 * thousands of terms) and must not recurse on the C stack.  LHS before
 * RHS, as 2.42's engine.
 */
static int eval_chain(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_value *out)
{
	struct eframe inl[8], *f;
	const struct promql_node *leaf;
	struct nstack st;
	struct ev_value v;
	int rc = -1;

	nstack_init(&st, inl, sizeof(inl) / sizeof(inl[0]), sizeof(inl[0]));
descend:
	for (;;) {
		const struct promql_node *u = ev_unwrap(n);
		if (u->kind != PROMQL_NODE_BINARY && u->kind != PROMQL_NODE_UNARY)
			break;
		f = nstack_push(&st);
		f->orig = n;
		f->n = u;
		f->rhs = false;
		n = u->kind == PROMQL_NODE_BINARY ? u->u.binary.lhs : u->u.unary.expr;
	}
	leaf = n;
	n = ev_unwrap(n);
	if (eval_other(ev, n, ts, &v) < 0 || noted(ev, n, &v) < 0 || noted_wrappers(ev, leaf, n, &v) < 0)
		goto done;
	while ((f = nstack_top(&st))) {
		n = f->n;
		if (n->kind == PROMQL_NODE_UNARY) {
			if (negate(ev, n, &v) < 0 || noted(ev, n, &v) < 0 || noted_wrappers(ev, f->orig, n, &v) < 0)
				goto done;
		} else if (!f->rhs) {
			f->rhs = true;
			f->l = v;
			n = n->u.binary.rhs;
			goto descend;
		} else {
			struct ev_value r = v;
			if (ev_binary(ev, n, &f->l, &r, &v) < 0)
				goto done;
			if (v.type == PROMQL_TYPE_VECTOR && ev_check_dup_labels(ev, &v.vec) < 0)
				goto done;
			if (noted(ev, n, &v) < 0 || noted_wrappers(ev, f->orig, n, &v) < 0)
				goto done;
		}
		nstack_pop(&st);
	}
	*out = v;
	rc = 0;
done:
	nstack_release(&st);
	return rc;
}

int ev_eval(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_value *out)
{
	const struct promql_node *u = ev_unwrap(n);

	if (u->kind == PROMQL_NODE_BINARY || u->kind == PROMQL_NODE_UNARY)
		return eval_chain(ev, n, ts, out);
	if (eval_other(ev, u, ts, out) < 0 || noted(ev, u, out) < 0)
		return -1;
	return noted_wrappers(ev, n, u, out);
}

/* ---- entry points ---- */

void promql_result_init(struct promql_result *r)
{
	memset(r, 0, sizeof(*r));
}

void promql_result_release(struct promql_result *r)
{
	for (size_t i = 0; i < r->nseries; i++) {
		free(r->series[i].t);
		free(r->series[i].v);
	}
	free(r->series);
	free(r->str);
	if (r->priv) {
		arena_release(r->priv);
		free(r->priv);
	}
	promql_result_init(r);
}

static int ev_init(struct evaluator *ev, const struct promql_storage *st, const struct promql_node *expr,
		   int64_t start, int64_t end, int64_t nsteps, const struct promql_engine_opts *o, struct err *e)
{
	memset(ev, 0, sizeof(*ev));
	ev->st = st;
	ev->query_start = start;
	ev->query_end = end;
	ev->lookback = o && o->lookback_ms ? o->lookback_ms : DEFAULT_LOOKBACK_MS;
	ev->subquery_step = o && o->default_subquery_step_ms ? o->default_subquery_step_ms : DEFAULT_SUBQUERY_STEP_MS;
	ev->compat = o ? o->compat : NULL;
	ev->e = e;
	ev->no_sweep = o && o->per_step_windows;
	ev->use_st = o && o->start_timestamps && compat_on(ev->compat, COMPAT_PROMQL_START_TIMESTAMPS);
	ev->annots = o && compat_on(ev->compat, COMPAT_PROMQL_ANNOTATIONS) ? o->annotations : NULL;
	ev->delayed_names = o && o->delayed_name_removal && compat_on(ev->compat, COMPAT_PROMQL_DELAYED_NAME_REMOVAL);
	ev_limit_init(ev, expr, end, nsteps, o);
	return ev_prepare(ev, expr);
}

/* The end of a query: the exact sample count check; -2 for a timeout. */
static int ev_finish(struct evaluator *ev, struct promql_result *out, int rc)
{
	if (rc == 0 && ev_limit_finish(ev, &out->peak_samples) < 0)
		rc = -1;
	if (rc < 0 && ev_limit_timed_out(ev))
		rc = PROMQL_EVAL_TIMEOUT;
	return rc;
}

static void ev_release(struct evaluator *ev)
{
	ev_select_release(ev);
	for (size_t i = 0; i < ev->nregs; i++)
		hmap_release(&ev->regs[i].seen);
	free(ev->regs);
	for (size_t i = 0; i < ev->nmemos; i++) {
		hmap_release(&ev->memos[i].idx);
		free(ev->memos[i].e);
		free(ev->memos[i].pos);
		free(ev->memos[i].pos_used);
		free(ev->memos[i].seq);
		free(ev->memos[i].grp_in);
		free(ev->memos[i].grp);
		free(ev->memos[i].grp_key);
		free(ev->memos[i].grp_d);
		ev_hq_layout_free(ev->memos[i].hq);
	}
	free(ev->memos);
	for (size_t i = 0; i < ev->nrxs; i++) {
		label_regex_sub_release(&ev->rxs[i].sub);
		label_regex_free(ev->rxs[i].re);
	}
	free(ev->rxs);
	hmap_release(&ev->node_index);
	smap_release(&ev->dup_scratch);
	smap_release(&ev->agg_scratch);
	smap_release(&ev->hq_scratch);
	arena_release(&ev->arena);
	arena_release(&ev->qarena);
	ev_limit_free(ev->lim);
	ev_info_free(ev->info);
}

/* Copies a label set into the result's arena. */
static void copy_labels(struct arena *a, struct promql_result_series *rs, struct lset ls)
{
	rs->labels = arena_array(a, ls.n ? ls.n : 1, sizeof(*rs->labels));
	for (size_t i = 0; i < ls.n; i++) {
		rs->labels[i].name = arena_strndup(a, ls.v[i].name, strlen(ls.v[i].name));
		rs->labels[i].value = arena_strndup(a, ls.v[i].value, strlen(ls.v[i].value));
	}
	rs->nlabels = ls.n;
}

static struct promql_result_series *add_series(struct promql_result *r, size_t *cap, struct lset ls)
{
	struct promql_result_series *rs;

	ALLOC_GROW(r->series, r->nseries + 1, *cap);
	rs = &r->series[r->nseries++];
	memset(rs, 0, sizeof(*rs));
	copy_labels(r->priv, rs, ls);
	return rs;
}

static void add_point(struct promql_result_series *rs, size_t *cap, int64_t t, double v)
{
	size_t old = *cap;

	ALLOC_GROW(rs->t, rs->n + 1, *cap);
	if (*cap != old)
		rs->v = xreallocarray(rs->v, *cap, sizeof(*rs->v));
	rs->t[rs->n] = t;
	rs->v[rs->n] = v;
	rs->n++;
}

int promql_eval_instant(struct promql_result *out, const struct promql_storage *st,
			const struct promql_node *expr, int64_t t,
			const struct promql_engine_opts *opts, struct err *e)
{
	struct evaluator ev;
	struct ev_value v;
	size_t cap = 0;
	int rc = -1;

	promql_result_init(out);
	/* PreprocessExpr's durationVisitor: an instant query has step and range 0 */
	if (promql_resolve_durations(expr, 0, 0, opts ? opts->compat : NULL, e) < 0)
		return -1;
	out->priv = xcalloc(1, sizeof(struct arena));
	out->t = t;
	if (ev_init(&ev, st, expr, t, t, 1, opts, e) < 0 || ev_eval(&ev, expr, t, &v) < 0 ||
	    ev_names_result(&ev, &v) < 0)
		goto done;
	out->type = v.type;
	switch (v.type) {
	case PROMQL_TYPE_SCALAR:
		out->scalar = v.scalar;
		break;
	case PROMQL_TYPE_STRING:
		out->str = xstrdup(v.str);
		break;
	case PROMQL_TYPE_VECTOR:
		for (size_t i = 0; i < v.vec.n; i++) {
			size_t pc = 0;
			struct promql_result_series *rs = add_series(out, &cap, v.vec.v[i].ls);
			add_point(rs, &pc, t, v.vec.v[i].v);
		}
		break;
	case PROMQL_TYPE_MATRIX:
		for (size_t i = 0; i < v.mat.n; i++) {
			size_t pc = 0;
			struct promql_result_series *rs = add_series(out, &cap, v.mat.s[i].ls);
			for (size_t j = 0; j < v.mat.s[i].n; j++)
				add_point(rs, &pc, v.mat.s[i].p[j].t, v.mat.s[i].p[j].v);
		}
		break;
	default:
		break;
	}
	rc = 0;
done:
	rc = ev_finish(&ev, out, rc);
	ev_release(&ev);
	if (rc < 0)
		promql_result_release(out);
	return rc;
}

static int cmp_result_series(const void *a, const void *b)
{
	const struct promql_result_series *x = a, *y = b;
	return labels_cmp(x->labels, x->nlabels, y->labels, y->nlabels);
}

int promql_eval_range(struct promql_result *out, const struct promql_storage *st,
		      const struct promql_node *expr, int64_t start, int64_t end,
		      int64_t step, const struct promql_engine_opts *opts, struct err *e)
{
	enum promql_value_type ty = promql_node_type(expr);
	struct evaluator ev;
	struct hmap idx = { 0 };
	size_t cap = 0, *pcaps = NULL, pcap = 0;
	uint64_t *orig_of = NULL; /* delayed name removal: each series' labels before */
	bool merge;
	int rc = -1;

	promql_result_init(out);
	if (ty != PROMQL_TYPE_VECTOR && ty != PROMQL_TYPE_SCALAR)
		return err_set(e, "invalid expression type \"%s\" for range query, must be Scalar or instant Vector",
			       promql_value_type_doc(ty));
	if (step <= 0)
		return err_set(e, "zero or negative query resolution step widths are not accepted. Try a positive integer");
	if (promql_resolve_durations(expr, step, (int64_t)((uint64_t)end - (uint64_t)start), opts ? opts->compat : NULL, e) < 0)
		return -1;
	out->priv = xcalloc(1, sizeof(struct arena));
	out->type = PROMQL_TYPE_MATRIX;
	if (ev_init(&ev, st, expr, start, end, 
		    end < start ? 0 : (int64_t)(((uint64_t)end - (uint64_t)start) / (uint64_t)step) + 1, opts, e) < 0)
		goto done;
	ev.query_step = step;
	ev.sweep_step = step;
	/* 3.9 (mergeSeriesWithSameLabelset): series equal once their names
	 * went merge where their steps do not overlap; before, an error */
	merge = compat_on(ev.compat, COMPAT_PROMQL_DELAYED_NAME_MERGE);
	for (int64_t t = start; t <= end; t += step) {
		struct ev_value v;
		struct ev_sample one;
		struct ev_sample *smp;
		uint64_t *orig = NULL;
		size_t ns;

		if (ev_eval(&ev, expr, t, &v) < 0)
			goto done;
		if (ev.delayed_names && v.type == PROMQL_TYPE_VECTOR &&
		    ev_names_finish(&ev, &v.vec, merge ? NULL : &orig) < 0)
			goto done;
		if (v.type == PROMQL_TYPE_SCALAR) {
			one = (struct ev_sample){ { NULL, 0 }, v.scalar, t };
			smp = &one;
			ns = 1;
		} else {
			smp = v.vec.v;
			ns = v.vec.n;
		}
		for (size_t i = 0; i < ns; i++) {
			bool found;
			size_t *slot = hmap_slot(&idx, lset_hash(smp[i].ls), &found);
			if (!found) {
				*slot = out->nseries + 1;
				add_series(out, &cap, smp[i].ls);
				ALLOC_GROW(pcaps, out->nseries, pcap);
				pcaps[out->nseries - 1] = 0;
				if (orig) {
					orig_of = xreallocarray(orig_of, pcap, sizeof(*orig_of));
					orig_of[out->nseries - 1] = orig[i];
				}
			} else if (orig && orig_of && orig_of[*slot - 1] != orig[i]) {
				err_set(e, "vector cannot contain metrics with the same labelset");
				goto done;
			}
			add_point(&out->series[*slot - 1], &pcaps[*slot - 1], t, smp[i].v);
		}
		arena_clear(&ev.arena); /* the step's values: its chunks kept for the next */
		/* The last step: stop before t + step could overflow. */
		if ((uint64_t)end - (uint64_t)t < (uint64_t)step)
			break;
	}
	if (out->nseries > 1)
		qsort(out->series, out->nseries, sizeof(*out->series), cmp_result_series);
	out->swept = ev.swept;
	rc = 0;
done:
	rc = ev_finish(&ev, out, rc);
	hmap_release(&idx);
	free(pcaps);
	free(orig_of);
	ev_release(&ev);
	if (rc < 0)
		promql_result_release(out);
	return rc;
}
