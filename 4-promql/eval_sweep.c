/*
 * Range functions over many steps of a range query in one sweep: for a
 * call such as rate(x[5m]) whose range argument is a plain matrix selector,
 * the values at a block of consecutive query steps are computed series by
 * series, with each series' window kept as two indices that only slide
 * forward and a buffer of its points (staleness markers left out) that
 * gains the points entering the window and drops those leaving it.  No
 * sample is read twice within a block, and there is no search per step.
 *
 * The value at each step is the same func_range() (func_range.c) over the
 * same points in the same order as the per-step path of eval_call.c would
 * pass, so the floats are bit-identical: nothing is accumulated across
 * windows (a running sum that subtracts would change them).  Shortcuts
 * that keep that:
 *   - a window with the same points as the last step's gives the same
 *     value for functions of the points alone;
 *   - for rate, increase and delta only the part that depends on the
 *     bounds is redone (func_rate_prep/func_rate_finish split 2.42's
 *     extrapolatedRate), and the counter-reset loop runs only over windows
 *     known to hold a point below the one before (a count of such drops
 *     is kept as points enter and leave);
 *   - for rate, increase and delta over a series without staleness
 *     markers the window is the raw samples themselves (no buffer, nothing
 *     read again when the next block starts), and the part of the
 *     extrapolation that depends on the window's times alone is kept while
 *     they repeat (func_rate_cols_memo).
 * The unit test test_promql_sweep.c compares both paths on random data.
 *
 * Results of a block live in one allocation per call node, step-major
 * (all series of a step together, as the per-step reader wants them); the
 * block length is chosen so a node holds at most SWEEP_CELLS cells, or
 * SWEEP_MIN_STEPS steps when there are many series.
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/xalloc.h"
#include "4-promql/eval_internal.h"

/* Cells (series x steps) of one node's block, 13 bytes each: small
 * enough to stay in a core's cache between the sweep and the steps. */
#define SWEEP_CELLS ((size_t)1 << 16)
#define SWEEP_MAX_STEPS 256
/* But blocks of at least this many steps, however many series: each block
 * starts by reading every series' window again. */
#define SWEEP_MIN_STEPS 32

struct sweep {
	const struct promql_node *call;
	bool off;           /* not sweepable after all: per-step path */
	double arg, arg2;   /* the scalar arguments the block was made with */
	size_t nser;
	int64_t k0;         /* the block: steps k0 .. k0 + nk - 1 */
	size_t nk, kcap;
	double *val;        /* [step][series] */
	uint32_t *w;        /* window sizes (0: empty window) */
	uint8_t *ok;        /* whether func_range gave a value */
	/* Per series, the raw sample indices of the last window swept: the
	 * first with t >= first bound, the last with t <= last bound. */
	ptrdiff_t *lo, *hi;
	size_t *drops;      /* ... and the drops between their points */
	uint8_t *stale;     /* whether a staleness marker of the series was seen */
	int64_t last_k;     /* the step lo/hi belong to; -1 before any */
	struct lset *ols;   /* see struct ev_sweep_cells */
	uint8_t *made;
};

static bool is_stale(double v)
{
	uint64_t b;
	memcpy(&b, &v, sizeof(b));
	return b == 0x7FF0000000000002ULL;
}

static struct sweep *sweep_of(struct evaluator *ev, const struct promql_node *call)
{
	struct sweep *s;

	for (size_t i = 0; i < ev->nsweeps; i++)
		if (ev->sweeps[i]->call == call)
			return ev->sweeps[i];
	s = xcalloc(1, sizeof(*s));
	s->call = call;
	s->last_k = -1;
	ALLOC_GROW(ev->sweeps, ev->nsweeps + 1, ev->sweepcap);
	ev->sweeps[ev->nsweeps++] = s;
	return s;
}

void ev_sweep_release(struct evaluator *ev)
{
	for (size_t i = 0; i < ev->nsweeps; i++) {
		struct sweep *s = ev->sweeps[i];
		free(s->val);
		free(s->w);
		free(s->ok);
		free(s->lo);
		free(s->hi);
		free(s->drops);
		free(s->stale);
		free(s->ols);
		free(s->made);
		free(s);
	}
	free(ev->sweeps);
	ev->sweeps = NULL;
	ev->nsweeps = ev->sweepcap = 0;
}

