/*
 * text/template's builtin functions (Go 1.19 funcs.go builtins()) over
 * template values: and, or, not, len, index, slice, call, print, printf,
 * println, html, js, urlquery and the comparisons eq, ne, lt, le, gt, ge
 * with their error words ("incompatible types for comparison", "index out
 * of range: 3", "len of type float64").  and/or short-circuit in the
 * executor (tmpl_exec.c); their entries here only carry the arity.
 */
#include "6-rules/tmpl_exec.h"

#include <string.h>

#include "1-common/gounicode.h"
#include "1-common/utf8.h"
#include "5-query/gourl.h"

static int fail(struct buf *err, const char *msg)
{
	buf_adds(err, msg);
	return -1;
}

static int fn_unused(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	(void)s, (void)a, (void)n, (void)out;
	return fail(err, "internal error");
}

static int fn_not(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	bool ok;

	(void)s, (void)n, (void)err;
	out->k = TV_BOOL;
	out->b = !tv_is_true(&a[0], &ok);
	return 0;
}

static int fn_len(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	(void)n;
	out->k = TV_INT;
	switch (a[0].k) {
	case TV_STRING:
	case TV_HTML:
		out->i = (int64_t)a[0].n;
		return 0;
	case TV_MAP_SS:
		out->i = a[0].p ? (int64_t)((const struct tmap_ss *)a[0].p)->n : 0;
		return 0;
	case TV_MAP_SI:
		out->i = a[0].p ? (int64_t)((const struct tmap_si *)a[0].p)->n : 0;
		return 0;
	case TV_QRESULT:
		out->i = a[0].p ? (int64_t)((const struct tqres *)a[0].p)->n : 0;
		return 0;
	case TV_SAMPLE:
	case TV_TIME:
		if (!a[0].p)
			return fail(err, "len of nil pointer");
		buf_adds(err, "len of type ");
		buf_adds(err, a[0].k == TV_SAMPLE ? "template.sample" : "time.Time");
		return -1;
	case TV_INVALID:
		return fail(err, "len of type %!s(<nil>)");
	default:
		buf_adds(err, "len of type ");
		tv_type_name(err, &a[0]);
		(void)s;
		return -1;
	}
}

/* indexArg */
static int index_arg(const struct tval *ix, size_t cap, size_t *x, struct buf *err)
{
	if (ix->k == TV_INVALID)
		return fail(err, "cannot index slice/array with nil");
	if (ix->k != TV_INT) {
		buf_adds(err, "cannot index slice/array with type ");
		tv_type_name(err, ix);
		return -1;
	}
	if (ix->i < 0 || (uint64_t)ix->i > cap) {
		buf_addf(err, "index out of range: %lld", (long long)ix->i);
		return -1;
	}
	*x = (size_t)ix->i;
	return 0;
}

static int fn_index(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct tval item = a[0];

	if (item.k == TV_INVALID)
		return fail(err, "index of untyped nil");
	for (size_t i = 1; i < n; i++) {
		const struct tval *ix = &a[i];
		size_t x;
		switch (item.k) {
		case TV_SAMPLE:
		case TV_TIME:
			if (!item.p)
				return fail(err, "index of nil pointer");
			buf_adds(err, "can't index item of type ");
			buf_adds(err, item.k == TV_SAMPLE ? "template.sample" : "time.Time");
			return -1;
		case TV_QRESULT: {
			const struct tqres *q = item.p;
			size_t len = q ? q->n : 0;
			if (index_arg(ix, len, &x, err) < 0)
				return -1;
			if (x == len)
				return fail(err, "reflect: slice index out of range");
			item.k = TV_SAMPLE;
			item.p = q->v[x];
			break;
		}
		case TV_STRING:
		case TV_HTML:
			if (index_arg(ix, item.n, &x, err) < 0)
				return -1;
			if (x == item.n)
				return fail(err, "reflect: string index out of range");
			item.k = TV_INT; /* a byte (uint8) */
			item.i = (unsigned char)item.s[x];
			break;
		case TV_MAP_SS:
		case TV_MAP_SI:
			if (ix->k == TV_INVALID)
				return fail(err, "value is nil; should be of type string");
			if (ix->k != TV_STRING) {
				buf_adds(err, "value has type ");
				tv_type_name(err, ix);
				buf_adds(err, "; should be string");
				return -1;
			}
			if (item.k == TV_MAP_SS) {
				const char *v = tmap_ss_get(item.p, ix->s, ix->n);
				item = tv_string(s, v ? v : "", v ? strlen(v) : 0);
			} else {
				const struct tmap_si *m = item.p;
				struct tval z = { 0 };
				for (size_t k = 0; m && k < m->n; k++)
					if (strlen(m->k[k]) == ix->n && !memcmp(m->k[k], ix->s, ix->n))
						z = m->v[k];
				item = z;
			}
			break;
		default:
			buf_adds(err, "can't index item of type ");
			tv_type_name(err, &item);
			return -1;
		}
	}
	*out = item;
	return 0;
}

