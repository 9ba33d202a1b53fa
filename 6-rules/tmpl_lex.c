/*
 * The lexer of the text/template parser (see tmpl_lex.h): Go 1.19's
 * lexText / lexLeftDelim / lexComment / lexInsideAction / lexSpace /
 * lexIdentifier / lexNumber / lexQuote state functions as one loop, plus
 * the strconv literal checks the parser applies to strings and numbers.
 */
#include "6-rules/tmpl_lex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "1-common/gostrconv.h"
#include "1-common/utf8.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h" /* go_quote */

static const struct {
	const char *word;
	enum itype type;
} keywords[] = {
	{ ".", IT_DOT }, { "block", IT_BLOCK }, { "break", IT_BREAK }, { "continue", IT_CONTINUE },
	{ "define", IT_DEFINE }, { "else", IT_ELSE }, { "end", IT_END }, { "if", IT_IF },
	{ "range", IT_RANGE }, { "nil", IT_NIL }, { "template", IT_TEMPLATE }, { "with", IT_WITH },
};

/* Prometheus 2.42's template funcMap, then text/template's builtins. */
bool tmpl_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Go's isAlphaNumeric: '_', unicode.IsLetter, unicode.IsDigit.  ASCII is
 * exact; beyond it the main letter and digit blocks are listed (Latin,
 * Greek, Cyrillic, Armenian, Hebrew, Arabic, Devanagari digits, kana, CJK,
 * Hangul, fullwidth), which covers what appears in rule annotations.
 */
