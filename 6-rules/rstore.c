/*
 * The rule manager's head-like store (see rstore.h): series in creation
 * order found by a hash index, one pending batch, and select() over the
 * store alone or merged with a base storage.
 */
#include "6-rules/rstore.h"

#include <stdlib.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "1-common/xalloc.h"

struct rseries {
	struct labels ls;
	uint64_t hash;
	int64_t *t;
	double *v;
	size_t off, n, cap; /* committed samples are [off, n) */
};

struct pending {
	size_t series;
	int64_t t;
	double v;
};

struct rstore {
	struct rseries **series;
	size_t n, cap;
	size_t *index; /* open addressing: series position + 1 */
	size_t index_cap;
	struct pending *batch;
	size_t nbatch, batch_cap;
	size_t nnew; /* series created by the pending batch (at the end) */
	struct promql_storage base;
	bool has_base, base_sorted;
};

struct rstore *rstore_new(const struct promql_storage *base, bool base_sorted)
{
	struct rstore *s = xcalloc(1, sizeof(*s));

	if (base) {
		s->base = *base;
		s->has_base = true;
		s->base_sorted = base_sorted;
	}
	return s;
}

static void series_free(struct rseries *rs)
{
	labels_release(&rs->ls);
	free(rs->t);
	free(rs->v);
	free(rs);
}

void rstore_free(struct rstore *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		series_free(s->series[i]);
	free(s->series);
	free(s->index);
	free(s->batch);
	free(s);
}

static void index_put(struct rstore *s, size_t pos)
{
	size_t mask = s->index_cap - 1;
	size_t i = (size_t)s->series[pos]->hash & mask;

	while (s->index[i])
		i = (i + 1) & mask;
	s->index[i] = pos + 1;
}

static void index_rebuild(struct rstore *s, size_t ncap)
{
	free(s->index);
	s->index = xcalloc(ncap, sizeof(*s->index));
	s->index_cap = ncap;
	for (size_t i = 0; i < s->n; i++)
		index_put(s, i);
}

/* Position of the series with these (sorted) labels, or SIZE_MAX. */
static size_t find(const struct rstore *s, const struct label *ls, size_t n, uint64_t h)
{
	if (!s->index_cap)
		return SIZE_MAX;
	size_t mask = s->index_cap - 1;
	for (size_t i = (size_t)h & mask; s->index[i]; i = (i + 1) & mask) {
		const struct rseries *rs = s->series[s->index[i] - 1];
		if (rs->hash == h && labels_equal(rs->ls.v, rs->ls.n, ls, n))
			return s->index[i] - 1;
	}
	return SIZE_MAX;
}

static size_t add_series(struct rstore *s, const struct label *ls, size_t n, uint64_t h)
{
	struct rseries *rs = xcalloc(1, sizeof(*rs));

	labels_dup(&rs->ls, ls, n);
	rs->hash = h;
	ALLOC_GROW(s->series, s->n + 1, s->cap);
	s->series[s->n++] = rs;
	if (2 * s->n > s->index_cap)
		index_rebuild(s, s->index_cap ? 2 * s->index_cap : 64);
	else
		index_put(s, s->n - 1);
	return s->n - 1;
}

int rstore_append(struct rstore *s, const struct label *ls, size_t n, int64_t t, double v, struct err *e)
{
	struct label small[16], *clean = NULL;
	uint64_t h;
	size_t pos, k = 0;
	struct rseries *rs;
	bool empties = false;

	for (size_t i = 0; i < n; i++)
		empties |= !*ls[i].value;
	if (empties) {
		/* headAppender.Append: lset.WithoutEmpty() */
		clean = n <= 16 ? small : xcalloc(n, sizeof(*clean));
		for (size_t i = 0; i < n; i++)
			if (*ls[i].value)
				clean[k++] = ls[i];
		ls = clean;
		n = k;
	}
	h = labels_hash(ls, n);
	pos = find(s, ls, n, h);
	if (pos == SIZE_MAX) {
		int rc = 0;
		if (n == 0)
			rc = err_set(e, "empty labelset: invalid sample");
		for (size_t i = 1; i < n && rc == 0; i++)
			if (!strcmp(ls[i].name, ls[i - 1].name))
				rc = err_set(e, "label name \"%s\" is not unique: invalid sample", ls[i].name);
		if (rc) {
			if (clean && clean != small)
				free(clean);
			return rc;
		}
		pos = add_series(s, ls, n, h);
		s->nnew++;
	}
	if (clean && clean != small)
		free(clean);
	rs = s->series[pos];
	/* memSeries.appendable: only committed samples are checked */
	if (rs->n > rs->off) {
		int64_t last = rs->t[rs->n - 1];
		if (t == last && double_bits(v) != double_bits(rs->v[rs->n - 1]))
			return err_set(e, "duplicate sample for timestamp");
		if (t < last)
			return err_set(e, "out of order sample");
	}
	ALLOC_GROW(s->batch, s->nbatch + 1, s->batch_cap);
	s->batch[s->nbatch++] = (struct pending){ pos, t, v };
	return 0;
}

