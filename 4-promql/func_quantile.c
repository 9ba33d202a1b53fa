/*
 * Orderings and quantiles: sort()/sort_desc(), quantile() and
 * quantile_over_time(), histogram_quantile()'s bucketQuantile (2.42's
 * quantile.go).
 *
 * Go's sort.Sort is pdqsort, which sorts up to 12 elements by insertion
 * sort; go_sort() does exactly that for small inputs (so ties keep the
 * order Go leaves them in) and a stable merge sort beyond, which agrees
 * with Go whenever the order is total.  The Less functions below are the
 * ones 2.42 passes, NaN handling included.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "4-promql/eval_func.h"

typedef bool (*less_fn)(const void *a, const void *b);

static void swap_elems(char *a, char *b, size_t size)
{
	char tmp[64];

	while (size) {
		size_t k = size < sizeof(tmp) ? size : sizeof(tmp);
		memcpy(tmp, a, k);
		memcpy(a, b, k);
		memcpy(b, tmp, k);
		a += k, b += k, size -= k;
	}
}

static void merge_sort(char *v, char *tmp, size_t n, size_t size, less_fn less)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	merge_sort(v, tmp, h, size, less);
	merge_sort(v + h * size, tmp, n - h, size, less);
	while (i < h && j < n) {
		if (less(v + j * size, v + i * size))
			memcpy(tmp + k++ * size, v + j++ * size, size);
		else
			memcpy(tmp + k++ * size, v + i++ * size, size);
	}
	while (i < h)
		memcpy(tmp + k++ * size, v + i++ * size, size);
	while (j < n)
		memcpy(tmp + k++ * size, v + j++ * size, size);
	memcpy(v, tmp, n * size);
}

static void go_sort(void *base, size_t n, size_t size, less_fn less)
{
	char *v = base;

	if (n <= 12) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0 && less(v + j * size, v + (j - 1) * size); j--)
				swap_elems(v + j * size, v + (j - 1) * size, size);
		return;
	}
	{
		char *tmp = xmalloc(n * size);
		merge_sort(v, tmp, n, size, less);
		free(tmp);
	}
}

/* sort(): sort.Reverse(vectorByReverseValueHeap), so Less(i, j) is the
 * heap's Less(j, i). */
static bool less_sort_asc(const void *a, const void *b)
{
	const struct ev_sample *x = a, *y = b;
	return isnan(y->v) || y->v > x->v;
}

static bool less_sort_desc(const void *a, const void *b)
{
	const struct ev_sample *x = a, *y = b;
	return isnan(y->v) || y->v < x->v;
}

void sort_vector_by_value(struct ev_sample *v, size_t n, bool desc)
{
	go_sort(v, n, sizeof(*v), desc ? less_sort_desc : less_sort_asc);
}

/* vectorByValueHeap.Less. */
static bool less_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return isnan(x) || x < y;
}

double func_quantile(double q, double *values, size_t n)
{
	double fn, rank, lo, hi, w;

	if (n == 0 || isnan(q))
		return go_nan();
	if (q < 0)
		return -INFINITY;
	if (q > 1)
		return INFINITY;
	go_sort(values, n, sizeof(*values), less_value);
	fn = (double)n;
	rank = q * (fn - 1);
	lo = go_max(0, floor(rank));
	hi = go_min(fn - 1, lo + 1);
	w = rank - floor(rank);
	return values[(size_t)lo] * (1 - w) + values[(size_t)hi] * w;
}

static bool less_bucket(const void *a, const void *b)
{
	return ((const struct bucket *)a)->upper < ((const struct bucket *)b)->upper;
}

/* almostEqual of 2.49's promql package (test.go), used by quantile.go. */
static bool almost_equal(double a, double b, double eps)
{
	const double min_normal = 2.2250738585072014e-308; /* 0x0010000000000000 */
	double abs_sum, diff;

	if (isnan(a) && isnan(b))
		return true;
	if (a == b)
		return true;
	abs_sum = fabs(a) + fabs(b);
	diff = fabs(a - b);
	if (a == 0 || b == 0 || abs_sum < min_normal)
		return diff < eps * min_normal;
	return diff / (abs_sum < DBL_MAX ? abs_sum : DBL_MAX) < eps;
}

/*
 * ensureMonotonicAndIgnoreSmallDeltas of 2.49 (#13153): a count within
 * 1e-12 (relative) of the last kept one takes its value, a smaller one is
 * raised to it, and only a larger one becomes the new reference.
 */
static bool monotonic_small_deltas(struct bucket *b, size_t n)
{
	double prev = b[0].count;
	bool forced = false;

	for (size_t i = 1; i < n; i++) {
		double cur = b[i].count;
		if (cur == prev)
			continue;
		if (almost_equal(prev, cur, 1e-12) || cur < prev) {
			/* only a decrease beyond the tolerance is "forced" */
			forced |= !almost_equal(prev, cur, 1e-12);
			b[i].count = prev;
			continue;
		}
		prev = cur;
	}
	return forced;
}

