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
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "1-common/goerrno.h"
#include "2-model/labels.h"
#include "1-common/xalloc.h"
#include "8-promtool/cli_table.h"

enum tok_type { TOK_SHORT, TOK_LONG, TOK_ARG, TOK_ERROR, TOK_EOL };

struct token {
	enum tok_type type;
	const char *value;
};

enum elem_kind { ELEM_FLAG, ELEM_ARG, ELEM_CMD };

/* One thing matched on the command line, in order. */
struct element {
	enum elem_kind kind;
	const struct cli_flag *flag; /* canonical flag (aliases resolved) */
	const struct cli_arg *arg;
	const struct cli_cmd *cmd;
	const char *value;
};

/* A flag or argument in scope, with the values set for it. */
struct slot {
	const struct cli_flag *flag;
	const struct cli_arg *arg;
	const char **vals;
	size_t n, alloc;
	bool set; /* given on the command line */
	bool matched; /* appears among the elements */
};

struct cli_ctx {
	const char *app_name;
	const struct cli_app *app;

	/* tokenizer */
	char **raw; /* the command line as given, for completion */
	size_t nraw;
	char **args;
	size_t nargs, argi, args_alloc;
	bool args_only;
	struct token peek[4];
	size_t npeek;

	/* parse state */
	const struct cli_flag *flags[64]; /* scope: app flags, then per command */
	size_t nflags;
	const struct cli_arg *argdefs[16];
	size_t nargdefs, argumenti;
	const struct cli_cmd *path[8];
	int depth;
	const struct cli_cmd *group; /* commands selectable next, or NULL */
	struct element *elems;
	size_t nelems, elems_alloc;

	struct slot *slots;
	size_t nslots;

	char **owned; /* strings to free */
	size_t nowned, owned_alloc;
	struct buf err;
};

static const char *own(struct cli_ctx *c, char *s)
{
	ALLOC_GROW(c->owned, c->nowned + 1, c->owned_alloc);
	c->owned[c->nowned++] = s;
	return s;
}

/* ---- tokenizer (kingpin's ParseContext.Next) ---- */

/* At most a flag's inline value and one peeked token are ever pending. */
static void push(struct cli_ctx *c, enum tok_type type, const char *value)
{
	assert(c->npeek < sizeof(c->peek) / sizeof(c->peek[0]));
	c->peek[c->npeek++] = (struct token){ type, value };
}

static void prepend_args(struct cli_ctx *c, char **items, size_t n)
{
	size_t left = c->nargs - c->argi;

	ALLOC_GROW(c->args, c->argi + left + n, c->args_alloc);
	memmove(c->args + c->argi + n, c->args + c->argi, left * sizeof(*c->args));
	memcpy(c->args + c->argi, items, n * sizeof(*items));
	c->nargs += n;
}

static const struct cli_flag *find_short(const struct cli_ctx *c, const char *s, size_t len)
{
	size_t i;

	/* A later (deeper) flag with the same letter wins, as in kingpin's map. */
	for (i = c->nflags; i-- > 0;)
		if (c->flags[i]->short_name && len == 1 && c->flags[i]->short_name == s[0])
			return c->flags[i];
	return NULL;
}

static const struct cli_flag *find_long(const struct cli_ctx *c, const char *name)
{
	size_t i;

	for (i = c->nflags; i-- > 0;)
		if (!strcmp(c->flags[i]->name, name))
			return c->flags[i];
	return NULL;
}