void rstore_commit(struct rstore *s)
{
	rstore_commit_cb(s, NULL, NULL, NULL);
}

int rstore_commit_cb(struct rstore *s,
		     int (*fn)(void *arg, const struct label *ls, size_t n, int64_t t, double v, struct err *e),
		     void *arg, struct err *e)
{
	int rc = 0;

	for (size_t i = 0; i < s->nbatch; i++) {
		const struct pending *p = &s->batch[i];
		struct rseries *rs = s->series[p->series];

		/* memSeries.append: a sample not after the last one is dropped */
		if (rs->n > rs->off && p->t <= rs->t[rs->n - 1])
			continue;
		if (rs->n == rs->cap) {
			ALLOC_GROW(rs->t, rs->n + 1, rs->cap);
			rs->v = xreallocarray(rs->v, rs->cap, sizeof(*rs->v));
		}
		rs->t[rs->n] = p->t;
		rs->v[rs->n++] = p->v;
		if (fn && rc == 0 && fn(arg, rs->ls.v, rs->ls.n, p->t, p->v, e))
			rc = -1;
	}
	s->nbatch = 0;
	s->nnew = 0;
	return rc;
}

void rstore_rollback(struct rstore *s)
{
	/* series the batch created go again, as a rolled back head appender
	 * leaves no samples for them (they would match no query anyway) */
	while (s->nnew) {
		struct rseries *rs = s->series[s->n - 1];
		if (rs->n > rs->off)
			break;
		series_free(rs);
		s->n--;
		s->nnew--;
	}
	s->nnew = 0;
	s->nbatch = 0;
	if (s->index_cap)
		index_rebuild(s, s->index_cap);
}

size_t rstore_nseries(const struct rstore *s)
{
	return s->n;
}

const struct label *rstore_series_labels(const struct rstore *s, size_t i, size_t *n)
{
	*n = s->series[i]->ls.n;
	return s->series[i]->ls.v;
}

void rstore_series_samples(const struct rstore *s, size_t i, const int64_t **t, const double **v, size_t *n)
{
	const struct rseries *rs = s->series[i];

	*t = rs->t + rs->off;
	*v = rs->v + rs->off;
	*n = rs->n - rs->off;
}

void rstore_trim(struct rstore *s, int64_t t)
{
	for (size_t i = 0; i < s->n; i++) {
		struct rseries *rs = s->series[i];
		while (rs->n - rs->off > 1 && rs->t[rs->off] < t)
			rs->off++;
		if (rs->off > 64 && rs->off > (rs->n - rs->off)) {
			size_t keep = rs->n - rs->off;
			memmove(rs->t, rs->t + rs->off, keep * sizeof(*rs->t));
			memmove(rs->v, rs->v + rs->off, keep * sizeof(*rs->v));
			rs->n = keep;
			rs->off = 0;
		}
	}
}

/* ---- select ------------------------------------------------------------ */

