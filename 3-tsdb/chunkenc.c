/*
 * XOR chunk encoding -- tsdb/docs/format/chunks.md, "XOR chunk data".
 *
 * Layout of a chunk's bytes (what the segment file stores after the
 * encoding byte):
 *
 *     ┌──────────────────────┬───────────────┬───────────────┬──────────────────────┬──────────────────────┬─────┐
 *     │ num_samples <uint16> │ ts_0 <varint> │ v_0 <float64> │ ts_delta_1 <uvarint> │ v_xor_1 <varbits>    │ ... │
 *     └──────────────────────┴───────────────┴───────────────┴──────────────────────┴──────────────────────┴─────┘
 *
 * then for n >= 2 a delta-of-delta timestamp (0 | 10+14 bits | 110+17 |
 * 1110+20 | 1111+64) and an XOR value (0: same; 10: reuse the previous
 * leading/trailing window; 11 + 5 bits leading + 6 bits length + bits).
 *
 * The bit writer reproduces 2.42's bstream quirk: writing a whole byte at a
 * byte-aligned position also appends a fresh zero byte that stays at the
 * end if nothing follows, so every chunk whose last write was byte-aligned
 * ends in 0x00 -- always the case for a one-sample chunk.  3.x dropped this;
 * 2.42's output has it, so ours does.
 *
 * Worked example: one sample t=1030000 (varint e0 dd 7d), v=3.0:
 *     00 01 | e0 dd 7d | 40 08 00 00 00 00 00 00 | 00
 * (14 bytes; the last 00 is the quirk).  Two samples 1000000 -> 1.0,
 * 1015500 -> 2.0:
 *     00 02 80 89 7a 3f f0 00 00 00 00 00 00 8c 79 c2 5f ff
 * (varint 1000000, float 1.0, uvarint delta 15500, then "11" + leading 1 +
 * sigbits 1 + bit, padded).
 */
#include "3-tsdb/chunkenc.h"

#include <string.h>

#include "1-common/bytes.h"
#include "1-common/xalloc.h"

/*
 * The chunk's buffer keeps every byte from len to cap zero, so bits are
 * ORed in whole 64-bit words without reading or clearing first; SLACK bytes
 * past len are always allocated for that.
 */
#define SLACK 16

static void chunk_grow(struct xor_chunk *c, size_t n)
{
	size_t need = c->b.len + n + SLACK, cap = c->b.cap ? c->b.cap : 64;

	/* by a quarter: a head holds one open chunk per series, most of
	 * them a few hundred bytes, so slack adds up */
	while (cap < need)
		cap += (cap / 4 + 31) & ~(size_t)31;
	c->b.data = xrealloc(c->b.data, cap);
	memset(c->b.data + c->b.cap, 0, cap - c->b.cap);
	c->b.cap = cap;
}

static inline void chunk_reserve(struct xor_chunk *c, size_t n)
{
	if (c->b.len + n + SLACK > c->b.cap)
		chunk_grow(c, n);
}

void xor_chunk_init(struct xor_chunk *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->b);
	xor_chunk_reset(c);
}

void xor_chunk_reset(struct xor_chunk *c)
{
	if (c->b.data)
		memset(c->b.data, 0, c->b.len);
	c->b.len = 0;
	chunk_reserve(c, 2);
	c->b.len = 2; /* the sample count, zero so far */
	c->count = 0;
	c->num = 0;
	c->t = 0;
	c->v = 0;
	c->tdelta = 0;
	c->leading = 0xff;
	c->trailing = 0;
}

void xor_chunk_release(struct xor_chunk *c)
{
	buf_release(&c->b);
}

/*
 * The low nbits (1..64) of u, most significant first, after the last bit
 * written: plain bit packing.  count is bstream's count, the free bits of
 * the last byte (8 for the quirk's empty byte, which this fills first).
 */
