/*
 * The PromQL lexer: a port of the behaviour (not the code) of 2.42's
 * promql/parser/lex.go, including its error texts and the position each
 * error is reported at (the start of the item being scanned).
 *
 * Series-description mode (used only by promtool's unit-test files) is not
 * part of this lexer.
 */
#include <string.h>

#include "4-promql/gostr.h"
#include "4-promql/lex.h"

/* lex.go's state functions collapse to two here: after "[" a duration
 * is lexed next; otherwise the brace flag picks statements vs matchers. */
enum state {
	ST_STATEMENTS,
	ST_DURATION,
	ST_DURATION_EXPR, /* 3.4: lexDurationExpr until the "]" */
};

#define EOF_RUNE (-1)

static const struct {
	const char *word;
	enum promql_tok tok;
} keywords[] = {
	{ "and", PQT_LAND }, { "or", PQT_LOR }, { "unless", PQT_LUNLESS },
	{ "atan2", PQT_ATAN2 }, { "sum", PQT_SUM }, { "avg", PQT_AVG },
	{ "count", PQT_COUNT }, { "min", PQT_MIN }, { "max", PQT_MAX },
	{ "group", PQT_GROUP }, { "stddev", PQT_STDDEV }, { "stdvar", PQT_STDVAR },
	{ "topk", PQT_TOPK }, { "bottomk", PQT_BOTTOMK },
	{ "count_values", PQT_COUNT_VALUES }, { "quantile", PQT_QUANTILE },
	{ "offset", PQT_OFFSET }, { "by", PQT_BY }, { "without", PQT_WITHOUT },
	{ "on", PQT_ON }, { "ignoring", PQT_IGNORING },
	{ "group_left", PQT_GROUP_LEFT }, { "group_right", PQT_GROUP_RIGHT },
	{ "bool", PQT_BOOL }, { "start", PQT_START }, { "end", PQT_END },
	/* 3.7 (ext_keywords only) */
	{ "anchored", PQT_ANCHORED }, { "smoothed", PQT_SMOOTHED },
	/* 2.42 adds these two to the keyword map as numbers */
	{ "inf", PQT_NUMBER }, { "nan", PQT_NUMBER },
};

static const struct {
	char cls;
	const char *text;
} tok_info[] = {
#define PROMQL_X_(id, cls, text) { cls, text },
	PROMQL_TOKENS(PROMQL_X_)
#undef PROMQL_X_
};

const char *promql_tok_text(enum promql_tok t)
{
	return tok_info[t].text[0] ? tok_info[t].text : NULL;
}

char promql_tok_class(enum promql_tok t)
{
	return tok_info[t].cls;
}

void promql_lexer_init(struct promql_lexer *l, const char *input, size_t len)
{
	memset(l, 0, sizeof(*l));
	l->input = input;
	l->len = len;
	l->state = ST_STATEMENTS;
	buf_init(&l->msg);
}

void promql_lexer_release(struct promql_lexer *l)
{
	buf_release(&l->msg);
}

/* Like lex.go's next(): decodes one rune (invalid bytes give U+FFFD, width 1). */
static int32_t lx_next(struct promql_lexer *l, size_t *width)
{
	int32_t r;
	size_t w;

	if (l->pos >= l->len) {
		*width = 0;
		return EOF_RUNE;
	}
	w = go_decode_rune((const unsigned char *)l->input + l->pos, l->len - l->pos, &r);
	l->pos += w;
	*width = w;
	return r;
}

/* Scanner state kept across next/backup within one token. */
struct scan {
	struct promql_lexer *l;
	size_t width;
};

static int32_t next(struct scan *s)
{
	return lx_next(s->l, &s->width);
}

static void backup(struct scan *s)
{
	s->l->pos -= s->width;
}

static int32_t peek(struct scan *s)
{
	int32_t r = next(s);
	backup(s);
	return r;
}

static bool accept(struct scan *s, const char *valid)
{
	int32_t r = next(s);
	if (r > 0 && r < 128 && strchr(valid, (int)r))
		return true;
	backup(s);
	return false;
}

