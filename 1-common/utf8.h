/*
 * UTF-8 as Go's unicode/utf8 reads and writes it.  No allocation; writers
 * append to a buffer the caller owns.
 */
#ifndef COMMON_UTF8_H
#define COMMON_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"

/* utf8.DecodeRune: invalid input (bad or overlong sequences, surrogates,
 * > U+10FFFF, truncation) gives U+FFFD and width 1; len must be > 0. */
size_t go_decode_rune(const unsigned char *s, size_t len, int32_t *r);
/* utf8.AppendRune: the UTF-8 encoding of r; a surrogate or a value out of
 * range appends U+FFFD, as Go does. */
void go_put_rune(struct buf *out, int32_t r);

/* The slow path of go_utf8_valid(), from the first byte >= 0x80. */
bool go_utf8_valid_from(const unsigned char *s, size_t len);

/* utf8.Valid: no byte sequence that go_decode_rune() reads as an error
 * (U+FFFD of width 1).  Plain ASCII is checked inline. */
static inline bool go_utf8_valid(const void *str, size_t len)
{
	const unsigned char *s = str;

	for (size_t i = 0; i < len; i++)
		if (s[i] >= 0x80)
			return go_utf8_valid_from(s + i, len - i);
	return true;
}

#endif