static inline void put_bits(struct xor_chunk *c, uint64_t u, int nbits)
{
	size_t pos, q;
	unsigned r, span;
	unsigned char *p;

	chunk_reserve(c, 9);
	if (nbits < 64)
		u &= ((uint64_t)1 << nbits) - 1;
	pos = c->b.len * 8 - c->count;
	q = pos >> 3;
	r = (unsigned)(pos & 7);
	p = c->b.data + q;
	span = r + (unsigned)nbits;
	if (span <= 64) {
		put_be64(p, get_be64(p) | u << (64 - span));
	} else {
		/* more than 57 bits at an odd offset: the last span-64 bits
		 * go into the ninth byte */
		put_be64(p, get_be64(p) | u >> (span - 64));
		p[8] |= (unsigned char)(u << (72 - span));
	}
	pos += (size_t)nbits;
	c->b.len = (pos + 7) >> 3;
	c->count = (uint8_t)(c->b.len * 8 - pos);
}

/*
 * bstream.writeBits: what 2.42's writeByte/writeBit sequence gives.  The
 * bits are those of plain packing; the one difference is the quirk
 * described above -- a write of whole bytes (its last primitive a
 * writeByte) that ends byte-aligned leaves one more, empty, byte behind.
 */
static void write_bits(struct xor_chunk *c, uint64_t u, int nbits)
{
	if (nbits <= 0)
		return;
	put_bits(c, u, nbits);
	if ((nbits & 7) == 0 && c->count == 0) {
		c->b.len++; /* already zero, and so is the byte after it */
		c->count = 8;
	}
}

/* bstream.writeBit: the hot path, one bit never leaves the quirk byte. */
static inline void write_bit(struct xor_chunk *c, int bit)
{
	if (c->count == 0) {
		chunk_reserve(c, 1);
		c->b.len++;
		c->count = 8;
	}
	if (bit)
		c->b.data[c->b.len - 1] |= (unsigned char)(1u << (c->count - 1));
	c->count--;
}

static inline void write_byte(struct xor_chunk *c, unsigned char byt)
{
	write_bits(c, byt, 8);
}

/* bitRange of xor.go: -(2^(n-1)-1) <= x <= 2^(n-1). */
static inline int bit_range(int64_t x, int nbits)
{
	int64_t lim = (int64_t)1 << (nbits - 1);
	return -(lim - 1) <= x && x <= lim;
}

/*
 * The value part.  Control bits and the bits after them go out in one
 * write where the bits after them are not a whole number of bytes (so no
 * quirk byte could have come between); otherwise the control bits first.
 */
static void write_vdelta(struct xor_chunk *c, uint64_t vbits)
{
	uint64_t delta = vbits ^ c->v;
	uint8_t lead, trail;
	int sig;

	if (delta == 0) {
		write_bit(c, 0);
		return;
	}
	lead = (uint8_t)__builtin_clzll(delta);
	trail = (uint8_t)__builtin_ctzll(delta);
	if (lead >= 32)
		lead = 31;
	if (c->leading != 0xff && lead >= c->leading && trail >= c->trailing) {
		/* '10', then the bits in the previous window */
		sig = 64 - c->leading - c->trailing;
		if (sig <= 62) {
			uint64_t x = delta >> c->trailing;
			put_bits(c, (uint64_t)0x2 << sig | x, sig + 2);
			if ((sig & 7) == 0 && c->count == 0) {
				c->b.len++;
				c->count = 8;
			}
		} else {
			put_bits(c, 0x2, 2);
			write_bits(c, delta >> c->trailing, sig);
		}
		return;
	}
	c->leading = lead;
	c->trailing = trail;
	sig = 64 - lead - trail;
	/* '11', 5 bits of leading zeros, 6 of significant bits (64 as 0) */
	put_bits(c, (uint64_t)0x3 << 11 | (uint64_t)lead << 6 | (uint64_t)(sig & 63), 13);
	write_bits(c, delta >> trail, sig);
}

