/*
 * Go string formatting helpers for PromQL messages; see gostr.h.
 */
#include "1-common/gounicode.h"
#include "4-promql/gostr.h"

int go_is_print(int32_t r)
{
	return r >= 0 && go_unicode_isprint((uint32_t)r);
}

void go_quote_rune(struct buf *out, int32_t r)
{
	if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	buf_addc(out, '\'');
	go_escape_rune(out, r, '\'');
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
