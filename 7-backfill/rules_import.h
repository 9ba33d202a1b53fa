/*
 * The rule importer of `promtool tsdb create-blocks-from rules`
 * (cmd/promtool/rules.go of 2.42): for every group, every rule and every
 * block-sized window, one range query against a query source and one TSDB
 * block of the results.
 *
 * The caller owns the groups, rules and source; the importer only reads
 * them.  It writes promtool's go-kit log lines through the logger it is
 * given (7-backfill/log.h) and returns the per-rule errors for the caller
 * to print.
 */
#ifndef BACKFILL_RULES_IMPORT_H
#define BACKFILL_RULES_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "1-common/err.h"
#include "1-common/gotime.h"
#include "2-model/labels.h"
#include "5-query/source.h"
#include "7-backfill/log.h"

struct rb_rule {
	const char *name;  /* record name, or the alert name */
	const char *expr;  /* the expression as promtool sends it (Expr.String()) */
	const struct label *labels;
	size_t nlabels;    /* sorted by name */
};

struct rb_group {
	const char *file;  /* rule file path as given on the command line */
	const char *name;
	int64_t interval_ns; /* the group's interval, or --eval-interval */
	const struct rb_rule *rules;
	size_t nrules;
};

struct bf_progress;

/*
 * --shard=i/n: of the importer's units, numbered 0, 1, ... in a stable
 * order, this run does those with k % count == index.  count 0 or 1: all.
 */
struct rb_shard {
	size_t index, count;
};

static inline bool rb_shard_owns(const struct rb_shard *s, size_t k)
{
	return s->count <= 1 || k % s->count == s->index;
}

/*
 * Reads a --shard value: "i/n" (decimal, 0 <= i < n), or "auto", which
 * takes i and n from env_index and env_count (Kubernetes' Indexed Job's
 * JOB_COMPLETION_INDEX and the Job's completions; NULL when unset).
 * Returns 0, or -1 with e set to the reason.
 */
int rb_shard_parse(struct rb_shard *out, const char *spec, const char *env_index, const char *env_count,
		   struct err *e);

struct rb_config {
	const char *output_dir;
	struct go_time start, end;
	int64_t max_block_duration_ms; /* --max-block-duration; 0 when unset */
	/* EXTENSIONS; all zero/NULL gives promtool 2.42's import */
	int64_t block_duration_ms;     /* --block-duration: exact, epoch-aligned windows */
	bool merge_blocks;             /* --merge-blocks: one block per window */
	const char *resume_args;       /* --resume: the arguments to record ("k=v" lines) */
	int resume_kill_at;            /* test hook of 7-backfill/resume.h, 0 when off */
	struct bf_progress *progress;  /* --progress: the status line */
	struct rb_shard shard;         /* --shard: units (rule, window), with --merge-blocks windows */
};

/*
 * Runs the import.  Each failing rule adds one message to *errs (the
 * caller frees each and the array); processing continues with the next
 * rule as promtool does.  Returns the number of errors, or (size_t)-1
 * when the run itself failed (resume state not writable), with *errs
 * holding that one message.
 *
 * srcs[0..nsrcs) are the query sources; with nsrcs > 1 that many windows
 * are evaluated at once, one source each (the same source may be listed
 * several times if it can serve concurrent queries).  Blocks, logs and
 * errors are the same whatever nsrcs.
 */
size_t rules_backfill_run(const struct rb_config *cfg, const struct rb_group *groups, size_t ngroups,
			  struct query_source *const *srcs, size_t nsrcs, struct bf_log *log, char ***errs);

/* The "new rule importer" line newRuleImporter logs first. */
void rules_backfill_log_start(const struct rb_config *cfg, struct bf_log *log);

/* getCompatibleBlockDuration (backfill.go): 2h, or the largest 2h*3^n <= max. */
int64_t rules_backfill_block_duration(int64_t max_block_duration_ms);
/*
 * --block-duration's check: at least 1h, whole milliseconds, and either a
 * divisor of 24h or a multiple of it (so blocks never cross a UTC
 * midnight, or hold whole days).  Returns 0, or -1 with the reason.
 */
int rules_backfill_check_block_duration(int64_t duration_ns, struct err *e);

/* rules.Group.EvalTimestamp: the slot at or before t_ns for this group. */
int64_t rules_backfill_eval_timestamp(const char *file, const char *name, int64_t interval_ns, int64_t t_ns);


#endif
