/*
 * The live-semantics rule backfill (see rules_live.h):
 *
 *   every group's slots in [start, end], earliest first (ties in the
 *   order the groups were given), each one Group.Eval of the rule manager;
 *   before the first slot of a new block window, every rule's block of the
 *   previous window is written (and the store forgets what no rule can
 *   look back to any more).
 *
 * With --url, the rule's own expression is answered from one range query
 * per rule and window (start = the rule's first slot in the window, exact
 * to the millisecond, step = the group interval), so a server evaluates at
 * the very slot times; template `query` calls are single-point queries.
 */
#include "7-backfill/log.h"
#include "7-backfill/rules_live.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "1-common/fileutil.h"
#include "1-common/xalloc.h"
#include "3-tsdb/block_writer.h"
#include "4-promql/ast.h"
#include "4-promql/promql.h"
#include "6-rules/manager.h"
#include "6-rules/rstore.h"
#include "7-backfill/rules_import.h"

enum { MAX_SAMPLES_IN_MEMORY = 5000, MAX_POINTS = 11000 };
static const int64_t LOOKBACK_MS = 5 * 60 * 1000;

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* One go-kit logfmt line: level=<level> then key/value pairs. */
static void log_line(FILE *log, const char *level, const char *const *kv, size_t n)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "level=%s", level);
	for (size_t i = 0; i + 1 < n; i += 2) {
		buf_addf(&b, " %s=", kv[i]);
		bf_logfmt_value(&b, kv[i + 1]);
	}
	buf_addc(&b, '\n');
	fwrite(b.data, 1, b.len, log);
	fflush(log);
	buf_release(&b);
}

/* ---- the source, minus what the rules write ----------------------------- */

struct hidden {
	struct promql_storage base;
	const char **names;
	size_t nnames;
	int64_t from_ms;
};

static bool hidden_name(const struct hidden *h, const struct promql_series *s)
{
	const char *name = labels_get(s->labels, s->nlabels, "__name__");

	for (size_t i = 0; name && i < h->nnames; i++)
		if (!strcmp(h->names[i], name))
			return true;
	return false;
}

/*
 * The base's series; those the rules write keep only samples before
 * from_ms (a series left without samples stays in the set, empty: the set
 * releases its series by position).
 */
static int hidden_select(void *ctx, const struct label_matcher *m, size_t nm, int64_t mint, int64_t maxt,
			 struct promql_series_set *out, struct err *e)
{
	struct hidden *h = ctx;

	if (h->base.select(h->base.ctx, m, nm, mint, maxt, out, e) < 0)
		return -1;
	for (size_t i = 0; i < out->n; i++) {
		struct promql_series *s = &out->v[i];
		if (hidden_name(h, s)) {
			size_t n = 0;
			while (n < s->n && s->t[n] < h->from_ms)
				n++;
			s->n = n;
		}
	}
	return 0;
}

/* ---- remote answers ---------------------------------------------------- */

struct cseries {
	struct labels ls;
	int64_t *t;
	double *v;
	size_t n, cap;
};

struct rcache {
	bool valid;
	int64_t from_ms, to_ms;
	struct cseries *s;
	size_t n, cap;
	char *err;
};

static void rcache_reset(struct rcache *c)
{
	for (size_t i = 0; i < c->n; i++) {
		labels_release(&c->s[i].ls);
		free(c->s[i].t);
		free(c->s[i].v);
	}
	c->n = 0;
	free(c->err);
	c->err = NULL;
	c->valid = false;
}

static int cache_begin(void *arg, const char *type, const char *const *warnings, size_t nwarnings, struct err *e)
{
	(void)arg, (void)warnings, (void)nwarnings;
	if (strcmp(type, "matrix"))
		return err_set(e, "rule result is wrong type %s", type);
	return 0;
}

