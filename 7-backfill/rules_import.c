/*
 * The rule importer, as cmd/promtool/rules.go (2.42) runs it:
 *
 *   for each group ("processing group", name = "<file>;<group>"),
 *     for each rule ("processing rule", id = index in the group),
 *       for each block window [k*D, (k+1)*D - 1] ms touching [start, end]:
 *         query from the group's first evaluation slot at or after the
 *         window start (whole seconds) to min(window end, end) (whole
 *         seconds), step = group interval;
 *         write one block of the results, labelled
 *           result metric, then the rule's labels, then __name__ = rule name
 *         (an empty value deletes the label, as labels.Builder does),
 *         committing every 5000 samples (maxSamplesInMemory).
 *
 * Alerting rules go through the same path: promtool 2.42 backfills an
 * alert's expression under the alert's name with the alert's labels.
 *
 * A window without an evaluation time is skipped; 2.42 stops the rule
 * there (upstream #19714), which COMPATIBILITY.md lists as a fixed bug.
 *
 * A rule's error ends that rule (later windows are not tried) and is
 * reported after all groups, as importAll collects them.  Groups run in
 * the order the files and groups were given; promtool iterates a Go map,
 * so its order varies from run to run -- the blocks written do not depend
 * on it.
 */
#include "7-backfill/rules_import.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "1-common/goerrno.h"
#include "1-common/xalloc.h"
#include "3-tsdb/block_writer.h"
#include "7-backfill/log.h"

enum { MAX_SAMPLES_IN_MEMORY = 5000 };

static const int64_t DEFAULT_BLOCK_MS = 2 * 3600 * 1000;

int64_t rules_backfill_block_duration(int64_t max_ms)
{
	int64_t ranges[10], d = DEFAULT_BLOCK_MS;
	int idx = 9;

	if (max_ms <= DEFAULT_BLOCK_MS)
		return DEFAULT_BLOCK_MS;
	/* tsdb.ExponentialBlockRanges(2h, 10, 3) */
	for (int i = 0; i < 10; i++, d *= 3)
		ranges[i] = d;
	for (int i = 0; i < 10; i++)
		if (ranges[i] > max_ms) {
			idx = i - 1;
			break;
		}
	return ranges[idx];
}

int64_t rules_backfill_eval_timestamp(const char *file, const char *name, int64_t interval_ns, int64_t t_ns)
{
	/* Group.hash(): labels {file, name} in sorted order */
	struct label ls[2] = { { "file", file }, { "name", name } };
	uint64_t h = labels_hash(ls, 2);
	int64_t offset = (int64_t)(h % (uint64_t)interval_ns);
	int64_t adj = t_ns - offset;
	int64_t base = adj - adj % interval_ns;
	return base + offset;
}

/* State of one window's import: the sink the query source feeds. */
struct window {
	const struct rb_rule *rule;
	const struct rb_config *cfg;
	struct bf_log *log;
	int64_t block_ms;
	struct block_writer *w;
	int failed_here;  /* the error was set by a callback, not the source */
	size_t pending;   /* samples since the last commit */
	struct labels lb;
};

/* labels.Builder.Set: an empty value deletes. */
static void builder_set(struct labels *lb, const char *name, const char *value)
{
	if (!*value)
		labels_del(lb, name);
	else
		labels_set_copy(lb, name, value);
}

/* os.MkdirAll, as compactor.Write creates the destination on flush. */
static int mkdir_all(const char *dir, struct err *e)
{
	char *p = xstrdup(dir);
	int rc = 0;
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || !*s) {
			char saved = *s;
			struct stat st;
			*s = '\0';
			if (stat(p, &st) != 0) {
				if (mkdir(p, 0777) != 0 && errno != EEXIST) {
					rc = err_set(e, "mkdir %s: %s", p, go_strerror(errno));
					break;
				}
			} else if (!S_ISDIR(st.st_mode)) {
				rc = err_set(e, "mkdir %s: not a directory", p);
				break;
			}
			*s = saved;
			if (!saved)
				break;
		}
	}
	free(p);
	return rc;
}

