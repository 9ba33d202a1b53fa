/*
 * The commands of later releases (--compat) this build lists in help but
 * does not implement: push metrics of 3.8 and later
 * (8-promtool/cmd_push_metrics.c sends here).
 * Running one is an error that says so, never a silent no-op
 * (COMPATIBILITY.md, "Version profiles").
 */
#include <stdio.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "8-promtool/cli_internal.h"
#include "8-promtool/commands.h"

int cmd_not_in_build(const struct cli_ctx *c)
{
	struct buf name = BUF_INIT;
	char v[32];

	for (int i = 0; i < c->depth; i++) {
		if (i)
			buf_addc(&name, ' ');
		buf_adds(&name, c->path[i]->name);
	}
	fflush(stdout);
	fprintf(stderr, "%s: error: %s of promtool %s is not implemented in this build\n", c->app_name,
		buf_str(&name), compat_format(&c->compat, v, sizeof(v)));
	buf_release(&name);
	return 1;
}