static bool is_alnum(int r)
{
	static const int ranges[][2] = {
		{ 0xAA, 0xAA }, { 0xB5, 0xB5 }, { 0xBA, 0xBA }, { 0xC0, 0xD6 }, { 0xD8, 0xF6 },
		{ 0xF8, 0x2C1 }, { 0x370, 0x373 }, { 0x376, 0x377 }, { 0x37B, 0x37D }, { 0x386, 0x386 },
		{ 0x388, 0x3FF }, { 0x400, 0x481 }, { 0x48A, 0x52F }, { 0x531, 0x556 }, { 0x561, 0x587 },
		{ 0x5D0, 0x5EA }, { 0x620, 0x64A }, { 0x660, 0x669 }, { 0x6F0, 0x6F9 }, { 0x966, 0x96F },
		{ 0x1E00, 0x1FBC }, { 0x3041, 0x3096 }, { 0x30A1, 0x30FA }, { 0x4E00, 0x9FFF },
		{ 0xAC00, 0xD7A3 }, { 0xFF10, 0xFF19 }, { 0xFF21, 0xFF3A }, { 0xFF41, 0xFF5A },
	};

	if (r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
		return true;
	for (size_t i = 0; r >= 0x80 && i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (r >= ranges[i][0] && r <= ranges[i][1])
			return true;
	return false;
}

/* Decodes the rune at l->pos; returns it and its width (0 at EOF). */
int tmpl_rune_at(const struct tmpl_lexer *l, size_t pos, size_t *w)
{
	int32_t r;

	if (pos >= l->len) {
		*w = 0;
		return -1;
	}
	*w = go_decode_rune((const unsigned char *)l->in + pos, l->len - pos, &r);
	return r;
}

static int lnext(struct tmpl_lexer *l, size_t *w)
{
	int r = tmpl_rune_at(l, l->pos, w);
	l->pos += *w;
	if (r == '\n')
		l->line++;
	return r;
}

static void lbackup(struct tmpl_lexer *l, size_t w)
{
	l->pos -= w;
	if (w == 1 && l->in[l->pos] == '\n')
		l->line--;
}

static int lpeek(struct tmpl_lexer *l)
{
	size_t w;
	return tmpl_rune_at(l, l->pos, &w);
}

static bool has_prefix(const struct tmpl_lexer *l, size_t pos, const char *p)
{
	size_t n = strlen(p);
	return pos <= l->len && l->len - pos >= n && memcmp(l->in + pos, p, n) == 0;
}

static struct item lemit(struct tmpl_lexer *l, enum itype t)
{
	struct item it = { t, l->start, l->pos - l->start, l->start_line, NULL };
	l->start = l->pos;
	l->start_line = l->line;
	return it;
}

static void lignore(struct tmpl_lexer *l)
{
	for (size_t i = l->start; i < l->pos; i++)
		l->line += l->in[i] == '\n';
	l->start = l->pos;
	l->start_line = l->line;
}

static struct item lerror(struct tmpl_lexer *l, char *msg)
{
	struct item it = { IT_ERROR, l->start, 0, l->start_line, msg };
	if (l->nmsgs < sizeof(l->msgs) / sizeof(l->msgs[0]))
		l->msgs[l->nmsgs++] = msg;
	l->done = true;
	return it;
}

/* "%#U" of a rune: U+007D '}' */
static char *fmt_rune_u(const char *fmt, int r, const struct tmpl_lexer *l, size_t pos, size_t w)
{
	char u[64];
	if (r < 0x20 || r == 0x7F || r == 0xFFFD)
		snprintf(u, sizeof(u), "U+%04X", (unsigned)r);
	else
		snprintf(u, sizeof(u), "U+%04X '%.*s'", (unsigned)r, (int)w, l->in + pos);
	return xasprintf(fmt, u);
}

static bool at_right_delim(const struct tmpl_lexer *l, bool *trim)
{
	if (l->pos + 1 < l->len && tmpl_is_space(l->in[l->pos]) && l->in[l->pos + 1] == '-' && has_prefix(l, l->pos + 2, "}}")) {
		*trim = true;
		return true;
	}
	*trim = false;
	return has_prefix(l, l->pos, "}}");
}

static bool at_terminator(struct tmpl_lexer *l)
{
	int r = lpeek(l);

	if (tmpl_is_space(r))
		return true;
	switch (r) {
	case -1: case '.': case ',': case '|': case ':': case ')': case '(':
		return true;
	}
	/* Go 1.19 compares the whole right delimiter: "$x}" is a bad character */
	return has_prefix(l, l->pos, "}}");
}

static size_t left_trim_length(const struct tmpl_lexer *l, size_t pos)
{
	size_t n = 0;
	while (pos + n < l->len && tmpl_is_space(l->in[pos + n]))
		n++;
	return n;
}

static bool accept(struct tmpl_lexer *l, const char *valid)
{
	size_t w;
	int r = lnext(l, &w);
	if (r >= 0 && r < 0x80 && strchr(valid, r))
		return true;
	lbackup(l, w);
	return false;
}

static void accept_run(struct tmpl_lexer *l, const char *valid)
{
	while (accept(l, valid))
		;
}

static bool scan_number(struct tmpl_lexer *l)
{
	const char *digits = "0123456789_";
	size_t w;

	accept(l, "+-");
	if (accept(l, "0")) {
		if (accept(l, "xX"))
			digits = "0123456789abcdefABCDEF_";
		else if (accept(l, "oO"))
			digits = "01234567_";
		else if (accept(l, "bB"))
			digits = "01_";
	}
	accept_run(l, digits);
	if (accept(l, "."))
		accept_run(l, digits);
	if (strlen(digits) == 11 && accept(l, "eE")) {
		accept(l, "+-");
		accept_run(l, "0123456789_");
	}
	if (strlen(digits) == 23 && accept(l, "pP")) {
		accept(l, "+-");
		accept_run(l, "0123456789_");
	}
	accept(l, "i");
	if (is_alnum(lpeek(l))) {
		lnext(l, &w);
		return false;
	}
	return true;
}

static struct item lex_quoted(struct tmpl_lexer *l, int quote, enum itype t, const char *unterminated)
{
	size_t w;
	for (;;) {
		int r = lnext(l, &w);
		if (r == '\\' && quote != '`') {
			r = lnext(l, &w);
			if (r != -1 && r != '\n')
				continue;
			return lerror(l, xstrdup(unterminated));
		}
		if (r == -1 || (r == '\n' && quote != '`'))
			return lerror(l, xstrdup(unterminated));
		if (r == quote)
			break;
	}
	return lemit(l, t);
}

/* lexText: text up to the next "{{" (trimmed before "{{- "), or EOF. */
static bool lex_text(struct tmpl_lexer *l, struct item *out)
{
	const char *p = l->pos < l->len ? memmem(l->in + l->pos, l->len - l->pos, "{{", 2) : NULL;
	size_t trim = 0;

	if (!p) {
		l->pos = l->len;
		if (l->pos > l->start) {
			for (size_t i = l->start; i < l->pos; i++)
				l->line += l->in[i] == '\n';
			*out = lemit(l, IT_TEXT);
			return true;
		}
		l->done = true;
		*out = lemit(l, IT_EOF);
		return true;
	}
	l->pos = (size_t)(p - l->in);
	if (l->pos + 3 < l->len && l->in[l->pos + 2] == '-' && tmpl_is_space(l->in[l->pos + 3]))
		while (trim < l->pos - l->start && tmpl_is_space(l->in[l->pos - 1 - trim]))
			trim++;
	l->pos -= trim;
	l->state = LS_LEFT_DELIM;
	if (l->pos > l->start) {
		for (size_t i = l->start; i < l->pos; i++)
			l->line += l->in[i] == '\n';
		*out = lemit(l, IT_TEXT);
		l->pos += trim;
		lignore(l);
		return true;
	}
	l->pos += trim;
	lignore(l);
	return false;
}

/* lexLeftDelim (and lexComment); false when a comment was skipped. */
static bool lex_left_delim(struct tmpl_lexer *l, struct item *out)
{
	size_t after = 0;
	bool trim;

	l->pos += 2;
	if (l->pos + 1 < l->len && l->in[l->pos] == '-' && tmpl_is_space(l->in[l->pos + 1]))
		after = 2;
	if (has_prefix(l, l->pos + after, "/*")) {
		const char *e;
		l->pos += after;
		lignore(l);
		l->pos += 2;
		e = l->pos < l->len ? memmem(l->in + l->pos, l->len - l->pos, "*/", 2) : NULL;
		if (!e) {
			*out = lerror(l, xstrdup("unclosed comment"));
			return true;
		}
		l->pos = (size_t)(e - l->in) + 2;
		if (!at_right_delim(l, &trim)) {
			*out = lerror(l, xstrdup("comment ends before closing delimiter"));
			return true;
		}
		l->pos += (trim ? 2 : 0) + 2;
		if (trim)
			l->pos += left_trim_length(l, l->pos);
		lignore(l);
		l->state = LS_TEXT;
		return false;
	}
	l->state = LS_INSIDE;
	*out = lemit(l, IT_LDELIM);
	l->pos += after;
	lignore(l);
	l->paren_depth = 0;
	return true;
}

static struct item bad_number(struct tmpl_lexer *l)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "bad number syntax: ");
	go_quote(&b, l->in + l->start, l->pos - l->start);
	return lerror(l, buf_detach(&b, NULL));
}

