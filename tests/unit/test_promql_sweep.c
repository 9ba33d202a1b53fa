/*
 * The sweep of range functions (4-promql/eval_sweep.c) against the
 * window-by-window path it replaces (promql_engine_opts.per_step_windows):
 * range queries over random series -- irregular scrapes, gaps longer than
 * the windows, counter resets, staleness markers, NaN and infinities --
 * must give the same series, timestamps and float bits, or the same error,
 * for every range function with several ranges, offsets and steps.  The
 * sweep must also actually have been used (promql_result.swept), or the
 * comparison would prove nothing.  And selectors of one query that select
 * the same series over the same time range share one storage select.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "1-common/err.h"
#include "1-common/gofmt.h"
#include "2-model/labels.h"
#include "4-promql/eval.h"
#include "4-promql/promql.h"
#include "4-promql/storage.h"
#include "5-query/local.h"
#include "5-query/source.h"
#include "tests/unit/check.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static double rnd_unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

#define BASE_MS 1700000000000LL
#define SPAN_MS (3 * 3600 * 1000LL)

/* Series m{i="0".."n-1"}: counters with resets, gauges, odd values. */
static int fill(struct promql_memstore *ms, int nser)
{
	struct err e = ERR_INIT;
	int rc = 0;

	for (int k = 0; k < nser && !rc; k++) {
		char iv[16];
		struct label ls[3] = { { "__name__", "m" }, { "i", iv }, { "kind", k % 2 ? "gauge" : "counter" } };
		int64_t t = BASE_MS + (int64_t)(rnd() % 60000);
		double v = (double)(rnd() % 100);

		snprintf(iv, sizeof(iv), "%d", k);
		while (t < BASE_MS + SPAN_MS) {
			uint64_t r = rnd() % 1000;
			double x;

			if (k % 2 == 0) {
				v += rnd_unit() * 10;
				if (r < 15)
					v = rnd_unit() * 3; /* counter reset */
				x = v;
			} else {
				x = (rnd_unit() - 0.5) * 1e3 * (r < 100 ? 1e-9 : 1);
			}
			if (r >= 990)
				x = prom_stale_nan();
			else if (r >= 985)
				x = go_nan();
			else if (r >= 982)
				x = r & 1 ? INFINITY : -INFINITY;
			if (promql_memstore_append(ms, ls, 3, t, x, &e) < 0) {
				fprintf(stderr, "append: %s\n", err_msg(&e));
				rc = -1;
				break;
			}
			if (k % 3 == 0) {
				/* classic histogram buckets of this series */
				static const char *const les[] = { "0.1", "1", "10", "+Inf" };
				for (int b = 0; b < 4 && !rc; b++) {
					struct label bl[3] = { { "__name__", "m_bucket" }, { "i", iv }, { "le", les[b] } };
					double bv = r >= 990 ? prom_stale_nan() : fabs(v) * (b + 1) / 4;
					if ((r + (uint64_t)b) % 7 == 0)
						continue; /* a bucket missing at this time */
					rc = promql_memstore_append(ms, bl, 3, t, bv, &e);
				}
				if (rc) {
					fprintf(stderr, "append: %s\n", err_msg(&e));
					break;
				}
			}
			/* mostly 15s +- jitter, sometimes long gaps */
			t += r < 20 ? 600000 + (int64_t)(rnd() % 1200000) : 1000 + (int64_t)(rnd() % 29000);
		}
	}
	err_release(&e);
	return rc;
}

static const char *const funcs[] = {
	"rate(%s)", "increase(%s)", "delta(%s)", "irate(%s)", "idelta(%s)", "deriv(%s)",
	"predict_linear(%s, 600)", "resets(%s)", "changes(%s)", "avg_over_time(%s)",
	"sum_over_time(%s)", "count_over_time(%s)", "last_over_time(%s)", "max_over_time(%s)",
	"min_over_time(%s)", "quantile_over_time(0.3, %s)", "stddev_over_time(%s)",
	"stdvar_over_time(%s)", "present_over_time(%s)", "absent_over_time(%s)",
	"sum by (kind) (rate(%s))", "-increase(%s) * 2", "rate(%s) > 0.5",
	"max_over_time(rate(%s)[10m:30s])", "predict_linear(%s, time() - 1700000000)",
	"quantile_over_time(0.9, %s) - avg_over_time(%s)",
	"count by (kind) (count_over_time(%s))", "avg without (i) (last_over_time(%s))",
	"topk(2, max_over_time(%s))",
};
/* Aggregations and histogram_quantile over inputs that change between
 * steps (series going stale, buckets missing): the groups carried over
 * from the last step must match the ones found by key. */
