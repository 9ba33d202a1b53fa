/*
 * The head of a live Prometheus data directory, rebuilt read-only the way
 * 2.42's Head.Init does it: the m-mapped head chunks in chunks_head/
 * (tsdb/docs/format/head_chunks.md), then the last checkpoint.N and the WAL
 * segments after it (tsdb/docs/format/wal.md), applying series, samples
 * and tombstone records.  Nothing is written into the directory.
 *
 * struct tsdb_head owns its series, their labels and sample arrays, and the
 * chunk file mappings; tsdb_head_release() frees them all.  Head chunk views
 * point into those mappings.
 */
#ifndef TSDB_HEAD_READER_H
#define TSDB_HEAD_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "2-model/labels.h"
#include "1-common/mmapfile.h"
#include "3-tsdb/block_reader.h"

#define HEAD_CHUNKS_MAGIC 0x0130BC91u

/* One m-mapped head chunk: a view into a chunks_head/ file. */
struct tsdb_head_chunk {
	int64_t mint, maxt;
	uint8_t encoding;
	const unsigned char *data;
	size_t len;
};

struct tsdb_head_series {
	uint64_t ref;
	struct labels lbls; /* owned copies, sorted */
	struct tsdb_head_chunk *mm;
	size_t nmm, mmcap;
	/* samples replayed from the WAL after the m-mapped chunks */
	int64_t *t;
	double *v;
	size_t n, cap;
	/* native histogram samples of the WAL (3.x records 7-10, 12, 13): only
	 * counted, their first and last timestamps kept (floats stop there) */
	size_t hist_n;
	int64_t hist_mint, hist_maxt;
};

struct tsdb_head {
	struct tsdb_head_series *series; /* sorted by ref once loaded */
	size_t nseries, cap;
	size_t *slot; /* open addressing: ref -> index + 1 */
	size_t nslot;
	struct mmap_file *files;
	size_t nfiles;
	struct tsdb_tombstone *stones; /* sorted by ref, then mint */
	size_t nstones;
	int64_t mint, maxt; /* INT64_MAX / INT64_MIN while empty, as Head */
	/* 3.x out-of-order data (wbl/, OOO m-mapped chunks) as a head of its
	 * own, merged by the querier; NULL when there is none */
	struct tsdb_head *ooo;
};

void tsdb_head_init(struct tsdb_head *h);
void tsdb_head_release(struct tsdb_head *h);
/*
 * Loads the head of data dir dir.  Samples before min_valid_time (the last
 * block's maxTime) are dropped, as Head.Init(minValidTime) does.  A dir
 * without wal/ gives an empty head (2.42's dump fails there instead).
 */
int tsdb_head_load(struct tsdb_head *h, const char *dir, int64_t min_valid_time, struct err *e);
/* The series with WAL reference ref, or NULL. */
struct tsdb_head_series *tsdb_head_get(const struct tsdb_head *h, uint64_t ref);

#endif
