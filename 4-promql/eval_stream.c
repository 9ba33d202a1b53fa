/*
 * Range queries in batches of series (see eval_stream.h).
 *
 * Why batches give the same bytes.  Take a partition key: the values of
 * a set P of label names of an input series (all labels but some, or a
 * few named ones; labels starting with "__" never take part).  Evaluating
 * the query over the series of a few keys only yields exactly the output
 * series of those keys when every node of the query
 *
 *   - combines input series only if they have the same key: an
 *     aggregation `by (L)` needs P within L, `without (L)` needs P outside
 *     L; histogram_quantile groups by all labels but `le`, so P must not
 *     hold `le`; a binary operator matches on all labels but __name__, or
 *     on(L) / ignoring(L);
 *   - keeps the key's labels, with their values, in its output, so that
 *     the "same labelset" checks compare only series of one key (the
 *     functions allowed here only drop __name__, which P never holds);
 *   - computes a series' value from the same inputs in the same order:
 *     a batch's selection is the whole selection's restricted to its keys,
 *     in the storage's order, so each group sums (averages, ...) its
 *     series in the order the whole evaluation would.
 *
 * Each batch is a promql_eval_range() over a storage that hands out only
 * the batch's series; the outputs of different keys differ in P's labels,
 * so the merged results, sorted by labels, are one evaluation's.  A shape
 * not listed (set operators, topk, label_replace, subqueries, `@`, ...)
 * is not streamed, nor a query whose P has no label (`sum(x)`).
 *
 * What cannot be split is evaluated whole: 2.42's --query.max-samples
 * counts the samples of the whole query; the batches' peak counts add up
 * to at least that count, so while their sum stays under the limit the
 * query would not fail; past it, and on any error other than the
 * timeout, the query is left to promql_eval_range() (return 0), which
 * finds the exact answer and the first error in 2.42's order.
 *
 * A first pass reads the selectors' labels and sample counts only (no
 * sample is decoded), sums the samples per key and cuts the keys, in
 * order of first appearance, into batches of about batch_samples.  A key
 * that pass did not see goes to the first batch; two keys with the same
 * hash share a batch, which is as correct, only coarser.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "1-common/arena.h"
#include "1-common/xalloc.h"
#include "4-promql/eval_map.h"
#include "4-promql/eval_stream.h"
#include "4-promql/functions.h"

/* The partition key's labels: named ones (incl), all but some (!incl),
 * or not yet constrained (any). */
struct pkey {
	bool any, incl;
	const char **names;
	size_t n, cap;
};

struct selector {
	const struct label_matcher *m;
	size_t nm;
	int64_t range, offset;
};

struct shape {
	struct pkey p;
	struct selector *sel;
	size_t nsel, selcap;
};

static bool has_name(const struct pkey *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->names[i], name))
			return true;
	return false;
}

/* P must lie within names (keep_in) or outside them (!keep_in). */
static void restrict_key(struct pkey *p, const char *const *names, size_t n, bool keep_in)
{
	if (p->any) {
		p->any = false;
		p->incl = keep_in;
		p->n = 0;
		for (size_t i = 0; i < n; i++) {
			ALLOC_GROW(p->names, p->n + 1, p->cap);
			p->names[p->n++] = names[i];
		}
		return;
	}
	if (p->incl) {
		size_t k = 0;
		for (size_t i = 0; i < p->n; i++) {
			bool in = false;
			for (size_t j = 0; j < n && !in; j++)
				in = !strcmp(p->names[i], names[j]);
			if (in == keep_in)
				p->names[k++] = p->names[i];
		}
		p->n = k;
		return;
	}
	if (keep_in) { /* all but p's names, within names: names minus p's */
		const char **kept = NULL;
		size_t nk = 0, kc = 0;
		for (size_t i = 0; i < n; i++) {
			if (has_name(p, names[i]))
				continue;
			ALLOC_GROW(kept, nk + 1, kc);
			kept[nk++] = names[i];
		}
		free(p->names);
		p->names = kept;
		p->n = nk;
		p->cap = kc;
		p->incl = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (has_name(p, names[i]))
			continue;
		ALLOC_GROW(p->names, p->n + 1, p->cap);
		p->names[p->n++] = names[i];
	}
}

