/*
 * Loading a rule file the way 2.42's rulefmt.ParseFile does:
 *
 *   1. yaml.v3 Decoder with KnownFields(true) into RuleGroups (strict);
 *   2. yaml.Unmarshal into ruleGroups{Groups []yaml.Node} for positions;
 *   3. if neither failed, RuleGroups.Validate() (validate.c).
 *
 * Errors of steps 1 and 2 are both reported (a syntax error therefore
 * appears twice, as in promtool 2.42), each prefixed with the file name.
 */
#include "6-rules/rulefmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/buf.h"
#include "1-common/goerrno.h"
#include "1-common/xalloc.h"
#include "4-promql/promql.h"
#include "6-rules/decode.h"
#include "6-rules/validate.h"
#include "6-rules/ytree.h"

void rulefmt_errors_init(struct rulefmt_errors *errs)
{
	memset(errs, 0, sizeof(*errs));
}

void rulefmt_errors_release(struct rulefmt_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		free(errs->v[i]);
	free(errs->v);
	rulefmt_errors_init(errs);
}

void rulefmt_errors_add(struct rulefmt_errors *errs, char *msg)
{
	ALLOC_GROW(errs->v, errs->n + 1, errs->cap);
	errs->v[errs->n++] = msg;
}

static void add_prefixed(struct rulefmt_errors *errs, const char *path, const char *msg)
{
	rulefmt_errors_add(errs, xasprintf("%s: %s", path, msg));
}

static void rule_release(struct rulefmt_rule *r)
{
	free(r->record);
	free(r->alert);
	free(r->expr);
	promql_expr_free(r->parsed);
	labels_release(&r->labels);
	labels_release(&r->annotations);
}

void rulefmt_file_free(struct rulefmt_file *f)
{
	if (!f)
		return;
	for (size_t g = 0; g < f->ngroups; g++) {
		for (size_t i = 0; i < f->groups[g].nrules; i++)
			rule_release(&f->groups[g].rules[i]);
		free(f->groups[g].rules);
		free(f->groups[g].name);
		labels_release(&f->groups[g].labels);
	}
	free(f->groups);
	free(f->path);
	free(f);
}

/* The value of key in a block/flow mapping, or NULL. */
static const struct ynode *map_get(const struct ynode *m, const char *key)
{
	while (m && m->kind == YN_ALIAS)
		m = m->alias;
	if (!m || m->kind != YN_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < m->nkids; i += 2)
		if (m->kids[i]->kind == YN_SCALAR && strcmp(m->kids[i]->value, key) == 0)
			return m->kids[i + 1];
	return NULL;
}

/*
 * Extension: `kind: PrometheusRule` at the top selects spec.groups.
 * *groups gets that node (NULL when the manifest has no groups).
 */
static bool prometheus_rule(const struct ynode *doc, const struct ynode **groups)
{
	const struct ynode *top, *kind;

	if (!doc || doc->nkids != 1)
		return false;
	top = doc->kids[0];
	kind = map_get(top, "kind");
	if (!kind || kind->kind != YN_SCALAR || strcmp(kind->value, "PrometheusRule") != 0)
		return false;
	*groups = map_get(map_get(top, "spec"), "groups");
	return true;
}

static struct rulefmt_pos node_pos(const struct ynode *n)
{
	struct rulefmt_pos p = { 0, 0 };
	if (n)
		p.line = n->line, p.col = n->col;
	return p;
}

/* Moves validated groups into the public model. */
static struct rulefmt_file *build(const char *path, bool prom_rule, struct dgroups *dg,
				  const struct dnodegroups *ng, struct promql_expr **parsed)
{
	struct rulefmt_file *f = xcalloc(1, sizeof(*f));
	const struct dgroup *groups = dg->groups.v;
	size_t k = 0;

	f->path = xstrdup(path);
	f->prometheus_rule = prom_rule;
	f->ngroups = dg->groups.n;
	f->groups = xcalloc(f->ngroups ? f->ngroups : 1, sizeof(*f->groups));
	for (size_t g = 0; g < f->ngroups; g++) {
		struct rulefmt_group *out = &f->groups[g];
		const struct drule *rules = groups[g].rules.v;
		const struct ynode *gn = g < ng->groups.n ? ((const struct ynode **)ng->groups.v)[g] : NULL;

		out->name = xstrdup(groups[g].name ? groups[g].name : "");
		out->interval_ms = groups[g].interval_ms;
		out->query_offset_ms = groups[g].query_offset.ms;
		out->has_query_offset = groups[g].query_offset.set;
		out->limit = groups[g].limit;
		labels_init(&out->labels);
		labels_dup(&out->labels, groups[g].labels.l.v, groups[g].labels.l.n);
		labels_sort(&out->labels);
		out->pos = node_pos(gn);
		out->nrules = groups[g].rules.n;
		out->rules = xcalloc(out->nrules ? out->nrules : 1, sizeof(*out->rules));
		for (size_t i = 0; i < out->nrules; i++) {
			struct rulefmt_rule *r = &out->rules[i];
			const struct drule *d = &rules[i];

			r->record = xstrdup(drule_text(d, DR_RECORD));
			r->alert = xstrdup(drule_text(d, DR_ALERT));
			r->expr = xstrdup(drule_text(d, DR_EXPR));
			r->parsed = parsed[k];
			parsed[k++] = NULL;
			r->for_ms = d->for_ms;
			r->keep_firing_for_ms = d->keep_firing_for_ms;
			labels_init(&r->labels);
			labels_dup(&r->labels, d->labels.l.v, d->labels.l.n);
			for (size_t k = 0; k < out->labels.n; k++)
				if (!labels_get(r->labels.v, r->labels.n, out->labels.v[k].name))
					labels_set_copy(&r->labels, out->labels.v[k].name, out->labels.v[k].value);
			labels_sort(&r->labels);
			labels_init(&r->annotations);
			labels_dup(&r->annotations, d->annotations.l.v, d->annotations.l.n);
			labels_sort(&r->annotations);
			r->record_pos = node_pos(d->record);
			r->alert_pos = node_pos(d->alert);
			r->expr_pos = node_pos(d->expr);
		}
	}
	return f;
}

