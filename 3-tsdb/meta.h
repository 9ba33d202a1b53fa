/*
 * Block metadata: meta.json as promtool 2.42 writes and reads it.
 *
 * struct block_meta holds no pointers except sources, which it owns;
 * block_meta_release() frees it.
 */
#ifndef TSDB_META_H
#define TSDB_META_H

#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "1-common/err.h"

#define ULID_LEN 26

struct block_stats {
	uint64_t num_samples;
	uint64_t num_series;
	uint64_t num_chunks;
	uint64_t num_tombstones;
	uint64_t num_float_samples;     /* not written by 2.42; kept for newer metas */
	uint64_t num_histogram_samples; /* idem */
};

struct block_meta {
	char ulid[ULID_LEN + 1];
	int64_t min_time;
	int64_t max_time; /* exclusive: last sample + 1 */
	struct block_stats stats;
	int compaction_level;
	char (*sources)[ULID_LEN + 1];
	size_t nsources;
	int version;
};

void block_meta_init(struct block_meta *m);
void block_meta_release(struct block_meta *m);
/* Appends meta.json's exact bytes as 2.42 writes them (tab-indented, no
 * trailing newline, zero stats omitted). */
void block_meta_encode(struct buf *out, const struct block_meta *m);
/* The same with float_stats: 3.6's BlockStats (gate META_NUM_FLOAT_SAMPLES),
 * whose numFloatSamples and numHistogramSamples follow numSamples. */
void block_meta_encode_ex(struct buf *out, const struct block_meta *m, bool float_stats);
/* Parses meta.json content; path is only used in error messages. */
int block_meta_decode(struct block_meta *out, const char *path, const char *data, size_t len, struct err *e);
/* Reads <dir>/meta.json. */
int block_meta_read(struct block_meta *out, const char *dir, struct err *e);

#endif
