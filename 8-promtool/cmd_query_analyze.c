/*
 * promtool query analyze (2.50+): cmd/promtool/analyze.go, the same in
 * effect from v2.50.0 to v3.14.0 (later commits only reword errors.New and
 * loops).  For each --match, one instant query "<match>[<duration>]" at
 * --time (default now); the classic histograms in the answer (series with
 * float samples, an "le" label and a name ending in _bucket) are grouped
 * by name and the labels but le, and each group's populated buckets are
 * counted per timestamp: bucket i holds int(cumulative[i] -
 * cumulative[i-1]) after a stable sort by le.  Printed to stdout as
 * getStatsFromMetrics and the statistics' String() methods print them;
 * errors (checkErr) go to stderr with exit 1, whatever stdout has by then.
 *
 * Where this build differs (COMPATIBILITY.md): upstream prints a match's
 * groups in Go map order, which varies from run to run; we print them in
 * the order their first series came.  Native histogram series (a matrix
 * series with no float samples) are an error here, since the answer's
 * histograms are not decoded.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "1-common/err.h"
#include "1-common/gofmt.h"
#include "1-common/gotime.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
#include "5-query/gourl.h"
#include "5-query/query_api.h"
#include "8-promtool/cli.h"
#include "8-promtool/commands.h"

#define OUTPUT_HEADER                                                                      \
	"Bucket stats for each histogram series over time\n"                                   \
	"------------------------------------------------\n"                                   \
	"First the min, avg, and max number of populated buckets, followed by the total\n"     \
	"number of buckets (only if different from the max number of populated buckets\n"     \
	"which is typical for classic but not native histograms)."
#define OUTPUT_FOOTER                                                                      \
	"Aggregated bucket stats\n"                                                            \
	"-----------------------\n"                                                            \
	"Each line shows min/avg/max over the series above."

/* One series' statistics (analyze.go statistics). */
struct stats {
	int64_t min_pop, max_pop, total;
	double avg_pop;
};

/* analyze.go distribution: a running min, max and average. */
struct distribution {
	int64_t min, max, count;
	double avg;
};

struct meta_stats {
	struct distribution min_pop, avg_pop, max_pop, total;
};

/* The series of one classic histogram: indexes into the answer's items. */
struct group {
	char *key;
	size_t *items;
	size_t n, cap;
};

/* Go's int(f) on amd64: truncation, and 0x8000000000000000 for NaN and
 * what does not fit (CVTTSD2SQ). */
static int64_t go_int(double f)
{
	if (isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)f;
}

static void dist_init(struct distribution *d)
{
	memset(d, 0, sizeof(*d));
	d->min = INT64_MAX;
}

static void dist_update(struct distribution *d, int64_t num)
{
	if (d->min > num)
		d->min = num;
	if (d->max < num)
		d->max = num;
	d->count++;
	d->avg += (double)num / (double)d->count - d->avg / (double)d->count;
}

static bool dist_eq(const struct distribution *a, const struct distribution *b)
{
	return a->min == b->min && a->max == b->max && a->count == b->count && a->avg == b->avg;
}

static void dist_print(FILE *out, const struct distribution *d)
{
	fprintf(out, "%" PRId64 "/%.3f/%" PRId64, d->min, d->avg, d->max);
}

static void meta_init(struct meta_stats *m)
{
	dist_init(&m->min_pop);
	dist_init(&m->avg_pop);
	dist_init(&m->max_pop);
	dist_init(&m->total);
}

static void meta_update(struct meta_stats *m, const struct stats *s)
{
	dist_update(&m->min_pop, s->min_pop);
	dist_update(&m->avg_pop, go_int(s->avg_pop));
	dist_update(&m->max_pop, s->max_pop);
	dist_update(&m->total, s->total);
}

/* "\n<kind> " + metaStatistics.String() + "\n" */
static void meta_print(FILE *out, const char *kind, const struct meta_stats *m)
{
	fprintf(out, "\n%s histogram series (%" PRId64 " in total):\n- min populated: ", kind, m->min_pop.count);
	dist_print(out, &m->min_pop);
	fputs("\n- avg populated: ", out);
	dist_print(out, &m->avg_pop);
	fputs("\n- max populated: ", out);
	dist_print(out, &m->max_pop);
	if (!dist_eq(&m->max_pop, &m->total)) {
		fputs("\n- total: ", out);
		dist_print(out, &m->total);
	}
	fputc('\n', out);
}

/* statistics.String() */
static void stats_print(FILE *out, const struct stats *s)
{
	fprintf(out, "%" PRId64 "/%.3f/%" PRId64, s->min_pop, s->avg_pop, s->max_pop);
	if (s->max_pop != s->total)
		fprintf(out, "/%" PRId64, s->total);
}