int rulefmt_load_mem(struct rulefmt_file **out, const char *path, const char *data, size_t len,
		     struct rulefmt_errors *errs)
{
	return rulefmt_load_mem_with(out, path, data, len, NULL, errs);
}

int rulefmt_load_mem_with(struct rulefmt_file **out, const char *path, const char *data, size_t len,
			  const struct rulefmt_opts *o, struct rulefmt_errors *errs)
{
	struct rdecode_opts dopts = { o ? o->compat : NULL, o && o->ignore_unknown_fields, o ? o->parse : NULL };
	struct ytree tree;
	struct dgroups dg;
	struct dnodegroups ng;
	struct err e1 = ERR_INIT, e2 = ERR_INIT;
	struct promql_expr **parsed = NULL;
	const struct ynode *root, *groups = NULL;
	size_t nerrs = errs->n, nparsed = 0;
	bool prom_rule;
	int ret = -1;

	*out = NULL;
	memset(&dg, 0, sizeof(dg));
	memset(&ng, 0, sizeof(ng));
	ytree_init(&tree);
	if (ytree_parse(&tree, data, len, &e1) < 0) {
		/* Decode and Unmarshal each parse the text and fail alike */
		add_prefixed(errs, path, err_msg(&e1));
		add_prefixed(errs, path, err_msg(&e1));
		goto done;
	}
	if (!tree.root) {
		/* empty input: io.EOF, which ParseFile ignores */
		*out = xcalloc(1, sizeof(**out));
		(*out)->path = xstrdup(path);
		ret = 0;
		goto done;
	}
	prom_rule = prometheus_rule(tree.root, &groups);
	root = prom_rule ? groups : tree.root;
	if (root) {
		if (rdecode_groups(&dg, root, prom_rule, &dopts, &e1) < 0)
			add_prefixed(errs, path, err_msg(&e1));
		if (rdecode_nodegroups(&ng, root, prom_rule, &dopts, &e2) < 0)
			add_prefixed(errs, path, err_msg(&e2));
	}
	if (errs->n > nerrs)
		goto done;

	for (size_t g = 0; g < dg.groups.n; g++)
		nparsed += ((struct dgroup *)dg.groups.v)[g].rules.n;
	parsed = xcalloc(nparsed ? nparsed : 1, sizeof(*parsed));
	rulefmt_validate(errs, path, &dg, &ng, &dopts, parsed);
	if (errs->n > nerrs)
		goto done;
	*out = build(path, prom_rule, &dg, &ng, parsed);
	ret = 0;
done:
	for (size_t i = 0; parsed && i < nparsed; i++)
		promql_expr_free(parsed[i]);
	free(parsed);
	rdecode_groups_release(&dg);
	rdecode_nodegroups_release(&ng);
	ytree_release(&tree);
	err_release(&e1);
	err_release(&e2);
	return ret;
}

int rulefmt_load_file(struct rulefmt_file **out, const char *path, struct rulefmt_errors *errs)
{
	return rulefmt_load_file_with(out, path, NULL, errs);
}

int rulefmt_load_file_with(struct rulefmt_file **out, const char *path, const struct rulefmt_opts *o,
			   struct rulefmt_errors *errs)
{
	FILE *fp;
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	int ret;

	*out = NULL;
	fp = fopen(path, "rb");
	if (!fp) {
		/* os.ReadFile's *PathError: "<path>: open <path>: <errno text>" */
		rulefmt_errors_add(errs, xasprintf("%s: open %s: %s", path, path, go_strerror(errno)));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(fp)) {
		rulefmt_errors_add(errs, xasprintf("%s: read %s: %s", path, path, go_strerror(errno)));
		fclose(fp);
		buf_release(&b);
		return -1;
	}
	fclose(fp);
	ret = rulefmt_load_mem_with(out, path, (const char *)b.data, b.len, o, errs);
	buf_release(&b);
	return ret;
}