static int fn_slice(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct tval item = a[0];
	size_t idx[3] = { 0, 0, 0 }, len;

	if (item.k == TV_INVALID)
		return fail(err, "slice of untyped nil");
	if (n > 4)
		return fail(err, "too many slice indexes: 3");
	if (item.k == TV_STRING || item.k == TV_HTML)
		len = item.n;
	else if (item.k == TV_QRESULT)
		len = item.p ? ((const struct tqres *)item.p)->n : 0;
	else {
		buf_adds(err, "can't slice item of type ");
		tv_type_name(err, &item);
		return -1;
	}
	if (n == 4 && item.k != TV_QRESULT)
		return fail(err, "cannot 3-index slice a string");
	idx[1] = len;
	for (size_t i = 1; i < n; i++)
		if (index_arg(&a[i], len, &idx[i - 1], err) < 0)
			return -1;
	if (n < 3)
		idx[1] = len;
	if (idx[0] > idx[1]) {
		buf_addf(err, "invalid slice index: %zu > %zu", idx[0], idx[1]);
		return -1;
	}
	if (item.k == TV_QRESULT) {
		const struct tqres *q = item.p;
		struct tqres *r = xs_alloc(s, sizeof(*r));
		r->v = q ? q->v + idx[0] : NULL;
		r->n = idx[1] - idx[0];
		out->k = TV_QRESULT;
		out->p = r;
	} else {
		*out = item;
		out->s = item.s + idx[0];
		out->n = idx[1] - idx[0];
	}
	return 0;
}

static int fn_call(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	(void)s, (void)n, (void)out;
	if (a[0].k == TV_INVALID)
		return fail(err, "call of nil");
	buf_adds(err, "non-function of type ");
	tv_type_name(err, &a[0]);
	return -1;
}

static int fn_print(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct buf b = BUF_INIT;

	(void)err;
	tv_sprint(&b, a, n);
	*out = tv_string(s, b.data ? (const char *)b.data : "", b.len);
	buf_release(&b);
	return 0;
}

static int fn_println(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct buf b = BUF_INIT;

	(void)err;
	tv_sprintln(&b, a, n);
	*out = tv_string(s, (const char *)b.data, b.len);
	buf_release(&b);
	return 0;
}

static int fn_printf(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct buf b = BUF_INIT;

	(void)err;
	tv_sprintf(&b, a[0].s, a[0].n, a + 1, n - 1);
	*out = tv_string(s, b.data ? (const char *)b.data : "", b.len);
	buf_release(&b);
	return 0;
}

/* evalArgs: a lone string as is, else fmt.Sprint of printable values. */
static void eval_args(struct xstate *s, struct buf *b, const struct tval *a, size_t n)
{
	struct tval *p;

	if (n == 1 && a[0].k == TV_STRING) {
		buf_add(b, a[0].s, a[0].n);
		return;
	}
	p = xs_alloc(s, (n ? n : 1) * sizeof(*p));
	for (size_t i = 0; i < n; i++) {
		p[i] = a[i];
		if (a[i].k == TV_INVALID) {
			p[i].k = TV_STRING;
			p[i].s = "<no value>";
			p[i].n = 10;
		}
	}
	tv_sprint(b, p, n);
	/* printableValue indirects pointers: "{...}" rather than "&{...}" */
}

static int fn_html(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct buf in = BUF_INIT, b = BUF_INIT;

	(void)err;
	eval_args(s, &in, a, n);
	for (size_t i = 0; i < in.len; i++) {
		switch (in.data[i]) {
		case '\0': buf_adds(&b, "\xef\xbf\xbd"); break;
		case '"': buf_adds(&b, "&#34;"); break;
		case '\'': buf_adds(&b, "&#39;"); break;
		case '&': buf_adds(&b, "&amp;"); break;
		case '<': buf_adds(&b, "&lt;"); break;
		case '>': buf_adds(&b, "&gt;"); break;
		default: buf_addc(&b, in.data[i]);
		}
	}
	*out = tv_string(s, b.data ? (const char *)b.data : "", b.len);
	buf_release(&in);
	buf_release(&b);
	return 0;
}

