/*
 * promtool tsdb verify [<db path>] -- an extension (no such command in
 * 2.42): checks a data directory read-only (3-tsdb/verify_reader.h) and
 * prints one line per problem.  Exit 0 when clean, 1 otherwise.
 */
#include <stdio.h>

#include "8-promtool/cli.h"
#include "3-tsdb/verify_reader.h"

static void print_problem(void *ctx, const char *msg)
{
	fprintf(ctx, "%s\n", msg);
}

int cmd_tsdb_verify(const struct cli_ctx *c)
{
	const char *path = cli_str(c, "db path");
	size_t n = tsdb_verify_dir(path ? path : "data/", print_problem, stdout);

	fflush(stdout);
	return n ? 1 : 0;
}
