/*
 * Command-line parsing and dispatch, reproducing kingpin v2.2.6 as promtool
 * 2.42 uses it (app.Parse + kingpin.MustParse), step by step:
 *
 *   1. tokenize and parse: command words select commands, whose flags and
 *      arguments join the scope; flags may appear anywhere after the command
 *      that declares them; "--" ends flags; "@file" expands to the file's
 *      lines; the first problem stops the parse;
 *   2. set values in command-line order (type checks, "cannot be repeated",
 *      "must select a subcommand");
 *   3. run pre-actions of what was matched so far, even when step 1 or 2
 *      failed: --version, --help-long, --help-man, the help command;
 *   4. report the parse error, else show --help, else the value error, else
 *      check required flags and arguments, else dispatch.
 *
 * Errors print "promtool: error: <msg>, try --help" on stderr with exit 1.
 * The tokenizer (with "@file") is in cli_lex.c, shell completion in
 * cli_complete.c.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "1-common/err.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
#include "8-promtool/cli_internal.h"

/* ---- parse (kingpin's parse()) ---- */

static int fail(struct cli_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct cli_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err.len)
		return -1;
	va_start(ap, fmt);
	{
		char *s = NULL;
		if (vasprintf(&s, fmt, ap) < 0)
			abort();
		buf_adds(&c->err, s);
		free(s);
	}
	va_end(ap);
	return -1;
}

static bool has_subs(const struct cli_cmd *cmd)
{
	return cmd->subs && cmd->subs[0].name;
}

static void add_flags(struct cli_ctx *c, const struct cli_flag *f)
{
	/* The table is static: outgrowing the arrays is a bug, not input. */
	for (; f && f->name; f++) {
		assert(c->nflags < sizeof(c->flags) / sizeof(c->flags[0]));
		c->flags[c->nflags++] = f;
	}
}

static void add_elem(struct cli_ctx *c, struct element e)
{
	ALLOC_GROW(c->elems, c->nelems + 1, c->elems_alloc);
	c->elems[c->nelems++] = e;
}

static void match_cmd(struct cli_ctx *c, const struct cli_cmd *cmd)
{
	const struct cli_arg *a;

	add_elem(c, (struct element){ .kind = ELEM_CMD, .cmd = cmd });
	add_flags(c, cmd->flags);
	for (a = cmd->args; a && a->name; a++) {
		assert(c->nargdefs < sizeof(c->argdefs) / sizeof(c->argdefs[0]));
		c->argdefs[c->nargdefs++] = a;
	}
	assert(c->depth < (int)(sizeof(c->path) / sizeof(c->path[0])));
	c->path[c->depth++] = cmd;
	c->group = has_subs(cmd) ? cmd->subs : NULL;
}

static const struct cli_flag *canonical(const struct cli_ctx *c, const struct cli_flag *f)
{
	const struct cli_flag *to;

	if (!f->alias_of)
		return f;
	to = cli_find_long(c, f->alias_of);
	return to ? to : f;
}

/* flagGroup.parse: one flag and, unless boolean, its value. */
static int parse_flag(struct cli_ctx *c)
{
	struct token t = cli_peek(c), v;
	const struct cli_flag *f;
	bool invert = false;

	if (t.type == TOK_LONG) {
		f = cli_find_long(c, t.value);
		if (!f && !strncmp(t.value, "no-", 3)) {
			invert = true;
			f = cli_find_long(c, t.value + 3);
		}
		if (!f)
			return fail(c, "unknown long flag '%s'", cli_tok_str(c, t));
	} else {
		f = cli_find_short(c, t.value, strlen(t.value));
		if (!f)
			return fail(c, "unknown short flag '%s'", cli_tok_str(c, t));
	}
	cli_next(c);
	if (f->type == CLI_BOOL) {
		add_elem(c, (struct element){ .kind = ELEM_FLAG, .flag = canonical(c, f),
					      .value = invert ? "false" : "true" });
		return 0;
	}
	if (invert)
		return fail(c, "unknown long flag '%s'", cli_tok_str(c, t));
	v = cli_peek(c);
	if (v.type != TOK_ARG)
		return fail(c, "expected argument for flag '%s'", cli_tok_str(c, t));
	cli_next(c);
	add_elem(c, (struct element){ .kind = ELEM_FLAG, .flag = canonical(c, f), .value = v.value });
	return 0;
}

