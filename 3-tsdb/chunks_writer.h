/*
 * Chunk segment files of a persistent block (chunks/000001, ...), written
 * as 2.42's tsdb/chunks.Writer does, including its segment cutting.
 *
 * struct chunks_writer owns its open segment and buffers; chunks_writer_close()
 * finishes and releases them (also on error paths).
 */
#ifndef TSDB_CHUNKS_WRITER_H
#define TSDB_CHUNKS_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "3-tsdb/wio.h"

#define CHUNKS_MAGIC 0x85BD40DDu
#define CHUNKS_FORMAT_V1 1
#define CHUNKS_SEGMENT_HEADER_SIZE 8
#define CHUNKS_DEFAULT_SEGMENT_SIZE (512 * 1024 * 1024)

/* One chunk to write; ref is filled in (segment index << 32 | offset). */
struct chunk_desc {
	const unsigned char *data;
	size_t len;
	uint8_t encoding;
	int64_t mint, maxt;
	uint64_t ref;
};

struct chunks_writer {
	char *dir;              /* NULL: in-memory (one segment, into mem) */
	struct buf *mem;
	struct wio out;
	bool open;
	int nseg;               /* segments cut so far */
	uint64_t n;             /* bytes in the current segment (chunks.Writer.n) */
	int64_t segment_size;
};

/* dir is the block's chunks/ directory, which must exist. */
void chunks_writer_init(struct chunks_writer *w, const char *dir, int64_t segment_size);
/* Writes everything into mem as one segment (for tests). */
void chunks_writer_init_mem(struct chunks_writer *w, struct buf *mem);
/* WriteChunks for one series: fills in refs. */
int chunks_writer_write(struct chunks_writer *w, struct chunk_desc *chks, size_t n, struct err *e);
/* Flushes, fsyncs and closes; releases everything even on failure. */
int chunks_writer_close(struct chunks_writer *w, struct err *e);

#endif