static const char *const grouped[] = {
	"sum by (kind) (m)", "avg without (i) (m)", "count(m_bucket)", "max by (le) (m_bucket)",
	"histogram_quantile(0.9, m_bucket)", "histogram_quantile(0.5, sum by (le) (rate(m_bucket[5m])))",
	"histogram_quantile(0.99, sum by (i, le) (increase(m_bucket[2m])))",
	"stddev by (le) (m_bucket)", "quantile by (kind) (0.3, m)", "sum(m_bucket) by (i)",
};
static const char *const sels[] = {
	"m[1m]", "m[5m]", "m{kind=\"gauge\"}[17m]", "m[30s] offset 45s", "m[2m] offset -1m",
	"m{i=\"1\"}[1h]", "m{i=\"none\"}[5m]", "m[5m] @ 1700003600",
};

static bool same_result(const struct promql_result *a, const struct promql_result *b)
{
	if (a->nseries != b->nseries)
		return false;
	for (size_t i = 0; i < a->nseries; i++) {
		const struct promql_result_series *x = &a->series[i], *y = &b->series[i];
		if (labels_cmp(x->labels, x->nlabels, y->labels, y->nlabels) || x->n != y->n)
			return false;
		for (size_t j = 0; j < x->n; j++)
			if (x->t[j] != y->t[j] || memcmp(&x->v[j], &y->v[j], sizeof(double)))
				return false;
	}
	return true;
}

/* Evaluates q both ways under release c (NULL: 2.42); counts the steps
 * swept into *swept. */
static void compare_compat(const struct promql_storage *st, const char *q, int64_t start, int64_t end, int64_t step,
			   const struct compat *c, uint64_t *swept)
{
	struct promql_engine_opts ref = { .per_step_windows = true, .compat = c }, fast = { .compat = c };
	struct promql_result ra, rb;
	struct err ea = ERR_INIT, eb = ERR_INIT, pe = ERR_INIT;
	struct promql_expr *x = NULL;
	int ca, cb;

	if (promql_parse(&x, q, strlen(q), &pe) < 0) {
		fprintf(stderr, "parse %s: %s\n", q, err_msg(&pe));
		CHECK(0);
		err_release(&pe);
		return;
	}
	ca = promql_eval_range(&ra, st, promql_expr_root(x), start, end, step, &ref, &ea);
	cb = promql_eval_range(&rb, st, promql_expr_root(x), start, end, step, &fast, &eb);
	CHECK_EQ_I(cb, ca);
	if (ca == 0 && cb == 0) {
		bool same = same_result(&ra, &rb);
		if (!same)
			fprintf(stderr, "differs: %s over [%lld, %lld] step %lld\n", q, (long long)start,
				(long long)end, (long long)step);
		CHECK(same);
		CHECK_EQ_U(ra.swept, 0);
		*swept += rb.swept;
	} else if (ca < 0 && cb < 0) {
		CHECK_STR(err_msg(&eb), err_msg(&ea));
	}
	if (ca == 0)
		promql_result_release(&ra);
	if (cb == 0)
		promql_result_release(&rb);
	promql_expr_free(x);
	err_release(&ea);
	err_release(&eb);
	err_release(&pe);
}

static void compare(const struct promql_storage *st, const char *q, int64_t start, int64_t end, int64_t step,
		    uint64_t *swept)
{
	compare_compat(st, q, start, end, step, NULL, swept);
}

