/*
 * Small pieces of Go's string formatting that PromQL messages need
 * (internal to promql/).  Writers append to a buffer the caller owns.
 */
#ifndef PROMQL_GOSTR_H
#define PROMQL_GOSTR_H

#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "2-model/labels.h"
#include "1-common/utf8.h" /* go_decode_rune, go_put_rune */

/* strconv.IsPrint (1-common/gounicode.h). */
int go_is_print(int32_t r);
/* %q of a rune: 'a', '\'', '\n', '\x01', '�' for invalid runes. */
void go_quote_rune(struct buf *out, int32_t r);
/* %#U of a rune: "U+0071 'q'", or just "U+000A" when not printable. */
void go_fmt_sharp_U(struct buf *out, int32_t r);
/* fmt's %.Nq on a string longer than N bytes plus "...", else %q, as
 * 2.42's Item.String() prints long items. */
void go_quote_trunc(struct buf *out, const char *s, size_t len, size_t n);

#endif
