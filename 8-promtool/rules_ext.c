/*
 * The extension flags of `tsdb create-blocks-from rules`
 * (8-promtool/rules_ext.h).  Misuse is reported as kingpin reports usage
 * errors ("promtool: error: ..., try --help", exit 1).
 */
#include "8-promtool/rules_ext.h"

#include <string.h>

#include "1-common/err.h"

int rules_ext_check(const struct cli_ctx *c, struct rules_ext *x)
{
	struct err e = ERR_INIT;

	memset(x, 0, sizeof(*x));
	x->merge_blocks = cli_bool(c, "merge-blocks");
	if (cli_isset(c, "block-duration")) {
		if (cli_isset(c, "max-block-duration"))
			return cli_usage_error(c, "--block-duration and --max-block-duration cannot be used together");
		if (rules_backfill_check_block_duration(cli_int(c, "block-duration"), &e) < 0) {
			int rc = cli_usage_error(c, "invalid --block-duration=%s: %s", cli_str(c, "block-duration"),
						 err_msg(&e));
			err_release(&e);
			return rc;
		}
		x->block_duration_ms = cli_int(c, "block-duration") / 1000000;
	}
	return -1;
}

void rules_ext_apply(const struct rules_ext *x, struct rb_config *cfg)
{
	cfg->block_duration_ms = x->block_duration_ms;
	cfg->merge_blocks = x->merge_blocks;
}

void rules_ext_release(struct rules_ext *x)
{
	memset(x, 0, sizeof(*x));
}
