/*
 * Series descriptions of the PromQL test language, as 2.42's
 * parser.ParseSeriesDesc reads them (grammar rules series_description,
 * series_item and series_value of generated_parser.y):
 *
 *     metric{l="v"} 1 2+3x4 _ _x2 stale -1-1x3
 *
 * `a+bxN` expands to the N+1 values a, a+b, ... (each the previous plus b,
 * accumulated in float64 as Go does), `axN` to N+1 copies of a, `_` to one
 * omitted sample and `_xN` to N of them.  Numbers are read like the
 * parser's number(): strconv.ParseInt(s, 0, 64) first (so "010" is octal),
 * then ParseFloat; Inf and NaN are keywords in any case.
 */
#include "4-promql/storage.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "1-common/gostrconv.h"
#include "1-common/xalloc.h"

struct sd {
	const char *s;
	size_t len, pos;
	struct err *e;
};

static int sd_err(struct sd *p, const char *what)
{
	return err_set(p->e, "1:%zu: parse error: %s", p->pos + 1, what);
}

static bool sd_alpha(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool sd_alnum(char c)
{
	return sd_alpha(c) || isdigit((unsigned char)c);
}

static void sd_space(struct sd *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]))
		p->pos++;
}


/* A Go string literal ("...", '...' or `...`) into out (strconv.Unquote). */
static int sd_string(struct sd *p, struct buf *out)
{
	char q = p->s[p->pos++];

	buf_reset(out);
	while (p->pos < p->len && p->s[p->pos] != q) {
		char c = p->s[p->pos++];
		size_t start = p->pos - 1, end;
		uint32_t v;
		bool is_byte;
		int rc;

		if (c != '\\' || q == '`') {
			buf_addc(out, (unsigned char)c);
			continue;
		}
		if (p->pos >= p->len)
			break;
		rc = go_unescape(p->s + start, p->len - start, q, &v, &is_byte, &end);
		p->pos = start + end;
		if (rc == GO_ESC_SHORT)
			return sd_err(p, "unterminated escape sequence");
		if (rc < 0)
			return sd_err(p, "invalid escape sequence in string");
		go_unescape_put(out, v, is_byte);
	}
	if (p->pos >= p->len)
		return sd_err(p, "unterminated quoted string");
	p->pos++;
	return 0;
}

static int sd_labels(struct sd *p, struct labels *ls)
{
	struct buf val = BUF_INIT;
	int rc = -1;

	p->pos++; /* '{' */
	for (;;) {
		size_t start;
		char *name;

		sd_space(p);
		if (p->pos < p->len && p->s[p->pos] == '}') {
			p->pos++;
			break;
		}
		start = p->pos;
		while (p->pos < p->len && sd_alnum(p->s[p->pos]))
			p->pos++;
		if (start == p->pos || !sd_alpha(p->s[start])) {
			sd_err(p, "unexpected character in label set");
			goto done;
		}
		name = xstrndup(p->s + start, p->pos - start);
		sd_space(p);
		if (p->pos >= p->len || p->s[p->pos] != '=') {
			free(name);
			sd_err(p, "expected '=' in label set");
			goto done;
		}
		p->pos++;
		sd_space(p);
		if (p->pos >= p->len || !strchr("\"'`", p->s[p->pos]) || sd_string(p, &val) < 0) {
			free(name);
			if (!err_isset(p->e))
				sd_err(p, "expected string in label set");
			goto done;
		}
		labels_set_copy(ls, name, buf_str(&val));
		free(name);
		sd_space(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == '}') {
			p->pos++;
			break;
		}
		sd_err(p, "expected ',' or '}' in label set");
		goto done;
	}
	rc = 0;
done:
	buf_release(&val);
	return rc;
}

/* A number token at p->pos (no sign): digits/dot/exponent or Inf/NaN. */
static int sd_number(struct sd *p, double *out)
{
	size_t start = p->pos;
	char tmp[64];
	size_t n;

	if (p->pos < p->len && sd_alpha(p->s[p->pos])) {
		while (p->pos < p->len && sd_alnum(p->s[p->pos]))
			p->pos++;
		n = p->pos - start;
		if (n == 3 && !strncasecmp(p->s + start, "inf", 3)) {
			*out = INFINITY;
			return 0;
		}
		if (n == 3 && !strncasecmp(p->s + start, "nan", 3)) {
			*out = go_nan();
			return 0;
		}
		p->pos = start;
		return sd_err(p, "unexpected identifier in series values");
	}
	while (p->pos < p->len && (isdigit((unsigned char)p->s[p->pos]) || p->s[p->pos] == '.'))
		p->pos++;
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		while (p->pos < p->len && isdigit((unsigned char)p->s[p->pos]))
			p->pos++;
	}
	n = p->pos - start;
	if (!n || n >= sizeof(tmp))
		return sd_err(p, "expected number in series values");
	memcpy(tmp, p->s + start, n);
	tmp[n] = '\0';
	{
		/* strconv.ParseInt(s, 0, 64): a leading 0 means octal. */
		char *end;
		errno = 0;
		long long iv = strtoll(tmp, &end, tmp[0] == '0' && n > 1 ? 8 : 10);
		if (*end == '\0' && errno == 0) {
			*out = (double)iv;
			return 0;
		}
	}
	if (go_parse_float(tmp, n, out) == -1)
		return sd_err(p, "error parsing number");
	return 0;
}

