/*
 * Internal to the rule manager (manager.c, alerting.c): groups, rules,
 * alert state, and the query function rules and templates share.
 *
 * Everything here is owned by the struct rule_manager; label sets are
 * owned copies.
 */
#ifndef RULES_RULE_INTERNAL_H
#define RULES_RULE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "4-promql/eval.h"
#include "6-rules/manager.h"
#include "6-rules/tmpl.h"

/* A set of label sets (seriesInPreviousEval): hash index over owned sets. */
struct lset {
	struct labels *v;
	uint64_t *hash;
	size_t n, cap;
	size_t *index; /* position + 1 */
	size_t index_cap;
};

void lset_release(struct lset *s);
bool lset_has(const struct lset *s, const struct label *ls, size_t n, uint64_t h);
/* Adds a copy (if absent). */
void lset_add(struct lset *s, const struct label *ls, size_t n, uint64_t h);

enum alert_state { ALERT_INACTIVE, ALERT_PENDING, ALERT_FIRING };

/* rules.Alert; times are Unix nanoseconds, has_* false for the zero time. */
struct ralert {
	struct labels labels, annotations;
	uint64_t hash;
	enum alert_state state;
	double value;
	int64_t active_at, fired_at, resolved_at, keep_firing_since;
	bool has_resolved, has_keep_firing_since;
};

struct rrule {
	const struct rulefmt_rule *src;
	const char *name;
	bool alerting;
	const struct promql_node *expr;
	struct lset prev;  /* series written at the previous evaluation */
	char *last_error;
	/* alerting: r.active (insertion order stands for Go's map order) */
	struct ralert **active;
	size_t nactive, active_cap;
	bool restored;
	struct tmpl_compiled **label_tmpl, **annot_tmpl; /* per label/annotation */
};

struct rgroup {
	char *name, *file;
	int64_t interval_ns;
	int64_t limit;
	struct rrule *rules;
	size_t nrules;
};

/* A rule's output sample. */
struct rsample {
	struct labels ls; /* sorted, owned */
	int64_t t;
	double v;
};

struct rvec {
	struct rsample *v;
	size_t n, cap;
};

void rvec_release(struct rvec *v);
struct rsample *rvec_push(struct rvec *v);

struct rule_manager {
	struct rm_opts o;
	struct rstore *store;
	struct rgroup *groups;
	size_t ngroups, groups_cap;
	char *sink_error;
	struct rm_alert_view *views; /* scratch for rule_manager_firing_alerts */
	size_t views_cap;
	/* samples handed to template query results, freed after each rule */
	struct rvec tmpl_results;
	struct tmpl_sample *tmpl_samples;
	size_t tmpl_samples_cap;
	size_t cur_group, cur_rule; /* the rule being evaluated (SIZE_MAX: none) */
};

/*
 * EngineQueryFunc: an instant query at ts_ms; scalars become one sample
 * without labels; other result types are "rule result is not a vector or
 * scalar".  Appends to out.  Returns 0 or -1 with e set.
 */
int rm_query(struct rule_manager *m, const struct promql_node *expr, int64_t ts_ms, struct rvec *out,
	     struct err *e);

/* AlertingRule.Eval at ts_ns: the samples to write (ALERTS,
 * ALERTS_FOR_STATE) into out, or -1 with e set. */
int rm_alerting_eval(struct rule_manager *m, struct rgroup *g, struct rrule *r, int64_t ts_ns, struct rvec *out,
		     struct err *e);
void rm_alerting_release(struct rrule *r);

#endif