static void test_sweep_matches_per_step(void)
{
	static const int64_t steps[] = { 1000, 7000, 15000, 60000, 333000, 3600000 };
	struct promql_memstore ms;
	struct promql_storage st;
	uint64_t swept = 0;

	rng_state = 0x9E3779B97F4A7C15ULL;
	promql_memstore_init(&ms);
	CHECK_EQ_I(fill(&ms, 6), 0);
	st = promql_memstore_storage(&ms);
	for (size_t f = 0; f < sizeof(funcs) / sizeof(*funcs); f++) {
		for (size_t s = 0; s < sizeof(sels) / sizeof(*sels); s++) {
			char q[256];
			int64_t step = steps[rnd() % (sizeof(steps) / sizeof(*steps))];
			int64_t start = BASE_MS - 600000 + (int64_t)(rnd() % (SPAN_MS / 2));
			int64_t end = start + (int64_t)(rnd() % (SPAN_MS / 2 + 1200000));

			if (step == 1000)
				end = start + (int64_t)(rnd() % 1800000); /* at most 1800 points */
			snprintf(q, sizeof(q), funcs[f], sels[s], sels[s]);
			compare(&st, q, start, end, step, &swept);
		}
	}
	for (size_t g = 0; g < sizeof(grouped) / sizeof(*grouped); g++) {
		int64_t start = BASE_MS - 600000 + (int64_t)(rnd() % (SPAN_MS / 2));
		compare(&st, grouped[g], start, start + SPAN_MS / 2, 15000, &swept);
		compare(&st, grouped[g], BASE_MS, BASE_MS + SPAN_MS, 60000, &swept);
	}
	/* the sweep took part (else the comparisons prove nothing) */
	CHECK(swept > 1000);
	promql_memstore_release(&ms);
}

/* A block of steps is followed by the next with the windows kept: steps
 * enough for several blocks of many series. */
static void test_sweep_blocks(void)
{
	struct promql_memstore ms;
	struct promql_storage st;
	uint64_t swept = 0;

	rng_state = 12345;
	promql_memstore_init(&ms);
	CHECK_EQ_I(fill(&ms, 40), 0);
	st = promql_memstore_storage(&ms);
	compare(&st, "rate(m[5m])", BASE_MS, BASE_MS + SPAN_MS, 1000, &swept);
	compare(&st, "sum_over_time(m[1m] offset 10s)", BASE_MS + 1, BASE_MS + SPAN_MS - 1, 3000, &swept);
	CHECK(swept > 10000);
	promql_memstore_release(&ms);
}

/*
 * rate, increase and delta over series without staleness markers, which
 * the sweep reads straight from their samples and whose time-only part it
 * memoises from step to step (func_rate_cols_memo): regular scrapes at a
 * fixed offset (the memo's hits), scrapes missing in the middle of a
 * window (the same first and last offsets, another count), counter
 * resets, NaN and infinities, and pairs of samples late in their windows
 * whose first value is 1 to 1.1 times their increase -- the windows where
 * the zero clamp shortens the start although the first value is at least
 * the increase.  Under 2.42, 2.51's threshold order and 3.0's left-open
 * windows.
 */
