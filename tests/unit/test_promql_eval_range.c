/*
 * Range queries against the answers of the real Prometheus 2.42: for every
 * query of testdata/promql-eval/range/queries.txt (and of regex/ and
 * regex-random/, the same layout: regexps that make a backtracking matcher
 * give up, label_replace, 500 random regexps; of subquery/: nested
 * subqueries with @ and offset over series that come and go, which the
 * subquery cache serves from one outer step to the next),
 * our promql_eval_range()
 * over the samples of input.om must give exactly the series, order, points
 * and value strings that 2.42's query_range API returned (golden.txt, made
 * by regen.sh), or the same error message.
 *
 * The same queries then go through the query source of --source-dir
 * (5-query/local.h) over data/, the blocks real promtool made of input.om,
 * so the TSDB storage adapter and the API-like source are held to the same
 * answers.  Also unit checks of the storage and the series-description
 * expander.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "1-common/gofmt.h"
#include "2-model/labels.h"
#include "1-common/xalloc.h"
#include "4-promql/ast.h"
#include "5-query/local.h"
#include "4-promql/eval_values.h"
#include "4-promql/eval.h"
#include "4-promql/promql.h"
#include "4-promql/storage.h"
#include "tests/unit/check.h"

/* The sets of queries, each a directory with input.om, queries.txt,
 * golden.txt and data/. */
static const char *const dirs[] = { "testdata/promql-eval/range", "testdata/promql-eval/regex",
				    "testdata/promql-eval/regex-random", "testdata/promql-eval/subquery" };

static FILE *open_in(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fopen(path, "r");
}

