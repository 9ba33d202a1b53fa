/*
 * The progress line of the backfill importers (--progress): one status
 * line on stderr, drawn in place through the logger (7-backfill/log.h) so
 * that log lines scroll above it:
 *
 *   rules: 12/48 units (25%)  1,234,567 samples  98,765 samples/s  ETA 0:42
 *
 * Units are what the importer counts (a rule's window; a window of the
 * OpenMetrics input).  Redraws are limited to ten a second, but the state
 * after the last unit is always drawn; bf_progress_end() leaves that last
 * state on screen as a plain line.
 *
 * Updates come from one thread at a time.  struct bf_progress borrows its
 * logger and allocates nothing.
 */
#ifndef BACKFILL_PROGRESS_H
#define BACKFILL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "7-backfill/log.h"

struct bf_progress {
	struct bf_log *log;
	const char *what;        /* "rules", "openmetrics" */
	int width;               /* terminal columns to fit in, 0: unknown */
	uint64_t total, done, samples;
	int64_t start_ns, last_draw_ns;
};

/* width 0 when unknown; the logger's status line must be enabled. */
void bf_progress_init(struct bf_progress *p, struct bf_log *log, const char *what, int width);
/* Sets the number of units and draws the line. */
void bf_progress_start(struct bf_progress *p, uint64_t total);
/* units more done, samples more written. */
void bf_progress_add(struct bf_progress *p, uint64_t units, uint64_t samples);
void bf_progress_end(struct bf_progress *p);

/* The line for a state, elapsed ns since the start (for tests). */
void bf_progress_format(const struct bf_progress *p, int64_t elapsed_ns, struct buf *out);

#endif
