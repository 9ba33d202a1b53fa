/*
 * The evaluator's annotations (4-promql/annotations.h, eval_annot.c): the
 * set keeps one entry per text; each annotation is raised with upstream's
 * words at the release asked for (util/annotations/annotations.go and the
 * callers in promql/engine.go, functions.go at the tags named), and
 * nothing is collected before 2.48 or without a sink.
 */
#include <stdio.h>
#include <string.h>

#include "1-common/compat.h"
#include "1-common/err.h"
#include "4-promql/annotations.h"
#include "4-promql/eval.h"
#include "4-promql/promql.h"
#include "4-promql/storage.h"
#include "tests/unit/check.h"

static void test_set(void)
{
	struct promql_annotations a = PROMQL_ANNOTATIONS_INIT;
	char msg[32];

	promql_annotations_add(&a, PROMQL_ANNOT_WARNING, "w", 1);
	promql_annotations_add(&a, PROMQL_ANNOT_INFO, "i", 1);
	promql_annotations_add(&a, PROMQL_ANNOT_WARNING, "w", 1);
	CHECK_EQ_U(a.n, 2);
	CHECK_EQ_U(promql_annotations_count(&a, PROMQL_ANNOT_WARNING), 1);
	CHECK_EQ_U(promql_annotations_count(&a, PROMQL_ANNOT_INFO), 1);
	/* past the first rehash, every text still found once */
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 100; i++) {
			int n = snprintf(msg, sizeof(msg), "m%d", i);
			promql_annotations_add(&a, PROMQL_ANNOT_INFO, msg, (size_t)n);
		}
	CHECK_EQ_U(a.n, 102);
	promql_annotations_reset(&a);
	CHECK_EQ_U(a.n, 0);
	promql_annotations_add(&a, PROMQL_ANNOT_WARNING, "w", 1);
	CHECK_EQ_U(a.n, 1);
	promql_annotations_release(&a);
}

/* requests (counter-like name, no suffix), y (no le), h_bucket (non-monotonic),
 * z_total, every minute 0..10m. */
static void load(struct promql_memstore *ms, struct promql_storage *st)
{
	struct label req[1] = { { "__name__", "requests" } }, tot[1] = { { "__name__", "z_total" } };
	struct label y[1] = { { "__name__", "y" } };
	struct label hb[3][2] = { { { "__name__", "h_bucket" }, { "le", "1" } },
				  { { "__name__", "h_bucket" }, { "le", "2" } },
				  { { "__name__", "h_bucket" }, { "le", "+Inf" } } };
	double hv[3] = { 5, 3, 8 };
	struct err e = ERR_INIT;

	promql_memstore_init(ms);
	for (int i = 0; i <= 10; i++) {
		int64_t t = (int64_t)i * 60000;
		CHECK_EQ_I(promql_memstore_append(ms, req, 1, t, i, &e), 0);
		CHECK_EQ_I(promql_memstore_append(ms, tot, 1, t, i, &e), 0);
		CHECK_EQ_I(promql_memstore_append(ms, y, 1, t, i, &e), 0);
		for (int k = 0; k < 3; k++)
			CHECK_EQ_I(promql_memstore_append(ms, hb[k], 2, t, hv[k], &e), 0);
	}
	*st = promql_memstore_storage(ms);
	err_release(&e);
}

/* The annotations of q at 10m (a range query over [5m, 10m] when range)
 * under release v, as "W:text" / "I:text" lines in the order raised. */
static const char *annots(struct buf *out, const char *v, bool delayed, bool range, const char *q)
{
	struct promql_memstore ms;
	struct promql_storage st;
	struct compat c;
	struct promql_annotations an = PROMQL_ANNOTATIONS_INIT;
	struct promql_engine_opts o = { .compat = &c, .annotations = &an, .delayed_name_removal = delayed };
	struct promql_expr *x = NULL;
	struct promql_result r;
	struct err e = ERR_INIT;

	struct promql_parse_opts po = { &c, true }; /* the release's experimental functions (limit_ratio) */

	buf_reset(out);
	load(&ms, &st);
	CHECK_EQ_I(compat_parse(&c, v, &e), 0);
	CHECK_EQ_I(promql_parse_with(&x, q, strlen(q), &po, &e), 0);
	if (x) {
		int rc = range ? promql_eval_range(&r, &st, promql_expr_root(x), 300000, 600000, 60000, &o, &e)
			       : promql_eval_instant(&r, &st, promql_expr_root(x), 600000, &o, &e);
		CHECK_EQ_I(rc, 0);
		if (rc == 0)
			promql_result_release(&r);
	}
	for (size_t i = 0; i < an.n; i++)
		buf_addf(out, "%s%s:%s", i ? "\n" : "", an.v[i].kind == PROMQL_ANNOT_WARNING ? "W" : "I", an.v[i].msg);
	promql_annotations_release(&an);
	promql_expr_free(x);
	promql_memstore_release(&ms);
	err_release(&e);
	return buf_str(out);
}

