/*
 * promtool write-documentation (hidden, 2.44 on): the markdown reference of
 * the command line that upstream commits as docs/command-line/promtool.md,
 * generated from our CLI table as the profile's release has it.
 *
 * Follows util/documentcli/documentcli.go (GenerateMarkdown over kingpin's
 * ApplicationModel) at the tags where it changes:
 *   2.44  a title header, "Flags"/"Arguments"/"Commands" tables, a section
 *         per visible command; hidden flags and commands are left out,
 *         columns where every row is empty are dropped
 *   2.46  `--word` spans of a command's help are put between backticks
 *   2.54  '|' in a flag's help is escaped as \|
 *   2.55  a repeatable (slice-valued) flag gets a "..." marker, written with
 *         an unclosed <code> until 3.13 closes it
 *   3.5   the header loses its "# promtool" heading
 * Our EXTENSION entries (.extension) are not upstream's and are left out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "1-common/xalloc.h"
#include "8-promtool/cli_internal.h"
#include "8-promtool/commands.h"

#define NCOLS 4

/* One table: header row, then rows of up to NCOLS cells (owned). */
struct doc_table {
	const char *head[NCOLS];
	int ncols;
	struct buf *cells; /* nrows * ncols */
	size_t nrows, alloc;
};

static struct buf *table_row(struct doc_table *t)
{
	struct buf *row;

	if (t->nrows == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 16;
		t->cells = xreallocarray(t->cells, t->alloc * NCOLS, sizeof(*t->cells));
	}
	row = &t->cells[t->nrows++ * NCOLS];
	for (int j = 0; j < NCOLS; j++)
		buf_init(&row[j]);
	return row;
}

