/*
 * XOR2 chunk decoding, as tsdb/chunkenc/xor2.go's xor2Iterator at v3.14.0
 * reads what its xor2Appender writes.
 *
 *     num_samples <uint16> | st_header <1 byte> | stream
 *
 * st_header: bit 7 set when sample 0 has a start timestamp (ST), bits 0-6
 * the index of the first sample whose ST changes (0: none).  The stream:
 *
 *   sample 0   t <varint> | v <64 bits> | [t - st <varint>]
 *   sample 1   t delta <uvarint> | value (below, "dod != 0" form)
 *              | [ST delta <varbit int> if st_change == 1]
 *   sample n   joint control, then:
 *                0      dod 0, value unchanged
 *                10     dod 0, value changed: 0 = reuse the window + bits,
 *                       1 = new window (5 bits leading, 6 bits length, bits)
 *                110    13-bit signed dod, then a value
 *                1110   20-bit signed dod, then a value
 *                11110  64-bit dod, then a value
 *                11111  dod 0, stale NaN
 *              where a value is 0 (unchanged), 10 (reuse the window + bits),
 *              110 (new window), 111 (stale NaN); then, from sample
 *              st_change on (when not 0), an ST delta as a varbit int
 *              (tsdb/chunkenc/varbit.go: 0 | 10+3 | 110+6 | 1110+9 |
 *              11110+12 | 111110+18 | 1111110+25 | 11111110+56 |
 *              11111111+64 bits).
 *
 * The XOR is against the last value that was not a stale marker.  Start
 * timestamps are read past, not kept: promtool's readers use t and v only.
 *
 * Worked example (samples 1000 -> 1.0, 2000 -> 1.0, 3000 -> 2.0, no ST):
 *     00 03 00 | d0 0f | 3f f0 00 00 00 00 00 00 | e8 07 | 50 97 ff c0
 * varint 1000 = d0 0f, 1.0, uvarint delta 1000 = e8 07, then "0" (value
 * unchanged: sample 1's dod != 0 form), then "10" (dod 0, value changed),
 * "1" (new window) 00001 (leading 1) 001011 (11 significant bits)
 * 11111111111 (2.0 XOR 1.0 = 0x7ff << 52), padded with zeros.
 */
#include "3-tsdb/chunkenc_xor2.h"

#include <string.h>

#include "1-common/bytes.h"

#define STALE_NAN_BITS 0x7ff0000000000002ULL

void xor2_iter_init(struct xor2_iter *it, const unsigned char *chunk, size_t len)
{
	memset(it, 0, sizeof(*it));
	if (len < 3) {
		it->err = len != 0;
		return;
	}
	it->total = get_be16(chunk);
	it->st_first = (chunk[2] & 0x80) != 0;
	it->st_change = chunk[2] & 0x7f;
	it->p = chunk + 3;
	it->len = len - 3;
}

/* n (1..64) bits into *out, most significant first. */
static bool read_bits(struct xor2_iter *it, unsigned n, uint64_t *out)
{
	uint64_t x = 0;

	if (it->bitpos + n > (uint64_t)it->len * 8) {
		it->err = true;
		return false;
	}
	while (n) {
		size_t byte = (size_t)(it->bitpos >> 3);
		unsigned off = (unsigned)(it->bitpos & 7), take = 8 - off;
		unsigned b;

		if (take > n)
			take = n;
		b = ((unsigned)it->p[byte] >> (8 - off - take)) & ((1u << take) - 1);
		x = (x << take) | b;
		it->bitpos += take;
		n -= take;
	}
	*out = x;
	return true;
}

static bool read_bit(struct xor2_iter *it, bool *out)
{
	uint64_t b;

	if (!read_bits(it, 1, &b))
		return false;
	*out = b != 0;
	return true;
}

/* binary.ReadUvarint over the bit stream (bstreamReader.readByte). */
static bool read_uvarint(struct xor2_iter *it, uint64_t *out)
{
	uint64_t x = 0, b;

	for (unsigned i = 0, s = 0; i < 10; i++, s += 7) {
		if (!read_bits(it, 8, &b))
			return false;
		if (b < 0x80) {
			if (i == 9 && b > 1)
				break;
			*out = x | b << s;
			return true;
		}
		x |= (b & 0x7f) << s;
	}
	it->err = true;
	return false;
}

static bool read_varint(struct xor2_iter *it, int64_t *out)
{
	uint64_t u;

	if (!read_uvarint(it, &u))
		return false;
	*out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return true;
}

