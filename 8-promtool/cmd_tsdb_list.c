/*
 * promtool tsdb list [-r] [<db path>] (cmd/promtool/tsdb.go listBlocks of
 * 2.42): the blocks of a data directory, ordered by minTime, as the table
 * printBlocks draws (8-promtool/blocktable.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "1-common/xalloc.h"
#include "8-promtool/blocktable.h"
#include "8-promtool/cli.h"
#include "3-tsdb/db_reader.h"

int cmd_tsdb_list(const struct cli_ctx *c)
{
	const char *path = cli_str(c, "db path");
	struct tsdb_db db;
	struct err e = ERR_INIT;
	struct block_meta *metas = NULL;
	uint64_t *sizes = NULL;
	int ret = 1;

	ret = tsdb_db_open_blocks(&db, path ? path : "data/", &e) < 0;
	print_skipped_blocks(db.skipped, db.nskipped);
	if (ret)
		goto done;
	ret = 1;
	metas = xcalloc(db.nblocks ? db.nblocks : 1, sizeof(*metas));
	sizes = xcalloc(db.nblocks ? db.nblocks : 1, sizeof(*sizes));
	for (size_t i = 0; i < db.nblocks; i++) {
		metas[i] = db.blocks[i].meta; /* shallow: the db keeps ownership */
		if (block_dir_size(db.blocks[i].dir, &sizes[i], &e) < 0)
			goto done;
	}
	print_blocks(stdout, metas, sizes, db.nblocks, true, cli_bool(c, "human-readable"));
	ret = 0;
done:
	if (ret)
		fprintf(stderr, "%s\n", err_msg(&e));
	free(metas);
	free(sizes);
	tsdb_db_release(&db);
	err_release(&e);
	return ret;
}
