/*
 * Alerting rules, as 2.42's rules/alerting.go AlertingRule.Eval runs them:
 *
 *   query the expression at ts; for each sample: labels = the sample's
 *   minus __name__, plus the rule's labels expanded as templates, plus
 *   alertname; annotations expanded; two samples with the same resulting
 *   labels fail the rule.  New label sets become pending alerts (active
 *   at ts); known ones get the new value and annotations.  Alerts absent
 *   from the result resolve (a pending one is dropped, a firing one stays
 *   inactive for 15 minutes), unless keep_firing_for holds them firing.
 *   A pending alert active for at least `for` fires.  Every active alert
 *   writes ALERTS{alertstate=...} 1 and ALERTS_FOR_STATE = active-at in
 *   Unix seconds (once the rule's state counts as restored).  More active
 *   alerts than the group's limit fail the rule and forget all alerts.
 *
 * Go keeps alerts in a map (random order); here they keep insertion
 * order, one of the orders Go may iterate in.
 */
#include "6-rules/rule_internal.h"

#include <stdlib.h>
#include <string.h>

#include "1-common/xalloc.h"

static const int64_t RESOLVED_RETENTION_NS = 15LL * 60 * 1000000000;

static void alert_free(struct ralert *a)
{
	if (!a)
		return;
	labels_release(&a->labels);
	labels_release(&a->annotations);
	free(a);
}

void rm_alerting_release(struct rrule *r)
{
	for (size_t i = 0; i < r->nactive; i++)
		alert_free(r->active[i]);
	free(r->active);
	r->active = NULL;
	r->nactive = r->active_cap = 0;
	if (r->label_tmpl)
		for (size_t i = 0; i < r->src->labels.n; i++)
			tmpl_free(r->label_tmpl[i]);
	if (r->annot_tmpl)
		for (size_t i = 0; i < r->src->annotations.n; i++)
			tmpl_free(r->annot_tmpl[i]);
	free(r->label_tmpl);
	free(r->annot_tmpl);
	r->label_tmpl = r->annot_tmpl = NULL;
}

/* The template `query` function: the rule's query function at t_ms. */
static int template_query(void *arg, const char *expr, int64_t t_ms, struct tmpl_sample **out, size_t *n,
			  struct err *e)
{
	struct rule_manager *m = arg;
	struct promql_expr *x = NULL;
	size_t first = m->tmpl_results.n;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (promql_parse(&x, expr, strlen(expr), e) < 0)
		goto done;
	{
		/* a template's query is no rule's own evaluation */
		size_t g = m->cur_group, r = m->cur_rule;
		m->cur_group = m->cur_rule = SIZE_MAX;
		rc = rm_query(m, promql_expr_root(x), t_ms, &m->tmpl_results, e);
		m->cur_group = g;
		m->cur_rule = r;
		if (rc < 0)
			goto done;
		rc = -1;
	}
	*n = m->tmpl_results.n - first;
	ALLOC_GROW(m->tmpl_samples, *n + 1, m->tmpl_samples_cap);
	for (size_t i = 0; i < *n; i++) {
		const struct rsample *s = &m->tmpl_results.v[first + i];
		m->tmpl_samples[i] = (struct tmpl_sample){ s->ls.v, s->ls.n, s->v };
	}
	*out = m->tmpl_samples;
	rc = 0;
done:
	promql_expr_free(x);
	return rc;
}

/* The expanded text of a label or annotation value. */
static void expand(struct buf *out, struct rule_manager *m, struct rrule *r, const char *text,
		   const struct tmpl_env *env, struct tmpl_compiled **cache)
{
	if (!strstr(text, "{{")) {
		/* no action: the template prints its text */
		buf_adds(out, text);
		return;
	}
	(void)m;
	tmpl_expand_alert(out, r->name, text, env, cache);
}

static struct ralert *find_active(const struct rrule *r, uint64_t h, size_t *pos)
{
	for (size_t i = 0; i < r->nactive; i++)
		if (r->active[i]->hash == h) {
			*pos = i;
			return r->active[i];
		}
	return NULL;
}

