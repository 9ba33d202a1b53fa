/*
 * 3.7's extended range selectors (promql-extended-range-selectors): the
 * `anchored` and `smoothed` modifiers, evaluated as upstream's engine at
 * v3.14.0 does (promql/engine.go getTimeRangesForSelector, rangeEval's
 * Call case, smoothSeries, matrixSelector + extendFloats; functions.go
 * extendedRate, pickFirstSampleIndices, AnchoredSafeFunctions and
 * SmoothedSafeFunctions), with the float fixes of the releases between
 * gated on theirs (1-common/compat_gates.h).
 *
 *   anchored  a range window (ts - range, ts] also holds the newest sample
 *             at or before its start, within the lookback delta; rate,
 *             increase and delta take the difference of the samples at
 *             both ends (no extrapolation), changes and resets count from
 *             that sample on.
 *   smoothed  a range window reads the lookback delta on both sides and
 *             interpolates the values at its two bounds; rate, increase,
 *             delta take their difference.  An instant selector
 *             interpolates at the evaluation time between the samples
 *             around it (the last one carried forward).
 *
 * The selections are widened in eval_select.c (select_selector), the
 * windows there too (ev_range_arg); the sweep (eval_sweep.c) leaves these
 * selectors to the per-step path.  Native histograms are not read here
 * (their series are floats-only in our storage).
 */
#include <string.h>

#include "1-common/gotime.h"
#include "4-promql/eval_internal.h"