void xor_chunk_append(struct xor_chunk *c, int64_t t, double v)
{
	unsigned char tmp[UVARINT_MAX_LEN];
	uint64_t vbits = double_bits(v);
	uint64_t tdelta = 0;
	size_t n;

	if (c->num == 0) {
		n = put_varint(tmp, t);
		for (size_t i = 0; i < n; i++)
			write_byte(c, tmp[i]);
		write_bits(c, vbits, 64);
	} else if (c->num == 1) {
		tdelta = (uint64_t)t - (uint64_t)c->t;
		n = put_uvarint(tmp, tdelta);
		for (size_t i = 0; i < n; i++)
			write_byte(c, tmp[i]);
		write_vdelta(c, vbits);
	} else {
		int64_t dod;

		tdelta = (uint64_t)t - (uint64_t)c->t;
		dod = (int64_t)(tdelta - c->tdelta);
		if (dod == 0) {
			write_bit(c, 0);
		} else if (bit_range(dod, 14)) {
			/* prefix and value in one write: neither part is whole
			 * bytes, so no quirk byte could come between */
			put_bits(c, (uint64_t)0x2 << 14 | ((uint64_t)dod & 0x3fff), 16);
		} else if (bit_range(dod, 17)) {
			put_bits(c, (uint64_t)0x6 << 17 | ((uint64_t)dod & 0x1ffff), 20);
		} else if (bit_range(dod, 20)) {
			put_bits(c, (uint64_t)0xe << 20 | ((uint64_t)dod & 0xfffff), 24);
		} else {
			write_bits(c, 0xf, 4);
			write_bits(c, (uint64_t)dod, 64);
		}
		write_vdelta(c, vbits);
	}
	c->t = t;
	c->v = vbits;
	c->num++;
	put_be16(c->b.data, c->num);
	c->tdelta = tdelta;
}

uint16_t xor_chunk_num_samples(const unsigned char *chunk, size_t len)
{
	return len < 2 ? 0 : get_be16(chunk);
}

void xor_iter_init(struct xor_iter *it, const unsigned char *chunk, size_t len)
{
	memset(it, 0, sizeof(*it));
	if (len < 2) {
		it->err = true;
		return;
	}
	it->total = get_be16(chunk);
	it->p = chunk + 2;
	it->len = len - 2;
}

/*
 * The next 64 bits of the stream from bitpos, left-aligned; bits past the
 * end read as 0 (callers check the count they consume against what is
 * left).  Whole 64-bit loads while 9 bytes remain, byte by byte near the
 * end, so nothing past the chunk is ever read.
 */
static inline uint64_t peek_bits(const struct xor_iter *it)
{
	size_t byte = it->bitpos >> 3;
	unsigned r = (unsigned)(it->bitpos & 7);
	uint64_t w;

	if (byte + 9 <= it->len) {
		w = get_be64(it->p + byte) << r;
		if (r)
			w |= (uint64_t)it->p[byte + 8] >> (8 - r);
		return w;
	}
	w = 0;
	for (unsigned k = 0; k < 9; k++) {
		uint64_t b = byte + k < it->len ? it->p[byte + k] : 0;
		int sh = 56 - 8 * (int)k + (int)r;
		w |= sh >= 0 ? b << sh : b >> -sh;
	}
	return w;
}

static inline uint64_t bits_left(const struct xor_iter *it)
{
	return (uint64_t)it->len * 8 - it->bitpos;
}

static inline bool read_bits(struct xor_iter *it, unsigned nbits, uint64_t *out)
{
	if (nbits > bits_left(it)) {
		it->err = true;
		return false;
	}
	*out = peek_bits(it) >> (64 - nbits);
	it->bitpos += nbits;
	return true;
}

/* binary.ReadUvarint over the bit stream, byte by byte. */
static inline bool read_uvarint(struct xor_iter *it, uint64_t *out)
{
	uint64_t x = 0, b;
	unsigned s = 0;

	for (int i = 0; i < UVARINT_MAX_LEN; i++) {
		if (!read_bits(it, 8, &b))
			return false;
		if (b < 0x80) {
			if (i == UVARINT_MAX_LEN - 1 && b > 1)
				break;
			*out = x | b << s;
			return true;
		}
		x |= (b & 0x7f) << s;
		s += 7;
	}
	it->err = true;
	return false;
}

/* The value part (write_vdelta's layout), decoded from one peek where it
 * fits: control bits and window take at most 13 bits. */