static int on_begin(void *arg, const char *type, const char *const *warnings, size_t nwarnings, struct err *e)
{
	struct window *win = arg;
	(void)nwarnings;

	win->failed_here = 1;
	if (warnings) {
		/* go-kit cannot encode v1.Warnings ([]string) and says so */
		static const char *const kv[] = { "msg", "Range query returned warnings.", "warnings",
						  "unsupported value type" };
		bf_log_kv(win->log, "warn", kv, 4);
	}
	/* twice the block size: see rules.go, the writer must accept the whole window */
	if (block_writer_new(&win->w, win->cfg->output_dir, 2 * win->block_ms, e))
		return err_wrap(e, "new block writer");
	if (strcmp(type, "matrix"))
		return err_set(e, "rule result is wrong type %s", type);
	win->failed_here = 0;
	return 0;
}

static int commit(struct window *win, struct err *e)
{
	if (!win->pending)
		return 0;
	if (block_writer_commit(win->w, e))
		return err_wrap(e, "multiappender commit");
	win->pending = 0;
	return 0;
}

static int on_series(void *arg, const struct query_series *s, struct err *e)
{
	struct window *win = arg;
	const struct rb_rule *r = win->rule;

	win->failed_here = 1;
	labels_reset(&win->lb);
	for (size_t i = 0; i < s->nlabels; i++)
		builder_set(&win->lb, s->labels[i].name, s->labels[i].value);
	for (size_t i = 0; i < r->nlabels; i++)
		builder_set(&win->lb, r->labels[i].name, r->labels[i].value);
	builder_set(&win->lb, "__name__", r->name);
	labels_sort(&win->lb);
	/*
	 * 2.42 appends with the label set every time; the head finds the same
	 * series each time, so once the first append has resolved it, later
	 * samples go by reference and skip hashing the labels again.
	 */
	uint32_t ref = UINT32_MAX;
	for (size_t i = 0; i < s->n; i++) {
		int rc = ref == UINT32_MAX
				 ? block_writer_append_get_ref(win->w, win->lb.v, win->lb.n, s->t[i], s->v[i], &ref, e)
				 : block_writer_append_ref(win->w, ref, s->t[i], s->v[i], e);
		if (rc) {
			err_wrap(e, "multiappender append");
			return err_wrap(e, "add");
		}
		if (++win->pending >= MAX_SAMPLES_IN_MEMORY && commit(win, e))
			return err_wrap(e, "add");
	}
	win->failed_here = 0;
	return 0;
}

static int64_t unix_sec(int64_t ns)
{
	int64_t s = ns / 1000000000;
	if (ns % 1000000000 < 0)
		s--;
	return s;
}

static int import_rule(const struct rb_config *cfg, const struct rb_group *g, const struct rb_rule *rule,
		       struct query_source *src, struct bf_log *log, struct err *e)
{
	int64_t block_ms = rules_backfill_block_duration(cfg->max_block_duration_ms);
	int64_t start_ms = cfg->start.sec * 1000, end_ms = cfg->end.sec * 1000;
	struct window win;
	int rc = 0;

	memset(&win, 0, sizeof(win));
	win.rule = rule;
	win.cfg = cfg;
	win.log = log;
	win.block_ms = block_ms;
	labels_init(&win.lb);

