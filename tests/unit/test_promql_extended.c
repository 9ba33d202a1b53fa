/*
 * 3.7's anchored and smoothed modifiers in the parser and the printer
 * (4-promql/parse.c set_ext, print.c): what parses under which profile
 * and feature flag, the errors parse.go's setAnchored / setSmoothed give
 * (with their positions), and Expr.String() of the result, as printer.go
 * prints VectorSelector and MatrixSelector at v3.14.0 (and at v3.7.0,
 * before a1000efe55 printed the modifier of a range selector once).  The
 * evaluation is pinned by testdata/promql-compat/3.7.0.test and upstream's
 * extended_vectors.test (make conformance); here only what that format
 * cannot show: the matrix a modified range selector returns (extendFloats)
 * and that range queries leave such selectors to the per-step path with
 * the same values as instant queries.
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "1-common/err.h"
#include "4-promql/eval.h"
#include "4-promql/promql.h"
#include "4-promql/storage.h"
#include "tests/unit/check.h"

/*
 * Parses in under release v (feature: promql-extended-range-selectors on)
 * and returns what that release prints, or "error: MSG" (caller frees).
 */
static char *parse_as(const char *v, bool feature, const char *in)
{
	struct compat c;
	struct err e = ERR_INIT;
	struct promql_parse_opts o = { .compat = &c, .extended_range_selectors = feature };
	struct promql_expr *x = NULL;
	struct buf b = BUF_INIT;
	char *out = NULL;

	if (compat_parse(&c, v, &e) < 0)
		goto done;
	if (promql_parse_with(&x, in, strlen(in), &o, &e) < 0) {
		buf_addf(&b, "error: %s", err_msg(&e));
	} else {
		promql_print_with(&b, x, &c);
	}
	out = buf_detach(&b, NULL);
done:
	promql_expr_free(x);
	buf_release(&b);
	err_release(&e);
	return out;
}

static void expect(const char *v, bool feature, const char *in, const char *want)
{
	char *got = parse_as(v, feature, in);

	if (!got || strcmp(got, want) != 0) {
		fprintf(stderr, "under %s%s: %s gave \"%s\", want \"%s\"\n", v, feature ? "" : " (flag off)", in,
			got ? got : "(nothing)", want);
		check_state_.failed_checks++;
	}
	free(got);
}

/* Round trips under 3.14: the modifier after the range, before @ and
 * offset; on an instant selector after @, before offset. */
static void test_print(void)
{
	static const char *const same[] = {
		"a anchored",
		"a smoothed",
		"a[5m] anchored",
		"a{b=\"c\"}[5m] smoothed",
		"a{b=\"c\"}[5m] anchored offset 1m",
		"a{b=\"c\"}[5m] smoothed @ start() offset 1m",
		"a @ 10.000 smoothed offset -1m",
		"rate(a[5m] smoothed)",
		"increase(a[1h] anchored) / ignoring (x) b smoothed",
	};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		expect("3.14", true, same[i], same[i]);
	/* written elsewhere, printed in the one place */
	expect("3.14", true, "a anchored[5m]", "a[5m] anchored");
	expect("3.14", true, "a[5m] offset 1m anchored", "a[5m] anchored offset 1m");
	expect("3.14", true, "a offset 1m smoothed @ 5", "a @ 5.000 smoothed offset 1m");
	expect("3.14", true, "a ANCHORED", "a anchored");
	expect("3.14", true, "a anchored anchored", "a anchored");
	/* binds to the operand just before it, like offset */
	expect("3.14", true, "-a smoothed", "-a smoothed");
	expect("3.14", true, "a + b anchored", "a + b anchored");
	/* 3.7.0 and 3.7.1 printed a range selector's modifier twice */
	expect("3.7.1", true, "a{b=\"c\"}[5m] anchored offset 1m", "a{b=\"c\"} anchored[5m] anchored offset 1m");
	expect("3.7.2", true, "a{b=\"c\"}[5m] anchored offset 1m", "a{b=\"c\"}[5m] anchored offset 1m");
	expect("3.7.1", true, "a smoothed offset 1m", "a smoothed offset 1m");
}

/* parse.go setAnchored / setSmoothed: the error at the start of the node
 * the modifier follows. */