static void accept_run(struct scan *s, const char *valid)
{
	while (accept(s, valid))
		;
}

static void emit(struct promql_lexer *l, struct promql_token *out, enum promql_tok t)
{
	out->type = t;
	out->pos = (int)l->start;
	out->val = l->input + l->start;
	out->len = l->pos - l->start;
	l->start = l->pos;
}

/* lex.go's errorf: an ERROR item at the start of the current item. */
static void errorf_tok(struct promql_lexer *l, struct promql_token *out)
{
	out->type = PQT_ERROR;
	out->pos = (int)l->start;
	out->val = buf_str(&l->msg);
	out->len = l->msg.len;
	l->done = true;
}

static void error_rune(struct promql_lexer *l, struct promql_token *out, const char *prefix, int32_t r)
{
	buf_reset(&l->msg);
	buf_adds(&l->msg, prefix);
	go_quote_rune(&l->msg, r);
	errorf_tok(l, out);
}

static void error_str(struct promql_lexer *l, struct promql_token *out, const char *msg)
{
	buf_reset(&l->msg);
	buf_adds(&l->msg, msg);
	errorf_tok(l, out);
}

static void error_quoted(struct promql_lexer *l, struct promql_token *out, const char *prefix)
{
	buf_reset(&l->msg);
	buf_adds(&l->msg, prefix);
	go_quote(&l->msg, l->input + l->start, l->pos - l->start);
	errorf_tok(l, out);
}

/* scanNumber of lex.go (never in series-description mode here). */
static bool scan_number(struct scan *s)
{
	const char *digits = "0123456789";

	if (accept(s, "0") && accept(s, "xX"))
		digits = "0123456789abcdefABCDEF";
	accept_run(s, digits);
	if (accept(s, "."))
		accept_run(s, digits);
	if (accept(s, "eE")) {
		accept(s, "+-");
		accept_run(s, "0123456789");
	}
	return !lex_is_alnum(peek(s));
}

static bool accept_remaining_duration(struct scan *s)
{
	if (!accept(s, "smhdwy"))
		return false;
	accept(s, "s");
	while (accept(s, "0123456789")) {
		while (accept(s, "0123456789"))
			;
		if (!accept(s, "smhdw"))
			return false;
		accept(s, "s");
	}
	return !lex_is_alnum(next(s));
}

/* lexEscape: validates one escape; on error emits it (the item is the string). */
static bool lex_escape(struct scan *s, struct promql_token *out)
{
	struct promql_lexer *l = s->l;
	int32_t ch = next(s);
	int n;
	uint32_t base, max, x = 0;

	switch (ch) {
	case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v': case '\\':
		return true;
	case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		n = 3, base = 8, max = 255;
		break;
	case 'x':
		ch = next(s);
		n = 2, base = 16, max = 255;
		break;
	case 'u':
		ch = next(s);
		n = 4, base = 16, max = 0x10FFFF;
		break;
	case 'U':
		ch = next(s);
		n = 8, base = 16, max = 0x10FFFF;
		break;
	case EOF_RUNE:
		error_str(l, out, "escape sequence not terminated");
		return false;
	default:
		if (ch == l->string_open)
			return true;
		buf_reset(&l->msg);
		buf_adds(&l->msg, "unknown escape sequence ");
		go_fmt_sharp_U(&l->msg, ch);
		errorf_tok(l, out);
		return false;
	}
	while (n > 0) {
		uint32_t d = 16;
		if (ch >= '0' && ch <= '9')
			d = (uint32_t)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (uint32_t)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			d = (uint32_t)(ch - 'A' + 10);
		if (d >= base) {
			if (ch == EOF_RUNE) {
				error_str(l, out, "escape sequence not terminated");
				return false;
			}
			buf_reset(&l->msg);
			buf_adds(&l->msg, "illegal character ");
			go_fmt_sharp_U(&l->msg, ch);
			buf_adds(&l->msg, " in escape sequence");
			errorf_tok(l, out);
			return false;
		}
		x = x * base + d;
		n--;
		if (n > 0)
			ch = next(s);
	}
	if (x > max || (x >= 0xD800 && x < 0xE000)) {
		error_str(l, out, "escape sequence is an invalid Unicode code point");
		return false;
	}
	return true;
}

