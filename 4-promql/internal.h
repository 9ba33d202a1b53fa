/*
 * Internals shared by the PromQL parser files (not for other subsystems).
 *
 * struct promql_expr owns an arena (1-common/arena.h) from which every
 * node, list and string of its tree is allocated, plus the compiled regular
 * expressions of its matchers.
 */
#ifndef PROMQL_INTERNAL_H
#define PROMQL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "1-common/arena.h"
#include "1-common/buf.h"
#include "4-promql/ast.h"
#include "4-promql/lex.h"
#include "4-promql/promql.h"
#include "2-model/regex.h"

/* Arena chunks of an expression double from the first to the largest: a
 * typical rule's tree fits in the first two, and `check rules` on a file
 * of 400,000 rules keeps 400,000 trees. */
#define PROMQL_ARENA_FIRST 512
#define PROMQL_ARENA_MAX 65536

struct promql_expr {
	struct arena arena; /* arena_init_growing(&x->arena, PROMQL_ARENA_FIRST, PROMQL_ARENA_MAX) */
	void **regexes; /* label_regex_compile()d, freed with the expression */
	size_t nregexes, regexes_cap;
	struct promql_node *root;
};

/* Zeroed memory owned by x; never NULL. */
static inline void *promql_arena_alloc(struct promql_expr *x, size_t n)
{
	return arena_calloc(&x->arena, n);
}

/* The bytes x's arena holds (chunk capacities), for memory tests. */
size_t promql_arena_bytes(const struct promql_expr *x);

/* A NUL-terminated copy of s[0..len) owned by x. */
static inline char *promql_arena_strndup(struct promql_expr *x, const char *s, size_t len)
{
	return arena_strndup(&x->arena, s, len);
}

struct promql_parser {
	struct promql_expr *x;
	struct promql_lexer lex;
	const char *input;
	size_t len;
	const struct promql_parse_opts *opts; /* never NULL */
	struct promql_token toks[2]; /* lookahead queue (2.42 needs one; a call needs two) */
	int ntoks;
	int last_closing; /* 2.42's lastClosing: end of the last ) ] } number or duration lexed */
	int agg_depth;    /* > 0 while inside an aggregation (for error context) */
	bool failed;      /* the first error has been recorded */
	int err_pos;
	bool err_raw;      /* the error is a bare message (a recovered panic of the Go parser) */
	struct buf err_msg;
};

/*
 * Records an error at byte offset pos unless one was recorded already
 * (2.42 prints only the first of its ParseErrors).
 */
void promql_perr(struct promql_parser *p, int pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Parts of String() (print.c) for the prettier (pretty.c): what n prints
 * before its first sub-expression (an aggregation's "sum by (a) ("), the
 * " op bool matching " between a binary expression's operands, and what
 * follows the last (a subquery's "[5m:1m] offset 1m").
 */
void promql_print_head(struct buf *out, const struct promql_node *n, const struct compat *c);
void promql_print_binop(struct buf *out, const struct promql_node *n, const struct compat *c);
void promql_print_tail(struct buf *out, const struct promql_node *n, const struct compat *c);

/* Literals (literal.c).  Errors are recorded with promql_perr. */
double promql_parse_number(struct promql_parser *p, const struct promql_token *t);
/* The unquoted text, owned by the expression's arena; *out_len its length. */
const char *promql_unquote(struct promql_parser *p, const struct promql_token *t, size_t *out_len);
/* model.ParseDuration in ms; false (error recorded) when invalid or 0. */
bool promql_parse_duration(struct promql_parser *p, const struct promql_token *t, int64_t *out);
/* The same; zero: 0 is accepted (3.4's parseDuration). */
bool promql_parse_duration_zero(struct promql_parser *p, const struct promql_token *t, int64_t *out, bool zero);

/*
 * The parser's token queue and operands (parse.c), for the expression
 * grammar in parse_expr.c.  Syntax errors are recorded with promql_perr;
 * functions returning a node return NULL after an error.
 */
const struct promql_token *promql_peek(struct promql_parser *p);
const struct promql_token *promql_peek2(struct promql_parser *p);
struct promql_token promql_take(struct promql_parser *p);
bool promql_at(struct promql_parser *p, enum promql_tok t);
/* 2.42's parser.unexpected(context, expected) at the lookahead; returns NULL. */
void *promql_unexpected(struct promql_parser *p, const char *context, const char *expected);
/* A syntax error no nearer rule catches ("... in aggregation" inside one). */
void *promql_unexpected_expr(struct promql_parser *p);
struct promql_node *promql_new_node(struct promql_parser *p, enum promql_node_kind k, int start, int end);
/* Grammar rule metric_identifier. */
bool promql_is_metric_identifier(enum promql_tok t);
/* grouping_labels: "(" [label {"," label} [","]] ")". */
bool promql_parse_grouping(struct promql_parser *p, const char ***out, size_t *n);
/* A number, string or selector (calls, aggregations, signs and "(" are
 * promql_parse_expr's). */
struct promql_node *promql_parse_primary(struct promql_parser *p);
/* offset, @ and [..] after operand e (NULL passes through). */
struct promql_node *promql_parse_postfix(struct promql_parser *p, struct promql_node *e);
/* An expression whose binary operators bind at least as tightly as
 * min_prec (0: any expression), on an explicit stack (parse_expr.c). */
struct promql_node *promql_parse_expr(struct promql_parser *p, int min_prec);

/*
 * Durations per release (parse_duration.c).  promql_number_or_duration: the
 * token taken at a duration slot (2.54: a number of seconds too), in ms;
 * promql_at_duration: whether the lookahead may fill one;
 * promql_duration_word: "duration" or 2.54's "number or duration";
 * promql_bracket_duration / promql_offset_duration: 3.4's duration
 * expressions of a range or step / of an offset: a literal's ms, or the
 * expression in *expr (its value in *ms when constant and valid, else 0);
 * all return false with the error recorded.
 */
bool promql_number_or_duration(struct promql_parser *p, const struct promql_token *t, int64_t *ms);
bool promql_at_duration(struct promql_parser *p);
const char *promql_duration_word(struct promql_parser *p);
bool promql_bracket_duration(struct promql_parser *p, bool step, int64_t *ms, const struct promql_dur **expr);
bool promql_offset_duration(struct promql_parser *p, int64_t *ms, const struct promql_dur **expr);
/*
 * durations.c: whether d reads step() or range(); d's value in ms for a
 * query of that step and range, as calculateDuration (negative: an offset
 * may be), -1 with e set to upstream's words when it is invalid.
 */
bool promql_dur_uses_query(const struct promql_dur *d);
int promql_dur_ms(const struct promql_dur *d, int64_t step_ms, int64_t range_ms, bool negative,
		  const struct compat *c, int64_t *ms, struct err *e);

/* NumberLiteral.String() of release c (print.c): duration: written as one. */
void promql_print_number(struct buf *out, double v, bool duration, const struct compat *c);

/* checkAST of 2.42: type checks that run when parsing found no error. */
enum promql_value_type promql_check(struct promql_parser *p, struct promql_node *n);

#endif