static inline __attribute__((always_inline)) bool read_value(struct xor_iter *it)
{
	uint64_t w = peek_bits(it), left = bits_left(it), bits;
	unsigned mbits, used;

	if (left < 1) {
		it->err = true;
		return false;
	}
	if (!(w >> 63)) {
		it->bitpos += 1;
		goto ok;
	}
	if (left < 2) {
		it->err = true;
		return false;
	}
	if (!(w >> 62 & 1)) {
		mbits = 64u - it->leading - it->trailing;
		used = 2;
	} else {
		if (left < 13) {
			it->err = true;
			return false;
		}
		it->leading = (uint8_t)(w >> 57 & 0x1f);
		mbits = (unsigned)(w >> 51 & 0x3f);
		if (!mbits)
			mbits = 64;
		if (it->leading + mbits > 64) {
			it->err = true;
			return false;
		}
		it->trailing = (uint8_t)(64 - it->leading - mbits);
		used = 13;
	}
	it->bitpos += used;
	if (used + mbits <= 64) {
		if (mbits > left - used) {
			it->err = true;
			return false;
		}
		bits = (w << used) >> (64 - mbits);
		it->bitpos += mbits;
	} else if (!read_bits(it, mbits, &bits)) {
		return false;
	}
	it->v ^= bits << it->trailing;
ok:
	it->read++;
	return true;
}

/* The delta-of-delta prefix at the top of w -- '0', '10', '110', '1110'
 * or '1111' -- as its length and the width of the value after it (0:
 * none), for each decoder below. */
static inline void dod_prefix(uint64_t w, unsigned *plen, unsigned *sz)
{
	if (!(w >> 63))
		*plen = 1, *sz = 0;
	else if (!(w >> 62 & 1))
		*plen = 2, *sz = 14;
	else if (!(w >> 61 & 1))
		*plen = 3, *sz = 17;
	else if (!(w >> 60 & 1))
		*plen = 4, *sz = 20;
	else
		*plen = 4, *sz = 64;
}

/* A 14-, 17- or 20-bit delta of deltas as 2.42 reads it: negative above
 * half the range, not from half on (Go's > in the sign test). */
static inline uint64_t dod_value(uint64_t u, unsigned sz)
{
	return u > ((uint64_t)1 << (sz - 1)) ? u - ((uint64_t)1 << sz) : u;
}

static inline __attribute__((always_inline)) bool next_sample(struct xor_iter *it)
{
	uint64_t u;

	if (it->err || it->read >= it->total)
		return false;
	if (it->read == 0) {
		if (!read_uvarint(it, &u))
			return false;
		it->t = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
		if (!read_bits(it, 64, &it->v))
			return false;
		it->read++;
		return true;
	}
	if (it->read == 1) {
		if (!read_uvarint(it, &it->tdelta))
			return false;
		it->t = (int64_t)((uint64_t)it->t + it->tdelta);
		return read_value(it);
	}
	{
		/* the delta-of-delta prefix: 0, 10, 110, 1110 or 1111, read
		 * bit by bit up to the first 0 as 2.42 does */
		uint64_t w = peek_bits(it), left = bits_left(it);
		unsigned plen, sz;
		int64_t dod = 0;

		dod_prefix(w, &plen, &sz);
		/* a stream ending inside the prefix ends where a 0 would be */
		if (left < plen || (sz && plen + sz > left)) {
			it->err = true;
			return false;
		}
		it->bitpos += plen;
		if (sz == 64) {
			if (!read_bits(it, 64, &u))
				return false;
			dod = (int64_t)u;
		} else if (sz) {
			dod = (int64_t)dod_value((w << plen) >> (64 - sz), sz);
			it->bitpos += sz;
		}
		/* Go's uint64(int64(tDelta) + dod): wraps, never overflows */
		it->tdelta += (uint64_t)dod;
		it->t = (int64_t)((uint64_t)it->t + it->tdelta);
	}
	return read_value(it);
}

bool xor_iter_next(struct xor_iter *it)
{
	return next_sample(it);
}