static void add_selector(struct shape *sh, const struct promql_node *vs, int64_t range)
{
	ALLOC_GROW(sh->sel, sh->nsel + 1, sh->selcap);
	sh->sel[sh->nsel++] = (struct selector){ vs->u.vector.matchers, vs->u.vector.nmatchers, range,
						 vs->u.vector.offset_ms };
}

static const struct promql_node *unparen(const struct promql_node *n)
{
	while (n && n->kind == PROMQL_NODE_PAREN)
		n = n->u.paren.expr;
	return n;
}

/* Functions of one series that change no label but __name__, whose other
 * arguments are number literals here. */
static bool per_series_func(enum promql_func_id id)
{
	switch (id) {
	case PROMQL_FN_ABS: case PROMQL_FN_CEIL: case PROMQL_FN_FLOOR: case PROMQL_FN_EXP:
	case PROMQL_FN_LN: case PROMQL_FN_LOG2: case PROMQL_FN_LOG10: case PROMQL_FN_SQRT:
	case PROMQL_FN_SGN: case PROMQL_FN_ROUND: case PROMQL_FN_CLAMP: case PROMQL_FN_CLAMP_MAX:
	case PROMQL_FN_CLAMP_MIN:
	case PROMQL_FN_RATE: case PROMQL_FN_INCREASE: case PROMQL_FN_IRATE: case PROMQL_FN_DELTA:
	case PROMQL_FN_IDELTA: case PROMQL_FN_DERIV: case PROMQL_FN_CHANGES: case PROMQL_FN_RESETS:
	case PROMQL_FN_PREDICT_LINEAR:
	case PROMQL_FN_AVG_OVER_TIME: case PROMQL_FN_MIN_OVER_TIME: case PROMQL_FN_MAX_OVER_TIME:
	case PROMQL_FN_SUM_OVER_TIME: case PROMQL_FN_COUNT_OVER_TIME: case PROMQL_FN_LAST_OVER_TIME:
	case PROMQL_FN_STDDEV_OVER_TIME: case PROMQL_FN_STDVAR_OVER_TIME:
	case PROMQL_FN_PRESENT_OVER_TIME: case PROMQL_FN_QUANTILE_OVER_TIME:
		return true;
	default:
		return false;
	}
}

/* Whether n is a shape streamed, adding its selectors and the partition
 * key's constraints to sh.  Recursion is bounded by the small trees
 * accepted: anything deeper than a rule's nesting is refused. */
