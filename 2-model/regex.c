/*
 * Label-matcher regular expressions: the syntax check.
 *
 * 2.42's labels.NewMatcher compiles "^(?:" + value + ")$" with Go's regexp
 * package (RE2 syntax, syntax.Perl flags) and the parser reports a failure
 * as a parse error with Go's text:
 *     error parsing regexp: missing closing ): `^(?:()$`
 * The check below follows Go's regexp/syntax parser (its error codes, the
 * fragment each error quotes, and its limit on nested repeat counts);
 * RE2 (2-model/re2_shim.h), whose syntax Go's is a copy of, then compiles
 * the same text for matching (2-model/regex_exec.c).
 *
 * Not reproduced: Go's nesting-depth and program-size limits (RE2 has its
 * own memory budget, which is a compile error here: see
 * label_regex_compile()).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/utf8.h"
#include "1-common/xalloc.h"
#include "2-model/re2_shim.h"
#include "2-model/regex.h"

/* Go's bound on a repeat count, and on the copies nested repeats make. */
#define MAX_REPEAT 1000

/*
 * Go's repeatIsValid, without a tree: along any path down from a counted
 * repeat, the product of the counts ({n,m} counts m, {n,} counts n, {0}
 * ends the path) must stay within MAX_REPEAT.  Each open group keeps the
 * largest product of its finished pieces; `last` is the product inside the
 * piece a repeat operator would apply to.
 */
struct rx_level {
	long done;
};

struct rx {
	const char *s; /* the whole wrapped pattern */
	size_t len;
	size_t i;      /* parse position */
	struct buf *msg;
	int depth;         /* open groups */
	bool top_pseudo;   /* stack top is "(" or "|" (or empty) */
	size_t last_repeat; /* start of the previous repeat operator, or SIZE_MAX */
	struct rx_level *lv; /* lv[0] is the top level, lv[depth] the innermost */
	size_t lv_cap;
	long last;           /* repeat product inside the last piece */
};

static int rx_err(struct rx *r, const char *code, const char *frag, size_t n)
{
	buf_reset(r->msg);
	buf_adds(r->msg, "error parsing regexp: ");
	buf_adds(r->msg, code);
	buf_adds(r->msg, ": `");
	buf_add(r->msg, frag, n);
	buf_addc(r->msg, '`');
	return -1;
}

/* nextRune: decodes at i; invalid UTF-8 is an error quoting the rest. */
static int rx_next(struct rx *r, size_t *i, int32_t *c)
{
	size_t w;

	if (*i >= r->len) {
		*c = 0xFFFD;
		return 0;
	}
	w = go_decode_rune((const unsigned char *)r->s + *i, r->len - *i, c);
	if (*c == 0xFFFD && w == 1 && (unsigned char)r->s[*i] >= 0x80 &&
	    !(r->len - *i >= 3 && !memcmp(r->s + *i, "\xef\xbf\xbd", 3)))
		return rx_err(r, "invalid UTF-8", r->s + *i, r->len - *i);
	*i += w;
	return 0;
}

