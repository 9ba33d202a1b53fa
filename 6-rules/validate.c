/*
 * RuleGroups.Validate() and RuleNode.Validate() of 2.42's model/rulefmt:
 * the same checks, in the same order, with the same words.  A rule's
 * message carries the yaml position of the node it blames:
 *   4:17: 5:16: group "yolo", rule 1, "Hello": only one of 'record' and 'alert' must be set
 *   0:0: group "yolo", rule 1, "": one of 'record' or 'alert' must be set   (key absent)
 *   group "yolo", rule 1, "hola": invalid label name: ins-tance           (no node)
 * Go iterates label maps in random order; we use file order, which is one
 * of the orders 2.42 can print.
 *
 * Later releases (gates in compat_gates.h, read at each tag's
 * model/rulefmt/rulefmt.go): group labels are validated (3.0); names are
 * checked as UTF-8 (3.0: promtool sets model.UTF8Validation); a rule with
 * neither record nor alert blames both positions (2.48); braces in a record
 * name are an error (3.2); group messages say 0:0 (3.3: the positional
 * ruleGroupNode embeds yaml.Node without ",inline", so its Line stays 0).
 */
#include "6-rules/validate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/utf8.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
#include "4-promql/promql.h"

struct rule_ctx {
	const struct compat *compat;
	const struct promql_parse_opts *parse; /* may be NULL */
	struct rulefmt_errors *errs;
	const char *path;
	const char *group;
	size_t index;      /* 1-based */
	const char *name;  /* alert, else record */
};

/* Appends "<path>: [L:C: [L:C: ]]group %q, rule %d, %q: <msg>". */
static void rule_err(const struct rule_ctx *c, const struct drule *r, const struct ynode *const *node,
		     const struct ynode *const *alt, const char *msg)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s: ", c->path);
	/* node is the address of a RuleNode field: present even when the key was not */
	if (node)
		buf_addf(&b, "%d:%d: ", *node ? (*node)->line : 0, *node ? (*node)->col : 0);
	if (alt)
		buf_addf(&b, "%d:%d: ", *alt ? (*alt)->line : 0, *alt ? (*alt)->col : 0);
	buf_adds(&b, "group ");
	go_quote(&b, c->group, strlen(c->group));
	buf_addf(&b, ", rule %zu, ", c->index);
	go_quote(&b, c->name, strlen(c->name));
	buf_addf(&b, ": %s", msg);
	rulefmt_errors_add(c->errs, buf_detach(&b, NULL));
	(void)r;
}

static void check_templates(const struct rule_ctx *c, const struct drule *r, const struct dmap *m,
			    const char *what)
{
	char *name = xasprintf("__alert_%s", drule_text(r, DR_ALERT));

	for (size_t i = 0; i < m->l.n; i++) {
		struct err e = ERR_INIT;
		const char *v = m->l.v[i].value;

		if (rulefmt_template_check(name, v, strlen(v), &e) < 0) {
			struct buf b = BUF_INIT;
			buf_addf(&b, "%s ", what);
			go_quote(&b, m->l.v[i].name, strlen(m->l.v[i].name));
			buf_addf(&b, ": %s", err_msg(&e));
			rule_err(c, r, NULL, NULL, buf_str(&b));
			buf_release(&b);
		}
		err_release(&e);
	}
	free(name);
}

/* model.ValidationScheme.IsValidLabelName / IsValidMetricName of the release */
static bool label_name_ok(const struct compat *c, const char *s)
{
	if (compat_on(c, COMPAT_UTF8_NAMES))
		return *s && go_utf8_valid(s, strlen(s));
	return labels_valid_name(s);
}

static bool metric_name_ok(const struct compat *c, const char *s)
{
	if (compat_on(c, COMPAT_UTF8_NAMES))
		return *s && go_utf8_valid(s, strlen(s));
	return labels_valid_metric_name(s);
}