static int cache_series(void *arg, const struct query_series *qs, struct err *e)
{
	struct rcache *c = arg;
	struct cseries *s;

	(void)e;
	ALLOC_GROW(c->s, c->n + 1, c->cap);
	s = &c->s[c->n++];
	memset(s, 0, sizeof(*s));
	labels_init(&s->ls);
	labels_dup(&s->ls, qs->labels, qs->nlabels);
	labels_sort(&s->ls);
	s->n = s->cap = qs->n;
	s->t = xcalloc(qs->n ? qs->n : 1, sizeof(*s->t));
	s->v = xcalloc(qs->n ? qs->n : 1, sizeof(*s->v));
	memcpy(s->t, qs->t, qs->n * sizeof(*s->t));
	memcpy(s->v, qs->v, qs->n * sizeof(*s->v));
	return 0;
}

/* ---- the run ----------------------------------------------------------- */

struct rfail {
	char *first;
	size_t count;
};

/*
 * A writer's series references by the store's label pointer: the store
 * hands every sample of a series with the same labels array, so later
 * samples go by reference (no label hashing).
 */
struct refmap {
	const struct label **key;
	uint32_t *ref;
	size_t n, cap;
};

static void refmap_reset(struct refmap *m)
{
	free(m->key);
	free(m->ref);
	memset(m, 0, sizeof(*m));
}

static size_t refmap_slot(const struct refmap *m, const struct label *k)
{
	size_t mask = m->cap - 1, i = ((uintptr_t)k >> 4) * 0x9E3779B97F4A7C15ULL & mask;

	while (m->key[i] && m->key[i] != k)
		i = (i + 1) & mask;
	return i;
}

static void refmap_put(struct refmap *m, const struct label *k, uint32_t ref)
{
	if (2 * (m->n + 1) > m->cap) {
		struct refmap g = { NULL, NULL, 0, m->cap ? 2 * m->cap : 64 };
		g.key = xcalloc(g.cap, sizeof(*g.key));
		g.ref = xcalloc(g.cap, sizeof(*g.ref));
		for (size_t i = 0; i < m->cap; i++)
			if (m->key[i]) {
				size_t j = refmap_slot(&g, m->key[i]);
				g.key[j] = m->key[i];
				g.ref[j] = m->ref[i];
				g.n++;
			}
		refmap_reset(m);
		*m = g;
	}
	{
		size_t i = refmap_slot(m, k);
		if (!m->key[i])
			m->n++;
		m->key[i] = k;
		m->ref[i] = ref;
	}
}

struct live {
	const struct rl_config *cfg;
	const struct rl_group *groups;
	size_t ngroups;
	FILE *log;
	struct rule_manager *m;
	struct rstore *st;
	size_t *rule_base; /* first rule index of each group */
	size_t nrules;
	struct block_writer **w; /* per rule, for the current window */
	struct refmap *refs;     /* per rule: series references in w */
	size_t *pending;
	struct rfail *fails;
	int64_t block_ms;
	struct err fatal;
	bool failed;
	/* --url */
	struct query_source *remote;
	struct rcache *cache; /* per rule */
	struct rcache point;  /* template queries */
	struct rm_sample *answer;
	size_t answer_cap;
	int64_t window_end_ms;
	char **exprs; /* printed rule expressions */
	/* local: rules that read no backfilled output are evaluated per
	 * window by one range evaluation over the source */
	bool *independent;
	bool *fallback; /* this window's range evaluation failed: go step by step */
	const struct promql_storage *base;
	struct promql_engine_opts engine;
	struct promql_result inst; /* the last instant answer (owns labels) */
};

static int sink(void *arg, size_t g, size_t r, const struct label *ls, size_t n, int64_t t, double v, struct err *e)
{
	struct live *L = arg;
	size_t i = L->rule_base[g] + r;

	struct refmap *rm = &L->refs[i];
	int rc;

	if (!L->w[i] && block_writer_new(&L->w[i], L->cfg->output_dir, 2 * L->block_ms, e) < 0)
		return err_wrap(e, "new block writer");
	block_writer_set_compat(L->w[i], L->cfg->compat);
	if (rm->cap && rm->key[refmap_slot(rm, ls)] == ls) {
		rc = block_writer_append_ref(L->w[i], rm->ref[refmap_slot(rm, ls)], t, v, e);
	} else {
		uint32_t ref = UINT32_MAX;
		rc = block_writer_append_get_ref(L->w[i], ls, n, t, v, &ref, e);
		if (rc == 0 && ref != UINT32_MAX)
			refmap_put(rm, ls, ref);
	}
	if (rc < 0)
		return err_wrap(e, "append");
	if (++L->pending[i] >= MAX_SAMPLES_IN_MEMORY) {
		if (block_writer_commit(L->w[i], e) < 0)
			return err_wrap(e, "commit");
		L->pending[i] = 0;
	}
	return 0;
}

