/*
 * promtool tsdb create-blocks-from openmetrics <input file> [<output directory>]
 *
 * backfillOpenMetrics of cmd/promtool/tsdb.go (2.42): open the input, create
 * the output directory ("create output dir: ..."), backfill, print each
 * block as it is written (its own table, the header only before the first),
 * and on failure print the error alone on stderr with exit code 1.
 * Extension: --progress (8-promtool/progress_opt.h), drawn through the
 * backfill logger, which also prints the error line.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "1-common/err.h"
#include "1-common/fileutil.h"
#include "8-promtool/blocktable.h"
#include "8-promtool/cli.h"
#include "7-backfill/log.h"
#include "7-backfill/om_import.h"
#include "7-backfill/progress.h"
#include "8-promtool/progress_opt.h"

struct print_state {
	bool quiet, human, wrote_header;
	struct bf_log *log;
};

static int print_block(const struct block_meta *meta, const char *dir, void *arg, struct err *e)
{
	struct print_state *ps = arg;
	uint64_t size;

	if (ps->quiet)
		return 0;
	if (block_dir_size(dir, &size, e) < 0)
		return err_wrap(e, "get blocks");
	/* a progress line on the same terminal goes away first; the next
	 * update draws it again */
	bf_log_status(ps->log, NULL);
	print_blocks(stdout, meta, &size, 1, !ps->wrote_header, ps->human);
	fflush(stdout);
	ps->wrote_header = true;
	return 0;
}

int cmd_tsdb_create_blocks_from_openmetrics(const struct cli_ctx *c)
{
	struct bf_log log;
	struct bf_progress progress;
	struct print_state ps = { cli_bool(c, "quiet"), cli_bool(c, "human-readable"), false, &log };
	struct om_import_opts o = {
		.input_path = cli_str(c, "input file"),
		.output_dir = cli_str(c, "output directory"),
		/* int64(maxBlockDuration / time.Millisecond) */
		.max_block_duration_ms = cli_int(c, "max-block-duration") / 1000000,
		.max_samples_in_appender = 5000,
		.on_block = print_block,
		.arg = &ps,
	};
	struct err e = ERR_INIT;
	int fd = -1, rc = 1;

	bf_log_init(&log, stderr);
	if (progress_opt_enabled(c)) {
		/* EXTENSION: the progress line; without it stderr is 2.42's */
		bf_log_enable_status(&log);
		bf_progress_init(&progress, &log, "openmetrics", progress_opt_columns(2));
		o.progress = &progress;
	}
	if (!o.output_dir)
		o.output_dir = "data/";
	fd = om_import_open(o.input_path, &e);
	if (fd < 0)
		goto done;
	if (go_mkdir_all(o.output_dir, 0777, &e) < 0) {
		err_wrap(&e, "create output dir");
		goto done;
	}
	remove_stale_tmp_dirs(o.output_dir);
	if (om_import_run(fd, &o, &e) < 0)
		goto done;
	rc = 0;
done:
	if (o.progress)
		bf_progress_end(o.progress);
	if (rc) {
		bf_log_text(&log, err_msg(&e), strlen(err_msg(&e)));
		bf_log_text(&log, "\n", 1);
	}
	bf_log_release(&log);
	if (fd >= 0)
		close(fd);
	err_release(&e);
	return rc;
}
