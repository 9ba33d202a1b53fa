/*
 * The evaluator's query limits against real Prometheus 2.42: for every query
 * of testdata/promql-eval/limits/queries.txt over the blocks of
 * testdata/promql-eval/range/data, the peak sample count our model of
 * 2.42's engine computes must be the peakSamples 2.42 reported (golden.txt,
 * made by regen.sh) for a range and an instant query -- or at most it, for
 * queries marked "~" -- and with max_samples 1000 the range query must pass
 * or fail as 2.42 started with --query.max-samples=1000 did, with its words.
 * A limit equal to the peak passes and one below fails, as in 2.42's own
 * TestQueryStatistics.
 *
 * Also: the timeout, and the --source-dir query source's defaults (50M
 * samples, 2m) with the errors promtool's API client reports for them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/err.h"
#include "3-tsdb/db_reader.h"
#include "4-promql/ast.h"
#include "4-promql/eval.h"
#include "4-promql/promql.h"
#include "5-query/local.h"
#include "tests/unit/check.h"

#define DIR "testdata/promql-eval/limits"
#define DATA "testdata/promql-eval/range/data"
#define BASE 1700000000LL

struct outcome {
	int rc;
	uint64_t peak;
	char msg[200];
};

static void eval(const struct promql_storage *st, const char *q, bool range, int64_t max, struct outcome *o)
{
	struct promql_expr *x = NULL;
	struct promql_result r;
	struct err e = ERR_INIT;
	struct promql_engine_opts opts = { .max_samples = max };

	memset(o, 0, sizeof(*o));
	if (promql_parse(&x, q, strlen(q), &e) < 0) {
		o->rc = -1;
		snprintf(o->msg, sizeof(o->msg), "%s", err_msg(&e));
		err_release(&e);
		return;
	}
	if (range)
		o->rc = promql_eval_range(&r, st, promql_expr_root(x), (BASE + 600) * 1000, (BASE + 13980) * 1000,
					  60000, &opts, &e);
	else
		o->rc = promql_eval_instant(&r, st, promql_expr_root(x), (BASE + 7200) * 1000, &opts, &e);
	if (o->rc == 0) {
		o->peak = r.peak_samples;
		promql_result_release(&r);
	} else {
		snprintf(o->msg, sizeof(o->msg), "%s", err_msg(&e));
	}
	err_release(&e);
	promql_expr_free(x);
}

/* A golden field: a peak, or "error: <text>" as 2.42 answered. */
static bool same(const struct outcome *o, const char *want, bool at_most)
{
	if (!strncmp(want, "error: ", 7))
		return o->rc < 0 && !strcmp(o->msg, want + 7);
	if (o->rc < 0)
		return false;
	return at_most ? o->peak <= strtoull(want, NULL, 10) : o->peak == strtoull(want, NULL, 10);
}

static void test_peaks(void)
{
	FILE *qf = fopen(DIR "/queries.txt", "r"), *gf = fopen(DIR "/golden.txt", "r");
	char q[4096], g[4096];
	struct tsdb_db db;
	struct promql_storage st;
	struct err e = ERR_INIT;
	int n = 0, exact = 0, bad = 0, limited = 0;

	tsdb_db_init(&db);
	CHECK(qf && gf);
	CHECK_EQ_I(tsdb_db_open(&db, DATA, INT64_MAX, &e), 0);
	if (!qf || !gf || err_isset(&e))
		goto done;
	st = promql_tsdb_storage(&db);
	while (fgets(q, sizeof(q), qf)) {
		char *f[3], *p;
		const char *expr = q;
		bool at_most = false;
		struct outcome ro, io, lo;

		q[strcspn(q, "\n")] = '\0';
		if (q[0] == '#' || !q[0])
			continue;
		if (q[0] == '~') {
			at_most = true;
			expr++;
		}
		if (!fgets(g, sizeof(g), gf)) {
			CHECK(!"golden.txt has fewer lines than queries.txt");
			break;
		}
		g[strcspn(g, "\n")] = '\0';
		f[0] = g;
		f[1] = (p = strchr(f[0], '\t')) ? (*p = '\0', p + 1) : "";
		f[2] = (p = strchr(f[1], '\t')) ? (*p = '\0', p + 1) : "";
		n++;
		eval(&st, expr, true, INT64_MAX, &ro);
		eval(&st, expr, false, INT64_MAX, &io);
		eval(&st, expr, true, 1000, &lo);
		if (!same(&ro, f[0], at_most) || !same(&io, f[1], at_most)) {
			fprintf(stderr, "%s: peaks range %llu instant %llu (%s), 2.42: %s %s\n", expr,
				(unsigned long long)ro.peak, (unsigned long long)io.peak, ro.rc ? ro.msg : io.msg, f[0],
				f[1]);
			bad++;
		}
		exact += !at_most;
		if (!at_most && strcmp(f[2], "ok") ? !same(&lo, f[2], false) : (!at_most && lo.rc != 0)) {
			fprintf(stderr, "%s: with max_samples 1000: %s, 2.42: %s\n", expr, lo.rc ? lo.msg : "ok", f[2]);
			bad++;
		}
		limited += strcmp(f[2], "ok") != 0;
		/* the limit is a strict bound on the peak */
		if (!at_most && ro.rc == 0 && ro.peak > 0) {
			struct outcome eq, below;
			eval(&st, expr, true, (int64_t)ro.peak, &eq);
			eval(&st, expr, true, (int64_t)ro.peak - 1, &below);
			if (eq.rc != 0 || below.rc == 0) {
				fprintf(stderr, "%s: limit %llu gives %d, one less %d\n", expr, (unsigned long long)ro.peak,
					eq.rc, below.rc);
				bad++;
			}
		}
	}
	CHECK(!fgets(g, sizeof(g), gf)); /* as many answers as queries */
	CHECK_EQ_I(bad, 0);
	CHECK(n > 100 && limited > 20);
	printf("promql limits: %d queries (%d exact), %d over 1000 samples as in 2.42, %d differ\n", n, exact, limited,
	       bad);
done:
	if (qf)
		fclose(qf);
	if (gf)
		fclose(gf);
	err_release(&e);
	tsdb_db_release(&db);
}

