/*
 * Go string formatting helpers for PromQL messages; see gostr.h.
 */
#include "common/gounicode.h"
#include "promql/gostr.h"

size_t go_decode_rune(const unsigned char *s, size_t len, int32_t *r)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;

	if (c < 0x80) {
		*r = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2, v = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, v = c & 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, v = c & 0x07, min = 0x10000;
	} else {
		*r = 0xFFFD;
		return 1;
	}
	if (len < n)
		goto bad;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		goto bad;
	*r = (int32_t)v;
	return n;
bad:
	*r = 0xFFFD;
	return 1;
}

int go_is_print(int32_t r)
{
	return r >= 0 && go_unicode_isprint((uint32_t)r);
}

void go_put_rune(struct buf *out, int32_t r)
{
	uint32_t v = (uint32_t)r;

	if (v < 0x80) {
		buf_addc(out, (unsigned char)v);
	} else if (v < 0x800) {
		buf_addc(out, (unsigned char)(0xc0 | v >> 6));
		buf_addc(out, (unsigned char)(0x80 | (v & 0x3f)));
	} else if (v < 0x10000) {
		buf_addc(out, (unsigned char)(0xe0 | v >> 12));
		buf_addc(out, (unsigned char)(0x80 | ((v >> 6) & 0x3f)));
		buf_addc(out, (unsigned char)(0x80 | (v & 0x3f)));
	} else {
		buf_addc(out, (unsigned char)(0xf0 | v >> 18));
		buf_addc(out, (unsigned char)(0x80 | ((v >> 12) & 0x3f)));
		buf_addc(out, (unsigned char)(0x80 | ((v >> 6) & 0x3f)));
		buf_addc(out, (unsigned char)(0x80 | (v & 0x3f)));
	}
}

void go_quote_rune(struct buf *out, int32_t r)
{
	if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	buf_addc(out, '\'');
	if (r == '\'' || r == '\\') {
		buf_addc(out, '\\');
		buf_addc(out, (unsigned char)r);
	} else if (go_is_print(r)) {
		go_put_rune(out, r);
	} else {
		switch (r) {
		case '\a': buf_adds(out, "\\a"); break;
		case '\b': buf_adds(out, "\\b"); break;
		case '\f': buf_adds(out, "\\f"); break;
		case '\n': buf_adds(out, "\\n"); break;
		case '\r': buf_adds(out, "\\r"); break;
		case '\t': buf_adds(out, "\\t"); break;
		case '\v': buf_adds(out, "\\v"); break;
		default:
			if (r < ' ' || r == 0x7f)
				buf_addf(out, "\\x%02x", (unsigned)r);
			else if (r < 0x10000)
				buf_addf(out, "\\u%04x", (unsigned)r);
			else
				buf_addf(out, "\\U%08x", (unsigned)r);
		}
	}
	buf_addc(out, '\'');
}

void go_fmt_sharp_U(struct buf *out, int32_t r)
{
	if (r < 0) {
		/* fmt prints a negative rune as U+FFFFFFFFFFFFFFFF */
		buf_adds(out, "U+FFFFFFFFFFFFFFFF");
		return;
	}
	buf_addf(out, "U+%04X", (unsigned)r);
	if (go_is_print(r)) {
		buf_adds(out, " '");
		go_put_rune(out, r);
		buf_addc(out, '\'');
	}
}

void go_quote_trunc(struct buf *out, const char *s, size_t len, size_t n)
{
	/* fmt's precision counts runes */
	size_t i = 0, runes = 0;
	int32_t r;

	while (i < len && runes < n) {
		i += go_decode_rune((const unsigned char *)s + i, len - i, &r);
		runes++;
	}
	if (len > n) {
		/* Item.String() tests the byte length, fmt truncates runes */
		go_quote(out, s, i);
		buf_adds(out, "...");
	} else {
		go_quote(out, s, len);
	}
}