static bool analyse(struct shape *sh, const struct promql_node *n, int64_t lookback, unsigned depth)
{
	n = unparen(n);
	if (!n || depth > 32)
		return false;
	switch (n->kind) {
	case PROMQL_NODE_NUMBER:
		return true;
	case PROMQL_NODE_VECTOR:
		if (n->u.vector.at.kind != PROMQL_AT_NONE)
			return false;
		add_selector(sh, n, lookback);
		return true;
	case PROMQL_NODE_UNARY:
		return analyse(sh, n->u.unary.expr, lookback, depth + 1);
	case PROMQL_NODE_AGGREGATE:
		switch (n->u.aggregate.op) {
		case PROMQL_AGG_SUM: case PROMQL_AGG_AVG: case PROMQL_AGG_MIN: case PROMQL_AGG_MAX:
		case PROMQL_AGG_COUNT: case PROMQL_AGG_GROUP: case PROMQL_AGG_STDDEV: case PROMQL_AGG_STDVAR:
			break;
		default:
			return false;
		}
		if (n->u.aggregate.param)
			return false;
		restrict_key(&sh->p, n->u.aggregate.grouping, n->u.aggregate.ngrouping, !n->u.aggregate.without);
		return analyse(sh, n->u.aggregate.expr, lookback, depth + 1);
	case PROMQL_NODE_BINARY: {
		const struct promql_vector_matching *vm = n->u.binary.matching;
		if (promql_binop_is_set(n->u.binary.op))
			return false;
		if (vm) {
			static const char *const name[] = { "__name__" };
			if (vm->card != PROMQL_CARD_ONE_TO_ONE || vm->fill_lhs || vm->fill_rhs)
				return false;
			restrict_key(&sh->p, vm->matching_labels, vm->nmatching_labels, vm->on);
			restrict_key(&sh->p, name, 1, false);
		}
		return analyse(sh, n->u.binary.lhs, lookback, depth + 1) &&
		       analyse(sh, n->u.binary.rhs, lookback, depth + 1);
	}
	case PROMQL_NODE_CALL: {
		const struct promql_function *f = n->u.call.func;
		bool vec_seen = false;
		if (f->id == PROMQL_FN_HISTOGRAM_QUANTILE) {
			static const char *const le[] = { "le" };
			if (n->u.call.nargs != 2 || unparen(n->u.call.args[0])->kind != PROMQL_NODE_NUMBER)
				return false;
			restrict_key(&sh->p, le, 1, false);
			return analyse(sh, n->u.call.args[1], lookback, depth + 1);
		}
		if (!per_series_func(f->id))
			return false;
		for (size_t i = 0; i < n->u.call.nargs; i++) {
			const struct promql_node *a = unparen(n->u.call.args[i]);
			enum promql_value_type ty = promql_node_type(a);
			if (ty == PROMQL_TYPE_SCALAR) {
				if (a->kind != PROMQL_NODE_NUMBER)
					return false;
			} else if (ty == PROMQL_TYPE_MATRIX && !vec_seen) {
				if (a->kind != PROMQL_NODE_MATRIX ||
				    a->u.matrix.vs->u.vector.at.kind != PROMQL_AT_NONE)
					return false;
				add_selector(sh, a->u.matrix.vs, a->u.matrix.range_ms);
				vec_seen = true;
			} else if (ty == PROMQL_TYPE_VECTOR && !vec_seen) {
				if (!analyse(sh, a, lookback, depth + 1))
					return false;
				vec_seen = true;
			} else {
				return false;
			}
		}
		return vec_seen;
	}
	default:
		return false;
	}
}

/* ---- keys and batches ---- */

