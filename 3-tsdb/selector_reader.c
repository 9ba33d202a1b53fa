/*
 * Metric selectors for --match (upstream v2.42.0 promql/parser
 * ParseMetricSelector): an optional metric name, then optional braces with
 * comma-separated `label op string` (op one of = != =~ !~, strings in Go's
 * "double", 'single' or `raw` quotes).  Unlike a selector inside an
 * expression, ParseMetricSelector does not demand a non-empty matcher, which
 * is what lets promtool's default {__name__=~'(?s:.*)'} through.
 */
#include "3-tsdb/selector_reader.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/gostrconv.h"
#include "1-common/xalloc.h"
#include "2-model/matcher.h"
#include "2-model/regex.h"

void tsdb_selector_init(struct tsdb_selector *s)
{
	memset(s, 0, sizeof(*s));
}

void tsdb_selector_release(struct tsdb_selector *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->m[i].re)
			label_regex_free(s->m[i].re);
	for (size_t i = 0; i < s->nowned; i++)
		free(s->owned[i]);
	free(s->m);
	free(s->owned);
	tsdb_selector_init(s);
}

static const char *own(struct tsdb_selector *s, char *p)
{
	ALLOC_GROW(s->owned, s->nowned + 1, s->owned_cap);
	s->owned[s->nowned++] = p;
	return p;
}

int tsdb_regex_compile(void **out, const char *re, size_t len, struct err *e)
{
	struct buf msg = BUF_INIT;
	int ret = 0;

	/* Go's RE2 syntax check and error words, then RE2 (2-model/regex.h) */
	*out = NULL;
	if (label_regex_compile(out, re, len, &msg) < 0)
		ret = err_set(e, "%s", buf_str(&msg));
	buf_release(&msg);
	return ret;
}

struct lex {
	const char *s;
	size_t pos;
};

static void skip_ws(struct lex *l)
{
	while (l->s[l->pos] == ' ' || l->s[l->pos] == '\t' || l->s[l->pos] == '\n' || l->s[l->pos] == '\r')
		l->pos++;
}

static bool ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool ident_char(char c, bool colon)
{
	return ident_start(c) || (c >= '0' && c <= '9') || (colon && c == ':');
}

static int fail(struct lex *l, struct err *e, const char *what)
{
	/* inside braces, running out of input is one error in 2.42's words */
	if (!l->s[l->pos] && l->pos && strchr(l->s, '{'))
		what = "unexpected end of input inside braces";
	return err_set(e, "1:%zu: parse error: %s", l->pos + 1, what);
}


/* A Go string literal (strconv.Unquote rules) into out. */
static int lex_string(struct lex *l, struct buf *out, struct err *e)
{
	char q = l->s[l->pos];
	size_t start, end;
	uint32_t v;
	bool is_byte;
	int rc;

	if (q != '"' && q != '\'' && q != '`')
		return fail(l, e, "unexpected character in label matcher, expected string");
	l->pos++;
	for (;;) {
		char c = l->s[l->pos];
		if (!c || (c == '\n' && q != '`'))
			return fail(l, e, "unterminated quoted string");
		l->pos++;
		if (c == q)
			return 0;
		if (c != '\\' || q == '`') {
			buf_addc(out, (unsigned char)c);
			continue;
		}
		start = l->pos - 1;
		rc = go_unescape(l->s + start, strlen(l->s + start), q, &v, &is_byte, &end);
		l->pos = start + end;
		if (rc == GO_ESC_UNKNOWN)
			return fail(l, e, "unknown escape sequence");
		if (rc < 0)
			return fail(l, e, "invalid escape sequence");
		go_unescape_put(out, v, is_byte);
	}
}

static int add_matcher(struct tsdb_selector *s, enum label_match_type t, const char *name, struct buf *val,
		       struct err *e)
{
	struct label_matcher *m;
	size_t vl = val->len;
	char *v = buf_detach(val, NULL);

	ALLOC_GROW(s->m, s->n + 1, s->cap);
	m = &s->m[s->n];
	memset(m, 0, sizeof(*m));
	m->type = t;
	m->name = name;
	m->value = own(s, v ? v : xstrdup(""));
	m->value_len = vl;
	if ((t == LABEL_MATCH_REGEXP || t == LABEL_MATCH_NOT_REGEXP) &&
	    tsdb_regex_compile(&m->re, m->value, vl, e) < 0)
		return -1;
	s->n++;
	return 0;
}

int tsdb_selector_parse(struct tsdb_selector *out, const char *str, struct err *e)
{
	struct lex l = { str, 0 };
	struct buf val = BUF_INIT;
	int ret = -1;

	tsdb_selector_init(out);
	skip_ws(&l);
	if (ident_start(str[l.pos]) || str[l.pos] == ':') {
		size_t st = l.pos;
		while (ident_char(str[l.pos], true))
			l.pos++;
		buf_add(&val, str + st, l.pos - st);
		if (add_matcher(out, LABEL_MATCH_EQUAL, "__name__", &val, e) < 0)
			goto done;
		skip_ws(&l);
	}
	if (str[l.pos] == '{') {
		l.pos++;
		for (;;) {
			size_t st;
			const char *name;
			enum label_match_type t;

			skip_ws(&l);
			if (str[l.pos] == '}')
				break;
			if (!ident_start(str[l.pos])) {
				fail(&l, e, "unexpected character inside braces");
				goto done;
			}
			st = l.pos;
			while (ident_char(str[l.pos], false))
				l.pos++;
			name = own(out, xstrndup(str + st, l.pos - st));
			skip_ws(&l);
			if (str[l.pos] == '=' && str[l.pos + 1] == '~') {
				t = LABEL_MATCH_REGEXP;
				l.pos += 2;
			} else if (str[l.pos] == '!' && str[l.pos + 1] == '~') {
				t = LABEL_MATCH_NOT_REGEXP;
				l.pos += 2;
			} else if (str[l.pos] == '!' && str[l.pos + 1] == '=') {
				t = LABEL_MATCH_NOT_EQUAL;
				l.pos += 2;
			} else if (str[l.pos] == '=') {
				t = LABEL_MATCH_EQUAL;
				l.pos++;
			} else {
				fail(&l, e, "unexpected character in label matcher, expected label matching operator");
				goto done;
			}
			skip_ws(&l);
			buf_reset(&val);
			if (lex_string(&l, &val, e) < 0)
				goto done;
			if (add_matcher(out, t, name, &val, e) < 0) {
				err_wrap(e, "1:%zu: parse error", st + 1);
				goto done;
			}
			skip_ws(&l);
			if (str[l.pos] == ',') {
				l.pos++;
				continue;
			}
			if (str[l.pos] != '}') {
				fail(&l, e, "unexpected character inside braces");
				goto done;
			}
			break;
		}
		l.pos++;
		skip_ws(&l);
	}
	if (str[l.pos]) {
		if (ident_start(str[l.pos])) {
			size_t st = l.pos;
			while (ident_char(str[l.pos], true))
				l.pos++;
			err_set(e, "1:%zu: parse error: unexpected identifier \"%.*s\"", st + 1, (int)(l.pos - st),
				str + st);
		} else {
			err_set(e, "1:%zu: parse error: unexpected character: '%c'", l.pos + 1, str[l.pos]);
		}
		goto done;
	}
	/* "{}" parses, and selects nothing (an empty intersection) */
	if (!out->n && !strchr(str, '{')) {
		err_set(e, "1:1: parse error: unexpected end of input");
		goto done;
	}
	ret = 0;
done:
	buf_release(&val);
	return ret;
}
