/*
 * OpenMetrics text parsing, reproducing 2.42's OpenMetricsParser.
 *
 * The lexer below is the state machine golex generated from
 * model/textparse/openmetricslex.l, re-expressed by start condition:
 *
 *   INITIAL     "# " -> sComment (no token) | metric name -> MNAME, sValue
 *   sComment    "HELP " "TYPE " "UNIT " -> sMeta1 | "EOF" "\n"? -> EOFWORD
 *   sMeta1      metric name -> MNAME, sMeta2
 *   sMeta2      " " [^\n]* "\n" -> TEXT, INITIAL
 *   sLabels     label name -> LNAME | "=" -> sLValue | "," | "}" -> sValue
 *   sLValue     quoted string with \ escapes, no newline -> LVALUE, sLabels
 *   sValue      "{" -> sLabels | " " [^ \n]+ -> VALUE, sTimestamp
 *   sTimestamp  " " [^ \n]+ -> TIMESTAMP | "\n" -> LINEBREAK, INITIAL
 *               | " # {" -> COMMENT, sExemplar
 *   sExemplar, sEValue, sETimestamp: the same for the exemplar part.
 *
 * Quirks kept on purpose: NUL bytes are stepped over inside label values,
 * comments and help/type/unit text; the lexer's position after a failed
 * token is the offending byte (used in "... is not a valid start token");
 * timestamps are float seconds times 1000 converted like Go's int64(x).
 */
#include "7-backfill/openmetrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "1-common/utf8.h"
#include "1-common/xalloc.h"

#define OM_TOKENS(X)              \
	X(T_INVALID, "INVALID")   \
	X(T_EOF, "EOF")           \
	X(T_LINEBREAK, "LINEBREAK") \
	X(T_HELP, "HELP")         \
	X(T_TYPE, "TYPE")         \
	X(T_UNIT, "UNIT")         \
	X(T_EOFWORD, "EOFWORD")   \
	X(T_TEXT, "TEXT")         \
	X(T_COMMENT, "COMMENT")   \
	X(T_MNAME, "MNAME")       \
	X(T_BOPEN, "BOPEN")       \
	X(T_BCLOSE, "BCLOSE")     \
	X(T_LNAME, "LNAME")       \
	X(T_LVALUE, "LVALUE")     \
	X(T_COMMA, "COMMA")       \
	X(T_EQUAL, "EQUAL")       \
	X(T_TIMESTAMP, "TIMESTAMP") \
	X(T_VALUE, "VALUE")

enum om_token {
#define X(tok, name) tok,
	OM_TOKENS(X)
#undef X
};

static const char *const token_names[] = {
#define X(tok, name) name,
	OM_TOKENS(X)
#undef X
};

enum om_state {
	S_INIT, S_COMMENT, S_META1, S_META2, S_LABELS, S_LVALUE,
	S_VALUE, S_TIMESTAMP, S_EXEMPLAR, S_EVALUE, S_ETIMESTAMP,
};

/* golex's l.next(): 0 stands for both end of input and a NUL byte; NULs
 * are skipped in three start conditions. */
static inline unsigned next_c(struct om_parser *p)
{
	p->i++;
	if (p->i >= p->len) {
		p->hit_end = true;
		return 0;
	}
	while (p->b[p->i] == 0 &&
	       (p->state == S_LVALUE || p->state == S_META2 || p->state == S_COMMENT)) {
		p->i++;
		if (p->i >= p->len) {
			p->hit_end = true;
			return 0;
		}
	}
	return p->b[p->i];
}

/*
 * next_c() repeated while pred holds, for start conditions that do not skip
 * NULs (NUL fails every predicate, so it stops the scan as next_c's 0 does).
 */
#define SCAN_WHILE(p, pred)                                                   \
	__extension__({                                                       \
		size_t i_ = (p)->i + 1;                                       \
		while (i_ < (p)->len && pred((p)->b[i_]))                     \
			i_++;                                                 \
		(p)->i = i_;                                                  \
		unsigned c_ = 0;                                              \
		if (i_ >= (p)->len)                                           \
			(p)->hit_end = true;                                  \
		else                                                          \
			c_ = (p)->b[i_];                                      \
		c_;                                                           \
	})