static void warn(void *arg, size_t g, size_t r, const char *msg)
{
	struct live *L = arg;
	struct rfail *f = &L->fails[L->rule_base[g] + r];

	if (!f->first)
		f->first = xstrdup(msg);
	f->count++;
}

/* Writes every rule's block of the window that ends now. */
static int flush_all(struct live *L, struct err *e)
{
	for (size_t i = 0; i < L->nrules; i++) {
		struct block_meta meta;
		int rc;

		if (!L->w[i])
			continue;
		if (block_writer_commit(L->w[i], e) < 0)
			return err_wrap(e, "commit");
		L->pending[i] = 0;
		if (go_mkdir_all(L->cfg->output_dir, 0777, e) < 0)
			return err_wrap(e, "flush");
		memset(&meta, 0, sizeof(meta));
		rc = block_writer_flush(L->w[i], &meta, e);
		if (rc < 0)
			return err_wrap(e, "flush");
		if (rc == 0)
			block_meta_release(&meta);
		block_writer_free(L->w[i]);
		L->w[i] = NULL;
		refmap_reset(&L->refs[i]);
	}
	return 0;
}

/* The remote answer at ts_ms from the cache. */
static void answer_from(struct live *L, const struct rcache *c, int64_t ts_ms, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct cseries *s = &c->s[i];
		size_t lo = 0, hi = s->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (s->t[mid] < ts_ms)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < s->n && s->t[lo] == ts_ms) {
			ALLOC_GROW(L->answer, *n + 1, L->answer_cap);
			L->answer[(*n)++] = (struct rm_sample){ s->ls.v, s->ls.n, ts_ms, s->v[lo] };
		}
	}
}

static int fill(struct live *L, struct rcache *c, const char *expr, int64_t from_ms, int64_t to_ms,
		int64_t step_ms)
{
	struct query_sink qs = { c, cache_begin, cache_series };
	struct err e = ERR_INIT;

	rcache_reset(c);
	c->valid = true;
	c->from_ms = from_ms;
	c->to_ms = to_ms;
	if (query_source_range(L->remote, expr, from_ms * 1000000, to_ms * 1000000, step_ms * 1000000, &qs, &e) < 0) {
		c->err = xasprintf("query range: %s", err_msg(&e));
		err_release(&e);
		return -1;
	}
	return 0;
}

static int remote_query(void *arg, size_t g, size_t r, const struct promql_node *expr, int64_t ts_ms,
			const struct rm_sample **out, size_t *n, struct err *e)
{
	struct live *L = arg;
	struct rcache *c;

	*out = NULL;
	*n = 0;
	if (g == SIZE_MAX) {
		struct buf b = BUF_INIT;
		promql_print_node(&b, expr);
		fill(L, &L->point, buf_str(&b), ts_ms, ts_ms, 1000);
		buf_release(&b);
		c = &L->point;
	} else {
		size_t i = L->rule_base[g] + r;
		int64_t step = rule_manager_group_interval(L->m, g) / 1000000;
		c = &L->cache[i];
		if (!c->valid || ts_ms < c->from_ms || ts_ms > c->to_ms) {
			int64_t to = L->window_end_ms, last = L->cfg->end_ns / 1000000;
			if (to > last)
				to = last;
			if (to > ts_ms + (int64_t)(MAX_POINTS - 1) * step)
				to = ts_ms + (int64_t)(MAX_POINTS - 1) * step;
			if (to < ts_ms || rule_manager_group_interval(L->m, g) % 1000000)
				to = ts_ms;
			fill(L, c, L->exprs[i], ts_ms, to, step > 0 ? step : 1);
		}
	}
	if (c->err)
		return err_set(e, "%s", c->err);
	answer_from(L, c, ts_ms, n);
	*out = L->answer;
	return 0;
}

