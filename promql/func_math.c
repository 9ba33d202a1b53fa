/*
 * Element-wise PromQL functions (abs, ln, sin, ..., the date functions) and
 * the Go math semantics they rely on.
 *
 * Go's math.Max/Min propagate NaN and order -0 < +0, unlike C's fmax/fmin;
 * float64 -> int64 conversion of out-of-range values yields INT64_MIN on
 * amd64, which 2.42's date functions and topk/bottomk inherit.  The
 * transcendental functions are Go's (func_gomath.c), not libm's.
 */
#include <math.h>

#include "promql/eval_internal.h"

double go_max(double a, double b)
{
	if (isinf(a) && a > 0)
		return a;
	if (isinf(b) && b > 0)
		return b;
	if (isnan(a) || isnan(b))
		return NAN;
	if (a == 0 && a == b)
		return signbit(a) ? b : a;
	return a > b ? a : b;
}

double go_min(double a, double b)
{
	if (isinf(a) && a < 0)
		return a;
	if (isinf(b) && b < 0)
		return b;
	if (isnan(a) || isnan(b))
		return NAN;
	if (a == 0 && a == b)
		return signbit(a) ? a : b;
	return a < b ? a : b;
}

double go_mod(double x, double y)
{
	/* fmod is exact, so it agrees with Go's math.Mod including the
	 * special cases (NaN for x infinite or y zero, x for y infinite). */
	return fmod(x, y);
}

int64_t go_f2i(double v)
{
	if (isnan(v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)v;
}

void kahan_inc(double inc, double *sum, double *c)
{
	/* kahanSumInc of 2.42's functions.go (Neumaier's variant). */
	double t = *sum + inc;

	if (fabs(*sum) >= fabs(inc))
		*c += (*sum - t) + inc;
	else
		*c += (inc - t) + *sum;
	*sum = t;
}

static double f_rad(double v) { return v * M_PI / 180; }
static double f_deg(double v) { return v * 180 / M_PI; }
static double f_sgn(double v) { return v < 0 ? -1 : v > 0 ? 1 : v; }

/* X(id, C function) for the calls 2.42 implements with simpleFunc. */
#define UNARY_FUNCS(X)                                                         \
	X(ABS, fabs) X(CEIL, ceil) X(FLOOR, floor) X(EXP, go_exp) X(SQRT, sqrt) \
	X(LN, go_log) X(LOG2, go_log2) X(LOG10, go_log10) X(SIN, go_sin)        \
	X(COS, go_cos) X(TAN, go_tan) X(ASIN, go_asin) X(ACOS, go_acos)         \
	X(ATAN, go_atan) X(SINH, go_sinh) X(COSH, go_cosh) X(TANH, go_tanh)     \
	X(ASINH, asinh) X(ACOSH, acosh)                                         \
	X(ATANH, atanh) X(RAD, f_rad) X(DEG, f_deg) X(SGN, f_sgn)

unary_fn func_unary(enum promql_func_id id)
{
	switch (id) {
#define X(id, fn) case PROMQL_FN_##id: return fn;
	UNARY_FUNCS(X)
#undef X
	default:
		return NULL;
	}
}

bool func_is_date(enum promql_func_id id)
{
	switch (id) {
	case PROMQL_FN_DAYS_IN_MONTH: case PROMQL_FN_DAY_OF_MONTH:
	case PROMQL_FN_DAY_OF_WEEK: case PROMQL_FN_DAY_OF_YEAR:
	case PROMQL_FN_HOUR: case PROMQL_FN_MINUTE: case PROMQL_FN_MONTH:
	case PROMQL_FN_YEAR:
		return true;
	default:
		return false;
	}
}

/* Floor division for the calendar arithmetic. */
static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static bool leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* Proleptic Gregorian date of day number z (days since 1970-01-01);
 * Howard Hinnant's civil_from_days. */
static void civil(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floordiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

double func_date(enum promql_func_id id, double unix_seconds)
{
	/* time.Unix(int64(v), 0).UTC(): the value is truncated first. */
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t s = go_f2i(unix_seconds);
	int64_t days = floordiv(s, 86400), sod = s - days * 86400;
	int64_t y;
	int m, d, yday;

	civil(days, &y, &m, &d);
	yday = d;
	for (int i = 1; i < m; i++)
		yday += mdays[i - 1] + (i == 2 && leap(y));
	switch (id) {
	case PROMQL_FN_DAYS_IN_MONTH:
		return mdays[m - 1] + (m == 2 && leap(y));
	case PROMQL_FN_DAY_OF_MONTH:
		return d;
	case PROMQL_FN_DAY_OF_WEEK:
		/* 1970-01-01 was a Thursday (4). */
		return (double)(((days % 7) + 7 + 4) % 7);
	case PROMQL_FN_DAY_OF_YEAR:
		return yday;
	case PROMQL_FN_HOUR:
		return (double)(sod / 3600);
	case PROMQL_FN_MINUTE:
		return (double)(sod % 3600 / 60);
	case PROMQL_FN_MONTH:
		return m;
	case PROMQL_FN_YEAR:
		return (double)y;
	default:
		return NAN;
	}
}
