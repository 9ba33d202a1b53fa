/*
 * The extension flags of `tsdb create-blocks-from rules`
 * (8-promtool/rules_ext.h).  Misuse is reported as kingpin reports usage
 * errors ("promtool: error: ..., try --help", exit 1).
 */
#include "8-promtool/rules_ext.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/xalloc.h"
#include "7-backfill/resume.h"

int rules_ext_check(const struct cli_ctx *c, struct rules_ext *x)
{
	struct err e = ERR_INIT;

	memset(x, 0, sizeof(*x));
	buf_init(&x->resume_args);
	x->merge_blocks = cli_bool(c, "merge-blocks");
	x->resume = cli_bool(c, "resume");
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
	x->concurrency = (int)cli_int(c, "concurrency"); /* 0: rules_ext_sources picks */
	if (x->concurrency < 0 || x->concurrency > 256)
		return cli_usage_error(c, "--concurrency must be between 0 and 256, got %s", cli_str(c, "concurrency"));
	if (x->resume && !cli_isset(c, "end"))
		return cli_usage_error(c, "--resume needs --end (its default, 3 hours ago, moves between runs)");
	/* --shard=auto: an Indexed Job's JOB_COMPLETION_INDEX; Kubernetes does
	 * not give the pod its completions, the Job sets JOB_COMPLETIONS */
	if (cli_isset(c, "shard") && rb_shard_parse(&x->shard, cli_str(c, "shard"), getenv("JOB_COMPLETION_INDEX"),
						     getenv("JOB_COMPLETIONS"), &e) < 0) {
		int rc = cli_usage_error(c, "%s", err_msg(&e));
		err_release(&e);
		return rc;
	}
	return -1;
}

/* time as Unix nanoseconds (start and end are what the import uses) */
static void add_time(struct buf *b, const char *key, const struct go_time *t)
{
	buf_addf(b, "%s=%lld.%09d\n", key, (long long)t->sec, (int)t->nsec);
}

int rules_ext_apply(const struct cli_ctx *c, struct rules_ext *x, struct rb_config *cfg, struct err *e)
{
	struct buf *a = &x->resume_args;
	const char *const *files;
	size_t nfiles = 0;

	cfg->block_duration_ms = x->block_duration_ms;
	cfg->merge_blocks = x->merge_blocks;
	cfg->shard = x->shard;
	if (!x->resume)
		return 0;
	/* everything that shapes the blocks; not --concurrency, --progress */
	add_time(a, "start", &cfg->start);
	add_time(a, "end", &cfg->end);
	buf_addf(a, "eval-interval=%lld\n", (long long)cli_int(c, "eval-interval"));
	buf_addf(a, "max-block-duration=%lld\n", (long long)cfg->max_block_duration_ms);
	buf_addf(a, "block-duration=%lld\n", (long long)cfg->block_duration_ms);
	buf_addf(a, "merge-blocks=%d\n", cfg->merge_blocks);
	if (x->shard.count > 1) /* a state is one shard's: another shard's run must not take it */
		buf_addf(a, "shard=%zu/%zu\n", x->shard.index, x->shard.count);
	if (cli_isset(c, "source-dir"))
		buf_addf(a, "source-dir=%s\n", cli_str(c, "source-dir"));
	else
		buf_addf(a, "url=%s\n", cli_str(c, "url"));
	files = cli_list(c, "rule-files", &nfiles);
	for (size_t i = 0; i < nfiles; i++)
		if (rb_resume_file_arg(a, files[i], e) < 0)
			return -1;
	cfg->resume_args = buf_str(a);
	if (getenv("PROMTOOL_TEST_RESUME_KILL_AT"))
		cfg->resume_kill_at = atoi(getenv("PROMTOOL_TEST_RESUME_KILL_AT"));
	return 0;
}

/*
 * --concurrency=0 with --source-dir: the CPUs this process may run on
 * (its affinity mask, which a container's cpuset narrows), at most 4, as
 * each thread holds its own windows' series.
 */
static size_t local_workers(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	n = CPU_COUNT(&set);
	return n < 1 ? 1 : n > 4 ? 4 : (size_t)n;
}

int rules_ext_sources(struct rules_ext *x, struct query_source *src, bool local,
		      int (*make_remote)(struct query_source **out, void *arg, struct err *e), void *arg,
		      struct err *e)
{
	size_t n = x->concurrency > 0 ? (size_t)x->concurrency : local ? local_workers() : 1;

	x->srcs = xcalloc(n, sizeof(*x->srcs));
	x->srcs[0] = src;
	x->nsrcs = 1;
	x->own_extra_srcs = !local;
	for (size_t i = 1; i < n; i++) {
		if (local)
			x->srcs[i] = src;
		else if (make_remote(&x->srcs[i], arg, e) < 0)
			return -1;
		x->nsrcs++;
	}
	return 0;
}

void rules_ext_release(struct rules_ext *x)
{
	if (x->own_extra_srcs)
		for (size_t i = 1; i < x->nsrcs; i++)
			query_source_free(x->srcs[i]);
	free(x->srcs);
	buf_release(&x->resume_args);
	memset(x, 0, sizeof(*x));
}
