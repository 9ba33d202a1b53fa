/*
 * Fuzz target for the evaluator: the input (after one mode byte) is a
 * PromQL expression, evaluated over a small fixed data set -- counters with
 * a reset, a gap, a staleness marker, a classic histogram, two metrics
 * sharing labels -- as an instant query or a range query (the mode byte
 * picks which and the step), with the sample limit and a short timeout on.
 * Any input must evaluate or fail with a message; a result must be
 * well-formed: points on the query's steps in time order, no two series
 * with the same labels, a peak within the limit.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/err.h"
#include "2-model/labels.h"
#include "4-promql/ast.h"
#include "4-promql/eval.h"
#include "4-promql/promql.h"
#include "4-promql/storage.h"

#define MAX_SAMPLES 20000

static void add(struct promql_memstore *ms, const char *name, const char *k, const char *v, int64_t t, double val)
{
	struct label ls[2] = { { "__name__", name }, { k, v } };
	struct err e = ERR_INIT;

	if (promql_memstore_append(ms, ls, k ? 2 : 1, t, val, &e) < 0)
		abort(); /* the fixture itself is wrong */
	err_release(&e);
}

static void fixture(struct promql_memstore *ms)
{
	union {
		uint64_t u;
		double d;
	} stale = { 0x7FF0000000000002ULL };

	for (int i = 0; i < 40; i++) {
		int64_t t = (int64_t)i * 15000;
		add(ms, "req_total", "job", "a", t, i < 25 ? i * 3 : (i - 25) * 2); /* a reset */
		if (i < 10 || i > 16)
			add(ms, "req_total", "job", "b", t, i * 0.5); /* a gap */
		add(ms, "temp", "room", "x", t, i == 30 ? stale.d : 20 + (i % 7) * 0.25);
		add(ms, "lat_bucket", "le", "0.1", t, i);
		add(ms, "lat_bucket", "le", "1", t, i * 2);
		add(ms, "lat_bucket", "le", "+Inf", t, i * 3);
		if (i % 4 == 0)
			add(ms, i < 20 ? "dup_a" : "dup_b", "x", "1", t, -i);
	}
	add(ms, "solo", NULL, NULL, 300000, 42);
}

static void check_result(const struct promql_result *r, int64_t start, int64_t end, int64_t step)
{
	if (r->peak_samples > MAX_SAMPLES)
		abort();
	for (size_t i = 0; i < r->nseries; i++) {
		const struct promql_result_series *s = &r->series[i];
		if (r->type == PROMQL_TYPE_MATRIX && step > 0) {
			if (!s->n)
				abort(); /* a range result series has points */
			for (size_t j = 0; j < s->n; j++)
				if (s->t[j] < start || s->t[j] > end || (s->t[j] - start) % step ||
				    (j && s->t[j] <= s->t[j - 1]))
					abort();
		}
		if (i && r->type == PROMQL_TYPE_MATRIX && step > 0 &&
		    !labels_cmp(s->labels, s->nlabels, r->series[i - 1].labels, r->series[i - 1].nlabels))
			abort(); /* sorted by labels: equal neighbours are duplicates */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t steps[] = { 15000, 60000, 7000, 1000 };
	struct promql_memstore ms;
	struct promql_storage st;
	struct promql_expr *x = NULL;
	struct promql_result r;
	struct err e = ERR_INIT;
	struct promql_engine_opts opts = { .max_samples = MAX_SAMPLES, .timeout_ms = 300 };
	int64_t start = 0, end = 600000, step;
	int rc;

	if (size < 1)
		return 0;
	step = steps[data[0] & 3];
	if (promql_parse(&x, (const char *)data + 1, size - 1, &e) < 0) {
		err_release(&e);
		return 0;
	}
	promql_memstore_init(&ms);
	fixture(&ms);
	st = promql_memstore_storage(&ms);
	if (data[0] & 4) {
		rc = promql_eval_instant(&r, &st, promql_expr_root(x), 300000 + (data[0] >> 3) * 1000, &opts, &e);
		step = 0;
	} else {
		enum promql_value_type ty = promql_node_type(promql_expr_root(x));
		rc = ty == PROMQL_TYPE_VECTOR || ty == PROMQL_TYPE_SCALAR
			     ? promql_eval_range(&r, &st, promql_expr_root(x), start, end, step, &opts, &e)
			     : 1;
	}
	if (rc < 0 && !err_isset(&e))
		abort(); /* a failure without a message */
	if (rc == 0) {
		check_result(&r, start, end, step);
		promql_result_release(&r);
	}
	err_release(&e);
	promql_expr_free(x);
	promql_memstore_release(&ms);
	return 0;
}