static inline bool is_l(unsigned c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool is_m(unsigned c) { return is_l(c) || c == ':'; }
static inline bool is_d(unsigned c) { return c >= '0' && c <= '9'; }
/* [^ \n] as the generated ranges spell it: excludes NUL too. */
static inline bool is_field(unsigned c) { return c != 0 && c != '\n' && c != ' '; }
/* [^\n] without NUL. */
static inline bool is_text(unsigned c) { return c != 0 && c != '\n'; }
static inline bool is_md(unsigned c) { return is_m(c) || is_d(c); }
static inline bool is_ld(unsigned c) { return is_l(c) || is_d(c); }

/* Consumes literal text; false (and position at the mismatch) otherwise. */
static bool lex_word(struct om_parser *p, unsigned *c, const char *w)
{
	for (; *w; w++) {
		if (*c != (unsigned char)*w)
			return false;
		*c = next_c(p);
	}
	return true;
}

/* A quoted string starting at c == '"'; leaves c after the closing quote. */
static bool lex_quoted(struct om_parser *p, unsigned *c)
{
	unsigned ch;

	if (p->state == S_LVALUE) {
		/* Plain characters, NULs included (this state steps over
		 * them), need no decision: skip them in one go. */
		size_t i = p->i + 1;
		while (i < p->len && p->b[i] != '"' && p->b[i] != '\\' && p->b[i] != '\n')
			i++;
		p->i = i - 1;
	}
	ch = next_c(p);
	for (;;) {
		if (ch == '"') {
			*c = next_c(p);
			return true;
		}
		if (ch == '\\') {
			ch = next_c(p);
			if (!is_text(ch))
				return false;
		} else if (!is_text(ch)) {
			return false;
		}
		ch = next_c(p);
	}
}

static enum om_token lex(struct om_parser *p)
{
	unsigned c;

	if (p->i >= p->len) {
		p->hit_end = true;
		return T_EOF;
	}
	c = p->b[p->i];
	p->start = p->i;

	switch (p->state) {
	case S_INIT:
		if (c == '#') {
			c = next_c(p);
			if (c != ' ')
				return T_INVALID;
			c = next_c(p);
			p->state = S_COMMENT;
			goto comment;
		}
		if (is_m(c)) {
			SCAN_WHILE(p, is_md);
			p->state = S_VALUE;
			return T_MNAME;
		}
		return T_INVALID;
	case S_COMMENT:
	comment:
		switch (c) {
		case 'E':
			c = next_c(p);
			if (!lex_word(p, &c, "OF"))
				return T_INVALID;
			if (c == '\n')
				next_c(p);
			p->state = S_INIT;
			return T_EOFWORD;
		case 'H':
			if (!lex_word(p, &c, "HELP "))
				return T_INVALID;
			p->state = S_META1;
			return T_HELP;
		case 'T':
			if (!lex_word(p, &c, "TYPE "))
				return T_INVALID;
			p->state = S_META1;
			return T_TYPE;
		case 'U':
			if (!lex_word(p, &c, "UNIT "))
				return T_INVALID;
			p->state = S_META1;
			return T_UNIT;
		}
		return T_INVALID;
	case S_META1:
		if (!is_m(c))
			return T_INVALID;
		do
			c = next_c(p);
		while (is_m(c) || is_d(c));
		p->state = S_META2;
		return T_MNAME;
	case S_META2:
		if (c != ' ')
			return T_INVALID;
		for (;;) {
			c = next_c(p);
			if (c == '\n') {
				next_c(p);
				p->state = S_INIT;
				return T_TEXT;
			}
			if (!is_text(c))
				return T_INVALID;
		}
	case S_LABELS:
	case S_EXEMPLAR:
		if (c == ',') {
			next_c(p);
			return T_COMMA;
		}
		if (c == '=') {
			next_c(p);
			p->state = p->state == S_LABELS ? S_LVALUE : S_EVALUE;
			return T_EQUAL;
		}
		if (c == '}') {
			next_c(p);
			p->state = p->state == S_LABELS ? S_VALUE : S_EVALUE;
			return T_BCLOSE;
		}
		if (is_l(c)) {
			SCAN_WHILE(p, is_ld);
			return T_LNAME;
		}
		return T_INVALID;
	case S_LVALUE:
		if (c != '"' || !lex_quoted(p, &c))
			return T_INVALID;
		p->state = S_LABELS;
		return T_LVALUE;
	case S_VALUE:
	case S_EVALUE:
		if (c == ' ') {
			c = next_c(p);
			if (!is_field(c))
				return T_INVALID;
			SCAN_WHILE(p, is_field);
			p->state = p->state == S_VALUE ? S_TIMESTAMP : S_ETIMESTAMP;
			return T_VALUE;
		}
		if (p->state == S_VALUE && c == '{') {
			next_c(p);
			p->state = S_LABELS;
			return T_BOPEN;
		}
		if (p->state == S_EVALUE && c == '"') {
			if (!lex_quoted(p, &c))
				return T_INVALID;
			p->state = S_EXEMPLAR;
			return T_LVALUE;
		}
		return T_INVALID;
	case S_TIMESTAMP:
	case S_ETIMESTAMP:
		if (c == '\n') {
			next_c(p);
			p->state = S_INIT;
			return T_LINEBREAK;
		}
		if (c != ' ')
			return T_INVALID;
		c = next_c(p);
		if (p->state == S_TIMESTAMP && c == '#') {
			c = next_c(p);
			if (c == ' ') {
				c = next_c(p);
				if (c != '{')
					return T_INVALID;
				next_c(p);
				p->state = S_EXEMPLAR;
				return T_COMMENT;
			}
			while (is_field(c))
				c = next_c(p);
			return T_TIMESTAMP;
		}
		if (!is_field(c))
			return T_INVALID;
		SCAN_WHILE(p, is_field);
		return T_TIMESTAMP;
	}
	return T_INVALID;
}

void om_parser_init(struct om_parser *p, const void *data, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->b = data;
	p->len = len;
	p->final = true;
	buf_init(&p->scratch);
}

void om_parser_set_buffer(struct om_parser *p, const void *data, size_t len, size_t pos, bool final)
{
	p->b = data;
	p->len = len;
	p->i = pos;
	p->state = S_INIT;
	p->final = final;
}

void om_parser_release(struct om_parser *p)
{
	free(p->offsets);
	free(p->ls);
	buf_release(&p->scratch);
	memset(p, 0, sizeof(*p));
}

void om_parser_seek(struct om_parser *p, size_t pos)
{
	p->i = pos;
	p->state = S_INIT;
}

static int parse_error(struct err *e, const char *exp, enum om_token got)
{
	return err_set(e, "%s, got \"%s\"", exp, token_names[got]);
}

/*
 * The common case without strtod: at most 19 significant decimal digits
 * whose value fits 53 bits, scaled by at most 10^22.  Both operands are
 * exact doubles, so one multiplication or division is correctly rounded --
 * the same double strconv.ParseFloat returns (Clinger's fast path, which Go
 * uses too).  Anything else returns false and goes the slow, exact way.
 */
static bool parse_float_fast(const unsigned char *s, size_t len, double *out, bool need)
{
	static const double pow10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
	};
	const unsigned char *p = s, *end = s + len, *ds, *fs;
	uint64_t mant = 0;
	int nint, nfrac = 0, exp10, eval = 0;
	bool neg = false, eneg = false;
	double v;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	ds = p;
	while (p < end && (unsigned)(*p - '0') < 10)
		mant = mant * 10 + (uint64_t)(*p++ - '0');
	nint = (int)(p - ds);
	if (p < end && *p == '.') {
		fs = ++p;
		while (p < end && (unsigned)(*p - '0') < 10)
			mant = mant * 10 + (uint64_t)(*p++ - '0');
		nfrac = (int)(p - fs);
	}
	if (nint + nfrac == 0)
		return false;
	if (p < end) {
		int edigits = 0;
		if (*p != 'e' && *p != 'E')
			return false;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (; p < end; p++) {
			if ((unsigned)(*p - '0') >= 10 || ++edigits > 4)
				return false;
			eval = eval * 10 + (*p - '0');
		}
		if (!edigits)
			return false;
	}
	exp10 = (eneg ? -eval : eval) - nfrac;
	/* digit counts include leading zeros: conservative for both tests */
	if (nint + nfrac > 19 || mant > ((uint64_t)1 << 53) || (mant != 0 && (exp10 < -22 || exp10 > 22))) {
		/* Valid Go syntax, just not exact in doubles: glibc's strtod
		 * rounds correctly, as ParseFloat does.  Out of range goes
		 * the slow way for its error. */
		char tmp[64];
		if (!need && nint + (eneg ? 0 : eval) < 300) {
			/* only validity asked for: below 1e300 it cannot
			 * overflow, and underflow is no error in Go */
			*out = 0;
			return true;
		}
		if (len >= sizeof(tmp))
			return false;
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		v = strtod(tmp, NULL);
		if (isinf(v))
			return false;
		*out = v;
		return true;
	}
	v = (double)mant;
	if (mant != 0)
		v = exp10 < 0 ? v / pow10[-exp10] : v * pow10[exp10];
	*out = neg ? -v : v;
	return true;
}