/* A growable deque of points: p[head..tail) live, drops of them below
 * the point before (the pairs a counter-reset loop would add). */
struct pbuf {
	struct ev_point *p;
	size_t head, tail, cap;
	size_t drops;
};

/* pbuf_push()'s slow path: room for one more point at the tail. */
static void pbuf_grow(struct pbuf *b)
{
	size_t live = b->tail - b->head;

	if (b->head && live <= b->cap / 2) {
		memmove(b->p, b->p + b->head, live * sizeof(*b->p));
	} else {
		size_t nc = b->cap ? b->cap * 2 : 64;
		struct ev_point *np = xreallocarray(NULL, nc, sizeof(*np));
		if (live)
			memcpy(np, b->p + b->head, live * sizeof(*np));
		free(b->p);
		b->p = np;
		b->cap = nc;
	}
	b->head = 0;
	b->tail = live;
}

static inline void pbuf_push(struct pbuf *b, int64_t t, double v)
{
	if (b->tail == b->cap)
		pbuf_grow(b);
	if (b->tail > b->head && v < b->p[b->tail - 1].v)
		b->drops++;
	b->p[b->tail++] = (struct ev_point){ t, v };
}

/* Drops the oldest point. */
static inline void pbuf_pop(struct pbuf *b)
{
	if (b->tail - b->head >= 2 && b->p[b->head + 1].v < b->p[b->head].v)
		b->drops--;
	b->head++;
}

/*
 * sweep_block()'s loop for rate, increase and delta over a series with no
 * staleness marker: the window is the raw samples lo..hi themselves, so
 * no points are copied, and the count of drops between them carries over
 * from the last block with lo and hi.  Every sample is seen as it enters
 * a window; at a staleness marker this returns false with nothing of the
 * series' state changed, and the block is done again the buffered way
 * (the cells it wrote are written again).
 */
static bool sweep_rate_clean(const struct evaluator *ev, struct sweep *sw, size_t i, const struct promql_series *s,
			     enum promql_func_id id, const struct rate_fixed *rf, bool open, int64_t range, int64_t off,
			     bool cont)
{
	const int64_t *st = s->t;
	const double *sv = s->v;
	ptrdiff_t lo = cont ? sw->lo[i] : 0, hi = cont ? sw->hi[i] : -1, n = (ptrdiff_t)s->n;
	size_t drops = cont ? sw->drops[i] : 0, nser = sw->nser;
	struct rate_memo memo = { 0 };

	for (size_t k = 0; k < sw->nk; k++) {
		int64_t ts = ev->query_start + (sw->k0 + (int64_t)k) * ev->sweep_step;
		int64_t maxt = ts - off, mint = maxt - range, first, last;
		size_t cell = k * nser + i, w;

		ev_window_bounds(open, mint, maxt, &first, &last);
		while (hi + 1 < n && st[hi + 1] <= last) {
			hi++;
			if (is_stale(sv[hi]))
				return false;
			if (hi > lo && sv[hi] < sv[hi - 1])
				drops++;
		}
		while (lo <= hi && st[lo] < first) {
			if (lo < hi && sv[lo + 1] < sv[lo])
				drops--;
			lo++;
		}
		w = lo <= hi ? (size_t)(hi - lo + 1) : 0;
		sw->w[cell] = (uint32_t)w;
		sw->ok[cell] = w >= 2;
		sw->val[cell] = w >= 2 ? func_rate_cols_memo(id, st + lo, sv + lo, w, drops != 0, mint, maxt, rf, &memo)
				       : 0;
	}
	sw->lo[i] = lo;
	sw->hi[i] = hi;
	sw->drops[i] = drops;
	return true;
}

/*
 * Sweeps steps k0 .. k0 + nk - 1 for every series of the selection.  The
 * windows of step k: maxt = start + k*step - offset, bounds from
 * ev_window_bounds(); both only grow with k.
 */
