/*
 * Internals of the rules importer, shared by its files:
 *
 *   rules_import.c   the plan (rules in order, block windows) and the work
 *                    of one unit: one rule over one window, queried into a
 *                    block writer;
 *   rules_sched.c    running the units, in order or several at a time,
 *                    and finishing them strictly in order (blocks, logs,
 *                    errors, resume records, progress).
 *
 * A plan borrows the config and groups it was made from.  A unit result
 * owns its writer, error and log text until rb_unit_result_release().
 */
#ifndef BACKFILL_RULES_INTERNAL_H
#define BACKFILL_RULES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "3-tsdb/block_writer.h"
#include "5-query/source.h"
#include "7-backfill/log.h"
#include "7-backfill/rules_import.h"

/*
 * One entry per rule, in the order 2.42 imports them (groups in order,
 * rules in order; groups whose GroupKey repeats an earlier one dropped).
 * A group without rules has one entry with rule NULL, so that its
 * "processing group" line keeps its place.
 */
struct rb_rule_ref {
	const struct rb_group *group;
	const struct rb_rule *rule; /* NULL: an empty group */
	size_t index;               /* the rule's index in its group ("id") */
	char *group_key;            /* "<file>;<group>" on the group's first entry, else NULL */
};

struct rb_plan {
	const struct rb_config *cfg;
	struct rb_rule_ref *rules;
	size_t nrules;
	int64_t block_ms;  /* window length */
	int64_t first_ms;  /* start of the first window */
	size_t nwin;       /* windows first_ms + k * block_ms, k < nwin */
	bool split;        /* queries split at 11,000 points (--block-duration) */
	size_t nunits;     /* nrules * nwin */
};

int rb_plan_init(struct rb_plan *p, const struct rb_config *cfg, const struct rb_group *groups, size_t ngroups,
		 struct err *e);
void rb_plan_release(struct rb_plan *p);

/* The unit u of the dispatch order: per rule then window, or (merged)
 * per window then rule. */
static inline void rb_plan_unit(const struct rb_plan *p, size_t u, size_t *rule, size_t *win)
{
	if (p->cfg->merge_blocks) {
		*win = u / p->nrules;
		*rule = u % p->nrules;
	} else {
		*rule = u / p->nwin;
		*win = u % p->nwin;
	}
}

/*
 * --shard: whether this run does unit u.  The units split are the blocks
 * 2.42 writes, one per rule and window, numbered rule by rule in plan
 * order (k = rule * nwin + window); with --merge-blocks a window's rules
 * make one block, so the window is the unit (k = window).
 */
static inline bool rb_plan_owns(const struct rb_plan *p, size_t u)
{
	size_t rule, win;

	rb_plan_unit(p, u, &rule, &win);
	return rb_shard_owns(&p->cfg->shard, p->cfg->merge_blocks ? win : rule * p->nwin + win);
}

struct rb_unit_result {
	struct block_writer *w; /* the window's samples, NULL when none */
	char *err;              /* the rule's error (the rule stops), or NULL */
	struct buf log;         /* log lines the unit printed (warnings) */
	uint64_t samples;
	int prepared;           /* w's block written aside (0), empty (1), or not yet (-1) */
	char ulid[27];          /* its name when prepared */
};

void rb_unit_result_init(struct rb_unit_result *r);
void rb_unit_result_release(struct rb_unit_result *r);
/* Queries one rule over one window into r (never fails otherwise). */
void rb_unit_run(const struct rb_plan *p, size_t rule, size_t win, struct query_source *src,
		 struct rb_unit_result *r);

/*
 * Runs every unit of the plan with nsrcs workers (one source each) and
 * finishes them in order.  errs[rule] receives each failed rule's error.
 * With resume (NULL: none), units it records as done are skipped, and
 * every unit finished is recorded (keyed by unit, or with --merge-blocks
 * by window).  Returns 0, or -1 with e set when the run could not go on
 * (resume state not writable).
 */
struct rb_resume;
int rb_sched_run(const struct rb_plan *p, struct query_source *const *srcs, size_t nsrcs, struct bf_log *log,
		 struct rb_resume *resume, char **errs, struct err *e);

#endif