/* textparse.parseFloat: no hex-float exponents or underscores, then
 * strconv.ParseFloat with its error texts. */
static int parse_float_opt(const unsigned char *s, size_t len, double *out, bool need, struct err *e)
{
	struct buf q = BUF_INIT;
	int rc;

	if (parse_float_fast(s, len, out, need))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] == 'p' || s[i] == 'P' || s[i] == '_')
			return err_set(e, "unsupported character in float");
	rc = go_parse_float((const char *)s, len, out);
	if (rc == 0)
		return 0;
	go_quote(&q, (const char *)s, len);
	err_set(e, "strconv.ParseFloat: parsing %s: %s", buf_str(&q),
		rc == -2 ? "value out of range" : "invalid syntax");
	buf_release(&q);
	return -1;
}

static int parse_float(const unsigned char *s, size_t len, double *out, struct err *e)
{
	return parse_float_opt(s, len, out, true, e);
}

int om_parse_float(const unsigned char *s, size_t len, double *out)
{
	return parse_float_opt(s, len, out, true, NULL);
}

/* Go's int64(f) on amd64: truncation, and 0x8000000000000000 when out of range. */
int64_t om_float_to_int64(double f)
{
	if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0))
		return INT64_MIN;
	return (int64_t)f;
}

static void push_offsets(struct om_parser *p, size_t a, size_t b, size_t c, size_t d, bool keep)
{
	if (!keep)
		return;
	ALLOC_GROW(p->offsets, p->noffsets + 4, p->offsets_cap);
	p->offsets[p->noffsets++] = a;
	p->offsets[p->noffsets++] = b;
	p->offsets[p->noffsets++] = c;
	p->offsets[p->noffsets++] = d;
}

