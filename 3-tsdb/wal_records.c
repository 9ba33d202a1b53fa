/*
 * WAL records of 2.43-3.14 for a float reader (3-tsdb/wal_records.h),
 * following tsdb/record/record.go at v3.14.0 (the decoders named below).
 *
 * Histogram encoding (DecodeHistogram / DecodeFloatHistogram):
 *     counter reset hint <1b> | schema <varint> | zero threshold <8b float>
 *     | zero count | count  (<uvarint> integer, <8b float> float histograms)
 *     | sum <8b float>
 *     | #positive spans <uvarint> | (offset <varint>, length <uvarint>)...
 *     | #negative spans <uvarint> | (offset <varint>, length <uvarint>)...
 *     | #positive buckets <uvarint> | deltas <varint>... (floats <8b>...)
 *     | #negative buckets <uvarint> | ...
 *     | schema -53 (custom buckets) only: #custom values <uvarint> | <8b>...
 * V1 sample records: base ref <8b> | base t <8b> | (dref <varint> | dt
 * <varint> | histogram)...; V2 (types 12, 13): first ref, t, st <varint>
 * then its histogram; later ones dref (to the previous) <varint> | dt (to
 * the first) <varint> | ST marker <1b: 0 none, 1 same, 2 explicit + varint>
 * | histogram.
 *
 * Example (type 7, one sample): 07 | 00..05 (ref 5) | 00..64 (t 100) | 00
 * 00 | 00 | 00 | 00 00 00 00 00 00 00 00 | 00 | 01 | 40 00 00 00 00 00 00
 * 00 (sum 2.0) | 00 | 00 | 00 | 00: ref 5 at t 100.
 */
#include "3-tsdb/wal_records.h"

#include <stdbool.h>

#define CUSTOM_BUCKETS_SCHEMA (-53)

/* Skips n entries of size at least min bytes each, checking the count
 * against what is left so a corrupt count cannot spin for long. */
static bool sane_count(struct cursor *c, uint64_t n, size_t min)
{
	if (c->err || n > cursor_left(c) / min) {
		c->err = true;
		return false;
	}
	return true;
}

static void skip_spans(struct cursor *c)
{
	uint64_t n = cursor_uvarint(c);

	if (!sane_count(c, n, 2))
		return;
	for (uint64_t i = 0; i < n && !c->err; i++) {
		cursor_varint(c);
		cursor_uvarint(c);
	}
}

static void skip_buckets(struct cursor *c, bool floats)
{
	uint64_t n = cursor_uvarint(c);

	if (!sane_count(c, n, floats ? 8 : 1))
		return;
	for (uint64_t i = 0; i < n && !c->err; i++) {
		if (floats)
			cursor_be64(c);
		else
			cursor_varint(c);
	}
}

/* DecodeHistogram / DecodeFloatHistogram, contents dropped. */
static void skip_histogram(struct cursor *c, bool floats)
{
	int64_t schema;

	cursor_u8(c);
	schema = cursor_varint(c);
	cursor_be64(c);
	if (floats) {
		cursor_be64(c);
		cursor_be64(c);
	} else {
		cursor_uvarint(c);
		cursor_uvarint(c);
	}
	cursor_be64(c);
	skip_spans(c);
	skip_spans(c);
	skip_buckets(c, floats);
	skip_buckets(c, floats);
	if (schema == CUSTOM_BUCKETS_SCHEMA)
		skip_buckets(c, true);
}

/* readSTMarker: the value is not needed, only its bytes. */
static void skip_st_marker(struct cursor *c)
{
	uint8_t m = cursor_u8(c);

	if (m > 1)
		cursor_varint(c);
}

