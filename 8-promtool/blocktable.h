/*
 * The block table promtool 2.42 prints for `tsdb list` and after each block
 * created by `tsdb create-blocks-from` (cmd/promtool/tsdb.go printBlocks):
 * a text/tabwriter with minwidth 13, padding 2, a fresh writer per call, so
 * columns align only among the rows of one call.
 *
 * Nothing here keeps memory; metas and sizes belong to the caller.
 */
#ifndef PROMTOOL_BLOCKTABLE_H
#define PROMTOOL_BLOCKTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "1-common/err.h"
#include "3-tsdb/meta.h"

/* Prints rows for n blocks, preceded by the header line if header is true;
 * human selects -r formatting (UTC times, base-2 sizes). */
void print_blocks(FILE *out, const struct block_meta *metas, const uint64_t *sizes, size_t n, bool header, bool human);

/*
 * What tsdb.Block.Size() reports for the block in dir: the bytes of every
 * chunk segment file (chunks/<number>), index, tombstones (0 when absent)
 * and meta.json.
 */
int block_dir_size(const char *dir, uint64_t *out, struct err *e);

/*
 * EXTENSION: one line on stderr per block directory the reader left out,
 * naming it and why (2.42 skips them without a word).
 */
void print_skipped_blocks(char *const *skipped, size_t n);

/*
 * EXTENSION, at the start of the commands that write blocks into dir:
 * removes the temporary block directories killed runs left there
 * (3-tsdb/stale_tmp.h), saying so in one line on stderr; a failure to
 * remove one is one line too, and the command goes on.
 */
void remove_stale_tmp_dirs(const char *dir);

#endif
