/*
 * Range queries in batches of series (4-promql/eval_stream.c) against one
 * evaluation over the whole selection: over random series (counters with
 * resets, gauges, classic histogram buckets, gaps, NaN, staleness
 * markers, labels missing on some series, series that differ only in
 * their name) and random rules of the shapes streamed and of some that
 * are not, with random batch sizes down to one sample, both must give
 * the same series, timestamps and float bits.
 *
 * Twice: through the memory store (promql_eval_range_stream() against
 * promql_eval_range(), which must have streamed most queries, or the
 * comparison would prove little), and through the local query source
 * over a block written to disk, as `create-blocks-from rules
 * --source-dir` reads it (stream_batch_samples small against SIZE_MAX):
 * the same results and errors, so the same blocks.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
#include "3-tsdb/block_writer.h"
#include "3-tsdb/meta.h"
#include "4-promql/eval.h"
#include "4-promql/eval_stream.h"
#include "4-promql/promql.h"
#include "4-promql/storage.h"
#include "5-query/local.h"
#include "5-query/source.h"
#include "tests/unit/check.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

#define BASE_MS 1700006400000LL /* a 2h block boundary */
#define SPAN_MS (100 * 60 * 1000LL)

static const char *const rules[] = {
	"sum by (route) (rate(c[5m]))",
	"histogram_quantile(0.9, sum by (le, route, tenant) (rate(h_bucket[5m])))",
	"sum by (route) (rate(h_sum[5m])) / sum by (route) (rate(h_count[5m]))",
	"avg by (tenant) (g)",
	"max without (tenant) (max_over_time(g[3m] offset 1m))",
	"count by (route, tenant) (g > 50)",
	"sum by (route) (rate({__name__=~\"c|c2\"}[5m]))",
	"avg_over_time(g[5m])",
	"-sum by (x) (irate(c[2m])) * 2",
	"stddev by (route) (deriv(g[10m]))",
	"sum by (route) (increase(c[5m])) + on (route) sum by (route) (increase(c[10m]))",
	"min by (route, x) (clamp_max(g, 60))",
	"group by (tenant) (quantile_over_time(0.5, g[5m]))",
	"sum by (route) (rate(c[5m])) > bool 0.1",
	"sum without (le) (rate(h_bucket[1m]))",
	"stdvar by (route, tenant) (changes(g[5m]) + resets(c[5m]))",
	"abs(g - ignoring (x) g2)",
	"sum(rate(c[5m]))",
	"topk(2, g)",
	"sum by (route) (label_replace(g, \"route\", \"r\", \"tenant\", \".*\"))",
	"sum by (route) (rate(c[5m])) or sum by (tenant) (rate(c[5m]))",
};
#define NRULES (sizeof(rules) / sizeof(rules[0]))

struct sample_sink {
	struct block_writer *w;
	struct promql_memstore *ms;
	size_t n;
};

static void put(struct sample_sink *s, const struct label *ls, size_t n, int64_t t, double v)
{
	struct err e = ERR_INIT;

	CHECK_EQ_I(promql_memstore_append(s->ms, ls, n, t, v, &e), 0);
	CHECK_EQ_I(block_writer_append(s->w, ls, n, t, v, &e), 0);
	if (++s->n % 5000 == 0)
		CHECK_EQ_I(block_writer_commit(s->w, &e), 0);
	err_release(&e);
}

/* One series of metric name with the route/tenant/x labels and an extra
 * (le) label, values from kind: 0 counter, 1 gauge. */
static void series(struct sample_sink *s, const char *name, const char *route, const char *tenant, const char *x,
		   const char *le, int kind, double scale)
{
	struct label ls[5];
	size_t n = 0;
	int64_t t = BASE_MS + (int64_t)(rnd() % 30000);
	int64_t every = 15000 + (int64_t)(rnd() % 3) * 15000;
	double v = (double)(rnd() % 50);

	/* sorted by name: __name__, le, route, tenant, x */
	ls[n++] = (struct label){ "__name__", name };
	if (le)
		ls[n++] = (struct label){ "le", le };
	ls[n++] = (struct label){ "route", route };
	ls[n++] = (struct label){ "tenant", tenant };
	if (x)
		ls[n++] = (struct label){ "x", x };
	for (; t < BASE_MS + SPAN_MS; t += every + (int64_t)(rnd() % 2000)) {
		uint64_t r = rnd() % 1000;
		if (r < 10) {
			t += 7 * 60000; /* a gap longer than the windows */
			continue;
		}
		if (kind == 0)
			v = r < 15 ? 0 : v + (double)(rnd() % 20) * scale;
		else
			v = (double)(rnd() % 10000) / 100;
		if (r == 20)
			put(s, ls, n, t, prom_stale_nan());
		else if (r == 21)
			put(s, ls, n, t, NAN);
		else
			put(s, ls, n, t, v);
	}
}

