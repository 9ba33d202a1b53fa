/*
 * The lexer of ParseSeriesDesc / ParseMetric (seriesdesc_lex.h): lex.go's
 * lexStatements, lexInsideBraces, lexValueSequence, lexString/lexEscape,
 * lexNumber(OrDuration) and lexKeywordOrIdentifier with their error
 * texts ("unexpected character inside braces: '0'", "bad number syntax:
 * \"1\"").  Hex numbers are off in series mode, where "x" may follow a
 * number (the repetition).
 */
#include "4-promql/seriesdesc_lex.h"

#include <string.h>

#include "1-common/utf8.h"
#include "2-model/labels.h"
#include "4-promql/gostr.h"
#include "4-promql/lex.h"

static int32_t lnext(struct lexer *l)
{
	int32_t r;

	if (l->pos >= l->len) {
		l->width = 0;
		return -1;
	}
	l->width = go_decode_rune((const unsigned char *)l->in + l->pos, l->len - l->pos, &r);
	l->pos += l->width;
	return r;
}

static void lbackup(struct lexer *l)
{
	l->pos -= l->width;
}

static int32_t lpeek(struct lexer *l)
{
	int32_t r = lnext(l);
	if (r >= 0)
		lbackup(l);
	return r;
}

static bool accept(struct lexer *l, const char *valid)
{
	int32_t r = lnext(l);
	if (r > 0 && r < 128 && strchr(valid, (char)r))
		return true;
	if (r >= 0)
		lbackup(l);
	return false;
}

static void accept_run(struct lexer *l, const char *valid)
{
	while (accept(l, valid))
		;
}

static void emit(struct lexer *l, struct token *t, enum tk k)
{
	memset(t, 0, sizeof(*t));
	t->t = k;
	t->pos = l->start;
	t->val = l->in + l->start;
	t->len = l->pos - l->start;
	l->start = l->pos;
}

static void lerror(struct lexer *l, struct token *t, const char *msg)
{
	memset(t, 0, sizeof(*t));
	t->t = TK_ERROR;
	t->pos = l->start;
	buf_reset(&l->msg);
	buf_adds(&l->msg, msg);
	t->val = (const char *)l->msg.data;
	t->len = l->msg.len;
	l->state = L_DONE;
}

static void lerror_rune(struct lexer *l, struct token *t, const char *prefix, int32_t r)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, prefix);
	/* %q of the lexer's eof (-1): an invalid rune, printed as U+FFFD */
	go_quote_rune(&b, r < 0 ? 0xFFFD : r);
	lerror(l, t, buf_str(&b));
	buf_release(&b);
}

/* scanNumber (series-description mode: no hex, "x" may follow) */
static bool scan_number(struct lexer *l)
{
	const char *digits = "0123456789";
	int32_t r;

	if (!l->series && accept(l, "0") && accept(l, "xX"))
		digits = "0123456789abcdefABCDEF";
	accept_run(l, digits);
	if (accept(l, "."))
		accept_run(l, digits);
	if (accept(l, "eE")) {
		accept(l, "+-");
		accept_run(l, "0123456789");
	}
	r = lpeek(l);
	return (l->series && r == 'x') || !lex_is_alnum(r);
}

static bool accept_remaining_duration(struct lexer *l)
{
	if (!accept(l, "smhdwy"))
		return false;
	accept(l, "s");
	while (accept(l, "0123456789")) {
		accept_run(l, "0123456789");
		if (!accept(l, "smhdw"))
			return false;
		accept(l, "s");
	}
	return !lex_is_alnum(lnext(l));
}

