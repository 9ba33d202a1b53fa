/*
 * The evaluator's core: selectors, subqueries, the node dispatch and the
 * instant/range query entry points.
 *
 * 2.42's engine evaluates a range query node by node over all steps
 * (rangeEval) and wraps step-invariant sub-trees (those under `@`) so they
 * are computed once.  We evaluate the whole expression once per step
 * instead; every node's value at a step depends only on that step's time,
 * so the results are the same: a selector with `@ t` reads at t - offset
 * whatever the step, and a subquery's inner steps are aligned to multiples
 * of its step (2.42's alignment) so per-step evaluation visits the same
 * inner timestamps the whole-range evaluation does.
 *
 * Each selector's series are fetched once per query over the time range
 * 2.42 computes for it (getTimeRangesForSelector), which also reproduces
 * the querier's trimming of samples outside that range.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/gofmt.h"
#include "common/xalloc.h"
#include "promql/eval_internal.h"

#define DEFAULT_LOOKBACK_MS (5 * 60 * 1000)
#define DEFAULT_SUBQUERY_STEP_MS (60 * 1000)

const struct promql_node *ev_unwrap(const struct promql_node *n)
{
	while (n && (n->kind == PROMQL_NODE_PAREN || n->kind == PROMQL_NODE_STEP_INVARIANT))
		n = n->kind == PROMQL_NODE_PAREN ? n->u.paren.expr : n->u.step_invariant.expr;
	return n;
}

static bool at_time(const struct evaluator *ev, const struct promql_at *at, int64_t *out)
{
	switch (at->kind) {
	case PROMQL_AT_TIMESTAMP:
		*out = at->ts_ms;
		return true;
	case PROMQL_AT_START:
		*out = ev->query_start;
		return true;
	case PROMQL_AT_END:
		*out = ev->query_end;
		return true;
	default:
		return false;
	}
}

/* ---- selection: one storage select per selector node ---- */

struct path_state {
	int64_t subq_off, subq_range;
	bool has_ts;
	int64_t ts;
};

static int prepare(struct evaluator *ev, const struct promql_node *n, struct path_state ps, int64_t eval_range);

static int select_selector(struct evaluator *ev, const struct promql_node *vs,
			   struct path_state ps, int64_t eval_range)
{
	int64_t start = ev->query_start, end = ev->query_end, at;
	struct sel_cache *c;

	if (ps.has_ts)
		start = end = ps.ts;
	if (at_time(ev, &vs->u.vector.at, &at)) {
		start = end = at;
	} else {
		start -= ps.subq_off + ps.subq_range;
		end -= ps.subq_off;
	}
	start -= eval_range ? eval_range : ev->lookback;
	start -= vs->u.vector.offset_ms;
	end -= vs->u.vector.offset_ms;

	ALLOC_GROW(ev->sels, ev->nsels + 1, ev->selcap);
	c = &ev->sels[ev->nsels];
	memset(c, 0, sizeof(*c));
	c->node = vs;
	if (ev->st->select(ev->st->ctx, vs->u.vector.matchers, vs->u.vector.nmatchers,
			   start, end, &c->set, ev->e) < 0)
		return err_wrap(ev->e, "expanding series");
	ev->nsels++;
	return 0;
}

