/*
 * Rule groups and their evaluation, as 2.42's rules/manager.go Group.Eval
 * and rules/recording.go run them:
 *
 *   for each rule, in order:
 *     vector, err := rule.Eval(ts)        instant query at ts (ms)
 *     on error: LastError = err, nothing written, previous series kept
 *     append every sample (out of order / duplicate ones are dropped and
 *       set LastError), remember the series that were appended
 *     series of the previous evaluation not appended now: a StaleNaN at ts
 *     commit; the appended series become the previous evaluation's
 *
 * A recording rule renames its samples (__name__ = record), applies its
 * labels (an empty value deletes), then fails on two samples with the same
 * labels or more than the group's limit.
 */
#include "6-rules/rule_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "4-promql/ast.h"
#include "4-promql/promql.h"

/* ---- sets of label sets ------------------------------------------------ */

void lset_release(struct lset *s)
{
	for (size_t i = 0; i < s->n; i++)
		labels_release(&s->v[i]);
	free(s->v);
	free(s->hash);
	free(s->index);
	memset(s, 0, sizeof(*s));
}

static size_t lset_find(const struct lset *s, const struct label *ls, size_t n, uint64_t h)
{
	if (!s->index_cap)
		return SIZE_MAX;
	size_t mask = s->index_cap - 1;
	for (size_t i = (size_t)h & mask; s->index[i]; i = (i + 1) & mask) {
		size_t p = s->index[i] - 1;
		if (s->hash[p] == h && labels_equal(s->v[p].v, s->v[p].n, ls, n))
			return p;
	}
	return SIZE_MAX;
}

bool lset_has(const struct lset *s, const struct label *ls, size_t n, uint64_t h)
{
	return lset_find(s, ls, n, h) != SIZE_MAX;
}

static void lset_index(struct lset *s, size_t p)
{
	size_t mask = s->index_cap - 1, i = (size_t)s->hash[p] & mask;
	while (s->index[i])
		i = (i + 1) & mask;
	s->index[i] = p + 1;
}

void lset_add(struct lset *s, const struct label *ls, size_t n, uint64_t h)
{
	if (lset_find(s, ls, n, h) != SIZE_MAX)
		return;
	if (s->n == s->cap) {
		size_t ncap = s->cap ? 2 * s->cap : 8;
		s->v = xreallocarray(s->v, ncap, sizeof(*s->v));
		s->hash = xreallocarray(s->hash, ncap, sizeof(*s->hash));
		s->cap = ncap;
	}
	labels_init(&s->v[s->n]);
	labels_dup(&s->v[s->n], ls, n);
	s->hash[s->n++] = h;
	if (2 * s->n > s->index_cap) {
		free(s->index);
		s->index_cap = s->index_cap ? 2 * s->index_cap : 16;
		s->index = xcalloc(s->index_cap, sizeof(*s->index));
		for (size_t i = 0; i < s->n; i++)
			lset_index(s, i);
	} else {
		lset_index(s, s->n - 1);
	}
}

/* ---- vectors ----------------------------------------------------------- */