/* lexString / lexRawString / lexEscape up to the closing quote */
static bool lex_string(struct lexer *l, struct token *t)
{
	for (;;) {
		int32_t r = lnext(l);
		size_t w = l->width;
		if (r == l->string_open) {
			emit(l, t, TK_STRING);
			return true;
		}
		if (r == 0xFFFD && w == 1) {
			lerror(l, t, "invalid UTF-8 rune");
			return false;
		}
		if (l->string_open == '`') {
			if (r < 0) {
				lerror(l, t, "unterminated raw string");
				return false;
			}
			continue;
		}
		if (r < 0 || r == '\n') {
			lerror(l, t, "unterminated quoted string");
			return false;
		}
		if (r == '\\') {
			int32_t ch = lnext(l);
			int n = 0, base = 0;
			uint32_t max = 0, x = 0;
			switch (ch) {
			case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v': case '\\':
				continue;
			case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
				n = 3, base = 8, max = 255;
				break;
			case 'x':
				ch = lnext(l), n = 2, base = 16, max = 255;
				break;
			case 'u':
				ch = lnext(l), n = 4, base = 16, max = 0x10FFFF;
				break;
			case 'U':
				ch = lnext(l), n = 8, base = 16, max = 0x10FFFF;
				break;
			case -1:
				lerror(l, t, "escape sequence not terminated");
				return false;
			default:
				if (ch == l->string_open)
					continue;
				{
					struct buf b = BUF_INIT;
					buf_adds(&b, "unknown escape sequence ");
					go_fmt_sharp_U(&b, ch);
					lerror(l, t, buf_str(&b));
					buf_release(&b);
				}
				return false;
			}
			while (n > 0) {
				int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
					ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : 16;
				if (d >= base) {
					struct buf b = BUF_INIT;
					if (ch < 0) {
						lerror(l, t, "escape sequence not terminated");
						return false;
					}
					buf_adds(&b, "illegal character ");
					go_fmt_sharp_U(&b, ch);
					buf_adds(&b, " in escape sequence");
					lerror(l, t, buf_str(&b));
					buf_release(&b);
					return false;
				}
				x = x * (uint32_t)base + (uint32_t)d;
				if (--n > 0)
					ch = lnext(l);
			}
			if (x > max || (x >= 0xD800 && x < 0xE000)) {
				lerror(l, t, "escape sequence is an invalid Unicode code point");
				return false;
			}
		}
	}
}

static const struct {
	const char *word;
	enum tk t;
	bool metric_ident;
} keywords[] = {
	{ "and", TK_OP, true }, { "or", TK_OP, true }, { "unless", TK_OP, true }, { "atan2", TK_OP, false },
	{ "sum", TK_AGGR, true }, { "avg", TK_AGGR, true }, { "count", TK_AGGR, true }, { "min", TK_AGGR, true },
	{ "max", TK_AGGR, true }, { "group", TK_AGGR, true }, { "stddev", TK_AGGR, true },
	{ "stdvar", TK_AGGR, true }, { "topk", TK_AGGR, true }, { "bottomk", TK_AGGR, true },
	{ "count_values", TK_AGGR, true }, { "quantile", TK_AGGR, true },
	{ "offset", TK_KEYWORD, true }, { "by", TK_KEYWORD, true }, { "without", TK_KEYWORD, true },
	{ "on", TK_KEYWORD, false }, { "ignoring", TK_KEYWORD, false }, { "group_left", TK_KEYWORD, false },
	{ "group_right", TK_KEYWORD, false }, { "bool", TK_KEYWORD, false },
	{ "start", TK_PREPROC, true }, { "end", TK_PREPROC, true },
};

/* lexKeywordOrIdentifier */
static void lex_word(struct lexer *l, struct token *t)
{
	char lower[32];
	size_t n;
	int32_t r;

	for (;;) {
		r = lnext(l);
		if (!(lex_is_alnum(r) || r == ':')) {
			if (r >= 0)
				lbackup(l);
			break;
		}
	}
	n = l->pos - l->start;
	emit(l, t, memchr(l->in + l->start, ':', n) ? TK_METRIC_IDENT : TK_IDENT);
	t->metric_ident = true;
	if (n < sizeof(lower)) {
		for (size_t i = 0; i < n; i++)
			lower[i] = (char)(t->val[i] >= 'A' && t->val[i] <= 'Z' ? t->val[i] + 32 : t->val[i]);
		lower[n] = '\0';
		if (!strcmp(lower, "inf") || !strcmp(lower, "nan")) {
			t->t = TK_NUMBER;
			t->metric_ident = false;
		}
		for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
			if (!strcmp(lower, keywords[k].word)) {
				t->t = keywords[k].t;
				t->metric_ident = keywords[k].metric_ident;
				t->str = true;
			}
	}
	if (l->series && lpeek(l) != '{')
		l->state = L_VALUES;
	else
		l->state = L_STATEMENTS;
}

