/*
 * The version gates on both paths of range functions: the sweep
 * (4-promql/eval_sweep.c) and the window-by-window one it replaces
 * (promql_engine_opts.per_step_windows) must agree bit for bit under every
 * profile whose gates touch windows or range-function arithmetic (left-open
 * windows, rate's extrapolation order, Kahan sums and means, the functions
 * of later releases), the sweep must have been used, and the profiles must
 * differ where their gates say (else the comparison would prove nothing).
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/compat.h"
#include "1-common/err.h"
#include "2-model/labels.h"
#include "4-promql/eval.h"
#include "4-promql/promql.h"
#include "4-promql/storage.h"
#include "tests/unit/check.h"

static const char *const versions[] = { "2.42.0", "2.51.0", "2.54.0", "2.55.0", "3.0.0", "3.5.0", "3.14.0" };

static const char *const queries[] = {
	"rate(x[5m])",           "increase(x[3m])",        "delta(x[4m] offset 2m)", "avg_over_time(x[4m])",
	"sum_over_time(x[2m])",  "count_over_time(x[1m])", "stddev_over_time(x[5m])", "predict_linear(x[5m], 60)",
	"mad_over_time(x[5m])",  "ts_of_max_over_time(x[5m])", "first_over_time(x[2m])",
};

static bool same_result(const struct promql_result *a, const struct promql_result *b)
{
	if (a->nseries != b->nseries)
		return false;
	for (size_t i = 0; i < a->nseries; i++) {
		if (a->series[i].n != b->series[i].n)
			return false;
		for (size_t j = 0; j < a->series[i].n; j++)
			if (a->series[i].t[j] != b->series[i].t[j] ||
			    memcmp(&a->series[i].v[j], &b->series[i].v[j], sizeof(double)) != 0)
				return false;
	}
	return true;
}

/* Evaluates q over 400 one-minute steps under v; *out the swept result. */
static int eval_both(const struct promql_storage *st, const char *v, const char *q, struct promql_result *out,
		     bool *same, uint64_t *swept)
{
	struct compat c;
	struct promql_parse_opts po = { &c, true, false, false };
	struct promql_engine_opts sweep = { .compat = &c }, slow = { .compat = &c, .per_step_windows = true };
	struct promql_expr *x = NULL;
	struct promql_result r;
	struct err e = ERR_INIT;
	int rc = -1;

	promql_result_init(&r);
	CHECK_EQ_I(compat_parse(&c, v, &e), 0);
	if (promql_parse_with(&x, q, strlen(q), &po, &e) < 0)
		goto done; /* a function this release does not have */
	CHECK_EQ_I(promql_eval_range(out, st, promql_expr_root(x), 0, 400 * 60000, 60000, &sweep, &e), 0);
	CHECK_EQ_I(promql_eval_range(&r, st, promql_expr_root(x), 0, 400 * 60000, 60000, &slow, &e), 0);
	*same = same_result(out, &r);
	*swept += out->swept;
	rc = 0;
done:
	promql_result_release(&r);
	promql_expr_free(x);
	err_release(&e);
	return rc;
}

static void test_gates_on_both_paths(void)
{
	struct promql_memstore ms;
	struct label ls[2] = { { "__name__", "x" }, { "a", "1" } };
	struct err e = ERR_INIT;
	struct promql_storage st;
	uint64_t swept = 0;
	int differing = 0;

	promql_memstore_init(&ms);
	/* a counter-ish series with resets and big jumps, one sample a minute:
	 * every window has samples exactly on its left end */
	for (int i = 0; i <= 400; i++)
		CHECK_EQ_I(promql_memstore_append(&ms, ls, 2, (int64_t)i * 60000,
						  (i % 37) * 1.5 + (i % 7 == 0 ? 1e6 : 0) + (i % 11 == 0 ? 0.1 : 0), &e), 0);
	st = promql_memstore_storage(&ms);
	for (size_t q = 0; q < sizeof(queries) / sizeof(*queries); q++) {
		struct promql_result first;
		bool have_first = false;

		promql_result_init(&first);
		for (size_t v = 0; v < sizeof(versions) / sizeof(*versions); v++) {
			struct promql_result r;
			bool same = false;

			promql_result_init(&r);
			if (eval_both(&st, versions[v], queries[q], &r, &same, &swept) == 0) {
				if (!same)
					fprintf(stderr, "sweep and per-step windows differ: %s under %s\n", queries[q],
						versions[v]);
				CHECK(same);
				if (!have_first) {
					first = r;
					have_first = true;
					continue;
				}
				differing += !same_result(&first, &r);
			}
			promql_result_release(&r);
		}
		promql_result_release(&first);
	}
	CHECK(swept > 0);
	/* left-open windows alone change every window-counting query from 3.0 */
	CHECK(differing >= 8);
	promql_memstore_release(&ms);
	err_release(&e);
}

int main(void)
{
	RUN(test_gates_on_both_paths);
	return check_done();
}
