/*
 * A head-like in-memory series store that reproduces how Prometheus 2.42's
 * Head cuts XOR chunks (head_append.go appendPreprocessor) and which samples
 * its appender accepts, rejects or silently drops (headAppender.Append /
 * Commit with out-of-order ingestion disabled).
 *
 * struct head owns every series, label copy and chunk byte; head_release()
 * frees them.  Pointers returned by head_series_labels() stay valid until
 * head_release().
 */
#ifndef TSDB_HEAD_H
#define TSDB_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "2-model/labels.h"
#include "3-tsdb/chunkenc.h"

/* A cut (completed) chunk, its bytes in head.chunk_data. */
struct head_chunk {
	int64_t mint, maxt;
	uint64_t off;
	uint32_t len;
	uint32_t next; /* next chunk of the same series, or UINT32_MAX */
};

/*
 * Where a head's cut chunks go once more than a budget of them are in
 * memory: a file (typically unlinked) that the heads filled by one thread
 * share.  Owned by the caller, who closes fd once those heads are released.
 * A write that fails sets failed, and from then on chunks stay in memory.
 */
struct head_spill {
	int fd;
	uint64_t len;   /* bytes written so far */
	bool failed;
};

/* Chunk bytes [voff, voff + len) of a head, at foff in its spill file. */
struct head_extent {
	uint64_t voff, foff, len;
};

struct head_series {
	struct label *ls; /* one allocation holding pairs and strings */
	size_t nls;
	uint64_t hash;
	struct xor_chunk open;       /* the open head chunk */
	bool has_open;               /* a head chunk exists */
	int64_t open_mint, open_maxt;
	int64_t next_at;
	uint64_t last_vbits;
	uint32_t first_chunk, last_chunk; /* cut chunks, UINT32_MAX if none */
	uint32_t ncut;
};

struct head_sample {
	uint32_t series;
	int64_t t;
	double v;
};

struct head {
	int64_t chunk_range;
	int64_t min_time, max_time;   /* INT64_MAX / INT64_MIN until data */
	int64_t min_valid_time;       /* Head.minValidTime: INT64_MIN here */

	struct head_series *series;
	size_t nseries, series_cap;
	uint32_t *table;              /* open addressing: series index + 1 */
	size_t table_cap;

	struct head_chunk *chunks;
	size_t nchunks, chunks_cap;
	/* Cut chunks' bytes; head_chunk.off counts from mem_base, which is 0
	 * unless the bytes before it were spilled (see head_unspill()). */
	struct buf chunk_data;
	uint64_t mem_base;
	struct head_spill *spill;
	size_t spill_budget;
	struct head_extent *ext;
	size_t next, ext_cap;
	uint64_t nsamples;            /* committed samples */

	/* the current appender (batch) */
	bool app_open;
	int64_t app_min_valid;
	struct head_sample *batch;
	size_t nbatch, batch_cap;
};

void head_init(struct head *h, int64_t chunk_range);
void head_release(struct head *h);
/* headAppender.Append: validates and queues; errors are upstream's texts
 * ("out of bounds", "out of order sample", "duplicate sample for
 * timestamp", "empty labelset: invalid sample", ...). */
int head_append(struct head *h, const struct label *ls, size_t n, int64_t t, double v, struct err *e);
/* The same, also returning the series' index for head_append_ref(). */
int head_append_get_ref(struct head *h, const struct label *ls, size_t n, int64_t t, double v, uint32_t *ref,
			struct err *e);
/* Append(ref, ...) for a series index head_append_get_ref() returned. */
int head_append_ref(struct head *h, uint32_t ref, int64_t t, double v, struct err *e);
/* headAppender.Commit: applies the batch in order, dropping what 2.42
 * drops silently (out-of-order and duplicate samples within a batch). */
void head_commit(struct head *h);
/* Total samples held (after commit). */
uint64_t head_num_samples(const struct head *h);
/* From now on, move cut chunks to sp whenever more than budget bytes of
 * them are in memory. */
void head_set_spill(struct head *h, struct head_spill *sp, size_t budget);
/* The bytes of cut chunk c, given the spill file mapped at map (unused,
 * and may be NULL, when nothing was spilled: h->next == 0). */
const unsigned char *head_chunk_bytes(const struct head *h, const struct head_chunk *c, const unsigned char *map);
/* Reads spilled chunks back, so that chunk_data holds every cut chunk at
 * its offset (mem_base 0, next 0); errors are read errors of the spill
 * file.  For when the file cannot be mapped. */
int head_unspill(struct head *h, struct err *e);

#endif