static int prepare(struct evaluator *ev, const struct promql_node *n, struct path_state ps, int64_t eval_range)
{
	switch (n->kind) {
	case PROMQL_NODE_VECTOR:
		return select_selector(ev, n, ps, eval_range);
	case PROMQL_NODE_MATRIX:
		return prepare(ev, n->u.matrix.vs, ps, n->u.matrix.range_ms);
	case PROMQL_NODE_SUBQUERY: {
		int64_t at;
		ps.subq_off += n->u.subquery.offset_ms;
		ps.subq_range += n->u.subquery.range_ms;
		if (at_time(ev, &n->u.subquery.at, &at)) {
			ps.subq_off = n->u.subquery.offset_ms;
			ps.subq_range = n->u.subquery.range_ms;
			ps.has_ts = true;
			ps.ts = at;
		}
		return prepare(ev, n->u.subquery.expr, ps, 0);
	}
	case PROMQL_NODE_AGGREGATE:
		if (prepare(ev, n->u.aggregate.expr, ps, 0) < 0)
			return -1;
		return n->u.aggregate.param ? prepare(ev, n->u.aggregate.param, ps, 0) : 0;
	case PROMQL_NODE_BINARY:
		if (prepare(ev, n->u.binary.lhs, ps, 0) < 0)
			return -1;
		return prepare(ev, n->u.binary.rhs, ps, 0);
	case PROMQL_NODE_CALL:
		for (size_t i = 0; i < n->u.call.nargs; i++)
			if (prepare(ev, n->u.call.args[i], ps, 0) < 0)
				return -1;
		return 0;
	case PROMQL_NODE_PAREN:
		return prepare(ev, n->u.paren.expr, ps, eval_range);
	case PROMQL_NODE_UNARY:
		return prepare(ev, n->u.unary.expr, ps, eval_range);
	case PROMQL_NODE_STEP_INVARIANT:
		return prepare(ev, n->u.step_invariant.expr, ps, eval_range);
	default:
		return 0;
	}
}

static const struct promql_series_set *selected(struct evaluator *ev, const struct promql_node *vs)
{
	for (size_t i = 0; i < ev->nsels; i++)
		if (ev->sels[i].node == vs)
			return &ev->sels[i].set;
	return NULL; /* not prepared: a bug */
}

/* Index of the last sample with t <= ref, or -1. */
static ptrdiff_t last_at_or_before(const struct promql_series *s, int64_t ref)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->t[mid] <= ref)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ptrdiff_t)lo - 1;
}

static bool is_stale(double v)
{
	return double_bits(v) == 0x7FF0000000000002ULL;
}

/*
 * vectorSelectorSingle: the newest sample at or before ref, if within the
 * lookback delta and not a staleness marker.
 */
static int vector_at(struct evaluator *ev, const struct promql_node *vs, int64_t ref,
		     int64_t ts, bool keep_t, struct ev_vector *out)
{
	const struct promql_series_set *set = selected(ev, vs);

	memset(out, 0, sizeof(*out));
	if (!set)
		return err_set(ev->e, "internal error: selector not prepared");
	for (size_t i = 0; i < set->n; i++) {
		const struct promql_series *s = &set->v[i];
		ptrdiff_t k = last_at_or_before(s, ref);
		if (k < 0 || s->t[k] < ref - ev->lookback || is_stale(s->v[k]))
			continue;
		vec_push(&ev->arena, out, (struct lset){ s->labels, s->nlabels }, s->v[k],
			 keep_t ? s->t[k] : ts);
	}
	return 0;
}

int ev_vector_selector(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_vector *out)
{
	int64_t at, ref;

	if (!at_time(ev, &n->u.vector.at, &at))
		at = ts;
	ref = at - n->u.vector.offset_ms;
	return vector_at(ev, n, ref, ts, false, out);
}

/* timestamp(selector): 2.42 reads the selector at the step time with the
 * sample's own timestamp; with `@ t` it reads at t, leaving out the offset
 * (it overwrites the selector's offset with ts - t). */
static int timestamp_selector(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_vector *out)
{
	int64_t at;

	if (at_time(ev, &n->u.vector.at, &at))
		return vector_at(ev, n, at, ts, true, out);
	return vector_at(ev, n, ts - n->u.vector.offset_ms, ts, true, out);
}

/* Points of one series in [mint, maxt], staleness markers skipped. */
static size_t window(struct arena *a, const struct promql_series *s, int64_t mint, int64_t maxt,
		     struct ev_point **out)
{
	ptrdiff_t hi = last_at_or_before(s, maxt), lo = last_at_or_before(s, mint - 1) + 1;
	struct ev_point *p;
	size_t k = 0;

