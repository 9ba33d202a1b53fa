/*
 * The function-implementation interface: what eval_call.c uses from the
 * func_*.c files (Go-exact math, date functions, sorting and quantiles,
 * range-vector functions).  Internal to 4-promql.  Nothing here allocates
 * except where a function says so; inputs stay the caller's.
 */
#ifndef PROMQL_EVAL_FUNC_H
#define PROMQL_EVAL_FUNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/compat.h"
#include "1-common/err.h"
#include "4-promql/eval_values.h"
#include "4-promql/functions.h"

/* ---- numeric helpers with Go's semantics (func_math.c) ---- */
double go_max(double a, double b); /* math.Max */
double go_min(double a, double b); /* math.Min */
double go_mod(double x, double y);
/* Go 1.19's math functions on amd64, bit for bit (func_gomath.c). */
double go_exp(double x);
double go_log(double x);
double go_log2(double x);
double go_log10(double x);
double go_pow(double x, double y);
double go_sin(double x);
double go_cos(double x);
double go_tan(double x);
double go_asin(double x);
double go_acos(double x);
double go_atan(double x);
double go_atan2(double y, double x);
double go_sinh(double x);
double go_cosh(double x);
double go_tanh(double x);
double go_asinh(double x);
double go_acosh(double x);
double go_atanh(double x);
/* Go's float64 -> int64 conversion on amd64 (CVTTSD2SQ). */
int64_t go_f2i(double v);
void kahan_inc(double inc, double *sum, double *c);
/* kahanSumInc of the release cp (2.54 sets c to 0 when the sum is infinite). */
void kahan_inc_at(const struct compat *cp, double inc, double *sum, double *c);
/* The unary function of math-style calls (abs, ln, ...), or NULL. */
typedef double (*unary_fn)(double);
unary_fn func_unary(enum promql_func_id id);
/* Date functions on a Unix time in seconds; id one of DAYS_IN_MONTH .. YEAR. */
double func_date(enum promql_func_id id, double unix_seconds);
bool func_is_date(enum promql_func_id id);

/* ---- sorting with Go's sort.Sort order on small inputs (func_quantile.c) ---- */
/* Vector sort by value as funcSort (desc=false) / funcSortDesc. */
void sort_vector_by_value(struct ev_sample *v, size_t n, bool desc);
/* quantile() of quantile.go over values (reordered in place). */
double func_quantile(double q, double *values, size_t n);
struct bucket {
	double upper;
	double count;
};
/* bucketQuantile of quantile.go; buckets reordered in place.  small_deltas:
 * 2.49's ensureMonotonicAndIgnoreSmallDeltas (else 2.42's ensureMonotonic). */
double func_bucket_quantile(double q, struct bucket *b, size_t n, bool small_deltas);
/* ... and *forced (when forced is not NULL): whether a count had to be
 * raised to make the buckets monotonic (BucketQuantile's forcedMonotonic). */
double func_bucket_quantile_forced(double q, struct bucket *b, size_t n, bool small_deltas, bool *forced);
/* BucketFraction of 3.4's quantile.go (histogram_fraction on classic
 * buckets); buckets reordered in place. */
double func_bucket_fraction(double lower, double upper, struct bucket *b, size_t n, bool zero_base);

/* ---- range-vector functions (func_range.c) ---- */
struct range_ctx {
	int64_t ts;          /* evaluation time (enh.Ts) */
	int64_t range_start; /* window start, for extrapolation */
	int64_t range_end;
	int64_t range_ms;    /* the selector's range */
	double arg;          /* the scalar argument, if any */
	double arg2;
	const struct compat *compat; /* whose arithmetic; NULL: 2.42.0 */
	/* The points' start timestamps (0: none), or NULL (see func_st.c). */
	const int64_t *st;
};
/*
 * Computes function id over points p[0..n) (n >= 1).  Returns 1 with *out
 * set, 0 when the function yields no sample, -1 with e set on error
 * (holt_winters' factor checks).
 */
int func_range(enum promql_func_id id, const struct ev_point *p, size_t n,
	       const struct range_ctx *c, double *out, struct err *e);
bool func_is_range(enum promql_func_id id);
/*
 * rate, increase, irate and resets over points p[0..n) with their start
 * timestamps st[0..n) (3.12's use-start-timestamps, func_st.c); the
 * others 0 means "not one of them": func_range() then goes on.  Returns
 * 1 with *out set, 0 for no sample, as func_range().
 */
bool func_uses_st(enum promql_func_id id);
int func_range_st(enum promql_func_id id, const struct ev_point *p, const int64_t *st, size_t n,
		  const struct range_ctx *c, double *out);
/* Whether function id's value depends on more than the window's points
 * (its bounds or the evaluation time): others give the same value for
 * the same points. */
bool func_range_uses_bounds(enum promql_func_id id);
/*
 * rate, increase and delta (2.42's extrapolatedRate) in three parts:
 * func_rate_prep() over the window's points p[0..n), n >= 2;
 * func_rate_fixed(), what depends on the call alone (once per query);
 * func_rate_finish() with the window's bounds.  Together exactly what
 * func_range() computes for them.  resets false says the caller knows no
 * point of p is below the one before (no counter reset to add): the same
 * result without the loop that looks for them.
 */
struct rate_prep {
	double result, sampled, avg, to_zero;
	int64_t t0, tn;
	bool zero_limit;
};
struct rate_fixed {
	double secs;          /* rate: the range's Seconds() */
	bool rate;            /* rate (divided by secs), not increase or delta */
	bool threshold_first; /* 2.51's order of the start-gap rules */
};
void func_rate_prep(enum promql_func_id id, const struct ev_point *p, size_t n, bool resets, struct rate_prep *r);
void func_rate_fixed(enum promql_func_id id, const struct range_ctx *c, struct rate_fixed *f);
/*
 * The sweep's rate, increase or delta over columns t[0..n), v[0..n)
 * (n >= 2) in [range_start, range_end], the same value as prep and
 * finish give.  What depends on the window's times alone is kept in m and
 * used again while the next window's times have the same offsets (regular
 * scrapes: every step), so such a window costs no division.  m starts
 * zeroed (not valid).
 */
struct rate_memo {
	bool valid;
	int64_t ds, de, dt; /* first - start, end - last, last - first */
	size_t n;
	double sampled, avg, threshold, to_start, to_end, factor;
};
double func_rate_cols_memo(enum promql_func_id id, const int64_t *t, const double *v, size_t n, bool resets,
			   int64_t range_start, int64_t range_end, const struct rate_fixed *f, struct rate_memo *m);
double func_rate_finish(const struct rate_prep *r, const struct rate_fixed *f, int64_t range_start,
			int64_t range_end);

#endif
