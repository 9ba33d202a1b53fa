/*
 * Reading series for the evaluator: the one storage select per selector
 * node (over the time range 2.42's getTimeRangesForSelector computes, which
 * also reproduces the querier's trimming of samples outside it), instant
 * vector selection with the lookback delta and staleness markers, range
 * windows, and subqueries with 2.42's step alignment and a per-query cache
 * of their inner results.
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "4-promql/eval_internal.h"
#include "4-promql/eval_limit.h"

/* Time arithmetic wraps like Go's int64 instead of overflowing (extreme
 * `@` and offsets). */
static int64_t wadd(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static int64_t wsub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
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
		start = wsub(start, wadd(ps.subq_off, ps.subq_range));
		end = wsub(end, ps.subq_off);
	}
	start = wsub(start, eval_range ? eval_range : ev->lookback);
	start = wsub(start, vs->u.vector.offset_ms);
	end = wsub(end, vs->u.vector.offset_ms);

	ALLOC_GROW(ev->sels, ev->nsels + 1, ev->selcap);
	c = &ev->sels[ev->nsels];
	memset(c, 0, sizeof(*c));
	c->node = vs;
	if (ev->st->select(ev->st->ctx, vs->u.vector.matchers, vs->u.vector.nmatchers,
			   start, end, &c->set, ev->e) < 0)
		return err_wrap(ev->e, "expanding series");
	/* Every step reads these series: hash their label sets once. */
	c->hash = xcalloc(c->set.n ? c->set.n : 1, sizeof(*c->hash));
	for (size_t i = 0; i < c->set.n; i++)
		c->hash[i] = lset_hash_slow((struct lset){ c->set.v[i].labels, c->set.v[i].nlabels, 0 });
	c->cur_hi = xcalloc(c->set.n ? c->set.n : 1, sizeof(*c->cur_hi));
	c->cur_lo = xcalloc(c->set.n ? c->set.n : 1, sizeof(*c->cur_lo));
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
		ps.subq_off = wadd(ps.subq_off, n->u.subquery.offset_ms);
		ps.subq_range = wadd(ps.subq_range, n->u.subquery.range_ms);
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