static void fill(struct sample_sink *s)
{
	static const char *const le[] = { "0.1", "0.5", "1", "+Inf" };
	static const char *const xs[] = { NULL, "a", "b" };

	for (int r = 0; r < 5; r++) {
		for (int tn = 0; tn < 4; tn++) {
			char rv[8], tv[8];
			const char *x = xs[rnd() % 3];
			snprintf(rv, sizeof(rv), "r%d", r);
			snprintf(tv, sizeof(tv), "t%d", tn);
			series(s, "c", rv, tv, x, NULL, 0, 1);
			if (r == 0 && tn == 0)
				series(s, "c2", rv, tv, x, NULL, 0, 1); /* same labels but the name */
			series(s, "g", rv, tv, x, NULL, 1, 1);
			series(s, "g2", rv, tv, x, NULL, 1, 1);
			for (size_t b = 0; b < 4; b++)
				series(s, "h_bucket", rv, tv, NULL, le[b], 0, (double)(b + 1));
			series(s, "h_sum", rv, tv, NULL, NULL, 0, 0.5);
			series(s, "h_count", rv, tv, NULL, NULL, 0, 4);
		}
	}
}

static void put_u64(struct buf *b, uint64_t v)
{
	buf_add(b, &v, sizeof(v));
}

/* The result as bytes: labels, then every timestamp and value's bits. */
static void serialise(struct buf *b, const struct promql_result *r)
{
	for (size_t i = 0; i < r->nseries; i++) {
		for (size_t j = 0; j < r->series[i].nlabels; j++) {
			buf_add(b, r->series[i].labels[j].name, strlen(r->series[i].labels[j].name) + 1);
			buf_add(b, r->series[i].labels[j].value, strlen(r->series[i].labels[j].value) + 1);
		}
		put_u64(b, r->series[i].n);
		for (size_t k = 0; k < r->series[i].n; k++) {
			uint64_t bits;
			memcpy(&bits, &r->series[i].v[k], sizeof(bits));
			put_u64(b, (uint64_t)r->series[i].t[k]);
			put_u64(b, bits);
		}
	}
}

static int sink_series(void *arg, const struct query_series *s, struct err *e)
{
	struct buf *b = arg;

	(void)e;
	for (size_t j = 0; j < s->nlabels; j++) {
		buf_add(b, s->labels[j].name, strlen(s->labels[j].name) + 1);
		buf_add(b, s->labels[j].value, strlen(s->labels[j].value) + 1);
	}
	put_u64(b, s->n);
	buf_add(b, s->t, s->n * sizeof(*s->t));
	buf_add(b, s->v, s->n * sizeof(*s->v));
	return 0;
}

/* A query through a local source: the sink's bytes, or the error. */
static void source_query(struct query_source *src, const char *q, int64_t start, int64_t end, int64_t step,
			 struct buf *out)
{
	struct query_sink sink = { out, NULL, sink_series };
	struct err e = ERR_INIT;

	if (query_source_range(src, q, start * 1000000, end * 1000000, step * 1000000, &sink, &e) < 0) {
		buf_adds(out, "error: ");
		buf_adds(out, err_msg(&e));
	}
	err_release(&e);
}