/* The local engine over the store (base plus what the rules wrote). */
static int instant(struct live *L, const struct promql_node *expr, int64_t ts_ms, const struct rm_sample **out,
		   size_t *n, struct err *e)
{
	struct promql_storage st = rstore_storage(L->st);

	promql_result_release(&L->inst);
	if (promql_eval_instant(&L->inst, &st, expr, ts_ms, &L->engine, e) < 0)
		return -1;
	*n = 0;
	if (L->inst.type == PROMQL_TYPE_SCALAR) {
		ALLOC_GROW(L->answer, 1, L->answer_cap);
		L->answer[(*n)++] = (struct rm_sample){ NULL, 0, L->inst.t, L->inst.scalar };
	} else if (L->inst.type == PROMQL_TYPE_VECTOR) {
		for (size_t i = 0; i < L->inst.nseries; i++) {
			const struct promql_result_series *rs = &L->inst.series[i];
			if (!rs->n)
				continue;
			ALLOC_GROW(L->answer, *n + 1, L->answer_cap);
			L->answer[(*n)++] = (struct rm_sample){ rs->labels, rs->nlabels, rs->t[0], rs->v[0] };
		}
	} else {
		return err_set(e, "rule result is not a vector or scalar");
	}
	*out = L->answer;
	return 0;
}

/* One range evaluation of a rule over the source for [from, to]. */
static int fill_local(struct live *L, struct rcache *c, const struct promql_node *expr, int64_t from_ms,
		      int64_t to_ms, int64_t step_ms)
{
	struct promql_result r;
	struct err e = ERR_INIT;
	int rc = 0;

	rcache_reset(c);
	c->valid = true;
	c->from_ms = from_ms;
	c->to_ms = to_ms;
	promql_result_init(&r);
	if (promql_eval_range(&r, L->base, expr, from_ms, to_ms, step_ms, &L->engine, &e) < 0) {
		rc = -1;
	} else {
		for (size_t i = 0; i < r.nseries; i++) {
			struct query_series qs = { r.series[i].labels, r.series[i].nlabels, r.series[i].t, r.series[i].v,
						   r.series[i].n };
			cache_series(c, &qs, &e);
		}
	}
	promql_result_release(&r);
	err_release(&e);
	return rc;
}

static int local_query(void *arg, size_t g, size_t r, const struct promql_node *expr, int64_t ts_ms,
		       const struct rm_sample **out, size_t *n, struct err *e)
{
	struct live *L = arg;
	size_t i;
	struct rcache *c;

	*out = NULL;
	*n = 0;
	if (g == SIZE_MAX)
		return instant(L, expr, ts_ms, out, n, e);
	i = L->rule_base[g] + r;
	if (!L->independent[i] || L->fallback[i])
		return instant(L, expr, ts_ms, out, n, e);
	c = &L->cache[i];
	if (!c->valid || ts_ms < c->from_ms || ts_ms > c->to_ms) {
		int64_t step = rule_manager_group_interval(L->m, g) / 1000000, to = L->window_end_ms;
		if (to > L->cfg->end_ns / 1000000)
			to = L->cfg->end_ns / 1000000;
		if (to < ts_ms || step <= 0 || rule_manager_group_interval(L->m, g) % 1000000)
			to = ts_ms;
		/* an error at any step fails a range evaluation: step by step then,
		 * so only the failing evaluations fail */
		if (fill_local(L, c, expr, ts_ms, to, step > 0 ? step : 1) < 0) {
			L->fallback[i] = true;
			rcache_reset(c);
			return instant(L, expr, ts_ms, out, n, e);
		}
	}
	answer_from(L, c, ts_ms, n);
	*out = L->answer;
	return 0;
}

/* ---- what rules read --------------------------------------------------- */

