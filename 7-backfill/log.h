/*
 * The one logger of the backfill importers: everything they write to
 * stderr goes through it.
 *
 *   - go-kit/log logfmt lines, byte for byte as promtool 2.42 prints them
 *     (`level=info backfiller="processing rule" id=0 name=...`);
 *   - plain lines (promtool's error lines are not logfmt);
 *   - one status line (the progress display of 7-backfill/progress.h),
 *     drawn in place at the bottom: every other line first erases it and
 *     then redraws it below itself, so the status never mixes with them.
 *
 * With no status line enabled the output is exactly the lines written, so
 * a run without progress prints what 2.42 prints.  Lines written from
 * several threads never interleave (one mutex).
 *
 * struct bf_log borrows its stream; bf_log_release() frees only what the
 * logger allocated.
 */
#ifndef BACKFILL_LOG_H
#define BACKFILL_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "1-common/buf.h"

struct bf_log {
	FILE *out;
	pthread_mutex_t mu;
	bool status_enabled; /* bf_log_status() draws; otherwise it is a no-op */
	struct buf status;   /* the status line on screen, empty when none */
};

void bf_log_init(struct bf_log *l, FILE *out);
/* Erases a status line still on screen. */
void bf_log_release(struct bf_log *l);
/* Lets bf_log_status() draw (a terminal is at the other end). */
void bf_log_enable_status(struct bf_log *l);

/* go-logfmt's value encoding: bare, or quoted and escaped when needed. */
void bf_logfmt_value(struct buf *out, const char *v);
/* Appends one logfmt line "level=<level> k1=v1 k2=v2...\n" (n = 2 x pairs). */
void bf_logfmt_line(struct buf *out, const char *level, const char *const *kv, size_t n);

/* Writes one logfmt line. */
void bf_log_kv(struct bf_log *l, const char *level, const char *const *kv, size_t n);
/* Writes text made of whole lines (each ending in '\n') as one unit. */
void bf_log_text(struct bf_log *l, const char *text, size_t len);
/* Replaces the status line (NULL or "" erases it); no-op unless enabled. */
void bf_log_status(struct bf_log *l, const char *line);
/* Ends the status line with a newline, leaving it on screen as a plain
 * line; no-op when none is shown. */
void bf_log_status_keep(struct bf_log *l);

#endif
