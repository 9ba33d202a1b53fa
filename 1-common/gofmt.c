/*
 * Go-compatible formatting.  The rules reproduced here are those of Go's
 * strconv (ftoa.go: %e/%f/%g layout and the shortest-digits mode), time
 * (Duration.String, ParseDuration) and prometheus/common model.Duration.
 */
#include "1-common/gofmt.h"

#include <errno.h>
#include <stdbool.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double go_nan(void)
{
	return bits_double(0x7FF8000000000001ull);
}

double prom_stale_nan(void)
{
	return bits_double(0x7FF0000000000002ull);
}

/*
 * Any decimal with at most 15 significant digits survives a round trip
 * through a double (DBL_DIG), so when 15 correctly rounded digits round-trip,
 * the shortest representation is those digits with trailing zeros removed.
 * Otherwise 16, else 17 digits (17 always round-trip).  Correct rounding at
 * the chosen precision also gives Go's choice among equally short strings:
 * the one closest to the exact value.  Subnormals carry fewer digits than
 * DBL_DIG, so for them every precision is tried from 1 up.
 */
/*
 * Fast path for values that are short decimals (most sample values): the
 * smallest k such that m = round(v * 10^k) gives back v as m / 10^k.  With
 * m below 2^50 the half-ulp interval around v is under 1/4 of a step of
 * 10^-k, so m is the only k-digit candidate: the shortest, and the closest,
 * which is what Go's shortest formatting picks.  m / 10^k is one correctly
 * rounded division of exact operands, the same value strtod gives for
 * "m e-k".  Returns 0 when the value needs the general path.
 */
static int short_decimal_digits(double v, char digits[18], int *nd, int *dp)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
				      1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17 };
	if (!(v < 0x1p50 && v >= 1e-10))
		return 0;
	for (int k = 0; k < (int)(sizeof(p10) / sizeof(p10[0])); k++) {
		double x = v * p10[k], m;
		if (x >= 0x1p50)
			return 0;
		/* |x - m| < 3/8 for the right m (see above), so any
		 * rounding of halves does */
		m = (double)(uint64_t)(x + 0.5);
		if (m >= 1 && m / p10[k] == v) {
			char tmp[20];
			uint64_t u = (uint64_t)m;
			int n = 0, len;
			while (u) {
				tmp[n++] = (char)('0' + u % 10);
				u /= 10;
			}
			len = n;
			for (int i = 0; i < n; i++)
				digits[i] = tmp[n - 1 - i];
			while (n > 1 && digits[n - 1] == '0')
				n--;
			digits[n] = '\0';
			*nd = n;
			*dp = len - k;
			return 1;
		}
	}
	return 0;
}

