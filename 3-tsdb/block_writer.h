/*
 * The block writer: accumulates samples in a head-like in-memory store and
 * writes them out as one persistent TSDB block, byte for byte as promtool
 * 2.42's tsdb.BlockWriter does (ULIDs aside).
 *
 * The writer owns everything it allocates, including copies of label
 * strings passed to block_writer_append(); block_writer_free() releases it
 * all and removes any half-written block directory.  A block_meta returned
 * by block_writer_flush() belongs to the caller (block_meta_release()).
 *
 * Usage mirrors upstream (tsdb/blockwriter.go + head appender):
 *     block_writer_new(&w, dir, 2 * block_duration_ms, e);
 *     for each sample: block_writer_append(w, labels, n, t, v, e);
 *     every 5000 samples and at the end: block_writer_commit(w, e);
 *     block_writer_flush(w, &meta, e);
 *     block_writer_free(w);
 */
#ifndef TSDB_BLOCK_WRITER_H
#define TSDB_BLOCK_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "2-model/labels.h"
#include "3-tsdb/meta.h"

struct block_writer;

/* dir must exist; chunk_range_ms is what upstream passes to NewBlockWriter
 * (2 x block duration for importers). */
int block_writer_new(struct block_writer **out, const char *dir, int64_t chunk_range_ms, struct err *e);
/* EXTENSION: moves the block's finished chunks to sp (see head_set_spill())
 * while more than budget bytes of them are in memory; they are read back
 * in place when the block is written.  sp must outlive the writer. */
struct head_spill;
void block_writer_set_spill(struct block_writer *w, struct head_spill *sp, size_t budget);
/* Appends to the current uncommitted batch; labels sorted by name.  Errors
 * are upstream's storage errors ("out of bounds", "duplicate sample for
 * timestamp"); the writer stays usable after one. */
int block_writer_append(struct block_writer *w, const struct label *ls, size_t n, int64_t t_ms, double v, struct err *e);
/* Append with upstream's series references: the first form also returns
 * the reference of the (possibly new) series, the second appends to a
 * series by that reference, skipping label handling.  References are valid
 * for the life of the writer. */
int block_writer_append_get_ref(struct block_writer *w, const struct label *ls, size_t n, int64_t t_ms, double v,
				uint32_t *ref, struct err *e);
int block_writer_append_ref(struct block_writer *w, uint32_t ref, int64_t t_ms, double v, struct err *e);
int block_writer_commit(struct block_writer *w, struct err *e);
/* Writes the block atomically: 0 and *meta_out filled (caller releases),
 * 1 when no samples were appended (upstream ErrNoSeriesAppended / empty
 * block: nothing is written), -1 on error (nothing is left behind). */
int block_writer_flush(struct block_writer *w, struct block_meta *meta_out, struct err *e);
/* The same, naming the block ulid (26 characters) instead of a new ULID. */
int block_writer_flush_as(struct block_writer *w, const char *ulid, struct block_meta *meta_out, struct err *e);
/*
 * block_writer_flush_as() in two steps, so that the slow part can run
 * apart from the moment the block appears: prepare writes and syncs the
 * whole block under <dir>/<ulid>.tmp-for-creation (ulid NULL: a new
 * ULID; returns as flush: 0, 1 when empty, -1) and, once it is on disk,
 * releases the samples' memory (the writer starts over empty), so that
 * several blocks can be prepared at once and still appear in order;
 * commit renames it into place and syncs dir.  Freeing the writer in
 * between removes the prepared block.
 */
int block_writer_prepare(struct block_writer *w, const char *ulid, struct block_meta *meta_out, struct err *e);
int block_writer_commit_prepared(struct block_writer *w, struct err *e);
/*
 * EXTENSION: one block from the heads of n writers, into ws[0]'s
 * directory: the block Prometheus 2.42's compactor writes when it merges
 * the blocks the writers would flush one by one, given in the order it
 * would see them (by min time) -- see 3-tsdb/compact_merge.h.  ulid as
 * above, or NULL.  Returns as block_writer_flush(); the writers can then
 * only be freed.
 */
int block_writer_flush_merged(struct block_writer *const *ws, size_t n, const char *ulid,
			      struct block_meta *meta_out, struct err *e);
/* The earliest sample appended and committed, INT64_MAX when none. */
int64_t block_writer_min_time(const struct block_writer *w);
/* Accepts NULL; removes leftovers of a failed flush. */
void block_writer_free(struct block_writer *w);

#endif