	if (hi < lo) {
		*out = NULL;
		return 0;
	}
	p = arena_array(a, (size_t)(hi - lo + 1), sizeof(*p));
	for (ptrdiff_t i = lo; i <= hi; i++)
		if (!is_stale(s->v[i]))
			p[k++] = (struct ev_point){ s->t[i], s->v[i] };
	*out = p;
	return k;
}

static void mat_push(struct arena *a, struct ev_matrix *m, struct lset ls, struct ev_point *p, size_t n)
{
	if (m->n == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 8;
		struct ev_mseries *ns = arena_array(a, ncap, sizeof(*ns));
		if (m->n)
			memcpy(ns, m->s, m->n * sizeof(*ns));
		m->s = ns;
		m->cap = ncap;
	}
	m->s[m->n++] = (struct ev_mseries){ ls, p, n };
}

static struct subq_cache *subq_cache(struct evaluator *ev, const struct promql_node *n)
{
	struct subq_cache *c;

	for (size_t i = 0; i < ev->nsubqs; i++)
		if (ev->subqs[i].node == n)
			return &ev->subqs[i];
	ALLOC_GROW(ev->subqs, ev->nsubqs + 1, ev->subqcap);
	c = &ev->subqs[ev->nsubqs++];
	memset(c, 0, sizeof(*c));
	c->node = n;
	return c;
}

/* Index of the first entry with t >= x. */
static size_t subq_find(const struct subq_cache *c, int64_t x)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->e[mid].t < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Drops the entries before t (they are behind every later window). */
static void subq_evict(struct subq_cache *c, int64_t t)
{
	size_t k = subq_find(c, t);

	if (!k)
		return;
	for (size_t i = 0; i < k; i++)
		free(c->e[i].mem);
	memmove(c->e, c->e + k, (c->n - k) * sizeof(*c->e));
	c->n -= k;
}

/* Stores a deep copy of v at position pos: one block holding the samples,
 * then their label arrays, then the strings. */
static void subq_store(struct subq_cache *c, size_t pos, int64_t t, const struct ev_vector *v)
{
	size_t nl = 0, strs = 0, off, soff;
	struct subq_entry en = { t, NULL, v->n, NULL };
	struct label *ls;
	char *mem;

	for (size_t i = 0; i < v->n; i++) {
		nl += v->v[i].ls.n;
		for (size_t j = 0; j < v->v[i].ls.n; j++)
			strs += strlen(v->v[i].ls.v[j].name) + strlen(v->v[i].ls.v[j].value) + 2;
	}
	off = v->n * sizeof(struct ev_sample);
	soff = off + nl * sizeof(struct label);
	mem = xmalloc(soff + strs + 1);
	en.mem = mem;
	en.v = (struct ev_sample *)mem;
	ls = (struct label *)(mem + off);
	for (size_t i = 0; i < v->n; i++) {
		en.v[i] = v->v[i];
		en.v[i].ls.v = ls;
		for (size_t j = 0; j < v->v[i].ls.n; j++, ls++) {
			size_t a = strlen(v->v[i].ls.v[j].name) + 1, b = strlen(v->v[i].ls.v[j].value) + 1;
			memcpy(mem + soff, v->v[i].ls.v[j].name, a);
			ls->name = mem + soff;
			soff += a;
			memcpy(mem + soff, v->v[i].ls.v[j].value, b);
			ls->value = mem + soff;
			soff += b;
		}
	}
	ALLOC_GROW(c->e, c->n + 1, c->cap);
	memmove(c->e + pos + 1, c->e + pos, (c->n - pos) * sizeof(*c->e));
	c->e[pos] = en;
	c->n++;
}

static void subq_caches_release(struct evaluator *ev)
{
	for (size_t i = 0; i < ev->nsubqs; i++) {
		for (size_t j = 0; j < ev->subqs[i].n; j++)
			free(ev->subqs[i].e[j].mem);
		free(ev->subqs[i].e);
	}
	free(ev->subqs);
}