void go_shortest_digits(double v, char digits[18], int *nd, int *dp)
{
	char tmp[40];
	int prec, n = 0, exp;
	char *e;

	v = fabs(v);
	if (short_decimal_digits(v, digits, nd, dp))
		return;
	for (prec = v < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
		if (prec == 17 || strtod(tmp, NULL) == v)
			break;
	}
	for (char *p = tmp; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	e = strchr(tmp, 'e');
	exp = atoi(e + 1);
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*nd = n;
	*dp = exp + 1;
}

static int special(struct buf *out, double v, int plus_inf)
{
	if (isnan(v)) {
		buf_adds(out, "NaN");
		return 1;
	}
	if (isinf(v)) {
		buf_adds(out, v > 0 ? (plus_inf ? "+Inf" : "+Inf") : "-Inf");
		return 1;
	}
	return 0;
}

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Exactly 8 digits of v < 10^8, zero-padded, in 32-bit steps that do not
 * depend on each other. */
static void put_8_digits(char *p, uint32_t v)
{
	uint32_t a = v / 10000, b = v % 10000;
	uint32_t a1 = a / 100 * 2, a2 = a % 100 * 2, b1 = b / 100 * 2, b2 = b % 100 * 2;

	p[0] = digit_pairs[a1];
	p[1] = digit_pairs[a1 + 1];
	p[2] = digit_pairs[a2];
	p[3] = digit_pairs[a2 + 1];
	p[4] = digit_pairs[b1];
	p[5] = digit_pairs[b1 + 1];
	p[6] = digit_pairs[b2];
	p[7] = digit_pairs[b2 + 1];
}

char *go_put_uint_rtl(char *end, uint64_t u)
{
	/* 8 digits at a time from the right while more follow */
	while (u >= 100000000) {
		end -= 8;
		put_8_digits(end, (uint32_t)(u % 100000000));
		u /= 100000000;
	}
	while (u >= 100) {
		unsigned k = (unsigned)(u % 100) * 2;
		u /= 100;
		*--end = digit_pairs[k + 1];
		*--end = digit_pairs[k];
	}
	if (u >= 10) {
		*--end = digit_pairs[u * 2 + 1];
		*--end = digit_pairs[u * 2];
	} else {
		*--end = (char)('0' + u);
	}
	return end;
}

/* The %e and %f layouts of digits d[0..nd) with decimal point position dp,
 * written at p; each returns the end.  At most 25 bytes for 17 digits. */
static char *put_e(char *p, int neg, const char *d, int nd, int dp)
{
	int exp = dp - 1;

	if (neg)
		*p++ = '-';
	*p++ = d[0];
	if (nd > 1) {
		*p++ = '.';
		memcpy(p, d + 1, (size_t)nd - 1);
		p += nd - 1;
	}
	*p++ = 'e';
	if (exp < 0) {
		*p++ = '-';
		exp = -exp;
	} else {
		*p++ = '+';
	}
	/* at least two exponent digits, at most three */
	if (exp >= 100)
		*p++ = (char)('0' + exp / 100);
	*p++ = (char)('0' + exp / 10 % 10);
	*p++ = (char)('0' + exp % 10);
	return p;
}

/* Only for -4 <= exponent < 21 or so: callers keep dp within [-3, 21]. */
static char *put_f(char *p, int neg, const char *d, int nd, int dp)
{
	if (neg)
		*p++ = '-';
	if (dp > 0) {
		int m = dp < nd ? dp : nd;
		memcpy(p, d, (size_t)m);
		p += m;
		for (int i = m; i < dp; i++)
			*p++ = '0';
	} else {
		*p++ = '0';
	}
	if (nd > dp) {
		int from = dp > 0 ? dp : 0;
		*p++ = '.';
		for (int i = dp; i < 0; i++)
			*p++ = '0';
		memcpy(p, d + from, (size_t)(nd - from));
		p += nd - from;
	}
	return p;
}

static void fmt_e(struct buf *out, int neg, const char *d, int nd, int dp)
{
	char tmp[32];

	buf_add(out, tmp, (size_t)(put_e(tmp, neg, d, nd, dp) - tmp));
}

static void fmt_f(struct buf *out, int neg, const char *d, int nd, int dp)
{
	/* %f of a shortest value has at most 17 digits, but dp can put up
	 * to 308 zeros before or after them */
	if (dp > -4 && dp <= 21) {
		char tmp[48];
		buf_add(out, tmp, (size_t)(put_f(tmp, neg, d, nd, dp) - tmp));
		return;
	}
	if (neg)
		buf_addc(out, '-');
	if (dp > 0) {
		int m = dp < nd ? dp : nd;
		buf_add(out, d, (size_t)m);
		for (int i = m; i < dp; i++)
			buf_addc(out, '0');
	} else {
		buf_addc(out, '0');
	}
	if (nd > dp) {
		buf_addc(out, '.');
		for (int i = dp; i < 0; i++)
			buf_addc(out, '0');
		buf_add(out, d + (dp > 0 ? dp : 0), (size_t)(nd - (dp > 0 ? dp : 0)));
	}
}

size_t go_fmt_g_to(char out[GO_FMT_G_MAX], double v)
{
	char d[18];
	int nd, dp;
	int neg = signbit(v) != 0;
	double av = fabs(v);

	if (isnan(v)) {
		memcpy(out, "NaN", 3);
		return 3;
	}
	if (isinf(v)) {
		memcpy(out, neg ? "-Inf" : "+Inf", 4);
		return 4;
	}
	if (v == 0) {
		if (neg) {
			memcpy(out, "-0", 2);
			return 2;
		}
		out[0] = '0';
		return 1;
	}
	if (av < 0x1p53 && av == (double)(uint64_t)av) {
		/* An integer below 2^53: every neighbour is at least 1/2 away,
		 * so its shortest digits are its decimal digits less trailing
		 * zeros. */
		char tmp[20];
		int n = (int)(tmp + 20 - go_put_uint_rtl(tmp + 20, (uint64_t)av));

		if (n <= 6) {
			/* exponent below 6: %f, which is the integer itself */
			char *p = out;
			if (neg)
				*p++ = '-';
			memcpy(p, tmp + 20 - n, (size_t)n);
			return (size_t)(p + n - out);
		}
		dp = n;
		memcpy(d, tmp + 20 - n, (size_t)n);
		while (n > 1 && d[n - 1] == '0')
			n--;
		return (size_t)(put_e(out, neg, d, n, dp) - out);
	}
	go_shortest_digits(v, d, &nd, &dp);
	/*
	 * strconv's 'g' in shortest mode: %e when exp < -4 or exp >= eprec,
	 * where eprec is 6 (Go sets it to 6 outright when shortest, after
	 * the widening that only applies to an explicit precision).
	 */
	if (dp - 1 < -4 || dp - 1 >= 6)
		return (size_t)(put_e(out, neg, d, nd, dp) - out);
	return (size_t)(put_f(out, neg, d, nd, dp) - out);
}

void go_fmt_g(struct buf *out, double v)
{
	char tmp[GO_FMT_G_MAX];

	buf_add(out, tmp, go_fmt_g_to(tmp, v));
}

void go_fmt_e(struct buf *out, double v)
{
	char d[18];
	int nd, dp;
	int neg = signbit(v) != 0;

	if (special(out, v, 1))
		return;
	if (v == 0) {
		buf_adds(out, neg ? "-0e+00" : "0e+00");
		return;
	}
	go_shortest_digits(v, d, &nd, &dp);
	fmt_e(out, neg, d, nd, dp);
}

void go_fmt_f(struct buf *out, double v)
{
	char d[18];
	int nd, dp;
	int neg = signbit(v) != 0;

	if (special(out, v, 1))
		return;
	if (v == 0) {
		buf_adds(out, neg ? "-0" : "0");
		return;
	}
	go_shortest_digits(v, d, &nd, &dp);
	fmt_f(out, neg, d, nd, dp);
}

/* Writes the low prec digits of *v as a fraction, Go's fmtFrac: trailing
 * zeros and a bare point are omitted.  Returns chars written at the END of
 * tmp (right-to-left) through *w. */
static void frac_rtl(char *tmp, int *w, uint64_t *v, int prec)
{
	int print = 0;
	for (int i = 0; i < prec; i++) {
		int digit = (int)(*v % 10);
		print = print || digit != 0;
		if (print)
			tmp[--*w] = (char)('0' + digit);
		*v /= 10;
	}
	if (print)
		tmp[--*w] = '.';
}

static void int_rtl(char *tmp, int *w, uint64_t v)
{
	if (v == 0) {
		tmp[--*w] = '0';
		return;
	}
	while (v > 0) {
		tmp[--*w] = (char)('0' + v % 10);
		v /= 10;
	}
}

void go_fmt_duration(struct buf *out, int64_t ns)
{
	char tmp[40];
	int w = (int)sizeof(tmp);
	uint64_t u = (uint64_t)ns;
	int neg = ns < 0;

	if (neg)
		u = -u;
	if (u < 1000000000ull) {
		int prec;
		if (u == 0) {
			buf_adds(out, "0s");
			return;
		}
		tmp[--w] = 's';
		if (u < 1000ull) {
			prec = 0;
			tmp[--w] = 'n';
		} else if (u < 1000000ull) {
			prec = 3;
			tmp[--w] = (char)0xB5; /* "µ" is C2 B5 in UTF-8 */
			tmp[--w] = (char)0xC2;
		} else {
			prec = 6;
			tmp[--w] = 'm';
		}
		frac_rtl(tmp, &w, &u, prec);
		int_rtl(tmp, &w, u);
	} else {
		tmp[--w] = 's';
		frac_rtl(tmp, &w, &u, 9);
		int_rtl(tmp, &w, u % 60);
		u /= 60;
		if (u > 0) {
			tmp[--w] = 'm';
			int_rtl(tmp, &w, u % 60);
			u /= 60;
			if (u > 0) {
				tmp[--w] = 'h';
				int_rtl(tmp, &w, u);
			}
		}
	}
	if (neg)
		tmp[--w] = '-';
	buf_add(out, tmp + w, sizeof(tmp) - (size_t)w);
}

void prom_fmt_duration(struct buf *out, int64_t ms)
{
	static const struct {
		const char *unit;
		int64_t mult;
		int exact;
	} units[] = {
		{ "y", 1000LL * 60 * 60 * 24 * 365, 1 },
		{ "w", 1000LL * 60 * 60 * 24 * 7, 1 },
		{ "d", 1000LL * 60 * 60 * 24, 0 },
		{ "h", 1000LL * 60 * 60, 0 },
		{ "m", 1000LL * 60, 0 },
		{ "s", 1000LL, 0 },
		{ "ms", 1, 0 },
	};

	if (ms == 0) {
		buf_adds(out, "0s");
		return;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		int64_t v;
		if (units[i].exact && ms % units[i].mult != 0)
			continue;
		v = ms / units[i].mult;
		if (v > 0) {
			buf_addf(out, "%lld%s", (long long)v, units[i].unit);
			ms -= v * units[i].mult;
		}
	}
}

int go_parse_duration(const char *s, size_t len, int64_t *out_ns)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1ull }, { "us", 1000ull }, { "\xc2\xb5s", 1000ull },
		{ "\xce\xbcs", 1000ull }, { "ms", 1000000ull },
		{ "s", 1000000000ull }, { "m", 60000000000ull },
		{ "h", 3600000000000ull },
	};
	size_t i = 0;
	int neg = 0;
	uint64_t d = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (len - i == 1 && s[i] == '0') {
		*out_ns = 0;
		return 0;
	}
	if (i == len)
		return -1;
	while (i < len) {
		uint64_t v = 0, f = 0, unit = 0;
		double scale = 1; /* a float64 in Go: 10^n for any n, +Inf past 308 */
		size_t start = i, ustart;
		int pre, post = 0;

		if (!(s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
			return -1;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (v > (UINT64_C(1) << 63) / 10)
				return -1;
			v = v * 10 + (uint64_t)(s[i++] - '0');
			if (v > UINT64_C(1) << 63)
				return -1;
		}
		pre = i != start;
		if (i < len && s[i] == '.') {
			size_t fs;
			i++;
			fs = i;
			/* leadingFraction: digits past the first overflow are dropped */
			bool overflow = false;
			while (i < len && s[i] >= '0' && s[i] <= '9') {
				uint64_t y = f * 10 + (uint64_t)(s[i] - '0');
				if (!overflow && (f > ((UINT64_C(1) << 63) - 1) / 10 || y > UINT64_C(1) << 63))
					overflow = true;
				if (!overflow) {
					f = y;
					scale *= 10;
				}
				i++;
			}
			post = i != fs;
		}
		if (!pre && !post)
			return -1;
		ustart = i;
		while (i < len && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9'))
			i++;
		if (i == ustart)
			return -1;
		for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (strlen(units[k].name) == i - ustart &&
			    !memcmp(units[k].name, s + ustart, i - ustart))
				unit = units[k].ns;
		if (!unit)
			return -1;
		if (v > (UINT64_C(1) << 63) / unit)
			return -1;
		v *= unit;
		if (f > 0) {
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > UINT64_C(1) << 63)
				return -1;
		}
		d += v;
		if (d > UINT64_C(1) << 63)
			return -1;
	}
	if (neg) {
		*out_ns = -(int64_t)(d - 1) - 1;
		return 0;
	}
	if (d > (uint64_t)INT64_MAX)
		return -1;
	*out_ns = (int64_t)d;
	return 0;
}