static void test_sweep_clean_rates(void)
{
	static const char *const qs[] = {
		"rate(r[5m])", "increase(r[1m])", "delta(r[2m] offset 30s)", "rate(r[30s])",
		"sum by (kind) (increase(r[5m]))",
	};
	static const int64_t steps[] = { 7000, 10000, 15000, 30000, 60000 };
	static const char *const rels[] = { NULL, "2.51.0", "3.0.0" };
	struct promql_memstore ms;
	struct promql_storage st;
	struct err e = ERR_INIT;
	uint64_t swept = 0;

	rng_state = 0xC0FFEEULL;
	promql_memstore_init(&ms);
	for (int k = 0; k < 12; k++) {
		char iv[4];
		struct label ls[3] = { { "__name__", "r" }, { "i", iv }, { "kind", k % 3 == 2 ? "pairs" : "regular" } };
		int64_t t = BASE_MS + (int64_t)(rnd() % 15000);
		double v = (double)(rnd() % 50);

		snprintf(iv, sizeof(iv), "%d", k);
		while (t < BASE_MS + 3600000) {
			uint64_t r = rnd() % 1000;
			if (k % 3 == 2) {
				/* a pair 15s apart every 4.5 minutes: a/d in [1, 1.1), or not */
				double d = 1 + rnd_unit() * 5, a = r < 600 ? d * (1 + rnd_unit() * 0.1) : rnd_unit() * 3 * d;
				CHECK_EQ_I(promql_memstore_append(&ms, ls, 3, t, a, &e), 0);
				CHECK_EQ_I(promql_memstore_append(&ms, ls, 3, t + 15000, a + d, &e), 0);
				t += 270000;
				continue;
			}
			v += rnd_unit() * 8;
			if (r < 20)
				v = rnd_unit() * 2; /* counter reset */
			if (r >= 80) /* else missing */
				CHECK_EQ_I(promql_memstore_append(&ms, ls, 3, t,
								  r >= 998 ? go_nan() : r >= 996 ? INFINITY : v, &e), 0);
			t += 15000;
		}
	}
	st = promql_memstore_storage(&ms);
	for (size_t c = 0; c < sizeof(rels) / sizeof(*rels); c++) {
		struct compat rel;
		if (rels[c])
			CHECK_EQ_I(compat_parse(&rel, rels[c], &e), 0);
		for (size_t q = 0; q < sizeof(qs) / sizeof(*qs); q++)
			for (size_t s = 0; s < sizeof(steps) / sizeof(*steps); s++)
				compare_compat(&st, qs[q], BASE_MS + (int64_t)(rnd() % 600000), BASE_MS + 3600000, steps[s],
					       rels[c] ? &rel : NULL, &swept);
	}
	CHECK(swept > 10000);
	promql_memstore_release(&ms);
	err_release(&e);
}

/*
 * histogram_quantile's layout of a step's buckets (eval_hq.c), which
 * places each group's buckets in the order the stable sort would leave
 * them: buckets of equal bound ("1", "1.0", "1e0") must stay in input
 * order, since coalescing adds their counts in that order.
 */
static void test_hq_equal_bounds(void)
{
	static const char *const les[] = { "0.5", "1", "1.0", "1e0", "+Inf", "2" };
	static const char *const qs[] = {
		"histogram_quantile(0.7, t_bucket)", "histogram_quantile(0.3, rate(t_bucket[1m]))",
		"histogram_quantile(0.9, sum by (le, g) (t_bucket))",
	};
	struct promql_memstore ms;
	struct promql_storage st;
	struct err e = ERR_INIT;
	uint64_t swept = 0;

	rng_state = 777;
	promql_memstore_init(&ms);
	for (int g = 0; g < 3; g++) {
		char gv[4];
		snprintf(gv, sizeof(gv), "%d", g);
		for (size_t b = 0; b < sizeof(les) / sizeof(*les); b++) {
			struct label ls[3] = { { "__name__", "t_bucket" }, { "g", gv }, { "le", les[b] } };
			double v = 0;
			for (int64_t t = BASE_MS; t < BASE_MS + 3600000; t += 15000) {
				v += rnd_unit() * 0.3;
				CHECK_EQ_I(promql_memstore_append(&ms, ls, 3, t, v, &e), 0);
			}
		}
	}
	st = promql_memstore_storage(&ms);
	for (size_t q = 0; q < sizeof(qs) / sizeof(*qs); q++)
		compare(&st, qs[q], BASE_MS + 60000, BASE_MS + 3600000, 15000, &swept);
	CHECK(swept > 100);
	promql_memstore_release(&ms);
	err_release(&e);
}

/*
 * 3.0's left-open windows (gate PROMQL_LEFT_OPEN; promql/engine.go at
 * v3.0.0 selects (maxt - range, maxt]) in the sweep too: samples every 15s
 * on step boundaries, so a window's first sample sits exactly on its
 * start.  The sweep gives the per-step path's results under 3.0, and they
 * are not 2.42's (count_over_time over 1m: 4 samples, not 5).
 */
