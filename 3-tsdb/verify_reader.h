/*
 * Consistency checks over a data directory for `promtool tsdb verify`:
 * every checksum, the ordering of symbols, series, label pairs and
 * postings, chunk references and time ranges, meta.json's statistics
 * against what index and chunks hold, overlapping blocks, and a replay of
 * the WAL.
 *
 * Problems are handed to a callback, one message each, naming block, file
 * and offset; the callback owns nothing and must copy what it keeps.
 */
#ifndef TSDB_VERIFY_READER_H
#define TSDB_VERIFY_READER_H

#include <stddef.h>

typedef void (*tsdb_problem_fn)(void *ctx, const char *msg);

/* Checks dir; returns the number of problems reported. */
size_t tsdb_verify_dir(const char *dir, tsdb_problem_fn report, void *ctx);

#endif