static void lex_string(struct scan *s, struct promql_token *out)
{
	struct promql_lexer *l = s->l;

	for (;;) {
		int32_t r = next(s);
		if (r == '\\') {
			if (!lex_escape(s, out))
				return;
			continue;
		}
		if (r == 0xFFFD) {
			error_str(l, out, "invalid UTF-8 rune");
			return;
		}
		if (r == EOF_RUNE || r == '\n') {
			error_str(l, out, "unterminated quoted string");
			return;
		}
		if (r == l->string_open)
			break;
	}
	emit(l, out, PQT_STRING);
}

static void lex_raw_string(struct scan *s, struct promql_token *out)
{
	struct promql_lexer *l = s->l;

	for (;;) {
		int32_t r = next(s);
		if (r == 0xFFFD) {
			error_str(l, out, "invalid UTF-8 rune");
			return;
		}
		if (r == EOF_RUNE) {
			error_str(l, out, "unterminated raw string");
			return;
		}
		if (r == l->string_open)
			break;
	}
	emit(l, out, PQT_STRING);
}

static void lex_duration(struct scan *s, struct promql_token *out)
{
	struct promql_lexer *l = s->l;

	if (scan_number(s)) {
		error_str(l, out, "missing unit character in duration");
		return;
	}
	if (!accept_remaining_duration(s)) {
		error_quoted(l, out, "bad duration syntax: ");
		return;
	}
	backup(s);
	emit(l, out, PQT_DURATION);
}

static void lex_number_or_duration(struct scan *s, struct promql_token *out)
{
	struct promql_lexer *l = s->l;

	if (scan_number(s)) {
		emit(l, out, PQT_NUMBER);
		return;
	}
	if (accept_remaining_duration(s)) {
		backup(s);
		emit(l, out, PQT_DURATION);
		return;
	}
	error_quoted(l, out, "bad number or duration syntax: ");
}

static void lex_keyword_or_identifier(struct scan *s, struct promql_token *out)
{
	struct promql_lexer *l = s->l;
	size_t n;
	bool colon;

	for (;;) {
		int32_t r = next(s);
		if (!lex_is_alnum(r) && r != ':') {
			backup(s);
			break;
		}
	}
	n = l->pos - l->start;
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (strlen(keywords[i].word) == n && !strncasecmp(keywords[i].word, l->input + l->start, n)) {
			if ((keywords[i].tok == PQT_ANCHORED || keywords[i].tok == PQT_SMOOTHED) && !l->ext_keywords)
				break;
			emit(l, out, keywords[i].tok);
			return;
		}
	}
	if (l->limitk && ((n == 6 && !strncasecmp(l->input + l->start, "limitk", 6)) ||
			  (n == 11 && !strncasecmp(l->input + l->start, "limit_ratio", 11)))) {
		emit(l, out, n == 6 ? PQT_LIMITK : PQT_LIMIT_RATIO);
		return;
	}
	colon = memchr(l->input + l->start, ':', n) != NULL;
	emit(l, out, colon ? PQT_METRIC_IDENTIFIER : PQT_IDENTIFIER);
}

static bool has_comment(struct promql_lexer *l)
{
	return l->pos < l->len && l->input[l->pos] == '#';
}

static void lex_line_comment(struct scan *s, struct promql_token *out)
{
	struct promql_lexer *l = s->l;
	int32_t r;

	l->pos += 1;
	do
		r = next(s);
	while (r != '\r' && r != '\n' && r != EOF_RUNE);
	backup(s);
	emit(l, out, PQT_COMMENT);
}

static void skip_spaces(struct scan *s)
{
	while (lex_is_space(peek(s)))
		next(s);
	s->l->start = s->l->pos;
}

