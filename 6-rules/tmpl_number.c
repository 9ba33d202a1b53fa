/*
 * Number literals of Go's text/template (parse.newNumber of Go 1.19): the
 * text of a number, character constant or complex token in, the
 * NumberNode's int/uint/float/complex views out, with text/template's
 * error texts ("integer overflow: ...", "illegal number syntax: ...").
 * Used by the template parser (tmpl_parse.c) only.
 */
#include "6-rules/tmpl_node.h"

#include <string.h>

#include "1-common/gofmt.h"
#include "2-model/labels.h"
#include "6-rules/tmpl_lex.h"

/* Go's underscoreOK for literals given to ParseInt/ParseUint base 0. */
static bool underscore_ok(const char *s, size_t n)
{
	char saw = '^';
	size_t i = 0;
	bool hex = false;

	if (n >= 1 && (s[0] == '-' || s[0] == '+'))
		s++, n--;
	if (n >= 2 && s[0] == '0' && strchr("xXbBoO", s[1])) {
		i = 2;
		saw = '0';
		hex = s[1] == 'x' || s[1] == 'X';
	}
	for (; i < n; i++) {
		char c = s[i];
		if ((c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))) {
			saw = '0';
		} else if (c == '_') {
			if (saw != '0')
				return false;
			saw = '_';
		} else {
			if (saw == '_')
				return false;
			saw = '!';
		}
	}
	return saw != '_';
}