/* Expands "@file": one argument per line, lines starting with '#' skipped. */
static int expand_file(struct cli_ctx *c, const char *name, struct token *out)
{
	FILE *f;
	char *line = NULL, **items = NULL;
	size_t cap = 0, n = 0, alloc = 0;
	ssize_t len;
	struct buf msg = BUF_INIT;

	if (!*name) {
		*out = (struct token){ TOK_ERROR, "expected @ file to expand arguments from" };
		return -1;
	}
	f = fopen(name, "r");
	if (!f) {
		buf_adds(&msg, "failed to open arguments file ");
		go_quote(&msg, name, strlen(name));
		buf_addf(&msg, ": open %s: %s", name, go_strerror(errno));
		*out = (struct token){ TOK_ERROR, own(c, buf_detach(&msg, NULL)) };
		return -1;
	}
	errno = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		/* bufio.ScanLines drops "\n" and a "\r" before it. */
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = 0;
		if (len >= 64 * 1024) {
			/* bufio.MaxScanTokenSize */
			errno = 0;
			break;
		}
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = 0;
		if (line[0] == '#')
			continue;
		ALLOC_GROW(items, n + 1, alloc);
		items[n++] = (char *)own(c, xstrdup(line));
	}
	if (len >= 0 || ferror(f)) {
		/* scanner.Err(): the line too long, or a read error (a directory) */
		int saved = errno;
		buf_adds(&msg, "failed to read arguments from ");
		go_quote(&msg, name, strlen(name));
		if (len >= 0)
			buf_adds(&msg, ": bufio.Scanner: token too long");
		else
			buf_addf(&msg, ": read %s: %s", name, go_strerror(saved));
		*out = (struct token){ TOK_ERROR, own(c, buf_detach(&msg, NULL)) };
		free(line);
		free(items);
		fclose(f);
		return -1;
	}
	free(line);
	fclose(f);
	prepend_args(c, items, n);
	free(items);
	return 0;
}

static struct token next(struct cli_ctx *c)
{
	const char *arg;
	struct token t;

	for (;;) {
		if (c->npeek)
			return c->peek[--c->npeek];
		if (c->argi >= c->nargs)
			return (struct token){ TOK_EOL, "" };
		arg = c->args[c->argi++];
		if (c->args_only)
			return (struct token){ TOK_ARG, arg };
		if (!strcmp(arg, "--")) {
			c->args_only = true;
			continue;
		}
		if (!strncmp(arg, "--", 2)) {
			const char *eq = strchr(arg + 2, '=');
			if (!eq)
				return (struct token){ TOK_LONG, arg + 2 };
			push(c, TOK_ARG, eq + 1);
			return (struct token){ TOK_LONG, own(c, xstrndup(arg + 2, (size_t)(eq - arg - 2))) };
		}
		if (arg[0] == '-') {
			const struct cli_flag *f;
			size_t rl = 1;
			const char *name;

			if (!arg[1])
				return (struct token){ TOK_SHORT, "" };
			/* One UTF-8 character names a short flag. */
			if ((unsigned char)arg[1] >= 0xc0)
				while (rl < 4 && ((unsigned char)arg[1 + rl] & 0xc0) == 0x80)
					rl++;
			name = own(c, xstrndup(arg + 1, rl));
			f = find_short(c, name, rl);
			if (f && f->type != CLI_BOOL) {
				/* -fVALUE */
				if (arg[1 + rl])
					push(c, TOK_ARG, arg + 1 + rl);
				return (struct token){ TOK_SHORT, name };
			}
			if (arg[1 + rl]) {
				/* -abc: the rest becomes "-bc", read next */
				char *rest = (char *)own(c, xasprintf("-%s", arg + 1 + rl));
				prepend_args(c, &rest, 1);
			}
			return (struct token){ TOK_SHORT, name };
		}
		if (arg[0] == '@') {
			if (expand_file(c, arg + 1, &t) < 0)
				return t;
			continue;
		}
		return (struct token){ TOK_ARG, arg };
	}
}

static struct token peek(struct cli_ctx *c)
{
	if (!c->npeek) {
		struct token t = next(c);
		push(c, t.type, t.value);
	}
	return c->peek[c->npeek - 1];
}

/* Token.String(): how kingpin names a token in its messages. */
static const char *tok_str(struct cli_ctx *c, struct token t)
{
	switch (t.type) {
	case TOK_SHORT:
		return own(c, xasprintf("-%s", t.value));
	case TOK_LONG:
		return own(c, xasprintf("--%s", t.value));
	case TOK_ERROR:
		return own(c, xasprintf("error: %s", t.value));
	case TOK_EOL:
		return "<EOL>";
	default:
		return t.value;
	}
}

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
	to = find_long(c, f->alias_of);
	return to ? to : f;
}

