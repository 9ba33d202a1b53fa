/*
 * The function map of Prometheus 2.42's template expander (template.go's
 * NewTemplateExpander) and text/template's builtins (Go 1.19 funcs.go),
 * over template values.  Each function returns its result or the error
 * (or the message of the panic Go's safeCall recovers) that the executor
 * reports as "error calling <name>: <error>".
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "6-rules/tmpl_exec.h"

#include <arpa/inet.h>
#include <locale.h>
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "1-common/gofmt.h"
#include "1-common/gounicode.h"
#include "1-common/utf8.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
#include "2-model/regex.h"
#include "5-query/gourl.h"

static const char NIL_DEREF[] = "runtime error: invalid memory address or nil pointer dereference";

static int fail(struct buf *err, const char *msg)
{
	buf_adds(err, msg);
	return -1;
}

static struct tval mk_string(struct xstate *s, const struct buf *b)
{
	return tv_string(s, b->data ? (const char *)b->data : "", b->len);
}

static struct tval mk_float(double f)
{
	struct tval v = { .k = TV_FLOAT, .f = f };
	return v;
}

static struct tval mk_bool(bool b)
{
	struct tval v = { .k = TV_BOOL, .b = b };
	return v;
}

/* Go's int64(f) on amd64: out of range and NaN give the minimum. */
static int64_t f2i64(double f)
{
	if (isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)f;
}

/* ---- Prometheus' functions --------------------------------------------- */

static int fn_query(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct tmpl_sample *smp = NULL;
	size_t ns = 0;
	struct err e = ERR_INIT;
	struct tqres *q;

	(void)n;
	if (!s->env->query)
		return fail(err, "no query function");
	if (s->env->query(s->env->query_arg, xs_strndup(s, a[0].s, a[0].n), s->env->ts_ms, &smp, &ns, &e) < 0) {
		buf_adds(err, err_msg(&e));
		err_release(&e);
		return -1;
	}
	q = xs_alloc(s, sizeof(*q));
	q->n = ns;
	q->v = xs_alloc(s, (ns ? ns : 1) * sizeof(*q->v));
	for (size_t i = 0; i < ns; i++) {
		struct tsample *t = xs_alloc(s, sizeof(*t));
		t->value = smp[i].value;
		t->labels.n = smp[i].nlabels;
		t->labels.k = xs_alloc(s, (smp[i].nlabels ? smp[i].nlabels : 1) * sizeof(char *));
		t->labels.v = xs_alloc(s, (smp[i].nlabels ? smp[i].nlabels : 1) * sizeof(char *));
		for (size_t j = 0; j < smp[i].nlabels; j++) {
			t->labels.k[j] = xs_strndup(s, smp[i].labels[j].name, strlen(smp[i].labels[j].name));
			t->labels.v[j] = xs_strndup(s, smp[i].labels[j].value, strlen(smp[i].labels[j].value));
		}
		q->v[i] = t;
	}
	out->k = TV_QRESULT;
	out->p = q;
	return 0;
}

static int fn_first(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	const struct tqres *q = a[0].p;

	(void)s, (void)n;
	if (!q || !q->n)
		return fail(err, "first() called on vector with no elements");
	out->k = TV_SAMPLE;
	out->p = q->v[0];
	return 0;
}

static int fn_label(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	const struct tsample *smp = a[1].p;
	const char *v;

	(void)n;
	if (!smp)
		return fail(err, NIL_DEREF);
	v = tmap_ss_get(&smp->labels, a[0].s, a[0].n);
	*out = tv_string(s, v ? v : "", v ? strlen(v) : 0);
	return 0;
}

static int fn_value(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	const struct tsample *smp = a[0].p;

	(void)s, (void)n;
	if (!smp)
		return fail(err, NIL_DEREF);
	*out = mk_float(smp->value);
	return 0;
}

static int fn_strvalue(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	const struct tsample *smp = a[0].p;
	const char *v;

	(void)n;
	if (!smp)
		return fail(err, NIL_DEREF);
	v = tmap_ss_get(&smp->labels, "__value__", 9);
	*out = tv_string(s, v ? v : "", v ? strlen(v) : 0);
	return 0;
}