static int sd_signed(struct sd *p, double *out)
{
	bool neg = false;

	if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) {
		neg = p->s[p->pos] == '-';
		p->pos++;
	}
	if (sd_number(p, out) < 0)
		return -1;
	if (neg)
		*out = -*out;
	return 0;
}

static int sd_uint(struct sd *p, uint64_t *out)
{
	size_t start = p->pos;
	uint64_t v = 0;

	while (p->pos < p->len && isdigit((unsigned char)p->s[p->pos])) {
		unsigned d = (unsigned)(p->s[p->pos++] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return sd_err(p, "invalid repetition in series values");
		v = v * 10 + d;
	}
	if (start == p->pos)
		return sd_err(p, "expected repetition count in series values");
	*out = v;
	return 0;
}

static void push(double **vals, bool **omitted, size_t *n, size_t *cap, double v, bool om)
{
	size_t oldcap = *cap;

	ALLOC_GROW(*vals, *n + 1, *cap);
	if (*cap != oldcap)
		*omitted = xreallocarray(*omitted, *cap, sizeof(**omitted));
	(*vals)[*n] = v;
	(*omitted)[*n] = om;
	(*n)++;
}

/* Bound on expanded values, so a typo like 1x99999999999 fails cleanly. */
#define SD_MAX_VALUES 10000000u

int promql_parse_series_desc(const char *s, size_t len, struct labels *ls,
			     double **vals, bool **omitted, size_t *n, size_t *cap,
			     struct err *e)
{
	struct sd p = { s, len, 0, e };
	size_t start;

	sd_space(&p);
	start = p.pos;
	while (p.pos < p.len && (sd_alnum(p.s[p.pos]) || p.s[p.pos] == ':'))
		p.pos++;
	if (p.pos > start) {
		char *name = xstrndup(s + start, p.pos - start);
		labels_set_copy(ls, "__name__", name);
		free(name);
	}
	if (p.pos < p.len && p.s[p.pos] == '{' && sd_labels(&p, ls) < 0)
		return -1;
	if (p.pos == start)
		return sd_err(&p, "unexpected character in series description");
	labels_sort(ls);
	for (;;) {
		double v, inc = 0;
		bool has_inc = false, blank = false;
		uint64_t times = 0;
		bool has_times = false;

		if (p.pos < p.len && !strchr(" \t\r\n", p.s[p.pos]))
			return sd_err(&p, "unexpected character in series values");
		sd_space(&p);
		if (p.pos >= p.len)
			break;
		if (p.s[p.pos] == '_') {
			blank = true;
			p.pos++;
		} else if (p.len - p.pos >= 5 && !strncmp(p.s + p.pos, "stale", 5) &&
			   (p.len - p.pos == 5 || !sd_alnum(p.s[p.pos + 5]))) {
			v = prom_stale_nan();
			p.pos += 5;
		} else if (sd_signed(&p, &v) < 0) {
			return -1;
		}
		if (!blank && p.pos < p.len && (p.s[p.pos] == '+' || p.s[p.pos] == '-')) {
			if (sd_signed(&p, &inc) < 0)
				return -1;
			has_inc = true;
		}
		if (p.pos < p.len && p.s[p.pos] == 'x') {
			p.pos++;
			if (sd_uint(&p, &times) < 0)
				return -1;
			has_times = true;
		}
		if (has_inc && !has_times)
			return sd_err(&p, "unexpected end of series value, expected \"x\"");
		if (times > SD_MAX_VALUES || *n + times > SD_MAX_VALUES)
			return sd_err(&p, "too many values in series description");
		if (blank) {
			/* `_xN` is N omitted samples; a bare `_` is one. */
			uint64_t k = has_times ? times : 1;
			for (uint64_t i = 0; i < k; i++)
				push(vals, omitted, n, cap, 0, true);
			continue;
		}
		for (uint64_t i = 0; i <= times; i++) {
			push(vals, omitted, n, cap, v, false);
			if (has_inc)
				v += inc;
		}
	}
	return 0;
}
