/*
 * A persisted block opened for reading: meta.json, index, chunk segments
 * and tombstones, as 2.42's tsdb.OpenBlock loads them.
 *
 * struct tsdb_block owns everything it opened; tsdb_block_release() closes
 * it.  Tombstone intervals are owned by the block and returned as views.
 */
#ifndef TSDB_BLOCK_READER_H
#define TSDB_BLOCK_READER_H

#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "3-tsdb/chunks_reader.h"
#include "3-tsdb/index_reader.h"
#include "3-tsdb/meta.h"

#define TOMBSTONES_MAGIC 0x0130BA30u

/* A deleted range [mint, maxt] (both inclusive) of one series. */
struct tsdb_tombstone {
	uint64_t ref;
	int64_t mint, maxt;
};

struct tsdb_block {
	char *dir;
	struct block_meta meta;
	struct index_reader ix;
	struct chunks_reader cr;
	struct tsdb_tombstone *stones; /* sorted by ref, then mint */
	size_t nstones;
};

void tsdb_block_init(struct tsdb_block *b);
int tsdb_block_open(struct tsdb_block *b, const char *dir, struct err *e);
void tsdb_block_release(struct tsdb_block *b);

/*
 * Parses a tombstones file's bytes (magic, version, stones, CRC32C) into a
 * sorted array the caller owns.  path only names the file in messages.
 */
int tsdb_tombstones_decode(const char *path, const unsigned char *data, size_t len, struct tsdb_tombstone **out,
			   size_t *n, struct err *e);
/* The deleted intervals of series ref: a view into stones. */
const struct tsdb_tombstone *tsdb_tombstones_get(const struct tsdb_tombstone *stones, size_t nstones, uint64_t ref,
						  size_t *n);

#endif