/* strconv.ParseInt / ParseUint(s, 0, 64). */
static bool parse_int0(const char *s, size_t n, bool is_unsigned, int64_t *iv, uint64_t *uv)
{
	int base = 10;
	size_t i = 0;
	bool any = false, neg = false;
	unsigned long long v = 0;

	if (n && (s[0] == '+' || s[0] == '-')) {
		if (is_unsigned)
			return false;
		neg = s[0] == '-', i++;
	}
	if (i + 1 < n && s[i] == '0' && strchr("xX", s[i + 1]))
		base = 16, i += 2;
	else if (i + 1 < n && s[i] == '0' && strchr("oO", s[i + 1]))
		base = 8, i += 2;
	else if (i + 1 < n && s[i] == '0' && strchr("bB", s[i + 1]))
		base = 2, i += 2;
	else if (i + 1 < n && s[i] == '0')
		base = 8, i += 1, any = true;
	if (!underscore_ok(s, n))
		return false;
	for (; i < n; i++) {
		int d;
		if (s[i] == '_')
			continue;
		d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 10 : s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 10 : 99;
		if (d >= base)
			return false;
		if (v > (~0ULL - (unsigned)d) / (unsigned)base)
			return false;
		v = v * (unsigned)base + (unsigned)d;
		any = true;
	}
	if (!any)
		return false;
	if (is_unsigned) {
		*uv = v;
		return true;
	}
	if (neg ? v > (1ULL << 63) : v > (unsigned long long)INT64_MAX)
		return false;
	*iv = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* strconv.ParseFloat with strconv's underscore rule. */
static bool parse_float(const char *s, size_t n, double *f)
{
	return go_parse_float(s, n, f) == 0 && underscore_ok(s, n);
}

/* The value of one character of a checked character constant. */
static int32_t char_value(const char *s, size_t k)
{
	struct tmpl_lexer tl;
	size_t w;
	int32_t r = 0;

	if (s[0] != '\\') {
		tmpl_lex_init(&tl, s, k);
		r = tmpl_rune_at(&tl, 0, &w);
		tmpl_lex_release(&tl);
		return r;
	}
	switch (s[1]) {
	case 'a': return 7;
	case 'b': return 8;
	case 'f': return 12;
	case 'n': return 10;
	case 'r': return 13;
	case 't': return 9;
	case 'v': return 11;
	case 'x': case 'u': case 'U':
		for (size_t i = 2; i < k; i++)
			r = r * 16 + (s[i] <= '9' ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
		return r;
	default:
		if (s[1] >= '0' && s[1] <= '7') {
			for (size_t i = 1; i < k; i++)
				r = r * 8 + (s[i] - '0');
			return r;
		}
		return (unsigned char)s[1];
	}
}

int tmpl_number_parse(struct tnode *nd, enum tmpl_number_kind kind, const char *s, size_t n, struct buf *msg)
{
	double f;

	if (kind == TMPL_NUM_CHAR) {
		size_t k = tmpl_unquote_char(s + 1, n - 1, '\'');
		int32_t rune;
		if (!k)
			return buf_adds(msg, "invalid syntax"), -1;
		if (!(1 + k + 1 == n && s[n - 1] == '\''))
			return buf_addf(msg, "malformed character constant: %.*s", (int)n, s), -1;
		rune = char_value(s + 1, k);
		nd->is_int = nd->is_uint = nd->is_float = true;
		nd->i = rune;
		nd->u = (uint64_t)rune;
		nd->f = rune;
		return 0;
	}
	if (kind == TMPL_NUM_COMPLEX) {
		/* fmt.Sscan of "a+bi": the lexer's shape is accepted as is */
		const char *p = s;
		size_t k = 1;
		while (k < n && !((s[k] == '+' || s[k] == '-') && s[k - 1] != 'e' && s[k - 1] != 'E' &&
				  s[k - 1] != 'p' && s[k - 1] != 'P'))
			k++;
		go_parse_float(p, k, &nd->re);
		if (k < n)
			go_parse_float(s + k, n - k - 1, &nd->im);
		nd->is_complex = true;
		goto simplify;
	}
	if (n > 0 && s[n - 1] == 'i' && parse_float(s, n - 1, &f)) {
		nd->is_complex = true;
		nd->re = 0;
		nd->im = f;
		goto simplify;
	}
	if (parse_int0(s, n, true, NULL, &nd->u))
		nd->is_uint = true;
	if (parse_int0(s, n, false, &nd->i, NULL)) {
		nd->is_int = true;
		if (nd->i == 0) {
			nd->is_uint = true; /* -0 */
			nd->u = 0;
		}
	}
	if (nd->is_int) {
		nd->is_float = true;
		nd->f = (double)nd->i;
	} else if (nd->is_uint) {
		nd->is_float = true;
		nd->f = (double)nd->u;
	} else if (parse_float(s, n, &f)) {
		bool has_exp = false;
		for (size_t i = 0; i < n; i++)
			has_exp |= strchr(".eEpP", s[i]) != NULL;
		if (!has_exp) {
			buf_adds(msg, "integer overflow: ");
			go_quote(msg, s, n);
			return -1;
		}
		nd->is_float = true;
		nd->f = f;
		if (f >= -9223372036854775808.0 && f < 9223372036854775808.0 && (double)(int64_t)f == f) {
			nd->is_int = true;
			nd->i = (int64_t)f;
		}
		if (f >= 0 && f < 18446744073709551616.0 && (double)(uint64_t)f == f) {
			nd->is_uint = true;
			nd->u = (uint64_t)f;
		}
	}
	if (!nd->is_int && !nd->is_uint && !nd->is_float) {
		buf_adds(msg, "illegal number syntax: ");
		go_quote(msg, s, n);
		return -1;
	}
	return 0;
simplify:
	/* simplifyComplex: a complex with an integral real part and no
	 * imaginary part is also a float and an int */
	if (nd->im == 0) {
		nd->is_float = true;
		nd->f = nd->re;
		if (nd->f >= -9223372036854775808.0 && nd->f < 9223372036854775808.0 && (double)(int64_t)nd->f == nd->f) {
			nd->is_int = true;
			nd->i = (int64_t)nd->f;
		}
		if (nd->f >= 0 && nd->f < 18446744073709551616.0 && (double)(uint64_t)nd->f == nd->f) {
			nd->is_uint = true;
			nd->u = (uint64_t)nd->f;
		}
	}
	return 0;
}

