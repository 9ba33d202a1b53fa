/*
 * Internals shared by the PromQL parser files (not for other subsystems).
 *
 * struct promql_expr owns an arena of fixed-size chunks from which every
 * node, list and string of its tree is allocated, plus the compiled regular
 * expressions of its matchers.
 */
#ifndef PROMQL_INTERNAL_H
#define PROMQL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "1-common/buf.h"
#include "4-promql/ast.h"
#include "4-promql/lex.h"
#include "2-model/regex.h"

struct promql_arena_chunk;

struct promql_expr {
	struct promql_arena_chunk *chunks;
	void **regexes; /* pcre2_code *, freed with the expression */
	size_t nregexes, regexes_cap;
	struct promql_node *root;
};

/* Zeroed memory owned by x; never NULL. */
void *promql_arena_alloc(struct promql_expr *x, size_t n);
/* The bytes x's arena holds (chunk capacities), for memory tests. */
size_t promql_arena_bytes(const struct promql_expr *x);
/* A NUL-terminated copy of s[0..len) owned by x. */
char *promql_arena_strndup(struct promql_expr *x, const char *s, size_t len);

struct promql_parser {
	struct promql_expr *x;
	struct promql_lexer lex;
	const char *input;
	size_t len;
	struct promql_token toks[2]; /* lookahead queue (2.42 needs one; a call needs two) */
	int ntoks;
	int last_closing; /* 2.42's lastClosing: end of the last ) ] } number or duration lexed */
	int agg_depth;    /* > 0 while inside an aggregation (for error context) */
	int depth;        /* recursion guard */
	bool failed;      /* the first error has been recorded */
	int err_pos;
	struct buf err_msg;
};

/*
 * Records an error at byte offset pos unless one was recorded already
 * (2.42 prints only the first of its ParseErrors).
 */
void promql_perr(struct promql_parser *p, int pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Literals (literal.c).  Errors are recorded with promql_perr. */
double promql_parse_number(struct promql_parser *p, const struct promql_token *t);
/* The unquoted text, owned by the expression's arena; *out_len its length. */
const char *promql_unquote(struct promql_parser *p, const struct promql_token *t, size_t *out_len);
/* model.ParseDuration in ms; false (error recorded) when invalid or 0. */
bool promql_parse_duration(struct promql_parser *p, const struct promql_token *t, int64_t *out);

/* checkAST of 2.42: type checks that run when parsing found no error. */
enum promql_value_type promql_check(struct promql_parser *p, struct promql_node *n);

#endif