static void remove_active(struct rrule *r, size_t pos)
{
	alert_free(r->active[pos]);
	memmove(r->active + pos, r->active + pos + 1, (r->nactive - pos - 1) * sizeof(*r->active));
	r->nactive--;
}

/* ALERTS / ALERTS_FOR_STATE: the rule's raw labels, then the alert's. */
static void alert_sample(struct rvec *out, const struct rrule *r, const struct ralert *a, int64_t ts_ms,
			 bool for_state)
{
	struct rsample *s = rvec_push(out);

	for (size_t i = 0; i < r->src->labels.n; i++)
		if (*r->src->labels.v[i].value)
			labels_set_copy(&s->ls, r->src->labels.v[i].name, r->src->labels.v[i].value);
	for (size_t i = 0; i < a->labels.n; i++)
		labels_set_copy(&s->ls, a->labels.v[i].name, a->labels.v[i].value);
	labels_set_copy(&s->ls, "__name__", for_state ? "ALERTS_FOR_STATE" : "ALERTS");
	labels_set_copy(&s->ls, "alertname", r->name);
	if (!for_state)
		labels_set_copy(&s->ls, "alertstate", a->state == ALERT_FIRING ? "firing" : "pending");
	labels_sort(&s->ls);
	s->t = ts_ms;
	if (for_state) {
		/* float64(a.ActiveAt.Unix()) */
		int64_t sec = a->active_at / 1000000000 - (a->active_at % 1000000000 < 0);
		s->v = (double)sec;
	} else {
		s->v = 1;
	}
}

int rm_alerting_eval(struct rule_manager *m, struct rgroup *g, struct rrule *r, int64_t ts_ns, struct rvec *out,
		     struct err *e)
{
	int64_t ts_ms = ts_ns / 1000000 - (ts_ns % 1000000 < 0);
	struct rvec res = { 0 };
	struct ralert **fresh = NULL;
	size_t nfresh = 0, num_active_pending = 0, nhashes = 0;
	uint64_t *hashes = NULL;
	struct buf b = BUF_INIT;
	int rc = -1;

