/*
 * The text exposition format as prometheus/common's expfmt.TextParser
 * reads it (TextToMetricFamilies, common v0.44.0, which promtool 2.46
 * vendors), for `push metrics`: metric families with their HELP, TYPE and
 * metrics, summaries and histograms folded from their _sum/_count/_bucket
 * and quantile/le lines, and the parser's error words ("text format parsing
 * error in line 3: expected float as value, got \"x\"").
 *
 * struct expfmt owns every family, metric and string it holds;
 * expfmt_release() frees them.  The input is borrowed during the call only.
 */
#ifndef QUERY_EXPFMT_H
#define QUERY_EXPFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"

/* dto.MetricType's numbers (client_model v0.4.0). */
enum expfmt_type {
	EXPFMT_COUNTER = 0,
	EXPFMT_GAUGE = 1,
	EXPFMT_SUMMARY = 2,
	EXPFMT_UNTYPED = 3,
	EXPFMT_HISTOGRAM = 4,
	EXPFMT_GAUGE_HISTOGRAM = 5,
};

struct expfmt_label {
	char *name, *value;
};

/* One quantile (summary) or bucket (histogram): bound and value/count. */
struct expfmt_point {
	double at;
	double value;
};

struct expfmt_metric {
	struct expfmt_label *labels; /* in input order, quantile/le left out */
	size_t nlabels, labels_cap;
	char *sig;                   /* summaries/histograms: their label set, to find the metric again */
	bool has_value;              /* counter, gauge, untyped: value is set */
	double value;
	bool has_ts;
	int64_t ts_ms;
	bool has_agg;                /* summary/histogram: the points, sum and count below */
	struct expfmt_point *points;
	size_t npoints, points_cap;
	double sum;
	uint64_t count;
};

struct expfmt_family {
	char *name, *help;
	bool has_help, has_type;
	enum expfmt_type type;
	struct expfmt_metric *metrics;
	size_t nmetrics, metrics_cap;
};

struct expfmt {
	struct expfmt_family *families; /* in order of first mention; see expfmt_sorted() */
	size_t nfamilies, families_cap;
	size_t *slots;                  /* name hash table: index+1 into families, 0 empty */
	size_t nslots;
};

void expfmt_init(struct expfmt *x);
void expfmt_release(struct expfmt *x);

/*
 * Parses data into x (initialised, empty).  On failure x holds what was
 * read (release it) and e the parser's error.  Families that end up with
 * no metric are dropped, as TextToMetricFamilies does.
 */
int expfmt_parse(struct expfmt *x, const char *data, size_t len, struct err *e);

/* The families in Go's sort.Strings order of names; caller frees the array. */
const struct expfmt_family **expfmt_sorted(const struct expfmt *x);

#endif