static int fn_args(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct tmap_si *m = xs_alloc(s, sizeof(*m));
	size_t *order = xs_alloc(s, (n ? n : 1) * sizeof(*order));

	(void)err;
	/* keys "arg0".."argN" in Go's sorted key order */
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0; j--) {
			char x[32], y[32];
			snprintf(x, sizeof(x), "arg%zu", order[j - 1]);
			snprintf(y, sizeof(y), "arg%zu", order[j]);
			if (strcmp(x, y) <= 0)
				break;
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	m->n = n;
	m->k = xs_alloc(s, (n ? n : 1) * sizeof(*m->k));
	m->v = xs_alloc(s, (n ? n : 1) * sizeof(*m->v));
	for (size_t i = 0; i < n; i++) {
		char k[32];
		snprintf(k, sizeof(k), "arg%zu", order[i]);
		m->k[i] = xs_strndup(s, k, strlen(k));
		m->v[i] = a[order[i]];
	}
	out->k = TV_MAP_SI;
	out->p = m;
	return 0;
}

/* Compiles a Go regexp for PCRE2; NULL with Go's message in msg. */
static pcre2_code *compile_re(const char *pat, size_t len, struct buf *msg)
{
	struct buf tr = BUF_INIT;
	pcre2_code *code = NULL;
	int errcode;
	PCRE2_SIZE erroff;

	if (go_regexp_translate(&tr, pat, len, msg) == 0) {
		code = pcre2_compile(tr.data ? tr.data : (PCRE2_SPTR) "", tr.len,
				     PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_DUPNAMES,
				     &errcode, &erroff, NULL);
		if (!code)
			buf_addf(msg, "error parsing regexp: pattern not supported: `%.*s`", (int)len, pat);
	}
	buf_release(&tr);
	return code;
}

static bool is_letter_digit(int32_t r)
{
	if (r < 0x80)
		return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9');
	return iswalnum((wint_t)r);
}

/* regexp.Expand of template for one match. */
static void expand(struct buf *out, const char *tmpl, size_t tn, const char *src, const PCRE2_SIZE *ov, int nmatch,
		   pcre2_code *re)
{
	size_t i = 0;

	while (i < tn) {
		const char *dollar = memchr(tmpl + i, '$', tn - i);
		size_t j, k, name_start;
		bool brace = false;
		long num = 0;

		if (!dollar) {
			buf_add(out, tmpl + i, tn - i);
			return;
		}
		j = (size_t)(dollar - tmpl);
		buf_add(out, tmpl + i, j - i);
		i = j + 1;
		if (i < tn && tmpl[i] == '$') {
			buf_addc(out, '$');
			i++;
			continue;
		}
		k = i;
		if (k < tn && tmpl[k] == '{') {
			brace = true;
			k++;
		}
		name_start = k;
		while (k < tn) {
			int32_t r;
			size_t w = go_decode_rune((const unsigned char *)tmpl + k, tn - k, &r);
			if (!is_letter_digit(r) && r != '_')
				break;
			k += w;
		}
		if (k == name_start || (brace && (k >= tn || tmpl[k] != '}'))) {
			buf_addc(out, '$'); /* malformed: the $ is text */
			continue;
		}
		for (size_t p = name_start; p < k; p++) {
			if (tmpl[p] < '0' || tmpl[p] > '9' || num >= 100000000) {
				num = -1;
				break;
			}
			num = num * 10 + (tmpl[p] - '0');
		}
		if (tmpl[name_start] == '0' && k - name_start > 1)
			num = -1;
		if (num < 0) {
			char *nm = xstrndup(tmpl + name_start, k - name_start);
			int g = pcre2_substring_number_from_name(re, (PCRE2_SPTR)nm);
			free(nm);
			num = g > 0 ? g : -1;
		}
		if (num >= 0 && num < nmatch && ov[2 * num] != PCRE2_UNSET)
			buf_add(out, src + ov[2 * num], ov[2 * num + 1] - ov[2 * num]);
		i = brace ? k + 1 : k;
	}
}