/* RuleNode.Validate(); the parsed expression goes to *parsed. */
static void validate_rule(const struct rule_ctx *c, const struct drule *r, struct promql_expr **parsed)
{
	const char *record = drule_text(r, DR_RECORD), *alert = drule_text(r, DR_ALERT);
	const char *expr = drule_text(r, DR_EXPR);
	size_t expr_len = r->typed ? strlen(expr) : r->expr ? r->expr->len : 0;

	if (*record && *alert)
		rule_err(c, r, &r->record, &r->alert, "only one of 'record' and 'alert' must be set");
	if (!*record && !*alert)
		rule_err(c, r, &r->record, compat_on(c->compat, COMPAT_RULEFMT_NO_NAME_BOTH_POS) ? &r->alert : NULL,
			 "one of 'record' or 'alert' must be set");

	if (!*expr) {
		rule_err(c, r, &r->expr, NULL, "field 'expr' must be set in rule");
	} else {
		struct err e = ERR_INIT;
		struct promql_parse_opts po = { .compat = c->compat };
		if (promql_parse_with(parsed, expr, expr_len, c->parse ? c->parse : &po, &e) < 0) {
			char *msg = xasprintf("could not parse expression: %s", err_msg(&e));
			rule_err(c, r, &r->expr, NULL, msg);
			free(msg);
		}
		err_release(&e);
	}
	if (*record) {
		if (r->annotations.l.n > 0)
			rule_err(c, r, &r->record, NULL, "invalid field 'annotations' in recording rule");
		if (r->for_ms != 0)
			rule_err(c, r, &r->record, NULL, "invalid field 'for' in recording rule");
		if (r->keep_firing_for_ms != 0)
			rule_err(c, r, &r->record, NULL, "invalid field 'keep_firing_for' in recording rule");
		if (!metric_name_ok(c->compat, record)) {
			char *msg = xasprintf("invalid recording rule name: %s", record);
			rule_err(c, r, &r->record, NULL, msg);
			free(msg);
		}
		if (compat_on(c->compat, COMPAT_RULEFMT_RECORD_BRACES) && strpbrk(record, "{}")) {
			char *msg = xasprintf("braces present in the recording rule name; should it be in expr?: %s",
					      record);
			rule_err(c, r, &r->record, NULL, msg);
			free(msg);
		}
	}
	for (size_t i = 0; i < r->labels.l.n; i++) {
		const struct label *l = &r->labels.l.v[i];
		char *msg = NULL;

		if (!label_name_ok(c->compat, l->name) || strcmp(l->name, "__name__") == 0) {
			msg = xasprintf("invalid label name: %s", l->name);
			rule_err(c, r, NULL, NULL, msg);
			free(msg);
		}
		if (!go_utf8_valid(l->value, strlen(l->value))) {
			msg = xasprintf("invalid label value: %s", l->value);
			rule_err(c, r, NULL, NULL, msg);
			free(msg);
		}
	}
	for (size_t i = 0; i < r->annotations.l.n; i++) {
		const struct label *l = &r->annotations.l.v[i];
		if (!label_name_ok(c->compat, l->name)) {
			char *msg = xasprintf("invalid annotation name: %s", l->name);
			rule_err(c, r, NULL, NULL, msg);
			free(msg);
		}
	}
	/* testTemplateParsing: alerting rules only */
	if (*alert) {
		check_templates(c, r, &r->labels, "label");
		check_templates(c, r, &r->annotations, "annotation");
	}
}

void rulefmt_validate(struct rulefmt_errors *errs, const char *path, const struct dgroups *dg,
		      const struct dnodegroups *ng, const struct rdecode_opts *o, struct promql_expr **parsed)
{
	const struct compat *compat = o ? o->compat : NULL;
	const struct dgroup *groups = dg->groups.v;
	const struct ynode *const *nodes = ng->groups.v;
	size_t k = 0;

	for (size_t j = 0; j < dg->groups.n; j++) {
		const struct dgroup *g = &groups[j];
		const char *name = g->name ? g->name : "";
		const struct ynode *gn = j < ng->groups.n ? nodes[j] : NULL;
		bool typed = compat_on(compat, COMPAT_RULEFMT_TYPED_NODES);
		int line = gn && !typed ? gn->line : 0, col = gn && !typed ? gn->col : 0;
		bool seen = false;

		if (!*name)
			rulefmt_errors_add(errs, xasprintf("%s: %d:%d: Groupname must not be empty", path, line, col));
		for (size_t i = 0; i < j && !seen; i++)
			seen = strcmp(groups[i].name ? groups[i].name : "", name) == 0;
		if (seen)
			rulefmt_errors_add(errs, xasprintf("%s: %d:%d: groupname: \"%s\" is repeated in the same file",
							   path, line, col, name));
		for (size_t i = 0; i < g->labels.l.n; i++) {
			/* 3.0+: the group's own labels, unprefixed */
			const struct label *l = &g->labels.l.v[i];
			if (!label_name_ok(compat, l->name) || strcmp(l->name, "__name__") == 0)
				rulefmt_errors_add(errs, xasprintf("%s: invalid label name: %s", path, l->name));
			if (!go_utf8_valid(l->value, strlen(l->value)))
				rulefmt_errors_add(errs, xasprintf("%s: invalid label value: %s", path, l->value));
		}
		for (size_t i = 0; i < g->rules.n; i++) {
			const struct drule *r = &((const struct drule *)g->rules.v)[i];
			struct rule_ctx c = { compat, o ? o->parse : NULL, errs, path, name, i + 1,
					      *drule_text(r, DR_ALERT) ? drule_text(r, DR_ALERT) : drule_text(r, DR_RECORD) };
			validate_rule(&c, r, &parsed[k++]);
		}
	}
}