static int sweep_block(struct evaluator *ev, struct sweep *sw, const struct promql_node *call,
		       const struct promql_node *mat, const struct sel_cache *sc)
{
	enum promql_func_id id = call->u.call.func->id;
	const struct promql_node *vs = mat->u.matrix.vs;
	int64_t range = mat->u.matrix.range_ms, off = vs->u.vector.offset_ms;
	struct range_ctx c = { .range_ms = range, .arg = sw->arg, .arg2 = sw->arg2, .compat = ev->compat };
	struct rate_fixed rf;
	bool open = compat_on(ev->compat, COMPAT_PROMQL_LEFT_OPEN);
	struct pbuf b = { 0 };
	bool bounds = func_range_uses_bounds(id);
	bool rate = id == PROMQL_FN_RATE || id == PROMQL_FN_INCREASE || id == PROMQL_FN_DELTA;
	size_t nser = sw->nser, nk = sw->nk;
	bool cont = sw->last_k >= 0 && sw->last_k < sw->k0;
	int rc = -1;

	func_rate_fixed(id, &c, &rf);
	for (size_t i = 0; i < nser; i++) {
		const struct promql_series *s = &sc->set.v[i];
		const int64_t *st = s->t;
		const double *sv = s->v;
		ptrdiff_t lo = cont ? sw->lo[i] : 0, hi = cont ? sw->hi[i] : -1, n = (ptrdiff_t)s->n;
		ptrdiff_t plo = -2, phi = -2; /* the last computed window */
		struct rate_prep rp;
		double pv = 0;
		int pr = 0;

		if (rate && !sw->stale[i]) {
			if (sweep_rate_clean(ev, sw, i, s, id, &rf, open, range, off, cont))
				continue;
			sw->stale[i] = 1;
		}
		b.head = b.tail = b.drops = 0;
		for (ptrdiff_t j = lo; j <= hi; j++)
			if (!is_stale(sv[j]))
				pbuf_push(&b, st[j], sv[j]);
		for (size_t k = 0; k < nk; k++) {
			int64_t ts = ev->query_start + (sw->k0 + (int64_t)k) * ev->sweep_step;
			int64_t maxt = ts - off, mint = maxt - range, first, last;
			size_t cell = k * nser + i, w;
			double v = 0;
			int r = 1;

			ev_window_bounds(open, mint, maxt, &first, &last);
			while (hi + 1 < n && st[hi + 1] <= last) {
				hi++;
				if (!is_stale(sv[hi]))
					pbuf_push(&b, st[hi], sv[hi]);
			}
			while (lo <= hi && st[lo] < first) {
				if (!is_stale(sv[lo]))
					pbuf_pop(&b);
				lo++;
			}
			w = b.tail - b.head;
			sw->w[cell] = (uint32_t)w;
			if (w && id != PROMQL_FN_ABSENT_OVER_TIME) {
				bool same = lo == plo && hi == phi; /* the same points as the last step */
				c.ts = ts;
				c.range_start = mint;
				c.range_end = maxt;
				if (same && !bounds) {
					v = pv; /* a function of the points alone */
					r = pr;
				} else if (rate) {
					/* the points' part once, the bounds' part per step */
					r = w >= 2;
					if (r && !same)
						func_rate_prep(id, b.p + b.head, w, b.drops != 0, &rp);
					if (r)
						v = func_rate_finish(&rp, &rf, mint, maxt);
				} else {
					r = func_range(id, b.p + b.head, w, &c, &v, ev->e);
					if (r < 0)
						goto done;
				}
				plo = lo;
				phi = hi;
				pv = v;
				pr = r;
			}
			sw->val[cell] = v;
			sw->ok[cell] = r == 1;
		}
		sw->lo[i] = lo;
		sw->hi[i] = hi;
	}
	sw->last_k = sw->k0 + (int64_t)nk - 1;
	rc = 0;
done:
	free(b.p);
	return rc;
}

/*
 * Whether call (a range function over matrix selector mat) may be swept at
 * ts: a top-level step of a range query (not inside a subquery), a
 * selector without `@` whose window arithmetic cannot wrap, and a function
 * whose per-window work cannot fail.
 */
