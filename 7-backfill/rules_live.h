/*
 * `tsdb create-blocks-from rules --semantics=prometheus` (an extension):
 * the blocks hold what a live Prometheus 2.42 would have written had the
 * rules been loaded for the whole range.  The groups run through the rule
 * manager (6-rules/manager.h) at their live evaluation slots (interval and
 * offset from the hash of {file, name}, samples stamped with the slot
 * truncated to milliseconds), in time order across groups, so a rule reads
 * what earlier rules and groups wrote; alerting rules write ALERTS and
 * ALERTS_FOR_STATE (never a series named after the alert); series a rule
 * stops returning get staleness markers.
 *
 * Blocks are cut as promtool's: one per rule and block-sized window.
 *
 * Sources: a local storage (--source-dir), read through the store so
 * dependent rules see the backfilled samples; within [start, end] the
 * source's own samples of the series the rules write (their names,
 * ALERTS, ALERTS_FOR_STATE) are hidden, as the backfill writes them anew.
 * Or a query source (--url): each rule's evaluations of a window come
 * from one range query at the exact slot times; the server cannot see
 * what we write, so a rule reading another backfilled rule's output gets
 * a warning naming both.
 *
 * The caller owns the groups, the storage and the source; the importer
 * reads them.  Log lines go to log; errors are returned for the caller to
 * print, each owned by the caller.
 */
#ifndef BACKFILL_RULES_LIVE_H
#define BACKFILL_RULES_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "2-model/labels.h"
#include "4-promql/storage.h"
#include "5-query/source.h"
#include "6-rules/rulefmt.h"

struct compat;

struct rl_config {
	const char *output_dir;
	int64_t start_ns, end_ns;      /* slots in [start, end] are evaluated */
	int64_t max_block_duration_ms; /* --max-block-duration; 0 when unset */
	int64_t eval_interval_ns;      /* the global evaluation interval */
	const struct label *external_labels; /* sorted */
	size_t nexternal_labels;
	const char *external_url; /* NULL: none (a nil URL for templates) */
	const struct compat *compat; /* the engine's release (borrowed); NULL: 2.42.0 */
};

struct rl_group {
	const char *file; /* the rule file path as Prometheus was given it */
	const struct rulefmt_group *g;
};

/*
 * Runs the backfill over exactly one of base (local storage; base_sorted
 * when blocks take part, so series come sorted) or remote.  Returns the
 * number of errors put in *errs (0: all blocks written).
 */
size_t rules_backfill_live_run(const struct rl_config *cfg, const struct rl_group *groups, size_t ngroups,
			       const struct promql_storage *base, bool base_sorted, struct query_source *remote,
			       FILE *log, char ***errs);

/*
 * --shard's units under these semantics: groups are joined when a rule of
 * one reads what a rule of the other writes (or may: a selector not pinned
 * to one metric name, a template that may query joins every group), or
 * when they have the same file and name; each connected set of groups is
 * one unit, since its rules' outputs depend on each other, and the others'
 * outputs do not depend on it.  comp[g] receives group g's unit, numbered
 * in the order of their first groups; returns the number of units.
 */
size_t rules_backfill_live_units(const struct rl_group *groups, size_t ngroups, size_t *comp);

#endif