static void test_errors(void)
{
	expect("3.14", false, "rate(up[1m] anchored)", "error: 1:6: parse error: anchored modifier is experimental and not enabled");
	expect("3.14", false, "up smoothed", "error: 1:1: parse error: smoothed modifier is experimental and not enabled");
	expect("3.14", true, "a[5m:1m] anchored", "error: 1:1: parse error: anchored modifier is not supported for subqueries");
	expect("3.14", true, "a[5m:] smoothed", "error: 1:1: parse error: smoothed modifier is not supported for subqueries");
	expect("3.14", true, "1 + sum(a) anchored", "error: 1:5: parse error: anchored modifier not implemented");
	expect("3.14", true, "(a) smoothed", "error: 1:1: parse error: smoothed modifier not implemented");
	expect("3.14", true, "-1 anchored", "error: 1:2: parse error: anchored modifier not implemented");
	expect("3.14", true, "x + a[1m] anchored smoothed",
	       "error: 1:5: parse error: anchored and smoothed modifiers cannot be used together");
	expect("3.14", true, "a smoothed anchored", "error: 1:1: parse error: anchored and smoothed modifiers cannot be used together");
}

/* The words per release: identifiers before 3.7, keywords naming nothing
 * in 3.7.0-3.7.1, keywords that may name a metric or a label from 3.7.2. */
static void test_words(void)
{
	expect("3.6", true, "a anchored", "error: 1:3: parse error: unexpected identifier \"anchored\"");
	expect("2.42", true, "a smoothed", "error: 1:3: parse error: unexpected identifier \"smoothed\"");
	expect("3.6", true, "anchored", "anchored");
	expect("3.6", true, "sum by (smoothed) (anchored)", "sum by (smoothed) (anchored)");
	expect("3.7.0", true, "anchored", "error: 1:1: parse error: unexpected <anchored>");
	expect("3.7.1", true, "sum by (smoothed) (x)",
	       "error: 1:9: parse error: unexpected <smoothed> in grouping opts, expected label");
	expect("3.7.1", true, "a * on () group_left anchored",
	       "error: 1:22: parse error: unexpected <anchored> in grouping opts, expected \"(\"");
	expect("3.7.2", true, "a * on () group_left anchored", "a * on () group_left () anchored");
	expect("3.7.2", true, "anchored smoothed", "anchored smoothed");
	expect("3.7.2", false, "sum by (smoothed) (anchored{smoothed=\"x\"})",
	       "sum by (smoothed) (anchored{smoothed=\"x\"})");
	expect("3.14", true, "smoothed[5m] anchored", "smoothed[5m] anchored");
	/* a keyword in an error message, as Item.String() quotes keywords */
	expect("3.14", true, "sum by anchored (a)",
	       "error: 1:8: parse error: unexpected <anchored> in grouping opts, expected \"(\"");
}

/* ctr at 0, 1m, ..., 4m: 0 3 5 1 4 (3.14, feature on). */
static struct promql_expr *setup(struct promql_memstore *ms, struct compat *c, const char *q)
{
	static const int vals[] = { 0, 3, 5, 1, 4 };
	struct label ls[1] = { { "__name__", "ctr" } };
	struct promql_parse_opts o = { .compat = c, .extended_range_selectors = true };
	struct promql_expr *x = NULL;
	struct err e = ERR_INIT;

	promql_memstore_init(ms);
	CHECK_EQ_I(compat_parse(c, "3.14.0", &e), 0);
	for (int i = 0; i < 5; i++)
		CHECK_EQ_I(promql_memstore_append(ms, ls, 1, (int64_t)i * 60000, vals[i], &e), 0);
	CHECK_EQ_I(promql_parse_with(&x, q, strlen(q), &o, &e), 0);
	err_release(&e);
	return x;
}

/* engine.go matrixSelector + extendFloats: the bounds' values at the
 * bounds' times, the samples strictly between. */
static void matrix_at(const char *q, int64_t t, size_t n, const int64_t *wt, const double *wv)
{
	struct promql_memstore ms;
	struct compat c;
	struct promql_expr *x = setup(&ms, &c, q);
	struct promql_storage st = promql_memstore_storage(&ms);
	struct promql_engine_opts o = { .compat = &c };
	struct promql_result r;
	struct err e = ERR_INIT;

	promql_result_init(&r);
	if (x && promql_eval_instant(&r, &st, promql_expr_root(x), t, &o, &e) == 0) {
		CHECK_EQ_I(r.type, PROMQL_TYPE_MATRIX);
		CHECK_EQ_U(r.nseries, n ? 1 : 0);
		if (r.nseries == 1) {
			CHECK_EQ_U(r.series[0].n, n);
			for (size_t i = 0; i < n && i < r.series[0].n; i++) {
				CHECK_EQ_I(r.series[0].t[i], wt[i]);
				CHECK(r.series[0].v[i] == wv[i]);
			}
		}
	} else {
		fprintf(stderr, "%s: %s\n", q, err_msg(&e));
		CHECK(!"query failed");
	}
	promql_result_release(&r);
	promql_expr_free(x);
	promql_memstore_release(&ms);
	err_release(&e);
}

