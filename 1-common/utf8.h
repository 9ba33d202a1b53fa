/*
 * UTF-8 as Go's unicode/utf8 reads and writes it.  No allocation; writers
 * append to a buffer the caller owns.
 */
#ifndef COMMON_UTF8_H
#define COMMON_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"

/* utf8.DecodeRune: invalid input (bad or overlong sequences, surrogates,
 * > U+10FFFF, truncation) gives U+FFFD and width 1; len must be > 0. */
size_t go_decode_rune(const unsigned char *s, size_t len, int32_t *r);
/* Appends the UTF-8 encoding of r (which must be a valid rune). */
void go_put_rune(struct buf *out, int32_t r);

#endif