static const struct cli_cmd *find_cmd(const struct cli_ctx *c, const char *name)
{
	const struct cli_cmd *cmd;

	if (c->group == c->app->cmds && !strcmp(name, cli_help_cmd.name))
		return &cli_help_cmd;
	for (cmd = c->group; cmd->name; cmd++)
		if (!strcmp(cmd->name, name))
			return cmd;
	return NULL;
}

/* Whether an omit_with argument's flag was given. */
static bool omitted(const struct cli_ctx *c, const struct cli_arg *a)
{
	if (!a->omit_with)
		return false;
	for (size_t i = 0; i < c->nelems; i++)
		if (c->elems[i].kind == ELEM_FLAG && !strcmp(c->elems[i].flag->name, a->omit_with))
			return true;
	return false;
}

/* How many arguments flags seen so far leave out. */
static size_t omitted_args(const struct cli_ctx *c)
{
	size_t n = 0;

	for (size_t k = 0; k < c->nargdefs; k++)
		n += omitted(c, c->argdefs[k]);
	return n;
}

static int parse(struct cli_ctx *c)
{
	struct token t;

	add_flags(c, c->app->flags);
	c->group = c->app->cmds;
	for (;;) {
		t = cli_peek(c);
		if (t.type == TOK_EOL || t.type == TOK_ERROR)
			break;
		if (t.type == TOK_LONG || t.type == TOK_SHORT) {
			if (parse_flag(c) < 0)
				return -1;
			continue;
		}
		if (c->group) {
			const struct cli_cmd *cmd = find_cmd(c, t.value);
			if (!cmd) {
				struct buf q = BUF_INIT;
				go_quote(&q, t.value, strlen(t.value));
				fail(c, "expected command but got %s", buf_str(&q));
				buf_release(&q);
				return -1;
			}
			match_cmd(c, cmd);
			cli_next(c);
		} else if (c->nargdefs) {
			const struct cli_arg *a;
			if (c->argumenti + omitted_args(c) >= c->nargdefs)
				break;
			a = c->argdefs[c->argumenti];
			if (!a->cumulative)
				c->argumenti++;
			add_elem(c, (struct element){ .kind = ELEM_ARG, .arg = a, .value = t.value });
			cli_next(c);
		} else {
			break;
		}
	}
	t = cli_peek(c);
	if (t.type == TOK_ERROR)
		return fail(c, "%s", t.value);
	if (t.type != TOK_EOL)
		return fail(c, "unexpected %s", cli_tok_str(c, t));
	return 0;
}

/* ---- values (kingpin's setValues) ---- */

static struct slot *slot_for(const struct cli_ctx *c, const struct cli_flag *f, const struct cli_arg *a)
{
	size_t i;

	for (i = 0; i < c->nslots; i++)
		if ((f && c->slots[i].flag == f) || (a && c->slots[i].arg == a))
			return &c->slots[i];
	return NULL;
}

static void make_slots(struct cli_ctx *c)
{
	size_t i;

	c->slots = xcalloc(c->nflags + c->nargdefs + 1, sizeof(*c->slots));
	for (i = 0; i < c->nflags; i++)
		if (!c->flags[i]->alias_of)
			c->slots[c->nslots++].flag = c->flags[i];
	for (i = 0; i < c->nargdefs; i++)
		c->slots[c->nslots++].arg = c->argdefs[i];
}

static void slot_add(struct slot *s, const char *v)
{
	ALLOC_GROW(s->vals, s->n + 1, s->alloc);
	s->vals[s->n++] = v;
}

/* The text stored for a checked value: ints in canonical decimal. */
static const char *stored(struct cli_ctx *c, enum cli_type type, const char *v)
{
	if (type == CLI_INT || type == CLI_INT64)
		return cli_own(c, xasprintf("%lld", (long long)cli_value_int(type, v)));
	return v;
}

