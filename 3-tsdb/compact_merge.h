/*
 * The vertical merge of Prometheus 2.42's compactor: what
 * LeveledCompactor.populateBlock writes when the blocks it compacts
 * overlap (storage.NewMergeChunkSeriesSet with
 * NewCompactingChunkSeriesMerger(ChainedSeriesMerge)).
 *
 *   - Series of all sources come out in label order; a series only one
 *     source holds keeps its chunks as they are.
 *   - A series several sources hold has its chunks merged as
 *     compactChunkIterator does: chunks taken by (min time, max time); one
 *     that overlaps the next ones is merged with them sample by sample
 *     (chainSampleIterator: one sample per timestamp), and the result is
 *     encoded again in XOR chunks of at most 120 samples
 *     (seriesToChunkEncoder); a chunk identical to the previous one (same
 *     times and bytes) is dropped.
 *
 * Ties are broken as Go's container/heap breaks them, with the sources in
 * the order given -- the compactor's order of blocks (by min time; for
 * blocks created in the same millisecond their ULIDs' random bits decide,
 * which nobody can reproduce).
 *
 * Everything passed in is borrowed; chunks handed to the callback live
 * until it returns.
 */
#ifndef TSDB_COMPACT_MERGE_H
#define TSDB_COMPACT_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include "1-common/err.h"
#include "2-model/labels.h"
#include "3-tsdb/chunks_writer.h"

/* One series of a source: labels, chunks in time order. */
struct merge_series {
	const struct label *ls;
	size_t nls;
	const struct chunk_desc *chks;
	size_t nchks;
};

/* One source (a block): its series sorted by labels (labels_cmp). */
struct merge_source {
	const struct merge_series *series;
	size_t n;
};

/*
 * Called once per distinct series, in label order, with the chunks the
 * compactor writes for it (chks may be modified, e.g. refs filled in).  A
 * negative return stops the merge and is returned.
 */
typedef int (*merge_emit_fn)(void *arg, const struct label *ls, size_t nls, struct chunk_desc *chks, size_t n,
			     struct err *e);

/*
 * no_quirk_byte: the re-encoded chunks as 3.0+ writes them, without the
 * bstream's trailing 0x00 (gate BSTREAM_NO_QUIRK_BYTE); false is 2.42.
 */
int compact_merge(const struct merge_source *srcs, size_t nsrcs, bool no_quirk_byte, merge_emit_fn emit, void *arg,
		  struct err *e);

#endif
