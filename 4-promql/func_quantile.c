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

double func_bucket_quantile(double q, struct bucket *b, size_t n)
{
	size_t i, k, lo, hi;
	double obs, rank, start = 0, end, count, max;

	if (isnan(q))
		return go_nan();
	if (q < 0)
		return -INFINITY;
	if (q > 1)
		return INFINITY;
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
		return go_nan();
	/* coalesceBuckets: merge equal upper bounds. */
	k = 0;
	for (i = 1; i < n; i++) {
		if (b[i].upper == b[k].upper)
			b[k].count += b[i].count;
		else
			b[++k] = b[i];
	}
	n = k + 1;
	/* ensureMonotonic. */
	max = b[0].count;
	for (i = 1; i < n; i++) {
		if (b[i].count > max)
			max = b[i].count;
		else if (b[i].count < max)
			b[i].count = max;
	}
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
