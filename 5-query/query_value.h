/*
 * What `promtool query instant|range|series|labels` prints: the values
 * client_golang v1.14's API client hands promtool 2.42 (prometheus/common
 * v0.39 model.Scalar, model.Vector, model.Matrix, []model.LabelSet,
 * model.LabelValues), built either from a server's answer
 * (5-query/query_decode.c) or by our engine (5-query/local_api.c), and
 * printed the two ways promtool prints them:
 *
 *   promql: fmt.Println of the value's String() (Metric.String(), the
 *           matrix sorted by LabelSet.Before, numbers as FormatFloat 'f',
 *           times as seconds), or one line per label set / label value;
 *   json:   encoding/json's Encoder (map keys sorted, HTML characters and
 *           U+2028/U+2029 escaped, invalid UTF-8 as \ufffd, a final
 *           newline) over the same values' MarshalJSON.
 *
 * struct query_value owns everything it holds (labels and strings in its
 * arena, samples in its arrays); query_value_release() frees it.
 */
#ifndef QUERY_QUERY_VALUE_H
#define QUERY_QUERY_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/arena.h"
#include "1-common/buf.h"
#include "2-model/labels.h"

enum query_value_kind {
	QV_SCALAR,    /* one sample, no labels */
	QV_VECTOR,    /* items with one sample each */
	QV_MATRIX,    /* items with their samples */
	QV_LABELSETS, /* items with labels only (query series) */
	QV_STRINGS,   /* strs (query labels) */
};

/* A sample, a series or a label set. */
struct qv_item {
	const struct label *labels; /* sorted by name, one per name */
	size_t nlabels;
	bool labels_nil;            /* a nil Go map: JSON prints null */
	size_t off, n;              /* samples t[off..off+n), v[...] */
	bool values_nil;            /* a matrix series' nil values slice */
};

struct query_value {
	enum query_value_kind kind;
	bool nil; /* a nil Go slice: JSON prints null, promql nothing */
	struct qv_item *items;
	size_t nitems, items_cap;
	const char **strs;
	size_t nstrs, strs_cap;
	int64_t *t; /* milliseconds */
	double *v;
	size_t nsamples, samples_cap;
	struct arena arena;
};

void query_value_init(struct query_value *qv, enum query_value_kind kind);
void query_value_release(struct query_value *qv);

/*
 * Appends an item with copies of labels[0..n) (any order; for a name given
 * twice the last value wins, as in a Go map) and returns it.
 */
struct qv_item *query_value_add_item(struct query_value *qv, const struct label *labels, size_t n);
/* Appends a sample to the last item (for QV_SCALAR, the value's sample). */
void query_value_add_sample(struct query_value *qv, int64_t t, double v);
/* Appends a copy of s[0..len) (QV_STRINGS). */
void query_value_add_string(struct query_value *qv, const char *s, size_t len);

/* promtool's promqlPrinter / jsonPrinter output for the value, newline
 * included. */
void query_value_format_promql(struct buf *out, const struct query_value *qv);
void query_value_format_json(struct buf *out, const struct query_value *qv);

/* A Go string as encoding/json writes it (HTML-escaped), quotes included. */
void go_json_quote(struct buf *out, const char *s, size_t len);

#endif
