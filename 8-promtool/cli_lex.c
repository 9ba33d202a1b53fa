/*
 * The command-line tokenizer, kingpin v2.2.6's ParseContext.Next as
 * promtool 2.42 runs it: "--" ends flags, "--name=value" and "-fVALUE"
 * split, "-abc" reads as "-a" then "-bc", and "@file" expands to the
 * file's lines in place (lines starting with '#' skipped).  Tokens point
 * into argv or into strings the context owns (cli_own).
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/goerrno.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
#include "8-promtool/cli_internal.h"

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

const struct cli_flag *cli_find_short(const struct cli_ctx *c, const char *s, size_t len)
{
	size_t i;

	/* A later (deeper) flag with the same letter wins, as in kingpin's map. */
	for (i = c->nflags; i-- > 0;)
		if (c->flags[i]->short_name && len == 1 && c->flags[i]->short_name == s[0])
			return c->flags[i];
	return NULL;
}

const struct cli_flag *cli_find_long(const struct cli_ctx *c, const char *name)
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
		*out = (struct token){ TOK_ERROR, cli_own(c, buf_detach(&msg, NULL)) };
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
		items[n++] = (char *)cli_own(c, xstrdup(line));
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
		*out = (struct token){ TOK_ERROR, cli_own(c, buf_detach(&msg, NULL)) };
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

struct token cli_next(struct cli_ctx *c)
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
			return (struct token){ TOK_LONG, cli_own(c, xstrndup(arg + 2, (size_t)(eq - arg - 2))) };
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
			name = cli_own(c, xstrndup(arg + 1, rl));
			f = cli_find_short(c, name, rl);
			if (f && f->type != CLI_BOOL) {
				/* -fVALUE */
				if (arg[1 + rl])
					push(c, TOK_ARG, arg + 1 + rl);
				return (struct token){ TOK_SHORT, name };
			}
			if (arg[1 + rl]) {
				/* -abc: the rest becomes "-bc", read next */
				char *rest = (char *)cli_own(c, xasprintf("-%s", arg + 1 + rl));
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

struct token cli_peek(struct cli_ctx *c)
{
	if (!c->npeek) {
		struct token t = cli_next(c);
		push(c, t.type, t.value);
	}
	return c->peek[c->npeek - 1];
}

/* Token.String(): how kingpin names a token in its messages. */
const char *cli_tok_str(struct cli_ctx *c, struct token t)
{
	switch (t.type) {
	case TOK_SHORT:
		return cli_own(c, xasprintf("-%s", t.value));
	case TOK_LONG:
		return cli_own(c, xasprintf("--%s", t.value));
	case TOK_ERROR:
		return cli_own(c, xasprintf("error: %s", t.value));
	case TOK_EOL:
		return "<EOL>";
	default:
		return t.value;
	}
}