/*
 * A subquery's inner evaluation: the inner expression at every multiple of
 * the step in [end - range, end], end = (@ or ts) - offset, collected per
 * label set (2.42's SubqueryExpr case of eval()).
 */
static int eval_subquery(struct evaluator *ev, const struct promql_node *n, int64_t ts,
			 struct ev_matrix *out, int64_t *end_out)
{
	int64_t base, end, start, step = n->u.subquery.step_ms ? n->u.subquery.step_ms : ev->subquery_step;
	struct hmap idx = { 0 };
	size_t *caps = NULL, nser = 0, cap = 0;
	struct subq_cache *cache = subq_cache(ev, n);
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!at_time(ev, &n->u.subquery.at, &base))
		base = ts;
	end = base - n->u.subquery.offset_ms;
	start = step * ((end - n->u.subquery.range_ms) / step);
	if (start < end - n->u.subquery.range_ms)
		start += step;
	*end_out = end;
	subq_evict(cache, start);
	for (int64_t t = start; t <= end; t += step) {
		struct ev_vector vec;
		size_t pos = subq_find(cache, t);

		if (pos < cache->n && cache->e[pos].t == t) {
			vec.v = cache->e[pos].v;
			vec.n = cache->e[pos].n;
		} else {
			struct ev_value v;
			if (ev_eval(ev, n->u.subquery.expr, t, &v) < 0)
				goto done;
			subq_store(cache, pos, t, &v.vec);
			vec.v = cache->e[pos].v;
			vec.n = cache->e[pos].n;
		}
		for (size_t i = 0; i < vec.n; i++) {
			bool found;
			size_t *slot = hmap_slot(&idx, lset_hash(vec.v[i].ls), &found);
			size_t k;
			if (!found) {
				*slot = nser + 1;
				ALLOC_GROW(caps, nser + 1, cap);
				caps[nser] = 0;
				mat_push(&ev->arena, out, vec.v[i].ls, NULL, 0);
				nser++;
			}
			k = *slot - 1;
			if (out->s[k].n == caps[k]) {
				size_t nc = caps[k] ? caps[k] * 2 : 16;
				struct ev_point *np = arena_array(&ev->arena, nc, sizeof(*np));
				if (out->s[k].n)
					memcpy(np, out->s[k].p, out->s[k].n * sizeof(*np));
				out->s[k].p = np;
				caps[k] = nc;
			}
			out->s[k].p[out->s[k].n++] = (struct ev_point){ t, vec.v[i].v };
		}
	}
	rc = 0;
done:
	hmap_release(&idx);
	free(caps);
	return rc;
}

int ev_range_arg(struct evaluator *ev, const struct promql_node *n, int64_t ts,
		 struct ev_matrix *out, int64_t *range_start, int64_t *range_end, int64_t *range_ms)
{
	n = ev_unwrap(n);
	memset(out, 0, sizeof(*out));
	if (n->kind == PROMQL_NODE_MATRIX) {
		const struct promql_node *vs = n->u.matrix.vs;
		const struct promql_series_set *set = selected(ev, vs);
		int64_t at, maxt, mint;

		if (!set)
			return err_set(ev->e, "internal error: selector not prepared");
		if (!at_time(ev, &vs->u.vector.at, &at))
			at = ts;
		maxt = at - vs->u.vector.offset_ms;
		mint = maxt - n->u.matrix.range_ms;
		*range_start = mint;
		*range_end = maxt;
		*range_ms = n->u.matrix.range_ms;
		for (size_t i = 0; i < set->n; i++) {
			struct ev_point *p;
			size_t k = window(&ev->arena, &set->v[i], mint, maxt, &p);
			mat_push(&ev->arena, out, (struct lset){ set->v[i].labels, set->v[i].nlabels }, p, k);
		}
		return 0;
	}
	if (n->kind == PROMQL_NODE_SUBQUERY) {
		int64_t end;
		if (eval_subquery(ev, n, ts, out, &end) < 0)
			return -1;
		*range_end = end;
		*range_start = end - n->u.subquery.range_ms;
		*range_ms = n->u.subquery.range_ms;
		return 0;
	}
	return err_set(ev->e, "internal error: expected a range vector");
}

