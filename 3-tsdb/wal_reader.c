/*
 * WAL segment reading (upstream v2.42.0 tsdb/wlog/reader.go Reader.next).
 *
 * Example: a page starting "01 00 03 <crc32c> 02 00 05" holds one full,
 * uncompressed 3-byte record; "0a ..." (type 2 | snappy 8) starts a
 * compressed record continued by type 3/4 fragments, possibly on later
 * pages.  3.x adds bit 4, zstd (tsdb/wlog/wlog.go zstdMask at v3.14.0).  Fragment order is checked as validateRecord does.
 */
#include "3-tsdb/wal_reader.h"

#include <inttypes.h>
#include <snappy-c.h>
#include <stdbool.h>
#include <string.h>
#include <zstd.h>

#include "1-common/bytes.h"
#include "1-common/crc32c.h"

enum { REC_PAGE_TERM = 0, REC_FULL = 1, REC_FIRST = 2, REC_MIDDLE = 3, REC_LAST = 4 };
#define SNAPPY_MASK 0x08
#define ZSTD_MASK 0x10 /* 3.x: --storage.tsdb.wal-compression-type=zstd */
#define TYPE_MASK 0x07

void wal_reader_init(struct wal_reader *r, const unsigned char *data, size_t len, const char *path)
{
	r->data = data;
	r->len = len;
	r->pos = 0;
	r->path = path;
	buf_init(&r->rec);
	buf_init(&r->comp);
	r->rec_start = 0;
}

void wal_reader_release(struct wal_reader *r)
{
	buf_release(&r->rec);
	buf_release(&r->comp);
}

/* The zstd frame(s) in r->comp into r->rec (klauspost's EncodeAll writes
 * one frame, its size not always in the header: decoded as a stream). */
static int unzstd(struct wal_reader *r, struct err *e)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	ZSTD_inBuffer in = { r->comp.data, r->comp.len, 0 };
	int ret = -1;

	buf_reset(&r->rec);
	if (!ds)
		return err_set(e, "%s: record at offset %zu: zstd: out of memory", r->path, r->rec_start);
	ZSTD_initDStream(ds);
	while (in.pos < in.size) {
		ZSTD_outBuffer out;
		size_t rc;

		buf_grow(&r->rec, in.size * 2 + 4096);
		out = (ZSTD_outBuffer){ r->rec.data + r->rec.len, r->rec.cap - r->rec.len - 1, 0 };
		rc = ZSTD_decompressStream(ds, &out, &in);
		if (ZSTD_isError(rc)) {
			err_set(e, "%s: record at offset %zu: zstd: %s", r->path, r->rec_start, ZSTD_getErrorName(rc));
			goto done;
		}
		r->rec.len += out.pos;
		if (rc == 0 && in.pos == in.size)
			break;
		if (out.pos == 0 && in.pos == in.size) {
			err_set(e, "%s: record at offset %zu: zstd: truncated frame", r->path, r->rec_start);
			goto done;
		}
	}
	r->rec.data[r->rec.len] = 0;
	ret = 0;
done:
	ZSTD_freeDStream(ds);
	return ret;
}

