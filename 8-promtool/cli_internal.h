/*
 * The parser's state, shared by the files of the kingpin reimplementation
 * (internal to 8-promtool/cli*.c; commands use 8-promtool/cli.h):
 * cli.c parses, sets values and dispatches, cli_lex.c tokenizes,
 * cli_complete.c answers shell completion.
 *
 * struct cli_ctx lives for one cli_main() run (or one help command) and
 * owns every string it hands out: cli_own() takes a malloc'd string and
 * frees it with the context.
 */
#ifndef PROMTOOL_CLI_INTERNAL_H
#define PROMTOOL_CLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
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

	struct compat compat; /* --compat / PROMTOOL_COMPAT, resolved before the command runs */

	char **owned; /* strings to free */
	size_t nowned, owned_alloc;
	struct buf err;
};

/* Takes ownership of s (freed with the context) and returns it. */
const char *cli_own(struct cli_ctx *c, char *s);

/* ---- tokenizer (cli_lex.c) ---- */
/* The next token, consuming it; TOK_EOL at the end, TOK_ERROR for a bad
 * @file. */
struct token cli_next(struct cli_ctx *c);
/* The next token without consuming it. */
struct token cli_peek(struct cli_ctx *c);
/* Token.String(): how kingpin names a token in its messages. */
const char *cli_tok_str(struct cli_ctx *c, struct token t);
/* The flag in scope with that short name (len bytes, one character) or
 * long name; a later (deeper) one wins. */
const struct cli_flag *cli_find_short(const struct cli_ctx *c, const char *s, size_t len);
const struct cli_flag *cli_find_long(const struct cli_ctx *c, const char *name);

/* ---- shell completion (cli_complete.c) ---- */
/* Whether --completion-bash was given (kingpin then skips pre-actions). */
bool cli_completion_mode(const struct cli_ctx *c);
/* Prints the completion options for the command line; returns 0. */
int cli_complete(struct cli_ctx *c);
/* Prints kingpin's bash or zsh completion script; returns 0. */
int cli_completion_script(const struct cli_ctx *c, bool zsh);

#endif
