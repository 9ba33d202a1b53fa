/*
 * PromQL literals as 2.42's parser reads them: numbers (parser.number),
 * strings (strutil.Unquote) and durations (parseDuration).  Failures are
 * recorded with promql_perr at the token, as 2.42 reports them.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "1-common/gostrconv.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
#include "4-promql/gostr.h"
#include "4-promql/internal.h"

/* p.number(): ParseInt with base prefix, else ParseFloat. */
double promql_parse_number(struct promql_parser *p, const struct promql_token *t)
{
	char tmp[128];
	double f;
	int rc;
	char *s = t->len < sizeof(tmp) ? tmp : xmalloc(t->len + 1);

	memcpy(s, t->val, t->len);
	s[t->len] = '\0';
	{
		/* strconv.ParseInt(val, 0, 64): 0x / 0o / 0b / leading-0 octal */
		const char *q = s;
		int base = 10;
		bool ok = t->len > 0;
		uint64_t v = 0;

		if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
			base = 16, q += 2;
		else if (q[0] == '0' && (q[1] == 'o' || q[1] == 'O'))
			base = 8, q += 2;
		else if (q[0] == '0' && (q[1] == 'b' || q[1] == 'B'))
			base = 2, q += 2;
		else if (q[0] == '0' && q[1])
			base = 8, q += 1;
		if (!*q)
			ok = false;
		for (; ok && *q; q++) {
			int d;
			if (*q >= '0' && *q <= '9')
				d = *q - '0';
			else if (*q >= 'a' && *q <= 'z')
				d = *q - 'a' + 10;
			else if (*q >= 'A' && *q <= 'Z')
				d = *q - 'A' + 10;
			else
				d = 99;
			if (d >= base || v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) {
				ok = false;
				break;
			}
			v = v * (uint64_t)base + (uint64_t)d;
		}
		if (ok && v <= (uint64_t)INT64_MAX) {
			f = (double)(int64_t)v;
			goto done;
		}
	}
	rc = go_parse_float(s, t->len, &f);
	if (rc == -1) {
		struct buf q = BUF_INIT;
		go_quote(&q, s, t->len);
		promql_perr(p, t->pos, "error parsing number: strconv.ParseFloat: parsing %s: invalid syntax", buf_str(&q));
		buf_release(&q);
		f = 0;
	} else if (rc == -2) {
		struct buf q = BUF_INIT;
		go_quote(&q, s, t->len);
		promql_perr(p, t->pos, "error parsing number: strconv.ParseFloat: parsing %s: value out of range", buf_str(&q));
		buf_release(&q);
	}
done:
	if (s != tmp)
		free(s);
	return f;
}

/*
 * strutil.Unquote of 2.42 on a STRING token the lexer accepted.  The lexer
 * already rejected bad escapes, so this cannot fail for its output.
 */
const char *promql_unquote(struct promql_parser *p, const struct promql_token *t, size_t *out_len)
{
	const char *s = t->val + 1;
	size_t n = t->len - 2, i = 0;
	char quote = t->val[0];
	struct buf b = BUF_INIT;
	const char *res;

	if (quote == '`') {
		*out_len = n;
		return promql_arena_strndup(p->x, s, n);
	}
	while (i < n) {
		uint32_t v;
		bool is_byte;
		size_t end;

		if (s[i] != '\\') {
			buf_addc(&b, (unsigned char)s[i++]);
			continue;
		}
		if (go_unescape(s + i, n - i, quote, &v, &is_byte, &end) < 0) {
			assert(!"escape the lexer accepted"); /* lexEscape checked it */
			buf_addc(&b, (unsigned char)s[i++]);
			continue;
		}
		go_unescape_put(&b, v, is_byte);
		i += end;
	}
	*out_len = b.len;
	res = promql_arena_strndup(p->x, buf_str(&b), b.len);
	buf_release(&b);
	return res;
}

/* parseDuration: model.ParseDuration, and 0 is refused (until 3.4, where
 * the duration expression rules check positivity instead). */
bool promql_parse_duration(struct promql_parser *p, const struct promql_token *t, int64_t *out)
{
	return promql_parse_duration_zero(p, t, out, false);
}

bool promql_parse_duration_zero(struct promql_parser *p, const struct promql_token *t, int64_t *out, bool zero)
{
	int rc = prom_parse_duration(t->val, t->len, out);

	if (rc == -1) {
		struct buf q = BUF_INIT;
		go_quote(&q, t->val, t->len);
		promql_perr(p, t->pos, "not a valid duration string: %s", buf_str(&q));
		buf_release(&q);
		return false;
	}
	if (rc < 0) {
		promql_perr(p, t->pos, "duration out of range");
		return false;
	}
	if (*out == 0 && !zero) {
		promql_perr(p, t->pos, "duration must be greater than 0");
		return false;
	}
	return true;
}