/* One step of lexStatements; returns true when a token was produced. */
static bool lex_statements(struct scan *s, struct promql_token *out)
{
	struct promql_lexer *l = s->l;
	int32_t r, t;

	if (has_comment(l)) {
		lex_line_comment(s, out);
		return true;
	}
	r = next(s);
	switch (r) {
	case EOF_RUNE:
		if (l->paren_depth != 0)
			error_str(l, out, "unclosed left parenthesis");
		else if (l->bracket_open)
			error_str(l, out, "unclosed left bracket");
		else {
			emit(l, out, PQT_EOF);
			l->done = true;
		}
		return true;
	case ',': emit(l, out, PQT_COMMA); return true;
	case '*': emit(l, out, PQT_MUL); return true;
	case '/': emit(l, out, PQT_DIV); return true;
	case '%': emit(l, out, PQT_MOD); return true;
	case '+': emit(l, out, PQT_ADD); return true;
	case '-': emit(l, out, PQT_SUB); return true;
	case '^': emit(l, out, PQT_POW); return true;
	case '@': emit(l, out, PQT_AT); return true;
	case '=':
		t = peek(s);
		if (t == '=') {
			next(s);
			emit(l, out, PQT_EQLC);
		} else if (t == '~') {
			error_rune(l, out, "unexpected character after '=': ", t);
		} else {
			emit(l, out, PQT_EQL);
		}
		return true;
	case '!':
		t = next(s);
		if (t == '=')
			emit(l, out, PQT_NEQ);
		else
			error_rune(l, out, "unexpected character after '!': ", t);
		return true;
	case '<':
		if (peek(s) == '=') {
			next(s);
			emit(l, out, PQT_LTE);
		} else {
			emit(l, out, PQT_LSS);
		}
		return true;
	case '>':
		if (peek(s) == '=') {
			next(s);
			emit(l, out, PQT_GTE);
		} else {
			emit(l, out, PQT_GTR);
		}
		return true;
	case '"': case '\'':
		l->string_open = r;
		lex_string(s, out);
		return true;
	case '`':
		l->string_open = r;
		lex_raw_string(s, out);
		return true;
	case '(':
		emit(l, out, PQT_LEFT_PAREN);
		l->paren_depth++;
		return true;
	case ')':
		emit(l, out, PQT_RIGHT_PAREN);
		l->paren_depth--;
		/* 2.42 overwrites the ")" just emitted: the error is after it */
		if (l->paren_depth < 0)
			error_rune(l, out, "unexpected right parenthesis ", r);
		return true;
	case '{':
		emit(l, out, PQT_LEFT_BRACE);
		l->brace_open = true;
		return true;
	case '[':
		if (l->bracket_open) {
			error_rune(l, out, "unexpected left bracket ", r);
			return true;
		}
		l->got_colon = false;
		emit(l, out, PQT_LEFT_BRACKET);
		if (lex_is_space(peek(s)))
			skip_spaces(s);
		l->bracket_open = true;
		l->state = l->duration_exprs ? ST_DURATION_EXPR : ST_DURATION;
		return true;
	case ']':
		if (!l->bracket_open) {
			error_rune(l, out, "unexpected right bracket ", r);
			return true;
		}
		emit(l, out, PQT_RIGHT_BRACKET);
		l->bracket_open = false;
		return true;
	}
	if (lex_is_space(r)) {
		skip_spaces(s);
		return false;
	}
	if (lex_is_digit(r) || (r == '.' && lex_is_digit(peek(s)))) {
		backup(s);
		lex_number_or_duration(s, out);
		return true;
	}
	if (lex_is_alpha(r) || r == ':') {
		if (!l->bracket_open) {
			backup(s);
			lex_keyword_or_identifier(s, out);
			return true;
		}
		if (l->got_colon) {
			error_rune(l, out, "unexpected colon ", r);
			return true;
		}
		emit(l, out, PQT_COLON);
		l->got_colon = true;
		return true;
	}
	error_rune(l, out, "unexpected character: ", r);
	return true;
}

