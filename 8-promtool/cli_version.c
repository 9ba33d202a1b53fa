/*
 * One release's view of the command table (--compat): the table in
 * commands.c lists every flag, argument and command any promtool from 2.42
 * to 3.14 has, each with the range of releases that have it; this file
 * copies out the entries of one release so the parser, help and completion
 * (cli.c, cli_help.c, cli_complete.c) see exactly that release's table and
 * need not know about versions.
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/err.h"
#include "1-common/xalloc.h"
#include "8-promtool/cli_table.h"

struct cli_view {
	struct cli_app app;
	struct compat compat;
	void **owned; /* every array copied */
	size_t nowned, owned_alloc;
	int v;        /* CLI_V of the release */
};

static void *own(struct cli_view *view, void *p)
{
	ALLOC_GROW(view->owned, view->nowned + 1, view->owned_alloc);
	view->owned[view->nowned++] = p;
	return p;
}

static bool in_range(int v, int since, int until)
{
	return (!since || v >= since) && (!until || v < until);
}

static const struct cli_flag *copy_flags(struct cli_view *view, const struct cli_flag *f)
{
	size_t n = 0, k = 0;
	struct cli_flag *out;

	if (!f)
		return NULL;
	while (f[n].name)
		n++;
	out = own(view, xcalloc(n + 1, sizeof(*out)));
	for (size_t i = 0; i < n; i++) {
		if (!in_range(view->v, f[i].since, f[i].until))
			continue;
		out[k] = f[i];
		if (f[i].shown_since)
			out[k].hidden = view->v < f[i].shown_since;
		k++;
	}
	return out;
}

static const struct cli_arg *copy_args(struct cli_view *view, const struct cli_arg *a)
{
	size_t n = 0, k = 0;
	struct cli_arg *out;

	if (!a)
		return NULL;
	while (a[n].name)
		n++;
	out = own(view, xcalloc(n + 1, sizeof(*out)));
	for (size_t i = 0; i < n; i++)
		if (in_range(view->v, a[i].since, a[i].until))
			out[k++] = a[i];
	return out;
}

static const struct cli_cmd *copy_cmds(struct cli_view *view, const struct cli_cmd *c)
{
	size_t n = 0, k = 0;
	struct cli_cmd *out;

	if (!c)
		return NULL;
	while (c[n].name)
		n++;
	out = own(view, xcalloc(n + 1, sizeof(*out)));
	for (size_t i = 0; i < n; i++) {
		if (!in_range(view->v, c[i].since, c[i].until))
			continue;
		out[k] = c[i];
		out[k].flags = copy_flags(view, c[i].flags);
		out[k].args = copy_args(view, c[i].args);
		out[k].subs = copy_cmds(view, c[i].subs);
		k++;
	}
	return out;
}

struct cli_view *cli_view_new(const struct cli_app *app, const struct compat *compat)
{
	struct cli_view *view = xcalloc(1, sizeof(*view));
	struct compat def;

	if (!compat) {
		compat_init(&def);
		compat = &def;
	}
	view->v = CLI_V(compat->major, compat->minor, compat->patch);
	view->compat = *compat;
	view->app = *app;
	view->app.compat = &view->compat;
	view->app.flags = copy_flags(view, app->flags);
	view->app.cmds = copy_cmds(view, app->cmds);
	return view;
}

const struct cli_app *cli_view_app(const struct cli_view *v)
{
	return &v->app;
}

void cli_view_free(struct cli_view *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->nowned; i++)
		free(v->owned[i]);
	free(v->owned);
	free(v);
}

void cli_prescan_compat(struct compat *out, int argc, char **argv)
{
	const char *v = getenv("PROMTOOL_COMPAT");
	struct err e = ERR_INIT;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strncmp(argv[i], "--compat=", 9))
			v = argv[i] + 9;
		else if (!strcmp(argv[i], "--compat") && i + 1 < argc)
			v = argv[++i];
	}
	compat_init(out);
	if (v && *v && compat_parse(out, v, &e) < 0)
		compat_init(out);
	err_release(&e);
}
