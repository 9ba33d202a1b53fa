/*
 * Go's fmt package over template values (tmpl_value.h): Sprint, Sprintln
 * and Sprintf with Go 1.19's verbs, flags, width and precision, and its
 * error forms ("%!d(string=abc)", "%!s(MISSING)", "%!(EXTRA int=1)"),
 * as alert templates print through fmt.Fprint and the printf function.
 *
 * Floats with a precision are rounded from their exact decimal expansion
 * (round half to even), which is what strconv does and what glibc's
 * printf does too; shortest forms come from 1-common/gofmt.h.
 */
#include "6-rules/tmpl_value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "1-common/utf8.h"
#include "2-model/labels.h"

const char *tmap_ss_get(const struct tmap_ss *m, const char *k, size_t n)
{
	size_t lo = 0, hi = m ? m->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t kl = strlen(m->k[mid]);
		int c = memcmp(m->k[mid], k, kl < n ? kl : n);
		if (c == 0)
			c = kl < n ? -1 : kl > n ? 1 : 0;
		if (c == 0)
			return m->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void tv_type_name(struct buf *out, const struct tval *v)
{
	static const char *const names[] = {
		[TV_INVALID] = "<nil>", [TV_BOOL] = "bool", [TV_INT] = "int", [TV_FLOAT] = "float64",
		[TV_COMPLEX] = "complex128", [TV_STRING] = "string", [TV_HTML] = "template.HTML",
		[TV_MAP_SS] = "map[string]string", [TV_MAP_SI] = "map[string]interface {}",
		[TV_DATA] = "struct { Labels map[string]string; ExternalLabels map[string]string; "
			    "ExternalURL string; Value float64 }",
		[TV_QRESULT] = "template.queryResult", [TV_SAMPLE] = "*template.sample",
		[TV_TIME] = "*time.Time",
	};
	buf_adds(out, names[v->k]);
}

/* ---- strconv ------------------------------------------------------------ */

/* Digits of v rounded to nd significant digits (nd >= 1): digits and the
 * decimal point position, trailing zeros removed (strconv's decimal). */
static void round_digits(double v, int nd, char *digits, int *ndig, int *dp)
{
	char tmp[420];
	char *p = tmp, *e;
	int n = 0;

	if (nd > 400)
		nd = 400;
	snprintf(tmp, sizeof(tmp), "%.*e", nd - 1, fabs(v));
	e = strchr(tmp, 'e');
	for (; p < e; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	*dp = atoi(e + 1) + 1;
	while (n > 0 && digits[n - 1] == '0')
		n--;
	if (n == 0) {
		/* zero */
		*dp = 0;
	}
	digits[n] = '\0';
	*ndig = n;
}

/* strconv fmtE: d.ddde±dd with prec digits after the point. */
static void fmt_e(struct buf *out, bool neg, const char *d, int nd, int dp, int prec, char fmt)
{
	int exp;

	if (neg)
		buf_addc(out, '-');
	buf_addc(out, nd ? (unsigned char)d[0] : '0');
	if (prec > 0) {
		buf_addc(out, '.');
		for (int i = 1; i <= prec; i++)
			buf_addc(out, i < nd ? (unsigned char)d[i] : '0');
	}
	buf_addc(out, (unsigned char)fmt);
	exp = nd ? dp - 1 : 0;
	buf_addc(out, exp < 0 ? '-' : '+');
	if (exp < 0)
		exp = -exp;
	if (exp < 10)
		buf_addf(out, "0%d", exp);
	else
		buf_addf(out, "%d", exp);
}

/* strconv fmtF: ddd.ddd with prec digits after the point. */
static void fmt_f(struct buf *out, bool neg, const char *d, int nd, int dp, int prec)
{
	if (neg)
		buf_addc(out, '-');
	if (dp > 0) {
		int m = dp < nd ? dp : nd;
		buf_add(out, d, (size_t)m);
		for (; m < dp; m++)
			buf_addc(out, '0');
	} else {
		buf_addc(out, '0');
	}
	if (prec > 0) {
		buf_addc(out, '.');
		for (int i = 0; i < prec; i++) {
			int j = dp + i;
			buf_addc(out, j < 0 || j >= nd ? '0' : (unsigned char)d[j]);
		}
	}
}

/* strconv fmtB and fmtX: the binary forms -ddddp±ddd and -0x1.hhhp±dd. */
static void fmt_bx(struct buf *out, double v, char fmt, int prec)
{
	uint64_t bits = double_bits(v), mant = bits & ((1ULL << 52) - 1);
	int exp = (int)(bits >> 52) & 0x7FF;
	bool neg = bits >> 63;
	const char *hex = fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";

	if (exp == 0)
		exp++;
	else
		mant |= 1ULL << 52;
	exp -= 1023;
	if (neg)
		buf_addc(out, '-');
	if (fmt == 'b') {
		exp -= 52;
		buf_addf(out, "%llup%s%d", (unsigned long long)mant, exp >= 0 ? "+" : "", exp);
		return;
	}
	if (mant == 0)
		exp = 0;
	mant <<= 60 - 52;
	while (mant != 0 && !(mant & (1ULL << 60))) {
		mant <<= 1;
		exp--;
	}
	if (prec >= 0 && prec < 15) {
		unsigned shift = (unsigned)prec * 4;
		uint64_t extra = (mant << shift) & ((1ULL << 60) - 1);
		mant >>= 60 - shift;
		if ((extra | (mant & 1)) > (1ULL << 59))
			mant++;
		mant <<= 60 - shift;
		if (mant & (1ULL << 61)) {
			mant >>= 1;
			exp++;
		}
	}
	buf_addc(out, '0');
	buf_addc(out, (unsigned char)fmt);
	buf_addc(out, (unsigned char)('0' + ((mant >> 60) & 1)));
	mant <<= 4;
	if (prec < 0 && mant != 0) {
		buf_addc(out, '.');
		while (mant != 0) {
			buf_addc(out, (unsigned char)hex[(mant >> 60) & 15]);
			mant <<= 4;
		}
	} else if (prec > 0) {
		buf_addc(out, '.');
		for (int i = 0; i < prec; i++) {
			buf_addc(out, (unsigned char)hex[(mant >> 60) & 15]);
			mant <<= 4;
		}
	}
	buf_addc(out, fmt == 'X' ? 'P' : 'p');
	buf_addc(out, exp < 0 ? '-' : '+');
	buf_addf(out, "%02d", exp < 0 ? -exp : exp);
}

void tv_format_float(struct buf *out, double v, char fmt, int prec)
{
	char d[420];
	int nd, dp;
	bool neg = signbit(v) != 0;

	if ((fmt == 'b' || fmt == 'x' || fmt == 'X') && isfinite(v)) {
		fmt_bx(out, v, fmt, prec);
		return;
	}
	if (isnan(v)) {
		buf_adds(out, "NaN");
		return;
	}
	if (isinf(v)) {
		buf_adds(out, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (prec < 0) {
		if (v == 0) {
			nd = 0;
			dp = 0;
			d[0] = 0;
		} else {
			char sd[18];
			go_shortest_digits(v, sd, &nd, &dp);
			memcpy(d, sd, (size_t)nd + 1);
		}
		switch (fmt) {
		case 'e': case 'E':
			fmt_e(out, neg, d, nd, dp, nd ? nd - 1 : 0, fmt);
			return;
		case 'f':
			fmt_f(out, neg, d, nd, dp, nd > dp ? nd - dp : 0);
			return;
		default: {
			int exp = nd ? dp - 1 : 0;
			if (exp < -4 || exp >= (nd > 21 ? nd : 21 > 6 ? 6 : 6))
				fmt_e(out, neg, d, nd, dp, nd ? nd - 1 : 0, fmt == 'G' ? 'E' : 'e');
			else
				fmt_f(out, neg, d, nd, dp, nd > dp ? nd - dp : 0);
			return;
		}
		}
	}
	switch (fmt) {
	case 'e': case 'E':
		if (v == 0)
			nd = 0, dp = 0;
		else
			round_digits(v, prec + 1, d, &nd, &dp);
		fmt_e(out, neg, d, nd, dp, prec, fmt);
		return;
	case 'f': {
		char tmp[700];
		/* digits to dp + prec: let printf round at the right place */
		if (snprintf(tmp, sizeof(tmp), "%.*f", prec > 300 ? 300 : prec, fabs(v)) >= (int)sizeof(tmp)) {
			buf_adds(out, "%!f(BADPREC)");
			return;
		}
		if (neg)
			buf_addc(out, '-');
		buf_adds(out, tmp);
		return;
	}
	default: {
		int eprec = prec, exp;
		if (prec == 0)
			prec = 1;
		if (v == 0) {
			nd = 0;
			dp = 0;
		} else {
			round_digits(v, prec, d, &nd, &dp);
		}
		eprec = prec;
		if (eprec > nd && nd >= dp)
			eprec = nd;
		exp = dp - 1;
		if (exp < -4 || exp >= eprec) {
			int p = prec > nd ? nd : prec;
			fmt_e(out, neg, d, nd, dp, p > 0 ? p - 1 : 0, fmt == 'G' ? 'E' : 'e');
			return;
		}
		if (prec > dp)
			prec = nd;
		fmt_f(out, neg, d, nd, dp, prec - dp > 0 ? prec - dp : 0);
		return;
	}
	}
}

/* ---- fmt --------------------------------------------------------------- */

struct fmtf {
	bool minus, plus, sharp, space, zero;
	bool wid_present, prec_present;
	int wid, prec;
};

static size_t rune_count(const unsigned char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n;) {
		int32_t r;
		i += go_decode_rune(s + i, n - i, &r);
		c++;
	}
	return c;
}

/* fmt.pad: width in runes, spaces or zeros on the left, spaces on the right. */
static void pad(struct buf *out, const struct fmtf *f, const void *p, size_t n)
{
	size_t rc = rune_count(p, n);
	size_t w = f->wid_present && f->wid > 0 && (size_t)f->wid > rc ? (size_t)f->wid - rc : 0;

	if (!f->minus)
		for (size_t i = 0; i < w; i++)
			buf_addc(out, f->zero ? '0' : ' ');
	buf_add(out, p, n);
	if (f->minus)
		for (size_t i = 0; i < w; i++)
			buf_addc(out, ' ');
}

static void fmt_integer(struct buf *out, const struct fmtf *f, int64_t iv, int base, char verb)
{
	char digs[80];
	int n = 0, prec = f->prec_present ? f->prec : 0;
	bool neg = iv < 0;
	uint64_t u = neg ? 0 - (uint64_t)iv : (uint64_t)iv;
	const char *dig = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	struct buf b = BUF_INIT;
	struct fmtf g = *f;

	if (f->prec_present && prec == 0 && iv == 0) {
		/* Go: precision 0 and value 0 means "print nothing but padding" */
		g.zero = false;
		pad(out, &g, "", 0);
		return;
	}
	if (!f->prec_present && f->zero && f->wid_present && !f->minus) {
		prec = f->wid;
		if (neg || f->plus || f->space)
			prec--;
	}
	do {
		digs[n++] = dig[u % (unsigned)base];
		u /= (unsigned)base;
	} while (u);
	while (n < prec && n < 70)
		digs[n++] = '0';
	if (f->sharp) {
		if (base == 8 && digs[n - 1] != '0')
			digs[n++] = '0';
		else if (base == 16) {
			digs[n++] = verb;
			digs[n++] = '0';
		} else if (base == 2) {
			digs[n++] = 'b';
			digs[n++] = '0';
		}
	}
	if (verb == 'O') {
		digs[n++] = 'o';
		digs[n++] = '0';
	}
	if (neg)
		digs[n++] = '-';
	else if (f->plus)
		digs[n++] = '+';
	else if (f->space)
		digs[n++] = ' ';
	for (int i = n - 1; i >= 0; i--)
		buf_addc(&b, (unsigned char)digs[i]);
	g.zero = false;
	pad(out, &g, b.data, b.len);
	buf_release(&b);
}

static void fmt_float(struct buf *out, const struct fmtf *f, double v, char verb, int prec)
{
	struct buf num = BUF_INIT;
	struct fmtf g = *f;
	const char *s;
	size_t n;

	if (f->prec_present)
		prec = f->prec;
	buf_addc(&num, '+');
	tv_format_float(&num, v, verb == 'F' ? 'f' : verb == 'v' ? 'g' : verb, prec);
	s = (const char *)num.data;
	n = num.len;
	if (s[1] == '-' || s[1] == '+') {
		s++;
		n--;
	}
	if (f->sharp && verb != 'b') {
		/* %#g keeps trailing zeros and always a point: rarely used, the
		 * plain form is kept */
	}
	if (f->space && s[0] == '+' && !f->plus) {
		struct buf sp = BUF_INIT;
		buf_addc(&sp, ' ');
		buf_add(&sp, s + 1, n - 1);
		buf_release(&num);
		num = sp;
		s = (const char *)num.data;
		n = num.len;
	}
	if (isinf(v) || isnan(v)) {
		/* not padded with zeros; NaN loses the sign unless asked for */
		g.zero = false;
		if (isnan(v) && !f->space && !f->plus) {
			s++;
			n--;
		}
		pad(out, &g, s, n);
		buf_release(&num);
		return;
	}
	if (f->plus || s[0] != '+') {
		if (g.zero && f->wid_present && (size_t)f->wid > n) {
			buf_addc(out, (unsigned char)s[0]);
			for (size_t i = 0; i < (size_t)f->wid - n; i++)
				buf_addc(out, '0');
			buf_add(out, s + 1, n - 1);
		} else {
			pad(out, &g, s, n);
		}
	} else {
		pad(out, &g, s + 1, n - 1);
	}
	buf_release(&num);
}

static void print_value(struct buf *out, const struct fmtf *f, const struct tval *v, char verb, int depth);

/* fmtC/fmtQc: an integer beyond the runes (negative ones too, as uint64)
 * is U+FFFD; so are surrogates. */
static int32_t valid_rune(int64_t i)
{
	if (i < 0 || i > 0x10FFFF || (i >= 0xD800 && i <= 0xDFFF))
		return 0xFFFD;
	return (int32_t)i;
}

/* badVerb: the value printed with %v and the verb's own flags, width and
 * precision (fmt keeps them). */
static void bad_verb(struct buf *out, const struct fmtf *f, const struct tval *v, char verb)
{
	buf_adds(out, "%!");
	buf_addc(out, (unsigned char)verb);
	buf_addc(out, '(');
	if (v->k == TV_INVALID) {
		buf_adds(out, "<nil>");
	} else {
		tv_type_name(out, v);
		buf_addc(out, '=');
		print_value(out, f, v, 'v', 0);
	}
	buf_addc(out, ')');
}

static void fmt_string(struct buf *out, const struct fmtf *f, const char *s, size_t n, char verb)
{
	struct buf b = BUF_INIT;

	switch (verb) {
	case 'v':
	case 's':
		if (f->prec_present) {
			/* truncate to prec runes */
			size_t i = 0, r = 0;
			while (i < n && r < (size_t)f->prec) {
				int32_t c;
				i += go_decode_rune((const unsigned char *)s + i, n - i, &c);
				r++;
			}
			n = i;
		}
		pad(out, f, s, n);
		break;
	case 'q':
		go_quote(&b, s, n);
		pad(out, f, b.data, b.len);
		break;
	case 'x':
	case 'X': {
		const char *dig = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
		for (size_t i = 0; i < n; i++) {
			if (f->space && i > 0)
				buf_addc(&b, ' ');
			if (f->sharp && (i == 0 || f->space)) {
				buf_addc(&b, '0');
				buf_addc(&b, (unsigned char)verb);
			}
			buf_addc(&b, (unsigned char)dig[(unsigned char)s[i] >> 4]);
			buf_addc(&b, (unsigned char)dig[(unsigned char)s[i] & 15]);
		}
		pad(out, f, b.data, b.len);
		break;
	}
	}
	buf_release(&b);
}

static void print_map_ss(struct buf *out, const struct fmtf *f, const struct tmap_ss *m, char verb, int depth)
{
	buf_adds(out, "map[");
	for (size_t i = 0; m && i < m->n; i++) {
		struct tval k = { .k = TV_STRING, .s = m->k[i], .n = strlen(m->k[i]) };
		struct tval v = { .k = TV_STRING, .s = m->v[i], .n = strlen(m->v[i]) };
		if (i)
			buf_addc(out, ' ');
		print_value(out, f, &k, verb, depth + 1);
		buf_addc(out, ':');
		print_value(out, f, &v, verb, depth + 1);
	}
	buf_addc(out, ']');
}

void tv_time_string(struct buf *out, int64_t ns)
{
	int64_t sec = ns / 1000000000, nsec = ns % 1000000000;
	int64_t days, rem, y, m, d, doe, yoe, doy, mp, era;

	if (nsec < 0) {
		nsec += 1000000000;
		sec--;
	}
	days = sec / 86400;
	rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	/* civil from days (H. Hinnant) */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	buf_addf(out, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld", (long long)y, (long long)m, (long long)d,
		 (long long)(rem / 3600), (long long)(rem / 60 % 60), (long long)(rem % 60));
	if (nsec) {
		char frac[16];
		int k;
		snprintf(frac, sizeof(frac), "%09lld", (long long)nsec);
		for (k = 9; k > 0 && frac[k - 1] == '0'; k--)
			;
		frac[k] = '\0';
		buf_addf(out, ".%s", frac);
	}
	buf_adds(out, " +0000 UTC");
}

static void print_value(struct buf *out, const struct fmtf *f, const struct tval *v, char verb, int depth)
{
	struct buf b = BUF_INIT;

	switch (v->k) {
	case TV_INVALID:
		if (verb == 'v' || verb == 's' || verb == 'q' || verb == 'x' || verb == 'X' || depth == 0)
			pad(out, f, "<nil>", 5);
		else
			bad_verb(out, f, v, verb);
		break;
	case TV_BOOL:
		if (verb == 'v' || verb == 't')
			pad(out, f, v->b ? "true" : "false", v->b ? 4 : 5);
		else
			bad_verb(out, f, v, verb);
		break;
	case TV_INT:
		switch (verb) {
		case 'v': case 'd': fmt_integer(out, f, v->i, 10, verb); break;
		case 'b': fmt_integer(out, f, v->i, 2, verb); break;
		case 'o': case 'O': fmt_integer(out, f, v->i, 8, verb); break;
		case 'x': case 'X': fmt_integer(out, f, v->i, 16, verb); break;
		case 'c':
			go_put_rune(&b, valid_rune(v->i));
			pad(out, f, b.data, b.len);
			break;
		case 'q':
			buf_addc(&b, '\'');
			go_escape_rune(&b, valid_rune(v->i), '\'');
			buf_addc(&b, '\'');
			pad(out, f, b.data, b.len);
			break;
		case 'U':
			buf_addf(&b, "U+%04llX", (unsigned long long)v->i);
			pad(out, f, b.data, b.len);
			break;
		case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
		default:
			bad_verb(out, f, v, verb);
		}
		break;
	case TV_FLOAT:
		switch (verb) {
		case 'v': fmt_float(out, f, v->f, 'g', -1); break;
		case 'g': case 'G': case 'b': case 'x': case 'X': fmt_float(out, f, v->f, verb, -1); break;
		case 'e': case 'E': case 'f': case 'F': fmt_float(out, f, v->f, verb, 6); break;
		default: bad_verb(out, f, v, verb);
		}
		break;
	case TV_COMPLEX:
		if (strchr("vgGeEfF", verb)) {
			struct fmtf g = *f;
			char vv = verb == 'v' ? 'g' : verb;
			int prec = strchr("eEfF", verb) ? 6 : -1;
			g.wid_present = false;
			buf_addc(out, '(');
			fmt_float(out, &g, v->f, vv, prec);
			g.plus = true;
			fmt_float(out, &g, v->im, vv, prec);
			buf_adds(out, "i)");
		} else {
			bad_verb(out, f, v, verb);
		}
		break;
	case TV_STRING:
	case TV_HTML:
		if (strchr("vsqxX", verb))
			fmt_string(out, f, v->s, v->n, verb);
		else
			bad_verb(out, f, v, verb);
		break;
	case TV_MAP_SS:
		print_map_ss(out, f, v->p, verb, depth);
		break;
	case TV_MAP_SI: {
		const struct tmap_si *m = v->p;
		buf_adds(out, "map[");
		for (size_t i = 0; m && i < m->n; i++) {
			struct tval k = { .k = TV_STRING, .s = m->k[i], .n = strlen(m->k[i]) };
			if (i)
				buf_addc(out, ' ');
			print_value(out, f, &k, verb, depth + 1);
			buf_addc(out, ':');
			print_value(out, f, &m->v[i], verb, depth + 1);
		}
		buf_addc(out, ']');
		break;
	}
	case TV_DATA: {
		const struct tdata *d = v->p;
		struct tval u = { .k = TV_STRING, .s = d->external_url, .n = strlen(d->external_url) };
		struct tval val = { .k = TV_FLOAT, .f = d->value };
		buf_addc(out, '{');
		print_map_ss(out, f, d->labels, verb, depth + 1);
		buf_addc(out, ' ');
		print_map_ss(out, f, d->external_labels, verb, depth + 1);
		buf_addc(out, ' ');
		print_value(out, f, &u, verb, depth + 1);
		buf_addc(out, ' ');
		print_value(out, f, &val, verb, depth + 1);
		buf_addc(out, '}');
		break;
	}
	case TV_QRESULT: {
		const struct tqres *q = v->p;
		buf_addc(out, '[');
		for (size_t i = 0; q && i < q->n; i++) {
			if (i)
				buf_addc(out, ' ');
			/* pointers print as addresses in Go; the address is ours */
			buf_addf(out, "%p", (void *)q->v[i]);
		}
		buf_addc(out, ']');
		break;
	}
	case TV_SAMPLE: {
		const struct tsample *s = v->p;
		if (!s) {
			pad(out, f, "<nil>", 5);
			break;
		}
		struct tval val = { .k = TV_FLOAT, .f = s->value };
		if (depth == 0)
			buf_addc(out, '&');
		buf_addc(out, '{');
		print_map_ss(out, f, &s->labels, verb, depth + 1);
		buf_addc(out, ' ');
		print_value(out, f, &val, verb, depth + 1);
		buf_addc(out, '}');
		break;
	}
	case TV_TIME:
		if (!v->p) {
			pad(out, f, "<nil>", 5);
		} else if (strchr("vsqxX", verb)) {
			tv_time_string(&b, *(const int64_t *)v->p);
			fmt_string(out, f, (const char *)b.data, b.len, verb);
		} else {
			bad_verb(out, f, v, verb);
		}
		break;
	}
	buf_release(&b);
}

static bool is_string(const struct tval *v)
{
	return v->k == TV_STRING || v->k == TV_HTML;
}

void tv_sprint(struct buf *out, const struct tval *args, size_t n)
{
	struct fmtf f = { 0 };

	for (size_t i = 0; i < n; i++) {
		/* a space between operands when neither is a string */
		if (i > 0 && !is_string(&args[i]) && !is_string(&args[i - 1]))
			buf_addc(out, ' ');
		print_value(out, &f, &args[i], 'v', 0);
	}
}

void tv_sprintln(struct buf *out, const struct tval *args, size_t n)
{
	struct fmtf f = { 0 };

	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(out, ' ');
		print_value(out, &f, &args[i], 'v', 0);
	}
	buf_addc(out, '\n');
}

/* Parses a decimal number at fmt[*i]; false if none. */
static bool parse_num(const char *s, size_t n, size_t *i, int *out)
{
	size_t start = *i;
	long v = 0;

	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		if (v > 1000000)
			return false; /* Go: tooLarge */
		v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	*out = (int)v;
	return *i > start;
}

void tv_sprintf(struct buf *out, const char *s, size_t n, const struct tval *args, size_t nargs)
{
	size_t argn = 0, i = 0;
	bool reordered = false;

	while (i < n) {
		struct fmtf f = { 0 };
		int32_t verb;
		size_t start = i;

		while (i < n && s[i] != '%')
			i++;
		buf_add(out, s + start, i - start);
		if (i >= n)
			break;
		i++; /* '%' */
		for (; i < n; i++) {
			char c = s[i];
			if (c == '#')
				f.sharp = true;
			else if (c == '0')
				f.zero = !f.minus;
			else if (c == '+')
				f.plus = true;
			else if (c == '-')
				f.minus = true, f.zero = false;
			else if (c == ' ')
				f.space = true;
			else
				break;
		}
		/* width */
		if (i < n && s[i] == '*') {
			i++;
			if (argn < nargs && args[argn].k == TV_INT) {
				f.wid = (int)args[argn].i;
				f.wid_present = true;
				if (f.wid < 0) {
					f.minus = true;
					f.zero = false;
					f.wid = -f.wid;
				}
			} else {
				buf_adds(out, "%!(BADWIDTH)");
			}
			argn++;
		} else {
			f.wid_present = parse_num(s, n, &i, &f.wid);
		}
		if (i + 1 <= n && i < n && s[i] == '.') {
			i++;
			if (i < n && s[i] == '*') {
				i++;
				if (argn < nargs && args[argn].k == TV_INT && args[argn].i >= 0) {
					f.prec = (int)args[argn].i;
					f.prec_present = true;
				} else {
					buf_adds(out, "%!(BADPREC)");
				}
				argn++;
			} else {
				parse_num(s, n, &i, &f.prec);
				f.prec_present = true;
			}
		}
		if (!f.minus && f.zero)
			f.zero = true;
		if (i >= n) {
			buf_adds(out, "%!(NOVERB)");
			break;
		}
		{
			size_t w = go_decode_rune((const unsigned char *)s + i, n - i, &verb);
			i += w;
		}
		if (verb == '%') {
			buf_addc(out, '%');
			continue;
		}
		if (argn >= nargs) {
			buf_adds(out, "%!");
			go_put_rune(out, verb);
			buf_adds(out, "(MISSING)");
			continue;
		}
		if (verb == 'T') {
			struct buf t = BUF_INIT;
			tv_type_name(&t, &args[argn++]);
			fmt_string(out, &f, (const char *)t.data, t.len, 's');
			buf_release(&t);
			continue;
		}
		if (verb > 127) {
			struct buf vb = BUF_INIT;
			go_put_rune(&vb, verb);
			buf_adds(out, "%!");
			buf_add(out, vb.data, vb.len);
			buf_addc(out, '(');
			tv_type_name(out, &args[argn]);
			buf_addc(out, '=');
			{
				struct fmtf plain = { 0 };
				print_value(out, &plain, &args[argn], 'v', 0);
			}
			buf_addc(out, ')');
			buf_release(&vb);
			argn++;
			continue;
		}
		print_value(out, &f, &args[argn++], (char)verb, 0);
	}
	if (!reordered && argn < nargs) {
		struct fmtf plain = { 0 };
		buf_adds(out, "%!(EXTRA ");
		for (size_t k = argn; k < nargs; k++) {
			if (k > argn)
				buf_adds(out, ", ");
			if (args[k].k == TV_INVALID) {
				buf_adds(out, "<nil>");
				continue;
			}
			tv_type_name(out, &args[k]);
			buf_addc(out, '=');
			print_value(out, &plain, &args[k], 'v', 0);
		}
		buf_addc(out, ')');
	}
}