/* lexFieldOrVariable / lexIdentifier: a run of alphanumerics that must end
 * at a terminator. */
static bool lex_word(struct tmpl_lexer *l, struct item *err)
{
	size_t w, at;
	int c;

	for (;;) {
		at = l->pos;
		c = lnext(l, &w);
		if (!is_alnum(c)) {
			lbackup(l, w);
			break;
		}
	}
	if (!at_terminator(l)) {
		*err = lerror(l, fmt_rune_u("bad character %s", c, l, at, w));
		return false;
	}
	return true;
}

/* One item; Go's lexer state functions folded into a loop. */
struct item tmpl_lex_item(struct tmpl_lexer *l)
{
	struct item it;
	size_t w, at;
	bool trim;
	int r;

	if (l->pending_error) {
		char *m = l->pending_error;
		l->pending_error = NULL;
		return lerror(l, m);
	}
	if (l->done)
		return lemit(l, IT_EOF);
	for (;;) {
		if (l->state == LS_TEXT) {
			if (lex_text(l, &it))
				return it;
			continue;
		}
		if (l->state == LS_LEFT_DELIM) {
			if (lex_left_delim(l, &it))
				return it;
			continue;
		}
		/* lexInsideAction */
		if (at_right_delim(l, &trim)) {
			if (l->paren_depth != 0)
				return lerror(l, xstrdup("unclosed left paren"));
			if (trim) {
				l->pos += 2;
				lignore(l);
			}
			l->pos += 2;
			it = lemit(l, IT_RDELIM);
			if (trim) {
				l->pos += left_trim_length(l, l->pos);
				lignore(l);
			}
			l->state = LS_TEXT;
			return it;
		}
		at = l->pos;
		r = lnext(l, &w);
		if (r == -1)
			return lerror(l, xstrdup("unclosed action"));
		if (tmpl_is_space(r)) {
			int spaces = 0;
			lbackup(l, w);
			while (tmpl_is_space(lpeek(l))) {
				lnext(l, &w);
				spaces++;
			}
			/* the last space may start a trim-marked " -}}" */
			if (l->pos < l->len && l->in[l->pos] == '-' && has_prefix(l, l->pos + 1, "}}")) {
				lbackup(l, 1);
				if (spaces == 1)
					continue;
			}
			return lemit(l, IT_SPACE);
		}
		switch (r) {
		case '=': return lemit(l, IT_ASSIGN);
		case ':':
			if (lnext(l, &w) != '=')
				return lerror(l, xstrdup("expected :="));
			return lemit(l, IT_DECLARE);
		case '|': return lemit(l, IT_PIPE);
		case '"': return lex_quoted(l, '"', IT_STRING, "unterminated quoted string");
		case '`': return lex_quoted(l, '`', IT_RAWSTRING, "unterminated raw quoted string");
		case '\'': return lex_quoted(l, '\'', IT_CHARCONST, "unterminated character constant");
		case '$':
			if (at_terminator(l))
				return lemit(l, IT_VARIABLE);
			return lex_word(l, &it) ? lemit(l, IT_VARIABLE) : it;
		case '(':
			l->paren_depth++;
			return lemit(l, IT_LPAREN);
		case ')':
			it = lemit(l, IT_RPAREN);
			if (--l->paren_depth < 0)
				l->pending_error = fmt_rune_u("unexpected right paren %s", r, l, at, w);
			return it;
		default:
			break;
		}
		/* '.' starts a field unless a digit follows -- or nothing does: then
		 * it is lexed as a number */
		if (r == '.' && l->pos < l->len && !(l->in[l->pos] >= '0' && l->in[l->pos] <= '9')) {
			if (at_terminator(l))
				return lemit(l, IT_DOT);
			return lex_word(l, &it) ? lemit(l, IT_FIELD) : it;
		}
		if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9')) {
			lbackup(l, w);
			if (!scan_number(l))
				return bad_number(l);
			if (lpeek(l) == '+' || lpeek(l) == '-') {
				if (!scan_number(l) || l->in[l->pos - 1] != 'i')
					return bad_number(l);
				return lemit(l, IT_COMPLEX);
			}
			return lemit(l, IT_NUMBER);
		}
		if (is_alnum(r)) {
			size_t wlen;
			if (!lex_word(l, &it))
				return it;
			wlen = l->pos - l->start;
			for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
				if (strlen(keywords[k].word) == wlen && !memcmp(keywords[k].word, l->in + l->start, wlen))
					return lemit(l, keywords[k].type);
			if ((wlen == 4 && !memcmp(l->in + l->start, "true", 4)) ||
			    (wlen == 5 && !memcmp(l->in + l->start, "false", 5)))
				return lemit(l, IT_BOOL);
			return lemit(l, IT_IDENT);
		}
		if (r >= 0x20 && r < 0x7F)
			return lemit(l, IT_CHAR);
		return lerror(l, fmt_rune_u("unrecognized character in action: %s", r, l, at, w));
	}
}