static bool sweepable(const struct evaluator *ev, const struct promql_node *call, const struct promql_node *mat,
		      int64_t ts, int64_t *k)
{
	const struct promql_node *vs = mat->u.matrix.vs;
	int64_t span, d, lo, hi;

	if (!ev->sweep_step || ev->subq_depth || ev->no_sweep)
		return false;
	if (vs->u.vector.at.kind != PROMQL_AT_NONE || call->u.call.func->id == PROMQL_FN_HOLT_WINTERS)
		return false;
	/* 3.7's anchored and smoothed windows: the per-step path (eval_extended.c) */
	if (vs->u.vector.ext != PROMQL_EXT_NONE)
		return false;
	if (ts < ev->query_start || ts > ev->query_end || __builtin_sub_overflow(ts, ev->query_start, &d) ||
	    d % ev->sweep_step)
		return false;
	/* every window of the query computed without wrapping */
	if (__builtin_sub_overflow(ev->query_start, vs->u.vector.offset_ms, &lo) ||
	    __builtin_sub_overflow(lo, mat->u.matrix.range_ms, &lo) || lo == INT64_MIN ||
	    __builtin_sub_overflow(ev->query_end, vs->u.vector.offset_ms, &hi) ||
	    __builtin_sub_overflow(hi, lo, &span))
		return false;
	*k = d / ev->sweep_step;
	return true;
}

int ev_sweep_step(struct evaluator *ev, const struct promql_node *call, const struct promql_node *mat,
		  const struct sel_cache *sc, int64_t ts, double arg, double arg2, struct ev_sweep_cells *out)
{
	struct sweep *sw;
	int64_t k, nsteps;
	size_t nk;

	if (!sweepable(ev, call, mat, ts, &k))
		return 0;
	sw = sweep_of(ev, call);
	if (sw->off)
		return 0;
	if (sw->nk && (memcmp(&arg, &sw->arg, sizeof(arg)) || memcmp(&arg2, &sw->arg2, sizeof(arg2)))) {
		sw->off = true; /* arguments that change with the step */
		return 0;
	}
	if (!sw->nk || k < sw->k0 || k >= sw->k0 + (int64_t)sw->nk) {
		sw->nser = sc->set.n;
		sw->arg = arg;
		sw->arg2 = arg2;
		nsteps = (ev->query_end - ev->query_start) / ev->sweep_step + 1;
		nk = sw->nser ? SWEEP_CELLS / sw->nser : SWEEP_MAX_STEPS;
		if (nk > SWEEP_MAX_STEPS)
			nk = SWEEP_MAX_STEPS;
		if (nk < SWEEP_MIN_STEPS)
			nk = SWEEP_MIN_STEPS;
		if ((int64_t)nk > nsteps - k)
			nk = (size_t)(nsteps - k);
		if (!sw->lo) {
			sw->lo = xcalloc(sw->nser ? sw->nser : 1, sizeof(*sw->lo));
			sw->hi = xcalloc(sw->nser ? sw->nser : 1, sizeof(*sw->hi));
			sw->drops = xcalloc(sw->nser ? sw->nser : 1, sizeof(*sw->drops));
			sw->stale = xcalloc(sw->nser ? sw->nser : 1, sizeof(*sw->stale));
			sw->ols = xcalloc(sw->nser ? sw->nser : 1, sizeof(*sw->ols));
			sw->made = xcalloc(sw->nser ? sw->nser : 1, sizeof(*sw->made));
		}
		if (nk * (sw->nser ? sw->nser : 1) > sw->kcap) {
			sw->kcap = nk * (sw->nser ? sw->nser : 1);
			free(sw->val);
			free(sw->w);
			free(sw->ok);
			sw->val = xreallocarray(NULL, sw->kcap, sizeof(*sw->val));
			sw->w = xreallocarray(NULL, sw->kcap, sizeof(*sw->w));
			sw->ok = xreallocarray(NULL, sw->kcap, sizeof(*sw->ok));
		}
		sw->k0 = k;
		sw->nk = nk;
		if (sweep_block(ev, sw, call, mat, sc) < 0)
			return -1;
	}
	ev->swept++;
	out->val = sw->val + (size_t)(k - sw->k0) * sw->nser;
	out->w = sw->w + (size_t)(k - sw->k0) * sw->nser;
	out->ok = sw->ok + (size_t)(k - sw->k0) * sw->nser;
	out->ols = sw->ols;
	out->made = sw->made;
	return 1;
}
