/*
 * Backfilling TSDB blocks from an OpenMetrics file, as promtool 2.42's
 * `tsdb create-blocks-from openmetrics` does it (cmd/promtool/backfill.go):
 * one block per aligned window of the block duration, each written by its
 * own block writer with appender batches of 5000 samples, byte for byte.
 *
 * The input is read once, in parallel shares, with pread() through bounded
 * buffers -- never held in memory; what is held is every window's block
 * writer until the end (about the size of the blocks written).
 *
 * Nothing here prints but the optional progress line (through the
 * backfill logger, 7-backfill/log.h); each written block is reported
 * through the callback;
 * errors carry 2.42's wrapped messages ("block creation: process blocks:
 * add sample: out of order sample").  The caller owns opts' strings.
 */
#ifndef BACKFILL_OM_IMPORT_H
#define BACKFILL_OM_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "1-common/err.h"
#include "3-tsdb/meta.h"
#include "7-backfill/progress.h"

struct om_import_opts {
	const char *input_path;
	const char *output_dir;          /* must exist */
	int64_t max_block_duration_ms;   /* 0: default 2h */
	int max_samples_in_appender;     /* 5000 in promtool */
	/* Called after each block is written; dir is the block's directory.
	 * A negative return aborts the import (with e set). */
	int (*on_block)(const struct block_meta *meta, const char *dir, void *arg, struct err *e);
	void *arg;
	/* EXTENSION: the progress line (windows done, samples), or NULL */
	struct bf_progress *progress;
};

/*
 * Opens the input as promtool does (errors "try lock file: open ...",
 * "mmap, size 0: invalid argument", ...).  Returns an fd for
 * om_import_run(), or -1.
 */
int om_import_open(const char *path, struct err *e);
/* backfill(): the whole import from fd (which it does not close). */
int om_import_run(int fd, const struct om_import_opts *opts, struct err *e);
/* getCompatibleBlockDuration of backfill.go. */
int64_t om_import_block_duration(int64_t max_block_duration_ms);

#endif