static int fn_js(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf in = BUF_INIT, b = BUF_INIT;

	(void)err;
	eval_args(s, &in, a, n);
	for (size_t i = 0; i < in.len;) {
		unsigned char c = in.data[i];
		if (c < 0x80) {
			switch (c) {
			case '\\': buf_adds(&b, "\\\\"); break;
			case '\'': buf_adds(&b, "\\'"); break;
			case '"': buf_adds(&b, "\\\""); break;
			case '<': buf_adds(&b, "\\u003C"); break;
			case '>': buf_adds(&b, "\\u003E"); break;
			case '&': buf_adds(&b, "\\u0026"); break;
			case '=': buf_adds(&b, "\\u003D"); break;
			default:
				if (c < ' ') {
					buf_adds(&b, "\\u00");
					buf_addc(&b, (unsigned char)hex[c >> 4]);
					buf_addc(&b, (unsigned char)hex[c & 15]);
				} else {
					buf_addc(&b, c);
				}
			}
			i++;
		} else {
			int32_t r;
			size_t w = go_decode_rune(in.data + i, in.len - i, &r);
			if (go_unicode_isprint((uint32_t)r) && !(r == 0xFFFD && w == 1))
				buf_add(&b, in.data + i, w);
			else
				buf_addf(&b, "\\u%04X", (unsigned)r);
			i += w;
		}
	}
	*out = tv_string(s, b.data ? (const char *)b.data : "", b.len);
	buf_release(&in);
	buf_release(&b);
	return 0;
}

static int fn_urlquery(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	struct buf in = BUF_INIT, b = BUF_INIT;

	(void)err;
	eval_args(s, &in, a, n);
	go_query_escape(&b, buf_str(&in));
	*out = tv_string(s, b.data ? (const char *)b.data : "", b.len);
	buf_release(&in);
	buf_release(&b);
	return 0;
}

/* ---- comparisons ------------------------------------------------------- */

enum bkind { K_INVALID, K_BOOL, K_COMPLEX, K_INT, K_FLOAT, K_STRING };

static enum bkind basic_kind(const struct tval *v)
{
	switch (v->k) {
	case TV_BOOL: return K_BOOL;
	case TV_INT: return K_INT;
	case TV_FLOAT: return K_FLOAT;
	case TV_COMPLEX: return K_COMPLEX;
	case TV_STRING: case TV_HTML: return K_STRING;
	default: return K_INVALID;
	}
}

static int str_cmp(const struct tval *a, const struct tval *b)
{
	size_t m = a->n < b->n ? a->n : b->n;
	int c = memcmp(a->s, b->s, m);
	return c ? c : a->n < b->n ? -1 : a->n > b->n ? 1 : 0;
}

static bool comparable(const struct tval *v)
{
	return v->k != TV_MAP_SS && v->k != TV_MAP_SI && v->k != TV_QRESULT && v->k != TV_DATA;
}

/* reflect kinds of the non-basic values, for eq's checks */
static int rkind(const struct tval *v)
{
	switch (v->k) {
	case TV_MAP_SS: case TV_MAP_SI: return 1;  /* map */
	case TV_QRESULT: return 2;                 /* slice */
	case TV_SAMPLE: case TV_TIME: return 3;    /* pointer */
	case TV_DATA: return 4;                    /* struct */
	case TV_INVALID: return 0;
	default: return 5;
	}
}

static bool is_nil(const struct tval *v)
{
	return v->k == TV_INVALID || ((v->k == TV_SAMPLE || v->k == TV_TIME || v->k == TV_QRESULT) && !v->p);
}

static int eq(struct xstate *s, const struct tval *a1, const struct tval *a2, size_t n2, bool *res, struct buf *err)
{
	enum bkind k1 = basic_kind(a1);

	if (n2 == 0)
		return fail(err, "missing argument for comparison");
	for (size_t i = 0; i < n2; i++) {
		const struct tval *b = &a2[i];
		enum bkind k2 = basic_kind(b);
		bool truth = false;
		if (k1 != k2) {
			if (a1->k != TV_INVALID && b->k != TV_INVALID)
				return fail(err, "incompatible types for comparison");
		} else {
			switch (k1) {
			case K_BOOL: truth = a1->b == b->b; break;
			case K_COMPLEX: truth = a1->f == b->f && a1->im == b->im; break;
			case K_FLOAT: truth = a1->f == b->f; break;
			case K_INT: truth = a1->i == b->i; break;
			case K_STRING: truth = str_cmp(a1, b) == 0; break;
			default:
				if (rkind(a1) != rkind(b) && a1->k != TV_INVALID && b->k != TV_INVALID) {
					/* canCompare */
					buf_adds(err, "non-comparable types ");
					tv_sprint(err, a1, 1);
					buf_adds(err, ": ");
					tv_type_name(err, a1);
					buf_adds(err, ", ");
					tv_type_name(err, b);
					buf_adds(err, ": ");
					tv_sprint(err, b, 1);
					return -1;
				}
				if (is_nil(a1) || is_nil(b)) {
					truth = is_nil(a1) == is_nil(b);
				} else if (!comparable(b)) {
					buf_adds(err, "non-comparable type ");
					tv_sprint(err, b, 1);
					buf_adds(err, ": ");
					tv_type_name(err, b);
					return -1;
				} else {
					truth = a1->k == b->k && a1->p == b->p;
				}
			}
		}
		if (truth) {
			*res = true;
			return 0;
		}
	}
	(void)s;
	*res = false;
	return 0;
}

