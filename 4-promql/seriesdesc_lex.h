/*
 * Internal to seriesdesc.c: the lexer of 2.42's promql/parser/lex.go as
 * ParseSeriesDesc and ParseMetric run it (series-description mode or
 * not), token by token, and Item.desc() for parse errors.
 *
 * Tokens point into the lexer's input, or for ERROR into the lexer's
 * message buffer (valid until the next token); the lexer owns that buffer
 * (buf_release(&l->msg) when done).
 */
#ifndef PROMQL_SERIESDESC_LEX_H
#define PROMQL_SERIESDESC_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"

enum tk {
	TK_END, /* goyacc's $end (0) */
	TK_EOF, TK_ERROR, TK_COMMENT, TK_IDENT, TK_METRIC_IDENT, TK_NUMBER, TK_STRING, TK_DURATION,
	TK_EQL, TK_COLON, TK_COMMA, TK_LBRACE, TK_RBRACE, TK_LBRACKET, TK_RBRACKET, TK_LPAREN, TK_RPAREN,
	TK_SPACE, TK_TIMES, TK_BLANK,
	TK_OP,      /* operators: + - * / % ^ == != < <= > >= =~ !~ @ and or unless atan2 */
	TK_ADD, TK_SUB,
	TK_AGGR,    /* sum, avg, ... (metric identifiers) */
	TK_KEYWORD, /* offset, by, without (metric identifiers), on, ignoring, group_left,
		     * group_right, bool (not) */
	TK_PREPROC, /* start, end (metric identifiers) */
	TK_START_SD, TK_START_METRIC,
};

struct token {
	enum tk t;
	size_t pos;
	const char *val; /* into the input, or the lexer's message for ERROR */
	size_t len;
	bool metric_ident; /* usable as metric_identifier */
	bool str;          /* has an ItemTypeStr entry */
};

struct lexer {
	const char *in;
	size_t len, pos, start, width;
	bool series; /* seriesDesc */
	int state;   /* 0 statements, 1 inside braces, 2 value sequence, 3 done */
	bool brace_open, bracket_open;
	int paren_depth;
	char string_open;
	struct buf msg;
};

enum { L_STATEMENTS, L_BRACES, L_VALUES, L_DONE };

/* The next token (comments skipped, as the parser's Lex does). */
void sd_lex(struct lexer *l, struct token *t);
/* Item.desc(): what follows "unexpected " in a parse error. */
void sd_token_desc(struct buf *out, const struct token *t);

#endif
