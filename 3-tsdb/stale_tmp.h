/*
 * Temporary block directories left behind by a killed block writer.
 *
 * A block is written into <dir>/<ULID>.tmp-for-creation and renamed when
 * complete (3-tsdb/block_writer.c, as 2.42's compactor does), so a run
 * killed half-way leaves that directory, tens of megabytes, which nothing
 * but a Prometheus opening the directory as its database would remove.
 * tsdb_remove_stale_tmp() removes them before a new run writes: the same
 * names 2.42's DB.Open removes (isTmpDir: a directory, not a symlink, a
 * strict ULID before the suffix), limited to the suffix our writer uses;
 * a Prometheus's own .tmp-for-deletion and checkpoint dirs are its to
 * handle.  "Stale" means nobody is writing it: our writer holds a flock on
 * its tmp directory while it writes, and a Prometheus running on the
 * directory holds a flock on <dir>/lock, in which case nothing is touched.
 *
 * The caller owns the returned path strings and the array (free each, then
 * the array).
 */
#ifndef TSDB_STALE_TMP_H
#define TSDB_STALE_TMP_H

#include <stddef.h>

#include "1-common/err.h"

/* The suffix of a block being written (2.42's tmpForCreationBlockDirSuffix). */
#define TSDB_TMP_FOR_CREATION ".tmp-for-creation"

/*
 * Removes the stale temporary block directories of dir (a missing dir has
 * none).  *removed receives the paths removed ("<dir>/<name>"), *nremoved
 * their count, in name order.  -1 with e set when one could not be removed (the others
 * still are) or dir cannot be read.
 */
int tsdb_remove_stale_tmp(const char *dir, char ***removed, size_t *nremoved, struct err *e);

#endif
