/*
 * promtool check rules [--lint=...] [--lint-fatal] <rule-files>...
 *
 * Matches 2.42's CheckRules/checkRules/checkDuplicates (cmd/promtool/
 * main.go): "Checking <file>" and "  SUCCESS: N rules found" on stdout, a
 * blank line after each file; "  FAILED:" and one line per error on
 * stderr.  Exit 1 when any file had a real error, 3 when only lint
 * findings and --lint-fatal, else 0 (lint findings alone still print
 * FAILED but exit 0).
 *
 * Other releases (--compat; cmd/promtool/main.go at each tag): 2.46 reads
 * standard input when no file is named ("Checking standard input", errors
 * without a file prefix, as rulefmt.Parse returns them); 3.0 counts a
 * group's labels in the duplicate check (rulefmt merges them into each
 * rule); 3.2 adds --ignore-unknown-fields and quotes an unknown --lint item.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "2-model/labels.h"
#include "1-common/xalloc.h"
#include "8-promtool/cli.h"
#include "8-promtool/commands.h"
#include "6-rules/rulefmt.h"

struct lint_cfg {
	bool all, duplicate_rules, fatal;
};

/* newLintConfig(): a comma-separated list; unknown items only warn. */
static void lint_parse(struct lint_cfg *l, const char *s, const struct compat *compat)
{
	const char *p = s ? s : "";

	for (;;) {
		size_t n = strcspn(p, ",");
		if (n == 3 && !strncmp(p, "all", 3))
			l->all = true;
		else if (n == 15 && !strncmp(p, "duplicate-rules", 15))
			l->duplicate_rules = true;
		else if (!(n == 4 && !strncmp(p, "none", 4))) {
			if (compat_on(compat, COMPAT_CHECK_RULES_IGNORE_UNKNOWN)) {
				struct buf q = BUF_INIT;
				go_quote(&q, p, n);
				printf("WARNING: unknown lint option: %s\n", buf_str(&q));
				buf_release(&q);
			} else {
				printf("WARNING: unknown lint option %.*s\n", (int)n, p);
			}
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

/*
 * Standard input as rulefmt.Parse reads it (2.46+): loaded under a name,
 * which then comes off the front of every message again.
 */
static int load_stdin(struct rulefmt_file **out, const struct rulefmt_opts *o, struct rulefmt_errors *errs)
{
	static const char name[] = "-";
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	int ret;

	*out = NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_add(&b, chunk, n);
	ret = rulefmt_load_mem_with(out, name, b.data ? (const char *)b.data : "", b.len, o, errs);
	for (size_t k = 0; k < errs->n; k++) {
		char *m = errs->v[k];
		if (!strncmp(m, name, sizeof(name) - 1) && !strncmp(m + sizeof(name) - 1, ": ", 2))
			memmove(m, m + sizeof(name) + 1, strlen(m + sizeof(name) + 1) + 1);
	}
	buf_release(&b);
	return ret;
}

int cmd_check_rules(const struct cli_ctx *c)
{
	const struct compat *compat = cli_compat(c);
	struct lint_cfg lint = { false, false, cli_bool(c, "lint-fatal") };
	struct promql_parse_opts po;
	struct rulefmt_opts ro = { compat, false, &po };
	size_t nfiles = 0;
	const char *const *files = cli_list(c, "rule-files", &nfiles);
	bool failed = false, has_errors = false;
	bool from_stdin = nfiles == 0 && compat_on(compat, COMPAT_CHECK_RULES_STDIN);

	promtool_parser_opts(c, &po);
	if (compat_on(compat, COMPAT_CHECK_RULES_IGNORE_UNKNOWN))
		ro.ignore_unknown_fields = cli_bool(c, "ignore-unknown-fields");
	lint_parse(&lint, cli_str(c, "lint"), compat);
	for (size_t i = 0; i < nfiles || from_stdin; i++) {
		struct rulefmt_errors errs;
		struct rulefmt_file *f = NULL;
		struct buf msg = BUF_INIT;
		size_t nrules = 0;
		int r;

		rulefmt_errors_init(&errs);
		printf("Checking %s\n", from_stdin ? "standard input" : files[i]);
		fflush(stdout);
		r = from_stdin ? load_stdin(&f, &ro, &errs) : rulefmt_load_file_with(&f, files[i], &ro, &errs);
		from_stdin = false;
		if (r < 0) {
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