static char *trim_nl(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* input.om lines are `name{labels} value timestamp-seconds`. */
static int load_input(const char *dir, struct promql_memstore *ms, int64_t *base)
{
	FILE *f = open_in(dir, "input.om");
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	if (!f)
		return -1;
	*base = INT64_MIN;
	while (getline(&line, &cap, f) >= 0) {
		struct labels ls = LABELS_INIT;
		double *vals = NULL;
		bool *om = NULL;
		size_t nv = 0, vcap = 0;
		struct err e = ERR_INIT;

		trim_nl(line);
		if (line[0] == '#' || !line[0])
			continue;
		if (promql_parse_series_desc(line, strlen(line), &ls, &vals, &om, &nv, &vcap, &e) < 0 || nv != 2 ||
		    promql_memstore_append(ms, ls.v, ls.n, (int64_t)vals[1] * 1000, vals[0], &e) < 0) {
			fprintf(stderr, "input.om: %s: %s\n", line, err_msg(&e));
			rc = -1;
		}
		if (*base == INT64_MIN && nv == 2)
			*base = (int64_t)vals[1];
		err_release(&e);
		labels_release(&ls);
		free(vals);
		free(om);
		if (rc < 0)
			break;
	}
	free(line);
	fclose(f);
	return rc;
}

/* Compares our result with the API's "data" object; why gets the reason. */
static int compare(const struct promql_result *r, json_t *data, struct buf *why)
{
	json_t *res = json_object_get(data, "result");

	if (!json_is_array(res) || json_array_size(res) != r->nseries) {
		buf_addf(why, "%zu series, want %zu", r->nseries, json_array_size(res));
		return -1;
	}
	for (size_t i = 0; i < r->nseries; i++) {
		const struct promql_result_series *s = &r->series[i];
		json_t *js = json_array_get(res, i);
		json_t *metric = json_object_get(js, "metric"), *values = json_object_get(js, "values");

		if (json_object_size(metric) != s->nlabels) {
			buf_addf(why, "series %zu: %zu labels, want %zu", i, s->nlabels, json_object_size(metric));
			return -1;
		}
		for (size_t j = 0; j < s->nlabels; j++) {
			const char *v = json_string_value(json_object_get(metric, s->labels[j].name));
			if (!v || strcmp(v, s->labels[j].value)) {
				buf_addf(why, "series %zu: label %s=\"%s\", want \"%s\"", i, s->labels[j].name,
					 s->labels[j].value, v ? v : "(none)");
				return -1;
			}
		}
		if (json_array_size(values) != s->n) {
			buf_addf(why, "series %zu: %zu points, want %zu", i, s->n, json_array_size(values));
			return -1;
		}
		for (size_t j = 0; j < s->n; j++) {
			json_t *p = json_array_get(values, j);
			double t = json_number_value(json_array_get(p, 0));
			const char *want = json_string_value(json_array_get(p, 1));
			struct buf got = BUF_INIT;
			int bad;

			/* The API writes |v| < 1e-6 and >= 1e21 with an exponent
			 * (util/jsonutil MarshalFloat). */
			if (s->v[j] != 0 && (fabs(s->v[j]) < 1e-6 || fabs(s->v[j]) >= 1e21))
				go_fmt_e(&got, s->v[j]);
			else
				go_fmt_f(&got, s->v[j]);
			bad = llround(t * 1000) != s->t[j] || !want || strcmp(want, buf_str(&got));
			if (bad)
				buf_addf(why, "series %zu point %zu: (%lld, %s), want (%.3f, %s)", i, j,
					 (long long)s->t[j], buf_str(&got), t, want ? want : "?");
			buf_release(&got);
			if (bad)
				return -1;
		}
	}
	return 0;
}

/* Errors of the query_range handler itself (not of the engine). */
static bool api_only_error(json_t *want)
{
	const char *we = json_string_value(json_object_get(want, "error"));

	return we && (!strncmp(we, "invalid parameter", 17) || !strncmp(we, "exceeded maximum", 16));
}

static void test_range_golden(const char *dir)
{
	struct promql_memstore ms;
	struct promql_storage st;
	FILE *q = open_in(dir, "queries.txt"), *g = open_in(dir, "golden.txt");
	char *ql = NULL, *gl = NULL;
	size_t qc = 0, gc = 0;
	int64_t base;
	int n = 0;

	promql_memstore_init(&ms);
	CHECK(q && g);
	if (!q || !g || load_input(dir, &ms, &base) < 0) {
		CHECK(0);
		goto done;
	}
	st = promql_memstore_storage(&ms);
	while (getline(&ql, &qc, q) >= 0) {
		long long s, e;
		double step;
		int off = 0;
		struct promql_expr *x = NULL;
		struct promql_result r;
		struct err err = ERR_INIT;
		struct buf why = BUF_INIT;
		json_t *want;
		json_error_t je;

		trim_nl(ql);
		if (ql[0] == '#' || !ql[0])
			continue;
		if (sscanf(ql, "%lld %lld %lf %n", &s, &e, &step, &off) != 3 || getline(&gl, &gc, g) < 0) {
			fprintf(stderr, "bad query line or golden.txt too short: %s\n", ql);
			CHECK(0);
			break;
		}
		n++;
		want = json_loads(gl, 0, &je);
		CHECK(want != NULL);
		if (api_only_error(want)) {
			/* The API's own parameter checks: only the source has them. */
			json_decref(want);
			continue;
		}
		promql_result_init(&r);
		if (promql_parse(&x, ql + off, strlen(ql + off), &err) < 0) {
			const char *we = json_string_value(json_object_get(want, "error"));
			if (!we || strcmp(we, err_msg(&err)))
				buf_addf(&why, "parse: %s", err_msg(&err));
		} else if (promql_eval_range(&r, &st, promql_expr_root(x), (base + s) * 1000, (base + e) * 1000,
					     llround(step * 1000), NULL, &err) < 0) {
			const char *we = json_string_value(json_object_get(want, "error"));
			if (!we || strcmp(we, err_msg(&err)))
				buf_addf(&why, "error \"%s\", want %s", err_msg(&err), we ? we : "a result");
		} else if (json_object_get(want, "error")) {
			buf_addf(&why, "no error, want \"%s\"", json_string_value(json_object_get(want, "error")));
		} else {
			compare(&r, json_object_get(want, "data"), &why);
		}
		if (why.len) {
			fprintf(stderr, "queries.txt: %s: %s\n", ql + off, buf_str(&why));
			printf("FAIL range query %d: %s\n", n, ql + off);
			check_state_.failed++;
		} else {
			printf("PASS range query %d: %s\n", n, ql + off);
			check_state_.passed++;
		}
		json_decref(want);
		promql_result_release(&r);
		promql_expr_free(x);
		err_release(&err);
		buf_release(&why);
	}
	CHECK(n > 0);
done:
	if (q)
		fclose(q);
	if (g)
		fclose(g);
	free(ql);
	free(gl);
	promql_memstore_release(&ms);
}

struct collect {
	struct promql_result r;
	size_t cap;
	char *type;
};

static int on_begin(void *arg, const char *type, const char *const *w, size_t nw, struct err *e)
{
	struct collect *c = arg;
	(void)w, (void)nw, (void)e;
	free(c->type);
	c->type = xstrdup(type);
	return 0;
}

/* Copies a series into the result; the strings are leaked into a list
 * owned by the test (freed at the end). */
static char **strs;
static size_t nstrs, strcap;

static const char *keep(const char *s)
{
	ALLOC_GROW(strs, nstrs + 1, strcap);
	return strs[nstrs++] = xstrdup(s);
}

static int on_series(void *arg, const struct query_series *qs, struct err *e)
{
	struct collect *c = arg;
	struct promql_result_series *rs;
	(void)e;
	ALLOC_GROW(c->r.series, c->r.nseries + 1, c->cap);
	rs = &c->r.series[c->r.nseries++];
	rs->nlabels = qs->nlabels;
	rs->labels = xcalloc(qs->nlabels + 1, sizeof(*rs->labels));
	for (size_t i = 0; i < qs->nlabels; i++) {
		rs->labels[i].name = keep(qs->labels[i].name);
		rs->labels[i].value = keep(qs->labels[i].value);
	}
	rs->n = qs->n;
	rs->t = xmalloc((qs->n + 1) * sizeof(*rs->t));
	rs->v = xmalloc((qs->n + 1) * sizeof(*rs->v));
	memcpy(rs->t, qs->t, qs->n * sizeof(*rs->t));
	memcpy(rs->v, qs->v, qs->n * sizeof(*rs->v));
	return 0;
}

static void test_range_golden_source_dir(const char *dir)
{
	struct query_source *src = NULL;
	struct err err = ERR_INIT;
	FILE *q = open_in(dir, "queries.txt"), *g = open_in(dir, "golden.txt");
	char data[256];
	char *ql = NULL, *gl = NULL;
	size_t qc = 0, gc = 0;
	int64_t base;
	int n = 0;

	{
		struct promql_memstore ms;
		promql_memstore_init(&ms);
		CHECK_EQ_I(load_input(dir, &ms, &base), 0);
		promql_memstore_release(&ms);
	}
	snprintf(data, sizeof(data), "%s/data", dir);
	if (!q || !g || promql_engine_source_open_dir(&src, data, NULL, &err) < 0) {
		fprintf(stderr, "source dir: %s\n", err_msg(&err));
		printf("FAIL range queries from %s\n", data);
		check_state_.failed++;
		goto done;
	}
	while (getline(&ql, &qc, q) >= 0) {
		long long s, e;
		double step;
		int off = 0;
		struct collect c = { 0 };
		struct query_sink sink = { &c, on_begin, on_series };
		struct buf why = BUF_INIT;
		json_t *want;
		json_error_t je;

		trim_nl(ql);
		if (ql[0] == '#' || !ql[0])
			continue;
		if (sscanf(ql, "%lld %lld %lf %n", &s, &e, &step, &off) != 3 || getline(&gl, &gc, g) < 0)
			break;
		n++;
		want = json_loads(gl, 0, &je);
		promql_result_init(&c.r);
		if (query_source_range(src, ql + off, (base + s) * 1000000000LL, (base + e) * 1000000000LL,
				       llround(step * 1e9), &sink, &err) < 0) {
			const char *we = json_string_value(json_object_get(want, "error"));
			const char *wt = json_string_value(json_object_get(want, "errorType"));
			struct buf full = BUF_INIT;
			/* The API client shows "<errorType>: <error>". */
			buf_addf(&full, "%s: %s", wt ? wt : "", we ? we : "");
			if (!we || strcmp(err_msg(&err), buf_str(&full)))
				buf_addf(&why, "error \"%s\", want %s", err_msg(&err), we ? buf_str(&full) : "a result");
			buf_release(&full);
			err_release(&err);
		} else if (json_object_get(want, "error")) {
			buf_addf(&why, "no error, want \"%s\"", json_string_value(json_object_get(want, "error")));
		} else {
			if (!c.type || strcmp(c.type, "matrix"))
				buf_addf(&why, "result type %s, want matrix", c.type ? c.type : "(none)");
			else
				compare(&c.r, json_object_get(want, "data"), &why);
		}
		if (why.len) {
			fprintf(stderr, "queries.txt (source dir): %s: %s\n", ql + off, buf_str(&why));
			printf("FAIL range query %d from blocks: %s\n", n, ql + off);
			check_state_.failed++;
		} else {
			printf("PASS range query %d from blocks: %s\n", n, ql + off);
			check_state_.passed++;
		}
		for (size_t i = 0; i < c.r.nseries; i++)
			free(c.r.series[i].labels);
		promql_result_release(&c.r);
		free(c.type);
		json_decref(want);
		buf_release(&why);
	}
	CHECK(n > 0);
done:
	if (q)
		fclose(q);
	if (g)
		fclose(g);
	free(ql);
	free(gl);
	query_source_free(src);
	for (size_t i = 0; i < nstrs; i++)
		free(strs[i]);
	free(strs);
	strs = NULL;
	nstrs = strcap = 0;
}

static void test_lset_hash(void)
{
	static char big[2000];
	struct label a[] = { { "__name__", "up" }, { "job", "x" } };
	struct label b[] = { { "a", big } };

	memset(big, 'v', sizeof(big) - 1);
	CHECK_EQ_U(lset_hash((struct lset){ a, 2 }), labels_hash(a, 2));
	CHECK_EQ_U(lset_hash((struct lset){ b, 1 }), labels_hash(b, 1));
	CHECK_EQ_U(lset_hash((struct lset){ NULL, 0 }), labels_hash(NULL, 0));
	CHECK(lset_hash((struct lset){ a, 1 }) != lset_hash((struct lset){ a, 2 }));
}

static void test_api_times(void)
{
	/* 1.5004s: the server rounds the fraction to whole milliseconds */
	CHECK_EQ_I(promql_api_time_ms(1500400000), 1500);
	CHECK_EQ_I(promql_api_time_ms(1500600000), 1501);
	/* 0.5005 is 0.50049999... as a double: rounds down, as in Go */
	CHECK_EQ_I(promql_api_time_ms(1500500000), 1500);
	CHECK_EQ_I(promql_api_time_ms(1700000000123456789LL), 1700000000123);
	CHECK_EQ_I(promql_api_step_ms(60000000000LL), 60000);
	CHECK_EQ_I(promql_api_step_ms(1500000), 1);
}

static void test_series_desc(void)
{
	const char *in = "a{x=\"y\", b='q\\n'} 0+10x2 _ _x2 1 stale -1-0.5x1 2x1";
	struct labels ls = LABELS_INIT;
	double *v = NULL;
	bool *om = NULL;
	size_t n = 0, cap = 0;
	struct err e = ERR_INIT;
	static const double want[] = { 0, 10, 20, 0, 0, 0, 1, 0, -1, -1.5, 2, 2 };
	static const bool want_om[] = { 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0 };

	CHECK_EQ_I(promql_parse_series_desc(in, strlen(in), &ls, &v, &om, &n, &cap, &e), 0);
	CHECK_EQ_U(n, 12);
	for (size_t i = 0; i < n && i < 12; i++) {
		CHECK_EQ_I(om[i], want_om[i]);
		if (i == 7)
			CHECK_EQ_U(double_bits(v[i]), 0x7FF0000000000002ULL);
		else if (!om[i])
			CHECK(v[i] == want[i]);
	}
	CHECK_EQ_U(ls.n, 3);
	CHECK_STR(labels_get(ls.v, ls.n, "__name__"), "a");
	CHECK_STR(labels_get(ls.v, ls.n, "b"), "q\n");
	labels_release(&ls);
	free(v);
	free(om);
	n = 0;
	cap = 0;
	v = NULL;
	om = NULL;
	CHECK_EQ_I(promql_parse_series_desc("a 1 x", 5, &ls, &v, &om, &n, &cap, &e), -1);
	CHECK(err_isset(&e));
	err_release(&e);
	labels_release(&ls);
	free(v);
	free(om);
}

static void test_memstore(void)
{
	struct promql_memstore ms;
	struct label a[] = { { "__name__", "m" }, { "k", "1" } };
	struct label b[] = { { "k", "2" }, { "__name__", "m" } };
	struct err e = ERR_INIT;
	struct promql_storage st;
	struct promql_series_set set;
	struct label_matcher m = { LABEL_MATCH_EQUAL, "__name__", "m", 1, NULL };

	promql_memstore_init(&ms);
	CHECK_EQ_I(promql_memstore_append(&ms, b, 2, 1000, 1, &e), 0);
	CHECK_EQ_I(promql_memstore_append(&ms, a, 2, 1000, 1, &e), 0);
	CHECK_EQ_I(promql_memstore_append(&ms, a, 2, 2000, 2, &e), 0);
	CHECK_EQ_I(promql_memstore_append(&ms, a, 2, 2000, 2, &e), 0); /* same sample: dropped */
	CHECK_EQ_I(promql_memstore_append(&ms, a, 2, 2000, 3, &e), -1);
	CHECK_STR(err_msg(&e), "duplicate sample for timestamp");
	err_release(&e);
	CHECK_EQ_I(promql_memstore_append(&ms, a, 2, 500, 3, &e), -1);
	CHECK_STR(err_msg(&e), "out of order sample");
	err_release(&e);
	st = promql_memstore_storage(&ms);
	CHECK_EQ_I(st.select(st.ctx, &m, 1, 1500, 5000, &set, &e), 0);
	/* Only m{k="1"} has samples in [1500, 5000]. */
	CHECK_EQ_U(set.n, 1);
	if (set.n == 1) {
		CHECK_STR(labels_get(set.v[0].labels, set.v[0].nlabels, "k"), "1");
		CHECK_EQ_U(set.v[0].n, 1);
		CHECK_EQ_I(set.v[0].t[0], 2000);
	}
	promql_series_set_release(&set);
	CHECK_EQ_I(st.select(st.ctx, &m, 1, 0, 5000, &set, &e), 0);
	CHECK_EQ_U(set.n, 2); /* sorted by labels */
	if (set.n == 2)
		CHECK_STR(labels_get(set.v[0].labels, set.v[0].nlabels, "k"), "1");
	promql_series_set_release(&set);
	promql_memstore_release(&ms);
}

static void test_range_type_error(void)
{
	struct promql_memstore ms;
	struct promql_storage st;
	struct promql_expr *x = NULL;
	struct promql_result r;
	struct err e = ERR_INIT;

	promql_memstore_init(&ms);
	st = promql_memstore_storage(&ms);
	CHECK_EQ_I(promql_parse(&x, "m[5m]", 5, &e), 0);
	CHECK_EQ_I(promql_eval_range(&r, &st, promql_expr_root(x), 0, 60000, 1000, NULL, &e), -1);
	CHECK_STR(err_msg(&e), "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
	err_release(&e);
	promql_expr_free(x);
	promql_memstore_release(&ms);
}

int main(void)
{
	RUN(test_series_desc);
	RUN(test_memstore);
	RUN(test_range_type_error);
	RUN(test_api_times);
	RUN(test_lset_hash);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		test_range_golden(dirs[i]);
		test_range_golden_source_dir(dirs[i]);
	}
	return check_done();
}