static const char *label_value(const struct qv_item *it, const char *name)
{
	for (size_t i = 0; i < it->nlabels; i++)
		if (!strcmp(it->labels[i].name, name))
			return it->labels[i].value;
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * formatSeriesName: the name, then model.LabelSet.String() of the labels
 * but __name__ and le.  prometheus/common before v0.53 (promtool 2.50,
 * 2.51) sorts the `name="value"` strings, v0.53 on sorts the names; they
 * differ where a name is another's prefix followed by a digit.
 */
static char *series_key(const struct cli_ctx *c, const struct qv_item *it, const char *name)
{
	struct buf b = BUF_INIT;
	char **pairs = xcalloc(it->nlabels ? it->nlabels : 1, sizeof(*pairs));
	size_t n = 0;

	for (size_t i = 0; i < it->nlabels; i++) {
		struct buf p = BUF_INIT;
		if (!strcmp(it->labels[i].name, "__name__") || !strcmp(it->labels[i].name, "le"))
			continue;
		buf_adds(&p, it->labels[i].name);
		buf_addc(&p, '=');
		go_quote(&p, it->labels[i].value, strlen(it->labels[i].value));
		pairs[n++] = buf_detach(&p, NULL);
	}
	/* the labels come sorted by name already */
	if (!compat_on(cli_compat(c), COMPAT_LABELSET_STRING_NAME_SORT))
		qsort(pairs, n, sizeof(*pairs), cmp_str);
	buf_adds(&b, name);
	buf_addc(&b, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_adds(&b, ", ");
		buf_adds(&b, pairs[i]);
		free(pairs[i]);
	}
	buf_addc(&b, '}');
	free(pairs);
	return buf_detach(&b, NULL);
}

/* getLe: strconv.ParseFloat of le, 0 on a syntax error, ±Inf out of range. */
static double get_le(const struct qv_item *it)
{
	const char *le = label_value(it, "le");
	double v = 0;
	if (!le || go_parse_float(le, strlen(le), &v) == -1)
		return 0;
	return v;
}

/*
 * sortMatrix: sort.SliceStable by le.  Go's stable sort is an insertion
 * sort up to 20 elements (and the same order beyond, le being a total
 * order but for NaN), so an insertion sort gives its order.
 */
static void sort_by_le(const struct query_value *qv, size_t *idx, size_t n)
{
	double *le = xcalloc(n ? n : 1, sizeof(*le));
	for (size_t i = 0; i < n; i++)
		le[i] = get_le(&qv->items[idx[i]]);
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && le[j] < le[j - 1]; j--) {
			double tl = le[j];
			size_t ti = idx[j];
			le[j] = le[j - 1];
			idx[j] = idx[j - 1];
			le[j - 1] = tl;
			idx[j - 1] = ti;
		}
	}
	free(le);
}

/*
 * calcClassicBucketStatistics.  Returns 0 with *out set, 1 for
 * errNotEnoughData (the group is skipped), -1 with e set.
 */
static int classic_stats(const struct query_value *qv, struct group *g, struct stats *out, struct err *e)
{
	size_t nsamples;
	int64_t total_pop = 0;

	out->min_pop = INT64_MAX;
	out->max_pop = 0;
	out->total = (int64_t)g->n;
	out->avg_pop = 0;
	/* the first series as the answer listed it, before the sort */
	if (g->n == 0 || qv->items[g->items[0]].n < 2)
		return 1;
	nsamples = qv->items[g->items[0]].n;
	sort_by_le(qv, g->items, g->n);
	for (size_t t = 0; t < nsamples; t++) {
		/* getBucketCountsAtTime: a short series ends the counting at
		 * it (zeros after), a timestamp mismatch is an error */
		const struct qv_item *first = &qv->items[g->items[0]];
		int64_t pop = 0;
		if (t < first->n) {
			if (go_int(qv->v[first->off + t]) != 0)
				pop++;
			for (size_t i = 1; i < g->n; i++) {
				const struct qv_item *cur = &qv->items[g->items[i]];
				const struct qv_item *prev = &qv->items[g->items[i - 1]];
				if (t >= cur->n)
					break;
				if (qv->t[cur->off + t] != qv->t[prev->off + t])
					return err_set(e, "matrix result is not time aligned");
				if (go_int(qv->v[cur->off + t] - qv->v[prev->off + t]) != 0)
					pop++;
			}
		}
		total_pop += pop;
		if (out->min_pop > pop)
			out->min_pop = pop;
		if (out->max_pop < pop)
			out->max_pop = pop;
	}
	out->avg_pop = (double)total_pop / (double)nsamples;
	return 0;
}

static void groups_release(struct group *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(g[i].key);
		free(g[i].items);
	}
	free(g);
}