static bool lex_inside_braces(struct scan *s, struct promql_token *out)
{
	struct promql_lexer *l = s->l;
	int32_t r;

	if (has_comment(l)) {
		lex_line_comment(s, out);
		return true;
	}
	r = next(s);
	if (r == EOF_RUNE) {
		error_str(l, out, "unexpected end of input inside braces");
		return true;
	}
	if (lex_is_space(r)) {
		skip_spaces(s);
		return false;
	}
	if (lex_is_alpha(r)) {
		while (lex_is_alnum(next(s)))
			;
		backup(s);
		emit(l, out, PQT_IDENTIFIER);
		return true;
	}
	switch (r) {
	case ',':
		emit(l, out, PQT_COMMA);
		return true;
	case '"': case '\'':
		l->string_open = r;
		lex_string(s, out);
		return true;
	case '`':
		l->string_open = r;
		lex_raw_string(s, out);
		return true;
	case '=':
		if (next(s) == '~') {
			emit(l, out, PQT_EQL_REGEX);
		} else {
			backup(s);
			emit(l, out, PQT_EQL);
		}
		return true;
	case '!': {
		int32_t nr = next(s);
		if (nr == '~')
			emit(l, out, PQT_NEQ_REGEX);
		else if (nr == '=')
			emit(l, out, PQT_NEQ);
		else
			error_rune(l, out, "unexpected character after '!' inside braces: ", nr);
		return true;
	}
	case '{':
		error_rune(l, out, "unexpected left brace ", r);
		return true;
	case '}':
		emit(l, out, PQT_RIGHT_BRACE);
		l->brace_open = false;
		return true;
	}
	error_rune(l, out, "unexpected character inside braces: ", r);
	return true;
}

/*
 * scanDurationKeyword (3.6): letters from the current one on, a duration
 * keyword of the release whatever their case, emitted as an identifier
 * for the parser to read; false when the word is none.
 */
static bool scan_duration_keyword(struct scan *s, struct promql_token *out)
{
	static const struct {
		const char *w;
		unsigned set;
	} words[] = {
		{ "step", LEX_DUR_STEP }, { "range", LEX_DUR_RANGE },
		{ "min", LEX_DUR_MIN_MAX }, { "max", LEX_DUR_MIN_MAX },
		{ "min_of", LEX_DUR_MIN_MAX_OF }, { "max_of", LEX_DUR_MIN_MAX_OF },
	};
	struct promql_lexer *l = s->l;
	size_t n;

	while (lex_is_alpha(next(s)))
		;
	backup(s);
	n = l->pos - l->start;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if ((l->dur_keywords & words[i].set) && strlen(words[i].w) == n &&
		    !strncasecmp(words[i].w, l->input + l->start, n)) {
			emit(l, out, PQT_IDENTIFIER);
			return true;
		}
	}
	return false;
}

/* The first letters of the release's duration keywords (s, m; r from 3.10). */
static bool duration_keyword_start(const struct promql_lexer *l, int32_t r)
{
	if (r >= 'A' && r <= 'Z')
		r += 'a' - 'A';
	if (r == 's')
		return l->dur_keywords & LEX_DUR_STEP;
	if (r == 'm')
		return l->dur_keywords & (LEX_DUR_MIN_MAX | LEX_DUR_MIN_MAX_OF);
	return r == 'r' && (l->dur_keywords & LEX_DUR_RANGE);
}

