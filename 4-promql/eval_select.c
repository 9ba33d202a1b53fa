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
#include "4-promql/nstack.h"

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

/* FNV-1a of the matchers and the time range of a selection. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t selection_key(const struct promql_node *vs, int64_t mint, int64_t maxt)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < vs->u.vector.nmatchers; i++) {
		const struct label_matcher *m = &vs->u.vector.matchers[i];
		unsigned char ty = (unsigned char)m->type;
		h = fnv(h, &ty, 1);
		h = fnv(h, m->name, strlen(m->name) + 1);
		h = fnv(h, m->value, m->value_len + 1);
	}
	h = fnv(h, &mint, sizeof(mint));
	return fnv(h, &maxt, sizeof(maxt));
}

/* Whether selection a is what c (node and range set) would select. */
static bool same_selection(const struct sel_cache *a, const struct sel_cache *c)
{
	const struct promql_node *x = a->node, *y = c->node;

	if (a->mint != c->mint || a->maxt != c->maxt || x->u.vector.nmatchers != y->u.vector.nmatchers)
		return false;
	for (size_t i = 0; i < x->u.vector.nmatchers; i++) {
		const struct label_matcher *m = &x->u.vector.matchers[i], *n = &y->u.vector.matchers[i];
		if (m->type != n->type || strcmp(m->name, n->name) || m->value_len != n->value_len ||
		    memcmp(m->value, n->value, m->value_len))
			return false;
	}
	return true;
}

static int select_selector(struct evaluator *ev, const struct promql_node *vs,
			   struct path_state ps, int64_t eval_range)
{
	int64_t start = ev->query_start, end = ev->query_end, at;
	struct sel_cache *c;
	uint64_t key;
	size_t *slot;
	bool found;

	if (ps.has_ts)
		start = end = ps.ts;
	if (at_time(ev, &vs->u.vector.at, &at)) {
		start = end = at;
	} else {
		start = wsub(start, wadd(ps.subq_off, ps.subq_range));
		end = wsub(end, ps.subq_off);
	}
	start = wsub(start, eval_range ? eval_range : ev->lookback);
	/* 3.7: anchored and smoothed windows reach a lookback delta further
	 * back, smoothed ones forward too (getTimeRangesForSelector) */
	if (vs->u.vector.ext != PROMQL_EXT_NONE && eval_range)
		start = wsub(start, ev->lookback);
	if (vs->u.vector.ext == PROMQL_EXT_SMOOTHED)
		end = wadd(end, ev->lookback);
	start = wsub(start, vs->u.vector.offset_ms);
	end = wsub(end, vs->u.vector.offset_ms);

	ALLOC_GROW(ev->sels, ev->nsels + 1, ev->selcap);
	c = &ev->sels[ev->nsels];
	memset(c, 0, sizeof(*c));
	c->node = vs;
	c->mint = start;
	c->maxt = end;
	key = selection_key(vs, start, end);
	slot = hmap_slot(&ev->sel_dedup, key, &found);
	if (found && same_selection(&ev->sels[*slot - 1], c)) {
		/* The same series as an earlier selector's: read them once. */
		const struct sel_cache *o = &ev->sels[*slot - 1];
		c->set = o->set;
		c->set.release = NULL;
		c->hash = xmalloc((c->set.n ? c->set.n : 1) * sizeof(*c->hash));
		memcpy(c->hash, o->hash, c->set.n * sizeof(*c->hash));
	} else {
		if (ev->st->select(ev->st->ctx, vs->u.vector.matchers, vs->u.vector.nmatchers,
				   start, end, &c->set, ev->e) < 0)
			return err_wrap(ev->e, "expanding series");
		if (!found)
			*slot = ev->nsels + 1;
		/* Every step reads these series: hash their label sets once. */
		c->hash = xcalloc(c->set.n ? c->set.n : 1, sizeof(*c->hash));
		for (size_t i = 0; i < c->set.n; i++)
			c->hash[i] = lset_hash_slow((struct lset){ c->set.v[i].labels, c->set.v[i].nlabels, 0 });
	}
	for (size_t i = 0; i < c->set.n && ev->use_st && !c->has_st; i++)
		c->has_st = c->set.v[i].st != NULL;
	c->cur_hi = xcalloc(c->set.n ? c->set.n : 1, sizeof(*c->cur_hi));
	c->cur_lo = xcalloc(c->set.n ? c->set.n : 1, sizeof(*c->cur_lo));
	ev->nsels++;
	return 0;
}

