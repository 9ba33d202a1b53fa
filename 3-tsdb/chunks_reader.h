/*
 * Reader for a block's chunk segments (upstream v2.42.0:
 * tsdb/docs/format/chunks.md).  Samples are decoded with 3-tsdb/chunkenc.h.
 *
 * Segments are memory-mapped; struct chunks_reader owns the mappings and
 * chunks_reader_release() unmaps them.  Chunk bytes handed out point into a
 * mapping and live until then.
 */
#ifndef TSDB_CHUNKS_READER_H
#define TSDB_CHUNKS_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "1-common/mmapfile.h"
#include "3-tsdb/chunkenc.h"

#define CHUNKS_MAGIC 0x85BD40DDu
#define CHUNKS_HEADER_LEN 8

/* Encodings besides XOR (3-tsdb/chunkenc.h) that 2.42 knows. */
#define CHUNK_ENC_HISTOGRAM 2
#define CHUNK_ENC_FLOAT_HISTOGRAM 3

struct chunk_data {
	uint8_t encoding;
	const unsigned char *data;
	size_t len;
};

struct chunks_reader {
	struct mmap_file *segs;
	char **paths;
	size_t nsegs;
	bool external; /* segs[0] wraps caller memory (fuzzing) */
};

void chunks_reader_init(struct chunks_reader *r);
/* Maps every numerically named file of dir in name order, checking magic
 * and version as 2.42's chunks.NewDirReader does. */
int chunks_reader_open(struct chunks_reader *r, const char *dir, struct err *e);
/* One segment over caller-owned bytes that must outlive the reader. */
int chunks_reader_open_mem(struct chunks_reader *r, const void *data, size_t len, struct err *e);
void chunks_reader_release(struct chunks_reader *r);
/* Locates the chunk at ref (segment index << 32 | offset) and checks its
 * CRC32C, as chunks.Reader.Chunk does. */
int chunks_reader_chunk(const struct chunks_reader *r, uint64_t ref, struct chunk_data *out, struct err *e);
/* mmap_file_drop_pages() of every segment: for readers done with a
 * stretch of chunks (their bytes stay valid). */
void chunks_reader_drop_pages(const struct chunks_reader *r);
/* Total bytes of all segments. */
uint64_t chunks_reader_size(const struct chunks_reader *r);

#endif