static void test_stream_matches_whole(void)
{
	char dir[] = "/tmp/test_promql_stream.XXXXXX";
	struct promql_memstore ms;
	struct promql_storage st;
	struct block_writer *w = NULL;
	struct block_meta meta;
	struct query_source *whole = NULL, *batched = NULL;
	struct promql_engine_opts ow = { 0 }, ob = { 0 };
	struct err e = ERR_INIT;
	size_t streamed = 0, compared = 0, src_streamed_shapes = 0;
	char *cmd;

	CHECK(mkdtemp(dir) != NULL);
	promql_memstore_init(&ms);
	CHECK_EQ_I(block_writer_new(&w, dir, 2 * 7200000, &e), 0);
	struct sample_sink s = { w, &ms, 0 };
	fill(&s);
	CHECK_EQ_I(block_writer_commit(w, &e), 0);
	block_meta_init(&meta);
	CHECK_EQ_I(block_writer_flush(w, &meta, &e), 0);
	block_meta_release(&meta);
	block_writer_free(w);
	st = promql_memstore_storage(&ms);

	ow.stream_batch_samples = SIZE_MAX;
	CHECK_EQ_I(promql_engine_source_open_dir(&whole, dir, &ow, &e), 0);
	for (int round = 0; round < 150; round++) {
		const char *q = rules[rnd() % NRULES];
		int64_t step = (int64_t)(1 + rnd() % 4) * 30000;
		int64_t start = BASE_MS + (int64_t)(rnd() % 600) * 1000;
		int64_t end = start + (int64_t)(rnd() % 90 + 1) * 60000;
		size_t batch = 1 + rnd() % 3000;
		struct promql_expr *x = NULL;
		struct promql_result a, b;
		struct err ea = ERR_INIT, eb = ERR_INIT;
		struct buf ba = BUF_INIT, bb = BUF_INIT;
		int ra, rb;

		CHECK_EQ_I(promql_parse(&x, q, strlen(q), &e), 0);
		ra = promql_eval_range(&a, &st, promql_expr_root(x), start, end, step, NULL, &ea);
		rb = promql_eval_range_stream(&b, &st, promql_expr_root(x), start, end, step, NULL, batch, &eb);
		CHECK(rb == 0 || rb == 1);
		if (rb == 1) {
			streamed++;
			CHECK_EQ_I(ra, 0); /* a failing query is never streamed */
			serialise(&ba, &a);
			serialise(&bb, &b);
			CHECK(ba.len > 0);
			CHECK_MEM(ba.data, ba.len, bb.data, bb.len);
			if (ba.len != bb.len || memcmp(ba.data, bb.data, ba.len))
				fprintf(stderr, "differs: %s [%lld, %lld] step %lld batch %zu\n", q, (long long)start,
					(long long)end, (long long)step, batch);
			promql_result_release(&b);
		}
		if (ra == 0)
			promql_result_release(&a);
		compared++;

		/* the same query through the local source over the block */
		buf_reset(&ba);
		buf_reset(&bb);
		ob.stream_batch_samples = batch;
		CHECK_EQ_I(promql_engine_source_open_dir(&batched, dir, &ob, &e), 0);
		source_query(whole, q, start, end, step, &ba);
		source_query(batched, q, start, end, step, &bb);
		CHECK_MEM(ba.data, ba.len, bb.data, bb.len);
		src_streamed_shapes += rb == 1;
		query_source_free(batched);
		batched = NULL;
		buf_release(&ba);
		buf_release(&bb);
		err_release(&ea);
		err_release(&eb);
		promql_expr_free(x);
	}
	/* most rules are of streamed shapes: the comparison did compare */
	CHECK(streamed >= compared / 3);
	CHECK(src_streamed_shapes == streamed);
	query_source_free(whole);
	promql_memstore_release(&ms);
	err_release(&e);
	cmd = xasprintf("rm -rf '%s'", dir);
	CHECK_EQ_I(system(cmd), 0);
	free(cmd);
}

/* Shapes that must not be streamed: the batches could not give the same. */
static void test_stream_refuses(void)
{
	static const char *const no[] = {
		"sum(rate(c[5m]))", "topk(2, g)", "sum by (route) (g @ 1700006500)",
		"sum by (route) (rate(c[5m:1m]))", "sum by (le) (h_bucket) and g",
		"histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))",
		"sum by (route) (g) / on () group_left sum(g)",
		"sum by (route) (label_replace(g, \"route\", \"r\", \"tenant\", \".*\"))",
		"sum by (route) (g) * scalar(sum(g))",
	};
	struct promql_memstore ms;
	struct promql_storage st;
	struct err e = ERR_INIT;

	promql_memstore_init(&ms);
	for (int r = 0; r < 50; r++) {
		char rv[8];
		struct label ls[3] = { { "__name__", "g" }, { "route", rv }, { "tenant", "t" } };
		snprintf(rv, sizeof(rv), "r%d", r);
		for (int k = 0; k < 100; k++)
			CHECK_EQ_I(promql_memstore_append(&ms, ls, 3, BASE_MS + k * 15000, k, &e), 0);
	}
	st = promql_memstore_storage(&ms);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		struct promql_expr *x = NULL;
		struct promql_result r;
		CHECK_EQ_I(promql_parse(&x, no[i], strlen(no[i]), &e), 0);
		CHECK_EQ_I(promql_eval_range_stream(&r, &st, promql_expr_root(x), BASE_MS, BASE_MS + 1800000, 60000,
						    NULL, 10, &e), 0);
		promql_expr_free(x);
	}
	/* and the control: a streamed shape over the same data is */
	{
		const char *q = "sum by (route) (g)";
		struct promql_expr *x = NULL;
		struct promql_result r;
		CHECK_EQ_I(promql_parse(&x, q, strlen(q), &e), 0);
		CHECK_EQ_I(promql_eval_range_stream(&r, &st, promql_expr_root(x), BASE_MS, BASE_MS + 1800000, 60000,
						    NULL, 10, &e), 1);
		CHECK_EQ_I(r.nseries, 50);
		promql_result_release(&r);
		promql_expr_free(x);
	}
	promql_memstore_release(&ms);
	err_release(&e);
}

int main(void)
{
	RUN(test_stream_matches_whole);
	RUN(test_stream_refuses);
	return check_done();
}