int ev_check_dup_labels(struct evaluator *ev, const struct ev_vector *v)
{
	struct hmap seen = { 0 };
	int rc = 0;

	if (v->n < 2)
		return 0;
	for (size_t i = 0; i < v->n; i++) {
		bool found;
		size_t *slot = hmap_slot(&seen, lset_hash(v->v[i].ls), &found);
		if (found) {
			rc = err_set(ev->e, "vector cannot contain metrics with the same labelset");
			break;
		}
		*slot = i + 1;
	}
	hmap_release(&seen);
	return rc;
}

int ev_note_output(struct evaluator *ev, const struct promql_node *node, struct lset out, struct lset in)
{
	struct dup_reg *r = NULL;
	uint64_t ih = lset_hash(in);
	size_t *slot;
	bool found;

	for (size_t i = 0; i < ev->nregs; i++)
		if (ev->regs[i].node == node)
			r = &ev->regs[i];
	if (!r) {
		ALLOC_GROW(ev->regs, ev->nregs + 1, ev->regcap);
		r = &ev->regs[ev->nregs++];
		memset(r, 0, sizeof(*r));
		r->node = node;
	}
	if (!ih)
		ih = 1; /* 0 marks an empty slot */
	slot = hmap_slot(&r->seen, lset_hash(out), &found);
	if (found && *slot != ih)
		return err_set(ev->e, "vector cannot contain metrics with the same labelset");
	*slot = ih;
	return 0;
}

int ev_eval(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_value *out)
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
	case PROMQL_NODE_PAREN:
		return ev_eval(ev, n->u.paren.expr, ts, out);
	case PROMQL_NODE_STEP_INVARIANT:
		return ev_eval(ev, n->u.step_invariant.expr, ts, out);
	case PROMQL_NODE_UNARY:
		if (ev_eval(ev, n->u.unary.expr, ts, out) < 0)
			return -1;
		if (n->u.unary.op != PROMQL_OP_SUB)
			return 0;
		if (out->type == PROMQL_TYPE_SCALAR) {
			out->scalar = -out->scalar;
			return 0;
		}
		for (size_t i = 0; i < out->vec.n; i++) {
			struct lset in = out->vec.v[i].ls;
			out->vec.v[i].ls = lset_drop_name(&ev->arena, in);
			out->vec.v[i].v = -out->vec.v[i].v;
			if (ev_note_output(ev, n, out->vec.v[i].ls, in) < 0)
				return -1;
		}
		return ev_check_dup_labels(ev, &out->vec);
	case PROMQL_NODE_VECTOR:
		out->type = PROMQL_TYPE_VECTOR;
		return ev_vector_selector(ev, n, ts, &out->vec);
	case PROMQL_NODE_MATRIX:
	case PROMQL_NODE_SUBQUERY: {
		int64_t rs, re, rm;
		struct ev_matrix m;
		out->type = PROMQL_TYPE_MATRIX;
		if (ev_range_arg(ev, n, ts, &m, &rs, &re, &rm) < 0)
			return -1;
		/* Series without points in the window are not part of the value. */
		for (size_t i = 0; i < m.n; i++)
			if (m.s[i].n)
				mat_push(&ev->arena, &out->mat, m.s[i].ls, m.s[i].p, m.s[i].n);
		return 0;
	}
	case PROMQL_NODE_BINARY: {
		struct ev_value l, r;
		if (ev_eval(ev, n->u.binary.lhs, ts, &l) < 0 || ev_eval(ev, n->u.binary.rhs, ts, &r) < 0)
			return -1;
		if (ev_binary(ev, n, &l, &r, out) < 0)
			return -1;
		return out->type == PROMQL_TYPE_VECTOR ? ev_check_dup_labels(ev, &out->vec) : 0;
	}
	case PROMQL_NODE_AGGREGATE:
		if (ev_aggregate(ev, n, ts, out) < 0)
			return -1;
		return ev_check_dup_labels(ev, &out->vec);
	case PROMQL_NODE_CALL:
		if (n->u.call.func->id == PROMQL_FN_TIMESTAMP) {
			const struct promql_node *a = ev_unwrap(n->u.call.args[0]);
			if (a->kind == PROMQL_NODE_VECTOR) {
				struct ev_vector v;
				if (timestamp_selector(ev, a, ts, &v) < 0)
					return -1;
				out->type = PROMQL_TYPE_VECTOR;
				for (size_t i = 0; i < v.n; i++)
					vec_push(&ev->arena, &out->vec, lset_drop_name(&ev->arena, v.v[i].ls),
						 (double)v.v[i].t / 1000, ts);
				return ev_check_dup_labels(ev, &out->vec);
			}
		}
		if (ev_call(ev, n, ts, out) < 0)
			return -1;
		return out->type == PROMQL_TYPE_VECTOR ? ev_check_dup_labels(ev, &out->vec) : 0;
	}
	return err_set(ev->e, "unhandled expression of type: %s", promql_node_kind_name(n->kind));
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
		arena_reset(r->priv);
		free(r->priv);
	}
	promql_result_init(r);
}