/*
 * Calls, aggregations and subqueries evaluate their arguments by recursion
 * (operator chains do not: see ev_eval), each level taking a few KB of C
 * stack; deeper nesting than this is refused.
 */
#define MAX_EVAL_NESTING 1000

struct prep_item {
	const struct promql_node *n;
	struct path_state ps;
	int64_t eval_range;
	int nesting; /* calls, aggregations and subqueries above n */
};

static void prep_push(struct nstack *st, const struct promql_node *n, struct path_state ps, int64_t eval_range,
		      int nesting)
{
	struct prep_item *it = nstack_push(st);

	it->n = n;
	it->ps = ps;
	it->eval_range = eval_range;
	it->nesting = nesting;
}

/*
 * Selects every selector under n, in pre-order, left to right (the order
 * of the storage selects, hence of their errors).  The nodes still to
 * visit wait on an explicit stack, pushed last child first: a tree may be
 * an operator chain hundreds of thousands deep.
 */
static int prepare(struct evaluator *ev, const struct promql_node *n, struct path_state ps, int64_t eval_range)
{
	struct prep_item inl[16], *top, it;
	struct nstack st;
	int rc = 0, nest;

	nstack_init(&st, inl, sizeof(inl) / sizeof(inl[0]), sizeof(inl[0]));
	prep_push(&st, n, ps, eval_range, 0);
	while (rc == 0 && (top = nstack_top(&st))) {
		it = *top;
		nstack_pop(&st);
		n = it.n;
		nest = it.nesting;
		if (n->kind == PROMQL_NODE_CALL || n->kind == PROMQL_NODE_AGGREGATE || n->kind == PROMQL_NODE_SUBQUERY) {
			if (++nest > MAX_EVAL_NESTING) {
				rc = err_set(ev->e, "function calls, aggregations and subqueries nest more than %d deep",
					     MAX_EVAL_NESTING);
				break;
			}
		}
		switch (n->kind) {
		case PROMQL_NODE_VECTOR:
			rc = select_selector(ev, n, it.ps, it.eval_range);
			break;
		case PROMQL_NODE_MATRIX:
			prep_push(&st, n->u.matrix.vs, it.ps, n->u.matrix.range_ms, nest);
			break;
		case PROMQL_NODE_SUBQUERY: {
			int64_t at;
			it.ps.subq_off = wadd(it.ps.subq_off, n->u.subquery.offset_ms);
			it.ps.subq_range = wadd(it.ps.subq_range, n->u.subquery.range_ms);
			if (at_time(ev, &n->u.subquery.at, &at)) {
				it.ps.subq_off = n->u.subquery.offset_ms;
				it.ps.subq_range = n->u.subquery.range_ms;
				it.ps.has_ts = true;
				it.ps.ts = at;
			}
			prep_push(&st, n->u.subquery.expr, it.ps, 0, nest);
			break;
		}
		case PROMQL_NODE_AGGREGATE:
			if (n->u.aggregate.param)
				prep_push(&st, n->u.aggregate.param, it.ps, 0, nest);
			prep_push(&st, n->u.aggregate.expr, it.ps, 0, nest);
			break;
		case PROMQL_NODE_BINARY:
			prep_push(&st, n->u.binary.rhs, it.ps, 0, nest);
			prep_push(&st, n->u.binary.lhs, it.ps, 0, nest);
			break;
		case PROMQL_NODE_CALL:
			for (size_t i = n->u.call.nargs; i-- > 0;)
				prep_push(&st, n->u.call.args[i], it.ps, 0, nest);
			break;
		case PROMQL_NODE_PAREN:
			prep_push(&st, n->u.paren.expr, it.ps, it.eval_range, nest);
			break;
		case PROMQL_NODE_UNARY:
			prep_push(&st, n->u.unary.expr, it.ps, it.eval_range, nest);
			break;
		case PROMQL_NODE_STEP_INVARIANT:
			prep_push(&st, n->u.step_invariant.expr, it.ps, it.eval_range, nest);
			break;
		default:
			break;
		}
	}
	nstack_release(&st);
	return rc;
}

/* Past this many selectors, ev->sels is sorted by node for selected(). */
#define SELS_LINEAR 8