void rvec_release(struct rvec *v)
{
	for (size_t i = 0; i < v->n; i++)
		labels_release(&v->v[i].ls);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

struct rsample *rvec_push(struct rvec *v)
{
	ALLOC_GROW(v->v, v->n + 1, v->cap);
	memset(&v->v[v->n], 0, sizeof(v->v[v->n]));
	labels_init(&v->v[v->n].ls);
	return &v->v[v->n++];
}

int rm_query(struct rule_manager *m, const struct promql_node *expr, int64_t ts_ms, struct rvec *out,
	     struct err *e)
{
	struct promql_storage st = rstore_storage(m->store);
	struct promql_result r;
	int rc = -1;

	promql_result_init(&r);
	if (m->o.query) {
		const struct rm_sample *v;
		size_t n;
		if (m->o.query(m->o.query_arg, m->cur_group, m->cur_rule, expr, ts_ms, &v, &n, e) < 0)
			goto done;
		for (size_t i = 0; i < n; i++) {
			struct rsample *s = rvec_push(out);
			labels_dup(&s->ls, v[i].labels, v[i].nlabels);
			s->t = v[i].t;
			s->v = v[i].v;
		}
		rc = 0;
		goto done;
	}
	if (promql_eval_instant(&r, &st, expr, ts_ms, &m->o.engine, e) < 0)
		goto done;
	if (r.type == PROMQL_TYPE_SCALAR) {
		struct rsample *s = rvec_push(out);
		s->t = r.t;
		s->v = r.scalar;
	} else if (r.type == PROMQL_TYPE_VECTOR) {
		for (size_t i = 0; i < r.nseries; i++) {
			struct rsample *s;
			if (!r.series[i].n)
				continue;
			s = rvec_push(out);
			labels_dup(&s->ls, r.series[i].labels, r.series[i].nlabels);
			s->t = r.series[i].t[0];
			s->v = r.series[i].v[0];
		}
	} else {
		err_set(e, "rule result is not a vector or scalar");
		goto done;
	}
	rc = 0;
done:
	promql_result_release(&r);
	return rc;
}

/* ---- the manager ------------------------------------------------------- */

int rule_manager_new(struct rule_manager **out, const struct rm_opts *opts, struct rstore *store, struct err *e)
{
	struct rule_manager *m = xcalloc(1, sizeof(*m));

	(void)e;
	m->o = *opts;
	m->store = store;
	m->cur_group = m->cur_rule = SIZE_MAX;
	*out = m;
	return 0;
}

void rule_manager_free(struct rule_manager *m)
{
	if (!m)
		return;
	for (size_t g = 0; g < m->ngroups; g++) {
		struct rgroup *gr = &m->groups[g];
		for (size_t i = 0; i < gr->nrules; i++) {
			struct rrule *r = &gr->rules[i];
			lset_release(&r->prev);
			free(r->last_error);
			rm_alerting_release(r);
		}
		free(gr->rules);
		free(gr->name);
		free(gr->file);
	}
	free(m->groups);
	free(m->sink_error);
	free(m->views);
	rvec_release(&m->tmpl_results);
	free(m->tmpl_samples);
	free(m);
}

size_t rule_manager_add_group(struct rule_manager *m, const char *file, const struct rulefmt_group *g,
			      int64_t interval_ns)
{
	struct rgroup *gr;

	ALLOC_GROW(m->groups, m->ngroups + 1, m->groups_cap);
	gr = &m->groups[m->ngroups];
	memset(gr, 0, sizeof(*gr));
	gr->name = xstrdup(g->name);
	gr->file = xstrdup(file);
	gr->interval_ns = g->interval_ms ? g->interval_ms * 1000000 : interval_ns;
	gr->limit = g->limit;
	gr->nrules = g->nrules;
	gr->rules = xcalloc(g->nrules ? g->nrules : 1, sizeof(*gr->rules));
	for (size_t i = 0; i < g->nrules; i++) {
		struct rrule *r = &gr->rules[i];
		r->src = &g->rules[i];
		r->alerting = *g->rules[i].alert != '\0';
		r->name = r->alerting ? g->rules[i].alert : g->rules[i].record;
		r->expr = promql_expr_root(g->rules[i].parsed);
		r->restored = m->o.restored;
	}
	return m->ngroups++;
}

size_t rule_manager_ngroups(const struct rule_manager *m)
{
	return m->ngroups;
}

const char *rule_manager_group_name(const struct rule_manager *m, size_t g)
{
	return m->groups[g].name;
}

const char *rule_manager_group_file(const struct rule_manager *m, size_t g)
{
	return m->groups[g].file;
}

int64_t rule_manager_group_interval(const struct rule_manager *m, size_t g)
{
	return m->groups[g].interval_ns;
}

int64_t rule_manager_eval_timestamp(const struct rule_manager *m, size_t g, int64_t t_ns)
{
	const struct rgroup *gr = &m->groups[g];
	/* Group.hash(): labels.New({name}, {file}) sorts them: file, name */
	struct label ls[2] = { { "file", gr->file }, { "name", gr->name } };
	int64_t iv = gr->interval_ns, offset, adj, base;

	if (iv <= 0)
		return t_ns;
	offset = (int64_t)(labels_hash(ls, 2) % (uint64_t)iv);
	adj = t_ns - offset;
	base = adj - adj % iv;
	return base + offset;
}

size_t rule_manager_nrules(const struct rule_manager *m, size_t g)
{
	return m->groups[g].nrules;
}

const char *rule_manager_rule_name(const struct rule_manager *m, size_t g, size_t r)
{
	return m->groups[g].rules[r].name;
}

bool rule_manager_rule_alerting(const struct rule_manager *m, size_t g, size_t r)
{
	return m->groups[g].rules[r].alerting;
}

const char *rule_manager_rule_error(const struct rule_manager *m, size_t g, size_t r)
{
	return m->groups[g].rules[r].last_error;
}

const char *rule_manager_sink_error(const struct rule_manager *m)
{
	return m->sink_error;
}

size_t rule_manager_firing_alerts(const struct rule_manager *m, size_t g, size_t r, struct rm_alert_view **out)
{
	struct rule_manager *mm = (struct rule_manager *)m;
	const struct rrule *rr = &m->groups[g].rules[r];
	size_t n = 0;

	ALLOC_GROW(mm->views, rr->nactive + 1, mm->views_cap);
	for (size_t i = 0; i < rr->nactive; i++) {
		const struct ralert *a = rr->active[i];
		if (a->state != ALERT_FIRING || a->has_resolved)
			continue;
		mm->views[n++] = (struct rm_alert_view){ a->labels.v, a->annotations.v, a->labels.n,
							 a->annotations.n, true };
	}
	*out = mm->views;
	return n;
}

/* labels.Builder.Set: an empty value deletes. */
static void builder_set(struct labels *lb, const char *name, const char *value)
{
	if (!*value)
		labels_del(lb, name);
	else
		labels_set_copy(lb, name, value);
}

/* RecordingRule.Eval */
static int recording_eval(struct rule_manager *m, struct rgroup *g, struct rrule *r, int64_t ts_ns,
			  struct rvec *out, struct err *e)
{
	int64_t ts_ms = ts_ns / 1000000 - (ts_ns % 1000000 < 0);
	uint64_t *hashes = NULL;

	if (rm_query(m, r->expr, ts_ms, out, e) < 0)
		return -1;
	for (size_t i = 0; i < out->n; i++) {
		struct labels *lb = &out->v[i].ls;
		builder_set(lb, "__name__", r->name);
		for (size_t k = 0; k < r->src->labels.n; k++)
			builder_set(lb, r->src->labels.v[k].name, r->src->labels.v[k].value);
		labels_sort(lb);
	}
	/* Vector.ContainsSameLabelset: by hash */
	if (out->n > 1) {
		hashes = xcalloc(out->n, sizeof(*hashes));
		for (size_t i = 0; i < out->n; i++)
			hashes[i] = labels_hash(out->v[i].ls.v, out->v[i].ls.n);
		for (size_t i = 0; i < out->n; i++)
			for (size_t j = i + 1; j < out->n; j++)
				if (hashes[i] == hashes[j]) {
					free(hashes);
					return err_set(e, "vector contains metrics with the same labelset after applying rule labels");
				}
		free(hashes);
	}
	if (g->limit > 0 && (int64_t)out->n > g->limit)
		return err_set(e, "exceeded limit of %lld with %zu series", (long long)g->limit, out->n);
	return 0;
}

struct commit_ctx {
	struct rule_manager *m;
	size_t g, r;
};

static int commit_sample(void *arg, const struct label *ls, size_t n, int64_t t, double v, struct err *e)
{
	struct commit_ctx *c = arg;

	return c->m->o.sink(c->m->o.sink_arg, c->g, c->r, ls, n, t, v, e);
}

static void set_error(struct rrule *r, const char *msg)
{
	free(r->last_error);
	r->last_error = msg ? xstrdup(msg) : NULL;
}

static void warn(struct rule_manager *m, size_t g, size_t r, const char *msg)
{
	if (m->o.warn)
		m->o.warn(m->o.warn_arg, g, r, msg);
}

void rule_manager_eval(struct rule_manager *m, size_t gi, int64_t ts_ns)
{
	struct rgroup *g = &m->groups[gi];
	int64_t ts_ms = ts_ns / 1000000 - (ts_ns % 1000000 < 0);

	for (size_t i = 0; i < g->nrules; i++) {
		struct rrule *r = &g->rules[i];
		struct rvec vec = { 0 };
		struct lset added = { 0 };
		bool *seen = xcalloc(r->prev.n + 1, sizeof(*seen));
		size_t nseen = 0;
		struct err e = ERR_INIT, ce = ERR_INIT;
		struct commit_ctx cc = { m, gi, i };
		size_t ooo = 0, dup = 0;
		int rc;

		m->cur_group = gi;
		m->cur_rule = i;
		rc = r->alerting ? rm_alerting_eval(m, g, r, ts_ns, &vec, &e) : recording_eval(m, g, r, ts_ns, &vec, &e);
		m->cur_group = m->cur_rule = SIZE_MAX;
		rvec_release(&m->tmpl_results);
		if (rc < 0) {
			set_error(r, err_msg(&e));
			warn(m, gi, i, err_msg(&e));
			err_release(&e);
			rvec_release(&vec);
			continue;
		}
		set_error(r, NULL);
		for (size_t k = 0; k < vec.n; k++) {
			struct rsample *s = &vec.v[k];
			struct err ae = ERR_INIT;
			if (rstore_append(m->store, s->ls.v, s->ls.n, s->t, s->v, &ae) < 0) {
				set_error(r, err_msg(&ae));
				if (!strcmp(err_msg(&ae), "out of order sample"))
					ooo++;
				else if (!strcmp(err_msg(&ae), "duplicate sample for timestamp"))
					dup++;
				else
					warn(m, gi, i, err_msg(&ae));
				err_release(&ae);
				continue;
			}
			{
				/* seriesReturned: the previous evaluation's set is kept
				 * as long as nothing changes (no copy per evaluation) */
				uint64_t h = labels_hash(s->ls.v, s->ls.n);
				size_t pos = lset_find(&r->prev, s->ls.v, s->ls.n, h);
				if (pos != SIZE_MAX) {
					nseen += !seen[pos];
					seen[pos] = true;
				} else {
					lset_add(&added, s->ls.v, s->ls.n, h);
				}
			}
		}
		if (ooo)
			warn(m, gi, i, "Error on ingesting out-of-order result from rule evaluation");
		if (dup)
			warn(m, gi, i, "Error on ingesting results from rule evaluation with different value but same timestamp");
		for (size_t k = 0; k < r->prev.n; k++) {
			const struct labels *ls = &r->prev.v[k];
			if (seen[k])
				continue;
			/* series no longer exposed: errors are expected and ignored */
			rstore_append(m->store, ls->v, ls->n, ts_ms, prom_stale_nan(), NULL);
		}
		if (m->o.sink) {
			if (rstore_commit_cb(m->store, commit_sample, &cc, &ce) < 0 && !m->sink_error)
				m->sink_error = xstrdup(err_msg(&ce));
			err_release(&ce);
		} else {
			rstore_commit(m->store);
		}
		if (nseen != r->prev.n || added.n) {
			struct lset next = { 0 };
			for (size_t k = 0; k < r->prev.n; k++)
				if (seen[k])
					lset_add(&next, r->prev.v[k].v, r->prev.v[k].n, r->prev.hash[k]);
			for (size_t k = 0; k < added.n; k++)
				lset_add(&next, added.v[k].v, added.v[k].n, added.hash[k]);
			lset_release(&r->prev);
			r->prev = next;
		}
		lset_release(&added);
		free(seen);
		rvec_release(&vec);
	}
}
