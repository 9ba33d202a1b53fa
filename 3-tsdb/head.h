/*
 * A head-like in-memory series store that reproduces how Prometheus 2.42's
 * Head cuts XOR chunks (head_append.go appendPreprocessor) and which samples
 * its appender accepts, rejects or silently drops (headAppender.Append /
 * Commit with out-of-order ingestion disabled).
 *
 * struct head is opaque and owns every series, label copy and chunk byte
 * (but not a spill file given to head_set_spill()); head_free() frees
 * them.  Pointers returned by head_series_labels() stay valid until
 * head_free(); chunk descriptors as said at head_chunk_iter.
 */
#ifndef TSDB_HEAD_H
#define TSDB_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "2-model/labels.h"
#include "3-tsdb/chunks_writer.h"

struct head;

/* A new empty head cutting chunks at chunk_range (ms) windows; never fails
 * (allocation aborts on OOM). */
struct head *head_new(int64_t chunk_range);
/* Frees the head and everything it holds; accepts NULL. */
void head_free(struct head *h);
/* headAppender.Append: validates and queues; errors are upstream's texts
 * ("out of bounds", "out of order sample", "duplicate sample for
 * timestamp", "empty labelset: invalid sample", ...). */
int head_append(struct head *h, const struct label *ls, size_t n, int64_t t, double v, struct err *e);
/* The same, also returning the series' reference for head_append_ref(). */
int head_append_get_ref(struct head *h, const struct label *ls, size_t n, int64_t t, double v, uint32_t *ref,
			struct err *e);
/* Append(ref, ...) for a reference head_append_get_ref() returned; any
 * other is "unknown series reference N". */
int head_append_ref(struct head *h, uint32_t ref, int64_t t, double v, struct err *e);
/* headAppender.Commit: applies the batch in order, dropping what 2.42
 * drops silently (out-of-order and duplicate samples within a batch). */
void head_commit(struct head *h);
/* headAppender.Rollback: forgets the uncommitted batch. */
void head_rollback(struct head *h);

/*
 * EXTENSION: where a head's cut chunks go once more than a budget of them
 * are in memory -- a file (typically unlinked) that the heads filled by
 * one thread share.  Owned by the caller, who closes fd once those heads
 * are freed.  A write that fails sets failed, and from then on chunks stay
 * in memory (a bad disk shows when the block is written).
 */
struct head_spill {
	int fd;
	uint64_t len; /* bytes written so far */
	bool failed;
};

/* From now on, move cut chunks to sp whenever more than budget bytes of
 * them are in memory.  sp must outlive the head. */
void head_set_spill(struct head *h, struct head_spill *sp, size_t budget);
/* Makes spilled chunks readable through head_chunk_iter (maps the spill
 * file, or reads them back into memory when it cannot be mapped); needed
 * before iterating a head with a spill file, a no-op otherwise.  Errors
 * are read errors of the spill file. */
int head_load_spilled(struct head *h, struct err *e);

/*
 * Reading the committed data.  Series references run from 0 to
 * head_num_series() - 1 in creation order.
 */
size_t head_num_series(const struct head *h);
/* Chunks the iterator below yields over all series: an upper bound for
 * arrays of chunk descriptors. */
size_t head_num_chunks(const struct head *h);
/* Total samples held (after commit). */
uint64_t head_num_samples(const struct head *h);
/* Lowest and highest committed timestamps; INT64_MAX and INT64_MIN while
 * the head has no data. */
int64_t head_min_time(const struct head *h);
int64_t head_max_time(const struct head *h);
/* The labels of series ref (sorted by name, no empty values). */
void head_series_labels(const struct head *h, uint32_t ref, const struct label **ls, size_t *n);
/* Every series reference ordered by labels (labels_cmp), the order a block
 * stores series in; head_num_series() entries, caller frees. */
uint32_t *head_series_sorted(const struct head *h);

/*
 * The chunks of one series, oldest first: the cut chunks, then the open
 * head chunk if it holds samples.  Descriptors point into the head and stay
 * valid until the next append, commit or head_free().
 *
 *     struct head_chunk_iter it;
 *     struct chunk_desc d;
 *     head_chunk_iter_init(&it, h, ref);
 *     while (head_chunk_iter_next(&it, &d))
 *             use(d.data, d.len, d.mint, d.maxt);
 */
struct head_chunk_iter {
	const struct head *h;
	uint32_t ref;
	uint32_t next; /* next cut chunk, UINT32_MAX when done */
	bool open_done;
};

void head_chunk_iter_init(struct head_chunk_iter *it, const struct head *h, uint32_t ref);
/* Fills *out (XOR encoding, ref 0) and returns true, or false at the end. */
bool head_chunk_iter_next(struct head_chunk_iter *it, struct chunk_desc *out);

#endif
