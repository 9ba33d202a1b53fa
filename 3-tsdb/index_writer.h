/*
 * The index file of a persistent block, format v2, byte for byte as
 * Prometheus 2.42's tsdb/index.Writer writes it for a compaction.
 *
 * The caller owns everything passed in; the writer only writes.  Series
 * must be given sorted by labels (labels.Compare) and each with its chunks
 * in time order, refs already assigned by the chunk writer.
 */
#ifndef TSDB_INDEX_WRITER_H
#define TSDB_INDEX_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "2-model/labels.h"
#include "3-tsdb/chunks_writer.h"
#include "3-tsdb/wio.h"

#define INDEX_MAGIC 0xBAAAD700u
#define INDEX_FORMAT_V2 2

struct index_series {
	const struct label *ls;
	size_t nls;
	const struct chunk_desc *chks;
	size_t nchks;
};

/* Writes the whole index to out (a file or memory sink); out's sticky
 * error is left for the caller to check with wio_close(). */
int index_write(struct wio *out, const struct index_series *series, size_t n, struct err *e);
/* The same with a choice: label_indices false writes the index of 3.7+
 * (gate INDEX_NO_LABEL_INDICES): no label indices and no label offset
 * table, their TOC entries pointing where the next section starts. */
int index_write_ex(struct wio *out, const struct index_series *series, size_t n, bool label_indices,
		   struct err *e);

#endif