static void test_sweep_left_open(void)
{
	static const char *const qs[] = {
		"count_over_time(a[1m])", "rate(a[1m])", "sum_over_time(a[5m] offset 30s)", "changes(a[45s])",
		"max_over_time(a[2m])",
	};
	const int64_t t0 = 1699999980000LL; /* a multiple of 15s */
	struct promql_memstore ms;
	struct promql_storage st;
	struct compat v30;
	struct err e = ERR_INIT;
	uint64_t swept = 0;

	CHECK_EQ_I(compat_parse(&v30, "3.0.0", &e), 0);
	promql_memstore_init(&ms);
	for (int k = 0; k < 3; k++) {
		char iv[4];
		struct label ls[2] = { { "__name__", "a" }, { "i", iv } };

		snprintf(iv, sizeof(iv), "%d", k);
		for (int64_t i = 0; i < 4 * 240; i++)
			CHECK_EQ_I(promql_memstore_append(&ms, ls, 2, t0 + i * 15000, (double)(i * (k + 1)), &e), 0);
	}
	st = promql_memstore_storage(&ms);
	for (size_t q = 0; q < sizeof(qs) / sizeof(*qs); q++)
		compare_compat(&st, qs[q], t0 + 3600000, t0 + 7200000, 15000, &v30, &swept);
	CHECK(swept > 200);
	{
		struct promql_engine_opts o242 = { 0 }, o30 = { .compat = &v30 };
		struct promql_result a, b;
		struct promql_expr *x = NULL;

		CHECK_EQ_I(promql_parse(&x, qs[0], strlen(qs[0]), &e), 0);
		CHECK_EQ_I(promql_eval_range(&a, &st, promql_expr_root(x), t0 + 3600000, t0 + 7200000, 15000, &o242, &e), 0);
		CHECK_EQ_I(promql_eval_range(&b, &st, promql_expr_root(x), t0 + 3600000, t0 + 7200000, 15000, &o30, &e), 0);
		CHECK(b.swept > 0);
		CHECK(a.nseries == 3 && b.nseries == 3 && a.series[0].n > 0 && b.series[0].n == a.series[0].n);
		if (a.nseries == 3 && b.nseries == 3 && a.series[0].n > 0) {
			CHECK(a.series[0].v[0] == 5);
			CHECK(b.series[0].v[0] == 4);
		}
		promql_result_release(&a);
		promql_result_release(&b);
		promql_expr_free(x);
	}
	promql_memstore_release(&ms);
	err_release(&e);
}

/* A storage counting the selects it answers. */
struct counting {
	struct promql_storage inner;
	int selects;
};

static int counting_select(void *ctx, const struct label_matcher *m, size_t nm, int64_t mint, int64_t maxt,
			   struct promql_series_set *out, struct err *e)
{
	struct counting *c = ctx;

	c->selects++;
	return c->inner.select(c->inner.ctx, m, nm, mint, maxt, out, e);
}

/* Selectors of a query with the same matchers and time range share one
 * select; the results do not change. */
static void test_shared_selections(void)
{
	static const struct {
		const char *q;
		int selects;
	} cases[] = {
		{ "rate(m[5m]) / rate(m[5m])", 1 },
		{ "sum(rate(m{kind=\"gauge\"}[5m])) / count(rate(m{kind=\"gauge\"}[5m]))", 1 },
		{ "rate(m[5m]) / rate(m[1m])", 2 },
		{ "rate(m[5m]) / rate(m[5m] offset 1m)", 2 },
		{ "m + m{kind=\"gauge\"} + m", 2 },
		{ "m / {__name__=\"m\"}", 1 }, /* the same matcher */
		{ "m / {__name__=~\"m\"}", 2 },
	};
	struct promql_memstore ms;
	struct counting cnt;
	struct promql_storage st = { counting_select, &cnt };

	rng_state = 777;
	promql_memstore_init(&ms);
	CHECK_EQ_I(fill(&ms, 5), 0);
	cnt.inner = promql_memstore_storage(&ms);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct promql_expr *x = NULL;
		struct promql_result r;
		struct err e = ERR_INIT;
		uint64_t swept = 0;

		if (promql_parse(&x, cases[i].q, strlen(cases[i].q), &e) < 0) {
			fprintf(stderr, "parse %s: %s\n", cases[i].q, err_msg(&e));
			CHECK(0);
			err_release(&e);
			continue;
		}
		cnt.selects = 0;
		CHECK_EQ_I(promql_eval_range(&r, &st, promql_expr_root(x), BASE_MS, BASE_MS + 3600000, 30000, NULL, &e), 0);
		if (cnt.selects != cases[i].selects)
			fprintf(stderr, "%s: %d selects\n", cases[i].q, cnt.selects);
		CHECK_EQ_I(cnt.selects, cases[i].selects);
		promql_result_release(&r);
		/* and the same answers as the reference path */
		compare(&st, cases[i].q, BASE_MS, BASE_MS + 3600000, 30000, &swept);
		promql_expr_free(x);
		err_release(&e);
	}
	promql_memstore_release(&ms);
}