static uint64_t mix(uint64_t h, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

/* The partition key of a series (labels sorted by name). */
static uint64_t key_hash(const struct pkey *p, const struct label *ls, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	if (p->incl) {
		for (size_t i = 0; i < p->n; i++) {
			const char *v = "";
			if (!strncmp(p->names[i], "__", 2))
				continue;
			for (size_t j = 0; j < n; j++)
				if (!strcmp(ls[j].name, p->names[i])) {
					v = ls[j].value;
					break;
				}
			h = mix(mix(h, p->names[i]), v);
		}
		return h;
	}
	for (size_t j = 0; j < n; j++) {
		if (!strncmp(ls[j].name, "__", 2) || has_name(p, ls[j].name) || !*ls[j].value)
			continue;
		h = mix(mix(h, ls[j].name), ls[j].value);
	}
	return h;
}

struct keys {
	const struct pkey *p;
	struct hmap idx;   /* key hash -> index + 1 */
	uint64_t *samples; /* per key, in order of first appearance */
	uint32_t *batch;
	size_t n, cap;
	uint32_t want; /* the batch being read */
};

static bool scan_keep(void *arg, const struct label *ls, size_t n, size_t nsamples)
{
	struct keys *k = arg;
	bool found;
	size_t *slot = hmap_slot(&k->idx, key_hash(k->p, ls, n), &found);

	if (!found) {
		size_t cap = k->cap;
		ALLOC_GROW(k->samples, k->n + 1, k->cap);
		if (cap != k->cap)
			k->batch = xreallocarray(k->batch, k->cap, sizeof(*k->batch));
		k->samples[k->n] = 0;
		k->batch[k->n] = 0;
		*slot = ++k->n;
	}
	k->samples[*slot - 1] += nsamples;
	return false;
}

static bool batch_keep(void *arg, const struct label *ls, size_t n, size_t nsamples)
{
	struct keys *k = arg;
	size_t i;

	(void)nsamples;
	if (!hmap_get(&k->idx, key_hash(k->p, ls, n), &i))
		return k->want == 0;
	return k->batch[i - 1] == k->want;
}

/* What a set filtered from a whole selection points to. */
static void release_filtered(struct promql_series_set *set)
{
	struct promql_series_set *whole = set->priv;

	promql_series_set_release(whole);
	free(whole);
	free(set->v);
}

/* select_filtered through the storage's own, or over its select(). */
static int filtered_select(const struct promql_storage *st, const struct label_matcher *m, size_t nm,
			   int64_t mint, int64_t maxt, bool (*keep)(void *, const struct label *, size_t, size_t),
			   void *arg, struct promql_series_set *out, struct err *e)
{
	struct promql_series_set *whole;
	size_t cap = 0;

	if (st->select_filtered)
		return st->select_filtered(st->ctx, m, nm, mint, maxt, keep, arg, out, e);
	whole = xcalloc(1, sizeof(*whole));
	if (st->select(st->ctx, m, nm, mint, maxt, whole, e) < 0) {
		free(whole);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < whole->n; i++) {
		if (!keep(arg, whole->v[i].labels, whole->v[i].nlabels, whole->v[i].n))
			continue;
		ALLOC_GROW(out->v, out->n + 1, cap);
		out->v[out->n++] = whole->v[i];
	}
	out->release = release_filtered;
	out->priv = whole;
	return 0;
}

/* The storage of one batch. */
struct batch_st {
	const struct promql_storage *inner;
	struct keys *k;
};

static int batch_select(void *ctx, const struct label_matcher *m, size_t nm, int64_t mint, int64_t maxt,
			struct promql_series_set *out, struct err *e)
{
	struct batch_st *b = ctx;

	return filtered_select(b->inner, m, nm, mint, maxt, batch_keep, b->k, out, e);
}

/* Cuts the keys into batches; returns how many. */
static uint32_t cut_batches(struct keys *k, size_t budget)
{
	uint64_t fill = 0;
	uint32_t b = 0;

	for (size_t i = 0; i < k->n; i++) {
		if (fill && k->samples[i] > budget - (fill < budget ? fill : budget)) {
			b++;
			fill = 0;
		}
		k->batch[i] = b;
		fill += k->samples[i];
	}
	return b + 1;
}

/* ---- results ---- */

static int cmp_series(const void *a, const void *b)
{
	const struct promql_result_series *x = a, *y = b;

	return labels_cmp(x->labels, x->nlabels, y->labels, y->nlabels);
}

/* Moves every series of from into out (labels copied into out's arena). */
static void take_series(struct promql_result *out, size_t *cap, struct promql_result *from)
{
	struct arena *a = out->priv;

	for (size_t i = 0; i < from->nseries; i++) {
		struct promql_result_series *s = &from->series[i], *d;
		ALLOC_GROW(out->series, out->nseries + 1, *cap);
		d = &out->series[out->nseries++];
		*d = *s;
		d->labels = arena_array(a, s->nlabels ? s->nlabels : 1, sizeof(*d->labels));
		for (size_t j = 0; j < s->nlabels; j++) {
			d->labels[j].name = arena_strndup(a, s->labels[j].name, strlen(s->labels[j].name));
			d->labels[j].value = arena_strndup(a, s->labels[j].value, strlen(s->labels[j].value));
		}
		s->t = NULL;
		s->v = NULL;
		s->n = 0;
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int promql_eval_range_stream(struct promql_result *out, const struct promql_storage *st,
			     const struct promql_node *expr, int64_t start, int64_t end, int64_t step,
			     const struct promql_engine_opts *opts, size_t batch_samples, struct err *e)
{
	struct shape sh = { { true, false, NULL, 0, 0 }, NULL, 0, 0 };
	struct keys k = { 0 };
	struct promql_engine_opts bo = { 0 };
	struct promql_result r, acc;
	struct err be = ERR_INIT;
	enum promql_value_type ty = promql_node_type(expr);
	int64_t lookback = opts && opts->lookback_ms ? opts->lookback_ms : 5 * 60 * 1000;
	int64_t t0 = now_ms();
	uint64_t total = 0, peak = 0;
	size_t cap = 0;
	uint32_t nb;
	int rc = 0;

	promql_result_init(&r);
	promql_result_init(&acc);
	if (opts)
		bo = *opts;
	if (!batch_samples)
		batch_samples = PROMQL_STREAM_BATCH_SAMPLES;
	/* annotations would come once per batch, and again from a fallback */
	if ((ty != PROMQL_TYPE_VECTOR && ty != PROMQL_TYPE_SCALAR) || step <= 0 || end < start ||
	    (opts && opts->annotations))
		goto done;
	if (!analyse(&sh, expr, lookback, 0) || !sh.nsel || sh.p.any || (sh.p.incl && !sh.p.n))
		goto done;
	k.p = &sh.p;
	for (size_t i = 0; i < sh.nsel; i++) {
		const struct selector *s = &sh.sel[i];
		struct promql_series_set none;
		/* the selection's range; wrapping only miscounts, never misplaces */
		int64_t maxt = (int64_t)((uint64_t)end - (uint64_t)s->offset);
		int64_t mint = (int64_t)((uint64_t)start - (uint64_t)s->offset - (uint64_t)s->range);
		if (filtered_select(st, s->m, s->nm, mint, maxt, scan_keep, &k, &none, &be) < 0)
			goto done;
		promql_series_set_release(&none);
	}
	for (size_t i = 0; i < k.n; i++)
		total += k.samples[i];
	if (k.n < 2 || total <= batch_samples)
		goto done;
	nb = cut_batches(&k, batch_samples);
	if (nb < 2)
		goto done;
	acc.priv = xcalloc(1, sizeof(struct arena));
	acc.type = PROMQL_TYPE_MATRIX;
	for (uint32_t b = 0; b < nb; b++) {
		struct batch_st bs = { st, &k };
		struct promql_storage bst = { batch_select, &bs, NULL };
		int erc;
		k.want = b;
		if (opts && opts->timeout_ms) {
			int64_t left = opts->timeout_ms - (now_ms() - t0);
			bo.timeout_ms = left > 0 ? left : 1;
		}
		erc = promql_eval_range(&r, &bst, expr, start, end, step, &bo, &be);
		if (erc == PROMQL_EVAL_TIMEOUT) {
			err_set(e, "%s", err_msg(&be));
			rc = PROMQL_EVAL_TIMEOUT;
			goto done;
		}
		if (erc < 0)
			goto done;
		peak = peak + r.peak_samples < peak ? UINT64_MAX : peak + r.peak_samples;
		if (opts && opts->max_samples && peak > (uint64_t)opts->max_samples)
			goto done; /* maybe over 2.42's limit: evaluate whole */
		take_series(&acc, &cap, &r);
		acc.swept += r.swept;
		promql_result_release(&r);
	}
	if (acc.nseries > 1)
		qsort(acc.series, acc.nseries, sizeof(*acc.series), cmp_series);
	acc.peak_samples = peak;
	*out = acc;
	promql_result_init(&acc);
	rc = 1;
done:
	promql_result_release(&acc);
	promql_result_release(&r);
	hmap_release(&k.idx);
	free(k.samples);
	free(k.batch);
	free(sh.p.names);
	free(sh.sel);
	err_release(&be);
	return rc;
}
