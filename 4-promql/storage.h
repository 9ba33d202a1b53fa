/*
 * Where the evaluator reads series from: a small interface (struct
 * promql_storage: select(), and optionally select_filtered() for reading
 * a selection in batches) that the in-memory store below implements
 * for tests and the conformance runner, and that a TSDB block reader
 * implements for `--source-dir`.
 *
 * Ownership: a struct promql_series_set returned by select() owns nothing
 * the caller must free itself; the caller calls promql_series_set_release()
 * when done, which hands it back to the storage.  Label and sample arrays it
 * points to stay valid until then (and for the memory store, until the
 * store is next modified).  struct promql_memstore owns all its series;
 * promql_memstore_release() frees them.
 */
#ifndef PROMQL_STORAGE_H
#define PROMQL_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "2-model/labels.h"
#include "4-promql/ast.h"

/* One series as the evaluator sees it: labels sorted by name, samples
 * sorted by ascending timestamp (ms), no duplicate timestamps.  Values are
 * stored as written, staleness markers (prom_stale_nan()) included. */
struct promql_series {
	const struct label *labels;
	size_t nlabels;
	const int64_t *t;
	const double *v;
	size_t n;
	/* The samples' start timestamps (ms; 0: none), aligned with t; NULL
	 * when the series has none (every block-read series).  Only 3.12's
	 * use-start-timestamps reads them (4-promql/func_st.c). */
	const int64_t *st;
};

struct promql_series_set {
	struct promql_series *v;
	size_t n;
	/* Called by promql_series_set_release(); may be NULL. */
	void (*release)(struct promql_series_set *set);
	void *priv;
};

/*
 * A storage: select() returns every series matching all matchers (2.42's
 * labels.Matcher semantics: a missing label matches as ""), restricted to
 * samples with mint <= t <= maxt; series left without samples may be
 * omitted.  Series come in the order 2.42's querier would return them
 * (sorted by labels.Compare for blocks and for the memory store); the
 * evaluator keeps that order, which sums and means over several series
 * depend on.  The matchers' `re` is the compiled "^(?:value)$"
 * (2-model/regex.h); use label_matcher_matches() to apply them.  Returns 0,
 * or -1 with e set.
 */
struct promql_storage {
	int (*select)(void *ctx, const struct label_matcher *m, size_t nm,
		      int64_t mint, int64_t maxt, struct promql_series_set *out,
		      struct err *e);
	void *ctx;
	/*
	 * Optional (NULL: not offered): select() restricted to the series
	 * keep() accepts, which sees each series' labels (sorted) and an
	 * estimate of its sample count in range before any sample is read
	 * (and may see a series more than once: always answer the same for
	 * the same labels); rejected series are never decoded.  The
	 * streaming evaluator (4-promql/eval_stream.h) reads a selection in
	 * batches with it.
	 */
	int (*select_filtered)(void *ctx, const struct label_matcher *m, size_t nm, int64_t mint, int64_t maxt,
			       bool (*keep)(void *arg, const struct label *ls, size_t n, size_t nsamples),
			       void *arg, struct promql_series_set *out, struct err *e);
};

void promql_series_set_release(struct promql_series_set *set);

/*
 * An in-memory series store: the conformance runner's `load` target and the
 * unit tests' fixture.  Appends follow the TSDB head's rules for one
 * appender: samples of a series must come in increasing time order.
 */
struct promql_memseries;

struct promql_memstore {
	struct promql_memseries **series;
	size_t n, cap;
	size_t *index; /* open-addressing table of series positions + 1 */
	size_t index_cap;
};

void promql_memstore_init(struct promql_memstore *s);
void promql_memstore_release(struct promql_memstore *s);
/* Drops every series (the test language's `clear`). */
void promql_memstore_clear(struct promql_memstore *s);
/*
 * Appends sample (t, v) to the series with labels ls (any order; copied).
 * A sample at the time of the series' last one is dropped if it has the
 * same value bits, and an error otherwise ("duplicate sample for
 * timestamp"), one before it is an error ("out of order sample"), as the
 * TSDB head answers.
 */
int promql_memstore_append(struct promql_memstore *s, const struct label *ls, size_t n,
			   int64_t t, double v, struct err *e);
/* The same with the sample's start timestamp st (0: none), as 3.12's
 * test storage appends a `metric@st` line's; a series keeps an array of
 * them only once one is not 0. */
int promql_memstore_append_st(struct promql_memstore *s, const struct label *ls, size_t n,
			      int64_t t, int64_t st, double v, struct err *e);
/* The storage interface over this store. */
struct promql_storage promql_memstore_storage(struct promql_memstore *s);

/*
 * A series description of the test language (2.42's
 * parser.ParseSeriesDesc): `name{l="v"} 1 2+3x4 _ _x2 stale -1-1x3`.
 * Appends the labels (copied, sorted, __name__ included) to *ls and the
 * expanded values to *vals / *omitted (omitted[i] for `_`), growing them
 * with ALLOC_GROW on *cap.  Returns 0, or -1 with e set to a message naming
 * the column.
 */
int promql_parse_series_desc(const char *s, size_t len, struct labels *ls,
			     double **vals, bool **omitted, size_t *n, size_t *cap,
			     struct err *e);

#endif