static int ev_init(struct evaluator *ev, const struct promql_storage *st, const struct promql_node *expr,
		   int64_t start, int64_t end, const struct promql_engine_opts *o, struct err *e)
{
	struct path_state ps = { 0 };

	memset(ev, 0, sizeof(*ev));
	ev->st = st;
	ev->query_start = start;
	ev->query_end = end;
	ev->lookback = o && o->lookback_ms ? o->lookback_ms : DEFAULT_LOOKBACK_MS;
	ev->subquery_step = o && o->default_subquery_step_ms ? o->default_subquery_step_ms : DEFAULT_SUBQUERY_STEP_MS;
	ev->e = e;
	return prepare(ev, expr, ps, 0);
}

static void ev_release(struct evaluator *ev)
{
	subq_caches_release(ev);
	for (size_t i = 0; i < ev->nregs; i++)
		hmap_release(&ev->regs[i].seen);
	free(ev->regs);
	for (size_t i = 0; i < ev->nsels; i++)
		promql_series_set_release(&ev->sels[i].set);
	free(ev->sels);
	arena_reset(&ev->arena);
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
	out->priv = xcalloc(1, sizeof(struct arena));
	out->t = t;
	if (ev_init(&ev, st, expr, t, t, opts, e) < 0 || ev_eval(&ev, expr, t, &v) < 0)
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
	int rc = -1;

	promql_result_init(out);
	if (ty != PROMQL_TYPE_VECTOR && ty != PROMQL_TYPE_SCALAR)
		return err_set(e, "invalid expression type \"%s\" for range query, must be Scalar or instant Vector",
			       promql_value_type_doc(ty));
	if (step <= 0)
		return err_set(e, "zero or negative query resolution step widths are not accepted. Try a positive integer");
	out->priv = xcalloc(1, sizeof(struct arena));
	out->type = PROMQL_TYPE_MATRIX;
	if (ev_init(&ev, st, expr, start, end, opts, e) < 0)
		goto done;
	for (int64_t t = start; t <= end; t += step) {
		struct ev_value v;
		struct ev_sample one;
		struct ev_sample *smp;
		size_t ns;

		if (ev_eval(&ev, expr, t, &v) < 0)
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
			}
			add_point(&out->series[*slot - 1], &pcaps[*slot - 1], t, smp[i].v);
		}
		arena_reset(&ev.arena);
	}
	if (out->nseries > 1)
		qsort(out->series, out->nseries, sizeof(*out->series), cmp_result_series);
	rc = 0;
done:
	hmap_release(&idx);
	free(pcaps);
	ev_release(&ev);
	if (rc < 0)
		promql_result_release(out);
	return rc;
}