/* parseLVals; keep is false for exemplar labels, which we do not use. */
static int parse_lvals(struct om_parser *p, bool keep, struct err *e)
{
	bool first = true;

	for (;;) {
		enum om_token t = lex(p);
		size_t ns, ne;

		switch (t) {
		case T_BCLOSE:
			return 0;
		case T_COMMA:
			if (first)
				return parse_error(e, "expected label name or left brace", t);
			t = lex(p);
			if (t != T_LNAME)
				return parse_error(e, "expected label name", t);
			break;
		case T_LNAME:
			if (!first)
				return parse_error(e, "expected comma", t);
			break;
		default:
			if (first)
				return parse_error(e, "expected label name or left brace", t);
			return parse_error(e, "expected comma or left brace", t);
		}
		first = false;
		ns = p->start;
		ne = p->i;
		if ((t = lex(p)) != T_EQUAL)
			return parse_error(e, "expected equal", t);
		if ((t = lex(p)) != T_LVALUE)
			return parse_error(e, "expected label value", t);
		if (!go_utf8_valid(p->b + p->start, p->i - p->start))
			return err_set(e, "invalid UTF-8 label value");
		push_offsets(p, ns, ne, p->start + 1, p->i - 1, keep);
	}
}

/* getFloatValue: the token after which a value must follow. */
static int get_float_value(struct om_parser *p, enum om_token t, const char *after, double *out, struct err *e)
{
	if (t != T_VALUE) {
		struct buf m = BUF_INIT;
		buf_addf(&m, "expected value after %s", after);
		parse_error(e, buf_str(&m), t);
		buf_release(&m);
		return -1;
	}
	return parse_float_opt(p->b + p->start + 1, p->i - p->start - 1, out, !p->skip_values, e);
}

