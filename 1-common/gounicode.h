/*
 * Unicode classification with Go's answers (no state, nothing allocated).
 */
#ifndef COMMON_GOUNICODE_H
#define COMMON_GOUNICODE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the
 * ASCII space.  Table from Unicode 14.0 (Go 1.19 has 13.0: the ~840 runes
 * new in 14.0 are printable here, escaped by Go).
 */
bool go_unicode_isprint(uint32_t r);

#endif