static void op(struct lexer *l, struct token *t, enum tk k)
{
	emit(l, t, k);
	t->str = true;
}

/* The next token (comments skipped, as the parser's Lex does). */
void sd_lex(struct lexer *l, struct token *t)
{
	for (;;) {
		int32_t r;

		if (l->state == L_DONE) {
			emit(l, t, TK_EOF);
			return;
		}
		if (l->state == L_VALUES) {
			r = lnext(l);
			if (r < 0) {
				l->state = L_STATEMENTS;
				continue;
			}
			if (lex_is_space(r)) {
				op(l, t, TK_SPACE);
				while (lex_is_space(lpeek(l)))
					lnext(l);
				l->start = l->pos;
				return;
			}
			switch (r) {
			case '+': op(l, t, TK_ADD); return;
			case '-': op(l, t, TK_SUB); return;
			case 'x': op(l, t, TK_TIMES); return;
			case '_': op(l, t, TK_BLANK); return;
			}
			if (lex_is_digit(r) || (r == '.' && lex_is_digit(lpeek(l)))) {
				lbackup(l);
				if (!scan_number(l)) {
					struct buf b = BUF_INIT;
					buf_adds(&b, "bad number syntax: ");
					go_quote(&b, l->in + l->start, l->pos - l->start);
					lerror(l, t, buf_str(&b));
					buf_release(&b);
					return;
				}
				emit(l, t, TK_NUMBER);
				return;
			}
			if (lex_is_alpha(r)) {
				lbackup(l);
				lex_word(l, t);
				return;
			}
			lerror_rune(l, t, "unexpected character in series sequence: ", r);
			return;
		}
		if (l->brace_open || l->state == L_BRACES) {
			if (l->len - l->pos >= 1 && l->in[l->pos] == '#') {
				while (l->pos < l->len && l->in[l->pos] != '\n' && l->in[l->pos] != '\r')
					l->pos++;
				l->start = l->pos;
				continue;
			}
			r = lnext(l);
			if (r < 0) {
				lerror(l, t, "unexpected end of input inside braces");
				return;
			}
			if (lex_is_space(r)) {
				while (lex_is_space(lpeek(l)))
					lnext(l);
				l->start = l->pos;
				continue;
			}
			if (lex_is_alpha(r)) {
				for (r = lnext(l); lex_is_alnum(r); r = lnext(l))
					;
				if (r >= 0)
					lbackup(l);
				emit(l, t, TK_IDENT);
				return;
			}
			switch (r) {
			case ',': op(l, t, TK_COMMA); return;
			case '"': case '\'': case '`':
				l->string_open = (char)r;
				lex_string(l, t);
				return;
			case '=':
				if (lnext(l) == '~') {
					op(l, t, TK_OP);
					return;
				}
				if (l->width)
					lbackup(l);
				op(l, t, TK_EQL);
				return;
			case '!': {
				int32_t nr = lnext(l);
				if (nr == '~' || nr == '=') {
					op(l, t, TK_OP);
					return;
				}
				lerror_rune(l, t, "unexpected character after '!' inside braces: ", nr);
				return;
			}
			case '{':
				lerror_rune(l, t, "unexpected left brace ", r);
				return;
			case '}':
				op(l, t, TK_RBRACE);
				l->brace_open = false;
				l->state = l->series ? L_VALUES : L_STATEMENTS;
				return;
			}
			lerror_rune(l, t, "unexpected character inside braces: ", r);
			return;
		}
		/* lexStatements */
		if (l->len - l->pos >= 1 && l->in[l->pos] == '#') {
			while (l->pos < l->len && l->in[l->pos] != '\n' && l->in[l->pos] != '\r')
				l->pos++;
			l->start = l->pos;
			continue;
		}
		r = lnext(l);
		if (r < 0) {
			if (l->paren_depth != 0)
				lerror(l, t, "unclosed left parenthesis");
			else if (l->bracket_open)
				lerror(l, t, "unclosed left bracket");
			else {
				emit(l, t, TK_EOF);
				l->state = L_DONE;
			}
			return;
		}
		if (lex_is_space(r)) {
			while (lex_is_space(lpeek(l)))
				lnext(l);
			l->start = l->pos;
			continue;
		}
		switch (r) {
		case ',': op(l, t, TK_COMMA); return;
		case '*': case '/': case '%': case '^': op(l, t, TK_OP); return;
		case '+': op(l, t, TK_ADD); return;
		case '-': op(l, t, TK_SUB); return;
		case '@': emit(l, t, TK_OP); return;
		case '=': {
			int32_t p = lpeek(l);
			if (p == '=') {
				lnext(l);
				op(l, t, TK_OP);
			} else if (p == '~') {
				lerror_rune(l, t, "unexpected character after '=': ", p);
			} else {
				op(l, t, TK_EQL);
			}
			return;
		}
		case '!': {
			int32_t p = lnext(l);
			if (p == '=')
				op(l, t, TK_OP);
			else
				lerror_rune(l, t, "unexpected character after '!': ", p);
			return;
		}
		case '<': case '>':
			if (lpeek(l) == '=')
				lnext(l);
			op(l, t, TK_OP);
			return;
		case '"': case '\'': case '`':
			l->string_open = (char)r;
			lex_string(l, t);
			return;
		case '(':
			op(l, t, TK_LPAREN);
			l->paren_depth++;
			return;
		case ')':
			op(l, t, TK_RPAREN);
			if (--l->paren_depth < 0)
				lerror_rune(l, t, "unexpected right parenthesis ", r);
			return;
		case '{':
			op(l, t, TK_LBRACE);
			l->brace_open = true;
			l->state = L_BRACES;
			return;
		case '[':
			if (l->bracket_open) {
				lerror_rune(l, t, "unexpected left bracket ", r);
				return;
			}
			op(l, t, TK_LBRACKET);
			l->bracket_open = true;
			return;
		case ']':
			if (!l->bracket_open) {
				lerror_rune(l, t, "unexpected right bracket ", r);
				return;
			}
			op(l, t, TK_RBRACKET);
			l->bracket_open = false;
			return;
		}
		if (lex_is_digit(r) || (r == '.' && lex_is_digit(lpeek(l)))) {
			lbackup(l);
			if (scan_number(l)) {
				emit(l, t, TK_NUMBER);
				return;
			}
			if (accept_remaining_duration(l)) {
				lbackup(l);
				emit(l, t, TK_DURATION);
				return;
			}
			{
				struct buf b = BUF_INIT;
				buf_adds(&b, "bad number or duration syntax: ");
				go_quote(&b, l->in + l->start, l->pos - l->start);
				lerror(l, t, buf_str(&b));
				buf_release(&b);
			}
			return;
		}
		if (lex_is_alpha(r) || r == ':') {
			lbackup(l);
			lex_word(l, t);
			return;
		}
		lerror_rune(l, t, "unexpected character: ", r);
		return;
	}
}