static bool is_alnum(int32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int unhex(int32_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* parseEscape at r->s[*i] == '\\'; *out gets the rune. */
static int rx_escape(struct rx *r, size_t *i, int32_t *out)
{
	size_t start = *i, t = *i + 1;
	int32_t c;

	if (t >= r->len)
		return rx_err(r, "trailing backslash at end of expression", "", 0);
	if (rx_next(r, &t, &c) < 0)
		return -1;
	switch (c) {
	case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		/* a lone non-zero digit would be a backreference */
		if (t >= r->len || r->s[t] < '0' || r->s[t] > '7')
			break;
		/* fallthrough */
	case '0': {
		int32_t v = c - '0';
		for (int k = 1; k < 3 && t < r->len && r->s[t] >= '0' && r->s[t] <= '7'; k++)
			v = v * 8 + (r->s[t++] - '0');
		*out = v;
		*i = t;
		return 0;
	}
	case 'x': {
		int32_t c2, v = 0;
		int x, y, nhex = 0;
		if (t >= r->len)
			break;
		if (rx_next(r, &t, &c2) < 0)
			return -1;
		if (c2 == '{') {
			for (;;) {
				if (t >= r->len)
					goto bad;
				if (rx_next(r, &t, &c2) < 0)
					return -1;
				if (c2 == '}')
					break;
				if ((x = unhex(c2)) < 0)
					goto bad;
				v = v * 16 + x;
				if (v > 0x10FFFF)
					goto bad;
				nhex++;
			}
			if (nhex == 0)
				goto bad;
			*out = v;
			*i = t;
			return 0;
		}
		x = unhex(c2);
		if (t < r->len) {
			if (rx_next(r, &t, &c2) < 0)
				return -1;
		} else {
			c2 = 0xFFFD;
		}
		y = unhex(c2);
		if (x < 0 || y < 0)
			break;
		*out = x * 16 + y;
		*i = t;
		return 0;
	}
	case 'a': *out = '\a'; *i = t; return 0;
	case 'f': *out = '\f'; *i = t; return 0;
	case 'n': *out = '\n'; *i = t; return 0;
	case 'r': *out = '\r'; *i = t; return 0;
	case 't': *out = '\t'; *i = t; return 0;
	case 'v': *out = '\v'; *i = t; return 0;
	default:
		if (c < 0x80 && !is_alnum(c)) {
			*out = c;
			*i = t;
			return 0;
		}
		break;
	}
bad:
	return rx_err(r, "invalid escape sequence", r->s + start, t - start);
}

static const char *const unicode_names[] = {
	"Any", "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn",
	"N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm",
	"So", "Z", "Zl", "Zp", "Zs",
	"Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum",
	"Bassa_Vah", "Batak", "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese",
	"Buhid", "Canadian_Aboriginal", "Carian", "Caucasian_Albanian", "Chakma", "Cham", "Cherokee",
	"Chorasmian", "Common", "Coptic", "Cuneiform", "Cypriot", "Cyrillic", "Deseret", "Devanagari",
	"Dives_Akuru", "Dogra", "Duployan", "Egyptian_Hieroglyphs", "Elbasan", "Elymaic", "Ethiopic",
	"Georgian", "Glagolitic", "Gothic", "Grantha", "Greek", "Gujarati", "Gunjala_Gondi", "Gurmukhi",
	"Han", "Hangul", "Hanifi_Rohingya", "Hanunoo", "Hatran", "Hebrew", "Hiragana",
	"Imperial_Aramaic", "Inherited", "Inscriptional_Pahlavi", "Inscriptional_Parthian", "Javanese",
	"Kaithi", "Kannada", "Katakana", "Kayah_Li", "Kharoshthi", "Khitan_Small_Script", "Khmer",
	"Khojki", "Khudawadi", "Lao", "Latin", "Lepcha", "Limbu", "Linear_A", "Linear_B", "Lisu",
	"Lycian", "Lydian", "Mahajani", "Makasar", "Malayalam", "Mandaic", "Manichaean", "Marchen",
	"Masaram_Gondi", "Medefaidrin", "Meetei_Mayek", "Mende_Kikakui", "Meroitic_Cursive",
	"Meroitic_Hieroglyphs", "Miao", "Modi", "Mongolian", "Mro", "Multani", "Myanmar", "Nabataean",
	"Nandinagari", "New_Tai_Lue", "Newa", "Nko", "Nushu", "Nyiakeng_Puachue_Hmong", "Ogham",
	"Ol_Chiki", "Old_Hungarian", "Old_Italic", "Old_North_Arabian", "Old_Permic", "Old_Persian",
	"Old_Sogdian", "Old_South_Arabian", "Old_Turkic", "Oriya", "Osage", "Osmanya", "Pahawh_Hmong",
	"Palmyrene", "Pau_Cin_Hau", "Phags_Pa", "Phoenician", "Psalter_Pahlavi", "Rejang", "Runic",
	"Samaritan", "Saurashtra", "Sharada", "Shavian", "Siddham", "SignWriting", "Sinhala", "Sogdian",
	"Sora_Sompeng", "Soyombo", "Sundanese", "Syloti_Nagri", "Syriac", "Tagalog", "Tagbanwa",
	"Tai_Le", "Tai_Tham", "Tai_Viet", "Takri", "Tamil", "Tangut", "Telugu", "Thaana", "Thai",
	"Tibetan", "Tifinagh", "Tirhuta", "Ugaritic", "Vai", "Wancho", "Warang_Citi", "Yezidi", "Yi",
	"Zanabazar_Square",
};

/* parseUnicodeClass at "\p" / "\P": 1 parsed, 0 not one, -1 error. */
static int rx_unicode_class(struct rx *r, size_t *i)
{
	size_t start = *i, t = *i + 2, seq_end, name_at, name_len;
	int32_t c;

	if (*i + 1 >= r->len || r->s[*i] != '\\' || (r->s[*i + 1] != 'p' && r->s[*i + 1] != 'P'))
		return 0;
	if (rx_next(r, &t, &c) < 0)
		return -1;
	if (c != '{') {
		seq_end = t;
		name_at = start + 2;
		name_len = t - name_at;
	} else {
		const char *end = memchr(r->s + start, '}', r->len - start);
		if (!end)
			return rx_err(r, "invalid character class range", r->s + start, r->len - start);
		seq_end = (size_t)(end - r->s) + 1;
		name_at = start + 3;
		name_len = (size_t)(end - r->s) - name_at;
	}
	if (name_len > 0 && r->s[name_at] == '^')
		name_at++, name_len--;
	for (size_t k = 0; k < sizeof(unicode_names) / sizeof(unicode_names[0]); k++) {
		if (strlen(unicode_names[k]) == name_len && !memcmp(unicode_names[k], r->s + name_at, name_len)) {
			*i = seq_end;
			return 1;
		}
	}
	return rx_err(r, "invalid character class range", r->s + start, seq_end - start);
}

static bool is_perl_class(struct rx *r, size_t i)
{
	return i + 1 < r->len && r->s[i] == '\\' && strchr("dDsSwW", r->s[i + 1]) && r->s[i + 1];
}

static const char *const posix_names[] = {
	"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
	"space", "upper", "word", "xdigit",
};

/* parseClass at '['. */
static int rx_class(struct rx *r)
{
	size_t whole = r->i, t = r->i + 1;
	bool first = true;

	if (t < r->len && r->s[t] == '^')
		t++;
	while (t >= r->len || r->s[t] != ']' || first) {
		size_t rng = t;
		int32_t lo, hi;
		int rc;

		first = false;
		if (r->len - t > 2 && r->s[t] == '[' && r->s[t + 1] == ':') {
			const char *end = memmem(r->s + t + 2, r->len - t - 2, ":]", 2);
			if (end) {
				size_t nl = (size_t)(end - (r->s + t + 2)), k;
				const char *nm = r->s + t + 2;
				if (nl > 0 && nm[0] == '^')
					nm++, nl--;
				for (k = 0; k < sizeof(posix_names) / sizeof(posix_names[0]); k++)
					if (strlen(posix_names[k]) == nl && !memcmp(posix_names[k], nm, nl))
						break;
				if (k == sizeof(posix_names) / sizeof(posix_names[0]))
					return rx_err(r, "invalid character class range", r->s + t,
						      (size_t)(end - (r->s + t)) + 2);
				t = (size_t)(end - r->s) + 2;
				continue;
			}
		}
		{
			size_t save = r->i;
			r->i = t;
			rc = rx_unicode_class(r, &r->i);
			t = r->i;
			r->i = save;
			if (rc < 0)
				return -1;
			if (rc > 0)
				continue;
		}
		if (is_perl_class(r, t)) {
			t += 2;
			continue;
		}
		/* parseClassChar */
		if (t >= r->len)
			return rx_err(r, "missing closing ]", r->s + whole, r->len - whole);
		if (r->s[t] == '\\') {
			if (rx_escape(r, &t, &lo) < 0)
				return -1;
		} else if (rx_next(r, &t, &lo) < 0) {
			return -1;
		}
		hi = lo;
		if (r->len - t >= 2 && r->s[t] == '-' && r->s[t + 1] != ']') {
			t++;
			if (t >= r->len)
				return rx_err(r, "missing closing ]", r->s + whole, r->len - whole);
			if (r->s[t] == '\\') {
				if (rx_escape(r, &t, &hi) < 0)
					return -1;
			} else if (rx_next(r, &t, &hi) < 0) {
				return -1;
			}
			if (hi < lo)
				return rx_err(r, "invalid character class range", r->s + rng, t - rng);
		}
	}
	r->i = t + 1;
	return 0;
}

/* parseInt of regexp/syntax: no leading zeros; >= 1e8 gives -1. */
static bool rx_int(struct rx *r, size_t *t, long *out)
{
	size_t s = *t;
	long n = 0;

	if (s >= r->len || r->s[s] < '0' || r->s[s] > '9')
		return false;
	if (r->len - s >= 2 && r->s[s] == '0' && r->s[s + 1] >= '0' && r->s[s + 1] <= '9')
		return false;
	while (*t < r->len && r->s[*t] >= '0' && r->s[*t] <= '9') {
		if (n >= 100000000)
			n = -1;
		if (n >= 0)
			n = n * 10 + (r->s[*t] - '0');
		(*t)++;
	}
	*out = n;
	return true;
}

/* parseRepeat at '{': true with min/max and the end, or false (a literal '{'). */
static bool rx_parse_repeat(struct rx *r, long *min, long *max, size_t *after)
{
	size_t t = r->i + 1;

	if (!rx_int(r, &t, min) || t >= r->len)
		return false;
	if (r->s[t] != ',') {
		*max = *min;
	} else {
		t++;
		if (t >= r->len)
			return false;
		if (r->s[t] == '}')
			*max = -1;
		else if (!rx_int(r, &t, max))
			return false;
		else if (*max < 0)
			*min = -1;
	}
	if (t >= r->len || r->s[t] != '}')
		return false;
	*after = t + 1;
	return true;
}

/* p.repeat(): the checks on a repetition operator spanning [before, after). */
static int rx_repeat(struct rx *r, size_t before, size_t *after)
{
	if (*after < r->len && r->s[*after] == '?')
		(*after)++;
	if (r->last_repeat != SIZE_MAX)
		return rx_err(r, "invalid nested repetition operator", r->s + r->last_repeat, *after - r->last_repeat);
	if (r->top_pseudo)
		return rx_err(r, "missing argument to repetition operator", r->s + before, *after - before);
	return 0;
}

/* A piece (atom) starts: the one before it is finished. */
static void rx_piece(struct rx *r)
{
	struct rx_level *lv = &r->lv[r->depth];

	if (r->last > lv->done)
		lv->done = r->last;
	r->last = 1;
	r->top_pseudo = false;
}

/* A group opens: a new piece of the enclosing level, and a level. */
static void rx_open(struct rx *r)
{
	rx_piece(r);
	r->depth++;
	ALLOC_GROW(r->lv, (size_t)r->depth + 1, r->lv_cap);
	r->lv[r->depth].done = 1;
	r->top_pseudo = true;
}

/* A group closes: it becomes the last piece of the enclosing level. */
static void rx_close(struct rx *r)
{
	long v = r->lv[r->depth].done;

	if (r->last > v)
		v = r->last;
	r->depth--;
	r->last = v;
	r->top_pseudo = false;
}

/*
 * After a counted repeat {min,max} spanning [before, after): Go's
 * repeatIsValid(re, 1000) for the repeat (only checked when a count is
 * 2 or more), and the product the repeat leaves for the ones around it.
 */
static int rx_repeat_size(struct rx *r, long min, long max, size_t before, size_t after)
{
	long f;

	if (max == 0) {
		r->last = 1; /* x{0}: Go does not look inside */
		return 0;
	}
	f = max < 0 ? min : max;
	if (f == 0)
		f = 1;
	if ((min >= 2 || max >= 2) && r->last > MAX_REPEAT / f)
		return rx_err(r, "invalid repeat count", r->s + before, after - before);
	r->last *= f;
	return 0;
}

/* (?flags) / (?:...) / (?P<name>...) at "(?". */
static int rx_perl_flags(struct rx *r)
{
	size_t s = r->i, t;
	int32_t c;
	int sign = 1;
	bool saw_flag = false;

	if (r->len - s > 4 && r->s[s + 2] == 'P' && r->s[s + 3] == '<') {
		const char *end = memchr(r->s + s, '>', r->len - s);
		size_t nl;
		if (!end) {
			size_t k = s;
			while (k < r->len)
				if (rx_next(r, &k, &c) < 0)
					return -1;
			return rx_err(r, "invalid named capture", r->s + s, r->len - s);
		}
		nl = (size_t)(end - r->s) - (s + 4);
		for (size_t k = s + 4; k < s + 4 + nl;)
			if (rx_next(r, &k, &c) < 0)
				return -1;
		if (nl == 0)
			return rx_err(r, "invalid named capture", r->s + s, nl + 5);
		for (size_t k = 0; k < nl; k++) {
			char ch = r->s[s + 4 + k];
			if (!(is_alnum((unsigned char)ch) || ch == '_'))
				return rx_err(r, "invalid named capture", r->s + s, nl + 5);
		}
		rx_open(r);
		r->i = (size_t)(end - r->s) + 1;
		return 0;
	}
	t = s + 2;
	while (t < r->len) {
		if (rx_next(r, &t, &c) < 0)
			return -1;
		switch (c) {
		case 'i': case 'm': case 's': case 'U':
			saw_flag = true;
			continue;
		case '-':
			if (sign < 0)
				goto bad;
			sign = -1;
			saw_flag = false;
			continue;
		case ':': case ')':
			if (sign < 0 && !saw_flag)
				goto bad;
			if (c == ':')
				rx_open(r);
			r->i = t;
			return 0;
		default:
			goto bad;
		}
	}
bad:
	return rx_err(r, "invalid or unsupported Perl syntax", r->s + s, t - s);
}

static int rx_parse(struct rx *r)
{
	while (r->i < r->len) {
		size_t repeat = SIZE_MAX;
		char ch = r->s[r->i];

		switch (ch) {
		case '(':
			if (r->i + 1 < r->len && r->s[r->i + 1] == '?') {
				size_t k = r->i + 2;
				bool was_pseudo = r->top_pseudo;

				while (k < r->len && strchr("imsU-", r->s[k]) && r->s[k])
					k++;
				if (k < r->len && r->s[k] == ')') {
					/* flags only: no piece, so "a(?i)*" repeats a */
					if (rx_perl_flags(r) < 0)
						return -1;
					r->top_pseudo = was_pseudo;
					break;
				}
				if (rx_perl_flags(r) < 0)
					return -1;
				break;
			}
			rx_open(r);
			r->i++;
			break;
		case '|':
			rx_piece(r);
			r->top_pseudo = true;
			r->i++;
			break;
		case ')':
			if (r->depth == 0)
				return rx_err(r, "unexpected )", r->s, r->len);
			rx_close(r);
			r->i++;
			break;
		case '^': case '$': case '.':
			rx_piece(r);
			r->i++;
			break;
		case '[':
			rx_piece(r);
			if (rx_class(r) < 0)
				return -1;
			break;
		case '*': case '+': case '?': {
			size_t before = r->i, after = r->i + 1;
			if (rx_repeat(r, before, &after) < 0)
				return -1;
			repeat = before;
			r->i = after;
			break;
		}
		case '{': {
			size_t before = r->i, after;
			long min, max;
			if (!rx_parse_repeat(r, &min, &max, &after)) {
				rx_piece(r); /* a literal '{' */
				r->i++;
				break;
			}
			if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max))
				return rx_err(r, "invalid repeat count", r->s + before, after - before);
			if (rx_repeat(r, before, &after) < 0)
				return -1;
			if (rx_repeat_size(r, min, max, before, after) < 0)
				return -1;
			repeat = before;
			r->i = after;
			break;
		}
		case '\\': {
			int32_t c;
			int rc;
			if (r->i + 1 < r->len) {
				char e = r->s[r->i + 1];
				if (e == 'A' || e == 'b' || e == 'B' || e == 'z') {
					rx_piece(r);
					r->i += 2;
					break;
				}
				if (e == 'C')
					return rx_err(r, "invalid escape sequence", r->s + r->i, 2);
				if (e == 'Q') {
					const char *end = memmem(r->s + r->i + 2, r->len - r->i - 2, "\\E", 2);
					size_t stop = end ? (size_t)(end - r->s) : r->len, k = r->i + 2;
					if (k < stop)
						rx_piece(r); /* "\Q\E" is no piece at all */
					while (k < stop)
						if (rx_next(r, &k, &c) < 0)
							return -1;
					r->i = end ? stop + 2 : r->len;
					break;
				}
			}
			rx_piece(r);
			rc = rx_unicode_class(r, &r->i);
			if (rc < 0)
				return -1;
			if (rc == 0) {
				if (is_perl_class(r, r->i))
					r->i += 2;
				else if (rx_escape(r, &r->i, &c) < 0)
					return -1;
			}
			break;
		}
		default: {
			int32_t c;
			rx_piece(r);
			if (rx_next(r, &r->i, &c) < 0)
				return -1;
			break;
		}
		}
		r->last_repeat = repeat;
	}
	if (r->depth != 0)
		return rx_err(r, "missing closing )", r->s, r->len);
	return 0;
}

