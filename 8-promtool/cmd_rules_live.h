/*
 * `tsdb create-blocks-from rules --semantics=prometheus` (an extension):
 * the part of the command after promtool's time and flag checks, run by
 * cmd_rules_backfill.c.  See 7-backfill/rules_live.h.
 */
#ifndef PROMTOOL_CMD_RULES_LIVE_H
#define PROMTOOL_CMD_RULES_LIVE_H

#include <stddef.h>

#include "1-common/gotime.h"
#include "5-query/remote.h"
#include "7-backfill/rules_import.h"
#include "8-promtool/cli.h"

/* Returns the exit code.  shard: --shard's choice (count 0: all). */
int cmd_rules_backfill_live(const struct cli_ctx *c, const struct go_time *start, const struct go_time *end,
			    const struct remote_options *ro, const struct rb_shard *shard);

#endif