static struct sel_cache *selected(struct evaluator *ev, const struct promql_node *vs)
{
	for (size_t i = 0; i < ev->nsels; i++)
		if (ev->sels[i].node == vs)
			return &ev->sels[i];
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

/* last_at_or_before() searching from *hint, the previous answer for this
 * series: a few steps away when the time moved by one step. */
static ptrdiff_t seek(const struct promql_series *s, int64_t ref, ptrdiff_t *hint)
{
	ptrdiff_t h = *hint, n = (ptrdiff_t)s->n;
	int moves = 0;

	if (h >= n)
		h = n - 1;
	if (h < -1)
		h = -1;
	while (h + 1 < n && s->t[h + 1] <= ref)
		if (++h, ++moves > 8)
			goto search;
	while (h >= 0 && s->t[h] > ref)
		if (--h, ++moves > 8)
			goto search;
	*hint = h;
	return h;
search:
	h = last_at_or_before(s, ref);
	*hint = h;
	return h;
}

static bool is_stale(double v)
{
	uint64_t b;
	memcpy(&b, &v, sizeof(b));
	return b == 0x7FF0000000000002ULL;
}

/*
 * vectorSelectorSingle: the newest sample at or before ref, if within the
 * lookback delta and not a staleness marker.
 */
static int vector_at(struct evaluator *ev, const struct promql_node *vs, int64_t ref,
		     int64_t ts, bool keep_t, struct ev_vector *out)
{
	struct sel_cache *sc = selected(ev, vs);
	const struct promql_series_set *set = sc ? &sc->set : NULL;

	memset(out, 0, sizeof(*out));
	if (!set)
		return err_set(ev->e, "internal error: selector not prepared");
	for (size_t i = 0; i < set->n; i++) {
		const struct promql_series *s = &set->v[i];
		ptrdiff_t k = seek(s, ref, &sc->cur_hi[i]);
		if (k < 0 || s->t[k] < wsub(ref, ev->lookback) || is_stale(s->v[k]))
			continue;
		vec_push(&ev->arena, out, (struct lset){ s->labels, s->nlabels, sc->hash[i] }, s->v[k],
			 keep_t ? s->t[k] : ts);
	}
	return 0;
}

int ev_vector_selector(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_vector *out)
{
	int64_t at, ref;

	if (!at_time(ev, &n->u.vector.at, &at))
		at = ts;
	else
		at = wadd(at, ev->skip_off);
	ref = wsub(at, n->u.vector.offset_ms);
	return vector_at(ev, n, ref, ts, false, out);
}

/* timestamp(selector): 2.42 reads the selector at the step time with the
 * sample's own timestamp; with `@ t` it reads at t, leaving out the offset
 * (it overwrites the selector's offset with ts - t). */
int ev_timestamp_selector(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_vector *out)
{
	int64_t at;

	if (at_time(ev, &n->u.vector.at, &at))
		return vector_at(ev, n, at, ts, true, out);
	return vector_at(ev, n, wsub(ts, n->u.vector.offset_ms), ts, true, out);
}

/* The window [mint, maxt] of every series of sc, staleness markers
 * skipped, into out (one arena array for all the points). */
static void windows(struct arena *a, struct sel_cache *sc, int64_t mint, int64_t maxt, struct ev_matrix *out)
{
	const struct promql_series_set *set = &sc->set;
	ptrdiff_t *lo, *hi;
	struct ev_point *pts;
	size_t total = 0, off = 0;

	if (!set->n)
		return;
	lo = arena_array(a, set->n, sizeof(*lo));
	hi = arena_array(a, set->n, sizeof(*hi));
	for (size_t i = 0; i < set->n; i++) {
		const struct promql_series *s = &set->v[i];
		hi[i] = seek(s, maxt, &sc->cur_hi[i]);
		lo[i] = mint == INT64_MIN ? 0 : seek(s, mint - 1, &sc->cur_lo[i]) + 1;
		if (hi[i] >= lo[i])
			total += (size_t)(hi[i] - lo[i] + 1);
	}
	pts = arena_array(a, total ? total : 1, sizeof(*pts));
	out->s = arena_array(a, set->n, sizeof(*out->s));
	out->cap = out->n = set->n;
	for (size_t i = 0; i < set->n; i++) {
		const struct promql_series *s = &set->v[i];
		struct ev_point *p = NULL;
		size_t k = 0;

		if (hi[i] >= lo[i]) {
			p = pts + off;
			for (ptrdiff_t j = lo[i]; j <= hi[i]; j++)
				if (!is_stale(s->v[j]))
					p[k++] = (struct ev_point){ s->t[j], s->v[j] };
			off += k;
		}
		out->s[i] = (struct ev_mseries){ { s->labels, s->nlabels, sc->hash[i] }, p, k };
	}
}

void ev_mat_push(struct arena *a, struct ev_matrix *m, struct lset ls, struct ev_point *p, size_t n)
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

/* Index of the first live entry with t >= x. */
static size_t subq_find(const struct subq_cache *c, int64_t x)
{
	size_t lo = c->head, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->e[mid].t < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Drops the entries before t (they are behind every later window); the
 * array is compacted once half of it is dead, so eviction is O(1) per
 * entry however long the window. */
static void subq_evict(struct subq_cache *c, int64_t t)
{
	size_t k = subq_find(c, t);

	for (size_t i = c->head; i < k; i++)
		free(c->e[i].v);
	c->head = k;
	if (c->head > 64 && c->head > c->n / 2) {
		memmove(c->e, c->e + c->head, (c->n - c->head) * sizeof(*c->e));
		c->n -= c->head;
		c->head = 0;
	}
	if (c->computed && t > c->lo)
		c->lo = t;
}

/* Stores v at position pos: values, and label sets through the table. */
static void subq_store(struct subq_cache *c, size_t pos, int64_t t, const struct ev_vector *v)
{
	struct subq_entry en = { t, NULL, NULL, v->n };

	/* one block: the values (8-aligned) first, then the set numbers */
	en.v = xreallocarray(NULL, v->n, sizeof(*en.v) + sizeof(*en.sid));
	en.sid = (uint32_t *)(en.v + v->n);
	for (size_t i = 0; i < v->n; i++) {
		bool found;
		size_t *slot = hmap_slot(&c->lsidx, lset_hash(v->v[i].ls), &found);
		if (!found) {
			ALLOC_GROW(c->ls, c->nls + 1, c->lscap);
			c->ls[c->nls++] = lset_dup(&c->lsmem, lset_hashed(v->v[i].ls));
			*slot = c->nls;
		}
		en.sid[i] = (uint32_t)(*slot - 1);
		en.v[i] = v->v[i].v;
	}
	ALLOC_GROW(c->e, c->n + 1, c->cap);
	memmove(c->e + pos + 1, c->e + pos, (c->n - pos) * sizeof(*c->e));
	c->e[pos] = en;
	c->n++;
}

/* Adds the points of entry en to the series of out (by labels). */
static void subq_collect(struct evaluator *ev, const struct subq_cache *c, struct hmap *idx, size_t **caps,
			 size_t *nser, size_t *cap, struct ev_matrix *out, const struct subq_entry *en)
{
	for (size_t i = 0; i < en->n; i++) {
		const struct lset *ls = &c->ls[en->sid[i]];
		bool found;
		size_t *slot = hmap_slot(idx, ls->h, &found);
		size_t k;
		if (!found) {
			*slot = *nser + 1;
			ALLOC_GROW(*caps, *nser + 1, *cap);
			(*caps)[*nser] = 0;
			ev_mat_push(&ev->arena, out, *ls, NULL, 0);
			(*nser)++;
		}
		k = *slot - 1;
		if (out->s[k].n == (*caps)[k]) {
			size_t nc = (*caps)[k] ? (*caps)[k] * 2 : 16;
			struct ev_point *np = arena_array(&ev->arena, nc, sizeof(*np));
			if (out->s[k].n)
				memcpy(np, out->s[k].p, out->s[k].n * sizeof(*np));
			out->s[k].p = np;
			(*caps)[k] = nc;
		}
		out->s[k].p[out->s[k].n++] = (struct ev_point){ en->t, en->v[i] };
	}
}

static void subq_caches_release(struct evaluator *ev)
{
	for (size_t i = 0; i < ev->nsubqs; i++) {
		struct subq_cache *c = &ev->subqs[i];
		for (size_t j = c->head; j < c->n; j++)
			free(c->e[j].v);
		free(c->e);
		free(c->ls);
		hmap_release(&c->lsidx);
		arena_reset(&c->lsmem);
	}
	free(ev->subqs);
}

/*
 * A subquery's inner evaluation: the inner expression at every multiple of
 * the step in [end - range, end], end = (@ or ts) - offset, collected per
 * label set (2.42's SubqueryExpr case of eval()).
 */
static int eval_subquery(struct evaluator *ev, const struct promql_node *n, int64_t ts, bool moving,
			 struct ev_matrix *out, int64_t *end_out)
{
	int64_t base, end, start, step = n->u.subquery.step_ms ? n->u.subquery.step_ms : ev->subquery_step;
	struct hmap idx = { 0 };
	size_t *caps = NULL, nser = 0, cap = 0;
	struct subq_cache *cache = subq_cache(ev, n);
	int rc = -1;

	int64_t saved_start = ev->cur_start, saved_skip = ev->skip_off, at = 0, inner_start, saved_end = 0, next;
	unsigned ticks = 0;
	bool has_at = at_time(ev, &n->u.subquery.at, &at);

	memset(out, 0, sizeof(*out));
	if (!has_at) {
		base = ts;
		inner_start = wsub(ev->cur_start, n->u.subquery.offset_ms);
	} else {
		base = wadd(at, ev->skip_off);
		inner_start = wsub(base, n->u.subquery.offset_ms);
		if (moving)
			base = wadd(base, wsub(ts, ev->cur_start));
	}
	end = wsub(base, n->u.subquery.offset_ms);
	start = wsub(end, n->u.subquery.range_ms) / step * step;
	if (start < wsub(end, n->u.subquery.range_ms))
		start = wadd(start, step);
	*end_out = end;
	/* The inner evaluator's start, as 2.42 aligns it from its parent's. */
	inner_start = wsub(inner_start, n->u.subquery.range_ms);
	{
		int64_t a = inner_start / step * step;
		ev->cur_start = a < inner_start ? wadd(a, step) : a;
	}
	if (ev->cur_start != saved_start)
		ev->skip_off = 0; /* offsets re-set for the inner start */
	else if (has_at)
		ev->skip_off = wadd(n->u.subquery.offset_ms, wsub(saved_start, at));
	else
		ev->skip_off = wadd(ev->skip_off, n->u.subquery.offset_ms);
	if (ev->lim && ev_limit_subquery_enter(ev, n, ev->cur_start, end, ts, !has_at || moving, step, &saved_end) < 0) {
		ev->cur_start = saved_start;
		ev->skip_off = saved_skip;
		return -1;
	}
	subq_evict(cache, start);
	if (cache->computed && (start < cache->lo || start > cache->hi)) {
		/* not a continuation of what is cached (only outer steps that go
		 * back in time would do this): start afresh */
		subq_evict(cache, INT64_MAX);
		cache->computed = false;
	}
	next = start;
	if (cache->computed) {
		if (cache->hi >= end || (uint64_t)end - (uint64_t)cache->hi < (uint64_t)step)
			goto collect; /* every inner time of the window is cached */
		next = wadd(cache->hi, step);
	}
	/* The new inner times: evaluated, stored (only what has samples), and
	 * the scratch of each evaluation released at once. */
	for (int64_t t = next; t <= end; t += step) {
		struct arena_mark mark = arena_mark(&ev->arena);
		struct ev_value v;

		if (ev->lim && !(++ticks & 4095) && ev_limit_tick(ev) < 0)
			goto done;
		if (ev_eval(ev, n->u.subquery.expr, t, &v) < 0)
			goto done;
		if (!cache->computed) {
			cache->computed = true;
			cache->lo = t;
		}
		cache->hi = t;
		if (v.vec.n)
			subq_store(cache, cache->n, t, &v.vec);
		arena_release(&ev->arena, mark);
		/* The last step: stop before t + step could overflow. */
		if ((uint64_t)end - (uint64_t)t < (uint64_t)step)
			break;
	}
collect:
	/* the window's results, in time order, from the cache */
	for (size_t k = cache->head; k < cache->n && cache->e[k].t <= end; k++) {
		if (ev->lim && !(++ticks & 4095) && ev_limit_tick(ev) < 0)
			goto done;
		subq_collect(ev, cache, &idx, &caps, &nser, &cap, out, &cache->e[k]);
	}
	rc = 0;
done:
	if (ev->lim)
		ev_limit_subquery_leave(ev, saved_end);
	ev->cur_start = saved_start;
	ev->skip_off = saved_skip;
	hmap_release(&idx);
	free(caps);
	return rc;
}

int ev_range_arg(struct evaluator *ev, const struct promql_node *n, int64_t ts, bool moving,
		 struct ev_matrix *out, int64_t *range_start, int64_t *range_end, int64_t *range_ms)
{
	n = ev_unwrap(n);
	memset(out, 0, sizeof(*out));
	if (n->kind == PROMQL_NODE_MATRIX) {
		const struct promql_node *vs = n->u.matrix.vs;
		struct sel_cache *sc = selected(ev, vs);
		const struct promql_series_set *set = sc ? &sc->set : NULL;
		int64_t at, maxt, mint;

		if (!set)
			return err_set(ev->e, "internal error: selector not prepared");
		if (!at_time(ev, &vs->u.vector.at, &at))
			at = ts;
		else
			at = wadd(wadd(at, ev->skip_off), moving ? wsub(ts, ev->cur_start) : 0);
		maxt = wsub(at, vs->u.vector.offset_ms);
		mint = wsub(maxt, n->u.matrix.range_ms);
		*range_start = mint;
		*range_end = maxt;
		*range_ms = n->u.matrix.range_ms;
		windows(&ev->arena, sc, mint, maxt, out);
		return 0;
	}
	if (n->kind == PROMQL_NODE_SUBQUERY) {
		int64_t end;
		if (eval_subquery(ev, n, ts, moving, out, &end) < 0)
			return -1;
		*range_end = end;
		*range_start = wsub(end, n->u.subquery.range_ms);
		*range_ms = n->u.subquery.range_ms;
		return 0;
	}
	return err_set(ev->e, "internal error: expected a range vector");
}

static const char *const at_unsafe[] = {
	"days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute",
	"month", "year", "predict_linear", "time", "timestamp",
};

/* Whether 2.42's PreprocessExpr finds n step invariant (preprocessExprHelper). */
static bool invariant(const struct promql_node *n)
{
	switch (n->kind) {
	case PROMQL_NODE_VECTOR:
		return n->u.vector.at.kind != PROMQL_AT_NONE;
	case PROMQL_NODE_MATRIX:
		return invariant(n->u.matrix.vs);
	case PROMQL_NODE_SUBQUERY:
		return n->u.subquery.at.kind != PROMQL_AT_NONE;
	case PROMQL_NODE_AGGREGATE:
		return invariant(n->u.aggregate.expr);
	case PROMQL_NODE_BINARY:
		return invariant(n->u.binary.lhs) && invariant(n->u.binary.rhs);
	case PROMQL_NODE_CALL: {
		bool inv = true;
		for (size_t i = 0; i < sizeof(at_unsafe) / sizeof(*at_unsafe); i++)
			if (!strcmp(n->u.call.func->name, at_unsafe[i]))
				inv = false;
		for (size_t i = 0; i < n->u.call.nargs; i++)
			inv = invariant(n->u.call.args[i]) && inv;
		return inv;
	}
	case PROMQL_NODE_PAREN:
		return invariant(n->u.paren.expr);
	case PROMQL_NODE_UNARY:
		return invariant(n->u.unary.expr);
	default:
		return true; /* literals, StepInvariantExpr */
	}
}

/*
 * 2.42 evaluates a step-invariant sub-tree once; a call outside such a
 * sub-tree runs over all steps, and its range argument -- unwrapped from
 * the StepInvariantExpr its `@` got -- is then read at ts - offset, where
 * the offset was fixed for the evaluator's start: the `@` window moves
 * with the step.  Records those calls.
 */
static void mark_moving(struct evaluator *ev, const struct promql_node *n, bool wrapped)
{
	wrapped = wrapped || invariant(n);
	switch (n->kind) {
	case PROMQL_NODE_CALL:
		if (!wrapped) {
			for (size_t i = 0; i < n->u.call.nargs; i++) {
				const struct promql_node *a = ev_unwrap(n->u.call.args[i]);
				bool at = (a->kind == PROMQL_NODE_MATRIX && a->u.matrix.vs->u.vector.at.kind != PROMQL_AT_NONE) ||
					  (a->kind == PROMQL_NODE_SUBQUERY && a->u.subquery.at.kind != PROMQL_AT_NONE);
				if (at) {
					ALLOC_GROW(ev->moving, ev->nmoving + 1, ev->movingcap);
					ev->moving[ev->nmoving++] = n;
					break;
				}
			}
		}
		for (size_t i = 0; i < n->u.call.nargs; i++)
			mark_moving(ev, n->u.call.args[i], wrapped);
		break;
	case PROMQL_NODE_MATRIX:
		break;
	case PROMQL_NODE_SUBQUERY:
		mark_moving(ev, n->u.subquery.expr, wrapped);
		break;
	case PROMQL_NODE_AGGREGATE:
		mark_moving(ev, n->u.aggregate.expr, wrapped);
		if (n->u.aggregate.param)
			mark_moving(ev, n->u.aggregate.param, wrapped);
		break;
	case PROMQL_NODE_BINARY:
		mark_moving(ev, n->u.binary.lhs, wrapped);
		mark_moving(ev, n->u.binary.rhs, wrapped);
		break;
	case PROMQL_NODE_PAREN:
		mark_moving(ev, n->u.paren.expr, wrapped);
		break;
	case PROMQL_NODE_UNARY:
		mark_moving(ev, n->u.unary.expr, wrapped);
		break;
	case PROMQL_NODE_STEP_INVARIANT:
		mark_moving(ev, n->u.step_invariant.expr, true);
		break;
	default:
		break;
	}
}

bool ev_call_moves(const struct evaluator *ev, const struct promql_node *n)
{
	for (size_t i = 0; i < ev->nmoving; i++)
		if (ev->moving[i] == n)
			return true;
	return false;
}

int ev_prepare(struct evaluator *ev, const struct promql_node *root)
{
	struct path_state ps = { 0 };

	ev->cur_start = ev->query_start;
	mark_moving(ev, root, false);
	return prepare(ev, root, ps, 0);
}

void ev_select_release(struct evaluator *ev)
{
	subq_caches_release(ev);
	for (size_t i = 0; i < ev->nsels; i++) {
		promql_series_set_release(&ev->sels[i].set);
		free(ev->sels[i].hash);
		free(ev->sels[i].cur_hi);
		free(ev->sels[i].cur_lo);
	}
	free(ev->sels);
	free(ev->moving);
}
