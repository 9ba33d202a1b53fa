/*
 * The evaluator's storage interface over a Prometheus data directory
 * (3-tsdb/db_reader.h): select() runs the DB querier and copies each series'
 * labels and samples into memory the returned set owns, keeping the
 * querier's series order (sorted by labels whenever blocks or blocks and
 * head take part, as 2.42's merge querier returns them).
 *
 * A set's labels and samples live in a few large slabs rather than in
 * allocations of their own: a series' samples are decoded straight into
 * room sized from its chunks' headers, and what is left over goes back to
 * the slab.  Releasing the set frees the slabs.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/xalloc.h"
#include "5-query/local.h"
#include "3-tsdb/db_reader.h"

#define SLAB_BYTES (256u << 10)

struct slab {
	struct slab *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
};

struct slabs {
	struct slab *head; /* the slab being filled; older ones follow */
};

static void slabs_release(struct slabs *a)
{
	while (a->head) {
		struct slab *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}

/* size bytes, 8-aligned. */
static void *slabs_alloc(struct slabs *a, size_t size)
{
	struct slab *s = a->head;
	void *p;

	size = (size + 7) & ~(size_t)7;
	if (!s || s->cap - s->used < size) {
		size_t cap = size > SLAB_BYTES ? size : SLAB_BYTES;

		if (cap > SIZE_MAX - sizeof(*s))
			abort();
		s = xmalloc(sizeof(*s) + cap);
		s->used = 0;
		s->cap = cap;
		s->next = a->head;
		a->head = s;
	}
	p = s->data + s->used;
	s->used += size;
	return p;
}

/* Gives back the end of the last allocation, p (of size bytes), keeping
 * keep of them. */
static void slabs_shrink_last(struct slabs *a, void *p, size_t size, size_t keep)
{
	struct slab *s = a->head;

	size = (size + 7) & ~(size_t)7;
	keep = (keep + 7) & ~(size_t)7;
	if (s && (unsigned char *)p + size == s->data + s->used)
		s->used -= size - keep;
}

static void release_tsdb_set(struct promql_series_set *set)
{
	struct slabs *a = set->priv;

	if (a) {
		slabs_release(a);
		free(a);
	}
	free(set->v);
}

static struct label *copy_labels(struct slabs *a, const struct label *ls, size_t n)
{
	size_t bytes = n * sizeof(struct label);
	struct label *out;
	char *p;

	for (size_t i = 0; i < n; i++)
		bytes += strlen(ls[i].name) + strlen(ls[i].value) + 2;
	out = slabs_alloc(a, bytes ? bytes : 1);
	p = (char *)(out + n);
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(ls[i].name) + 1, l = strlen(ls[i].value) + 1;
		memcpy(p, ls[i].name, k);
		out[i].name = p;
		p += k;
		memcpy(p, ls[i].value, l);
		out[i].value = p;
		p += l;
	}
	return out;
}

/*
 * The current series' samples, decoded into the slabs: timestamps then
 * values in one piece sized from the chunks' sample counts, the unused end
 * returned.  (Should the count ever fall short, the piece is regrown.)
 */
static int read_samples(struct tsdb_series_set *it, struct slabs *a, int64_t **t_out, double **v_out,
			size_t *n_out, struct err *e)
{
	size_t cap = tsdb_series_set_max_samples(it), n = 0, got;
	unsigned char *p;
	int r;

	if (cap < 16)
		cap = 16;
	for (;;) {
		int64_t *t;
		double *v;

		if (cap > SIZE_MAX / 32)
			abort();
		p = slabs_alloc(a, cap * 16);
		t = (int64_t *)p;
		v = (double *)(p + cap * 8);
		if (n) {
			/* regrown: keep what the smaller piece had */
			memcpy(t, *t_out, n * sizeof(*t));
			memcpy(v, *v_out, n * sizeof(*v));
		}
		r = tsdb_series_set_read(it, t + n, v + n, cap - n, &got, e);
		n += got;
		*t_out = t;
		*v_out = v;
		if (r <= 0)
			break;
		cap *= 2;
	}
	if (r < 0)
		return -1;
	/* values next to the timestamps, the rest back to the slab */
	memmove(p + n * 8, *v_out, n * sizeof(double));
	*v_out = (double *)(p + n * 8);
	slabs_shrink_last(a, p, cap * 16, n * 16);
	*n_out = n;
	return 0;
}

/* The selection, of the series keep accepts when it is not NULL. */
static int select_series(struct tsdb_db *db, const struct label_matcher *m, size_t nm, int64_t mint,
			 int64_t maxt, bool (*keep)(void *arg, const struct label *ls, size_t n, size_t nsamples),
			 void *arg, struct promql_series_set *out, struct err *e)
{
	struct tsdb_series_set *it = NULL;
	struct slabs *a;
	size_t cap = 0;
	int r;

	memset(out, 0, sizeof(*out));
	out->release = release_tsdb_set;
	a = xcalloc(1, sizeof(*a));
	out->priv = a;
	if ((keep ? tsdb_db_select_filtered(db, m, nm, mint, maxt, keep, arg, &it, e)
		  : tsdb_db_select(db, m, nm, mint, maxt, &it, e)) < 0) {
		promql_series_set_release(out);
		return -1;
	}
	while ((r = tsdb_series_set_next(it, e)) > 0) {
		size_t nls, n = 0;
		const struct label *ls = tsdb_series_set_labels(it, &nls);
		struct label *labels;
		int64_t *t = NULL;
		double *v = NULL;

		labels = copy_labels(a, ls, nls);
		r = read_samples(it, a, &t, &v, &n, e);
		if (r == 0 && tsdb_series_set_histograms(it)) {
			/* native histograms: not for the float engine; the
			 * caller warns once with the count (its labels and
			 * samples stay in the slab until the set is released) */
			tsdb_db_note_histogram_series(db, ls, nls);
			continue;
		}
		ALLOC_GROW(out->v, out->n + 1, cap);
		out->v[out->n++] = (struct promql_series){ labels, nls, t, v, n };
		if (r < 0)
			break;
	}
	tsdb_series_set_free(it);
	if (r < 0) {
		promql_series_set_release(out);
		return -1;
	}
	return 0;
}

static int tsdb_select(void *ctx, const struct label_matcher *m, size_t nm, int64_t mint, int64_t maxt,
		       struct promql_series_set *out, struct err *e)
{
	return select_series(ctx, m, nm, mint, maxt, NULL, NULL, out, e);
}

static int tsdb_select_filtered(void *ctx, const struct label_matcher *m, size_t nm, int64_t mint, int64_t maxt,
				bool (*keep)(void *arg, const struct label *ls, size_t n, size_t nsamples),
				void *arg, struct promql_series_set *out, struct err *e)
{
	return select_series(ctx, m, nm, mint, maxt, keep, arg, out, e);
}

struct promql_storage promql_tsdb_storage(struct tsdb_db *db)
{
	return (struct promql_storage){ tsdb_select, db, tsdb_select_filtered };
}