/*
 * An argument with omit_with is left out when its flag was given: each
 * positional value moves on to the next argument, and one value too many
 * is "unexpected", as when the flag comes first and parse() stops early.
 */
static int omit_args(struct cli_ctx *c)
{
	size_t i, j, k;

	for (k = 0; k < c->nargdefs; k++) {
		const struct cli_arg *a = c->argdefs[k];
		if (!omitted(c, a))
			continue;
		for (i = 0; i < c->nelems; i++) {
			struct element *e = &c->elems[i];
			if (e->kind != ELEM_ARG || e->arg->cumulative)
				continue;
			for (j = k; j < c->nargdefs && c->argdefs[j] != e->arg; j++)
				;
			if (j == c->nargdefs)
				continue; /* an argument before the omitted one */
			if (j + 1 >= c->nargdefs)
				return fail(c, "unexpected %s", e->value);
			e->arg = c->argdefs[j + 1];
		}
	}
	return 0;
}

static int set_values(struct cli_ctx *c)
{
	const struct cli_cmd *last = NULL;
	size_t i;

	if (omit_args(c) < 0)
		return -1;
	for (i = 0; i < c->nelems; i++) {
		struct element *e = &c->elems[i];
		struct slot *s;
		enum cli_type type;
		const char *const *enums = NULL;

		if (e->kind == ELEM_CMD) {
			last = e->cmd;
			continue;
		}
		s = slot_for(c, e->flag, e->arg);
		if (!s)
			continue;
		s->matched = true;
		if (e->kind == ELEM_FLAG) {
			if (s->set && !e->flag->repeatable)
				return fail(c, "flag '%s' cannot be repeated", e->flag->name);
			type = e->flag->type;
			enums = e->flag->enums;
		} else {
			type = e->arg->type;
		}
		if (cli_value_check(type, enums, e->value, &c->err) < 0)
			return -1;
		slot_add(s, stored(c, type, e->value));
		s->set = true;
	}
	if (last && has_subs(last)) {
		struct buf full = BUF_INIT;
		int d;
		for (d = 0; d < c->depth; d++)
			buf_addf(&full, "%s%s", d ? " " : "", c->path[d]->name);
		fail(c, "must select a subcommand of '%s'", buf_str(&full));
		buf_release(&full);
		return -1;
	}
	return 0;
}

/* Fills unset slots with their defaults (kingpin's setDefaults). */
static void set_defaults(struct cli_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nslots; i++) {
		struct slot *s = &c->slots[i];
		const char *def = s->flag ? s->flag->def : s->arg->def;
		enum cli_type type = s->flag ? s->flag->type : s->arg->type;
		if (!s->set && def)
			slot_add(s, stored(c, type, def));
	}
}

static int validate_required(struct cli_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nslots; i++) {
		const struct slot *s = &c->slots[i];
		if (s->flag && s->flag->required && !s->matched && !s->flag->def)
			return fail(c, "required flag --%s not provided", s->flag->name);
	}
	for (i = 0; i < c->nslots; i++) {
		const struct slot *s = &c->slots[i];
		if (s->arg && s->arg->required && !s->matched && !s->arg->def && !omitted(c, s->arg))
			return fail(c, "required argument '%s' not provided", s->arg->name);
	}
	return 0;
}

/* ---- context lifecycle ---- */

const char *cli_own(struct cli_ctx *c, char *s)
{
	ALLOC_GROW(c->owned, c->nowned + 1, c->owned_alloc);
	c->owned[c->nowned++] = s;
	return s;
}

static void ctx_init(struct cli_ctx *c, const char *app_name, const struct cli_app *app, char **argv, size_t n)
{
	memset(c, 0, sizeof(*c));
	c->app_name = app_name;
	c->app = app;
	c->args = xreallocarray(NULL, n + 1, sizeof(*c->args));
	c->args_alloc = n + 1;
	if (n)
		memcpy(c->args, argv, n * sizeof(*argv));
	c->nargs = n;
	c->raw = argv;
	c->nraw = n;
	buf_init(&c->err);
	compat_init(&c->compat);
}

