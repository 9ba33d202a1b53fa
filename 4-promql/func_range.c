/*
 * Range-vector functions over the points of one series in one window, with
 * 2.42's algorithms and operation order (functions.go): the rate family's
 * extrapolation, Kahan-compensated sums and means, the linear regression of
 * deriv/predict_linear, holt_winters' double exponential smoothing.
 */
#include <math.h>

#include "1-common/gofmt.h"
#include "1-common/gotime.h"
#include "1-common/xalloc.h"
#include "4-promql/eval_func.h"

#include <stdlib.h>

/* t1 - t2 wrapping like Go's int64 (extreme `@` times). */
static int64_t tdiff(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

/*
 * extrapolatedRate of 2.42 for floats, in parts: what depends only on the
 * window's points (the increase with counter resets, the sampled
 * interval, its average, the extrapolation-to-zero limit), what depends
 * on the call alone, and the rest, which also depends on the window's
 * bounds.  A sweep whose window keeps its points over several steps
 * reuses the first part.  The sweep's raw samples of a series without
 * staleness markers go through func_rate_cols_memo() instead.
 */

void func_rate_prep(enum promql_func_id id, const struct ev_point *p, size_t n, bool resets, struct rate_prep *r)
{
	bool counter = id != PROMQL_FN_DELTA;
	double prev;

	r->result = p[n - 1].v - p[0].v;
	prev = p[0].v;
	if (counter && resets) {
		for (size_t i = 1; i < n; i++) {
			if (p[i].v < prev)
				r->result += prev;
			prev = p[i].v;
		}
	}
	r->t0 = p[0].t;
	r->tn = p[n - 1].t;
	r->sampled = (double)tdiff(p[n - 1].t, p[0].t) / 1000;
	r->avg = r->sampled / (double)(n - 1);
	r->zero_limit = counter && r->result > 0 && p[0].v >= 0;
	/* Do not extrapolate a counter below zero. */
	r->to_zero = r->zero_limit ? r->sampled * (p[0].v / r->result) : 0;
}

void func_rate_fixed(enum promql_func_id id, const struct range_ctx *c, struct rate_fixed *f)
{
	f->secs = id == PROMQL_FN_RATE ? go_ms_seconds(c->range_ms) : 1; /* ms.Range.Seconds() */
	f->rate = id == PROMQL_FN_RATE;
	/* 2.51 (#13725): the threshold replaces the start gap before the
	 * zero clamp limits it (2.42: clamp, then threshold). */
	f->threshold_first = compat_on(c->compat, COMPAT_PROMQL_RATE_THRESHOLD_FIRST);
}

/* The increase's extrapolation factor (divided by the range for rate),
 * once the start gap to_start has been through 2.51's rule and the zero
 * clamp: the sampled interval, each gap below the threshold added, else
 * half an average interval. */
static double extrap_factor(double sampled, double avg, double threshold, double to_start, double to_end,
			    const struct rate_fixed *f)
{
	double extrap = sampled, factor;

	extrap += to_start < threshold ? to_start : avg / 2;
	extrap += to_end < threshold ? to_end : avg / 2;
	factor = extrap / sampled;
	if (f->rate)
		factor /= f->secs;
	return factor;
}

double func_rate_finish(const struct rate_prep *r, const struct rate_fixed *f, int64_t range_start,
			int64_t range_end)
{
	double to_start = (double)tdiff(r->t0, range_start) / 1000;
	double to_end = (double)tdiff(range_end, r->tn) / 1000;
	double threshold = r->avg * 1.1;

	if (f->threshold_first && to_start >= threshold)
		to_start = r->avg / 2;
	if (r->zero_limit && r->to_zero < to_start)
		to_start = r->to_zero;
	return r->result * extrap_factor(r->sampled, r->avg, threshold, to_start, to_end, f);
}

double func_rate_cols_memo(enum promql_func_id id, const int64_t *t, const double *v, size_t n, bool resets,
			   int64_t range_start, int64_t range_end, const struct rate_fixed *f, struct rate_memo *m)
{
	bool counter = id != PROMQL_FN_DELTA;
	double result = v[n - 1] - v[0], v0 = v[0];
	int64_t ds = tdiff(t[0], range_start), de = tdiff(range_end, t[n - 1]), dt = tdiff(t[n - 1], t[0]);

	if (counter && resets)
		for (size_t i = 1; i < n; i++)
			if (v[i] < v[i - 1])
				result += v[i - 1];
	if (!m->valid || m->ds != ds || m->de != de || m->dt != dt || m->n != n) {
		m->ds = ds;
		m->de = de;
		m->dt = dt;
		m->n = n;
		m->sampled = (double)dt / 1000;
		m->avg = m->sampled / (double)(n - 1);
		m->threshold = m->avg * 1.1;
		m->to_start = (double)ds / 1000;
		m->to_end = (double)de / 1000;
		if (f->threshold_first && m->to_start >= m->threshold)
			m->to_start = m->avg / 2;
		m->factor = extrap_factor(m->sampled, m->avg, m->threshold, m->to_start, m->to_end, f);
		m->valid = true;
	}
	/* Do not extrapolate a counter below zero: the clamp applies when
	 * to_zero < to_start.  With v0 >= result > 0, v0 / result rounds to
	 * at least 1, so to_zero >= sampled: past to_start when sampled is. */
	if (counter && result > 0 && v0 >= 0 &&
	    !(v0 >= result && isfinite(result) && m->sampled > m->to_start)) {
		double to_zero = m->sampled * (v0 / result);
		if (to_zero < m->to_start)
			return result * extrap_factor(m->sampled, m->avg, m->threshold, to_zero, m->to_end, f);
	}
	return result * m->factor;
}

static int extrapolated_rate(enum promql_func_id id, const struct ev_point *p, size_t n,
			     const struct range_ctx *c, double *out)
{
	struct rate_prep r;
	struct rate_fixed f;

	if (n < 2)
		return 0;
	func_rate_prep(id, p, n, true, &r);
	func_rate_fixed(id, c, &f);
	*out = func_rate_finish(&r, &f, c->range_start, c->range_end);
	return 1;
}

/* instantValue of 2.42 (irate, idelta). */
static int instant_value(const struct ev_point *p, size_t n, bool is_rate, double *out)
{
	struct ev_point last, prev;
	double r;
	int64_t dt;

	if (n < 2)
		return 0;
	last = p[n - 1];
	prev = p[n - 2];
	if (is_rate && last.v < prev.v)
		r = last.v; /* counter reset */
	else
		r = last.v - prev.v;
	dt = tdiff(last.t, prev.t);
	if (dt == 0)
		return 0;
	if (is_rate)
		r /= (double)dt / 1000;
	*out = r;
	return 1;
}

static void linear_regression(const struct compat *cp, const struct ev_point *p, size_t n, int64_t icept_t,
			      double *slope, double *intercept)
{
	double cnt = 0, sx = 0, cx = 0, sy = 0, cy = 0, sxy = 0, cxy = 0, sx2 = 0, cx2 = 0;
	double init_y = p[0].v, cov, var;
	bool const_y = true;

	for (size_t i = 0; i < n; i++) {
		double x;
		if (const_y && i > 0 && p[i].v != init_y)
			const_y = false;
		cnt += 1.0;
		x = (double)tdiff(p[i].t, icept_t) / 1e3;
		kahan_inc_at(cp, x, &sx, &cx);
		kahan_inc_at(cp, p[i].v, &sy, &cy);
		kahan_inc_at(cp, x * p[i].v, &sxy, &cxy);
		kahan_inc_at(cp, x * x, &sx2, &cx2);
	}
	if (const_y) {
		if (isinf(init_y)) {
			*slope = *intercept = go_nan();
			return;
		}
		*slope = 0;
		*intercept = init_y;
		return;
	}
	sx += cx;
	sy += cy;
	sxy += cxy;
	sx2 += cx2;
	cov = sxy - sx * sy / cnt;
	var = sx2 - sx * sx / cnt;
	*slope = cov / var;
	*intercept = sy / cnt - *slope * sx / cnt;
}

static double trend_value(int i, double tf, double s0, double s1, double b)
{
	if (i == 0)
		return b;
	return tf * (s1 - s0) + (1 - tf) * b;
}

static int holt_winters(const struct ev_point *p, size_t n, double sf, double tf,
			double *out, struct err *e)
{
	double s0 = 0, s1, b;

	if (sf <= 0 || sf >= 1)
		return err_set(e, "invalid smoothing factor. Expected: 0 < sf < 1, got: %f", sf);
	if (tf <= 0 || tf >= 1)
		return err_set(e, "invalid trend factor. Expected: 0 < tf < 1, got: %f", tf);
	if (n < 2)
		return 0;
	s1 = p[0].v;
	b = p[1].v - p[0].v;
	for (size_t i = 1; i < n; i++) {
		double x = sf * p[i].v, y;
		b = trend_value((int)i - 1, tf, s0, s1, b);
		y = (1 - sf) * (s1 + b);
		s0 = s1;
		s1 = x + y;
	}
	*out = s1;
	return 1;
}

/*
 * avg_over_time from 2.55 (#14413): a Kahan sum while it stays finite, then
 * the incremental mean; 3.5 (#16569, #16773) scales that mean by (n-1)/n
 * and divides sum and compensation separately.
 */
static double avg_over_time_kahan(const struct compat *cp, const struct ev_point *p, size_t n)
{
	bool v3_5 = compat_on(cp, COMPAT_PROMQL_AVG_OVER_TIME_KAHAN), incr = false;
	double sum = 0, mean = 0, count = 0, c = 0;

	for (size_t i = 0; i < n; i++) {
		double v = p[i].v;
		count++;
		if (!incr) {
			double ns = sum, nc = c;
			kahan_inc_at(cp, v, &ns, &nc);
			if (count == 1 || !isinf(ns)) {
				sum = ns;
				c = nc;
				continue;
			}
			incr = true;
			mean = sum / (count - 1);
			c /= count - 1;
		}
		if (v3_5) {
			double q = (count - 1) / count;
			mean *= q;
			c *= q;
			kahan_inc_at(cp, v / count, &mean, &c);
			continue;
		}
		if (isinf(mean)) {
			if (isinf(v) && (mean > 0) == (v > 0))
				continue;
			if (!isinf(v) && !isnan(v))
				continue;
		}
		kahan_inc_at(cp, v / count - (mean + c) / count, &mean, &c);
	}
	if (incr)
		return mean + c;
	return v3_5 ? sum / count + c / count : (sum + c) / count;
}

static double avg_over_time(const struct compat *cp, const struct ev_point *p, size_t n)
{
	double mean = 0, count = 0, c = 0;

	if (compat_on(cp, COMPAT_PROMQL_AVG_KAHAN))
		return avg_over_time_kahan(cp, p, n);
	for (size_t i = 0; i < n; i++) {
		double v = p[i].v;
		count++;
		if (isinf(mean)) {
			if (isinf(v) && (mean > 0) == (v > 0))
				continue;
			if (!isinf(v) && !isnan(v))
				continue;
		}
		kahan_inc_at(cp, v / count - mean / count, &mean, &c);
	}
	return isinf(mean) ? mean : mean + c;
}

static double std_over_time(const struct compat *cp, const struct ev_point *p, size_t n, bool dev)
{
	double count = 0, mean = 0, cmean = 0, aux = 0, caux = 0;

	for (size_t i = 0; i < n; i++) {
		double delta;
		count++;
		delta = p[i].v - (mean + cmean);
		kahan_inc_at(cp, delta / count, &mean, &cmean);
		kahan_inc_at(cp, delta * (p[i].v - (mean + cmean)), &aux, &caux);
	}
	return dev ? sqrt((aux + caux) / count) : (aux + caux) / count;
}

/* funcMadOverTime of 2.49: the median of the distances to the median; NaN
 * if any value is. */
static double mad_over_time(const struct ev_point *p, size_t n)
{
	double *vals = xmalloc(n * sizeof(*vals)), med, r;

	for (size_t i = 0; i < n; i++) {
		if (isnan(p[i].v)) {
			free(vals);
			return go_nan();
		}
		vals[i] = p[i].v;
	}
	med = func_quantile(0.5, vals, n);
	for (size_t i = 0; i < n; i++)
		vals[i] = fabs(vals[i] - med);
	r = func_quantile(0.5, vals, n);
	free(vals);
	return r;
}

bool func_range_uses_bounds(enum promql_func_id id)
{
	switch (id) {
	case PROMQL_FN_RATE: case PROMQL_FN_INCREASE: case PROMQL_FN_DELTA:
	case PROMQL_FN_PREDICT_LINEAR: case PROMQL_FN_HOLT_WINTERS:
	case PROMQL_FN_DOUBLE_EXPONENTIAL_SMOOTHING:
		return true;
	default:
		return false;
	}
}

bool func_is_range(enum promql_func_id id)
{
	switch (id) {
	case PROMQL_FN_RATE: case PROMQL_FN_INCREASE: case PROMQL_FN_DELTA:
	case PROMQL_FN_IRATE: case PROMQL_FN_IDELTA: case PROMQL_FN_DERIV:
	case PROMQL_FN_PREDICT_LINEAR: case PROMQL_FN_HOLT_WINTERS:
	case PROMQL_FN_RESETS: case PROMQL_FN_CHANGES:
	case PROMQL_FN_AVG_OVER_TIME: case PROMQL_FN_COUNT_OVER_TIME:
	case PROMQL_FN_LAST_OVER_TIME: case PROMQL_FN_MAX_OVER_TIME:
	case PROMQL_FN_MIN_OVER_TIME: case PROMQL_FN_SUM_OVER_TIME:
	case PROMQL_FN_QUANTILE_OVER_TIME: case PROMQL_FN_STDDEV_OVER_TIME:
	case PROMQL_FN_STDVAR_OVER_TIME: case PROMQL_FN_PRESENT_OVER_TIME:
	case PROMQL_FN_ABSENT_OVER_TIME:
	/* later releases (functions.h PROMQL_FUNCTIONS_LATER) */
	case PROMQL_FN_MAD_OVER_TIME: case PROMQL_FN_DOUBLE_EXPONENTIAL_SMOOTHING:
	case PROMQL_FN_TS_OF_LAST_OVER_TIME: case PROMQL_FN_TS_OF_MAX_OVER_TIME:
	case PROMQL_FN_TS_OF_MIN_OVER_TIME: case PROMQL_FN_FIRST_OVER_TIME:
	case PROMQL_FN_TS_OF_FIRST_OVER_TIME:
		return true;
	default:
		return false;
	}
}

int func_range(enum promql_func_id id, const struct ev_point *p, size_t n,
	       const struct range_ctx *c, double *out, struct err *e)
{
	double v, slope, icept;

	if (c->st && func_uses_st(id))
		return func_range_st(id, p, c->st, n, c, out);
	switch (id) {
	case PROMQL_FN_RATE:
	case PROMQL_FN_INCREASE:
	case PROMQL_FN_DELTA:
		return extrapolated_rate(id, p, n, c, out);
	case PROMQL_FN_IRATE:
		return instant_value(p, n, true, out);
	case PROMQL_FN_IDELTA:
		return instant_value(p, n, false, out);
	case PROMQL_FN_DERIV:
		if (n < 2)
			return 0;
		/* Intercept at the first sample's time, for accuracy. */
		linear_regression(c->compat, p, n, p[0].t, &slope, &icept);
		*out = slope;
		return 1;
	case PROMQL_FN_PREDICT_LINEAR:
		if (n < 2)
			return 0;
		linear_regression(c->compat, p, n, c->ts, &slope, &icept);
		*out = slope * c->arg + icept;
		return 1;
	case PROMQL_FN_HOLT_WINTERS:
	case PROMQL_FN_DOUBLE_EXPONENTIAL_SMOOTHING: /* 3.0's new name, same maths */
		return holt_winters(p, n, c->arg, c->arg2, out, e);
	case PROMQL_FN_MAD_OVER_TIME:
		*out = mad_over_time(p, n);
		return 1;
	case PROMQL_FN_FIRST_OVER_TIME:
		*out = p[0].v;
		return 1;
	case PROMQL_FN_TS_OF_FIRST_OVER_TIME:
		*out = (double)p[0].t / 1000;
		return 1;
	case PROMQL_FN_TS_OF_LAST_OVER_TIME:
		*out = (double)p[n - 1].t / 1000;
		return 1;
	case PROMQL_FN_TS_OF_MAX_OVER_TIME:
	case PROMQL_FN_TS_OF_MIN_OVER_TIME: {
		/* compareOverTime of 3.5: the last of equal extremes wins */
		double best = p[0].v;
		int64_t bt = p[0].t;
		for (size_t i = 0; i < n; i++) {
			bool take = id == PROMQL_FN_TS_OF_MAX_OVER_TIME ? p[i].v >= best : p[i].v <= best;
			if (take || isnan(best)) {
				best = p[i].v;
				bt = p[i].t;
			}
		}
		*out = (double)bt / 1000;
		return 1;
	}
	case PROMQL_FN_RESETS:
	case PROMQL_FN_CHANGES: {
		int k = 0;
		double prev = p[0].v;
		for (size_t i = 1; i < n; i++) {
			double cur = p[i].v;
			if (id == PROMQL_FN_RESETS ? cur < prev : (cur != prev && !(isnan(cur) && isnan(prev))))
				k++;
			prev = cur;
		}
		*out = k;
		return 1;
	}
	case PROMQL_FN_AVG_OVER_TIME:
		*out = avg_over_time(c->compat, p, n);
		return 1;
	case PROMQL_FN_COUNT_OVER_TIME:
		*out = (double)n;
		return 1;
	case PROMQL_FN_LAST_OVER_TIME:
		*out = p[n - 1].v;
		return 1;
	case PROMQL_FN_MAX_OVER_TIME:
	case PROMQL_FN_MIN_OVER_TIME:
		v = p[0].v;
		for (size_t i = 0; i < n; i++) {
			bool better = id == PROMQL_FN_MAX_OVER_TIME ? p[i].v > v : p[i].v < v;
			if (better || isnan(v))
				v = p[i].v;
		}
		*out = v;
		return 1;
	case PROMQL_FN_SUM_OVER_TIME: {
		double sum = 0, comp = 0;
		for (size_t i = 0; i < n; i++)
			kahan_inc_at(c->compat, p[i].v, &sum, &comp);
		*out = isinf(sum) ? sum : sum + comp;
		return 1;
	}
	case PROMQL_FN_QUANTILE_OVER_TIME: {
		double *vals = xmalloc(n * sizeof(*vals));
		for (size_t i = 0; i < n; i++)
			vals[i] = p[i].v;
		*out = func_quantile(c->arg, vals, n);
		free(vals);
		return 1;
	}
	case PROMQL_FN_STDDEV_OVER_TIME:
		*out = std_over_time(c->compat, p, n, true);
		return 1;
	case PROMQL_FN_STDVAR_OVER_TIME:
		*out = std_over_time(c->compat, p, n, false);
		return 1;
	case PROMQL_FN_PRESENT_OVER_TIME:
	case PROMQL_FN_ABSENT_OVER_TIME:
		*out = 1;
		return 1;
	default:
		return err_set(e, "function is not a range-vector function");
	}
}
