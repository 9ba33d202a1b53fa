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
 *
 * A source over a data directory shares selections between the queries
 * of a plan (query_source_plan(): the rules backfill's expressions): a
 * selector that several expressions have in common -- the same matchers,
 * range and offset, like p50/p90/p99 over one histogram's buckets -- is
 * read and decoded once per window, kept until each of those expressions
 * has read it (whatever the order of rules and windows), then dropped.
 * Kept selections take at most SEL_KEEP_BUDGET bytes (the rules backfill
 * stays within 64 MB on a day of the seed rules); past that a
 * selection is read again by each query.  Selections no two expressions
 * share are never kept.  The data directory does not change while the
 * source is open, so a kept selection is exactly what a new select would
 * return.  The keep is shared by the threads of --concurrency (a mutex;
 * the selects of misses run outside it).
 *
 * A query whose selections hold more than a batch of samples, and whose
 * shape allows it, is evaluated in batches of series straight from the
 * data (4-promql/eval_stream.h), without the keep: the same results in
 * bounded memory (promql_engine_opts.stream_batch_samples).
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "5-query/local.h"
#include "4-promql/promql.h"
#include "4-promql/eval_stream.h"
#include "3-tsdb/db_reader.h"

/* ---- selections kept between queries ---- */

#define SEL_KEEP_BUDGET ((size_t)32 << 20)
#define DEFAULT_LOOKBACK_MS (5 * 60 * 1000)

struct sc_entry {
	struct sc_entry *prev, *next;
	struct buf key;               /* matchers, then mint and maxt */
	struct promql_series_set set; /* the inner storage's */
	size_t bytes;
	unsigned refs;                /* sets handed out and not released */
	size_t pending;               /* reads still expected */
	bool listed;                  /* kept; else freed by its last release */
};

/* A selector several planned expressions share: matchers, range, offset. */
struct plan_key {
	struct buf key;
	size_t uses; /* expressions that have it */
};

struct sel_keep {
	struct promql_storage inner;
	pthread_mutex_t mu;
	struct sc_entry *head;
	size_t bytes, budget;
	uint64_t hits, misses;
	struct plan_key *plan;
	size_t nplan, plancap;
	int64_t lookback;
};

/* The storage of one query: the keep and the query's evaluation range,
 * from which a selection's range and offset follow. */
struct keep_query {
	struct sel_keep *k;
	int64_t start, end;
};

/* What a handed-out set's priv points to. */
struct sc_view {
	struct sel_keep *c;
	struct sc_entry *en;
};

static void sc_put64(struct buf *b, uint64_t v)
{
	unsigned char x[8];

	for (int i = 0; i < 8; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	buf_add(b, x, sizeof(x));
}

static void sc_matchers(struct buf *b, const struct label_matcher *m, size_t nm)
{
	for (size_t i = 0; i < nm; i++) {
		buf_addc(b, (unsigned char)m[i].type);
		buf_add(b, m[i].name, strlen(m[i].name) + 1);
		sc_put64(b, m[i].value_len);
		buf_add(b, m[i].value, m[i].value_len);
	}
}

/* About what a set holds: samples, label arrays and strings. */
static size_t sc_bytes(const struct promql_series_set *set)
{
	size_t n = sizeof(*set->v) * set->n;

	for (size_t i = 0; i < set->n; i++) {
		n += set->v[i].n * (sizeof(int64_t) + sizeof(double));
		for (size_t j = 0; j < set->v[i].nlabels; j++)
			n += sizeof(struct label) + strlen(set->v[i].labels[j].name) +
			     strlen(set->v[i].labels[j].value) + 2;
	}
	return n;
}

static void sc_entry_free(struct sc_entry *en)
{
	promql_series_set_release(&en->set);
	buf_release(&en->key);
	free(en);
}

/* Drops en from the keep (under the mutex); frees it unless in use. */
static void sc_unlist(struct sel_keep *c, struct sc_entry *en)
{
	if (en->prev)
		en->prev->next = en->next;
	else
		c->head = en->next;
	if (en->next)
		en->next->prev = en->prev;
	en->prev = en->next = NULL;
	en->listed = false;
	c->bytes -= en->bytes;
	if (!en->refs)
		sc_entry_free(en);
}

static void sc_release_view(struct promql_series_set *set)
{
	struct sc_view *vw = set->priv;
	struct sel_keep *c = vw->c;

	pthread_mutex_lock(&c->mu);
	if (!--vw->en->refs && !vw->en->listed)
		sc_entry_free(vw->en);
	pthread_mutex_unlock(&c->mu);
	free(vw);
}

/* The set handed out for en: its series, released through the keep. */
static void sc_view(struct sel_keep *c, struct sc_entry *en, struct promql_series_set *out)
{
	struct sc_view *vw = xmalloc(sizeof(*vw));

	vw->c = c;
	vw->en = en;
	*out = (struct promql_series_set){ en->set.v, en->set.n, sc_release_view, vw };
}

/* How many planned expressions have the selector of key (matchers, range,
 * offset); 0 if none or not planned. */
static size_t plan_uses(const struct sel_keep *c, const struct buf *key)
{
	for (size_t i = 0; i < c->nplan; i++)
		if (c->plan[i].key.len == key->len && !memcmp(c->plan[i].key.data, key->data, key->len))
			return c->plan[i].uses;
	return 0;
}

/* A kept selection with this key, taken for one more reader (under the
 * mutex), or NULL. */
static struct sc_entry *sc_find(struct sel_keep *c, const struct buf *key)
{
	for (struct sc_entry *en = c->head; en; en = en->next) {
		if (en->key.len == key->len && !memcmp(en->key.data, key->data, key->len)) {
			en->refs++;
			c->hits++;
			if (!--en->pending)
				sc_unlist(c, en); /* every sharer has it now */
			return en;
		}
	}
	c->misses++;
	return NULL;
}

/*
 * The storage select of a query through the keep: a selection planned
 * expressions share is found kept or read and kept; any other goes
 * straight to the data.
 */
static int sc_select(void *ctx, const struct label_matcher *m, size_t nm, int64_t mint, int64_t maxt,
		     struct promql_series_set *out, struct err *e)
{
	struct keep_query *q = ctx;
	struct sel_keep *c = q->k;
	struct sc_entry *en = NULL;
	struct buf key = BUF_INIT;
	/* maxt = end - offset, mint = start - offset - range (wrapping) */
	uint64_t off = (uint64_t)q->end - (uint64_t)maxt, range = (uint64_t)q->start - off - (uint64_t)mint;
	size_t uses;
	int rc = -1;

	sc_matchers(&key, m, nm);
	sc_put64(&key, range);
	sc_put64(&key, off);
	uses = plan_uses(c, &key);
	if (uses < 2) {
		rc = c->inner.select(c->inner.ctx, m, nm, mint, maxt, out, e);
		goto done;
	}
	key.len -= 16; /* the selection's key: matchers, mint, maxt */
	sc_put64(&key, (uint64_t)mint);
	sc_put64(&key, (uint64_t)maxt);
	pthread_mutex_lock(&c->mu);
	en = sc_find(c, &key);
	pthread_mutex_unlock(&c->mu);
	if (en) {
		sc_view(c, en, out);
		rc = 0;
		goto done;
	}
	en = xcalloc(1, sizeof(*en));
	if (c->inner.select(c->inner.ctx, m, nm, mint, maxt, &en->set, e) < 0) {
		free(en);
		goto done;
	}
	en->key = key;
	key = (struct buf)BUF_INIT; /* en owns it */
	en->bytes = sc_bytes(&en->set);
	en->refs = 1;
	en->pending = uses - 1;
	pthread_mutex_lock(&c->mu);
	if (en->bytes <= c->budget - c->bytes) {
		en->next = c->head;
		if (c->head)
			c->head->prev = en;
		c->head = en;
		en->listed = true;
		c->bytes += en->bytes;
	}
	pthread_mutex_unlock(&c->mu);
	sc_view(c, en, out);
	rc = 0;
done:
	buf_release(&key);
	return rc;
}

/* The keys (matchers, range, offset) of the plain selectors of x, each
 * once, appended to *keys: selectors without `@` outside subqueries,
 * whose selections depend only on the query's range. */
static void plan_selectors(const struct promql_node *root, int64_t lookback, struct buf **keys, size_t *n,
			   size_t *cap)
{
	const struct promql_node **st = NULL;
	size_t nst = 0, stcap = 0;

	ALLOC_GROW(st, nst + 1, stcap);
	st[nst++] = root;
	while (nst) {
		const struct promql_node *x = st[--nst], *vs = NULL;
		int64_t range = lookback;

		switch (x->kind) {
		case PROMQL_NODE_VECTOR:
			vs = x;
			break;
		case PROMQL_NODE_MATRIX:
			vs = x->u.matrix.vs;
			range = x->u.matrix.range_ms;
			break;
		case PROMQL_NODE_AGGREGATE:
			ALLOC_GROW(st, nst + 2, stcap);
			st[nst++] = x->u.aggregate.expr;
			if (x->u.aggregate.param)
				st[nst++] = x->u.aggregate.param;
			break;
		case PROMQL_NODE_BINARY:
			ALLOC_GROW(st, nst + 2, stcap);
			st[nst++] = x->u.binary.lhs;
			st[nst++] = x->u.binary.rhs;
			break;
		case PROMQL_NODE_CALL:
			ALLOC_GROW(st, nst + x->u.call.nargs, stcap);
			for (size_t i = 0; i < x->u.call.nargs; i++)
				st[nst++] = x->u.call.args[i];
			break;
		case PROMQL_NODE_PAREN:
			ALLOC_GROW(st, nst + 1, stcap);
			st[nst++] = x->u.paren.expr;
			break;
		case PROMQL_NODE_UNARY:
			ALLOC_GROW(st, nst + 1, stcap);
			st[nst++] = x->u.unary.expr;
			break;
		default: /* literals; subqueries are left out */
			break;
		}
		if (vs && vs->u.vector.at.kind == PROMQL_AT_NONE) {
			struct buf k = BUF_INIT;
			bool dup = false;
			sc_matchers(&k, vs->u.vector.matchers, vs->u.vector.nmatchers);
			sc_put64(&k, (uint64_t)range);
			sc_put64(&k, (uint64_t)vs->u.vector.offset_ms);
			for (size_t i = 0; i < *n && !dup; i++)
				dup = (*keys)[i].len == k.len && !memcmp((*keys)[i].data, k.data, k.len);
			if (dup) {
				buf_release(&k);
				continue;
			}
			ALLOC_GROW(*keys, *n + 1, *cap);
			(*keys)[(*n)++] = k;
		}
	}
	free(st);
}

static void sel_keep_plan(struct sel_keep *c, const char *const *exprs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct promql_expr *x = NULL;
		struct err pe = ERR_INIT;
		struct buf *keys = NULL;
		size_t nk = 0, kcap = 0;

		/* an expression that does not parse fails its query: no keys */
		if (promql_parse(&x, exprs[i], strlen(exprs[i]), &pe) == 0)
			plan_selectors(promql_expr_root(x), c->lookback, &keys, &nk, &kcap);
		for (size_t j = 0; j < nk; j++) {
			size_t p = 0;
			while (p < c->nplan && !(c->plan[p].key.len == keys[j].len &&
						 !memcmp(c->plan[p].key.data, keys[j].data, keys[j].len)))
				p++;
			if (p == c->nplan) {
				ALLOC_GROW(c->plan, c->nplan + 1, c->plancap);
				c->plan[c->nplan++] = (struct plan_key){ keys[j], 0 };
			} else {
				buf_release(&keys[j]);
			}
			c->plan[p].uses++;
		}
		free(keys);
		promql_expr_free(x);
		err_release(&pe);
	}
}

static void sel_keep_free(struct sel_keep *c)
{
	if (!c)
		return;
	while (c->head)
		sc_unlist(c, c->head); /* every set was released: all freed */
	for (size_t i = 0; i < c->nplan; i++)
		buf_release(&c->plan[i].key);
	free(c->plan);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* ---- the source ---- */

struct engine_source {
	struct query_source base;
	struct promql_storage st;
	struct promql_engine_opts opts;
	struct tsdb_db *db; /* owned when opened from a directory */
	struct sel_keep *keep; /* likewise */
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
	struct promql_storage st = es->st;
	struct keep_query qk;
	int rc = -1, erc;
	/* the release the source imitates parses the query as its server would */
	struct promql_parse_opts po = { es->opts.compat, es->opts.experimental_functions,
					es->opts.duration_expressions, es->opts.binop_fill_modifiers,
					es->opts.extended_range_selectors };

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
	erc = 0;
	if (es->db && es->opts.stream_batch_samples != SIZE_MAX)
		/* a selection larger than a batch, in batches, the data's own
		 * storage (a kept selection would be whole) */
		erc = promql_eval_range_stream(&r, &es->st, promql_expr_root(x), start / 1000000, end / 1000000,
					       step / 1000000, &es->opts, es->opts.stream_batch_samples, &pe);
	if (erc == 0) {
		if (es->keep) {
			/* the keep learns each selection's range and offset from the query's */
			qk = (struct keep_query){ es->keep, start / 1000000, end / 1000000 };
			st = (struct promql_storage){ sc_select, &qk, NULL };
		}
		erc = promql_eval_range(&r, &st, promql_expr_root(x), start / 1000000, end / 1000000,
					step / 1000000, &es->opts, &pe);
	} else if (erc == 1) {
		erc = 0;
	}
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

	sel_keep_free(es->keep);
	if (es->db) {
		tsdb_db_release(es->db);
		free(es->db);
	}
	free(es);
}

static void source_plan(struct query_source *src, const char *const *exprs, size_t n)
{
	struct engine_source *es = (struct engine_source *)src;

	if (es->keep)
		sel_keep_plan(es->keep, exprs, n);
}

static const struct query_source_ops engine_ops = { range_query, source_free, source_plan };

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
	es->keep = xcalloc(1, sizeof(*es->keep));
	es->keep->inner = st;
	es->keep->budget = SEL_KEEP_BUDGET;
	es->keep->lookback = es->opts.lookback_ms ? es->opts.lookback_ms : DEFAULT_LOOKBACK_MS;
	pthread_mutex_init(&es->keep->mu, NULL);
	return 0;
}

size_t promql_engine_source_histogram_series(const struct query_source *src)
{
	const struct engine_source *es = (const struct engine_source *)src;

	return es->db ? tsdb_db_histogram_series(es->db) : 0;
}

char *const *promql_engine_source_skipped(const struct query_source *src, size_t *n)
{
	const struct engine_source *es = (const struct engine_source *)src;

	*n = es->db ? es->db->nskipped : 0;
	return es->db ? es->db->skipped : NULL;
}

void promql_engine_source_cache_stats(struct query_source *src, uint64_t *hits, uint64_t *misses)
{
	struct engine_source *es = (struct engine_source *)src;

	*hits = *misses = 0;
	if (!es->keep)
		return;
	pthread_mutex_lock(&es->keep->mu);
	*hits = es->keep->hits;
	*misses = es->keep->misses;
	pthread_mutex_unlock(&es->keep->mu);
}