/* First index in [lo, n) with t[i] >= x. */
static size_t lower_bound(const int64_t *t, size_t lo, size_t n, int64_t x)
{
	size_t hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* What a returned set owns: the base set and merged sample arrays. */
struct set_priv {
	struct promql_series_set base;
	void **allocs;
	size_t nallocs, allocs_cap;
};

static void release_set(struct promql_series_set *set)
{
	struct set_priv *p = set->priv;

	if (p) {
		promql_series_set_release(&p->base);
		for (size_t i = 0; i < p->nallocs; i++)
			free(p->allocs[i]);
		free(p->allocs);
		free(p);
	}
	free(set->v);
}

static void *own(struct set_priv *p, size_t n, size_t size)
{
	void *q = xreallocarray(NULL, n ? n : 1, size);

	ALLOC_GROW(p->allocs, p->nallocs + 1, p->allocs_cap);
	p->allocs[p->nallocs++] = q;
	return q;
}

/* The stored samples of rs within [mint, maxt]. */
static void window(const struct rseries *rs, int64_t mint, int64_t maxt, size_t *lo, size_t *hi)
{
	*lo = lower_bound(rs->t, rs->off, rs->n, mint);
	*hi = maxt == INT64_MAX ? rs->n : lower_bound(rs->t, *lo, rs->n, maxt + 1);
}

/*
 * Merges a base series' samples with stored ones: the union by timestamp,
 * a timestamp both hold reported once (the base's sample, as 2.42's chain
 * merge keeps the first of equal samples).
 */
static void merge_into(struct set_priv *p, struct promql_series *out, const int64_t *st, const double *sv,
		       size_t sn)
{
	size_t bn = out->n, i = 0, j = 0, k = 0;
	int64_t *t = own(p, bn + sn, sizeof(*t));
	double *v = own(p, bn + sn, sizeof(*v));

	while (i < bn || j < sn) {
		if (j >= sn || (i < bn && out->t[i] <= st[j])) {
			if (j < sn && out->t[i] == st[j])
				j++;
			t[k] = out->t[i];
			v[k++] = out->v[i++];
		} else {
			t[k] = st[j];
			v[k++] = sv[j++];
		}
	}
	out->t = t;
	out->v = v;
	out->n = k;
}

static int cmp_series(const void *a, const void *b)
{
	const struct promql_series *x = a, *y = b;
	return labels_cmp(x->labels, x->nlabels, y->labels, y->nlabels);
}

static int store_select(void *ctx, const struct label_matcher *m, size_t nm, int64_t mint, int64_t maxt,
			struct promql_series_set *out, struct err *e)
{
	struct rstore *s = ctx;
	struct set_priv *p = NULL;
	unsigned char *merged = NULL; /* stored series already merged into a base one */
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	out->release = release_set;
	if (s->has_base) {
		p = xcalloc(1, sizeof(*p));
		out->priv = p;
		if (s->base.select(s->base.ctx, m, nm, mint, maxt, &p->base, e) < 0) {
			promql_series_set_release(out);
			return -1;
		}
		cap = p->base.n + 8;
		out->v = xreallocarray(NULL, cap, sizeof(*out->v));
		merged = xcalloc(s->n ? s->n : 1, 1);
		for (size_t i = 0; i < p->base.n; i++) {
			struct promql_series bs = p->base.v[i];
			if (s->n) {
				size_t pos = find(s, bs.labels, bs.nlabels, labels_hash(bs.labels, bs.nlabels));
				if (pos != SIZE_MAX) {
					const struct rseries *rs = s->series[pos];
					size_t lo, hi;
					window(rs, mint, maxt, &lo, &hi);
					if (lo < hi)
						merge_into(p, &bs, rs->t + lo, rs->v + lo, hi - lo);
					merged[pos] = 1;
				}
			}
			out->v[out->n++] = bs;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct rseries *rs = s->series[i];
		size_t lo, hi;

		if (merged && merged[i])
			continue;
		if (!label_matchers_match(m, nm, rs->ls.v, rs->ls.n))
			continue;
		window(rs, mint, maxt, &lo, &hi);
		if (lo >= hi)
			continue;
		ALLOC_GROW(out->v, out->n + 1, cap);
		out->v[out->n++] = (struct promql_series){ rs->ls.v, rs->ls.n, rs->t + lo, rs->v + lo, hi - lo };
	}
	free(merged);
	if (s->has_base && s->base_sorted && out->n > 1)
		qsort(out->v, out->n, sizeof(out->v[0]), cmp_series);
	return 0;
}

struct promql_storage rstore_storage(struct rstore *s)
{
	return (struct promql_storage){ store_select, s };
}
