/*
 * strconv.UnquoteChar's escape sequences (Go 1.19 strconv/quote.go):
 * \a \b \f \n \r \t \v \\, the literal's own quote, \xNN (a byte), \NNN
 * (three octal digits, at most 255: a byte), \uNNNN and \UNNNNNNNN (a rune:
 * not a surrogate, at most U+10FFFF).
 */
#include "1-common/gostrconv.h"

#include <string.h>

int go_unescape(const char *s, size_t n, char quote, uint32_t *value, bool *is_byte, size_t *end)
{
	static const char simple[] = "abfnrtv\\";
	static const char simple_val[] = "\a\b\f\n\r\t\v\\";
	const char *p;
	uint32_t v = 0;
	size_t nd;
	char c;

	*is_byte = false;
	if (n < 2) {
		*end = n;
		return GO_ESC_SHORT;
	}
	c = s[1];
	*end = 2;
	if (c && (p = strchr(simple, c)) != NULL) {
		*value = (unsigned char)simple_val[p - simple];
		return 0;
	}
	switch (c) {
	case '\'':
	case '"':
		if (c != quote)
			return GO_ESC_UNKNOWN;
		*value = (unsigned char)c;
		return 0;
	case 'x':
	case 'u':
	case 'U':
		nd = c == 'x' ? 2 : c == 'u' ? 4 : 8;
		for (size_t j = 2; j < 2 + nd; j++) {
			int d;

			*end = j;
			if (j >= n) {
				*end = n;
				return GO_ESC_SHORT;
			}
			d = go_unhex((unsigned char)s[j]);
			if (d < 0)
				return GO_ESC_INVALID;
			v = v << 4 | (uint32_t)d;
		}
		*end = 2 + nd;
		if (c != 'x' && (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)))
			return GO_ESC_INVALID;
		*value = v;
		*is_byte = c == 'x';
		return 0;
	case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		v = (uint32_t)(c - '0');
		for (size_t j = 2; j < 4; j++) {
			*end = j;
			if (j >= n) {
				*end = n;
				return GO_ESC_SHORT;
			}
			if (s[j] < '0' || s[j] > '7')
				return GO_ESC_INVALID;
			v = v << 3 | (uint32_t)(s[j] - '0');
		}
		*end = 4;
		if (v > 255)
			return GO_ESC_INVALID;
		*value = v;
		*is_byte = true;
		return 0;
	default:
		return GO_ESC_UNKNOWN;
	}
}
