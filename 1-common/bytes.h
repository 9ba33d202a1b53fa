/*
 * Fixed-width big-endian integers, Go-compatible varints, float64 bits, and a
 * bounds-checked read cursor.  No allocation; nothing here owns memory.
 *
 * Varints follow Go's encoding/binary exactly (7 bits per byte, least
 * significant group first; signed values zig-zag encoded), which is what the
 * TSDB index and chunk formats use.  This is not git's offset varint.
 */
#ifndef COMMON_BYTES_H
#define COMMON_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define UVARINT_MAX_LEN 10

/* The IEEE 754 bits of v and back (Go's math.Float64bits/Float64frombits). */
static inline uint64_t double_bits(double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	return u;
}

static inline double bits_double(uint64_t u)
{
	double v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

static inline void put_be16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static inline void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static inline void put_be64(unsigned char *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static inline uint16_t get_be16(const unsigned char *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t get_be64(const unsigned char *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* Writes v as a Go uvarint into p (room for UVARINT_MAX_LEN); returns bytes written. */
static inline size_t put_uvarint(unsigned char *p, uint64_t v)
{
	size_t i = 0;
	while (v >= 0x80) {
		p[i++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[i++] = (unsigned char)v;
	return i;
}

static inline size_t put_varint(unsigned char *p, int64_t v)
{
	uint64_t u = (uint64_t)v << 1;
	if (v < 0)
		u = ~u;
	return put_uvarint(p, u);
}

static inline size_t uvarint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/*
 * Decodes a Go uvarint from p[0..len).  Returns bytes consumed (> 0), 0 if
 * the input ends early, or -1 on overflow (more than 64 bits), as Go's
 * binary.Uvarint distinguishes them.
 */
static inline int get_uvarint(const unsigned char *p, size_t len, uint64_t *out)
{
	uint64_t x = 0;
	unsigned s = 0;
	for (size_t i = 0; i < len && i < UVARINT_MAX_LEN; i++) {
		unsigned char b = p[i];
		if (b < 0x80) {
			if (i == UVARINT_MAX_LEN - 1 && b > 1)
				return -1;
			*out = x | (uint64_t)b << s;
			return (int)i + 1;
		}
		x |= (uint64_t)(b & 0x7f) << s;
		s += 7;
	}
	return len >= UVARINT_MAX_LEN ? -1 : 0;
}

static inline int get_varint(const unsigned char *p, size_t len, int64_t *out)
{
	uint64_t u;
	int n = get_uvarint(p, len, &u);
	if (n > 0) {
		int64_t x = (int64_t)(u >> 1);
		if (u & 1)
			x = ~x;
		*out = x;
	}
	return n;
}

/*
 * A read cursor over {buf, len}.  Every getter checks bounds first; on a
 * short or malformed read it sets the sticky err flag, returns 0, and leaves
 * the position where the failing read started, so callers can check once
 * after a sequence of reads and report the offset.
 */
struct cursor {
	const unsigned char *buf;
	size_t len;
	size_t pos;
	bool err;
};

static inline void cursor_init(struct cursor *c, const void *buf, size_t len)
{
	c->buf = buf;
	c->len = len;
	c->pos = 0;
	c->err = false;
}

static inline size_t cursor_left(const struct cursor *c)
{
	return c->err ? 0 : c->len - c->pos;
}

static inline bool cursor_need(struct cursor *c, size_t n)
{
	if (c->err || c->len - c->pos < n) {
		c->err = true;
		return false;
	}
	return true;
}

static inline uint8_t cursor_u8(struct cursor *c)
{
	if (!cursor_need(c, 1))
		return 0;
	return c->buf[c->pos++];
}

static inline uint32_t cursor_be32(struct cursor *c)
{
	uint32_t v;
	if (!cursor_need(c, 4))
		return 0;
	v = get_be32(c->buf + c->pos);
	c->pos += 4;
	return v;
}

static inline uint64_t cursor_be64(struct cursor *c)
{
	uint64_t v;
	if (!cursor_need(c, 8))
		return 0;
	v = get_be64(c->buf + c->pos);
	c->pos += 8;
	return v;
}

static inline uint64_t cursor_uvarint(struct cursor *c)
{
	uint64_t v = 0;
	int n;
	if (c->err)
		return 0;
	n = get_uvarint(c->buf + c->pos, c->len - c->pos, &v);
	if (n <= 0) {
		c->err = true;
		return 0;
	}
	c->pos += (size_t)n;
	return v;
}

static inline int64_t cursor_varint(struct cursor *c)
{
	int64_t v = 0;
	int n;
	if (c->err)
		return 0;
	n = get_varint(c->buf + c->pos, c->len - c->pos, &v);
	if (n <= 0) {
		c->err = true;
		return 0;
	}
	c->pos += (size_t)n;
	return v;
}

/* Returns a pointer to the next n bytes and advances, or NULL (and err) if short. */
static inline const unsigned char *cursor_bytes(struct cursor *c, size_t n)
{
	const unsigned char *p;
	if (!cursor_need(c, n))
		return NULL;
	p = c->buf + c->pos;
	c->pos += n;
	return p;
}

#endif
