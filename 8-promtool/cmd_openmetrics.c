/*
 * promtool tsdb create-blocks-from openmetrics <input file> [<output directory>]
 *
 * backfillOpenMetrics of cmd/promtool/tsdb.go (2.42): open the input, create
 * the output directory ("create output dir: ..."), backfill, print each
 * block as it is written (its own table, the header only before the first),
 * and on failure print the error alone on stderr with exit code 1.
 * Extension: --progress (8-promtool/progress_opt.h), drawn through the
 * backfill logger, which also prints the error line.
 *
 * Per release (--compat): the block bytes (3-tsdb/block_writer.h), the
 * custom labels of --label k=v (2.55+; the flag itself is registered with
 * the release's help), and from 3.3 a named pipe or character device as
 * input, read whole first (os.ReadFile; here into an unlinked temporary
 * file, so the import still streams with pread).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "1-common/compat.h"
#include "1-common/err.h"
#include "1-common/fileutil.h"
#include "1-common/goerrno.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
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

/*
 * backfillOpenMetrics of 3.3+: os.Stat first (its error is the message), a
 * pipe or character device read whole.  Returns the fd to import from, -2
 * when path is a regular file (opened as 2.42 does by the caller), or -1
 * with e set.
 */
static int open_pipe_input(const char *path, struct err *e)
{
	const char *tmpdir = getenv("TMPDIR");
	char *tmpl = NULL;
	char buf[65536];
	struct stat st;
	int in = -1, out = -1, ret = -1;

	if (stat(path, &st) < 0)
		return err_set(e, "stat %s: %s", path, go_strerror(errno));
	if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
		return -2;
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		err_set(e, "open %s: %s", path, go_strerror(errno));
		goto done;
	}
	tmpl = xasprintf("%s/promtool-openmetrics-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	out = mkostemp(tmpl, O_CLOEXEC);
	if (out < 0) {
		err_set(e, "read %s: spool to %s: %s", path, tmpl, go_strerror(errno));
		goto done;
	}
	unlink(tmpl);
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(e, "read %s: %s", path, go_strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				err_set(e, "read %s: spool: %s", path, go_strerror(errno));
				goto done;
			}
			off += w;
		}
	}
	ret = out;
	out = -1;
done:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(tmpl);
	return ret;
}

/* --label k=v, as kingpin's StringMap takes them: split at the first '=',
 * a later value for the same name replaces an earlier one. */
static int custom_labels(const struct cli_ctx *c, struct labels *out)
{
	size_t n = 0;
	const char *const *vals = cli_list(c, "label", &n);

	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(vals[i], '=');
		char *name;

		if (!eq)
			return cli_usage_error(c, "expected KEY=VALUE got '%s'", vals[i]);
		name = xstrndup(vals[i], (size_t)(eq - vals[i]));
		labels_set_copy(out, name, eq + 1);
		free(name);
	}
	return 0;
}

int cmd_tsdb_create_blocks_from_openmetrics(const struct cli_ctx *c)
{
	struct labels extra = LABELS_INIT;
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

	o.compat = cli_compat(c);
	if (compat_on(o.compat, COMPAT_OM_LABEL_FLAG)) {
		if (custom_labels(c, &extra) < 0)
			return 1;
		o.labels = extra.v;
		o.nlabels = extra.n;
	}
	bf_log_init(&log, stderr);
	if (progress_opt_enabled(c)) {
		/* EXTENSION: the progress line; without it stderr is 2.42's */
		bf_log_enable_status(&log);
		bf_progress_init(&progress, &log, "openmetrics", progress_opt_columns(2));
		o.progress = &progress;
	}
	if (!o.output_dir)
		o.output_dir = "data/";
	fd = compat_on(o.compat, COMPAT_OM_PIPE_INPUT) ? open_pipe_input(o.input_path, &e) : -2;
	if (fd == -2)
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
	labels_release(&extra);
	err_release(&e);
	return rc;
}
