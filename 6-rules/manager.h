/*
 * The rule manager: recording and alerting rule groups evaluated as
 * Prometheus 2.42's rules.Manager evaluates them (rules/manager.go,
 * recording.go, alerting.go), over a struct rstore that holds the data the
 * rules read and receives what they write.
 *
 *   rule_manager_new(&m, &opts, store);
 *   rule_manager_add_group(m, "rules.yml", &file->groups[0], interval_ns);
 *   rule_manager_eval(m, g, ts_ns);      // Group.Eval at one timestamp
 *
 * One evaluation runs the group's rules in order; each rule queries the
 * store at the evaluation time, its samples are appended and committed
 * (so later rules and groups see them), and series the rule wrote at its
 * previous evaluation but not now get a staleness marker.  Alerting rules
 * keep their alerts' state (pending, firing, resolved with `for` and
 * `keep_firing_for`) and write ALERTS and ALERTS_FOR_STATE; labels and
 * annotations are expanded as Go templates (6-rules/tmpl.h).
 *
 * Ownership: the manager borrows the rule groups (struct rulefmt_group of
 * a loaded file, which must outlive it) and the store; it owns its state.
 * Strings it returns stay valid until the next evaluation.
 */
#ifndef RULES_MANAGER_H
#define RULES_MANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "2-model/labels.h"
#include "4-promql/eval.h"
#include "6-rules/rstore.h"
#include "6-rules/rulefmt.h"

/* One sample of a query hook's answer (struct rm_opts.query). */
struct rm_sample {
	const struct label *labels; /* sorted */
	size_t nlabels;
	int64_t t;
	double v;
};

struct rm_opts {
	const struct label *external_labels; /* sorted by name */
	size_t nexternal_labels;
	const char *external_url; /* the alerting rules' externalURL string */
	/* the manager's *url.URL (template functions externalURL, pathPrefix);
	 * has_url false is a nil URL, as in promtool test rules */
	bool has_url;
	const char *url_string, *url_path;
	struct promql_engine_opts engine;
	/*
	 * Alerting rules count as restored from the start: ALERTS and
	 * ALERTS_FOR_STATE are written from the first evaluation (promtool
	 * test rules, and the steady state a backfill models).
	 */
	bool restored;
	/*
	 * Called for every sample the store committed (rule output and
	 * staleness markers), with the group and rule that wrote it; may be
	 * NULL.  A non-zero return stops nothing but is remembered as the
	 * manager's sink error (rule_manager_sink_error()).
	 */
	int (*sink)(void *arg, size_t group, size_t rule, const struct label *ls, size_t n, int64_t t_ms, double v,
		    struct err *e);
	void *sink_arg;
	/*
	 * Where queries go instead of the local engine over the store, NULL
	 * for the engine: an instant query of expr at ts_ms, answered with the
	 * vector's samples (a scalar as one sample without labels) in *out,
	 * which the callee owns until its next call.  group and rule name the
	 * rule being evaluated; both are SIZE_MAX for a template's `query`.
	 */
	int (*query)(void *arg, size_t group, size_t rule, const struct promql_node *expr, int64_t ts_ms,
		     const struct rm_sample **out, size_t *n, struct err *e);
	void *query_arg;
	/* Warnings the live manager logs (rule failures, dropped samples);
	 * may be NULL. */
	void (*warn)(void *arg, size_t group, size_t rule, const char *msg);
	void *warn_arg;
};

struct rule_manager;

int rule_manager_new(struct rule_manager **out, const struct rm_opts *opts, struct rstore *store, struct err *e);
void rule_manager_free(struct rule_manager *m);

/*
 * Adds a group of file (the path as the manager was given it: it names
 * the group and seeds its evaluation offset).  interval_ns is the group's
 * interval, or the global evaluation interval when it has none.  Returns
 * the group's index.
 */
size_t rule_manager_add_group(struct rule_manager *m, const char *file, const struct rulefmt_group *g,
			      int64_t interval_ns);

size_t rule_manager_ngroups(const struct rule_manager *m);
const char *rule_manager_group_name(const struct rule_manager *m, size_t g);
const char *rule_manager_group_file(const struct rule_manager *m, size_t g);
int64_t rule_manager_group_interval(const struct rule_manager *m, size_t g);

/*
 * Group.EvalTimestamp: the consistently slotted evaluation time at or
 * before t_ns (offset = hash of {file, name} modulo the interval).
 */
int64_t rule_manager_eval_timestamp(const struct rule_manager *m, size_t g, int64_t t_ns);

/* Group.Eval(ts): every rule of group g in order. */
void rule_manager_eval(struct rule_manager *m, size_t g, int64_t ts_ns);

size_t rule_manager_nrules(const struct rule_manager *m, size_t g);
const char *rule_manager_rule_name(const struct rule_manager *m, size_t g, size_t r);
bool rule_manager_rule_alerting(const struct rule_manager *m, size_t g, size_t r);
/* The rule's LastError() after its last evaluation, NULL if none. */
const char *rule_manager_rule_error(const struct rule_manager *m, size_t g, size_t r);

/* An active alert as ActiveAlerts() returns it. */
struct rm_alert_view {
	const struct label *labels, *annotations;
	size_t nlabels, nannotations;
	bool firing;
};

/* The alerts of rule r that are firing and not resolved (ActiveAlerts()
 * filtered on StateFiring), in no particular order. */
size_t rule_manager_firing_alerts(const struct rule_manager *m, size_t g, size_t r, struct rm_alert_view **out);

/* The first error a sink callback returned, NULL if none. */
const char *rule_manager_sink_error(const struct rule_manager *m);

#endif