/*
 * The buckets sorted by bound as Go sorts them, then coalesceBuckets;
 * returns how many are left, or 0 when the last bound is not +Inf.
 */
static size_t sort_coalesce(struct bucket *b, size_t n)
{
	size_t i, k;

	if (n <= 12) {
		/* go_sort()'s insertion sort with less_bucket, inlined: the same
		 * comparisons and swaps, so the same order (ties included). */
		for (i = 1; i < n; i++)
			for (k = i; k > 0 && b[k].upper < b[k - 1].upper; k--) {
				struct bucket t = b[k];
				b[k] = b[k - 1];
				b[k - 1] = t;
			}
	} else {
		go_sort(b, n, sizeof(*b), less_bucket);
	}
	if (!(isinf(b[n - 1].upper) && b[n - 1].upper > 0))
		return 0;
	/* coalesceBuckets: merge equal upper bounds. */
	k = 0;
	for (i = 1; i < n; i++) {
		if (b[i].upper == b[k].upper)
			b[k].count += b[i].count;
		else
			b[++k] = b[i];
	}
	return k + 1;
}

double func_bucket_fraction(double lower, double upper, struct bucket *b, size_t n, bool zero_base)
{
	double count, rank = 0, lo_rank = 0, up_rank = 0;
	bool lo_set = false, up_set = false;

	n = sort_coalesce(b, n);
	if (!n)
		return go_nan();
	count = b[n - 1].count;
	if (count == 0 || isnan(lower) || isnan(upper))
		return go_nan();
	if (lower >= upper)
		return 0;
	for (size_t i = 0; i < n; i++) {
		/* 3.8: the first bucket starts at 0 when its bound is positive */
		double lb = i > 0 ? b[i - 1].upper : zero_base && b[0].upper > 0 ? 0 : -INFINITY, ub = b[i].upper;
		/* 3.8: no interpolation in a bucket reaching down to -Inf */
		bool flat = zero_base && lb == -INFINITY;
		if (!lo_set && lb >= lower) {
			lo_rank = rank;
			lo_set = true;
		}
		if (!up_set && lb >= upper) {
			up_rank = rank;
			up_set = true;
		}
		if (lo_set && up_set)
			break;
		/* interpolateLinearly within (lb, ub) */
		if (!lo_set && lb < lower && ub > lower) {
			lo_rank = flat ? b[i].count : rank + (b[i].count - rank) * (lower - lb) / (ub - lb);
			lo_set = true;
		}
		if (!up_set && lb < upper && ub > upper) {
			up_rank = flat ? b[i].count : rank + (b[i].count - rank) * (upper - lb) / (ub - lb);
			up_set = true;
		}
		if (lo_set && up_set)
			break;
		rank = b[i].count;
	}
	if (!lo_set || lo_rank > count)
		lo_rank = count;
	if (!up_set || up_rank > count)
		up_rank = count;
	return (up_rank - lo_rank) / count;
}

double func_bucket_quantile(double q, struct bucket *b, size_t n, bool small_deltas)
{
	return func_bucket_quantile_forced(q, b, n, small_deltas, NULL);
}

double func_bucket_quantile_forced(double q, struct bucket *b, size_t n, bool small_deltas, bool *forced)
{
	size_t i, k, lo, hi;
	double obs, rank, start = 0, end, count, max;
	bool fixed = false;

	if (isnan(q))
		return go_nan();
	if (q < 0)
		return -INFINITY;
	if (q > 1)
		return INFINITY;
	n = sort_coalesce(b, n);
	if (!n)
		return go_nan();
	/* ensureMonotonic (2.49: and small deltas). */
	max = b[0].count;
	if (small_deltas)
		fixed = monotonic_small_deltas(b, n);
	for (i = 1; i < n && !small_deltas; i++) {
		if (b[i].count > max) {
			max = b[i].count;
		} else if (b[i].count < max) {
			b[i].count = max;
			fixed = true;
		}
	}
	if (forced)
		*forced = fixed;
	if (n < 2)
		return go_nan();
	obs = b[n - 1].count;
	if (obs == 0)
		return go_nan();
	rank = q * obs;
	/* sort.Search over the first n-1 buckets for count >= rank. */
	lo = 0, hi = n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (!(b[mid].count >= rank))
			lo = mid + 1;
		else
			hi = mid;
	}
	k = lo;
	if (k == n - 1)
		return b[n - 2].upper;
	if (k == 0 && b[0].upper <= 0)
		return b[0].upper;
	end = b[k].upper;
	count = b[k].count;
	if (k > 0) {
		start = b[k - 1].upper;
		count -= b[k - 1].count;
		rank -= b[k - 1].count;
	}
	return start + (end - start) * (rank / count);
}
