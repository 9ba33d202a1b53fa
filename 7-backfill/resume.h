/*
 * The resume state of `tsdb create-blocks-from rules --resume`: a text file
 * in the output directory recording which units (a rule's window, or with
 * --merge-blocks a whole window) are written, so that a run killed at any
 * moment and started again with the same arguments writes each unit exactly
 * once.
 *
 *   <output-dir>/rules-backfill.resume
 *     promtool rules backfill resume state v1
 *     arg <key>=<value>             the arguments that shape the output
 *     begin <unit> <ulid>           about to write block <ulid> for <unit>
 *     done <unit> <ulid>|-          <unit> is complete (- : it had no samples)
 *
 * Every line is appended with one write() and fsync'd before the run goes
 * on: "begin" before the block's directory is renamed into place, "done"
 * after.  On reopening, a unit begun but not done is done if its block
 * directory exists (the rename is atomic, so the block is complete), and
 * its leftover tmp directory is removed otherwise (as is any other block a
 * killed run was still writing: <ULID>.tmp-for-creation).  A torn last
 * line (no newline) is ignored.
 *
 * One thread at a time may call rb_resume_begin()/rb_resume_finish();
 * rb_resume_is_done() may be called concurrently for other units.
 * struct rb_resume owns its descriptor and tables; rb_resume_free() closes
 * and frees them (accepts NULL).
 */
#ifndef BACKFILL_RESUME_H
#define BACKFILL_RESUME_H

#include <stdbool.h>
#include <stddef.h>

#include "1-common/buf.h"
#include "1-common/err.h"

#define RB_RESUME_FILE "rules-backfill.resume"

struct rb_resume;

/*
 * Opens (or creates, with the output directory) the state for a run over
 * nunits units whose arguments are args ("key=value" lines, each ending in
 * '\n').  An existing state must record exactly these arguments; otherwise
 * fails naming the first that differs.  kill_at > 0 is a test hook: the
 * process kills itself (SIGKILL) at that crash point (1: after the first
 * "begin", 2: after that block is renamed, 3: after its "done", 4: the next
 * "begin", ...).
 */
int rb_resume_open(struct rb_resume **out, const char *dir, const char *args, size_t nunits, int kill_at,
		   struct err *e);
bool rb_resume_is_done(const struct rb_resume *r, size_t unit);
/* Units recorded as done (at open and since). */
size_t rb_resume_ndone(const struct rb_resume *r);
int rb_resume_begin(struct rb_resume *r, size_t unit, const char *ulid, struct err *e);
/* ulid NULL: the unit wrote no block. */
int rb_resume_finish(struct rb_resume *r, size_t unit, const char *ulid, struct err *e);
void rb_resume_free(struct rb_resume *r);

/* Appends "rule-file=<path> <bytes> <xxh64 of the content>\n" to args. */
int rb_resume_file_arg(struct buf *args, const char *path, struct err *e);

#endif