	for (int64_t sob = block_ms * (start_ms / block_ms); sob <= end_ms; sob += block_ms) {
		int64_t eob = sob + block_ms - 1;
		int64_t cur = sob / 1000 > cfg->start.sec ? sob / 1000 : cfg->start.sec;
		int64_t aligned = rules_backfill_eval_timestamp(g->file, g->name, g->interval_ns, cur * 1000000000);
		int64_t end_s = eob / 1000 < cfg->end.sec ? eob / 1000 : cfg->end.sec;
		struct query_sink sink = { &win, on_begin, on_series };
		int flushed;
		struct block_meta meta;

		while (unix_sec(aligned) < cur)
			aligned += g->interval_ns;
		if (end_s * 1000000000 < aligned) {
			/*
			 * No evaluation time in this window.  2.42 stops the rule
			 * here even when later windows have some (upstream #19714:
			 * a start just before a block boundary backfills nothing
			 * and exits 0); we stop only past the end of the range.
			 */
			if (cfg->end.sec * 1000000000 < aligned)
				break;
			continue;
		}
		win.failed_here = 0;
		win.pending = 0;
		if (query_source_range(src, rule->expr, aligned, end_s * 1000000000, g->interval_ns, &sink, e)) {
			if (!win.failed_here)
				err_wrap(e, "query range");
			rc = -1;
			goto done;
		}
		if (commit(&win, e)) {
			err_wrap(e, "flush and commit");
			rc = -1;
			goto done;
		}
		if (mkdir_all(cfg->output_dir, e)) {
			err_wrap(e, "compactor write");
			err_wrap(e, "multiappender flush");
			err_wrap(e, "flush and commit");
			rc = -1;
			goto done;
		}
		memset(&meta, 0, sizeof(meta));
		flushed = block_writer_flush(win.w, &meta, e);
		if (flushed < 0) {
			err_wrap(e, "multiappender flush");
			err_wrap(e, "flush and commit");
			rc = -1;
			goto done;
		}
		if (flushed == 0)
			block_meta_release(&meta);
		block_writer_free(win.w);
		win.w = NULL;
	}
done:
	block_writer_free(win.w);
	labels_release(&win.lb);
	return rc;
}

size_t rules_backfill_run(const struct rb_config *cfg, const struct rb_group *groups, size_t ngroups,
			  struct query_source *src, struct bf_log *log, char ***errs)
{
	size_t nerrs = 0, cap = 0;
	char **seen = NULL;
	size_t nseen = 0, seen_cap = 0;

	*errs = NULL;
	for (size_t gi = 0; gi < ngroups; gi++) {
		const struct rb_group *g = &groups[gi];
		char *key = xasprintf("%s;%s", g->file, g->name);
		int dup = 0;
		/* rules.GroupKey collisions collapse into one map entry */
		for (size_t k = 0; k < nseen; k++)
			if (!strcmp(seen[k], key))
				dup = 1;
		if (dup) {
			free(key);
			continue;
		}
		ALLOC_GROW(seen, nseen + 1, seen_cap);
		seen[nseen++] = key;
		{
			const char *kv[] = { "backfiller", "processing group", "name", key };
			bf_log_kv(log, "info", kv, 4);
		}
		for (size_t ri = 0; ri < g->nrules; ri++) {
			const struct rb_rule *r = &g->rules[ri];
			struct err e = ERR_INIT;
			char id[32];
			snprintf(id, sizeof(id), "%zu", ri);
			{
				const char *kv[] = { "backfiller", "processing rule", "id", id, "name", r->name };
				bf_log_kv(log, "info", kv, 6);
			}
			if (import_rule(cfg, g, r, src, log, &e)) {
				ALLOC_GROW(*errs, nerrs + 1, cap);
				(*errs)[nerrs++] = xstrdup(err_msg(&e));
			}
			err_release(&e);
		}
	}
	for (size_t k = 0; k < nseen; k++)
		free(seen[k]);
	free(seen);
	return nerrs;
}

void rules_backfill_log_start(const struct rb_config *cfg, struct bf_log *log)
{
	struct buf s = BUF_INIT, e = BUF_INIT;
	const char *kv[6];

	/* newRuleImporter: times as time.RFC822 in their own zone */
	go_fmt_rfc822(&s, &cfg->start);
	go_fmt_rfc822(&e, &cfg->end);
	kv[0] = "backfiller";
	kv[1] = "new rule importer";
	kv[2] = "start";
	kv[3] = buf_str(&s);
	kv[4] = "end";
	kv[5] = buf_str(&e);
	bf_log_kv(log, "info", kv, 6);
	buf_release(&s);
	buf_release(&e);
}