int prom_parse_duration(const char *s, size_t len, int64_t *out_ms)
{
	static const struct {
		const char *unit;
		int64_t mult;
	} units[] = {
		{ "y", 1000LL * 60 * 60 * 24 * 365 }, { "w", 1000LL * 60 * 60 * 24 * 7 },
		{ "d", 1000LL * 60 * 60 * 24 }, { "h", 1000LL * 60 * 60 },
		{ "m", 1000LL * 60 }, { "s", 1000LL }, { "ms", 1 },
	};
	size_t i = 0, next_unit = 0;
	int64_t total = 0;
	int range_err = 0;

	if (len == 1 && s[0] == '0') {
		*out_ms = 0;
		return 0;
	}
	if (len == 0)
		return -1;
	while (i < len) {
		uint64_t n = 0;
		size_t start = i, k;
		int big = 0;

		while (i < len && s[i] >= '0' && s[i] <= '9') {
			n = n * 10 + (uint64_t)(s[i++] - '0');
			if (n > (uint64_t)INT64_MAX)
				big = 1, n = (uint64_t)INT64_MAX;
		}
		if (i == start)
			return -1;
		for (k = next_unit; k < sizeof(units) / sizeof(units[0]); k++) {
			size_t ul = strlen(units[k].unit);
			/* "m" must not swallow the "m" of "ms" */
			if (i + ul <= len && !memcmp(s + i, units[k].unit, ul) &&
			    !(ul == 1 && units[k].unit[0] == 'm' && i + 1 < len && s[i + 1] == 's'))
				break;
		}
		if (k == sizeof(units) / sizeof(units[0]))
			return -1;
		i += strlen(units[k].unit);
		next_unit = k + 1;
		if (big || n > (uint64_t)(INT64_MAX / 1000000 / units[k].mult))
			range_err = 1;
		else {
			total += (int64_t)n * units[k].mult;
			if (total > INT64_MAX / 1000000)
				range_err = 1;
		}
	}
	if (range_err)
		return -2;
	*out_ms = total;
	return 0;
}