/* Go's sort.Search(n, f) over p[0..n) for "t > x" and "t >= x". */
static size_t search_after(const struct ev_point *p, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p[mid].t > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static size_t search_at_or_after(const struct ev_point *p, size_t n, int64_t x)
{
	return x == INT64_MIN ? 0 : search_after(p, n, x - 1);
}

/*
 * interpolate of functions.go: the line through p1 and p2 at t.  A counter
 * (counter) that went down restarts from 0 between them; before 3.10
 * (55193c3058) only at a left edge, a right edge added p1's value to p2's.
 */
static double interpolate(const struct compat *cp, struct ev_point p1, struct ev_point p2, int64_t t, bool counter,
			  bool left_edge)
{
	double y1 = p1.v, y2 = p2.v;

	if (counter && y2 < y1) {
		if (left_edge || compat_on(cp, COMPAT_PROMQL_SMOOTHED_RESET_ZERO))
			y1 = 0;
		else
			y2 += y1;
	}
	return y1 + (y2 - y1) * (double)(int64_t)((uint64_t)t - (uint64_t)p1.t) /
			    (double)(int64_t)((uint64_t)p2.t - (uint64_t)p1.t);
}

/* pickOrInterpolateLeft / pickOrInterpolateRight. */
static double pick_left(const struct compat *cp, const struct ev_point *p, size_t first, int64_t start, bool smoothed,
			bool counter)
{
	if (smoothed && p[first].t < start)
		return interpolate(cp, p[first], p[first + 1], start, counter, true);
	return p[first].v;
}

static double pick_right(const struct compat *cp, const struct ev_point *p, size_t last, int64_t end, bool smoothed,
			 bool counter)
{
	if (smoothed && last > 0 && p[last].t > end)
		return interpolate(cp, p[last - 1], p[last], end, counter, false);
	return p[last].v;
}

/*
 * The boundary samples of a window p[0..n) (n >= 1) for [start, end]:
 * first, the newest at or before start (else 0), and last, the newest
 * (smoothed: the first at or after end); false when nothing is after start.
 */
static bool bounds(const struct ev_point *p, size_t n, int64_t start, int64_t end, bool smoothed, size_t *first,
		   size_t *last)
{
	size_t f = search_after(p, n - 1, start), l = n - 1;

	*first = f ? f - 1 : 0;
	if (smoothed)
		l = search_at_or_after(p, n - 1, end);
	*last = l;
	return p[l].t > start;
}

/* extendedRate of functions.go for floats: rate, increase or delta. */
static int extended_rate(enum promql_func_id id, bool smoothed, const struct ev_point *p, size_t n,
			 const struct range_ctx *c, double *out)
{
	bool counter = id != PROMQL_FN_DELTA;
	size_t first, last;
	double left, right, res, prev;

	if (!bounds(p, n, c->range_start, c->range_end, smoothed, &first, &last))
		return 0;
	/* 3.12 (93ec767fed): nothing when all the data is after the range */
	if (smoothed && p[first].t > c->range_end && compat_on(c->compat, COMPAT_PROMQL_SMOOTHED_AFTER_EMPTY))
		return 0;
	left = pick_left(c->compat, p, first, c->range_start, smoothed, counter);
	right = pick_right(c->compat, p, last, c->range_end, smoothed, counter);
	res = right - left;
	if (counter) {
		/* correctForCounterResets over the samples strictly inside */
		ptrdiff_t a = (ptrdiff_t)first, b = (ptrdiff_t)last;
		double corr = 0;
		if (p[a].t <= c->range_start)
			a++;
		if (p[b].t >= c->range_end)
			b--;
		prev = left;
		for (ptrdiff_t i = a; i <= b; i++) {
			if (p[i].v < prev)
				corr += prev;
			prev = p[i].v;
		}
		if (right < prev)
			corr += prev;
		res += corr;
	}
	if (id == PROMQL_FN_RATE)
		res /= go_ms_seconds(c->range_ms); /* ms.Range.Seconds() */
	*out = res;
	return 1;
}

int func_range_extended(enum promql_func_id id, enum promql_ext ext, const struct ev_point *p, size_t n,
			const struct range_ctx *c, double *out, struct err *e)
{
	size_t first, last;
	struct range_ctx from;

	switch (id) {
	case PROMQL_FN_RATE:
	case PROMQL_FN_INCREASE:
	case PROMQL_FN_DELTA:
		return extended_rate(id, ext == PROMQL_EXT_SMOOTHED, p, n, c, out);
	case PROMQL_FN_CHANGES:
	case PROMQL_FN_RESETS:
		/* pickFirstSampleIndices: from the anchor on; 3.9 (554ea9ebfe):
		 * nothing without a sample after the range start */
		if (!bounds(p, n, c->range_start, c->range_end, false, &first, &last) &&
		    compat_on(c->compat, COMPAT_PROMQL_ANCHORED_EMPTY))
			return 0;
		/* start timestamps (3.12), if any, stay with their points */
		from = *c;
		if (from.st)
			from.st += first;
		return func_range(id, p + first, n - first, &from, out, e);
	default:
		/* ev_extended_check refused it */
		return err_set(e, "internal error: a range function checked for extended range selectors is not");
	}
}

/*
 * The Call case of rangeEval: a function whose range argument is anchored
 * or smoothed must be one of AnchoredSafeFunctions / SmoothedSafeFunctions
 * (their names sorted in the message); checked once its other arguments
 * are evaluated, as upstream.
 */
int ev_extended_check(struct evaluator *ev, const struct promql_node *call, const struct promql_node *arg)
{
	enum promql_func_id id = call->u.call.func->id;
	enum promql_ext ext;

	arg = ev_unwrap(arg);
	if (arg->kind != PROMQL_NODE_MATRIX || (ext = arg->u.matrix.vs->u.vector.ext) == PROMQL_EXT_NONE)
		return 0;
	if (id == PROMQL_FN_RATE || id == PROMQL_FN_INCREASE || id == PROMQL_FN_DELTA)
		return 0;
	if (ext == PROMQL_EXT_ANCHORED) {
		if (id == PROMQL_FN_CHANGES || id == PROMQL_FN_RESETS)
			return 0;
		return err_set(ev->e, "anchored modifier can only be used with: changes, delta, increase, rate, resets - not with %s",
			       call->u.call.func->name);
	}
	return err_set(ev->e, "smoothed modifier can only be used with: delta, increase, rate - not with %s",
		       call->u.call.func->name);
}

/*
 * extendFloats of engine.go: a matrix selector the query returns, anchored
 * or smoothed, holds the value at each bound (picked or interpolated) at
 * the bound's time and the samples strictly between.  Replaces s's points
 * (allocated in a); n = 0 when nothing is after mint.
 */
void ev_extend_points(struct arena *a, const struct compat *cp, enum promql_ext ext, int64_t mint, int64_t maxt,
		      struct ev_mseries *s)
{
	bool smoothed = ext == PROMQL_EXT_SMOOTHED;
	const struct ev_point *p = s->p;
	struct ev_point *q, right;
	size_t first, last, k = 0;
	ptrdiff_t b;

	if (!s->n)
		return;
	if (!bounds(p, s->n, mint, maxt, smoothed, &first, &last)) {
		s->n = 0;
		return;
	}
	q = arena_array(a, s->n + 2, sizeof(*q));
	q[k++] = (struct ev_point){ mint, pick_left(cp, p, first, mint, smoothed, false) };
	b = (ptrdiff_t)last;
	right = (struct ev_point){ maxt, pick_right(cp, p, last, maxt, smoothed, false) };
	if (p[first].t <= mint)
		first++;
	if (p[b].t >= maxt)
		b--;
	for (ptrdiff_t i = (ptrdiff_t)first; i <= b; i++)
		q[k++] = p[i];
	q[k++] = right;
	s->p = q;
	s->n = k;
	s->st = NULL; /* the bounds have none (upstream keeps none either) */
}

/* Index of the last sample of s with t <= ref, or -1. */
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
	uint64_t b;
	memcpy(&b, &v, sizeof(b));
	return b == 0x7FF0000000000002ULL;
}