static void table_release(struct doc_table *t)
{
	for (size_t i = 0; i < t->nrows * NCOLS; i++)
		buf_release(&t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->alloc = 0;
}

/* writeTable: nothing without rows; a column only when some row has it. */
static void table_write(struct buf *out, const struct doc_table *t, const char *heading)
{
	bool show[NCOLS] = { false };

	if (!t->nrows)
		return;
	for (int j = 0; j < t->ncols; j++)
		for (size_t i = 0; i < t->nrows && !show[j]; i++)
			show[j] = t->cells[i * NCOLS + j].len > 0;
	buf_addf(out, "\n\n%s\n\n|", heading);
	for (int j = 0; j < t->ncols; j++)
		if (show[j])
			buf_addf(out, " %s |", t->head[j]);
	buf_adds(out, "\n|");
	for (int j = 0; j < t->ncols; j++)
		if (show[j])
			buf_adds(out, " --- |");
	buf_adds(out, "\n");
	for (size_t i = 0; i < t->nrows; i++) {
		buf_adds(out, "|");
		for (int j = 0; j < t->ncols; j++)
			if (show[j])
				buf_addf(out, " %s |", buf_str(&t->cells[i * NCOLS + j]));
		buf_adds(out, "\n");
	}
	buf_adds(out, "\n\n");
}

static void heading(char *h, size_t n, int level, const char *what)
{
	int hashes = level + 2;

	snprintf(h, n, "%.*s %s", hashes, "########", what);
}

static void flag_table(struct buf *out, const struct compat *v, int level, const struct cli_flag *flags)
{
	struct doc_table t = { .head = { "Flag", "Description", "Default" }, .ncols = 3 };
	char h[32];

	for (const struct cli_flag *f = flags; f && f->name; f++) {
		struct buf *row;

		if (f->hidden || f->extension)
			continue;
		row = table_row(&t);
		if (f->short_name)
			buf_addf(&row[0], "<code class=\"text-nowrap\">-%c</code>, ", f->short_name);
		buf_addf(&row[0], "<code class=\"text-nowrap\">--%s</code>", f->name);
		/* kingpin's accumulator has a "slice" field; StringMap is a map */
		if (compat_at_least(v, 2, 55, 0) && f->repeatable && f->type != CLI_STRING_MAP)
			buf_adds(&row[0], compat_at_least(v, 3, 13, 0) ? " <code class=\"text-nowrap\">...</code>"
								: " <code class=\"text-nowrap\">...<code class=\"text-nowrap\">");
		for (const char *p = f->help; *p; p++) {
			if (*p == '|' && compat_at_least(v, 2, 54, 0))
				buf_addc(&row[1], '\\');
			buf_addc(&row[1], (unsigned char)*p);
		}
		if (f->def && *f->def)
			buf_addf(&row[2], "`%s`", f->def);
	}
	heading(h, sizeof(h), level, "Flags");
	table_write(out, &t, h);
	table_release(&t);
}

static void arg_table(struct buf *out, int level, const struct cli_arg *args)
{
	struct doc_table t = { .head = { "Argument", "Description", "Default", "Required" }, .ncols = 4 };
	char h[32];

	for (const struct cli_arg *a = args; a && a->name; a++) {
		struct buf *row = table_row(&t);

		buf_adds(&row[0], a->name);
		buf_adds(&row[1], a->help);
		if (a->def)
			buf_addf(&row[2], "`%s`", a->def);
		if (a->required)
			buf_adds(&row[3], "Yes");
	}
	heading(h, sizeof(h), level, "Arguments");
	table_write(out, &t, h);
	table_release(&t);
}

static bool is_word(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

/* formatHyphenatedWords (2.46): every match of `\B--\w+\b` in backticks. */
static void add_cmd_help(struct buf *out, const struct compat *v, const char *help)
{
	size_t n = strlen(help), i = 0;

	while (i < n) {
		size_t j = i + 2;

		if (compat_at_least(v, 2, 46, 0) && help[i] == '-' && i + 1 < n && help[i + 1] == '-' &&
		    (i == 0 || !is_word((unsigned char)help[i - 1])) && j < n && is_word((unsigned char)help[j])) {
			while (j < n && is_word((unsigned char)help[j]))
				j++;
			buf_addc(out, '`');
			buf_add(out, help + i, j - i);
			buf_addc(out, '`');
			i = j;
			continue;
		}
		buf_addc(out, (unsigned char)help[i++]);
	}
}

static bool cmd_shown(const struct cli_cmd *cmd)
{
	return !cmd->hidden && !cmd->extension;
}

/* The entries of a table terminated by one with name NULL. */
static size_t cmd_count(const struct cli_cmd *cmds)
{
	size_t n = 0;

	while (cmds && cmds[n].name)
		n++;
	return n;
}

/* writeSubcommands: full command names, headings capped at level 4. */
static void subcommands(struct buf *out, const struct compat *v, int level, const char *app,
			const char *prefix, const struct cli_cmd *cmds, size_t ncmds)
{
	if (++level > 4)
		level = 4;
	for (size_t i = 0; i < ncmds; i++) {
		const struct cli_cmd *cmd = &cmds[i];
		struct buf full = BUF_INIT;

		if (!cmd_shown(cmd))
			continue;
		if (*prefix)
			buf_addf(&full, "%s ", prefix);
		buf_adds(&full, cmd->name);
		buf_addf(out, "\n\n%.*s `%s %s`\n\n", level + 1, "########", app, buf_str(&full));
		add_cmd_help(out, v, cmd->help);
		buf_adds(out, "\n\n");
		flag_table(out, v, level, cmd->flags);
		arg_table(out, level, cmd->args);
		if (cmd_count(cmd->subs))
			subcommands(out, v, level + 1, app, buf_str(&full), cmd->subs, cmd_count(cmd->subs));
		buf_release(&full);
	}
}

int cmd_write_documentation(const struct cli_ctx *c)
{
	const struct cli_app *app = c->app;
	const struct compat *v = &c->compat;
	struct doc_table t = { .head = { "Command", "Description" }, .ncols = 2 };
	struct buf out = BUF_INIT;
	int rc = 0;

	if (compat_at_least(v, 3, 5, 0))
		buf_addf(&out, "---\ntitle: %s\n---\n\n%s\n", c->app_name, app->help);
	else
		buf_addf(&out, "---\ntitle: %s\n---\n\n# %s\n\n%s\n\n", c->app_name, c->app_name, app->help);
	flag_table(&out, v, 0, app->flags);
	/* kingpin's own help command comes first among the commands */
	for (int pass = 0; pass < 2; pass++) {
		const struct cli_cmd *cmds = pass ? app->cmds : &cli_help_cmd;
		size_t n = pass ? cmd_count(app->cmds) : 1;

		for (size_t i = 0; i < n; i++) {
			struct buf *row;

			if (!cmd_shown(&cmds[i]))
				continue;
			row = table_row(&t);
			buf_adds(&row[0], cmds[i].name);
			buf_adds(&row[1], cmds[i].help);
		}
	}
	table_write(&out, &t, "## Commands");
	table_release(&t);
	subcommands(&out, v, 1, c->app_name, "", &cli_help_cmd, 1);
	subcommands(&out, v, 1, c->app_name, "", app->cmds, cmd_count(app->cmds));

	if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout)) {
		fprintf(stderr, "%s: error: writing documentation: write error\n", c->app_name);
		rc = 1;
	}
	buf_release(&out);
	return rc;
}