int wal_reader_next(struct wal_reader *r, const unsigned char **out, size_t *len, struct err *e)
{
	int i = 0;
	bool compressed = false, zstd = false;

	buf_reset(&r->rec);
	buf_reset(&r->comp);
	for (;;) {
		size_t at = r->pos, k;
		unsigned type;
		uint16_t n;
		uint32_t crc;

		if (r->pos >= r->len) {
			if (i == 0)
				return 0;
			return err_set(e, "%s: record at offset %zu: unexpected end of segment", r->path, r->rec_start);
		}
		type = r->data[r->pos] & TYPE_MASK;
		if (type == REC_PAGE_TERM) {
			/* the rest of the page must be zeros */
			k = WAL_PAGE_SIZE - (r->pos + 1) % WAL_PAGE_SIZE;
			if (k == WAL_PAGE_SIZE)
				k = 0;
			if (k > r->len - r->pos - 1)
				return err_set(e, "%s: offset %zu: read remaining zeros: unexpected EOF", r->path, r->pos);
			for (size_t j = 0; j < 1 + k; j++)
				if (r->data[r->pos + j])
					return err_set(e, "%s: offset %zu: unexpected non-zero byte in padded page", r->path,
						       r->pos + j);
			r->pos += 1 + k;
			continue;
		}
		if (r->len - r->pos < WAL_RECORD_HEADER_LEN)
			return err_set(e, "%s: record at offset %zu: unexpected end of segment in header", r->path, at);
		compressed = (r->data[r->pos] & SNAPPY_MASK) != 0;
		zstd = !compressed && (r->data[r->pos] & ZSTD_MASK) != 0;
		n = get_be16(r->data + r->pos + 1);
		crc = get_be32(r->data + r->pos + 3);
		if (n > WAL_PAGE_SIZE - WAL_RECORD_HEADER_LEN)
			return err_set(e, "%s: record at offset %zu: invalid record size %u", r->path, at, n);
		if (r->len - r->pos - WAL_RECORD_HEADER_LEN < n)
			return err_set(e, "%s: record at offset %zu: invalid size: expected %u, got %zu", r->path, at, n,
				       r->len - r->pos - WAL_RECORD_HEADER_LEN);
		if (crc32c_mismatch(crc32c(r->data + r->pos + WAL_RECORD_HEADER_LEN, n), crc))
			return err_set(e, "%s: record at offset %zu: unexpected checksum %" PRIx32 ", expected %" PRIx32,
				       r->path, at, crc32c(r->data + r->pos + WAL_RECORD_HEADER_LEN, n), crc);
		/* validateRecord: full/first start a record, middle/last continue one */
		if (type > REC_LAST)
			return err_set(e, "%s: record at offset %zu: unexpected record type %u", r->path, at, type);
		if ((type == REC_FULL || type == REC_FIRST) && i != 0)
			return err_set(e, "%s: record at offset %zu: unexpected %s record", r->path, at,
				       type == REC_FULL ? "full" : "first");
		if ((type == REC_MIDDLE || type == REC_LAST) && i == 0)
			return err_set(e, "%s: record at offset %zu: unexpected %s record", r->path, at,
				       type == REC_MIDDLE ? "middle" : "last");
		if (i == 0)
			r->rec_start = at;
		buf_add(compressed || zstd ? &r->comp : &r->rec, r->data + r->pos + WAL_RECORD_HEADER_LEN, n);
		r->pos += WAL_RECORD_HEADER_LEN + n;
		if (type == REC_FULL || type == REC_LAST)
			break;
		i++;
	}
	if (compressed && r->comp.len) {
		size_t ulen;
		/*
		 * A snappy element expands to at most 64 bytes from 2 or more, so
		 * a length claiming over 32 times the input cannot decode: refuse
		 * it before allocating it (Go's Decode allocates, then fails with
		 * the same error; a 20-byte record claimed 4 GB).
		 */
		if (snappy_uncompressed_length((const char *)r->comp.data, r->comp.len, &ulen) != SNAPPY_OK ||
		    ulen / 32 > r->comp.len)
			return err_set(e, "%s: record at offset %zu: snappy: corrupt input", r->path, r->rec_start);
		buf_reset(&r->rec);
		buf_grow(&r->rec, ulen + 1);
		if (snappy_uncompress((const char *)r->comp.data, r->comp.len, (char *)r->rec.data, &ulen) != SNAPPY_OK)
			return err_set(e, "%s: record at offset %zu: snappy: corrupt input", r->path, r->rec_start);
		r->rec.len = ulen;
		r->rec.data[ulen] = 0;
	}
	if (zstd && r->comp.len && unzstd(r, e) < 0)
		return -1;
	*out = r->rec.data;
	*len = r->rec.len;
	return 1;
}