static int fn_re_replace_all(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct buf msg = BUF_INIT, res = BUF_INIT;
	pcre2_code *re = compile_re(a[0].s, a[0].n, &msg);
	pcre2_match_data *md;
	const char *src = a[2].s;
	size_t len = a[2].n, search = 0, last_end = 0;

	(void)n;
	if (!re) {
		/* regexp.MustCompile panics with this text */
		buf_adds(err, "regexp: Compile(");
		if (memchr(a[0].s, '`', a[0].n) == NULL && !memchr(a[0].s, '\n', a[0].n)) {
			buf_addc(err, '`');
			buf_add(err, a[0].s, a[0].n);
			buf_addc(err, '`');
		} else {
			go_quote(err, a[0].s, a[0].n);
		}
		buf_adds(err, "): ");
		buf_add(err, msg.data, msg.len);
		buf_release(&msg);
		return -1;
	}
	md = pcre2_match_data_create_from_pattern(re, NULL);
	while (search <= len) {
		int rc = pcre2_match(re, (PCRE2_SPTR)src, len, search, 0, md, NULL);
		PCRE2_SIZE *ov;
		int32_t r;
		size_t w;

		if (rc < 0)
			break;
		ov = pcre2_get_ovector_pointer(md);
		buf_add(&res, src + last_end, ov[0] - last_end);
		if (ov[1] > last_end || ov[0] == 0)
			expand(&res, a[1].s, a[1].n, src, ov, rc, re);
		last_end = ov[1];
		w = search < len ? go_decode_rune((const unsigned char *)src + search, len - search, &r) : 0;
		if (search + w > ov[1])
			search += w;
		else if (search + 1 > ov[1])
			search++;
		else
			search = ov[1];
	}
	buf_add(&res, src + last_end, len - last_end);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	*out = mk_string(s, &res);
	buf_release(&res);
	buf_release(&msg);
	return 0;
}

