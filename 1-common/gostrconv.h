/*
 * The parts of Go's strconv that read quoted literals: hex digits and the
 * escape sequences of strconv.UnquoteChar, shared by every reader of a Go
 * string literal (PromQL strings, --match selectors, series descriptions,
 * template strings).  Each reader keeps its own error texts; this says only
 * what went wrong and where.  Nothing here allocates; output goes to a
 * buffer the caller owns.
 */
#ifndef COMMON_GOSTRCONV_H
#define COMMON_GOSTRCONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "1-common/utf8.h"

/* strconv's unhex: the value of hex digit c, or -1. */
static inline int go_unhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* go_unescape() failures. */
#define GO_ESC_UNKNOWN (-1) /* not an escape Go knows, or the other quote */
#define GO_ESC_INVALID (-2) /* a bad digit, or a value out of range */
#define GO_ESC_SHORT   (-3) /* s ends inside the sequence */

/*
 * strconv.UnquoteChar on the escape sequence at s[0] (a backslash) of
 * s[0..n), inside a literal quoted with quote ('"' or '\'').  On success
 * returns 0 with *end the length of the sequence, *value what it stands
 * for and *is_byte true when that is one byte (\xNN, octal) rather than a
 * rune (\uNNNN, \UNNNNNNNN, \n, ...).  On failure returns one of the
 * codes above with *end the offset where the sequence went wrong: just past
 * an unknown escape letter, at a bad digit, past the digits of a value out
 * of range, or n when s ends inside the sequence.  Digits are read one by
 * one, so a bad digit before the end is INVALID, not SHORT.
 */
int go_unescape(const char *s, size_t n, char quote, uint32_t *value, bool *is_byte, size_t *end);

/* Appends what go_unescape() decoded: the byte, or the rune in UTF-8. */
static inline void go_unescape_put(struct buf *out, uint32_t value, bool is_byte)
{
	if (is_byte)
		buf_addc(out, (unsigned char)value);
	else
		go_put_rune(out, (int32_t)value);
}

#endif