/* One token of 3.4's lexDurationExpr; returns false after skipping spaces. */
static bool lex_duration_expr(struct scan *s, struct promql_token *out)
{
	struct promql_lexer *l = s->l;
	int32_t r = next(s);
	static const char ops[] = "+-*/%^";
	static const enum promql_tok op_tok[] = { PQT_ADD, PQT_SUB, PQT_MUL, PQT_DIV, PQT_MOD, PQT_POW };
	const char *op;

	if (r == EOF_RUNE) {
		error_str(l, out, "unexpected end of input in duration expression");
	} else if (r == ']') {
		emit(l, out, PQT_RIGHT_BRACKET);
		l->bracket_open = false;
		l->got_colon = false;
		l->state = ST_STATEMENTS;
	} else if (r == ':') {
		if (!l->got_duration)
			error_str(l, out, "unexpected colon before duration in duration expression");
		else if (l->got_colon)
			error_str(l, out, "unexpected repeated colon in duration expression");
		else
			emit(l, out, PQT_COLON);
		l->got_colon = true;
	} else if (r == '(') {
		emit(l, out, PQT_LEFT_PAREN);
		l->paren_depth++;
	} else if (r == ')') {
		if (--l->paren_depth < 0)
			error_rune(l, out, "unexpected right parenthesis ", r);
		else
			emit(l, out, PQT_RIGHT_PAREN);
	} else if (lex_is_space(r)) {
		skip_spaces(s);
		return false;
	} else if (r > 0 && r < 128 && (op = strchr(ops, (char)r)) != NULL) {
		emit(l, out, op_tok[op - ops]);
	} else if (r == ',' && l->dur_keywords) {
		emit(l, out, PQT_COMMA); /* 3.6: min(a, b) */
	} else if (duration_keyword_start(l, r)) {
		if (!scan_duration_keyword(s, out))
			error_rune(l, out, "unexpected character in duration expression: ", r);
	} else if (lex_is_digit(r) || (r == '.' && lex_is_digit(peek(s)))) {
		backup(s);
		l->got_duration = true;
		lex_number_or_duration(s, out);
	} else {
		error_rune(l, out, "unexpected character in duration expression: ", r);
	}
	return true;
}

void promql_lexer_next(struct promql_lexer *l, struct promql_token *out)
{
	struct scan s = { l, 0 };

	if (l->done) {
		out->type = PQT_EOF;
		out->pos = (int)l->pos;
		out->val = l->input + l->pos;
		out->len = 0;
		return;
	}
	for (;;) {
		if (l->state == ST_DURATION_EXPR) {
			if (lex_duration_expr(&s, out))
				return;
			continue;
		}
		if (l->state == ST_DURATION) {
			l->state = ST_STATEMENTS;
			if (l->float_durations)
				lex_number_or_duration(&s, out); /* 2.54 (#9138) */
			else
				lex_duration(&s, out);
			return;
		}
		if (l->brace_open) {
			if (lex_inside_braces(&s, out))
				return;
		} else if (lex_statements(&s, out)) {
			return;
		}
	}
}

void promql_token_desc(struct buf *out, const struct promql_token *tok)
{
	char cls = promql_tok_class(tok->type);
	bool in_str = promql_tok_text(tok->type) != NULL;

	if (tok->type == PQT_EOF) {
		buf_adds(out, "end of input");
		return;
	}
	if (!in_str) {
		switch (tok->type) {
		case PQT_IDENTIFIER: buf_adds(out, "identifier "); break;
		case PQT_METRIC_IDENTIFIER: buf_adds(out, "metric identifier "); break;
		case PQT_STRING: buf_adds(out, "string "); break;
		case PQT_NUMBER: buf_adds(out, "number "); break;
		case PQT_DURATION: buf_adds(out, "duration "); break;
		case PQT_AT:
			/* goyacc's number for AT, which has no ItemTypeStr entry */
			buf_adds(out, "\"<Item 57385>\" ");
			break;
		default: break;
		}
	}
	/* Item.String() */
	if (tok->type == PQT_IDENTIFIER || tok->type == PQT_METRIC_IDENTIFIER) {
		go_quote(out, tok->val, tok->len);
	} else if (cls == 'k') {
		buf_addc(out, '<');
		buf_add(out, tok->val, tok->len);
		buf_addc(out, '>');
	} else if (cls == 'o') {
		buf_adds(out, "<op:");
		buf_add(out, tok->val, tok->len);
		buf_addc(out, '>');
	} else if (cls == 'a') {
		buf_adds(out, "<aggr:");
		buf_add(out, tok->val, tok->len);
		buf_addc(out, '>');
	} else {
		go_quote_trunc(out, tok->val, tok->len, 10);
	}
}