static int fn_match(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct buf msg = BUF_INIT;
	pcre2_code *re = compile_re(a[0].s, a[0].n, &msg);
	pcre2_match_data *md;
	int rc;

	(void)s, (void)n;
	if (!re) {
		buf_add(err, msg.data, msg.len);
		buf_release(&msg);
		return -1;
	}
	md = pcre2_match_data_create_from_pattern(re, NULL);
	rc = pcre2_match(re, (PCRE2_SPTR)a[1].s, a[1].n, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	*out = mk_bool(rc >= 0);
	buf_release(&msg);
	return 0;
}

static int fn_safe_html(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	(void)s, (void)n, (void)err;
	*out = a[0];
	out->k = TV_HTML;
	return 0;
}

/* Unicode case mapping as Go's unicode.ToUpper/ToLower/ToTitle: ASCII by
 * hand, the rest from glibc's C.UTF-8 tables (loc, opened on demand). */
static int32_t map_case(int32_t r, int which, locale_t *loc)
{
	if (r < 0x80) {
		if (which != 'l' && r >= 'a' && r <= 'z')
			return r - 32;
		if (which == 'l' && r >= 'A' && r <= 'Z')
			return r + 32;
		return r;
	}
	if (!*loc)
		*loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (!*loc)
		return r;
	return (int32_t)(which == 'l' ? towlower_l((wint_t)r, *loc) : towupper_l((wint_t)r, *loc));
}

static void map_string(struct buf *out, const char *s, size_t n, int which)
{
	int32_t prev = ' ';
	locale_t loc = (locale_t)0;

	for (size_t i = 0; i < n;) {
		int32_t r;
		size_t w = go_decode_rune((const unsigned char *)s + i, n - i, &r);
		if (which == 't') {
			/* strings.Title: after a separator */
			bool sep;
			if (prev < 0x80)
				sep = !((prev >= '0' && prev <= '9') || (prev >= 'a' && prev <= 'z') ||
					(prev >= 'A' && prev <= 'Z') || prev == '_');
			else
				sep = !iswalnum((wint_t)prev) && iswspace((wint_t)prev);
			int32_t m = sep ? map_case(r, 'u', &loc) : r;
			prev = r;
			r = m;
		} else {
			r = map_case(r, which, &loc);
		}
		go_put_rune(out, r);
		i += w;
	}
	if (loc)
		freelocale(loc);
}

static int fn_title(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct buf b = BUF_INIT;
	(void)n, (void)err;
	map_string(&b, a[0].s, a[0].n, 't');
	*out = mk_string(s, &b);
	buf_release(&b);
	return 0;
}

static int fn_to_upper(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct buf b = BUF_INIT;
	(void)n, (void)err;
	map_string(&b, a[0].s, a[0].n, 'u');
	*out = mk_string(s, &b);
	buf_release(&b);
	return 0;
}

static int fn_to_lower(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct buf b = BUF_INIT;
	(void)n, (void)err;
	map_string(&b, a[0].s, a[0].n, 'l');
	*out = mk_string(s, &b);
	buf_release(&b);
	return 0;
}

static int link(struct xstate *s, const struct tval *a, struct tval *out, const char *tab)
{
	struct buf b = BUF_INIT;
	const char *expr = xs_strndup(s, a[0].s, a[0].n);

	buf_adds(&b, "/graph?g0.expr=");
	go_query_escape(&b, expr);
	buf_addf(&b, "&g0.tab=%s", tab);
	*out = mk_string(s, &b);
	buf_release(&b);
	return 0;
}

static int fn_graph_link(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	(void)n, (void)err;
	return link(s, a, out, "0");
}

static int fn_table_link(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	(void)n, (void)err;
	return link(s, a, out, "1");
}

static int fn_sort_by_label(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	const struct tqres *q = a[1].p;
	const char *key = xs_strndup(s, a[0].s, a[0].n);

	(void)n, (void)err;
	/* sort.Stable by Labels[label] */
	for (size_t i = 1; q && i < q->n; i++)
		for (size_t j = i; j > 0; j--) {
			const char *x = tmap_ss_get(&q->v[j - 1]->labels, key, a[0].n);
			const char *y = tmap_ss_get(&q->v[j]->labels, key, a[0].n);
			if (strcmp(y ? y : "", x ? x : "") >= 0)
				break;
			struct tsample *t = q->v[j];
			q->v[j] = q->v[j - 1];
			q->v[j - 1] = t;
		}
	*out = a[1];
	return 0;
}

/* net.SplitHostPort: 0 with host and port, -1 on error. */
static int split_host_port(const char *hp, size_t n, size_t *host_start, size_t *host_len, size_t *port_start)
{
	const char *colon = NULL;
	size_t i, j = 0, k = 0;

	for (i = n; i-- > 0;)
		if (hp[i] == ':') {
			colon = hp + i;
			break;
		}
	if (!colon)
		return -1;
	i = (size_t)(colon - hp);
	if (n && hp[0] == '[') {
		const char *end = memchr(hp, ']', n);
		size_t e;
		if (!end)
			return -1;
		e = (size_t)(end - hp);
		if (e + 1 != i)
			return -1;
		*host_start = 1;
		*host_len = e - 1;
		j = 1;
		k = e + 1;
	} else {
		if (memchr(hp, ':', i))
			return -1;
		*host_start = 0;
		*host_len = i;
	}
	if (memchr(hp + j, '[', n - j) || memchr(hp + k, ']', n - k))
		return -1;
	*port_start = i + 1;
	return 0;
}

static int fn_strip_port(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	size_t hs, hl, ps;

	(void)n, (void)err;
	if (split_host_port(a[0].s, a[0].n, &hs, &hl, &ps) < 0)
		*out = a[0];
	else
		*out = tv_string(s, a[0].s + hs, hl);
	return 0;
}

/* net.ParseIP succeeds */
static bool is_ip(const char *h)
{
	unsigned char b[16];
	return inet_pton(AF_INET, h, b) == 1 || (strchr(h, ':') && inet_pton(AF_INET6, h, b) == 1);
}

static int fn_strip_domain(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	size_t hs = 0, hl = a[0].n, ps = 0;
	bool has_port = split_host_port(a[0].s, a[0].n, &hs, &hl, &ps) == 0;
	const char *host, *dot;
	struct buf b = BUF_INIT;

	(void)n, (void)err;
	if (!has_port) {
		hs = 0;
		hl = a[0].n;
	}
	host = xs_strndup(s, a[0].s + hs, hl);
	if (is_ip(host)) {
		*out = a[0];
		return 0;
	}
	dot = strchr(host, '.');
	hl = dot ? (size_t)(dot - host) : strlen(host);
	if (has_port && ps < a[0].n + 1 && a[0].n - ps > 0) {
		/* net.JoinHostPort */
		if (memchr(host, ':', hl)) {
			buf_addc(&b, '[');
			buf_add(&b, host, hl);
			buf_addc(&b, ']');
		} else {
			buf_add(&b, host, hl);
		}
		buf_addc(&b, ':');
		buf_add(&b, a[0].s + ps, a[0].n - ps);
	} else {
		buf_add(&b, host, hl);
	}
	*out = mk_string(s, &b);
	buf_release(&b);
	return 0;
}

/* convertToFloat */
static int to_float(struct xstate *s, const struct tval *v, double *f, struct buf *err)
{
	switch (v->k) {
	case TV_FLOAT:
		*f = v->f;
		return 0;
	case TV_INT:
		*f = (double)v->i;
		return 0;
	case TV_STRING: {
		int rc = go_parse_float(v->s, v->n, f);
		if (rc == 0)
			return 0;
		buf_adds(err, "strconv.ParseFloat: parsing ");
		go_quote(err, v->s, v->n);
		buf_adds(err, rc == -2 ? ": value out of range" : ": invalid syntax");
		return -1;
	}
	default:
		buf_adds(err, "can't convert ");
		tv_type_name(err, v);
		buf_adds(err, " to float");
		(void)s;
		return -1;
	}
}

static void sprintf1(struct buf *b, const char *fmt, double v, const char *suffix)
{
	struct tval args[2] = { { .k = TV_FLOAT, .f = v }, { .k = TV_STRING, .s = suffix, .n = strlen(suffix) } };
	tv_sprintf(b, fmt, strlen(fmt), args, 2);
}

static int fn_humanize(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	static const char *const big[] = { "k", "M", "G", "T", "P", "E", "Z", "Y" };
	static const char *const small[] = { "m", "u", "n", "p", "f", "a", "z", "y" };
	struct buf b = BUF_INIT;
	const char *prefix = "";
	double v;

	(void)n;
	if (to_float(s, &a[0], &v, err) < 0)
		return -1;
	if (v == 0 || isnan(v) || isinf(v)) {
		sprintf1(&b, "%.4g%s", v, "");
	} else if (fabs(v) >= 1) {
		for (size_t i = 0; i < 8; i++) {
			if (fabs(v) < 1000)
				break;
			prefix = big[i];
			v /= 1000;
		}
		sprintf1(&b, "%.4g%s", v, prefix);
	} else {
		for (size_t i = 0; i < 8; i++) {
			if (fabs(v) >= 1)
				break;
			prefix = small[i];
			v *= 1000;
		}
		sprintf1(&b, "%.4g%s", v, prefix);
	}
	*out = mk_string(s, &b);
	buf_release(&b);
	return 0;
}

static int fn_humanize1024(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	static const char *const big[] = { "ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi" };
	struct buf b = BUF_INIT;
	const char *prefix = "";
	double v;

	(void)n;
	if (to_float(s, &a[0], &v, err) < 0)
		return -1;
	if (fabs(v) <= 1 || isnan(v) || isinf(v)) {
		sprintf1(&b, "%.4g%s", v, "");
	} else {
		for (size_t i = 0; i < 8; i++) {
			if (fabs(v) < 1024)
				break;
			prefix = big[i];
			v /= 1024;
		}
		sprintf1(&b, "%.4g%s", v, prefix);
	}
	*out = mk_string(s, &b);
	buf_release(&b);
	return 0;
}

static int fn_humanize_duration(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	static const char *const small[] = { "m", "u", "n", "p", "f", "a", "z", "y" };
	struct buf b = BUF_INIT;
	double v;

	(void)n;
	if (to_float(s, &a[0], &v, err) < 0)
		return -1;
	if (isnan(v) || isinf(v)) {
		sprintf1(&b, "%.4g%s", v, "");
	} else if (v == 0) {
		sprintf1(&b, "%.4g%s", v, "s");
	} else if (fabs(v) >= 1) {
		const char *sign = "";
		int64_t d, sec, min, hours, days;
		if (v < 0) {
			sign = "-";
			v = -v;
		}
		d = f2i64(v);
		sec = d % 60;
		min = (d / 60) % 60;
		hours = (d / 60 / 60) % 24;
		days = d / 60 / 60 / 24;
		if (days != 0)
			buf_addf(&b, "%s%lldd %lldh %lldm %llds", sign, (long long)days, (long long)hours,
				 (long long)min, (long long)sec);
		else if (hours != 0)
			buf_addf(&b, "%s%lldh %lldm %llds", sign, (long long)hours, (long long)min, (long long)sec);
		else if (min != 0)
			buf_addf(&b, "%s%lldm %llds", sign, (long long)min, (long long)sec);
		else {
			buf_adds(&b, sign);
			sprintf1(&b, "%.4gs%s", v, "");
			/* "%.4gs%s" printed an empty suffix: drop nothing */
		}
	} else {
		const char *prefix = "";
		for (size_t i = 0; i < 8; i++) {
			if (fabs(v) >= 1)
				break;
			prefix = small[i];
			v *= 1000;
		}
		{
			struct tval args[2] = { { .k = TV_FLOAT, .f = v }, { .k = TV_STRING, .s = prefix, .n = strlen(prefix) } };
			tv_sprintf(&b, "%.4g%ss", 7, args, 2);
		}
	}
	*out = mk_string(s, &b);
	buf_release(&b);
	return 0;
}

static int fn_humanize_percentage(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct buf b = BUF_INIT;
	double v;

	(void)n;
	if (to_float(s, &a[0], &v, err) < 0)
		return -1;
	{
		struct tval args[1] = { { .k = TV_FLOAT, .f = v * 100 } };
		tv_sprintf(&b, "%.4g%%", 6, args, 1);
	}
	*out = mk_string(s, &b);
	buf_release(&b);
	return 0;
}

/* floatToTime: 0 with ms-truncated Unix ns, 1 for NaN/Inf, -1 overflow. */
static int float_to_time(double v, int64_t *ns, struct buf *err)
{
	double t;

	if (isnan(v) || isinf(v))
		return 1;
	t = v * 1e9;
	if (t > 9223372036854775807.0 || t < -9223372036854775808.0) {
		struct tval args[1] = { { .k = TV_FLOAT, .f = v } };
		static const char f[] = "%v cannot be represented as a nanoseconds timestamp since it overflows int64";
		tv_sprintf(err, f, sizeof(f) - 1, args, 1);
		return -1;
	}
	/* model.TimeFromUnixNano: truncated to milliseconds */
	*ns = (f2i64(t) / 1000000) * 1000000;
	return 0;
}

static int fn_humanize_timestamp(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct buf b = BUF_INIT;
	double v;
	int64_t ns;
	int rc;

	(void)n;
	if (to_float(s, &a[0], &v, err) < 0)
		return -1;
	rc = float_to_time(v, &ns, err);
	if (rc < 0)
		return -1;
	if (rc > 0)
		sprintf1(&b, "%.4g%s", v, "");
	else
		tv_time_string(&b, ns);
	*out = mk_string(s, &b);
	buf_release(&b);
	return 0;
}

static int fn_to_time(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	double v;
	int64_t ns, *p;
	int rc;

	(void)n;
	if (to_float(s, &a[0], &v, err) < 0)
		return -1;
	rc = float_to_time(v, &ns, err);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return fail(err, "value is NaN or Inf");
	p = xs_alloc(s, sizeof(*p));
	*p = ns;
	out->k = TV_TIME;
	out->p = p;
	return 0;
}

static int fn_path_prefix(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	(void)a, (void)n;
	if (!s->env->has_url)
		return fail(err, NIL_DEREF);
	*out = tv_string(s, s->env->url_path, strlen(s->env->url_path));
	return 0;
}

static int fn_external_url(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	(void)a, (void)n;
	if (!s->env->has_url)
		return fail(err, NIL_DEREF);
	*out = tv_string(s, s->env->url_string, strlen(s->env->url_string));
	return 0;
}

static int fn_parse_duration(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	int64_t ms;

	(void)s, (void)n;
	if (a[0].n == 0)
		return fail(err, "empty duration string");
	if (prom_parse_duration(a[0].s, a[0].n, &ms) < 0) {
		buf_adds(err, "not a valid duration string: ");
		go_quote(err, a[0].s, a[0].n);
		return -1;
	}
	*out = mk_float((double)(ms * 1000000) / 1e9);
	return 0;
}

static const struct tfunc funcs[] = {
	{ "query", 1, false, { P_STRING }, fn_query },
	{ "first", 1, false, { P_QRESULT }, fn_first },
	{ "label", 2, false, { P_STRING, P_SAMPLE }, fn_label },
	{ "value", 1, false, { P_SAMPLE }, fn_value },
	{ "strvalue", 1, false, { P_SAMPLE }, fn_strvalue },
	{ "args", 1, true, { P_IFACE }, fn_args },
	{ "reReplaceAll", 3, false, { P_STRING, P_STRING, P_STRING }, fn_re_replace_all },
	{ "safeHtml", 1, false, { P_STRING }, fn_safe_html },
	{ "match", 2, false, { P_STRING, P_STRING }, fn_match },
	{ "title", 1, false, { P_STRING }, fn_title },
	{ "toUpper", 1, false, { P_STRING }, fn_to_upper },
	{ "toLower", 1, false, { P_STRING }, fn_to_lower },
	{ "graphLink", 1, false, { P_STRING }, fn_graph_link },
	{ "tableLink", 1, false, { P_STRING }, fn_table_link },
	{ "sortByLabel", 2, false, { P_STRING, P_QRESULT }, fn_sort_by_label },
	{ "stripPort", 1, false, { P_STRING }, fn_strip_port },
	{ "stripDomain", 1, false, { P_STRING }, fn_strip_domain },
	{ "humanize", 1, false, { P_IFACE }, fn_humanize },
	{ "humanize1024", 1, false, { P_IFACE }, fn_humanize1024 },
	{ "humanizeDuration", 1, false, { P_IFACE }, fn_humanize_duration },
	{ "humanizePercentage", 1, false, { P_IFACE }, fn_humanize_percentage },
	{ "humanizeTimestamp", 1, false, { P_IFACE }, fn_humanize_timestamp },
	{ "toTime", 1, false, { P_IFACE }, fn_to_time },
	{ "pathPrefix", 0, false, { P_IFACE }, fn_path_prefix },
	{ "externalURL", 0, false, { P_IFACE }, fn_external_url },
	{ "parseDuration", 1, false, { P_STRING }, fn_parse_duration },
};

const struct tfunc *tmpl_find_func(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (strlen(funcs[i].name) == len && !memcmp(funcs[i].name, name, len))
			return &funcs[i];
	for (size_t i = 0; i < tmpl_nbuiltins; i++)
		if (strlen(tmpl_builtins[i].name) == len && !memcmp(tmpl_builtins[i].name, name, len))
			return &tmpl_builtins[i];
	return NULL;
}