/* One --match: the query, then a line per classic histogram. */
static int analyze_match(const struct cli_ctx *c, struct query_api *api, const char *match, int64_t dur_ns,
			 const struct go_time *end, struct meta_stats *classic, struct err *e)
{
	struct buf q = BUF_INIT, d = BUF_INIT;
	struct query_answer ans;
	struct group *groups = NULL;
	size_t ngroups = 0, cap = 0;
	int rc = -1;

	query_answer_init(&ans);
	go_fmt_duration(&d, dur_ns);
	buf_adds(&q, match);
	buf_addc(&q, '[');
	buf_add(&q, d.data, d.len);
	buf_addc(&q, ']');
	if (api->ops->instant(api, buf_str(&q), end, &ans, e) < 0)
		goto done;
	if (ans.value.kind != QV_MATRIX) {
		err_set(e, "query of buckets resulted in non-Matrix");
		goto done;
	}
	for (size_t i = 0; i < ans.value.nitems; i++) {
		const struct qv_item *it = &ans.value.items[i];
		const char *name;
		char *key;
		size_t g;
		if (it->n == 0) {
			struct buf m = BUF_INIT;
			labels_format(&m, it->labels, it->nlabels);
			err_set(e, "%s has no float samples: query analyze of native histograms is not implemented in "
				   "this build", buf_str(&m));
			buf_release(&m);
			goto done;
		}
		name = label_value(it, "__name__");
		if (!label_value(it, "le"))
			continue;
		if (!name)
			name = "";
		if (strlen(name) < 7 || strcmp(name + strlen(name) - 7, "_bucket"))
			continue;
		key = series_key(c, it, name);
		for (g = 0; g < ngroups && strcmp(groups[g].key, key); g++)
			;
		if (g == ngroups) {
			if (ngroups == cap) {
				cap = cap ? 2 * cap : 8;
				groups = xreallocarray(groups, cap, sizeof(*groups));
			}
			memset(&groups[g], 0, sizeof(groups[g]));
			groups[g].key = key;
			ngroups++;
		} else {
			free(key);
		}
		if (groups[g].n == groups[g].cap) {
			groups[g].cap = groups[g].cap ? 2 * groups[g].cap : 8;
			groups[g].items = xreallocarray(groups[g].items, groups[g].cap, sizeof(size_t));
		}
		groups[g].items[groups[g].n++] = i;
	}
	for (size_t g = 0; g < ngroups; g++) {
		struct stats s;
		int r = classic_stats(&ans.value, &groups[g], &s, e);
		if (r < 0)
			goto done;
		if (r > 0)
			continue;
		printf("- %s (classic): ", groups[g].key);
		stats_print(stdout, &s);
		putchar('\n');
		meta_update(classic, &s);
	}
	rc = 0;
done:
	groups_release(groups, ngroups);
	query_answer_release(&ans);
	buf_release(&q);
	buf_release(&d);
	return rc;
}

int cmd_query_analyze(const struct cli_ctx *c)
{
	const char *type = cli_str(c, "type"), *t = cli_str(c, "time");
	const char *const *match;
	size_t nmatch = 0;
	struct query_api *api = NULL;
	struct go_url u;
	struct buf addr = BUF_INIT;
	struct err e = ERR_INIT;
	struct go_time end;
	struct meta_stats classic;
	int code = 1;

	match = cli_list(c, "match", &nmatch);
	if (strcmp(type ? type : "", "histogram")) {
		err_set(&e, "analyze type is %s, must be 'histogram'", type ? type : "");
		goto done;
	}
	/* newAPI: "http" for a missing scheme, api.NewClient's error as is */
	if (go_url_parse(&u, cli_str(c, "server"), &e) < 0)
		goto done;
	if (!u.scheme || !*u.scheme) {
		free(u.scheme);
		u.scheme = xstrdup("http");
	}
	go_url_format(&addr, &u, false);
	go_url_release(&u);
	if (query_api_remote_new(&api, buf_str(&addr), NULL, NULL, 0, &e) < 0)
		goto done;
	if (t && *t) {
		if (go_parse_promtool_time(&end, t) < 0) {
			struct buf q = BUF_INIT;
			go_quote(&q, t, strlen(t));
			err_set(&e, "error parsing time '%s': cannot parse %s to a valid timestamp", t, buf_str(&q));
			buf_release(&q);
			goto done;
		}
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		go_time_unix(&end, (int64_t)ts.tv_sec, ts.tv_nsec);
	}

	printf("%s\n\n", OUTPUT_HEADER);
	meta_init(&classic);
	for (size_t i = 0; i < nmatch; i++)
		if (analyze_match(c, api, match[i], cli_int(c, "duration"), &end, &classic, &e) < 0)
			goto done;
	printf("\n%s\n", OUTPUT_FOOTER);
	if (classic.min_pop.count > 0)
		meta_print(stdout, "Classic", &classic);
	code = 0;
done:
	fflush(stdout);
	if (code)
		fprintf(stderr, "%s\n", err_msg(&e));
	query_api_free(api);
	buf_release(&addr);
	err_release(&e);
	return code;
}
