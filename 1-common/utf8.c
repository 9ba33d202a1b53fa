/*
 * Go's unicode/utf8: decoding, encoding and validation (see utf8.h).
 */
#include "1-common/utf8.h"

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

void go_put_rune(struct buf *out, int32_t r)
{
	uint32_t v = (uint32_t)r;

	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		v = 0xFFFD;
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

bool go_utf8_valid_from(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		int32_t r;
		size_t w;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		w = go_decode_rune(s + i, len - i, &r);
		if (w == 1 && r == 0xFFFD)
			return false;
		i += w;
	}
	return true;
}
