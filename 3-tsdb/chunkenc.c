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

void xor_chunk_init(struct xor_chunk *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->b);
	xor_chunk_reset(c);
}

void xor_chunk_reset(struct xor_chunk *c)
{
	buf_reset(&c->b);
	buf_addc(&c->b, 0);
	buf_addc(&c->b, 0);
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
 * bstream.writeBits, several bits at a time.  Byte for byte what 2.42's
 * writeBit/writeByte sequence produces: whenever a write starts on a full
 * last byte a fresh zero byte is appended first, and a write of whole bytes
 * that ends byte-aligned (its last primitive being writeByte) leaves one
 * more empty byte behind -- the quirk described above.
 */
static void write_bits(struct xor_chunk *c, uint64_t u, int nbits)
{
	const int whole_bytes = nbits >= 8 && nbits % 8 == 0;

	if (nbits <= 0)
		return;
	if (nbits < 64)
		u &= ((uint64_t)1 << nbits) - 1;
	if (c->b.len + (size_t)nbits / 8 + 3 > c->b.cap)
		buf_grow(&c->b, (size_t)nbits / 8 + 3);
	if (c->count == 0) {
		c->b.data[c->b.len++] = 0;
		c->count = 8;
	}
	while (nbits > 0) {
		int take = nbits < c->count ? nbits : c->count;
		uint64_t bits = (u >> (nbits - take)) & (((uint64_t)1 << take) - 1);

		c->b.data[c->b.len - 1] |= (unsigned char)(bits << (c->count - take));
		c->count = (uint8_t)(c->count - take);
		nbits -= take;
		if (nbits > 0) {
			c->b.data[c->b.len++] = 0;
			c->count = 8;
		}
	}
	if (c->count == 0 && whole_bytes) {
		c->b.data[c->b.len++] = 0;
		c->count = 8;
	}
	c->b.data[c->b.len] = 0; /* keep struct buf's NUL terminator */
}

/* bstream.writeBit: the hot path, one bit never leaves the quirk byte. */
static inline void write_bit(struct xor_chunk *c, int bit)
{
	if (c->count == 0) {
		if (c->b.len + 2 > c->b.cap)
			buf_grow(&c->b, 2);
		c->b.data[c->b.len++] = 0;
		c->b.data[c->b.len] = 0;
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

static void write_vdelta(struct xor_chunk *c, uint64_t vbits)
{
	uint64_t delta = vbits ^ c->v;
	uint8_t lead, trail, sig;

	if (delta == 0) {
		write_bit(c, 0);
		return;
	}
	write_bit(c, 1);
	lead = (uint8_t)__builtin_clzll(delta);
	trail = (uint8_t)__builtin_ctzll(delta);
	if (lead >= 32)
		lead = 31;
	if (c->leading != 0xff && lead >= c->leading && trail >= c->trailing) {
		write_bit(c, 0);
		write_bits(c, delta >> c->trailing, 64 - c->leading - c->trailing);
		return;
	}
	c->leading = lead;
	c->trailing = trail;
	write_bit(c, 1);
	write_bits(c, lead, 5);
	sig = (uint8_t)(64 - lead - trail);
	write_bits(c, sig, 6); /* 64 is written as 0 */
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
			write_bits(c, 0x2, 2);
			write_bits(c, (uint64_t)dod, 14);
		} else if (bit_range(dod, 17)) {
			write_bits(c, 0x6, 3);
			write_bits(c, (uint64_t)dod, 17);
		} else if (bit_range(dod, 20)) {
			write_bits(c, 0xe, 4);
			write_bits(c, (uint64_t)dod, 20);
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

static inline bool read_bits(struct xor_iter *it, unsigned nbits, uint64_t *out)
{
	uint64_t v = 0;

	if (it->bitpos + nbits > (uint64_t)it->len * 8) {
		it->err = true;
		return false;
	}
	for (unsigned i = 0; i < nbits; i++, it->bitpos++) {
		unsigned bit = (it->p[it->bitpos >> 3] >> (7 - (it->bitpos & 7))) & 1;
		v = (v << 1) | bit;
	}
	*out = v;
	return true;
}

/* binary.ReadUvarint over the bit stream, byte by byte. */
static bool read_uvarint(struct xor_iter *it, uint64_t *out)
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

static bool read_value(struct xor_iter *it)
{
	uint64_t bit, bits;
	unsigned mbits;

	if (!read_bits(it, 1, &bit))
		return false;
	if (bit == 0)
		goto ok;
	if (!read_bits(it, 1, &bit))
		return false;
	if (bit == 0) {
		mbits = 64u - it->leading - it->trailing;
	} else {
		if (!read_bits(it, 5, &bits))
			return false;
		it->leading = (uint8_t)bits;
		if (!read_bits(it, 6, &bits))
			return false;
		mbits = bits ? (unsigned)bits : 64;
		if (it->leading + mbits > 64) {
			it->err = true;
			return false;
		}
		it->trailing = (uint8_t)(64 - it->leading - mbits);
	}
	if (!read_bits(it, mbits, &bits))
		return false;
	it->v ^= bits << it->trailing;
ok:
	it->read++;
	return true;
}

bool xor_iter_next(struct xor_iter *it)
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
		unsigned d = 0, sz = 0;
		int64_t dod = 0;

		for (int i = 0; i < 4; i++) {
			d <<= 1;
			if (!read_bits(it, 1, &u))
				return false;
			if (u == 0)
				break;
			d |= 1;
		}
		switch (d) {
		case 0x0: break;
		case 0x2: sz = 14; break;
		case 0x6: sz = 17; break;
		case 0xe: sz = 20; break;
		case 0xf:
			if (!read_bits(it, 64, &u))
				return false;
			dod = (int64_t)u;
			break;
		}
		if (sz) {
			if (!read_bits(it, sz, &u))
				return false;
			if (u > ((uint64_t)1 << (sz - 1)))
				u -= (uint64_t)1 << sz;
			dod = (int64_t)u;
		}
		/* Go's uint64(int64(tDelta) + dod): wraps, never overflows */
		it->tdelta += (uint64_t)dod;
		it->t = (int64_t)((uint64_t)it->t + it->tdelta);
	}
	return read_value(it);
}