static void ctx_release(struct cli_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	for (i = 0; i < c->nslots; i++)
		free(c->slots[i].vals);
	free(c->owned);
	free(c->slots);
	free(c->elems);
	free(c->args);
	buf_release(&c->err);
}

/* ---- accessors (8-promtool/cli.h) ---- */

static const struct slot *lookup(const struct cli_ctx *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nslots; i++) {
		const struct slot *s = &c->slots[i];
		if (!strcmp(s->flag ? s->flag->name : s->arg->name, name))
			return s;
	}
	for (i = 0; i < c->nflags; i++)
		if (c->flags[i]->alias_of && !strcmp(c->flags[i]->name, name))
			return lookup(c, c->flags[i]->alias_of);
	return NULL;
}

const char *cli_str(const struct cli_ctx *c, const char *name)
{
	const struct slot *s = lookup(c, name);

	return s && s->n ? s->vals[0] : NULL;
}

bool cli_isset(const struct cli_ctx *c, const char *name)
{
	const struct slot *s = lookup(c, name);

	return s && s->set;
}

bool cli_bool(const struct cli_ctx *c, const char *name)
{
	const struct slot *s = lookup(c, name);

	return s && s->n && !strcmp(s->vals[s->n - 1], "true");
}

const char *const *cli_list(const struct cli_ctx *c, const char *name, size_t *n)
{
	const struct slot *s = lookup(c, name);

	*n = s ? s->n : 0;
	return s ? s->vals : NULL;
}

int64_t cli_int(const struct cli_ctx *c, const char *name)
{
	const struct slot *s = lookup(c, name);
	enum cli_type type;

	if (!s || !s->n)
		return 0;
	type = s->flag ? s->flag->type : s->arg->type;
	if (type == CLI_DURATION)
		return cli_value_int(type, s->vals[s->n - 1]);
	return cli_value_int(CLI_INT64, s->vals[s->n - 1]);
}

bool cli_feature_enabled(const struct cli_ctx *c, const char *feature)
{
	size_t n, i, flen = strlen(feature);
	const char *const *v = cli_list(c, "enable-feature", &n);

	for (i = 0; i < n; i++) {
		const char *p = v[i];
		for (;;) {
			size_t len = strcspn(p, ",");
			if (len == flen && !strncmp(p, feature, len))
				return true;
			if (!p[len])
				break;
			p += len + 1;
		}
	}
	return false;
}

const struct compat *cli_compat(const struct cli_ctx *c)
{
	return &c->compat;
}

const char *cli_app_name(const struct cli_ctx *c)
{
	return c->app_name;
}

int cli_usage_error(const struct cli_ctx *c, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: error: ", c->app_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ", try --help\n");
	return 1;
}

/* ---- running ---- */

static void help_ctx(const struct cli_ctx *c, struct cli_help_ctx *h)
{
	memset(h, 0, sizeof(*h));
	h->app_name = c->app_name;
	h->app = c->app;
	memcpy(h->path, c->path, sizeof(h->path));
	h->depth = c->depth;
	h->width = cli_guess_width(STDOUT_FILENO);
}

enum help_kind { HELP_USAGE, HELP_LONG, HELP_MAN };

static int print_help(const struct cli_ctx *c, enum help_kind kind)
{
	struct cli_help_ctx h;
	struct buf out = BUF_INIT;

	help_ctx(c, &h);
	if (kind == HELP_LONG)
		cli_help_long(&out, &h);
	else if (kind == HELP_MAN)
		cli_help_man(&out, &h);
	else
		cli_help_usage(&out, &h);
	fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
	return 0;
}

/*
 * The help command: parses its words as a command line of their own and
 * shows that context's usage.  Errors end the program without kingpin's
 * ", try --help" (Application.Usage uses FatalIfError).
 */
static int help_command(const struct cli_ctx *outer)
{
	struct cli_ctx c;
	const struct slot *s = lookup(outer, "command");
	int rc = 0;

	ctx_init(&c, outer->app_name, outer->app, (char **)(s ? s->vals : NULL), s ? s->n : 0);
	if (parse(&c) < 0) {
		fprintf(stderr, "%s: error: %s\n", c.app_name, buf_str(&c.err));
		rc = 1;
	} else {
		print_help(&c, HELP_USAGE);
	}
	ctx_release(&c);
	return rc;
}

