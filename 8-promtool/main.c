/* promtool: the table in 8-promtool/commands.c drives everything. */
#include <malloc.h>

#include "8-promtool/cli_table.h"

int main(int argc, char **argv)
{
	/*
	 * Memory freed between the backfill's queries and windows (decoded
	 * samples, per-step values) is taken again at once: keep it in the
	 * heap rather than give it back to the kernel and fault it in anew
	 * (a third of a local backfill's page faults).  Peak use is not
	 * changed; only what the heap holds between peaks.
	 */
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	return cli_main(&promtool_app, argc, argv);
}