/*
 * smoothSeries of engine.go for floats: per series, the samples in
 * (ref - lookback, ref + lookback], staleness markers left out; the one at
 * ref, else the line between those around ref, else the last before it
 * carried forward; stamped ts.
 */
int ev_smoothed_vector(struct evaluator *ev, const struct promql_node *vs, int64_t ref, int64_t ts,
		       struct ev_vector *out)
{
	struct sel_cache *sc = ev_selected(ev, vs);
	int64_t lo = (int64_t)((uint64_t)ref - (uint64_t)ev->lookback);
	int64_t hi = (int64_t)((uint64_t)ref + (uint64_t)ev->lookback);

	memset(out, 0, sizeof(*out));
	if (!sc)
		return err_set(ev->e, "internal error: selector not prepared");
	for (size_t i = 0; i < sc->set.n; i++) {
		const struct promql_series *s = &sc->set.v[i];
		struct lset ls = { s->labels, s->nlabels, sc->hash[i] };
		ptrdiff_t k = last_at_or_before(s, ref), j = k, prev = -1, next = -1;

		if (j >= 0 && s->t[j] == ref) {
			if (s->t[j] > lo && !is_stale(s->v[j])) {
				vec_push(&ev->arena, out, ls, s->v[j], ts);
				continue;
			}
			j--;
		}
		for (; j >= 0 && s->t[j] > lo; j--)
			if (!is_stale(s->v[j])) {
				prev = j;
				break;
			}
		for (size_t j = (size_t)(k + 1); j < s->n && s->t[j] <= hi; j++)
			if (!is_stale(s->v[j])) {
				next = (ptrdiff_t)j;
				break;
			}
		if (prev < 0)
			continue;
		if (next < 0) {
			vec_push(&ev->arena, out, ls, s->v[prev], ts);
			continue;
		}
		vec_push(&ev->arena, out, ls,
			 interpolate(ev->compat, (struct ev_point){ s->t[prev], s->v[prev] },
				     (struct ev_point){ s->t[next], s->v[next] }, ref, false, false),
			 ts);
	}
	return 0;
}
