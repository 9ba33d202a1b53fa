/*
 * The in-memory series store behind the conformance runner and the unit
 * tests, plus the label matcher every storage shares.
 *
 * Series live in insertion order; a hash index (labels_hash of the sorted
 * set) finds a series on append.  select() copies pointers to the matching
 * series' sample ranges into a fresh array, sorted by labels like the
 * querier's sorted Select.
 */
#include "4-promql/storage.h"

#include <stdlib.h>
#include <string.h>

#include "1-common/bytes.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"

struct promql_memseries {
	struct labels ls;
	uint64_t hash;
	int64_t *t;
	double *v;
	int64_t *st; /* start timestamps, NULL until one is not 0 */
	size_t n, cap;
};

void promql_series_set_release(struct promql_series_set *set)
{
	if (!set)
		return;
	if (set->release)
		set->release(set);
	memset(set, 0, sizeof(*set));
}

void promql_memstore_init(struct promql_memstore *s)
{
	memset(s, 0, sizeof(*s));
}

void promql_memstore_clear(struct promql_memstore *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct promql_memseries *ms = s->series[i];
		labels_release(&ms->ls);
		free(ms->t);
		free(ms->v);
		free(ms->st);
		free(ms);
	}
	s->n = 0;
	if (s->index)
		memset(s->index, 0, s->index_cap * sizeof(*s->index));
}

void promql_memstore_release(struct promql_memstore *s)
{
	promql_memstore_clear(s);
	free(s->series);
	free(s->index);
	promql_memstore_init(s);
}

static void index_put(struct promql_memstore *s, size_t pos)
{
	size_t mask = s->index_cap - 1;
	size_t i = (size_t)s->series[pos]->hash & mask;

	while (s->index[i])
		i = (i + 1) & mask;
	s->index[i] = pos + 1;
}

static void index_grow(struct promql_memstore *s)
{
	size_t ncap = s->index_cap ? s->index_cap * 2 : 64;

	free(s->index);
	s->index = xcalloc(ncap, sizeof(*s->index));
	s->index_cap = ncap;
	for (size_t i = 0; i < s->n; i++)
		index_put(s, i);
}

static struct promql_memseries *find_or_add(struct promql_memstore *s, const struct label *ls, size_t n)
{
	struct labels sorted = LABELS_INIT;
	struct promql_memseries *ms;
	uint64_t h;

	for (size_t i = 0; i < n; i++)
		labels_add(&sorted, ls[i].name, ls[i].value);
	labels_sort(&sorted);
	h = labels_hash(sorted.v, sorted.n);
	if (s->index_cap) {
		size_t mask = s->index_cap - 1;
		for (size_t i = (size_t)h & mask; s->index[i]; i = (i + 1) & mask) {
			ms = s->series[s->index[i] - 1];
			if (ms->hash == h && labels_equal(ms->ls.v, ms->ls.n, sorted.v, sorted.n)) {
				labels_release(&sorted);
				return ms;
			}
		}
	}
	ms = xcalloc(1, sizeof(*ms));
	labels_dup(&ms->ls, sorted.v, sorted.n);
	labels_release(&sorted);
	ms->hash = h;
	ALLOC_GROW(s->series, s->n + 1, s->cap);
	s->series[s->n++] = ms;
	if (2 * s->n > s->index_cap)
		index_grow(s);
	else
		index_put(s, s->n - 1);
	return ms;
}

int promql_memstore_append(struct promql_memstore *s, const struct label *ls, size_t n,
			   int64_t t, double v, struct err *e)
{
	return promql_memstore_append_st(s, ls, n, t, 0, v, e);
}

int promql_memstore_append_st(struct promql_memstore *s, const struct label *ls, size_t n,
			      int64_t t, int64_t st, double v, struct err *e)
{
	struct promql_memseries *ms = find_or_add(s, ls, n);

	if (ms->n) {
		int64_t last = ms->t[ms->n - 1];
		if (t == last) {
			if (double_bits(v) == double_bits(ms->v[ms->n - 1]))
				return 0;
			return err_set(e, "duplicate sample for timestamp");
		}
		if (t < last)
			return err_set(e, "out of order sample");
	}
	ALLOC_GROW(ms->t, ms->n + 1, ms->cap);
	ms->v = xreallocarray(ms->v, ms->cap, sizeof(*ms->v));
	if (st && !ms->st)
		ms->st = xcalloc(ms->cap, sizeof(*ms->st));
	else if (ms->st)
		ms->st = xreallocarray(ms->st, ms->cap, sizeof(*ms->st));
	ms->t[ms->n] = t;
	ms->v[ms->n] = v;
	if (ms->st)
		ms->st[ms->n] = st;
	ms->n++;
	return 0;
}

/* First index with t[i] >= x. */
static size_t lower_bound(const int64_t *t, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int cmp_series(const void *a, const void *b)
{
	const struct promql_series *x = a, *y = b;
	return labels_cmp(x->labels, x->nlabels, y->labels, y->nlabels);
}

static void release_set(struct promql_series_set *set)
{
	free(set->v);
}

static int mem_select(void *ctx, const struct label_matcher *m, size_t nm,
		      int64_t mint, int64_t maxt, struct promql_series_set *out,
		      struct err *e)
{
	struct promql_memstore *s = ctx;
	size_t cap = 0;

	(void)e;
	memset(out, 0, sizeof(*out));
	out->release = release_set;
	for (size_t i = 0; i < s->n; i++) {
		struct promql_memseries *ms = s->series[i];
		size_t lo, hi;

		if (!label_matchers_match(m, nm, ms->ls.v, ms->ls.n))
			continue;
		lo = lower_bound(ms->t, ms->n, mint);
		hi = maxt == INT64_MAX ? ms->n : lower_bound(ms->t, ms->n, maxt + 1);
		if (lo >= hi)
			continue;
		ALLOC_GROW(out->v, out->n + 1, cap);
		out->v[out->n++] = (struct promql_series){
			ms->ls.v, ms->ls.n, ms->t + lo, ms->v + lo, hi - lo, ms->st ? ms->st + lo : NULL,
		};
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(out->v[0]), cmp_series);
	return 0;
}

struct promql_storage promql_memstore_storage(struct promql_memstore *s)
{
	return (struct promql_storage){ mem_select, s };
}