static void test_matrix(void)
{
	/* (1m, 4m]: 3 (1m) anchors it, 4 at 4m ends it */
	matrix_at("ctr[3m] anchored", 240000, 4, (const int64_t[]){ 60000, 120000, 180000, 240000 },
		  (const double[]){ 3, 5, 1, 4 });
	/* (90s, 210s]: 4 at 90s (3 -> 5), 2.5 at 210s (1 -> 4) */
	matrix_at("ctr[2m] smoothed", 210000, 4, (const int64_t[]){ 90000, 120000, 180000, 210000 },
		  (const double[]){ 4, 5, 1, 2.5 });
	/* nothing after the start: no series */
	matrix_at("ctr[1m] anchored", 600000, 0, NULL, NULL);
}

/* A range query's values, step by step, are the instant queries'; the
 * modified selector is not swept (the plain one is). */
static void test_range_per_step(void)
{
	static const char *const qs[] = {
		"rate(ctr[2m])", "rate(ctr[2m] anchored)", "increase(ctr[2m] smoothed)", "resets(ctr[90s] anchored)", "ctr smoothed",
	};
	for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		struct promql_memstore ms;
		struct compat c;
		struct promql_expr *x = setup(&ms, &c, qs[k]);
		struct promql_storage st = promql_memstore_storage(&ms);
		struct promql_engine_opts o = { .compat = &c };
		struct promql_result r, ri;
		struct err e = ERR_INIT;

		promql_result_init(&r);
		if (!x || promql_eval_range(&r, &st, promql_expr_root(x), 0, 300000, 15000, &o, &e) < 0) {
			fprintf(stderr, "%s: %s\n", qs[k], err_msg(&e));
			CHECK(!"range query failed");
		} else {
			CHECK(k == 0 ? r.swept > 0 : r.swept == 0);
			CHECK_EQ_U(r.nseries, 1);
			for (size_t i = 0; r.nseries == 1 && i < r.series[0].n; i++) {
				promql_result_init(&ri);
				CHECK_EQ_I(promql_eval_instant(&ri, &st, promql_expr_root(x), r.series[0].t[i], &o, &e), 0);
				CHECK_EQ_U(ri.nseries, 1);
				if (ri.nseries == 1)
					CHECK(ri.series[0].v[0] == r.series[0].v[i]);
				promql_result_release(&ri);
			}
			CHECK(r.nseries == 1 && r.series[0].n > 10);
		}
		promql_result_release(&r);
		promql_expr_free(x);
		promql_memstore_release(&ms);
		err_release(&e);
	}
}

/* extendedRate divides by ms.Range.Seconds(): 1118 ms is 1 + 0.118 there,
 * one ulp below 1118 / 1000.0. */
static void test_rate_seconds(void)
{
	struct promql_memstore ms;
	struct compat c;
	struct promql_expr *x = setup(&ms, &c, "rate(ctr[1118ms] anchored)");
	struct promql_storage st = promql_memstore_storage(&ms);
	struct promql_engine_opts o = { .compat = &c };
	struct promql_result r;
	struct err e = ERR_INIT;
	volatile double secs = (double)1 + (double)118000000 / 1e9, naive = 1118 / 1000.0;

	CHECK(secs != naive);
	promql_result_init(&r);
	CHECK(x && promql_eval_instant(&r, &st, promql_expr_root(x), 60000, &o, &e) == 0);
	CHECK_EQ_U(r.nseries, 1);
	if (r.nseries == 1 && r.series[0].n == 1)
		CHECK(r.series[0].v[0] == 3 / secs); /* 0 at 0s anchors it, 3 at 60s */
	promql_result_release(&r);
	promql_expr_free(x);
	promql_memstore_release(&ms);
	err_release(&e);
}

int main(void)
{
	RUN(test_print);
	RUN(test_errors);
	RUN(test_words);
	RUN(test_matrix);
	RUN(test_range_per_step);
	RUN(test_rate_seconds);
	return check_done();
}
