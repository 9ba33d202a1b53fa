/*
 * The query API answered by our engine over a TSDB data directory: what a
 * Prometheus 2.42 server serving that directory (web/api/v1/api.go) would
 * answer to promtool's client, in the words the client would report.
 *
 *   times    promtool sends float seconds; the server rounds the fraction
 *            to milliseconds (parseTime) and takes Unix milliseconds
 *            (timestamp.FromTime)
 *   instant  the expression parsed (errors: bad_data: invalid parameter
 *            "query": ...) and evaluated at that time (errors: execution:
 *            ...); a vector's samples carry the evaluation time; a string
 *            result fails in the client exactly as the server's JSON for
 *            it makes client_golang fail ("unexpected value type")
 *   range    the rules importer's engine source (5-query/local.c), which
 *            already follows query_range's checks and wording
 *   series   every --match parsed by parser.ParseMetricSelector's rules
 *            (4-promql: bad_data: invalid
 *            parameter "match[]": ...), each needing a matcher that does
 *            not match "", the series with chunks in [start, end]; one
 *            selector in the querier's order, several merged and sorted
 *   labels   the label name checked (invalid label name), the matchers as
 *            for series but with plain bad_data errors, and the sorted
 *            distinct values of the label over the blocks (and head) the
 *            querier for [start, end] takes in: like the index lookups
 *            2.42 does, a whole block counts once it overlaps the range
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "3-tsdb/db_reader.h"
#include "4-promql/promql.h"
#include "5-query/apiresp.h"
#include "5-query/local.h"
#include "5-query/query_api.h"

struct local_api {
	struct query_api base;
	struct tsdb_db db;
	struct promql_storage st;
	struct query_source *engine;
	struct promql_engine_opts opts; /* the release imitated (compat) */
	struct promql_parse_opts popts;
};

/* int64(f) for a float Go converts: saturated instead of undefined. */
static int64_t sat_int(double f)
{
	if (f >= 9.2233720368547758e18)
		return INT64_MAX;
	if (f <= -9.2233720368547758e18)
		return INT64_MIN;
	return (int64_t)f;
}

static int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

static int64_t sat_mul(int64_t a, int64_t m)
{
	if (a > INT64_MAX / m)
		return INT64_MAX;
	if (a < INT64_MIN / m)
		return INT64_MIN;
	return a * m;
}

/* The server's parseTime of formatTime(t), as Unix milliseconds. */
static int64_t api_ms(const struct go_time *t)
{
	double f = (double)t->sec + (double)t->nsec / 1e9, whole, frac;
	int64_t sec, ns;

	frac = modf(f, &whole);
	frac = round(frac * 1000) / 1000;
	sec = sat_int(whole);
	ns = (int64_t)(frac * 1e9);
	if (ns < 0) { /* time.Unix normalises a negative nsec */
		ns += 1000000000;
		sec = sat_add(sec, -1);
	}
	return sat_add(sat_mul(sec, 1000), ns / 1000000);
}

/* A go_time in nanoseconds, for the engine source (saturated). */
static int64_t time_ns(const struct go_time *t)
{
	return sat_add(sat_mul(t->sec, 1000000000), t->nsec);
}

/* ---- instant ----------------------------------------------------------- */

/*
 * The server answers a string result with {"resultType":"string",
 * "result":[<t>,"<s>"]}; client_golang's queryResult refuses that type.
 * Running its decoder over those very bytes gives promtool's message.
 */
static int string_result_error(int64_t t, const char *s, struct err *e)
{
	struct buf data = BUF_INIT;
	struct api_resp r;
	int rc;

	buf_adds(&data, "{\"resultType\":\"string\",\"result\":[");
	go_fmt_f(&data, (double)t / 1000.0);
	buf_addc(&data, ',');
	go_json_quote(&data, s, strlen(s));
	buf_adds(&data, "]}");
	api_resp_init(&r);
	r.data = buf_str(&data);
	r.data_len = data.len;
	r.has_data = true;
	rc = api_resp_decode_result(&r, e);
	api_resp_release(&r);
	buf_release(&data);
	if (rc == 0) /* cannot happen: the type is always refused */
		return err_set(e, "unexpected value type \"string\"");
	return -1;
}