static void test_messages(void)
{
	struct buf b = BUF_INIT;

	/* engine.go rangeEval (2.48+): rate/increase of a name without a counter suffix */
	CHECK_STR(annots(&b, "3.14.0", true, false, "rate(requests[5m])"),
		  "I:PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "
		  "\"requests\"");
	CHECK_STR(annots(&b, "3.14.0", true, true, "increase(requests[5m]) + rate(z_total[5m])"),
		  "I:PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "
		  "\"requests\"");
	CHECK_STR(annots(&b, "3.14.0", true, false, "rate(z_total[5m])"), "");
	CHECK_STR(annots(&b, "3.14.0", true, false, "delta(requests[5m])"), "");
	/* before 2.48 there are none */
	CHECK_STR(annots(&b, "2.47.0", false, false, "rate(requests[5m])"), "");
	CHECK_STR(annots(&b, "2.42.0", false, false, "quantile(2, y)"), "");
	/* quantile, quantile_over_time, histogram_quantile: %g of q */
	CHECK_STR(annots(&b, "3.5.0", true, false, "quantile(2, y)"),
		  "W:PromQL warning: quantile value should be between 0 and 1, got 2");
	CHECK_STR(annots(&b, "3.5.0", true, false, "quantile_over_time(-0.5, y[5m])"),
		  "W:PromQL warning: quantile value should be between 0 and 1, got -0.5");
	CHECK_STR(annots(&b, "3.5.0", true, false, "quantile_over_time(-0.5, nothing[5m])"), "");
	CHECK_STR(annots(&b, "3.5.0", true, false, "histogram_quantile(NaN, nothing)"),
		  "W:PromQL warning: quantile value should be between 0 and 1, got NaN");
	/* limit_ratio (2.54): capped to [-1, 1] */
	CHECK_STR(annots(&b, "3.5.0", true, false, "limit_ratio(1.1, y)"),
		  "W:PromQL warning: ratio value should be between -1 and 1, got 1.1, capping to 1");
	CHECK_STR(annots(&b, "3.14.0", true, false, "limit_ratio(-2, y)"),
		  "W:PromQL warning: ratio value should be between -1 and 1, got -2, capping to -1");
	CHECK_STR(annots(&b, "3.14.0", true, false, "limit_ratio(0.5, y)"), "");
	/* bad le: 3.5 always names the metric; 3.7+ (maybeAddMetricName) only a
	 * non-empty name, passed only with delayed name removal (#16794) */
	CHECK_STR(annots(&b, "3.5.0", false, false, "histogram_quantile(0.5, y)"),
		  "W:PromQL warning: bucket label \"le\" is missing or has a malformed value of \"\" for metric name \"y\"");
	CHECK_STR(annots(&b, "3.14.0", true, false, "histogram_quantile(0.5, y)"),
		  "W:PromQL warning: bucket label \"le\" is missing or has a malformed value of \"\" for metric name \"y\"");
	CHECK_STR(annots(&b, "3.14.0", false, false, "histogram_quantile(0.5, y)"),
		  "W:PromQL warning: bucket label \"le\" is missing or has a malformed value of \"\"");
	CHECK_STR(annots(&b, "3.5.0", false, false, "histogram_quantile(0.5, abs(y))"),
		  "W:PromQL warning: bucket label \"le\" is missing or has a malformed value of \"\" for metric name \"\"");
	/* forced monotonicity (5, 3, 8: the 3 is raised) */
	CHECK_STR(annots(&b, "3.14.0", true, false, "histogram_quantile(0.5, h_bucket)"),
		  "I:PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see "
		  "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric "
		  "name \"h_bucket\"");
	CHECK_STR(annots(&b, "3.14.0", true, false, "histogram_quantile(0.5, h_bucket{le!=\"2\"})"), "");
	CHECK_STR(annots(&b, "2.48.0", false, false, "histogram_quantile(0.5, h_bucket)"),
		  "I:PromQL info: input to histogram_quantile needed to be fixed for monotonicity (and may give "
		  "inaccurate results) for metric name \"h_bucket\"");
	/* the non-counter info: gone in 2.48 and 2.49, back in 2.50 */
	CHECK_STR(annots(&b, "2.49.0", false, false, "rate(requests[5m])"), "");
	CHECK_STR(annots(&b, "2.50.0", false, false, "rate(requests[5m])"),
		  "I:PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "
		  "\"requests\"");
	/* 3.12 (#16628): sort in a range query */
	CHECK_STR(annots(&b, "3.12.0", true, true, "sum(sort(y))"),
		  "W:PromQL warning: sort is ineffective for range queries since results are always ordered by labels");
	CHECK_STR(annots(&b, "3.12.0", true, false, "sort(y)"), "");
	CHECK_STR(annots(&b, "3.11.0", true, true, "sort(y)"), "");
	buf_release(&b);
}

