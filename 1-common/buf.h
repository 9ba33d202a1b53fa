/*
 * A growable byte buffer.
 *
 * struct buf owns its bytes; buf_release() frees them.  The data is always
 * NUL-terminated (not counted in len), so a buffer of text can be used as a
 * C string.  buf_init() does not allocate.
 */
#ifndef COMMON_BUF_H
#define COMMON_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	unsigned char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
void buf_release(struct buf *b);
/* Ensures room for n more bytes without reallocation. */
void buf_grow(struct buf *b, size_t n);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addc(struct buf *b, unsigned char c);
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_put_be16(struct buf *b, uint16_t v);
void buf_put_be32(struct buf *b, uint32_t v);
void buf_put_be64(struct buf *b, uint64_t v);
/* Go's encoding/binary PutUvarint / PutVarint (zig-zag). */
void buf_put_uvarint(struct buf *b, uint64_t v);
void buf_put_varint(struct buf *b, int64_t v);
/* Takes the bytes out of b; caller owns the result; b is left empty. */
char *buf_detach(struct buf *b, size_t *len_out);
/* Returns the contents as a C string (never NULL). */
const char *buf_str(const struct buf *b);

#endif
