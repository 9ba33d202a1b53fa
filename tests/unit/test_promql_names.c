/*
 * Delayed name removal (4-promql/eval_names.c, promql_engine_opts.
 * delayed_name_removal): what engine.go's cleanupMetricLabels and the
 * DropName marks give at v3.5.0 and v3.14.0, the cases of upstream's
 * name_label_dropping.test written against our own series, plus the 3.9
 * merge of range-query series (mergeSeriesWithSameLabelset).
 */
#include <string.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "1-common/err.h"
#include "4-promql/eval.h"
#include "4-promql/promql.h"
#include "4-promql/storage.h"
#include "tests/unit/check.h"

/* a_total{env="1"} (i), b_total{env="1"} (2i), c{env="2"} at 0 and 1m
 * only, d{env="2"} at 2m and 3m only; every minute 0..10m. */
static void load(struct promql_memstore *ms, struct promql_storage *st)
{
	struct label a[2] = { { "__name__", "a_total" }, { "env", "1" } };
	struct label b[2] = { { "__name__", "b_total" }, { "env", "1" } };
	struct label c[2] = { { "__name__", "c" }, { "env", "2" } };
	struct label d[2] = { { "__name__", "d" }, { "env", "2" } };
	struct err e = ERR_INIT;

	promql_memstore_init(ms);
	for (int i = 0; i <= 10; i++) {
		int64_t t = (int64_t)i * 60000;
		CHECK_EQ_I(promql_memstore_append(ms, a, 2, t, i, &e), 0);
		CHECK_EQ_I(promql_memstore_append(ms, b, 2, t, 2 * i, &e), 0);
		if (i < 2)
			CHECK_EQ_I(promql_memstore_append(ms, c, 2, t, 1, &e), 0);
		else if (i < 4)
			CHECK_EQ_I(promql_memstore_append(ms, d, 2, t, 2, &e), 0);
	}
	*st = promql_memstore_storage(ms);
	err_release(&e);
}

/* q under release v with delayed name removal: the error, or the result's
 * series as "labels value" lines (range: "labels n=points"). */
static const char *run(struct buf *out, const char *v, bool delayed, bool range, int64_t t, const char *q)
{
	struct promql_memstore ms;
	struct promql_storage st;
	struct compat c;
	struct promql_engine_opts o = { .compat = &c, .delayed_name_removal = delayed, .lookback_ms = 60000 };
	struct promql_expr *x = NULL;
	struct promql_result r;
	struct err e = ERR_INIT;
	int rc;

	buf_reset(out);
	load(&ms, &st);
	CHECK_EQ_I(compat_parse(&c, v, &e), 0);
	CHECK_EQ_I(promql_parse(&x, q, strlen(q), &e), 0);
	rc = range ? promql_eval_range(&r, &st, promql_expr_root(x), 0, t, 60000, &o, &e)
		   : promql_eval_instant(&r, &st, promql_expr_root(x), t, &o, &e);
	if (rc < 0) {
		buf_adds(out, err_msg(&e));
	} else {
		for (size_t i = 0; i < r.nseries; i++) {
			if (i)
				buf_adds(out, "\n");
			labels_format(out, r.series[i].labels, r.series[i].nlabels);
			if (range)
				buf_addf(out, " n=%zu", r.series[i].n);
			else
				buf_addf(out, " %g", r.series[i].v[0]);
		}
		promql_result_release(&r);
	}
	promql_expr_free(x);
	promql_memstore_release(&ms);
	err_release(&e);
	return buf_str(out);
}

static void test_instant(void)
{
	struct buf b = BUF_INIT;
	const char *dup = "vector cannot contain metrics with the same labelset";

	/* without it (2.42's way), the rate outputs collide at once */
	CHECK_STR(run(&b, "3.14.0", false, false, 600000, "sum(rate({env=\"1\"}[10m])) by (env)"), dup);
	CHECK_STR(run(&b, "3.14.0", true, false, 600000, "sum(rate({env=\"1\"}[10m])) by (env)"),
		  "{env=\"1\"} 0.05");
	/* before 2.55 the option does nothing */
	CHECK_STR(run(&b, "2.54.0", true, false, 600000, "sum(rate({env=\"1\"}[10m])) by (env)"), dup);
	/* the name is still there to read, and goes at the end */
	CHECK_STR(run(&b, "3.5.0", true, false, 600000,
		      "label_replace(rate(a_total[10m]), \"my_name\", \"rate_$1\", \"__name__\", \"(.+)\")"),
		  "{env=\"1\", my_name=\"rate_a_total\"} 0.0166667");
	/* written by label_replace, it stays */
	CHECK_STR(run(&b, "3.5.0", true, false, 600000,
		      "label_replace(rate(a_total[10m]), \"__name__\", \"r_$1\", \"__name__\", \"(.+)\")"),
		  "{__name__=\"r_a_total\", env=\"1\"} 0.0166667");
	/* grouping by a name that goes: the groups collide at the end */
	CHECK_STR(run(&b, "3.14.0", true, false, 600000, "sum by (__name__) (rate({env=\"1\"}[10m]))"), dup);
	/* a group drops the name if its member does (b_total has rate's
	 * signature: `or` leaves it out) */
	CHECK_STR(run(&b, "3.14.0", true, false, 600000, "sum by (__name__) (rate(a_total[10m]) or b_total)"),
		  "{} 0.0166667");
	CHECK_STR(run(&b, "3.14.0", true, false, 600000, "sum by (__name__) (a_total)"),
		  "{__name__=\"a_total\"} 10");
	/* vector-scalar arithmetic marks; the marked series still match by all labels */
	CHECK_STR(run(&b, "3.14.0", true, false, 600000, "(a_total + 1) and on(__name__) a_total"), "{env=\"1\"} 11");
	CHECK_STR(run(&b, "3.14.0", false, false, 600000, "(a_total + 1) and on(__name__) a_total"), "");
	buf_release(&b);
}

/* c and d share {env="2"} once abs() drops their names, at steps 0-1m and
 * 2m-3m: one series from 3.9, an error before. */
static void test_range_merge(void)
{
	struct buf b = BUF_INIT;

	CHECK_STR(run(&b, "3.9.0", true, true, 180000, "abs({env=\"2\"})"), "{env=\"2\"} n=4");
	CHECK_STR(run(&b, "3.8.0", true, true, 180000, "abs({env=\"2\"})"),
		  "vector cannot contain metrics with the same labelset");
	buf_release(&b);
}

/* A group whose first member keeps its name and a later one drops it
 * drops it, at every step of a range query, not only at the first (later
 * steps sum the groups their memo recorded: eval_aggr.c sum_steady). */
static void test_range_group_drop(void)
{
	struct buf b = BUF_INIT;
	const char *q = "sum by (__name__) (label_replace(a_total, \"env\", \"x\", \"\", \"\") or rate(a_total[5m]))";

	CHECK_STR(run(&b, "3.14.0", true, false, 600000, q), "{} 10.0167");
	/* at 0 rate has no point yet: a_total alone keeps the name */
	CHECK_STR(run(&b, "3.14.0", true, true, 600000, q), "{} n=10\n{__name__=\"a_total\"} n=1");
	buf_release(&b);
}

int main(void)
{
	RUN(test_instant);
	RUN(test_range_merge);
	RUN(test_range_group_drop);
	return check_done();
}