/*
 * The bit stream for xor_iter_bulk(): up to 64 bits ahead in buf (left-
 * aligned; nb of them are the stream's from bit byte * 8 - nb on, those
 * after are the next bytes' or 0 past the end), refilled 7 or 8 bytes at
 * a time while 8 remain, byte by byte near the end.  The bits it reads,
 * and where it runs out, are read_bits()'s.
 */
struct bitrd {
	const unsigned char *p;
	size_t len, byte;
	uint64_t buf;
	unsigned nb;
};

static inline void br_refill(struct bitrd *r)
{
	if (r->byte + 8 <= r->len) {
		r->buf |= get_be64(r->p + r->byte) >> r->nb;
		r->byte += (63 - r->nb) >> 3;
		r->nb |= 56;
		return;
	}
	while (r->nb <= 56 && r->byte < r->len) {
		r->buf |= (uint64_t)r->p[r->byte++] << (56 - r->nb);
		r->nb += 8;
	}
}

static inline uint64_t br_left(const struct bitrd *r)
{
	return (uint64_t)(r->len - r->byte) * 8 + r->nb;
}

/* k (1..32) bits the caller checked are there. */
static inline uint64_t br_take(struct bitrd *r, unsigned k)
{
	uint64_t x;

	if (r->nb < k)
		br_refill(r);
	x = r->buf >> (64 - k);
	r->buf <<= k;
	r->nb -= k;
	return x;
}

/* k (1..64) bits the caller checked are there. */
static inline uint64_t br_take_wide(struct bitrd *r, unsigned k)
{
	uint64_t hi;

	if (k <= 32)
		return br_take(r, k);
	hi = br_take(r, k - 32);
	return hi << 32 | br_take(r, 32);
}

/* 64 bits of the stream from bit pos on, left-aligned: at least 57 of
 * them are the stream's.  The caller knows 8 bytes are there. */
static inline uint64_t fast_peek(const unsigned char *p, size_t pos)
{
	return get_be64(p + (pos >> 3)) << (pos & 7);
}

/* k (1..64) bits from bit pos on, the caller knowing 16 bytes are there. */
static inline uint64_t fast_bits(const unsigned char *p, size_t pos, unsigned k)
{
	if (k <= 57)
		return fast_peek(p, pos) >> (64 - k);
	return fast_peek(p, pos) >> 32 << (k - 32) | fast_peek(p, pos + 32) >> (64 - (k - 32));
}

/*
 * bulk_rest()'s samples while at least FAST_TAIL bytes of the stream lie
 * ahead, more than one sample can use (4 + 64 bits of timestamp, 13 + 64
 * of value), so no read can run out and none is checked.  Stops early at
 * anything it leaves to bulk_rest(): a malformed value window.  Returns
 * how many samples it read, it updated to after them.
 */
#define FAST_TAIL 40
static size_t bulk_fast(struct xor_iter *it, int64_t *t, double *v, size_t cap)
{
	const unsigned char *p = it->p;
	size_t pos = it->bitpos, n = 0, end;
	int64_t ts = it->t;
	uint64_t val = it->v, tdelta = it->tdelta;
	unsigned leading = it->leading, trailing = it->trailing;
	unsigned left = (unsigned)(it->total - it->read);

	if (it->len < FAST_TAIL)
		return 0;
	end = (it->len - FAST_TAIL) * 8;
	if (left < cap)
		cap = left;
	while (n < cap && pos <= end) {
		uint64_t w = fast_peek(p, pos);
		unsigned mbits, plen, sz;

		dod_prefix(w, &plen, &sz);
		if (sz == 64)
			tdelta += fast_bits(p, pos + 4, 64);
		else if (sz)
			tdelta += dod_value(w << plen >> (64 - sz), sz);
		pos += plen + sz;
		w = fast_peek(p, pos);
		if (!(w >> 63)) {
			pos += 1;
		} else {
			if (!(w >> 62 & 1)) {
				mbits = 64u - leading - trailing;
				if (!mbits || mbits > 64)
					break;
				pos += 2;
			} else {
				unsigned l = (unsigned)(w >> 57 & 0x1f), m = (unsigned)(w >> 51 & 0x3f);
				if (!m)
					m = 64;
				if (l + m > 64)
					break; /* bulk_rest() says what is wrong */
				leading = l;
				mbits = m;
				trailing = 64 - l - m;
				pos += 13;
			}
			val ^= fast_bits(p, pos, mbits) << trailing;
			pos += mbits;
		}
		ts = (int64_t)((uint64_t)ts + tdelta);
		t[n] = ts;
		v[n] = bits_double(val);
		n++;
	}
	it->bitpos = pos;
	it->t = ts;
	it->v = val;
	it->tdelta = tdelta;
	it->leading = (uint8_t)leading;
	it->trailing = (uint8_t)trailing;
	it->read = (uint16_t)(it->read + n);
	return n;
}

