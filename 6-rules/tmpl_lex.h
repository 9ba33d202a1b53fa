/*
 * Internal to rulefmt/: the lexer and literal checks of the Go text/template
 * parser in tmpl.c (Go 1.19's text/template/parse/lex.go behaviour: items,
 * positions, line numbers, trim markers, comments and its error texts).
 *
 * A struct tmpl_lexer reads a borrowed input; the error messages it creates
 * belong to it until tmpl_lex_release().
 */
#ifndef RULES_TMPL_LEX_H
#define RULES_TMPL_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "1-common/buf.h"

/* Item kinds; keywords come after IT_KEYWORD and print as "<word>". */
enum itype {
	IT_ERROR, IT_BOOL, IT_CHAR, IT_CHARCONST, IT_COMPLEX, IT_ASSIGN, IT_DECLARE, IT_EOF,
	IT_FIELD, IT_IDENT, IT_LDELIM, IT_LPAREN, IT_NUMBER, IT_PIPE, IT_RAWSTRING, IT_RDELIM,
	IT_RPAREN, IT_SPACE, IT_STRING, IT_TEXT, IT_VARIABLE,
	IT_KEYWORD,
	IT_BLOCK, IT_BREAK, IT_CONTINUE, IT_DOT, IT_DEFINE, IT_ELSE, IT_END, IT_IF, IT_NIL,
	IT_RANGE, IT_TEMPLATE, IT_WITH,
};

struct item {
	enum itype type;
	size_t pos, len; /* val = input[pos..pos+len), or msg for errors */
	int line;
	char *msg;       /* IT_ERROR text (owned by the lexer) */
};

struct tmpl_lexer {
	const char *in;
	size_t len, pos, start;
	int line, start_line;
	int paren_depth;
	enum { LS_TEXT, LS_LEFT_DELIM, LS_INSIDE } state; /* Go's next state function */
	bool done;
	char *pending_error; /* after a ')' too many: the error follows it */
	char *msgs[8];
	size_t nmsgs;
};


void tmpl_lex_init(struct tmpl_lexer *l, const char *in, size_t len);
void tmpl_lex_release(struct tmpl_lexer *l);
/* The next item (lexer state functions folded into one call). */
struct item tmpl_lex_item(struct tmpl_lexer *l);
/* The rune at pos and its width (0 and -1 at the end); invalid UTF-8 is
 * U+FFFD of width 1, as utf8.DecodeRuneInString. */
int tmpl_rune_at(const struct tmpl_lexer *l, size_t pos, size_t *w);
/* Space as the Go 1.19 lexer means it: ' ', \t, \r, \n. */
bool tmpl_is_space(int c);

/* strconv.UnquoteChar validity: bytes taken by one character, 0 if bad. */
size_t tmpl_unquote_char(const char *s, size_t n, char quote);
/* strconv.Unquote succeeds on a "..." or `...` literal. */
bool tmpl_unquote_ok(const char *s, size_t n);
/* strconv.Unquote of a literal tmpl_unquote_ok() accepted. */
void tmpl_unquote_to(struct buf *out, const char *s, size_t n);

#endif
