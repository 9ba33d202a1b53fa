/*
 * Reader for one WAL segment file (upstream v2.42.0 tsdb/docs/format/wal.md,
 * tsdb/wlog/reader.go): 32 KiB pages of fragments
 *
 *   type (1: bits 0-2 full=1 first=2 middle=3 last=4, bit 3 snappy, bit 4 zstd (3.x)) |
 *   len (be16) | CRC32C(data) (be32) | data
 *
 * with a zero type byte padding the rest of a page.  Records are returned
 * reassembled and, when flagged, snappy- or zstd-decompressed.
 *
 * struct wal_reader borrows the segment bytes (which must outlive it) and
 * owns its record buffers; wal_reader_release() frees them.  A returned
 * record stays valid until the next call.
 */
#ifndef TSDB_WAL_READER_H
#define TSDB_WAL_READER_H

#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "1-common/err.h"

#define WAL_PAGE_SIZE 32768
#define WAL_RECORD_HEADER_LEN 7

struct wal_reader {
	const unsigned char *data;
	size_t len, pos;
	const char *path; /* for messages */
	struct buf rec, comp;
	size_t rec_start; /* offset of the current record's first fragment */
};

void wal_reader_init(struct wal_reader *r, const unsigned char *data, size_t len, const char *path);
void wal_reader_release(struct wal_reader *r);
/* The next record: 1 with *out and *len set, 0 at a clean end, -1 on corruption
 * (message names the segment and offset). */
int wal_reader_next(struct wal_reader *r, const unsigned char **out, size_t *len, struct err *e);

#endif