/* Samples after the first two, next_sample()'s decoding on a bitrd. */
static size_t bulk_rest(struct xor_iter *it, int64_t *t, double *v, size_t cap)
{
	struct bitrd r = { it->p, it->len, (it->bitpos + 7) >> 3, 0, 0 };
	int64_t ts = it->t;
	uint64_t val = it->v, tdelta = it->tdelta;
	unsigned leading = it->leading, trailing = it->trailing;
	uint16_t read = it->read, total = it->total;
	bool err = false;
	size_t n = 0;

	/* start at bitpos: the partial byte's remaining bits first */
	if (it->bitpos & 7) {
		unsigned used = (unsigned)(it->bitpos & 7);
		r.buf = (uint64_t)(unsigned char)(it->p[r.byte - 1] << used) << 56;
		r.nb = 8 - used;
	}
	while (n < cap && read < total) {
		uint64_t w, left, bits;
		unsigned plen, sz, mbits;

		br_refill(&r);
		w = r.buf;
		left = br_left(&r);
		dod_prefix(w, &plen, &sz);
		if (left < plen || (sz && plen + sz > left)) {
			err = true;
			break;
		}
		(void)br_take(&r, plen);
		if (sz == 64) {
			tdelta += br_take_wide(&r, 64);
		} else if (sz) {
			tdelta += dod_value(br_take(&r, sz), sz);
		}
		ts = (int64_t)((uint64_t)ts + tdelta);
		/* the value, as read_value() */
		br_refill(&r);
		w = r.buf;
		left = br_left(&r);
		if (left < 1) {
			err = true;
			break;
		}
		if (w >> 63) {
			unsigned used;
			if (left < 2) {
				err = true;
				break;
			}
			if (!(w >> 62 & 1)) {
				mbits = 64u - leading - trailing;
				used = 2;
			} else {
				if (left < 13) {
					err = true;
					break;
				}
				leading = (unsigned)(w >> 57 & 0x1f);
				mbits = (unsigned)(w >> 51 & 0x3f);
				if (!mbits)
					mbits = 64;
				if (leading + mbits > 64) {
					err = true;
					break;
				}
				trailing = 64 - leading - mbits;
				used = 13;
			}
			(void)br_take(&r, used);
			if (mbits > left - used) {
				err = true;
				break;
			}
			bits = br_take_wide(&r, mbits);
			val ^= bits << trailing;
		} else {
			(void)br_take(&r, 1);
		}
		read++;
		t[n] = ts;
		v[n] = bits_double(val);
		n++;
	}
	it->bitpos = r.byte * 8 - r.nb;
	it->t = ts;
	it->v = val;
	it->tdelta = tdelta;
	it->leading = (uint8_t)leading;
	it->trailing = (uint8_t)trailing;
	it->read = read;
	it->err = err;
	return n;
}

size_t xor_iter_bulk(struct xor_iter *it, int64_t *t, double *v, size_t cap)
{
	size_t n = 0;

	/* the first two samples start with varints: one at a time */
	while (n < cap && it->read < 2 && !it->err) {
		if (!next_sample(it))
			return n;
		t[n] = it->t;
		v[n] = xor_iter_value(it);
		n++;
	}
	if (n == cap || it->err || it->read >= it->total)
		return n;
	n += bulk_fast(it, t + n, v + n, cap - n);
	if (n == cap || it->read >= it->total)
		return n;
	return n + bulk_rest(it, t + n, v + n, cap - n);
}
