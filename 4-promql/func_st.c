/*
 * rate, increase, irate and resets over windows whose samples carry start
 * timestamps (ST): 3.12's use-start-timestamps (promql/functions.go
 * extrapolatedRate, instantValue, funcResets, isStartTimestampReset at
 * v3.12.0 and v3.14.0; the engine hands them the STs of a matrix
 * selector's window, never a subquery's).  An ST of 0 means none.
 *
 * 3.12 (gate PROMQL_START_TIMESTAMPS): a sample whose ST lies after the
 * previous sample's time is a counter reset, and so is one whose ST is
 * that time when the previous sample's ST is known (a delta).  3.14
 * (PROMQL_START_TIMESTAMP_ZERO): an ST equal to its own sample's time is
 * OTel's unknown start, as is a previous ST equal to its own time, neither
 * a reset; and rate/increase take the first sample's ST, when inside the
 * window, as a zero sample there instead of extrapolating to the left (one
 * sample then suffices).  The overlap warnings of 3.14 are annotations,
 * raised by eval_annot.c (ev_annot_st_overlap).
 */
#include "1-common/gotime.h"
#include "4-promql/eval_func.h"

static int64_t tdiff(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

bool func_uses_st(enum promql_func_id id)
{
	return id == PROMQL_FN_RATE || id == PROMQL_FN_INCREASE || id == PROMQL_FN_IRATE || id == PROMQL_FN_RESETS;
}

/* isStartTimestampReset. */
static bool st_reset(const struct compat *cp, int64_t prev_st, int64_t prev_t, int64_t cur_st, int64_t cur_t)
{
	bool v314 = compat_on(cp, COMPAT_PROMQL_START_TIMESTAMP_ZERO);

	if (cur_st == 0 || cur_st > cur_t || (v314 && cur_st == cur_t))
		return false;
	if (cur_st < prev_t)
		return false;
	if (cur_st > prev_t)
		return true;
	/* the ST points at the previous sample: a delta if that one's ST is
	 * known, a cumulative series of unknown start if not */
	if (prev_st > prev_t)
		return false;
	return prev_st != 0 && (!v314 || prev_st != prev_t);
}

/* extrapolatedRate for floats, counters (rate, increase). */
static int rate_st(enum promql_func_id id, const struct ev_point *p, const int64_t *st, size_t n,
		   const struct range_ctx *c, double *out)
{
	bool v314 = compat_on(c->compat, COMPAT_PROMQL_START_TIMESTAMP_ZERO);
	double result, to_start, to_end, sampled, avg = 0, threshold, factor = 1;

	if (n == 0 || (n < 2 && !v314))
		return 0;
	result = p[n - 1].v - p[0].v;
	for (size_t i = 1; i < n; i++)
		if (p[i].v < p[i - 1].v || st_reset(c->compat, st[i - 1], p[i - 1].t, st[i], p[i].t))
			result += p[i - 1].v;
	to_start = (double)tdiff(p[0].t, c->range_start) / 1000;
	to_end = (double)tdiff(c->range_end, p[n - 1].t) / 1000;
	sampled = (double)tdiff(p[n - 1].t, p[0].t) / 1000;
	if (n > 1)
		avg = sampled / (double)(n - 1);
	threshold = avg * 1.1;
	if (v314 && st[0] != 0 && st[0] > c->range_start && st[0] < p[0].t) {
		/* a zero sample at the ST (the window is open at its start) */
		to_start = 0;
		sampled = (double)tdiff(p[n - 1].t, st[0]) / 1000;
		result += p[0].v;
	} else if (n < 2) {
		return 0;
	} else {
		double to_zero;
		if (to_start >= threshold)
			to_start = avg / 2;
		to_zero = to_start;
		if (result > 0 && p[0].v >= 0)
			to_zero = sampled * (p[0].v / result);
		if (to_zero < to_start)
			to_start = to_zero;
	}
	if (to_end >= threshold)
		to_end = avg / 2;
	if (sampled != 0)
		factor = (sampled + to_start + to_end) / sampled;
	if (id == PROMQL_FN_RATE)
		factor /= go_ms_seconds(c->range_ms); /* ms.Range.Seconds() */
	*out = result * factor;
	return 1;
}

/* instantValue, irate. */
static int irate_st(const struct ev_point *p, const int64_t *st, size_t n, const struct range_ctx *c, double *out)
{
	const struct ev_point *a, *b;
	int64_t dt;
	double r;

	if (n < 2)
		return 0;
	a = &p[n - 2];
	b = &p[n - 1];
	dt = tdiff(b->t, a->t);
	if (dt == 0)
		return 0;
	r = b->v;
	if (!(b->v < a->v || st_reset(c->compat, st[n - 2], a->t, st[n - 1], b->t)))
		r = b->v - a->v;
	*out = r / ((double)dt / 1000);
	return 1;
}

int func_range_st(enum promql_func_id id, const struct ev_point *p, const int64_t *st, size_t n,
		  const struct range_ctx *c, double *out)
{
	int k = 0;

	switch (id) {
	case PROMQL_FN_RATE:
	case PROMQL_FN_INCREASE:
		return rate_st(id, p, st, n, c, out);
	case PROMQL_FN_IRATE:
		return irate_st(p, st, n, c, out);
	default: /* resets */
		for (size_t i = 1; i < n; i++)
			if (p[i].v < p[i - 1].v || st_reset(c->compat, st[i - 1], p[i - 1].t, st[i], p[i].t))
				k++;
		*out = k;
		return n > 0;
	}
}
