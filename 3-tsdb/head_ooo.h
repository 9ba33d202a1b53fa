/*
 * Internal to 3-tsdb/head_reader.c: the out-of-order part of a 3.x head
 * (tsdb/head_wal.go loadWBL, tsdb/ooo_head.go at v3.14.0).  Not a public
 * interface: struct tsdb_head's ooo member is what readers see.
 */
#ifndef TSDB_HEAD_OOO_H
#define TSDB_HEAD_OOO_H

#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "3-tsdb/head_reader.h"

/* An m-mapped chunk of chunks_head/ flagged out-of-order (encoding bit 7). */
struct head_ooo_chunk {
	uint64_t ref;  /* series */
	uint64_t pos;  /* ChunkDiskMapperRef: file number << 32 | offset */
	struct tsdb_head_chunk c; /* encoding without the flag */
};

/*
 * Builds h->ooo (h loaded, series sorted and indexed) from the OOO chunks
 * and the wbl/ segments of dir: samples inserted in time order (a second
 * sample at a timestamp dropped, as OOOChunk.Insert), an m-map marker for
 * a chunk at or before last_pos drops the samples replayed so far for its
 * series (they are in that chunk).  Samples before min_valid are dropped.
 * No wbl/ and no chunks leaves h->ooo NULL.
 */
int head_load_ooo(struct tsdb_head *h, const char *dir, struct head_ooo_chunk *chunks, size_t n, uint64_t last_pos,
		  int64_t min_valid, struct err *e);
/* Lists the numerically named entries of dir in numeric order (head_reader.c). */
int head_list_numbered(const char *dir, char ***out, size_t *n, struct err *e);

#endif