	if (rm_query(m, r->expr, ts_ms, &res, e) < 0)
		goto done;
	if (!r->label_tmpl) {
		r->label_tmpl = xcalloc(r->src->labels.n + 1, sizeof(*r->label_tmpl));
		r->annot_tmpl = xcalloc(r->src->annotations.n + 1, sizeof(*r->annot_tmpl));
	}
	fresh = xcalloc(res.n + 1, sizeof(*fresh));
	for (size_t i = 0; i < res.n; i++) {
		const struct rsample *smp = &res.v[i];
		struct tmpl_env env;
		struct ralert *a = xcalloc(1, sizeof(*a));

		memset(&env, 0, sizeof(env));
		env.labels = smp->ls.v;
		env.nlabels = smp->ls.n;
		env.external_labels = m->o.external_labels;
		env.nexternal_labels = m->o.nexternal_labels;
		env.external_url_field = m->o.external_url ? m->o.external_url : "";
		env.value = smp->v;
		env.ts_ms = ts_ms;
		env.query = template_query;
		env.query_arg = m;
		env.has_url = m->o.has_url;
		env.url_string = m->o.url_string;
		env.url_path = m->o.url_path;

		labels_init(&a->labels);
		labels_init(&a->annotations);
		for (size_t k = 0; k < smp->ls.n; k++)
			if (strcmp(smp->ls.v[k].name, "__name__"))
				labels_add_copy(&a->labels, smp->ls.v[k].name, smp->ls.v[k].value);
		for (size_t k = 0; k < r->src->labels.n; k++) {
			buf_reset(&b);
			expand(&b, m, r, r->src->labels.v[k].value, &env, &r->label_tmpl[k]);
			if (b.len)
				labels_set_copy(&a->labels, r->src->labels.v[k].name, buf_str(&b));
			else
				labels_del(&a->labels, r->src->labels.v[k].name);
		}
		labels_set_copy(&a->labels, "alertname", r->name);
		labels_sort(&a->labels);
		for (size_t k = 0; k < r->src->annotations.n; k++) {
			buf_reset(&b);
			expand(&b, m, r, r->src->annotations.v[k].value, &env, &r->annot_tmpl[k]);
			labels_add_copy(&a->annotations, r->src->annotations.v[k].name, buf_str(&b));
		}
		a->hash = labels_hash(a->labels.v, a->labels.n);
		a->active_at = ts_ns;
		a->state = ALERT_PENDING;
		a->value = smp->v;
		for (size_t k = 0; k < nfresh; k++)
			if (fresh[k]->hash == a->hash) {
				alert_free(a);
				err_set(e, "vector contains metrics with the same labelset after applying alert labels");
				goto done;
			}
		fresh[nfresh++] = a;
	}
	/* resultFPs */
	hashes = xcalloc(nfresh + 1, sizeof(*hashes));
	for (size_t i = 0; i < nfresh; i++)
		hashes[i] = fresh[i]->hash;
	nhashes = nfresh;
	for (size_t i = 0; i < nfresh; i++) {
		size_t pos;
		struct ralert *old = find_active(r, fresh[i]->hash, &pos);
		if (old && old->state != ALERT_INACTIVE) {
			old->value = fresh[i]->value;
			labels_release(&old->annotations);
			old->annotations = fresh[i]->annotations;
			labels_init(&fresh[i]->annotations);
			alert_free(fresh[i]);
		} else if (old) {
			alert_free(old);
			r->active[pos] = fresh[i];
		} else {
			ALLOC_GROW(r->active, r->nactive + 1, r->active_cap);
			r->active[r->nactive++] = fresh[i];
		}
		fresh[i] = NULL;
	}
	for (size_t i = 0; i < r->nactive;) {
		struct ralert *a = r->active[i];
		bool in_result = false, keep_firing = false, deleted = false;

		for (size_t k = 0; k < nhashes && !in_result; k++)
			in_result = hashes[k] == a->hash;
		if (!in_result) {
			if (a->state == ALERT_FIRING && r->src->keep_firing_for_ms > 0) {
				if (!a->has_keep_firing_since) {
					a->keep_firing_since = ts_ns;
					a->has_keep_firing_since = true;
				}
				if (ts_ns - a->keep_firing_since < r->src->keep_firing_for_ms * 1000000)
					keep_firing = true;
			}
			/* a resolved firing alert stays 15m for the notifier */
			if (a->state == ALERT_PENDING ||
			    (a->has_resolved && ts_ns - a->resolved_at > RESOLVED_RETENTION_NS))
				deleted = true;
			if (a->state != ALERT_INACTIVE && !keep_firing) {
				a->state = ALERT_INACTIVE;
				a->resolved_at = ts_ns;
				a->has_resolved = true;
			}
			if (!keep_firing) {
				if (deleted)
					remove_active(r, i);
				else
					i++;
				continue;
			}
		} else {
			a->has_keep_firing_since = false;
		}
		num_active_pending++;
		if (a->state == ALERT_PENDING && ts_ns - a->active_at >= r->src->for_ms * 1000000) {
			a->state = ALERT_FIRING;
			a->fired_at = ts_ns;
		}
		if (r->restored) {
			alert_sample(out, r, a, ts_ms, false);
			alert_sample(out, r, a, ts_ms, true);
		}
		if (deleted)
			remove_active(r, i);
		else
			i++;
	}
	if (g->limit > 0 && (int64_t)num_active_pending > g->limit) {
		for (size_t i = 0; i < r->nactive; i++)
			alert_free(r->active[i]);
		r->nactive = 0;
		rvec_release(out);
		err_set(e, "exceeded limit of %lld with %zu alerts", (long long)g->limit, num_active_pending);
		goto done;
	}
	rc = 0;
done:
	for (size_t i = 0; i < nfresh; i++)
		alert_free(fresh[i]);
	free(fresh);
	free(hashes);
	rvec_release(&res);
	buf_release(&b);
	return rc;
}
