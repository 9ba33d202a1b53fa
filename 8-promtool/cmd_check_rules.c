/*
 * promtool check rules [--lint=...] [--lint-fatal] <rule-files>...
 *
 * Matches 2.42's CheckRules/checkRules/checkDuplicates (cmd/promtool/
 * main.go): "Checking <file>" and "  SUCCESS: N rules found" on stdout, a
 * blank line after each file; "  FAILED:" and one line per error on
 * stderr.  Exit 1 when any file had a real error, 3 when only lint
 * findings and --lint-fatal, else 0 (lint findings alone still print
 * FAILED but exit 0).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "2-model/labels.h"
#include "1-common/xalloc.h"
#include "8-promtool/cli.h"
#include "6-rules/rulefmt.h"

struct lint_cfg {
	bool all, duplicate_rules, fatal;
};

/* newLintConfig(): a comma-separated list; unknown items only warn. */
static void lint_parse(struct lint_cfg *l, const char *s)
{
	const char *p = s ? s : "";

	for (;;) {
		size_t n = strcspn(p, ",");
		if (n == 3 && !strncmp(p, "all", 3))
			l->all = true;
		else if (n == 15 && !strncmp(p, "duplicate-rules", 15))
			l->duplicate_rules = true;
		else if (!(n == 4 && !strncmp(p, "none", 4))) {
			printf("WARNING: unknown lint option %.*s\n", (int)n, p);
			fflush(stdout);
		}
		if (!p[n])
			break;
		p += n + 1;
	}
}

struct rule_key {
	const char *metric;
	const struct labels *labels;
};

static int key_cmp(const void *a, const void *b)
{
	const struct rule_key *x = a, *y = b;
	int r = strcmp(x->metric, y->metric);

	if (r)
		return r < 0 ? -1 : 1;
	return labels_cmp(x->labels->v, x->labels->n, y->labels->v, y->labels->n);
}

/*
 * checkDuplicates(): rules with the same name (alert, else record) and the
 * same labels; each duplicated key reported once, in sorted order.
 * Appends the lint message to msg and returns the number found.
 */
static size_t check_duplicates(const struct rulefmt_file *f, struct buf *msg)
{
	struct rule_key *keys = NULL, *dups = NULL;
	size_t n = 0, ndups = 0;

	for (size_t g = 0; g < f->ngroups; g++)
		n += f->groups[g].nrules;
	if (n < 2)
		return 0;
	keys = xcalloc(n, sizeof(*keys));
	dups = xcalloc(n, sizeof(*dups));
	n = 0;
	for (size_t g = 0; g < f->ngroups; g++)
		for (size_t i = 0; i < f->groups[g].nrules; i++) {
			const struct rulefmt_rule *r = &f->groups[g].rules[i];
			keys[n].metric = *r->alert ? r->alert : r->record;
			keys[n++].labels = &r->labels;
		}
	qsort(keys, n, sizeof(*keys), key_cmp);
	for (size_t i = 1; i < n; i++)
		if (key_cmp(&keys[i - 1], &keys[i]) == 0 &&
		    (ndups == 0 || key_cmp(&keys[i - 1], &dups[ndups - 1]) != 0))
			dups[ndups++] = keys[i];
	if (ndups) {
		buf_addf(msg, "lint error %zu duplicate rule(s) found.\n", ndups);
		for (size_t i = 0; i < ndups; i++) {
			buf_addf(msg, "Metric: %s\nLabel(s):\n", dups[i].metric);
			for (size_t k = 0; k < dups[i].labels->n; k++)
				buf_addf(msg, "\t%s: %s\n", dups[i].labels->v[k].name, dups[i].labels->v[k].value);
		}
		buf_adds(msg, "Might cause inconsistency while recording expressions");
	}
	free(keys);
	free(dups);
	return ndups;
}

int cmd_check_rules(const struct cli_ctx *c)
{
	struct lint_cfg lint = { false, false, cli_bool(c, "lint-fatal") };
	size_t nfiles = 0;
	const char *const *files = cli_list(c, "rule-files", &nfiles);
	bool failed = false, has_errors = false;

	lint_parse(&lint, cli_str(c, "lint"));
	for (size_t i = 0; i < nfiles; i++) {
		struct rulefmt_errors errs;
		struct rulefmt_file *f = NULL;
		struct buf msg = BUF_INIT;
		size_t nrules = 0;

		rulefmt_errors_init(&errs);
		printf("Checking %s\n", files[i]);
		fflush(stdout);
		if (rulefmt_load_file(&f, files[i], &errs) < 0) {
			fputs("  FAILED:\n", stderr);
			for (size_t k = 0; k < errs.n; k++)
				fprintf(stderr, "%s\n", errs.v[k]);
			failed = has_errors = true;
		} else if ((lint.all || lint.duplicate_rules) && check_duplicates(f, &msg) > 0) {
			fprintf(stderr, "  FAILED:\n%s\n", buf_str(&msg));
			failed = true;
		} else {
			for (size_t g = 0; g < f->ngroups; g++)
				nrules += f->groups[g].nrules;
			printf("  SUCCESS: %zu rules found\n", nrules);
		}
		printf("\n");
		fflush(stdout);
		fflush(stderr);
		buf_release(&msg);
		rulefmt_file_free(f);
		rulefmt_errors_release(&errs);
	}
	if (failed && has_errors)
		return 1;
	if (failed && lint.fatal)
		return 3;
	return 0;
}
