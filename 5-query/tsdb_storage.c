/*
 * The evaluator's storage interface over a Prometheus data directory
 * (3-tsdb/db_reader.h): select() runs the DB querier and copies each series'
 * labels and samples into memory the returned set owns, keeping the
 * querier's series order (sorted by labels whenever blocks or blocks and
 * head take part, as 2.42's merge querier returns them).
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/xalloc.h"
#include "5-query/local.h"
#include "3-tsdb/db_reader.h"

struct owned_series {
	struct label *labels;
	char **strs;
	size_t nstrs;
	int64_t *t;
	double *v;
};

static void release_tsdb_set(struct promql_series_set *set)
{
	struct owned_series *o = set->priv;

	for (size_t i = 0; i < set->n; i++) {
		for (size_t j = 0; j < o[i].nstrs; j++)
			free(o[i].strs[j]);
		free(o[i].strs);
		free(o[i].labels);
		free(o[i].t);
		free(o[i].v);
	}
	free(o);
	free(set->v);
}

static int tsdb_select(void *ctx, const struct label_matcher *m, size_t nm, int64_t mint, int64_t maxt,
		       struct promql_series_set *out, struct err *e)
{
	struct tsdb_db *db = ctx;
	struct tsdb_series_set *it = NULL;
	struct owned_series *own = NULL;
	size_t cap = 0;
	int r;

	memset(out, 0, sizeof(*out));
	out->release = release_tsdb_set;
	if (tsdb_db_select(db, m, nm, mint, maxt, &it, e) < 0)
		return -1;
	while ((r = tsdb_series_set_next(it, e)) > 0) {
		size_t nls, n = 0, scap = 0;
		const struct label *ls = tsdb_series_set_labels(it, &nls);
		struct owned_series *o;
		int64_t t;
		double v;

		if (out->n == cap) {
			size_t old = cap;
			ALLOC_GROW(out->v, out->n + 1, cap);
			own = xreallocarray(own, cap, sizeof(*own));
			memset(own + old, 0, (cap - old) * sizeof(*own));
			out->priv = own;
		}
		o = &own[out->n];
		o->labels = xcalloc(nls ? nls : 1, sizeof(*o->labels));
		o->strs = xcalloc(2 * nls + 1, sizeof(*o->strs));
		for (size_t i = 0; i < nls; i++) {
			o->labels[i].name = o->strs[o->nstrs++] = xstrdup(ls[i].name);
			o->labels[i].value = o->strs[o->nstrs++] = xstrdup(ls[i].value);
		}
		while ((r = tsdb_series_set_sample(it, &t, &v, e)) > 0) {
			if (n == scap) {
				ALLOC_GROW(o->t, n + 1, scap);
				o->v = xreallocarray(o->v, scap, sizeof(*o->v));
			}
			o->t[n] = t;
			o->v[n] = v;
			n++;
		}
		if (r == 0 && tsdb_series_set_histograms(it)) {
			/* native histograms: not for the float engine; the
			 * caller warns once with the count */
			tsdb_db_note_histogram_series(db, ls, nls);
			free(o->labels);
			for (size_t i = 0; i < o->nstrs; i++)
				free(o->strs[i]);
			free(o->strs);
			free(o->t);
			free(o->v);
			memset(o, 0, sizeof(*o));
			continue;
		}
		out->v[out->n++] = (struct promql_series){ o->labels, nls, o->t, o->v, n };
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

struct promql_storage promql_tsdb_storage(struct tsdb_db *db)
{
	return (struct promql_storage){ tsdb_select, db };
}