/* varbit.go readVarbitInt. */
static bool read_varbit_int(struct xor2_iter *it, int64_t *out)
{
	static const unsigned sizes[] = { 0, 3, 6, 9, 12, 18, 25, 56 };
	unsigned ones = 0;
	uint64_t bits;
	bool bit;

	while (ones < 8) {
		if (!read_bit(it, &bit))
			return false;
		if (!bit)
			break;
		ones++;
	}
	if (ones == 8) {
		if (!read_bits(it, 64, &bits))
			return false;
		*out = (int64_t)bits;
		return true;
	}
	if (!ones) {
		*out = 0;
		return true;
	}
	if (!read_bits(it, sizes[ones], &bits))
		return false;
	if (bits > (1ULL << (sizes[ones] - 1)))
		bits -= 1ULL << sizes[ones];
	*out = (int64_t)bits;
	return true;
}

/* The window's bits XORed into the baseline, which becomes the value. */
static bool xor_window(struct xor2_iter *it)
{
	uint64_t bits;
	unsigned sz = 64 - it->leading - it->trailing;

	if (!read_bits(it, sz, &bits))
		return false;
	it->v = it->baseline ^ (bits << it->trailing);
	it->baseline = it->v;
	return true;
}

/* decodeNewLeadingTrailing: 5 bits leading, 6 bits length (0 = 64), bits. */
static bool new_window(struct xor2_iter *it)
{
	uint64_t lead, sig;

	if (!read_bits(it, 5, &lead) || !read_bits(it, 6, &sig))
		return false;
	if (!sig)
		sig = 64;
	if (lead + sig > 64) {
		it->err = true;
		return false;
	}
	it->leading = (uint8_t)lead;
	it->trailing = (uint8_t)(64 - lead - sig);
	return xor_window(it);
}

/* decodeValue: 0 unchanged, 10 reuse, 110 new window, 111 stale NaN. */
static bool value(struct xor2_iter *it)
{
	bool b;

	if (!read_bit(it, &b))
		return false;
	if (!b) {
		it->v = it->baseline;
		return true;
	}
	if (!read_bit(it, &b))
		return false;
	if (!b)
		return xor_window(it);
	if (!read_bit(it, &b))
		return false;
	if (!b)
		return new_window(it);
	it->v = STALE_NAN_BITS;
	return true;
}

/* readDod: a w-bit signed delta of the timestamp delta. */
static bool dod(struct xor2_iter *it, unsigned w)
{
	uint64_t b;

	if (!read_bits(it, w, &b))
		return false;
	if (w < 64 && b >= 1ULL << (w - 1))
		b -= 1ULL << w;
	it->tdelta += b;
	it->t += (int64_t)it->tdelta;
	return true;
}

bool xor2_iter_next(struct xor2_iter *it)
{
	uint16_t n = it->read;
	int64_t st;

	if (it->err || it->read >= it->total)
		return false;
	if (n == 0) {
		if (!read_varint(it, &it->t) || !read_bits(it, 64, &it->v))
			return false;
		if (it->v != STALE_NAN_BITS)
			it->baseline = it->v;
		if (it->st_first && !read_varint(it, &st))
			return false;
	} else if (n == 1) {
		if (!read_uvarint(it, &it->tdelta))
			return false;
		it->t += (int64_t)it->tdelta;
		if (!value(it))
			return false;
		if (it->st_change == 1 && !read_varbit_int(it, &st))
			return false;
	} else {
		unsigned ones = 0;
		bool b = true;

		while (ones < 5 && b) {
			if (!read_bit(it, &b))
				return false;
			ones += b;
		}
		switch (ones) {
		case 0: /* dod 0, value unchanged */
			it->t += (int64_t)it->tdelta;
			it->v = it->baseline;
			break;
		case 1: /* dod 0, value changed */
			it->t += (int64_t)it->tdelta;
			if (!read_bit(it, &b) || !(b ? new_window(it) : xor_window(it)))
				return false;
			break;
		case 2:
		case 3:
		case 4:
			if (!dod(it, ones == 2 ? 13 : ones == 3 ? 20 : 64) || !value(it))
				return false;
			break;
		default: /* 11111: dod 0, stale NaN */
			it->t += (int64_t)it->tdelta;
			it->v = STALE_NAN_BITS;
			break;
		}
		if (it->st_change && n >= it->st_change && !read_varbit_int(it, &st))
			return false;
	}
	it->read++;
	return true;
}