/* How far back (ms) an expression reads from its evaluation time; -1 when
 * it cannot be bounded (@ modifiers). */
static int64_t lookback_of(const struct promql_node *n)
{
	int64_t w = 0, k;

	if (!n)
		return 0;
	switch (n->kind) {
	case PROMQL_NODE_VECTOR:
		if (n->u.vector.at.kind != PROMQL_AT_NONE)
			return -1;
		return LOOKBACK_MS + (n->u.vector.offset_ms > 0 ? n->u.vector.offset_ms : 0);
	case PROMQL_NODE_MATRIX: {
		const struct promql_node *vs = n->u.matrix.vs;
		if (vs->u.vector.at.kind != PROMQL_AT_NONE)
			return -1;
		return n->u.matrix.range_ms + (vs->u.vector.offset_ms > 0 ? vs->u.vector.offset_ms : 0);
	}
	case PROMQL_NODE_SUBQUERY:
		if (n->u.subquery.at.kind != PROMQL_AT_NONE)
			return -1;
		k = lookback_of(n->u.subquery.expr);
		if (k < 0)
			return -1;
		return k + n->u.subquery.range_ms + (n->u.subquery.offset_ms > 0 ? n->u.subquery.offset_ms : 0);
	case PROMQL_NODE_AGGREGATE:
		w = lookback_of(n->u.aggregate.expr);
		k = lookback_of(n->u.aggregate.param);
		break;
	case PROMQL_NODE_BINARY:
		w = lookback_of(n->u.binary.lhs);
		k = lookback_of(n->u.binary.rhs);
		break;
	case PROMQL_NODE_CALL:
		for (size_t i = 0; i < n->u.call.nargs; i++) {
			k = lookback_of(n->u.call.args[i]);
			if (k < 0)
				return -1;
			if (k > w)
				w = k;
		}
		return w;
	case PROMQL_NODE_PAREN:
		return lookback_of(n->u.paren.expr);
	case PROMQL_NODE_UNARY:
		return lookback_of(n->u.unary.expr);
	case PROMQL_NODE_STEP_INVARIANT:
		return lookback_of(n->u.step_invariant.expr);
	default:
		return 0;
	}
	if (w < 0 || k < 0)
		return -1;
	return w > k ? w : k;
}

/* The metric names a rule writes. */
static size_t output_names(const struct rulefmt_rule *r, const char *out[2])
{
	if (*r->alert) {
		out[0] = "ALERTS";
		out[1] = "ALERTS_FOR_STATE";
		return 2;
	}
	out[0] = r->record;
	return 1;
}

struct dep_ctx {
	const char *name;
	bool hit;
};

static int selector_reads(const struct promql_node *n, void *arg)
{
	struct dep_ctx *d = arg;
	bool named = false, all = true;

	if (n->kind != PROMQL_NODE_VECTOR)
		return 0;
	for (size_t i = 0; i < n->u.vector.nmatchers; i++) {
		const struct label_matcher *m = &n->u.vector.matchers[i];
		if (strcmp(m->name, "__name__"))
			continue;
		named = true;
		if (!label_matcher_matches(m, d->name))
			all = false;
	}
	if (named && all)
		d->hit = true;
	return 0;
}

static int unnamed_selector(const struct promql_node *n, void *arg)
{
	bool *found = arg;
	bool named = false;

	if (n->kind != PROMQL_NODE_VECTOR)
		return 0;
	for (size_t i = 0; i < n->u.vector.nmatchers; i++)
		if (!strcmp(n->u.vector.matchers[i].name, "__name__") &&
		    n->u.vector.matchers[i].type == LABEL_MATCH_EQUAL)
			named = true;
	if (!named)
		*found = true;
	return 0;
}

/* A selector that is not pinned to one metric name (it may read a rule's
 * output whatever the names), or a template that may query. */
static bool any_unnamed_selector(const struct rulefmt_rule *r)
{
	bool found = false;

	promql_walk(promql_expr_root(r->parsed), unnamed_selector, &found);
	for (size_t j = 0; j < r->labels.n; j++)
		if (strstr(r->labels.v[j].value, "query"))
			found = true;
	return found;
}