/* A sink collecting a range query's result as text (labels, times, value
 * bits), to compare answers. */
static int text_series(void *arg, const struct query_series *qs, struct err *e)
{
	struct buf *b = arg;

	(void)e;
	for (size_t i = 0; i < qs->nlabels; i++)
		buf_addf(b, "%s=%s,", qs->labels[i].name, qs->labels[i].value);
	for (size_t i = 0; i < qs->n; i++) {
		uint64_t bits;
		memcpy(&bits, &qs->v[i], sizeof(bits));
		buf_addf(b, " %lld:%016llx", (long long)qs->t[i], (unsigned long long)bits);
	}
	buf_addc(b, '\n');
	return 0;
}

/*
 * The --source-dir source shares the selections its plan's expressions
 * have in common: each such selection is read once per window, whichever
 * order rules and windows come in, and the answers are those of a source
 * that shares nothing.
 */
static void test_planned_keep(void)
{
	static const char *const exprs[] = {
		"histogram_quantile(0.5, sum by (le) (rate(lat_bucket[5m])))",
		"histogram_quantile(0.9, sum by (le) (rate(lat_bucket[5m])))",
		"sum(rate(req_total[5m])) / sum(rate(lat_bucket[5m]))",
		"rate(req_total[1m])",
		"temp",
	};
	const size_t nx = sizeof(exprs) / sizeof(*exprs);
	const char *dir = "testdata/promql-eval/range/data";
	struct query_source *kept = NULL, *plain = NULL;
	struct err e = ERR_INIT;
	uint64_t hits, misses;

	CHECK_EQ_I(promql_engine_source_open_dir(&kept, dir, NULL, &e), 0);
	CHECK_EQ_I(promql_engine_source_open_dir(&plain, dir, NULL, &e), 0);
	if (!kept || !plain)
		goto done;
	query_source_plan(kept, exprs, nx);
	/* rule-major order, then window-major, over two windows */
	for (int order = 0; order < 2; order++) {
		for (size_t u = 0; u < 2 * nx; u++) {
			size_t x = order ? u % nx : u / 2, w = order ? u / nx : u % 2;
			int64_t start = (1700000000LL + 3600 * (int64_t)w) * 1000000000LL;
			int64_t end = start + 3600LL * 1000000000LL;
			struct buf a = BUF_INIT, b = BUF_INIT;
			struct query_sink sa = { &a, NULL, text_series }, sb = { &b, NULL, text_series };

			CHECK_EQ_I(query_source_range(kept, exprs[x], start, end, 15000000000LL, &sa, &e), 0);
			CHECK_EQ_I(query_source_range(plain, exprs[x], start, end, 15000000000LL, &sb, &e), 0);
			CHECK(a.len > 0);
			CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
			buf_release(&a);
			buf_release(&b);
		}
	}
	/* lat_bucket[5m] is in three expressions: read once per window and
	 * order (4 misses), then found by the two others (8 hits) */
	promql_engine_source_cache_stats(kept, &hits, &misses);
	CHECK_EQ_U(misses, 4);
	CHECK_EQ_U(hits, 8);
	promql_engine_source_cache_stats(plain, &hits, &misses);
	CHECK_EQ_U(hits + misses, 0);
done:
	query_source_free(kept);
	query_source_free(plain);
	err_release(&e);
}

int main(void)
{
	RUN(test_sweep_matches_per_step);
	RUN(test_sweep_blocks);
	RUN(test_sweep_clean_rates);
	RUN(test_hq_equal_bounds);
	RUN(test_sweep_left_open);
	RUN(test_shared_selections);
	RUN(test_planned_keep);
	return check_done();
}