/* Item.desc() */
void sd_token_desc(struct buf *out, const struct token *t)
{
	if (t->t == TK_EOF || t->t == TK_END) {
		buf_adds(out, "end of input");
		return;
	}
	if (!t->str) {
		switch (t->t) {
		case TK_IDENT: buf_adds(out, "identifier "); break;
		case TK_METRIC_IDENT: buf_adds(out, "metric identifier "); break;
		case TK_STRING: buf_adds(out, "string "); break;
		case TK_NUMBER: buf_adds(out, "number "); break;
		case TK_DURATION: buf_adds(out, "duration "); break;
		case TK_OP: buf_adds(out, "\"<Item 57385>\" "); break; /* AT */
		default: break;
		}
	}
	if (t->t == TK_IDENT || t->t == TK_METRIC_IDENT) {
		go_quote(out, t->val, t->len);
	} else if (t->t == TK_KEYWORD) {
		buf_addf(out, "<%.*s>", (int)t->len, t->val);
	} else if (t->str && (t->t == TK_OP || t->t == TK_ADD || t->t == TK_SUB)) {
		buf_addf(out, "<op:%.*s>", (int)t->len, t->val);
	} else if (t->t == TK_AGGR) {
		buf_addf(out, "<aggr:%.*s>", (int)t->len, t->val);
	} else {
		go_quote_trunc(out, t->val, t->len, 10);
	}
}