void tmpl_lex_init(struct tmpl_lexer *l, const char *in, size_t len)
{
	memset(l, 0, sizeof(*l));
	l->in = in ? in : "";
	l->len = len;
	l->line = l->start_line = 1;
	l->state = LS_TEXT;
}

void tmpl_lex_release(struct tmpl_lexer *l)
{
	for (size_t i = 0; i < l->nmsgs; i++)
		free(l->msgs[i]);
	free(l->pending_error);
	l->nmsgs = 0;
	l->pending_error = NULL;
}

/* ---- literals ---------------------------------------------------------- */

size_t tmpl_unquote_char(const char *s, size_t n, char quote)
{
	uint32_t v;
	bool is_byte;
	size_t k;

	if (n == 0)
		return 0;
	if (s[0] == quote && (quote == '\'' || quote == '"'))
		return 0;
	if (s[0] != '\\') {
		size_t w = 1;
		if ((unsigned char)s[0] >= 0x80)
			while (w < 4 && w < n && ((unsigned char)s[w] & 0xC0) == 0x80 && !go_utf8_valid(s, w))
				w++;
		return w;
	}
	if (go_unescape(s, n, quote, &v, &is_byte, &k) < 0)
		return 0;
	return k;
}

bool tmpl_unquote_ok(const char *s, size_t n)
{
	if (n < 2 || s[0] != s[n - 1])
		return false;
	if (s[0] == '`')
		return memchr(s + 1, '`', n - 2) == NULL;
	if (s[0] != '"')
		return false;
	for (size_t i = 1; i < n - 1;) {
		size_t k;
		if (s[i] == '\n')
			return false;
		k = tmpl_unquote_char(s + i, n - 1 - i, '"');
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* Tree.newNumber()'s checks. */
void tmpl_unquote_to(struct buf *out, const char *s, size_t n)
{
	buf_reset(out);
	if (s[0] == '`') {
		for (size_t i = 1; i + 1 < n; i++)
			if (s[i] != '\r')
				buf_addc(out, (unsigned char)s[i]);
		return;
	}
	for (size_t i = 1; i + 1 < n;) {
		size_t k = tmpl_unquote_char(s + i, n - 1 - i, '"');

		if (s[i] != '\\') {
			buf_add(out, s + i, k);
		} else {
			uint32_t v;
			bool is_byte;

			go_unescape(s + i, n - 1 - i, '"', &v, &is_byte, &k); /* checked by tmpl_unquote_ok */
			go_unescape_put(out, v, is_byte);
		}
		i += k;
	}
}

/* The unquoted name goes to c->name (valid until the next call). */