static int local_instant(struct query_api *api, const char *expr, const struct go_time *t, struct query_answer *out,
			 struct err *e)
{
	struct local_api *l = (struct local_api *)api;
	struct query_value *qv = &out->value;
	struct promql_expr *x = NULL;
	struct promql_result r;
	struct err pe = ERR_INIT;
	int64_t ms = api_ms(t);
	int rc = -1;

	promql_result_init(&r);
	if (promql_parse_with(&x, expr, strlen(expr), &l->popts, &pe) < 0) {
		err_set(e, "bad_data: invalid parameter \"query\": %s", err_msg(&pe));
		goto done;
	}
	if (promql_eval_instant(&r, &l->st, promql_expr_root(x), ms, &l->opts, &pe) < 0) {
		err_set(e, "execution: %s", err_msg(&pe));
		goto done;
	}
	switch (r.type) {
	case PROMQL_TYPE_SCALAR:
		qv->kind = QV_SCALAR;
		query_value_add_sample(qv, ms, r.scalar);
		break;
	case PROMQL_TYPE_STRING:
		string_result_error(ms, r.str ? r.str : "", e);
		goto done;
	case PROMQL_TYPE_VECTOR:
	case PROMQL_TYPE_MATRIX:
		qv->kind = r.type == PROMQL_TYPE_VECTOR ? QV_VECTOR : QV_MATRIX;
		for (size_t i = 0; i < r.nseries; i++) {
			const struct promql_result_series *s = &r.series[i];
			query_value_add_item(qv, s->labels, s->nlabels);
			if (r.type == PROMQL_TYPE_VECTOR) {
				/* 2.42 stamps a vector's samples with the evaluation time */
				query_value_add_sample(qv, ms, s->n ? s->v[0] : 0);
				continue;
			}
			for (size_t j = 0; j < s->n; j++)
				query_value_add_sample(qv, s->t[j], s->v[j]);
		}
		break;
	default:
		err_set(e, "execution: unexpected expression type");
		goto done;
	}
	rc = 0;
done:
	promql_result_release(&r);
	promql_expr_free(x);
	err_release(&pe);
	return rc;
}

/* ---- range ------------------------------------------------------------- */

static int collect_series(void *arg, const struct query_series *s, struct err *e)
{
	struct query_value *qv = arg;

	(void)e;
	query_value_add_item(qv, s->labels, s->nlabels);
	for (size_t i = 0; i < s->n; i++)
		query_value_add_sample(qv, s->t[i], s->v[i]);
	return 0;
}

static int local_range(struct query_api *api, const char *expr, const struct go_time *start,
		       const struct go_time *end, int64_t step_ns, struct query_answer *out, struct err *e)
{
	struct local_api *l = (struct local_api *)api;
	struct query_sink sink = { &out->value, NULL, collect_series };

	out->value.kind = QV_MATRIX;
	return query_source_range(l->engine, expr, time_ns(start), time_ns(end), step_ns, &sink, e);
}

/* ---- series and label values ------------------------------------------ */

/* The --match selectors, parsed as the API's parseMatchersParam does. */
struct sets {
	struct promql_expr **x;
	const struct label_matcher **m;
	size_t *nm;
	size_t n;
};

static void sets_release(struct sets *s)
{
	for (size_t i = 0; i < s->n; i++)
		promql_expr_free(s->x[i]);
	free(s->x);
	free(s->m);
	free(s->nm);
	memset(s, 0, sizeof(*s));
}

/*
 * Each selector through parser.ParseMetricSelector; every set needs a
 * matcher that does not match the empty string.  prefix goes before each
 * message ("bad_data: invalid parameter \"match[]\": " for series).
 */
