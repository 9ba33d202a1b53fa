/*
 * A query source that evaluates range queries with our engine.  It follows
 * what happens to promtool's query on its way through client_golang's v1
 * API client and a 2.42 server, so that backfilling from a local directory
 * gives the samples a server over the same data would:
 *
 *   - times travel as float seconds and come back rounded to milliseconds
 *     (api.go parseTime), the step as float seconds (parseDuration);
 *   - queryRange's checks, in order, with their bad_data wording: end
 *     before start, non-positive step, more than 11,000 points;
 *   - NewRangeQuery's parse and type errors as bad_data, evaluation
 *     errors as execution (returnAPIError);
 *   - the result is always a "matrix", series sorted by labels;
 *   - every NaN arrives with Go's NaN bits: the server writes "NaN" and the
 *     client's strconv.ParseFloat returns math.NaN(), whatever bits the
 *     evaluation produced (e.g. 0/0 gives the CPU's default NaN);
 *   - the server's default limits: --query.max-samples=50000000, whose
 *     error is an execution error, and --query.timeout=2m, which the API
 *     answers with HTTP 503 and so the client reports as "server_error:
 *     server error: 503".
 *
 * Error messages carry the "<errorType>: " prefix the v1 client puts in
 * front, as the remote source's do.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "5-query/local.h"
#include "4-promql/promql.h"
#include "3-tsdb/db_reader.h"

struct engine_source {
	struct query_source base;
	struct promql_storage st;
	struct promql_engine_opts opts;
	struct tsdb_db *db; /* owned when opened from a directory */
};

/* web/api/v1 parseTime of what the client sent: nanoseconds since the epoch. */
static int64_t api_time_ns(int64_t ns)
{
	int64_t sec = ns / 1000000000, nsec = ns % 1000000000;
	double f, whole, frac;

	if (nsec < 0) {
		nsec += 1000000000;
		sec--;
	}
	/* client: float64(t.Unix()) + float64(t.Nanosecond())/1e9, printed
	 * exactly ('f', -1) so the server parses back the same double */
	f = (double)sec + (double)nsec / 1e9;
	/* server: math.Modf, fraction rounded to milliseconds */
	frac = modf(f, &whole);
	frac = round(frac * 1000) / 1000;
	return (int64_t)whole * 1000000000 + (int64_t)(frac * 1e9);
}

/* parseDuration of the float seconds the client sent (Duration.Seconds()). */
static int64_t api_step_ns(int64_t step_ns)
{
	double s = (double)(step_ns / 1000000000) + (double)(step_ns % 1000000000) / 1e9;

	return (int64_t)(s * 1e9);
}

int64_t promql_api_time_ms(int64_t ns)
{
	return api_time_ns(ns) / 1000000; /* timeMilliseconds: truncated */
}

int64_t promql_api_step_ms(int64_t step_ns)
{
	return api_step_ns(step_ns) / 1000000;
}

static int range_query(struct query_source *src, const char *expr, int64_t start_ns, int64_t end_ns,
		       int64_t step_ns, const struct query_sink *sink, struct err *e)
{
	struct engine_source *es = (struct engine_source *)src;
	int64_t start = api_time_ns(start_ns), end = api_time_ns(end_ns), step = api_step_ns(step_ns);
	struct promql_expr *x = NULL;
	struct promql_result r;
	struct err pe = ERR_INIT;
	enum promql_value_type ty;
	int rc = -1, erc;
	/* the release the source imitates parses the query as its server would */
	struct promql_parse_opts po = { es->opts.compat, es->opts.experimental_functions,
					es->opts.duration_expressions, es->opts.binop_fill_modifiers };

	promql_result_init(&r);
	if (end < start)
		return err_set(e, "bad_data: invalid parameter \"end\": end timestamp must not be before start time");
	if (step <= 0)
		return err_set(e, "bad_data: invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer");
	if ((end - start) / step > 11000)
		return err_set(e, "bad_data: exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
	if (promql_parse_with(&x, expr, strlen(expr), &po, &pe) < 0) {
		err_set(e, "bad_data: %s", err_msg(&pe));
		goto done;
	}
	ty = promql_node_type(promql_expr_root(x));
	if (ty != PROMQL_TYPE_VECTOR && ty != PROMQL_TYPE_SCALAR) {
		err_set(e, "bad_data: invalid expression type \"%s\" for range query, must be Scalar or instant Vector",
			promql_value_type_doc(ty));
		goto done;
	}
	if (step < 1000000) {
		/* A step under a millisecond is 0 ms: 2.42's rangeEval divides by it. */
		err_set(e, "execution: unexpected error: runtime error: integer divide by zero");
		goto done;
	}
	erc = promql_eval_range(&r, &es->st, promql_expr_root(x), start / 1000000, end / 1000000, step / 1000000,
				&es->opts, &pe);
	if (erc == PROMQL_EVAL_TIMEOUT) {
		/* errorTimeout is HTTP 503, which the client does not decode */
		err_set(e, "server_error: server error: 503");
		goto done;
	}
	if (erc < 0) {
		err_set(e, "execution: %s", err_msg(&pe));
		goto done;
	}
	if (sink->begin && sink->begin(sink->arg, "matrix", NULL, 0, e))
		goto done;
	for (size_t i = 0; i < r.nseries; i++) {
		for (size_t j = 0; j < r.series[i].n; j++)
			if (isnan(r.series[i].v[j]))
				r.series[i].v[j] = go_nan();
		struct query_series qs = { r.series[i].labels, r.series[i].nlabels, r.series[i].t, r.series[i].v,
					   r.series[i].n };
		if (sink->series && sink->series(sink->arg, &qs, e))
			goto done;
	}
	rc = 0;
done:
	promql_result_release(&r);
	promql_expr_free(x);
	err_release(&pe);
	return rc;
}

static void source_free(struct query_source *src)
{
	struct engine_source *es = (struct engine_source *)src;

	if (es->db) {
		tsdb_db_release(es->db);
		free(es->db);
	}
	free(es);
}

static const struct query_source_ops engine_ops = { range_query, source_free };

int promql_engine_source_new(struct query_source **out, const struct promql_storage *st,
			     const struct promql_engine_opts *opts, struct err *e)
{
	struct engine_source *es = xcalloc(1, sizeof(*es));

	(void)e;
	es->base.ops = &engine_ops;
	es->st = *st;
	if (opts)
		es->opts = *opts;
	/* a 2.42 server's defaults */
	if (!es->opts.max_samples)
		es->opts.max_samples = 50000000;
	if (!es->opts.timeout_ms)
		es->opts.timeout_ms = 2 * 60 * 1000;
	*out = &es->base;
	return 0;
}

int promql_engine_source_open_dir(struct query_source **out, const char *dir,
				  const struct promql_engine_opts *opts, struct err *e)
{
	struct tsdb_db *db = xcalloc(1, sizeof(*db));
	struct engine_source *es;
	struct promql_storage st;

	*out = NULL;
	tsdb_db_init(db);
	if (tsdb_db_open(db, dir, INT64_MAX, e) < 0) {
		tsdb_db_release(db);
		free(db);
		return -1;
	}
	st = promql_tsdb_storage(db);
	promql_engine_source_new(out, &st, opts, e);
	es = (struct engine_source *)*out;
	es->db = db;
	return 0;
}

char *const *promql_engine_source_skipped(const struct query_source *src, size_t *n)
{
	const struct engine_source *es = (const struct engine_source *)src;

	*n = es->db ? es->db->nskipped : 0;
	return es->db ? es->db->skipped : NULL;
}