/* Go's underscoreOK: '_' only between digits (or after a base prefix). */
static int underscores_ok(const char *s, size_t len)
{
	char saw = '^';
	size_t i = 0;
	int hex = 0;

	if (len >= 1 && (s[0] == '-' || s[0] == '+'))
		s++, len--;
	if (len >= 2 && s[0] == '0' &&
	    (s[1] == 'x' || s[1] == 'X' || s[1] == 'b' || s[1] == 'B' || s[1] == 'o' || s[1] == 'O')) {
		i = 2;
		saw = '0';
		hex = s[1] == 'x' || s[1] == 'X';
	}
	for (; i < len; i++) {
		char c = s[i];
		if ((c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))) {
			saw = '0';
			continue;
		}
		if (c == '_') {
			if (saw != '0')
				return 0;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return 0;
		saw = '!';
	}
	return saw != '_';
}

static int ieq(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	if (n != len)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != lit[i])
			return 0;
	}
	return 1;
}

int go_parse_float(const char *s, size_t len, double *out)
{
	char stackbuf[128], *tmp = stackbuf;
	size_t i = 0, n = 0;
	int neg = 0, hex = 0, digits = 0, rc = 0;
	char *end;
	double v;

	if (len == 0)
		return -1;
	if (s[0] == '+' || s[0] == '-')
		neg = s[0] == '-', i = 1;
	if (ieq(s + i, len - i, "inf") || ieq(s + i, len - i, "infinity")) {
		*out = neg ? -INFINITY : INFINITY;
		return 0;
	}
	if (ieq(s + i, len - i, "nan") && i == 0) {
		*out = go_nan();
		return 0;
	}
	if (len + 1 > sizeof(stackbuf))
		tmp = malloc(len + 1);
	if (!tmp)
		return -1;
	/* Validate Go's float syntax; strtod accepts more than Go does. */
	if (i + 1 < len && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
		hex = 1;
	{
		size_t j = i + (hex ? 2 : 0);
		int seen_dot = 0, seen_exp = 0, mant_digits = 0, exp_digits = 0;
		for (; j < len; j++) {
			char c = s[j];
			int isdig = (c >= '0' && c <= '9') ||
				    (hex && !seen_exp && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
			if (c == '_')
				continue;
			if (isdig) {
				if (seen_exp)
					exp_digits++;
				else
					mant_digits++;
			} else if (c == '.' && !seen_dot && !seen_exp) {
				seen_dot = 1;
			} else if (!seen_exp && ((!hex && (c == 'e' || c == 'E')) || (hex && (c == 'p' || c == 'P')))) {
				seen_exp = 1;
				if (j + 1 < len && (s[j + 1] == '+' || s[j + 1] == '-'))
					j++;
			} else {
				rc = -1;
				goto done;
			}
		}
		digits = mant_digits;
		if (!mant_digits || (seen_exp && !exp_digits) || (hex && !seen_exp)) {
			rc = -1;
			goto done;
		}
	}
	if (!underscores_ok(s, len)) {
		rc = -1;
		goto done;
	}
	for (size_t j = 0; j < len; j++)
		if (s[j] != '_')
			tmp[n++] = s[j];
	tmp[n] = '\0';
	errno = 0;
	v = strtod(tmp, &end);
	if (end != tmp + n || !digits) {
		rc = -1;
		goto done;
	}
	if (isinf(v))
		rc = -2;
	*out = v;
done:
	if (tmp != stackbuf)
		free(tmp);
	return rc;
}