/* flagGroup.parse: one flag and, unless boolean, its value. */
static int parse_flag(struct cli_ctx *c)
{
	struct token t = peek(c), v;
	const struct cli_flag *f;
	bool invert = false;

	if (t.type == TOK_LONG) {
		f = find_long(c, t.value);
		if (!f && !strncmp(t.value, "no-", 3)) {
			invert = true;
			f = find_long(c, t.value + 3);
		}
		if (!f)
			return fail(c, "unknown long flag '%s'", tok_str(c, t));
	} else {
		f = find_short(c, t.value, strlen(t.value));
		if (!f)
			return fail(c, "unknown short flag '%s'", tok_str(c, t));
	}
	next(c);
	if (f->type == CLI_BOOL) {
		add_elem(c, (struct element){ .kind = ELEM_FLAG, .flag = canonical(c, f),
					      .value = invert ? "false" : "true" });
		return 0;
	}
	if (invert)
		return fail(c, "unknown long flag '%s'", tok_str(c, t));
	v = peek(c);
	if (v.type != TOK_ARG)
		return fail(c, "expected argument for flag '%s'", tok_str(c, t));
	next(c);
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

static int parse(struct cli_ctx *c)
{
	struct token t;

	add_flags(c, c->app->flags);
	c->group = c->app->cmds;
	for (;;) {
		t = peek(c);
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
			next(c);
		} else if (c->nargdefs) {
			const struct cli_arg *a;
			if (c->argumenti >= c->nargdefs)
				break;
			a = c->argdefs[c->argumenti];
			if (!a->cumulative)
				c->argumenti++;
			add_elem(c, (struct element){ .kind = ELEM_ARG, .arg = a, .value = t.value });
			next(c);
		} else {
			break;
		}
	}
	t = peek(c);
	if (t.type == TOK_ERROR)
		return fail(c, "%s", t.value);
	if (t.type != TOK_EOL)
		return fail(c, "unexpected %s", tok_str(c, t));
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
		return own(c, xasprintf("%lld", (long long)cli_value_int(type, v)));
	return v;
}

static int set_values(struct cli_ctx *c)
{
	const struct cli_cmd *last = NULL;
	size_t i;

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
		if (s->arg && s->arg->required && !s->matched && !s->arg->def)
			return fail(c, "required argument '%s' not provided", s->arg->name);
	}
	return 0;
}

/* ---- context lifecycle ---- */

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

/* ---- shell completion (kingpin's --completion-bash and scripts) ---- */

struct options {
	const char **v;
	size_t n, alloc;
};

static void opt_add(struct options *o, const char *s)
{
	ALLOC_GROW(o->v, o->n + 1, o->alloc);
	o->v[o->n++] = s;
}

/* The command whose flags, args and subcommands completion looks at. */
struct target {
	const struct cli_flag *flags;
	const struct cli_arg *args;
	const struct cli_cmd *subs;
	bool top; /* the application: "help" comes first */
};

/*
 * cmdMixin.CmdCompletion: values for the next unsatisfied argument (no
 * promtool argument has any), else the subcommand names.
 */
static void cmd_completion(const struct cli_ctx *c, const struct target *t, struct options *o)
{
	size_t satisfied = 0, nargs = 0, i;
	const struct cli_arg *a;
	const struct cli_cmd *cmd;

	for (i = 0; i < c->nelems; i++)
		if (c->elems[i].kind == ELEM_ARG && c->elems[i].value[0])
			satisfied++;
	for (a = t->args; a && a->name; a++)
		nargs++;
	if (satisfied < nargs)
		return;
	if (t->top)
		opt_add(o, cli_help_cmd.name);
	for (cmd = t->subs; cmd && cmd->name; cmd++)
		if (!cmd->hidden)
			opt_add(o, cmd->name);
}

/* cmdMixin.FlagCompletion; returns flag-matched and value-matched. */
static void flag_completion(struct cli_ctx *c, const struct cli_flag *flags, const char *name, const char *value,
			    struct options *o, bool *flag_match, bool *value_match)
{
	const struct cli_flag *f;