/* Whether rule B's expression selects what rule A writes. */
static bool rule_reads(const struct rulefmt_rule *B, const struct rulefmt_rule *A)
{
	const char *names[2];
	size_t nn = output_names(A, names);
	struct dep_ctx d = { NULL, false };

	for (size_t k = 0; k < nn && !d.hit; k++) {
		d.name = names[k];
		promql_walk(promql_expr_root(B->parsed), selector_reads, &d);
	}
	return d.hit;
}

/* Whether a rule reads no rule's output (its own included) and no
 * template of it queries: its evaluations depend on the source only.
 * Nor may it read the query around it (`[step()]`, `@ start()`): the
 * rule manager's instant queries answer those otherwise than one range
 * query over the window. */
static bool independent(const struct live *L, const struct rulefmt_rule *B)
{
	for (size_t ga = 0; ga < L->ngroups; ga++)
		for (size_t ra = 0; ra < L->groups[ga].g->nrules; ra++)
			if (rule_reads(B, &L->groups[ga].g->rules[ra]))
				return false;
	return !any_unnamed_selector(B) && !promql_reads_query(promql_expr_root(B->parsed));
}

/* --url: one warning per rule reading another backfilled rule's output. */
static void warn_dependencies(struct live *L)
{
	for (size_t gb = 0; gb < L->ngroups; gb++)
		for (size_t rb = 0; rb < L->groups[gb].g->nrules; rb++) {
			const struct rulefmt_rule *B = &L->groups[gb].g->rules[rb];
			for (size_t ga = 0; ga < L->ngroups; ga++)
				for (size_t ra = 0; ra < L->groups[ga].g->nrules; ra++) {
					const struct rulefmt_rule *A = &L->groups[ga].g->rules[ra];
					if (rule_reads(B, A)) {
						const char *kv[] = {
							"msg", "rule reads the output of another backfilled rule, which the server cannot see: it is evaluated over the server's data only",
							"rule", *B->alert ? B->alert : B->record,
							"depends_on", *A->alert ? A->alert : A->record,
						};
						log_line(L->log, "warn", kv, 6);
					}
				}
		}
}

/* Union-find over groups, for rules_backfill_live_units(). */
static size_t uf_find(size_t *up, size_t g)
{
	while (up[g] != g)
		g = up[g] = up[up[g]];
	return g;
}

static void uf_join(size_t *up, size_t a, size_t b)
{
	a = uf_find(up, a);
	b = uf_find(up, b);
	/* the smaller index is the root: roots are first groups */
	if (a < b)
		up[b] = a;
	else
		up[a] = b;
}

size_t rules_backfill_live_units(const struct rl_group *groups, size_t ngroups, size_t *comp)
{
	size_t *up = xcalloc(ngroups + 1, sizeof(*up)), n = 0;

	for (size_t g = 0; g < ngroups; g++)
		up[g] = g;
	for (size_t gb = 0; gb < ngroups; gb++) {
		const struct rulefmt_group *B = groups[gb].g;
		for (size_t ga = 0; ga < ngroups; ga++) {
			const struct rulefmt_group *A = groups[ga].g;
			bool join = !strcmp(groups[ga].file, groups[gb].file) && !strcmp(A->name, B->name);
			for (size_t rb = 0; rb < B->nrules && !join; rb++) {
				join = any_unnamed_selector(&B->rules[rb]);
				for (size_t ra = 0; ra < A->nrules && !join; ra++)
					join = rule_reads(&B->rules[rb], &A->rules[ra]);
			}
			if (join)
				uf_join(up, ga, gb);
		}
	}
	/* units numbered by their first group: a root precedes its members */
	for (size_t g = 0; g < ngroups; g++)
		comp[g] = uf_find(up, g) == g ? n++ : comp[uf_find(up, g)];
	free(up);
	return n;
}

static void add_err(char ***errs, size_t *n, size_t *cap, char *m)
{
	ALLOC_GROW(*errs, *n + 1, *cap);
	(*errs)[(*n)++] = m;
}