int wal_decode_samples_v2(struct cursor *c, wal_float_fn fn, void *arg, struct err *e)
{
	int64_t ref = 0, first_t = 0;
	size_t count = 0;

	while (cursor_left(c) > 0) {
		int64_t t;
		uint64_t vbits;

		if (count == 0) {
			ref = cursor_varint(c);
			first_t = cursor_varint(c);
			t = first_t;
			cursor_varint(c); /* st */
		} else {
			ref = (int64_t)((uint64_t)ref + (uint64_t)cursor_varint(c));
			t = (int64_t)((uint64_t)first_t + (uint64_t)cursor_varint(c));
			skip_st_marker(c);
		}
		vbits = cursor_be64(c);
		if (c->err)
			return err_set(e, "decode samples: decode error after %zu samples: invalid size", count);
		count++;
		fn(arg, (uint64_t)ref, t, vbits);
	}
	return 0;
}

int wal_decode_histograms(int type, struct cursor *c, wal_hist_fn fn, void *arg, struct err *e)
{
	bool floats = type == WAL_REC_FLOAT_HISTOGRAMS || type == WAL_REC_CB_FLOAT_HISTOGRAMS ||
		      type == WAL_REC_FLOAT_HISTOGRAMS_V2;
	bool v2 = type == WAL_REC_HISTOGRAMS_V2 || type == WAL_REC_FLOAT_HISTOGRAMS_V2;
	uint64_t base_ref = 0;
	int64_t base_t = 0, ref = 0;
	size_t count = 0;

	if (!cursor_left(c))
		return 0;
	if (v2) {
		ref = cursor_varint(c);
		base_t = cursor_varint(c);
		cursor_varint(c); /* first st */
	} else {
		base_ref = cursor_be64(c);
		base_t = (int64_t)cursor_be64(c);
	}
	while (cursor_left(c) > 0) {
		int64_t t;

		if (v2 && count == 0) {
			t = base_t;
		} else if (v2) {
			ref = (int64_t)((uint64_t)ref + (uint64_t)cursor_varint(c));
			t = (int64_t)((uint64_t)base_t + (uint64_t)cursor_varint(c));
			skip_st_marker(c);
		} else {
			ref = (int64_t)(base_ref + (uint64_t)cursor_varint(c));
			t = (int64_t)((uint64_t)base_t + (uint64_t)cursor_varint(c));
		}
		skip_histogram(c, floats);
		if (c->err)
			return err_set(e, "decode histograms: decode error after %zu histograms: invalid size", count);
		count++;
		fn(arg, (uint64_t)ref, t);
	}
	if (c->err)
		return err_set(e, "decode histograms: invalid size");
	return 0;
}

/* A uvarint-prefixed string. */
static void skip_str(struct cursor *c)
{
	uint64_t n = cursor_uvarint(c);

	if (!c->err && n > cursor_left(c))
		c->err = true;
	else
		cursor_bytes(c, (size_t)n);
}

int wal_check_record(int type, struct cursor *c, struct err *e)
{
	const char *what = type == WAL_REC_EXEMPLARS ? "exemplars" : type == WAL_REC_METADATA ? "metadata" : "mmap markers";

	if (type == WAL_REC_EXEMPLARS && cursor_left(c)) {
		cursor_be64(c);
		cursor_be64(c);
	}
	while (cursor_left(c) > 0) {
		uint64_t n;

		switch (type) {
		case WAL_REC_EXEMPLARS: /* dref, dt, value, labels */
			cursor_varint(c);
			cursor_varint(c);
			cursor_be64(c);
			n = cursor_uvarint(c);
			if (!sane_count(c, n, 2))
				break;
			for (uint64_t i = 0; i < 2 * n && !c->err; i++)
				skip_str(c);
			break;
		case WAL_REC_METADATA: /* ref, type, fields */
			cursor_uvarint(c);
			cursor_u8(c);
			n = cursor_uvarint(c);
			if (!sane_count(c, n, 2))
				break;
			for (uint64_t i = 0; i < 2 * n && !c->err; i++)
				skip_str(c);
			break;
		default: /* series ref, chunk disk mapper ref */
			cursor_be64(c);
			cursor_be64(c);
			break;
		}
		if (c->err)
			return err_set(e, "decode %s: invalid size", what);
	}
	if (c->err)
		return err_set(e, "decode %s: invalid size", what);
	return 0;
}