	*flag_match = *value_match = false;
	for (f = flags; f && f->name; f++) {
		if (!strcmp(f->name, name)) {
			const char *const *e;
			bool prefix = false, matched = false;
			o->n = 0;
			*flag_match = true;
			if (f->type != CLI_ENUM || !f->enums || !f->enums[0]) {
				*value_match = true;
				return;
			}
			for (e = f->enums; *e; e++) {
				opt_add(o, *e);
				if (!strcmp(value, *e))
					matched = true;
				else if (!strncmp(*e, value, strlen(value)))
					prefix = true;
			}
			*value_match = !prefix && matched;
			return;
		}
		if (!f->hidden)
			opt_add(o, own(c, xasprintf("--%s", f->name)));
	}
}

/*
 * Application.completionOptions: after "--completion-bash", the last word
 * (or the one before it) decides between flag names, a flag's values and
 * command names.  Printed one per line without a final newline.
 */
static int complete(struct cli_ctx *c)
{
	const char *curr = "", *prev = "";
	const char *const *args = (const char *const *)c->raw;
	size_t n = c->nraw, i;
	struct target t = { c->app->flags, NULL, c->app->cmds, true };
	struct options o = { 0 };

	if (n > 1) {
		args++;
		n--;
		curr = args[n - 1];
	}
	if (n > 1)
		prev = args[n - 2];
	if (c->depth) {
		const struct cli_cmd *sel = c->path[c->depth - 1];
		t = (struct target){ sel->flags, sel->args, sel->subs, false };
	}
	if (!strncmp(curr, "--", 2) || !strncmp(prev, "--", 2)) {
		const char *name = "", *value = "";
		bool fm, vm;
		if (!strncmp(prev, "--", 2) && strncmp(curr, "--", 2)) {
			name = prev + 2;
			value = curr;
		} else if (!strncmp(curr, "--", 2)) {
			name = curr + 2;
		}
		flag_completion(c, t.flags, name, value, &o, &fm, &vm);
		if (vm) {
			o.n = 0;
			cmd_completion(c, &t, &o);
		} else if (c->depth && !fm) {
			struct options top = { 0 };
			bool tfm, tvm;
			flag_completion(c, c->app->flags, name, value, &top, &tfm, &tvm);
			if (tvm) {
				o.n = 0;
				cmd_completion(c, &t, &o);
			} else if (tfm) {
				o.n = 0;
				for (i = 0; i < top.n; i++)
					opt_add(&o, top.v[i]);
			} else {
				for (i = 0; i < top.n; i++)
					opt_add(&o, top.v[i]);
			}
			free(top.v);
		}
	} else {
		cmd_completion(c, &t, &o);
	}
	for (i = 0; i < o.n; i++)
		printf("%s%s", i ? "\n" : "", o.v[i]);
	free(o.v);
	return 0;
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

static bool completion_mode(const struct cli_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nslots; i++)
		if (c->slots[i].flag && c->slots[i].flag->action == CLI_ACT_COMPLETION_BASH && c->slots[i].set)
			return !strcmp(c->slots[i].vals[c->slots[i].n - 1], "true");
	return false;
}

/* kingpin's BashCompletionTemplate and ZshCompletionTemplate. */
static int completion_script(const struct cli_ctx *c, bool zsh)
{
	const char *n = c->app_name;

	if (zsh)
		printf("\n#compdef %s\nautoload -U compinit && compinit\nautoload -U bashcompinit && bashcompinit\n\n", n);
	else
		printf("\n");
	printf("_%s_bash_autocomplete() {\n"
	       "    local cur prev opts base\n"
	       "    COMPREPLY=()\n"
	       "    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
	       "    opts=$( ${COMP_WORDS[0]} --completion-bash ${COMP_WORDS[@]:1:$COMP_CWORD} )\n"
	       "    COMPREPLY=( $(compgen -W \"${opts}\" -- ${cur}) )\n"
	       "    return 0\n"
	       "}\n"
	       "complete -F _%s_bash_autocomplete %s\n", n, n, n);
	if (!zsh)
		printf("\n");
	return 0;
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
			return completion_script(c, e->flag->action == CLI_ACT_COMPLETION_SCRIPT_ZSH);
		default:
			break;
		}
	}
	return -1;
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
	if (completion_mode(&c)) {
		rc = complete(&c);
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