static bool has_suffix(const unsigned char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

static int parse_comment(struct om_parser *p, struct err *e)
{
	const unsigned char *name = p->b + p->series_start;
	size_t nlen = p->name_end - p->series_start;
	enum om_token t;
	double v, ts;

	if (!has_suffix(name, nlen, "_total") && !has_suffix(name, nlen, "_bucket"))
		return err_set(e, "metric name %.*s does not support exemplars", (int)nlen, (const char *)name);
	if (parse_lvals(p, false, e) < 0)
		return -1;
	if (get_float_value(p, lex(p), "exemplar labels", &v, e) < 0)
		return -1;
	switch ((t = lex(p))) {
	case T_EOF:
		return err_set(e, "data does not end with # EOF");
	case T_LINEBREAK:
		return 0;
	case T_TIMESTAMP:
		if (parse_float(p->b + p->start + 1, p->i - p->start - 1, &ts, e) < 0)
			return -1;
		if (isnan(ts) || isinf(ts))
			return err_set(e, "invalid exemplar timestamp");
		if ((t = lex(p)) != T_LINEBREAK)
			return parse_error(e, "expected next entry after exemplar timestamp", t);
		return 0;
	default:
		return parse_error(e, "expected timestamp or comment", t);
	}
}

static const char *const metric_types[] = {
	"counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown",
};

static int parse_meta(struct om_parser *p, enum om_token t, enum om_entry *out, struct err *e)
{
	enum om_token t2 = lex(p);

	if (t2 != T_MNAME) {
		struct buf m = BUF_INIT;
		buf_addf(&m, "expected metric name after %s", token_names[t]);
		parse_error(e, buf_str(&m), t2);
		buf_release(&m);
		return -1;
	}
	p->meta_name_start = p->start;
	p->meta_name_end = p->i;
	if (lex(p) != T_TEXT)
		return err_set(e, "expected text in %s", token_names[t]);
	if (p->i - p->start > 1) {
		p->text = p->b + p->start + 1;
		p->text_len = p->i - p->start - 2;
	} else {
		p->text = p->b + p->start;
		p->text_len = 0;
	}
	switch (t) {
	case T_TYPE: {
		bool ok = false;
		for (size_t k = 0; k < sizeof(metric_types) / sizeof(metric_types[0]); k++)
			if (strlen(metric_types[k]) == p->text_len && memcmp(metric_types[k], p->text, p->text_len) == 0)
				ok = true;
		if (!ok) {
			struct buf q = BUF_INIT;
			go_quote(&q, (const char *)p->text, p->text_len);
			err_set(e, "invalid metric type %s", buf_str(&q));
			buf_release(&q);
			return -1;
		}
		*out = OM_ENTRY_TYPE;
		return 0;
	}
	case T_HELP:
		if (!go_utf8_valid(p->text, p->text_len))
			return err_set(e, "help text is not a valid utf8 string");
		*out = OM_ENTRY_HELP;
		return 0;
	default: {
		const unsigned char *m = p->b + p->meta_name_start;
		size_t mlen = p->meta_name_end - p->meta_name_start, ulen = p->text_len;

		if (ulen > 0 && (mlen < ulen + 1 || memcmp(m + mlen - ulen, p->text, ulen) != 0 ||
				 m[mlen - ulen - 1] != '_')) {
			struct buf q = BUF_INIT;
			go_quote(&q, (const char *)m, mlen);
			err_set(e, "unit not a suffix of metric %s", buf_str(&q));
			buf_release(&q);
			return -1;
		}
		*out = OM_ENTRY_UNIT;
		return 0;
	}
	}
}

static int parse_entry(struct om_parser *p, enum om_entry *out, struct err *e);

int om_parser_next(struct om_parser *p, enum om_entry *out, struct err *e)
{
	size_t entry_start = p->i;
	struct err tmp = ERR_INIT;
	int r;

	p->hit_end = false;
	r = parse_entry(p, out, p->final ? e : &tmp);
	if (p->hit_end && !p->final) {
		/* The entry ran into the end of a partial buffer: retry it
		 * once the caller has read more. */
		err_release(&tmp);
		p->i = entry_start;
		p->state = S_INIT;
		*out = OM_ENTRY_INVALID;
		return 2;
	}
	if (r < 0 && !p->final)
		err_move(e, &tmp);
	err_release(&tmp);
	return r;
}

static int parse_entry(struct om_parser *p, enum om_entry *out, struct err *e)
{
	enum om_token t, t2;
	size_t entry_start = p->i;

	*out = OM_ENTRY_INVALID;
	p->noffsets = 0;
	switch ((t = lex(p))) {
	case T_EOFWORD:
		if (lex(p) != T_EOF)
			return err_set(e, "unexpected data after # EOF");
		return 1;
	case T_EOF:
		return err_set(e, "data does not end with # EOF");
	case T_HELP:
	case T_TYPE:
	case T_UNIT:
		return parse_meta(p, t, out, e);
	case T_MNAME:
		p->series_start = entry_start;
		p->name_end = p->i;
		p->series_end = p->i;
		t2 = lex(p);
		if (t2 == T_BOPEN) {
			if (parse_lvals(p, true, e) < 0)
				return -1;
			p->series_end = p->i;
			t2 = lex(p);
		}
		if (get_float_value(p, t2, "metric", &p->val, e) < 0)
			return -1;
		p->has_ts = false;
		switch ((t2 = lex(p))) {
		case T_EOF:
			return err_set(e, "data does not end with # EOF");
		case T_LINEBREAK:
			break;
		case T_COMMENT:
			if (parse_comment(p, e) < 0)
				return -1;
			break;
		case T_TIMESTAMP: {
			double ts;
			enum om_token t3;

			p->has_ts = true;
			if (parse_float(p->b + p->start + 1, p->i - p->start - 1, &ts, e) < 0)
				return -1;
			if (isnan(ts) || isinf(ts))
				return err_set(e, "invalid timestamp");
			p->ts = om_float_to_int64(ts * 1000);
			switch ((t3 = lex(p))) {
			case T_LINEBREAK:
				break;
			case T_COMMENT:
				if (parse_comment(p, e) < 0)
					return -1;
				break;
			default:
				return parse_error(e, "expected next entry after timestamp", t3);
			}
			break;
		}
		default:
			return parse_error(e, "expected timestamp or # symbol", t2);
		}
		*out = OM_ENTRY_SERIES;
		return 0;
	default: {
		/* Go's string(byte) makes a rune of the byte: 0xe9 is "é". */
		struct buf q = BUF_INIT;
		unsigned cur = p->i < p->len ? p->b[p->i] : ' ';
		char rune[2];
		size_t rlen = 1;

		if (cur < 0x80) {
			rune[0] = (char)cur;
		} else {
			rune[0] = (char)(0xC0 | cur >> 6);
			rune[1] = (char)(0x80 | (cur & 0x3F));
			rlen = 2;
		}
		go_quote(&q, rune, rlen);
		err_set(e, "\"%s\" %s is not a valid start token", token_names[t], buf_str(&q));
		buf_release(&q);
		return -1;
	}
	}
}

/* strings.NewReplacer(`\"`, `"`, `\\`, `\`, `\n`, "\n") applied left to right. */
static void add_unescaped(struct buf *out, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == 'n')) {
			buf_addc(out, s[i + 1] == 'n' ? '\n' : s[i + 1]);
			i++;
			continue;
		}
		buf_addc(out, s[i]);
	}
}