/* Returns the exit code when a pre-action ends the program, else -1. */
static int pre_actions(struct cli_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nelems; i++) {
		const struct element *e = &c->elems[i];
		if (e->kind == ELEM_CMD && e->cmd == &cli_help_cmd)
			return help_command(c);
		if (e->kind != ELEM_FLAG)
			continue;
		switch (e->flag->action) {
		case CLI_ACT_VERSION:
			printf("%s\n", c->app->version);
			return 0;
		case CLI_ACT_HELP_LONG:
			return print_help(c, HELP_LONG);
		case CLI_ACT_HELP_MAN:
			return print_help(c, HELP_MAN);
		case CLI_ACT_COMPLETION_SCRIPT_BASH:
		case CLI_ACT_COMPLETION_SCRIPT_ZSH:
			return cli_completion_script(c, e->flag->action == CLI_ACT_COMPLETION_SCRIPT_ZSH);
		default:
			break;
		}
	}
	return -1;
}

/*
 * The version profile: --compat wins over PROMTOOL_COMPAT; neither (or an
 * empty value) is 2.42.0.  A bad value is a usage error.
 */
static int resolve_compat(struct cli_ctx *c)
{
	const char *v = cli_isset(c, "compat") ? cli_str(c, "compat") : getenv("PROMTOOL_COMPAT");
	struct err e = ERR_INIT;

	if (!v || !*v)
		return 0;
	if (compat_parse(&c->compat, v, &e) < 0) {
		buf_adds(&c->err, err_msg(&e));
		err_release(&e);
		return -1;
	}
	return 0;
}

static int usage_fail(struct cli_ctx *c)
{
	fflush(stdout);
	fprintf(stderr, "%s: error: %s, try --help\n", c->app_name, buf_str(&c->err));
	return 1;
}

int cli_main(const struct cli_app *app, int argc, char **argv)
{
	struct cli_ctx c;
	const char *name = argc > 0 ? argv[0] : "promtool";
	const char *slash = strrchr(name, '/');
	int parse_rc, values_rc, rc;
	struct buf parse_err = BUF_INIT;
	size_t i;

	/* kingpin names the application filepath.Base(os.Args[0]). */
	if (slash && slash[1])
		name = slash + 1;
	ctx_init(&c, name, app, argc > 1 ? argv + 1 : NULL, argc > 1 ? (size_t)argc - 1 : 0);
	parse_rc = parse(&c);
	buf_add(&parse_err, c.err.data, c.err.len);
	buf_reset(&c.err);
	make_slots(&c);
	values_rc = set_values(&c);
	set_defaults(&c);

	/* In completion mode kingpin skips the pre-actions (--version, help). */
	if (cli_completion_mode(&c)) {
		rc = cli_complete(&c);
		goto done;
	}
	rc = pre_actions(&c);
	if (rc >= 0)
		goto done;
	if (parse_rc < 0) {
		buf_reset(&c.err);
		buf_add(&c.err, parse_err.data, parse_err.len);
		rc = usage_fail(&c);
		goto done;
	}
	for (i = 0; i < c.nelems; i++)
		if (c.elems[i].kind == ELEM_FLAG && c.elems[i].flag->action == CLI_ACT_HELP) {
			rc = print_help(&c, HELP_USAGE);
			goto done;
		}
	if (values_rc < 0 || validate_required(&c) < 0) {
		rc = usage_fail(&c);
		goto done;
	}
	if (resolve_compat(&c) < 0) {
		rc = usage_fail(&c);
		goto done;
	}
	if (!c.depth) {
		/* No command: kingpin shows the usage and exits 0. */
		rc = print_help(&c, HELP_USAGE);
		goto done;
	}
	if (app->before_run && (rc = app->before_run(&c)) >= 0)
		goto done;
	fflush(stdout);
	rc = c.path[c.depth - 1]->fn ? c.path[c.depth - 1]->fn(&c) : 0;
done:
	fflush(stdout);
	buf_release(&parse_err);
	ctx_release(&c);
	return rc;
}