size_t rules_backfill_live_run(const struct rl_config *cfg, const struct rl_group *groups, size_t ngroups,
			       const struct promql_storage *base, bool base_sorted, struct query_source *remote,
			       FILE *log, char ***errs)
{
	struct live L;
	struct hidden hide;
	struct promql_storage hidden_st = { hidden_select, &hide };
	struct rm_opts o;
	int64_t *next = NULL, window = INT64_MIN, need = 0;
	size_t nerrs = 0, ecap = 0;
	const char **names = NULL;
	size_t nnames = 0, ncap = 0;
	bool trim = true;

	*errs = NULL;
	memset(&L, 0, sizeof(L));
	memset(&hide, 0, sizeof(hide));
	L.cfg = cfg;
	L.groups = groups;
	L.ngroups = ngroups;
	L.log = log;
	L.remote = remote;
	L.block_ms = rules_backfill_block_duration(cfg->max_block_duration_ms);
	L.rule_base = xcalloc(ngroups + 1, sizeof(*L.rule_base));
	for (size_t g = 0; g < ngroups; g++) {
		L.rule_base[g] = L.nrules;
		L.nrules += groups[g].g->nrules;
		for (size_t r = 0; r < groups[g].g->nrules; r++) {
			const struct rulefmt_rule *rr = &groups[g].g->rules[r];
			const char *on[2];
			size_t k = output_names(rr, on);
			int64_t lb = lookback_of(promql_expr_root(rr->parsed));
			for (size_t j = 0; j < k; j++) {
				ALLOC_GROW(names, nnames + 1, ncap);
				names[nnames++] = on[j];
			}
			if (lb < 0)
				trim = false;
			else if (lb > need)
				need = lb;
			/* a template's query may read anything */
			for (size_t j = 0; j < rr->labels.n; j++)
				if (strstr(rr->labels.v[j].value, "query"))
					trim = false;
		}
	}
	L.w = xcalloc(L.nrules + 1, sizeof(*L.w));
	L.refs = xcalloc(L.nrules + 1, sizeof(*L.refs));
	L.pending = xcalloc(L.nrules + 1, sizeof(*L.pending));
	L.fails = xcalloc(L.nrules + 1, sizeof(*L.fails));
	L.cache = xcalloc(L.nrules + 1, sizeof(*L.cache));
	L.independent = xcalloc(L.nrules + 1, sizeof(*L.independent));
	L.fallback = xcalloc(L.nrules + 1, sizeof(*L.fallback));
	promql_result_init(&L.inst);
	L.exprs = xcalloc(L.nrules + 1, sizeof(*L.exprs));
	for (size_t g = 0; g < ngroups; g++)
		for (size_t r = 0; r < groups[g].g->nrules; r++) {
			struct buf b = BUF_INIT;
			promql_print(&b, groups[g].g->rules[r].parsed);
			L.exprs[L.rule_base[g] + r] = buf_detach(&b, NULL);
		}

	if (base) {
		hide.base = *base;
		hide.names = names;
		hide.nnames = nnames;
		hide.from_ms = floor_div(cfg->start_ns, 1000000);
		L.st = rstore_new(&hidden_st, base_sorted);
	} else {
		L.st = rstore_new(NULL, false);
	}
	memset(&o, 0, sizeof(o));
	o.compat = cfg->compat;
	o.external_labels = cfg->external_labels;
	o.nexternal_labels = cfg->nexternal_labels;
	o.external_url = cfg->external_url ? cfg->external_url : "";
	o.has_url = cfg->external_url != NULL;
	o.url_string = cfg->external_url ? cfg->external_url : "";
	o.url_path = "";
	o.engine.default_subquery_step_ms = cfg->eval_interval_ns / 1000000;
	o.engine.compat = cfg->compat;
	o.restored = true;
	o.sink = sink;
	o.sink_arg = &L;
	o.warn = warn;
	o.warn_arg = &L;
	L.engine = o.engine;
	if (remote) {
		o.query = remote_query;
		o.query_arg = &L;
	} else {
		L.base = &hidden_st;
		for (size_t g = 0; g < ngroups; g++)
			for (size_t r = 0; r < groups[g].g->nrules; r++)
				L.independent[L.rule_base[g] + r] = independent(&L, &groups[g].g->rules[r]);
		o.query = local_query;
		o.query_arg = &L;
	}
	rule_manager_new(&L.m, &o, L.st, &L.fatal);
	for (size_t g = 0; g < ngroups; g++)
		rule_manager_add_group(L.m, groups[g].file, groups[g].g, cfg->eval_interval_ns);
	if (remote)
		warn_dependencies(&L);

	next = xcalloc(ngroups + 1, sizeof(*next));
	for (size_t g = 0; g < ngroups; g++) {
		int64_t iv = rule_manager_group_interval(L.m, g);
		if (iv <= 0) {
			add_err(errs, &nerrs, &ecap,
				xasprintf("group \"%s\" has a non-positive evaluation interval", groups[g].g->name));
			goto done;
		}
		next[g] = rule_manager_eval_timestamp(L.m, g, cfg->start_ns);
		if (next[g] < cfg->start_ns)
			next[g] += iv;
	}
	for (;;) {
		size_t g = SIZE_MAX;
		int64_t ts, ts_ms, w;

		for (size_t k = 0; k < ngroups; k++)
			if (next[k] <= cfg->end_ns && (g == SIZE_MAX || next[k] < next[g]))
				g = k;
		if (g == SIZE_MAX)
			break;
		ts = next[g];
		ts_ms = floor_div(ts, 1000000);
		w = floor_div(ts_ms, L.block_ms);
		if (w != window) {
			if (flush_all(&L, &L.fatal) < 0)
				break;
			window = w;
			L.window_end_ms = (w + 1) * L.block_ms - 1;
			for (size_t i = 0; i < L.nrules; i++) {
				rcache_reset(&L.cache[i]);
				L.fallback[i] = false;
			}
			if (trim)
				rstore_trim(L.st, w * L.block_ms - need - 1);
		}
		rule_manager_eval(L.m, g, ts);
		if (rule_manager_sink_error(L.m)) {
			err_set(&L.fatal, "%s", rule_manager_sink_error(L.m));
			break;
		}
		next[g] += rule_manager_group_interval(L.m, g);
	}
	if (!err_isset(&L.fatal))
		flush_all(&L, &L.fatal);
	if (err_isset(&L.fatal))
		add_err(errs, &nerrs, &ecap, xstrdup(err_msg(&L.fatal)));
	for (size_t g = 0; g < ngroups; g++)
		for (size_t r = 0; r < groups[g].g->nrules; r++) {
			const struct rfail *f = &L.fails[L.rule_base[g] + r];
			char count[32];
			const char *kv[10];
			if (!f->first)
				continue;
			snprintf(count, sizeof(count), "%zu", f->count);
			kv[0] = "msg", kv[1] = "Evaluating rule failed";
			kv[2] = "group", kv[3] = groups[g].g->name;
			kv[4] = "name", kv[5] = rule_manager_rule_name(L.m, g, r);
			kv[6] = "err", kv[7] = f->first;
			kv[8] = "failures", kv[9] = count;
			log_line(log, "warn", kv, 10);
		}
done:
	for (size_t i = 0; i < L.nrules; i++) {
		block_writer_free(L.w[i]);
		refmap_reset(&L.refs[i]);
		free(L.fails[i].first);
		rcache_reset(&L.cache[i]);
		free(L.cache[i].s);
		free(L.exprs[i]);
	}
	rcache_reset(&L.point);
	free(L.point.s);
	free(L.w);
	free(L.refs);
	free(L.pending);
	free(L.fails);
	free(L.cache);
	free(L.exprs);
	free(L.independent);
	free(L.fallback);
	promql_result_release(&L.inst);
	free(L.answer);
	free(L.rule_base);
	free(next);
	free(names);
	rule_manager_free(L.m);
	rstore_free(L.st);
	err_release(&L.fatal);
	return nerrs;
}