void om_parser_metric(struct om_parser *p, const struct label **ls, size_t *n)
{
	size_t nl = 1 + p->noffsets / 4;
	size_t *pos;
	size_t stackpos[64];
	const char *base;

	buf_reset(&p->scratch);
	pos = nl * 2 <= 64 ? stackpos : xmalloc(nl * 2 * sizeof(*pos));
	pos[0] = p->scratch.len;
	buf_add(&p->scratch, "__name__", 9);
	pos[1] = p->scratch.len;
	buf_add(&p->scratch, p->b + p->series_start, p->name_end - p->series_start);
	buf_addc(&p->scratch, 0);
	for (size_t k = 0; k < p->noffsets; k += 4) {
		size_t li = 1 + k / 4;
		const size_t *o = p->offsets + k;

		pos[2 * li] = p->scratch.len;
		buf_add(&p->scratch, p->b + o[0], o[1] - o[0]);
		buf_addc(&p->scratch, 0);
		pos[2 * li + 1] = p->scratch.len;
		if (memchr(p->b + o[2], '\\', o[3] - o[2]))
			add_unescaped(&p->scratch, p->b + o[2], o[3] - o[2]);
		else
			buf_add(&p->scratch, p->b + o[2], o[3] - o[2]);
		buf_addc(&p->scratch, 0);
	}
	ALLOC_GROW(p->ls, nl, p->ls_cap);
	base = (const char *)p->scratch.data;
	for (size_t k = 0; k < nl; k++) {
		p->ls[k].name = base + pos[2 * k];
		p->ls[k].value = base + pos[2 * k + 1];
	}
	if (pos != stackpos)
		free(pos);
	/* insertion sort by name: label sets are small */
	for (size_t k = 1; k < nl; k++) {
		struct label x = p->ls[k];
		size_t j = k;
		while (j > 0 && strcmp(p->ls[j - 1].name, x.name) > 0) {
			p->ls[j] = p->ls[j - 1];
			j--;
		}
		p->ls[j] = x;
	}
	*ls = p->ls;
	*n = nl;
}
