/*
 * Alert templates as Prometheus 2.42 expands an alerting rule's labels and
 * annotations (template.Expander.Expand over AlertTemplateData): Go's
 * text/template with option missingkey=zero and Prometheus' function map
 * (query, first, label, value, humanize*, printf, reReplaceAll, ...), the
 * text prefixed with the definitions of $labels, $externalLabels,
 * $externalURL and $value.
 *
 * struct tmpl_compiled owns its parse trees (tmpl_free()); one compiled
 * template may be executed any number of times.  Everything a struct
 * tmpl_env points to is borrowed for the duration of the call.
 */
#ifndef RULES_TMPL_H
#define RULES_TMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "2-model/labels.h"

/* One sample of a query result: labels (sorted) and value. */
struct tmpl_sample {
	const struct label *labels;
	size_t nlabels;
	double value;
};

/*
 * What the `query` function calls: evaluates expr as an instant query at
 * t_ms and hands back the vector (a scalar as one sample without labels).
 * The samples must stay valid until the template execution ends; the
 * callee keeps them (e.g. in an arena it frees after tmpl_execute()).
 * Returns 0, or -1 with e set to the query's error.
 */
typedef int (*tmpl_query_fn)(void *arg, const char *expr, int64_t t_ms, struct tmpl_sample **out, size_t *n,
			     struct err *e);

struct tmpl_env {
	const struct label *labels; /* $labels: the alert's sample labels, sorted */
	size_t nlabels;
	const struct label *external_labels; /* sorted */
	size_t nexternal_labels;
	const char *external_url_field; /* .ExternalURL: the rule's external URL string */
	double value;                   /* $value */
	int64_t ts_ms;                  /* evaluation time, for query */
	tmpl_query_fn query;
	void *query_arg;
	/*
	 * The manager's *url.URL for the externalURL and pathPrefix
	 * functions; has_url false stands for a nil URL (promtool test
	 * rules), where both functions fail as Go does on a nil pointer.
	 */
	bool has_url;
	const char *url_string; /* u.String() */
	const char *url_path;   /* u.Path */
};

struct tmpl_compiled;

/*
 * Parses "<defs>" + text as template `name` ("__alert_<alertname>").
 * Returns 0, or -1 with e set to "error parsing template <name>: ..." (the
 * rule loader has checked the text, so this happens only for text that
 * never went through it).
 */
int tmpl_compile(struct tmpl_compiled **out, const char *name, const char *text, size_t len, struct err *e);
void tmpl_free(struct tmpl_compiled *t);

/*
 * Executes the template, appending the output to out.  Returns 0, or -1
 * with e set to "error executing template <name>: template: <name>:1:114:
 * executing \"<name>\" at <...>: ..." as Expand returns it; out then holds
 * the partial output (the caller prints "<error expanding template: ...>"
 * instead, as the alerting rule does).
 */
int tmpl_execute(const struct tmpl_compiled *t, const struct tmpl_env *env, struct buf *out, struct err *e);

/*
 * The whole of AlertingRule.Eval's expand(): compile (or use *cache when
 * non-NULL and already compiled), execute, and on any error the text
 * "<error expanding template: <error>>".  Appends to out.
 */
void tmpl_expand_alert(struct buf *out, const char *alertname, const char *text, const struct tmpl_env *env,
		       struct tmpl_compiled **cache);

#endif