static int parse_sets(struct sets *s, const struct promql_parse_opts *po, const char *const *match, size_t n,
		      const char *prefix, struct err *e)
{
	struct err pe = ERR_INIT;

	memset(s, 0, sizeof(*s));
	s->x = xcalloc(n ? n : 1, sizeof(*s->x));
	s->m = xcalloc(n ? n : 1, sizeof(*s->m));
	s->nm = xcalloc(n ? n : 1, sizeof(*s->nm));
	for (; s->n < n; s->n++) {
		const struct promql_node *vs;
		if (promql_parse_metric_selector_with(&s->x[s->n], match[s->n], strlen(match[s->n]), po, &pe) < 0) {
			err_set(e, "%s%s", prefix, err_msg(&pe));
			err_release(&pe);
			return -1;
		}
		vs = promql_expr_root(s->x[s->n]);
		s->m[s->n] = vs->u.vector.matchers;
		s->nm[s->n] = vs->u.vector.nmatchers;
	}
	for (size_t i = 0; i < n; i++) {
		bool nonempty = false;
		for (size_t j = 0; j < s->nm[i] && !nonempty; j++)
			nonempty = !tsdb_matcher_matches(&s->m[i][j], "");
		if (!nonempty)
			return err_set(e, "%smatch[] must contain at least one non-empty matcher", prefix);
	}
	return 0;
}

/* One set in the querier's order, several as their sorted union. */
static int select_sets(struct local_api *l, const struct sets *s, int64_t mint, int64_t maxt,
		       struct tsdb_series_set **out, struct err *e)
{
	if (s->n == 1)
		return tsdb_db_select(&l->db, s->m[0], s->nm[0], mint, maxt, out, e);
	return tsdb_db_select_union(&l->db, s->m, s->nm, s->n, mint, maxt, out, e);
}

static int local_series(struct query_api *api, const char *const *match, size_t nmatch, const struct go_time *start,
			const struct go_time *end, struct query_answer *out, struct err *e)
{
	struct local_api *l = (struct local_api *)api;
	struct sets sets;
	struct tsdb_series_set *set = NULL;
	int r, rc = -1;

	out->value.kind = QV_LABELSETS;
	if (parse_sets(&sets, &l->popts, match, nmatch, "bad_data: invalid parameter \"match[]\": ", e) < 0)
		goto done;
	if (select_sets(l, &sets, api_ms(start), api_ms(end), &set, e) < 0)
		goto done;
	while ((r = tsdb_series_set_next(set, e)) > 0) {
		size_t n;
		const struct label *ls = tsdb_series_set_labels(set, &n);
		query_value_add_item(&out->value, ls, n);
	}
	if (r < 0) {
		err_wrap(e, "execution");
		goto done;
	}
	rc = 0;
done:
	tsdb_series_set_free(set);
	sets_release(&sets);
	return rc;
}

/*
 * The time range that takes in exactly the blocks (and head) a querier
 * for [mint, maxt] uses, whole: their series are what 2.42's index-based
 * LabelValues sees.  False when none takes part.
 */
