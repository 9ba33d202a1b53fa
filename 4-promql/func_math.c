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

#include "1-common/gofmt.h"
#include "4-promql/eval_func.h"

double go_max(double a, double b)
{
	if (isinf(a) && a > 0)
		return a;
	if (isinf(b) && b > 0)
		return b;
	if (isnan(a) || isnan(b))
		return go_nan();
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
		return go_nan();
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

void kahan_inc_at(const struct compat *cp, double inc, double *sum, double *c)
{
	/* 2.54's kahanSumInc: the compensation is dropped on an infinite sum */
	if (compat_on(cp, COMPAT_PROMQL_SUM_KAHAN) && isinf(*sum + inc)) {
		*sum += inc;
		*c = 0;
		return;
	}
	kahan_inc(inc, sum, c);
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
	X(ASINH, go_asinh) X(ACOSH, go_acosh) X(ATANH, go_atanh)                \
	X(RAD, f_rad) X(DEG, f_deg) X(SGN, f_sgn)

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

static bool leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/*
 * The calendar as Go's time package computes it from an "absolute" time:
 * seconds since January 1 of year -292277022399, as a uint64 that Unix
 * times wrap into (time.Unix(s, 0).UTC() of any int64 s, even the
 * INT64_MIN that a NaN converts to).  Years come from 400/100/4/1-year
 * cycles of that count, so even wrapped values give Go's answers.
 */
#define ABS_ZERO_YEAR (-292277022399LL)
#define UNIX_TO_ABS 9223372028715321600ULL
#define DAYS_400Y (365 * 400 + 97)
#define DAYS_100Y (365 * 100 + 24)
#define DAYS_4Y (365 * 4 + 1)

static void abs_date(uint64_t abs, int64_t *year, int *month, int *day, int *yday)
{
	static const int before[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365 };
	uint64_t d = abs / 86400, n, y;
	int dd, m, begin, end;

	n = d / DAYS_400Y;
	y = 400 * n;
	d -= DAYS_400Y * n;
	n = d / DAYS_100Y;
	n -= n >> 2;
	y += 100 * n;
	d -= DAYS_100Y * n;
	n = d / DAYS_4Y;
	y += 4 * n;
	d -= DAYS_4Y * n;
	n = d / 365;
	n -= n >> 2;
	y += n;
	d -= 365 * n;
	*year = (int64_t)y + ABS_ZERO_YEAR;
	*yday = (int)d;
	dd = (int)d;
	if (leap(*year)) {
		if (dd == 31 + 29 - 1) {
			*month = 2;
			*day = 29;
			return;
		}
		if (dd > 31 + 29 - 1)
			dd--;
	}
	m = dd / 31;
	end = before[m + 1];
	if (dd >= end) {
		m++;
		begin = end;
	} else {
		begin = before[m];
	}
	*month = m + 1;
	*day = dd - begin + 1;
}

double func_date(enum promql_func_id id, double unix_seconds)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	uint64_t abs = (uint64_t)go_f2i(unix_seconds) + UNIX_TO_ABS; /* wraps as Go's int64 sum */
	int64_t y;
	int m, d, yday;

	switch (id) {
	case PROMQL_FN_HOUR:
		return (double)(abs % 86400 / 3600);
	case PROMQL_FN_MINUTE:
		return (double)(abs % 3600 / 60);
	case PROMQL_FN_DAY_OF_WEEK:
		/* absWeekday: the absolute epoch is a Monday. */
		return (double)((abs + 86400) % (7 * 86400) / 86400);
	default:
		break;
	}
	abs_date(abs, &y, &m, &d, &yday);
	switch (id) {
	case PROMQL_FN_DAYS_IN_MONTH:
		return mdays[m - 1] + (m == 2 && leap(y));
	case PROMQL_FN_DAY_OF_MONTH:
		return d;
	case PROMQL_FN_DAY_OF_YEAR:
		return yday + 1;
	case PROMQL_FN_MONTH:
		return m;
	case PROMQL_FN_YEAR:
		return (double)y;
	default:
		return go_nan();
	}
}