static int cmp_sel_node(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct sel_cache *)a)->node;
	uintptr_t y = (uintptr_t)((const struct sel_cache *)b)->node;

	return x < y ? -1 : x > y;
}

/* The selection of selector vs: every step looks up every selector, and an
 * operator chain may have hundreds of thousands of them. */
struct sel_cache *ev_selected(struct evaluator *ev, const struct promql_node *vs)
{
	size_t lo = 0, hi = ev->nsels;

	if (ev->nsels <= SELS_LINEAR) {
		for (size_t i = 0; i < ev->nsels; i++)
			if (ev->sels[i].node == vs)
				return &ev->sels[i];
		return NULL; /* not prepared: a bug */
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((uintptr_t)ev->sels[mid].node < (uintptr_t)vs)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ev->nsels && ev->sels[lo].node == vs ? &ev->sels[lo] : NULL;
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
	struct sel_cache *sc = ev_selected(ev, vs);
	const struct promql_series_set *set = sc ? &sc->set : NULL;

	memset(out, 0, sizeof(*out));
	if (!set)
		return err_set(ev->e, "internal error: selector not prepared");
	for (size_t i = 0; i < set->n; i++) {
		const struct promql_series *s = &set->v[i];
		ptrdiff_t k = seek(s, ref, &sc->cur_hi[i]);
		if (k < 0 || is_stale(s->v[k]) || s->t[k] < wsub(ref, ev->lookback) ||
		    (s->t[k] == wsub(ref, ev->lookback) && compat_on(ev->compat, COMPAT_PROMQL_LEFT_OPEN)))
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
	if (n->u.vector.ext == PROMQL_EXT_SMOOTHED)
		return ev_smoothed_vector(ev, n, ref, ts, out);
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

/* The window [mint, maxt] of every series of sc ((mint, maxt] when open,
 * as 3.0's), staleness markers skipped, into out (one arena array for all
 * the points). */
static void windows(struct arena *a, struct sel_cache *sc, int64_t mint, int64_t maxt, bool open,
		    struct ev_matrix *out)
{
	const int64_t *sst;
	int64_t *st;
	const struct promql_series_set *set = &sc->set;
	ptrdiff_t *lo, *hi;
	struct ev_point *pts;
	size_t total = 0, off = 0;
	int64_t first, last;

	if (!set->n)
		return;
	ev_window_bounds(open, mint, maxt, &first, &last);
	lo = arena_array(a, set->n, sizeof(*lo));
	hi = arena_array(a, set->n, sizeof(*hi));
	for (size_t i = 0; i < set->n; i++) {
		const struct promql_series *s = &set->v[i];
		hi[i] = seek(s, last, &sc->cur_hi[i]);
		lo[i] = first == INT64_MIN ? 0 : seek(s, first - 1, &sc->cur_lo[i]) + 1;
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

		st = NULL;
		if (hi[i] >= lo[i]) {
			p = pts + off;
			for (ptrdiff_t j = lo[i]; j <= hi[i]; j++)
				if (!is_stale(s->v[j]))
					p[k++] = (struct ev_point){ s->t[j], s->v[j] };
			off += k;
			/* has_st only under use-start-timestamps (3.12) */
			if (sc->has_st && (sst = s->st)) {
				size_t q = 0;
				st = arena_array(a, k ? k : 1, sizeof(*st));
				for (ptrdiff_t j = lo[i]; j <= hi[i]; j++)
					if (!is_stale(s->v[j]))
						st[q++] = sst[j];
			}
		}
		out->s[i] = (struct ev_mseries){ { s->labels, s->nlabels, sc->hash[i] }, p, k, st };
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
	size_t i = ev_node_find(ev, EV_SUBQS, ev->subqs, ev->nsubqs, sizeof(*ev->subqs), n);

	if (i < ev->nsubqs)
		return &ev->subqs[i];
	ALLOC_GROW(ev->subqs, ev->nsubqs + 1, ev->subqcap);
	c = &ev->subqs[ev->nsubqs++];
	memset(c, 0, sizeof(*c));
	c->node = n;
	/* a query may have many subqueries, most with few label sets */
	arena_init_growing(&c->lsmem, 512, 65536);
	ev_node_added(ev, EV_SUBQS, ev->subqs, ev->nsubqs, sizeof(*ev->subqs));
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

/* The key of ls in the set table: its hash, told apart from the same
 * labels marked for delayed name removal (the mark is not hashed). */
static uint64_t subq_set_key(struct lset ls)
{
	uint64_t h = lset_hash(ls);

	return ls.drop ? h ^ 0x9E3779B97F4A7C15ULL : h;
}

/*
 * Stores inner result v at time t after the last entry: per sample its
 * value and its set's number, the set added to the table (a deep copy,
 * hashed) the first time it is seen.  The samples of consecutive inner
 * steps mostly come in the same order, so position i is first tried
 * against the set of position i of the entry before.
 */
static void subq_store(struct subq_cache *c, int64_t t, const struct ev_vector *v)
{
	struct subq_entry en = { t, NULL, NULL, v->n };
	const struct subq_entry *prev = c->n > c->head ? &c->e[c->n - 1] : NULL;

	if (v->n > UINT32_MAX || c->nls + v->n > UINT32_MAX)
		abort(); /* 4 billion label sets: no memory would hold them */
	/* one block: the values (8-aligned) first, then the set numbers */
	en.v = xreallocarray(NULL, v->n, sizeof(*en.v) + sizeof(*en.sid));
	en.sid = (uint32_t *)(en.v + v->n);
	for (size_t i = 0; i < v->n; i++) {
		struct lset ls = lset_hashed(v->v[i].ls);
		bool found;
		size_t *slot;

		en.v[i] = v->v[i].v;
		if (prev && i < prev->n) {
			const struct lset *p = &c->ls[prev->sid[i]];
			if (p->h == ls.h && p->drop == ls.drop) {
				en.sid[i] = prev->sid[i];
				continue;
			}
		}
		slot = hmap_slot(&c->lsidx, subq_set_key(ls), &found);
		if (!found) {
			ALLOC_GROW(c->ls, c->nls + 1, c->lscap);
			c->ls[c->nls++] = lset_dup(&c->lsmem, ls);
			*slot = c->nls;
		}
		en.sid[i] = (uint32_t)(*slot - 1);
	}
	ALLOC_GROW(c->e, c->n + 1, c->cap);
	c->e[c->n++] = en;
}

/*
 * The matrix of the cached inner results e[from..to), in time order,
 * series by labels hash in order of first appearance (the mark for
 * delayed name removal of the first sample kept).  Two passes: the first
 * numbers the series and counts their points, the second fills arrays of
 * exactly that size.
 */
static int subq_collect(struct evaluator *ev, struct subq_cache *c, size_t from, size_t to, struct ev_matrix *out)
{
	struct hmap idx = { 0 };
	size_t *cnt = NULL, cntcap = 0;
	unsigned ticks = 0;
	int rc = -1;

	if (c->sercap < c->nls) {
		size_t nc = c->nls > c->sercap * 2 ? c->nls : c->sercap * 2;
		c->ser = xreallocarray(c->ser, nc, sizeof(*c->ser));
		c->ser_gen = xreallocarray(c->ser_gen, nc, sizeof(*c->ser_gen));
		memset(c->ser_gen + c->sercap, 0, (nc - c->sercap) * sizeof(*c->ser_gen));
		c->sercap = nc;
	}
	if (++c->gen == 0) { /* wrapped: no stamp may look current */
		memset(c->ser_gen, 0, c->sercap * sizeof(*c->ser_gen));
		c->gen = 1;
	}
	for (size_t k = from; k < to; k++) {
		const struct subq_entry *en = &c->e[k];
		if (ev->lim && !(++ticks & 4095) && ev_limit_tick(ev) < 0)
			goto done;
		for (size_t i = 0; i < en->n; i++) {
			uint32_t id = en->sid[i];
			if (c->ser_gen[id] != c->gen) {
				bool found;
				size_t *slot = hmap_slot(&idx, c->ls[id].h, &found);
				if (!found) {
					ev_mat_push(&ev->arena, out, c->ls[id], NULL, 0);
					ALLOC_GROW(cnt, out->n, cntcap);
					cnt[out->n - 1] = 0;
					*slot = out->n;
				}
				c->ser[id] = *slot - 1;
				c->ser_gen[id] = c->gen;
			}
			cnt[c->ser[id]]++;
		}
	}
	for (size_t j = 0; j < out->n; j++)
		out->s[j].p = arena_array(&ev->arena, cnt[j], sizeof(*out->s[j].p));
	for (size_t k = from; k < to; k++) {
		const struct subq_entry *en = &c->e[k];
		if (ev->lim && !(++ticks & 4095) && ev_limit_tick(ev) < 0)
			goto done;
		for (size_t i = 0; i < en->n; i++) {
			struct ev_mseries *s = &out->s[c->ser[en->sid[i]]];
			s->p[s->n++] = (struct ev_point){ en->t, en->v[i] };
		}
	}
	rc = 0;
done:
	hmap_release(&idx);
	free(cnt);
	return rc;
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
		arena_release(&c->lsmem);
		free(c->ser);
		free(c->ser_gen);
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
	struct subq_cache *cache = subq_cache(ev, n);
	int rc = -1;

	int64_t saved_start = ev->cur_start, saved_skip = ev->skip_off, at = 0, inner_start, saved_end = 0, next;
	unsigned ticks = 0;
	bool has_at = at_time(ev, &n->u.subquery.at, &at), top = ev->subq_top, open;

	memset(out, 0, sizeof(*out));
	ev->subq_top = false;
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
	/*
	 * 3.0.1 (#15431) starts strictly after end - range; 3.0.0 already
	 * dropped that point where a function reads the subquery (its range
	 * window is left-open), not from a subquery a query returns.
	 */
	open = compat_on(ev->compat, COMPAT_PROMQL_LEFT_OPEN_SUBQUERY) ||
	       (!top && compat_on(ev->compat, COMPAT_PROMQL_LEFT_OPEN));
	if (start < wsub(end, n->u.subquery.range_ms) || (open && start == wsub(end, n->u.subquery.range_ms)))
		start = wadd(start, step);
	*end_out = end;
	/* The inner evaluator's start, as 2.42 aligns it from its parent's. */
	inner_start = wsub(inner_start, n->u.subquery.range_ms);
	{
		int64_t a = inner_start / step * step;
		bool after = a < inner_start ||
			     (a == inner_start && compat_on(ev->compat, COMPAT_PROMQL_LEFT_OPEN_SUBQUERY));
		ev->cur_start = after ? wadd(a, step) : a;
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
	ev->subq_depth++; /* inner steps are not the query's: no sweeps */
	subq_evict(cache, start);
	if (cache->computed && (start < cache->lo || start > cache->hi)) {
		/* not a continuation of what is cached (only outer steps that go
		 * back in time would do this): start afresh */
		subq_evict(cache, INT64_MAX);
		cache->computed = false;
	}
	next = start;
	if (cache->computed) {
		/* every inner time of the window is cached */
		if (cache->hi >= end || (uint64_t)end - (uint64_t)cache->hi < (uint64_t)step)
			goto collect;
		next = wadd(cache->hi, step);
	}
	/*
	 * The new inner times: evaluated, stored (only what has samples), and
	 * the scratch of each evaluation released at once; the window is
	 * made from the cache after, so nothing of it sits in between.
	 */
	for (int64_t t = next; t <= end; t += step) {
		struct arena_mark mark = arena_mark(&ev->arena);
		size_t ci = (size_t)(cache - ev->subqs);
		struct ev_value v;

		if (ev->lim && !(++ticks & 4095) && ev_limit_tick(ev) < 0)
			goto done;
		if (ev_eval(ev, n->u.subquery.expr, t, &v) < 0)
			goto done;
		/* a subquery inside may have grown (moved) ev->subqs */
		cache = &ev->subqs[ci];
		if (!cache->computed) {
			cache->computed = true;
			cache->lo = t;
		}
		cache->hi = t;
		if (v.vec.n)
			subq_store(cache, t, &v.vec);
		arena_rewind(&ev->arena, mark);
		/* The last step: stop before t + step could overflow. */
		if ((uint64_t)end - (uint64_t)t < (uint64_t)step)
			break;
	}
collect:
	if (subq_collect(ev, cache, cache->head, end == INT64_MAX ? cache->n : subq_find(cache, end + 1), out) < 0)
		goto done;
	rc = 0;
done:
	ev->subq_depth--;
	if (ev->lim)
		ev_limit_subquery_leave(ev, saved_end);
	ev->cur_start = saved_start;
	ev->skip_off = saved_skip;
	return rc;
}

int ev_range_arg(struct evaluator *ev, const struct promql_node *n, int64_t ts, bool moving,
		 struct ev_matrix *out, int64_t *range_start, int64_t *range_end, int64_t *range_ms)
{
	n = ev_unwrap(n);
	memset(out, 0, sizeof(*out));
	if (n->kind == PROMQL_NODE_MATRIX) {
		const struct promql_node *vs = n->u.matrix.vs;
		struct sel_cache *sc = ev_selected(ev, vs);
		const struct promql_series_set *set = sc ? &sc->set : NULL;
		int64_t at, maxt, mint;

		if (!set)
			return err_set(ev->e, "internal error: selector not prepared");
		/* 2.51 (86d7618d84, #11708) reads such a window once, at the first step */
		if (compat_on(ev->compat, COMPAT_PROMQL_AT_RANGE_FIXED))
			moving = false;
		if (!at_time(ev, &vs->u.vector.at, &at))
			at = ts;
		else
			at = wadd(wadd(at, ev->skip_off), moving ? wsub(ts, ev->cur_start) : 0);
		maxt = wsub(at, vs->u.vector.offset_ms);
		mint = wsub(maxt, n->u.matrix.range_ms);
		*range_start = mint;
		*range_end = maxt;
		*range_ms = n->u.matrix.range_ms;
		if (vs->u.vector.ext != PROMQL_EXT_NONE) {
			/* 3.7: a lookback delta more on the left, smoothed on the right too */
			windows(&ev->arena, sc, wsub(mint, ev->lookback),
				vs->u.vector.ext == PROMQL_EXT_SMOOTHED ? wadd(maxt, ev->lookback) : maxt, true, out);
			return 0;
		}
		windows(&ev->arena, sc, mint, maxt, compat_on(ev->compat, COMPAT_PROMQL_LEFT_OPEN), out);
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

static bool at_unsafe_call(const struct promql_node *n)
{
	for (size_t i = 0; i < sizeof(at_unsafe) / sizeof(*at_unsafe); i++)
		if (!strcmp(n->u.call.func->name, at_unsafe[i]))
			return true;
	return false;
}

/* Whether call n has a range argument pinned by `@`. */
static bool call_has_at_range(const struct promql_node *n)
{
	for (size_t i = 0; i < n->u.call.nargs; i++) {
		const struct promql_node *a = ev_unwrap(n->u.call.args[i]);
		if ((a->kind == PROMQL_NODE_MATRIX && a->u.matrix.vs->u.vector.at.kind != PROMQL_AT_NONE) ||
		    (a->kind == PROMQL_NODE_SUBQUERY && a->u.subquery.at.kind != PROMQL_AT_NONE))
			return true;
	}
	return false;
}

/* Child i of n for the walk below, or NULL past the last. */
static const struct promql_node *mm_child(const struct promql_node *n, size_t i)
{
	switch (n->kind) {
	case PROMQL_NODE_CALL:
		return i < n->u.call.nargs ? n->u.call.args[i] : NULL;
	case PROMQL_NODE_MATRIX:
		return i == 0 ? n->u.matrix.vs : NULL;
	case PROMQL_NODE_SUBQUERY:
		return i == 0 ? n->u.subquery.expr : NULL;
	case PROMQL_NODE_AGGREGATE:
		return i == 0 ? n->u.aggregate.expr : i == 1 ? n->u.aggregate.param : NULL;
	case PROMQL_NODE_BINARY:
		return i == 0 ? n->u.binary.lhs : i == 1 ? n->u.binary.rhs : NULL;
	case PROMQL_NODE_PAREN:
		return i == 0 ? n->u.paren.expr : NULL;
	case PROMQL_NODE_UNARY:
		return i == 0 ? n->u.unary.expr : NULL;
	case PROMQL_NODE_STEP_INVARIANT:
		return i == 0 ? n->u.step_invariant.expr : NULL;
	default:
		return NULL;
	}
}

/*
 * Whether 2.42's PreprocessExpr finds n step invariant
 * (preprocessExprHelper), from whether its children are (kids: all of
 * them; first: the first one).
 */
static bool invariant(const struct promql_node *n, bool kids, bool first)
{
	switch (n->kind) {
	case PROMQL_NODE_VECTOR:
		return n->u.vector.at.kind != PROMQL_AT_NONE;
	case PROMQL_NODE_SUBQUERY:
		return n->u.subquery.at.kind != PROMQL_AT_NONE;
	case PROMQL_NODE_AGGREGATE: /* the parameter does not count */
		return first;
	case PROMQL_NODE_CALL:
		return kids && !at_unsafe_call(n);
	case PROMQL_NODE_MATRIX:
	case PROMQL_NODE_BINARY:
	case PROMQL_NODE_PAREN:
	case PROMQL_NODE_UNARY:
		return kids;
	default:
		return true; /* literals, StepInvariantExpr */
	}
}

struct mm_frame {
	const struct promql_node *n;
	size_t next;  /* the next child to visit */
	size_t mark;  /* ev->nmoving when n was entered */
	bool kids, first;
};

/*
 * 2.42 evaluates a step-invariant sub-tree once; a call outside such a
 * sub-tree runs over all steps, and its range argument -- unwrapped from
 * the StepInvariantExpr its `@` got -- is then read at ts - offset, where
 * the offset was fixed for the evaluator's start: the `@` window moves
 * with the step.  Records those calls: the calls with an `@`-pinned range
 * argument that are not invariant themselves and have no invariant
 * ancestor (which would wrap them).
 *
 * One post-order pass on an explicit stack: a node's invariance follows
 * from its children's, and when a node turns out invariant the calls
 * recorded inside it -- the last ones recorded -- are dropped again.
 */
static void mark_moving(struct evaluator *ev, const struct promql_node *root)
{
	struct mm_frame inl[16], *f;
	struct nstack st;

	nstack_init(&st, inl, sizeof(inl) / sizeof(inl[0]), sizeof(inl[0]));
	f = nstack_push(&st);
	*f = (struct mm_frame){ root, 0, ev->nmoving, true, true };
	while ((f = nstack_top(&st))) {
		const struct promql_node *n = f->n, *c = mm_child(n, f->next);
		bool inv;

		if (c) {
			size_t mark = ev->nmoving;
			f->next++;
			f = nstack_push(&st);
			*f = (struct mm_frame){ c, 0, mark, true, true };
			continue;
		}
		inv = invariant(n, f->kids, f->first);
		if (inv)
			ev->nmoving = f->mark;
		else if (n->kind == PROMQL_NODE_CALL && call_has_at_range(n)) {
			ALLOC_GROW(ev->moving, ev->nmoving + 1, ev->movingcap);
			ev->moving[ev->nmoving++] = n;
		}
		nstack_pop(&st);
		if ((f = nstack_top(&st))) {
			if (f->next == 1)
				f->first = inv;
			f->kids = f->kids && inv;
		}
	}
	nstack_release(&st);
}

bool ev_call_moves(const struct evaluator *ev, const struct promql_node *n)
{
	for (size_t i = 0; i < ev->nmoving; i++)
		if (ev->moving[i] == n)
			return true;
	return false;
}

bool ev_step_invariant(const struct promql_node *root)
{
	struct mm_frame inl[16], *f;
	struct nstack st;
	bool inv = true;

	nstack_init(&st, inl, sizeof(inl) / sizeof(inl[0]), sizeof(inl[0]));
	f = nstack_push(&st);
	*f = (struct mm_frame){ root, 0, 0, true, true };
	while ((f = nstack_top(&st))) {
		const struct promql_node *n = f->n, *c = mm_child(n, f->next);
		if (c) {
			f->next++;
			f = nstack_push(&st);
			*f = (struct mm_frame){ c, 0, 0, true, true };
			continue;
		}
		inv = invariant(n, f->kids, f->first);
		nstack_pop(&st);
		if ((f = nstack_top(&st))) {
			if (f->next == 1)
				f->first = inv;
			f->kids = f->kids && inv;
		}
	}
	nstack_release(&st);
	return inv;
}

int ev_prepare(struct evaluator *ev, const struct promql_node *root)
{
	struct path_state ps = { 0 };
	int rc;

	ev->cur_start = ev->query_start;
	mark_moving(ev, root);
	rc = prepare(ev, root, ps, 0);
	hmap_release(&ev->sel_dedup);
	if (rc < 0)
		return -1;
	if (ev->nsels > SELS_LINEAR)
		qsort(ev->sels, ev->nsels, sizeof(*ev->sels), cmp_sel_node);
	return 0;
}

void ev_select_release(struct evaluator *ev)
{
	ev_sweep_release(ev);
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