static bool querier_span(const struct tsdb_db *db, int64_t mint, int64_t maxt, int64_t *lo, int64_t *hi)
{
	bool any = false;

	*lo = INT64_MAX;
	*hi = INT64_MIN;
	for (size_t i = 0; i < db->nblocks; i++) {
		const struct block_meta *m = &db->blocks[i].meta;
		if (m->min_time > maxt || m->max_time < mint)
			continue; /* OverlapsClosedInterval */
		any = true;
		if (m->min_time < *lo)
			*lo = m->min_time;
		if (m->max_time > *hi)
			*hi = m->max_time;
	}
	if (db->head_loaded && db->head.nseries && maxt >= db->head.mint && mint <= db->head.maxt) {
		any = true;
		if (db->head.mint < *lo)
			*lo = db->head.mint;
		*hi = INT64_MAX;
	}
	return any;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int local_label_values(struct query_api *api, const char *name, const char *const *match, size_t nmatch,
			      const struct go_time *start, const struct go_time *end, struct query_answer *out,
			      struct err *e)
{
	struct local_api *l = (struct local_api *)api;
	struct query_value *qv = &out->value;
	struct sets sets;
	/* without matchers: every series that has the label */
	struct label_matcher has = { LABEL_MATCH_NOT_EQUAL, name, "", 0, NULL };
	struct tsdb_series_set *set = NULL;
	char **vals = NULL;
	size_t nvals = 0, cap = 0, w = 0;
	int64_t lo, hi;
	int r, rc = -1;

	qv->kind = QV_STRINGS;
	memset(&sets, 0, sizeof(sets));
	if (!labels_valid_name(name)) {
		struct buf q = BUF_INIT;
		go_quote(&q, name, strlen(name));
		err_set(e, "bad_data: invalid label name: %s", buf_str(&q));
		buf_release(&q);
		goto done;
	}
	if (parse_sets(&sets, &l->popts, match, nmatch, "bad_data: ", e) < 0)
		goto done;
	if (!querier_span(&l->db, api_ms(start), api_ms(end), &lo, &hi)) {
		rc = 0;
		goto done;
	}
	if (!nmatch)
		r = tsdb_db_select(&l->db, &has, 1, lo, hi, &set, e);
	else
		r = select_sets(l, &sets, lo, hi, &set, e);
	if (r < 0)
		goto done;
	while ((r = tsdb_series_set_next(set, e)) > 0) {
		size_t n;
		const struct label *ls = tsdb_series_set_labels(set, &n);
		const char *v = labels_get(ls, n, name);
		if (!v || !*v)
			continue;
		ALLOC_GROW(vals, nvals + 1, cap);
		vals[nvals++] = xstrdup(v);
	}
	if (r < 0) {
		err_wrap(e, "execution");
		goto done;
	}
	if (nvals)
		qsort(vals, nvals, sizeof(*vals), str_cmp);
	for (size_t i = 0; i < nvals; i++)
		if (!w || strcmp(vals[i], vals[w - 1]))
			vals[w++] = vals[i];
		else
			free(vals[i]);
	nvals = w;
	for (size_t i = 0; i < nvals; i++)
		query_value_add_string(qv, vals[i], strlen(vals[i]));
	rc = 0;
done:
	for (size_t i = 0; i < nvals; i++)
		free(vals[i]);
	free(vals);
	tsdb_series_set_free(set);
	sets_release(&sets);
	return rc;
}

/* ---- lifecycle --------------------------------------------------------- */

static void local_free(struct query_api *api)
{
	struct local_api *l = (struct local_api *)api;

	query_source_free(l->engine);
	tsdb_db_release(&l->db);
	free(l);
}

static const struct query_api_ops local_ops = {
	local_instant, local_range, local_series, local_label_values, local_free,
};

int query_api_local_open(struct query_api **out, const char *dir, const struct promql_engine_opts *opts,
			 struct err *e)
{
	struct local_api *l = xcalloc(1, sizeof(*l));

	*out = NULL;
	l->base.ops = &local_ops;
	if (opts)
		l->opts = *opts;
	l->popts.compat = l->opts.compat;
	l->popts.experimental_functions = l->opts.experimental_functions;
	l->popts.duration_expressions = l->opts.duration_expressions;
	l->popts.binop_fill_modifiers = l->opts.binop_fill_modifiers;
	l->popts.extended_range_selectors = l->opts.extended_range_selectors;
	tsdb_db_init(&l->db);
	if (tsdb_db_open(&l->db, dir, INT64_MAX, e) < 0) {
		tsdb_db_release(&l->db);
		free(l);
		return -1;
	}
	l->st = promql_tsdb_storage(&l->db);
	if (promql_engine_source_new(&l->engine, &l->st, &l->opts, e) < 0) {
		local_free(&l->base);
		return -1;
	}
	*out = &l->base;
	return 0;
}