/* A query that takes far longer than 1 ms. */
static void test_timeout(void)
{
	struct promql_memstore ms;
	struct promql_storage st;
	struct promql_expr *x = NULL;
	struct promql_result r;
	struct err e = ERR_INIT;
	const char *q = "count_over_time(vector(time())[2w:1s])";
	struct promql_engine_opts opts = { .timeout_ms = 1 };

	promql_memstore_init(&ms);
	st = promql_memstore_storage(&ms);
	CHECK_EQ_I(promql_parse(&x, q, strlen(q), &e), 0);
	CHECK_EQ_I(promql_eval_range(&r, &st, promql_expr_root(x), 0, 600000, 60000, &opts, &e), PROMQL_EVAL_TIMEOUT);
	CHECK_STR(err_msg(&e), "query timed out in expression evaluation");
	err_release(&e);
	promql_expr_free(x);
	promql_memstore_release(&ms);
}

struct sink_state {
	size_t nseries;
};

static int sink_series(void *arg, const struct query_series *s, struct err *e)
{
	(void)s;
	(void)e;
	((struct sink_state *)arg)->nseries++;
	return 0;
}

/* The --source-dir source: 2.42 server defaults, errors as the client
 * reports them (a timeout is HTTP 503, which it does not decode). */
static void test_source_defaults(void)
{
	struct promql_memstore ms;
	struct promql_storage st;
	struct query_source *src = NULL;
	struct sink_state ss = { 0 };
	struct query_sink sink = { &ss, NULL, sink_series };
	struct err e = ERR_INIT;
	struct promql_engine_opts fast = { .timeout_ms = 1 };
	const int64_t s = 1000000000;

	promql_memstore_init(&ms);
	st = promql_memstore_storage(&ms);
	CHECK_EQ_I(promql_engine_source_new(&src, &st, NULL, &e), 0);
	/* 60 million inner steps of one sample each: refused at once */
	CHECK_EQ_I(query_source_range(src, "count_over_time(vector(1)[100w:1s])", 0, 7200 * s, 60 * s, &sink, &e),
		   -1);
	CHECK_STR(err_msg(&e), "execution: query processing would load too many samples into memory in query execution");
	err_release(&e);
	CHECK_EQ_I(query_source_range(src, "count_over_time((vector(0) + 1)[100w:1s])", 0, 7200 * s, 60 * s, &sink, &e),
		   -1);
	CHECK_STR(err_msg(&e), "execution: query processing would load too many samples into memory in query execution");
	err_release(&e);
	/* a long subquery over no data: nothing to hold, it runs */
	CHECK_EQ_I(query_source_range(src, "count_over_time(nothing[4w:1s])", 0, 7200 * s, 60 * s, &sink, &e), 0);
	CHECK_EQ_U(ss.nseries, 0);
	query_source_free(src);
	src = NULL;
	CHECK_EQ_I(promql_engine_source_new(&src, &st, &fast, &e), 0);
	CHECK_EQ_I(query_source_range(src, "count_over_time(vector(time())[2w:1s])", 0, 600 * s, 60 * s, &sink, &e), -1);
	CHECK_STR(err_msg(&e), "server_error: server error: 503");
	err_release(&e);
	query_source_free(src);
	promql_memstore_release(&ms);
}

int main(void)
{
	RUN(test_peaks);
	RUN(test_timeout);
	RUN(test_source_defaults);
	return check_done();
}
