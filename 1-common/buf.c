#include "1-common/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/bytes.h"
#include "1-common/xalloc.h"

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void buf_grow(struct buf *b, size_t n)
{
	size_t need;

	if (n > SIZE_MAX - b->len - 1)
		need = SIZE_MAX; /* xrealloc will fail and abort */
	else
		need = b->len + n + 1;
	if (need > b->cap) {
		size_t c = b->cap ? b->cap : 64;
		while (c < need)
			c = c > SIZE_MAX / 2 ? need : c * 2;
		b->data = xrealloc(b->data, c);
		b->cap = c;
		if (!b->len)
			b->data[0] = '\0'; /* a fresh buffer is "" too */
	}
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_addc(struct buf *b, unsigned char c)
{
	buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_put_be16(struct buf *b, uint16_t v)
{
	buf_grow(b, 2);
	put_be16(b->data + b->len, v);
	b->len += 2;
	b->data[b->len] = '\0';
}

void buf_put_be32(struct buf *b, uint32_t v)
{
	buf_grow(b, 4);
	put_be32(b->data + b->len, v);
	b->len += 4;
	b->data[b->len] = '\0';
}

void buf_put_be64(struct buf *b, uint64_t v)
{
	buf_grow(b, 8);
	put_be64(b->data + b->len, v);
	b->len += 8;
	b->data[b->len] = '\0';
}

void buf_put_uvarint(struct buf *b, uint64_t v)
{
	buf_grow(b, UVARINT_MAX_LEN);
	b->len += put_uvarint(b->data + b->len, v);
	b->data[b->len] = '\0';
}

void buf_put_varint(struct buf *b, int64_t v)
{
	buf_grow(b, UVARINT_MAX_LEN);
	b->len += put_varint(b->data + b->len, v);
	b->data[b->len] = '\0';
}

char *buf_detach(struct buf *b, size_t *len_out)
{
	char *p;

	if (!b->data)
		buf_grow(b, 0);
	p = (char *)b->data;
	if (len_out)
		*len_out = b->len;
	buf_init(b);
	return p;
}

const char *buf_str(const struct buf *b)
{
	return b->data ? (const char *)b->data : "";
}