/*
 * 3.14 (extrapolatedRate, checkStartTimeOverlap): rate over samples with
 * start timestamps warns once a sample starts before the previous one's
 * time (other than at that one's start); 3.12 and 3.13 do not.
 */
static void test_st_overlap(void)
{
	/* samples at 1m..4m: one start for all; a start at 1m30s for the third */
	static const int64_t sts[2][4] = { { 1000, 1000, 1000, 1000 }, { 1000, 1000, 90000, 90000 } };
	struct label ls[2][2] = { { { "__name__", "c_total" }, { "k", "ok" } },
				  { { "__name__", "c_total" }, { "k", "overlap" } } };
	const char *const want[] = { "", "W:PromQL warning: sample has start time that overlaps with previous sample "
					 "timestamp for metric \"c_total\"" };
	struct buf b = BUF_INIT;

	for (int k = 0; k < 2; k++) {
		for (int v = 0; v < 2; v++) {
			struct promql_memstore ms;
			struct promql_storage st;
			struct compat c;
			struct promql_annotations an = PROMQL_ANNOTATIONS_INIT;
			struct promql_engine_opts o = { .compat = &c, .annotations = &an, .start_timestamps = true };
			struct promql_expr *x = NULL;
			struct promql_result r;
			struct err e = ERR_INIT;
			const char *q = "rate(c_total[5m])";

			promql_memstore_init(&ms);
			for (int i = 0; i < 4; i++)
				CHECK_EQ_I(promql_memstore_append_st(&ms, ls[k], 2, (int64_t)(i + 1) * 60000, sts[k][i], i, &e), 0);
			st = promql_memstore_storage(&ms);
			CHECK_EQ_I(compat_parse(&c, v ? "3.14.0" : "3.13.0", &e), 0);
			CHECK_EQ_I(promql_parse(&x, q, strlen(q), &e), 0);
			CHECK_EQ_I(promql_eval_instant(&r, &st, promql_expr_root(x), 240000, &o, &e), 0);
			promql_result_release(&r);
			buf_reset(&b);
			for (size_t i = 0; i < an.n; i++)
				buf_addf(&b, "%s:%s", an.v[i].kind == PROMQL_ANNOT_WARNING ? "W" : "I", an.v[i].msg);
			CHECK_STR(buf_str(&b), v ? want[k] : "");
			promql_annotations_release(&an);
			promql_expr_free(x);
			promql_memstore_release(&ms);
			err_release(&e);
		}
	}
	buf_release(&b);
}

/* Without a sink nothing is collected and the query still runs. */
static void test_no_sink(void)
{
	struct promql_memstore ms;
	struct promql_storage st;
	struct compat c;
	struct promql_engine_opts o = { .compat = &c };
	struct promql_expr *x = NULL;
	struct promql_result r;
	struct err e = ERR_INIT;
	const char *q = "rate(requests[5m]) + quantile(2, y) + histogram_quantile(0.5, h_bucket)";

	load(&ms, &st);
	CHECK_EQ_I(compat_parse(&c, "3.14.0", &e), 0);
	CHECK_EQ_I(promql_parse(&x, q, strlen(q), &e), 0);
	CHECK_EQ_I(promql_eval_instant(&r, &st, promql_expr_root(x), 600000, &o, &e), 0);
	promql_result_release(&r);
	promql_expr_free(x);
	promql_memstore_release(&ms);
	err_release(&e);
}

int main(void)
{
	RUN(test_set);
	RUN(test_messages);
	RUN(test_st_overlap);
	RUN(test_no_sink);
	return check_done();
}
