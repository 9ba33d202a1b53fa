/*
 * The extension flags of `tsdb create-blocks-from rules` (not in promtool
 * 2.42): checked before the command does anything, and applied to the
 * importer's config.  8-promtool/cmd_rules_backfill.c calls these so that
 * its own flow stays 2.42's.
 *
 * struct rules_ext owns what it sets up (the resume arguments, ...);
 * rules_ext_release() frees it.  The config it fills points into it, so it
 * must outlive the import.
 */
#ifndef PROMTOOL_RULES_EXT_H
#define PROMTOOL_RULES_EXT_H

#include "1-common/buf.h"
#include "1-common/err.h"
#include "5-query/source.h"
#include "7-backfill/rules_import.h"
#include "8-promtool/cli.h"

struct rules_ext {
	int64_t block_duration_ms;
	bool merge_blocks;
	bool resume;
	struct buf resume_args;
	int concurrency;                /* 0: one per CPU (at most 4) when local, else 1 */
	struct rb_shard shard;          /* --shard; count 0 when not given */
	struct query_source **srcs;     /* concurrency entries; srcs[0] is the command's */
	size_t nsrcs;
	bool own_extra_srcs;            /* srcs[1..] are extra sources to free */
};

/* Usage checks, as kingpin's (message on stderr, exit code returned), or
 * -1 when all is well. */
int rules_ext_check(const struct cli_ctx *c, struct rules_ext *x);
/*
 * Fills the extension settings of cfg, whose times and output directory
 * are set: for --resume, the arguments that must not change between runs.
 * Returns 0, or -1 with e set.
 */
int rules_ext_apply(const struct cli_ctx *c, struct rules_ext *x, struct rb_config *cfg, struct err *e);
/*
 * The query sources of the workers (--concurrency=0: one per CPU the process
 * may use, at most 4, with a local source; one with a remote one): src
 * itself for one; for N with a local source (shared: it serves concurrent
 * queries) N times src, with a remote one src and N-1 more clients made by
 * make_remote (each with its own connection).  Returns 0, or -1 with e set.
 */
int rules_ext_sources(struct rules_ext *x, struct query_source *src, bool local,
		      int (*make_remote)(struct query_source **out, void *arg, struct err *e), void *arg,
		      struct err *e);
void rules_ext_release(struct rules_ext *x);

#endif