static int lt(const struct tval *a1, const struct tval *a2, bool *res, struct buf *err)
{
	enum bkind k1 = basic_kind(a1), k2 = basic_kind(a2);

	if (k1 == K_INVALID || k2 == K_INVALID)
		return fail(err, "invalid type for comparison");
	if (k1 != k2)
		return fail(err, "incompatible types for comparison");
	switch (k1) {
	case K_BOOL:
	case K_COMPLEX:
		return fail(err, "invalid type for comparison");
	case K_FLOAT: *res = a1->f < a2->f; break;
	case K_INT: *res = a1->i < a2->i; break;
	default: *res = str_cmp(a1, a2) < 0; break;
	}
	return 0;
}

static int fn_eq(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	out->k = TV_BOOL;
	return eq(s, &a[0], a + 1, n - 1, &out->b, err);
}

static int fn_ne(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	int rc;

	(void)n;
	out->k = TV_BOOL;
	rc = eq(s, &a[0], &a[1], 1, &out->b, err);
	out->b = !out->b;
	return rc;
}

static int fn_lt(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	(void)s, (void)n;
	out->k = TV_BOOL;
	return lt(&a[0], &a[1], &out->b, err);
}

static int le(struct xstate *s, const struct tval *a, bool *res, struct buf *err)
{
	if (lt(&a[0], &a[1], res, err) < 0)
		return -1;
	if (*res)
		return 0;
	return eq(s, &a[0], &a[1], 1, res, err);
}

static int fn_le(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	(void)n;
	out->k = TV_BOOL;
	return le(s, a, &out->b, err);
}

static int fn_gt(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	bool r;

	(void)n;
	out->k = TV_BOOL;
	if (le(s, a, &r, err) < 0)
		return -1;
	out->b = !r;
	return 0;
}

static int fn_ge(struct xstate *s, const struct tval *a, size_t n, struct tval *out, struct buf *err)
{
	bool r;

	(void)s, (void)n;
	out->k = TV_BOOL;
	if (lt(&a[0], &a[1], &r, err) < 0)
		return -1;
	out->b = !r;
	return 0;
}

const struct tfunc tmpl_builtins[] = {
	{ "and", 2, true, { P_RVALUE, P_RVALUE }, fn_unused },
	{ "or", 2, true, { P_RVALUE, P_RVALUE }, fn_unused },
	{ "not", 1, false, { P_RVALUE }, fn_not },
	{ "len", 1, false, { P_RVALUE }, fn_len },
	{ "index", 2, true, { P_RVALUE, P_RVALUE }, fn_index },
	{ "slice", 2, true, { P_RVALUE, P_RVALUE }, fn_slice },
	{ "call", 2, true, { P_RVALUE, P_RVALUE }, fn_call },
	{ "print", 1, true, { P_IFACE }, fn_print },
	{ "printf", 2, true, { P_STRING, P_IFACE }, fn_printf },
	{ "println", 1, true, { P_IFACE }, fn_println },
	{ "html", 1, true, { P_IFACE }, fn_html },
	{ "js", 1, true, { P_IFACE }, fn_js },
	{ "urlquery", 1, true, { P_IFACE }, fn_urlquery },
	{ "eq", 2, true, { P_RVALUE, P_RVALUE }, fn_eq },
	{ "ne", 2, false, { P_RVALUE, P_RVALUE }, fn_ne },
	{ "lt", 2, false, { P_RVALUE, P_RVALUE }, fn_lt },
	{ "le", 2, false, { P_RVALUE, P_RVALUE }, fn_le },
	{ "gt", 2, false, { P_RVALUE, P_RVALUE }, fn_gt },
	{ "ge", 2, false, { P_RVALUE, P_RVALUE }, fn_ge },
};

const size_t tmpl_nbuiltins = sizeof(tmpl_builtins) / sizeof(tmpl_builtins[0]);