int label_regex_compile(void **out_re, const char *value, size_t len, struct buf *msg)
{
	return label_regex_compile_flags(out_re, value, len, 0, msg);
}

int label_regex_compile_flags(void **out_re, const char *value, size_t len, unsigned flags, struct buf *msg)
{
	struct buf pat = BUF_INIT;
	struct re2_shim *re = NULL;
	struct rx r;
	char why[256];
	int rc = 0;

	*out_re = NULL;
	if (flags & LABEL_REGEX_BARE_ERRORS) {
		struct buf scratch = BUF_INIT;
		rc = go_regexp_translate(&scratch, value, len, msg);
		buf_release(&scratch);
		if (rc < 0)
			return LABEL_REGEX_ESYNTAX;
	}
	buf_adds(&pat, flags & LABEL_REGEX_DOTALL ? "^(?s:" : "^(?:");
	buf_add(&pat, value, len);
	buf_adds(&pat, ")$");
	memset(&r, 0, sizeof(r));
	r.s = (const char *)pat.data;
	r.len = pat.len;
	r.msg = msg;
	r.last_repeat = SIZE_MAX;
	r.top_pseudo = true;
	r.last = 1;
	ALLOC_GROW(r.lv, 1, r.lv_cap);
	r.lv[0].done = 1;
	if (rx_parse(&r) < 0) {
		rc = LABEL_REGEX_ESYNTAX;
		goto done;
	}
	/*
	 * Go accepts it, and RE2 reads it the same way; what RE2 refuses now
	 * is beyond its limits (a program over RE2_SHIM_MAX_MEM): an error,
	 * never a matcher that silently matches nothing.
	 */
	if (re2_shim_compile(&re, r.s, r.len, why, sizeof(why)) < 0) {
		buf_reset(msg);
		buf_addf(msg, "cannot compile regexp: %s: `", why);
		buf_add(msg, r.s, r.len);
		buf_addc(msg, '`');
		rc = LABEL_REGEX_ELIMIT;
		goto done;
	}
	*out_re = re;
done:
	free(r.lv);
	buf_release(&pat);
	return rc;
}

void label_regex_free(void *re)
{
	re2_shim_free(re);
}

/*
 * regexp.Compile's syntax check of a whole pattern (not a matcher's
 * "^(?:...)$"), for the template functions reReplaceAll and match: Go's
 * error words in msg, else the pattern itself in out, for PCRE2.
 */
int go_regexp_translate(struct buf *out, const char *pattern, size_t len, struct buf *msg)
{
	struct rx r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.s = pattern;
	r.len = len;
	r.msg = msg;
	r.last_repeat = SIZE_MAX;
	r.top_pseudo = true;
	r.last = 1;
	ALLOC_GROW(r.lv, 1, r.lv_cap);
	r.lv[0].done = 1;
	rc = rx_parse(&r);
	free(r.lv);
	if (rc < 0)
		return -1;
	buf_add(out, pattern, len);
	return 0;
}
