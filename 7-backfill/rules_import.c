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
 *
 * This file holds the plan (rules in order, windows) and the work of one
 * unit (one rule over one window); 7-backfill/rules_sched.c runs the units
 * and writes the blocks.  Extensions: --block-duration (exact windows,
 * queries split at the API's 11,000 points), --merge-blocks (one block
 * per window, see rules_sched.c) and --shard (some of the units:
 * rb_plan_owns() in rules_internal.h).
 */
#include "7-backfill/rules_import.h"

#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "1-common/xalloc.h"
#include "3-tsdb/block_writer.h"
#include "7-backfill/log.h"
#include "7-backfill/resume.h"
#include "7-backfill/rules_internal.h"

enum { MAX_SAMPLES_IN_MEMORY = 5000 };
/* web/api/v1 queryRange: more points than this per series is bad_data. */
enum { MAX_POINTS_PER_QUERY = 11000 };

static const int64_t DEFAULT_BLOCK_MS = 2 * 3600 * 1000;
static const int64_t HOUR_MS = 3600 * 1000;
static const int64_t DAY_MS = 24 * 3600 * 1000;

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

int rules_backfill_check_block_duration(int64_t ns, struct err *e)
{
	int64_t ms = ns / 1000000;

	if (ns < HOUR_MS * 1000000)
		return err_set(e, "must be at least 1h");
	if (ns % 1000000 != 0 || (DAY_MS % ms != 0 && ms % DAY_MS != 0))
		return err_set(e, "must divide 24h or be a multiple of it (blocks must not cross a UTC midnight)");
	return 0;
}

/* A shard number: decimal digits only, at most max. */
static int shard_number(const char *s, size_t max, size_t *out)
{
	size_t n = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (max - (size_t)(*s - '0')) / 10)
			return -1;
		n = n * 10 + (size_t)(*s - '0');
	}
	*out = n;
	return 0;
}

enum { MAX_SHARDS = 1000000 };

int rb_shard_parse(struct rb_shard *out, const char *spec, const char *env_index, const char *env_count,
		   struct err *e)
{
	const char *slash = strchr(spec, '/');
	char *i_s = NULL;
	int rc = 0;

	out->index = out->count = 0;
	if (!strcmp(spec, "auto")) {
		if (!env_index || !*env_index || !env_count || !*env_count)
			return err_set(e, "--shard=auto needs JOB_COMPLETION_INDEX and JOB_COMPLETIONS in the "
					  "environment (an Indexed Job's index and its completions)");
		if (shard_number(env_index, MAX_SHARDS, &out->index) < 0 ||
		    shard_number(env_count, MAX_SHARDS, &out->count) < 0 || out->index >= out->count)
			rc = err_set(e, "invalid --shard=auto: JOB_COMPLETION_INDEX=\"%s\" JOB_COMPLETIONS=\"%s\": want "
					"0 <= index < completions <= %d",
				     env_index, env_count, MAX_SHARDS);
		goto done;
	}
	if (slash)
		i_s = xstrndup(spec, (size_t)(slash - spec));
	if (!slash || shard_number(i_s, MAX_SHARDS, &out->index) < 0 ||
	    shard_number(slash + 1, MAX_SHARDS, &out->count) < 0 || out->index >= out->count)
		rc = err_set(e, "invalid --shard=\"%s\": want i/n with 0 <= i < n <= %d, or auto", spec, MAX_SHARDS);
done:
	free(i_s);
	if (rc < 0)
		out->index = out->count = 0;
	return rc;
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

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int rb_plan_init(struct rb_plan *p, const struct rb_config *cfg, const struct rb_group *groups, size_t ngroups,
		 struct err *e)
{
	int64_t start_ms = cfg->start.sec * 1000, end_ms = cfg->end.sec * 1000;
	size_t cap = 0;

	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	if (cfg->block_duration_ms) {
		p->block_ms = cfg->block_duration_ms;
		p->first_ms = floor_div(start_ms, p->block_ms) * p->block_ms;
		p->split = true;
	} else {
		p->block_ms = rules_backfill_block_duration(cfg->max_block_duration_ms);
		/* Go's division, toward zero, as importRule does */
		p->first_ms = p->block_ms * (start_ms / p->block_ms);
	}
	if (end_ms >= p->first_ms)
		p->nwin = (size_t)((end_ms - p->first_ms) / p->block_ms) + 1;
	else
		p->nwin = 1; /* before 1970, toward-zero alignment can leave none; one empty
			      * window keeps every rule's log lines, as 2.42 prints them */

	for (size_t gi = 0; gi < ngroups; gi++) {
		const struct rb_group *g = &groups[gi];
		char *key = xasprintf("%s;%s", g->file, g->name);
		bool dup = false;

		/* rules.GroupKey collisions collapse into one map entry */
		for (size_t k = 0; k < p->nrules && !dup; k++)
			dup = p->rules[k].group_key && !strcmp(p->rules[k].group_key, key);
		if (dup) {
			free(key);
			continue;
		}
		for (size_t ri = 0; ri < (g->nrules ? g->nrules : 1); ri++) {
			ALLOC_GROW(p->rules, p->nrules + 1, cap);
			p->rules[p->nrules++] = (struct rb_rule_ref){ g, g->nrules ? &g->rules[ri] : NULL, ri,
								      ri == 0 ? key : NULL };
		}
	}
	if (p->nwin && p->nrules > SIZE_MAX / p->nwin)
		return err_set(e, "too many rules and windows to backfill (%zu x %zu)", p->nrules, p->nwin);
	p->nunits = p->nrules * p->nwin;
	return 0;
}

void rb_plan_release(struct rb_plan *p)
{
	for (size_t i = 0; i < p->nrules; i++)
		free(p->rules[i].group_key);
	free(p->rules);
	memset(p, 0, sizeof(*p));
}

void rb_unit_result_init(struct rb_unit_result *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->log);
	r->prepared = -1;
}

void rb_unit_result_release(struct rb_unit_result *r)
{
	block_writer_free(r->w);
	free(r->err);
	buf_release(&r->log);
	rb_unit_result_init(r);
}

/* State of one unit's import: the sink the query source feeds. */
struct window {
	const struct rb_rule *rule;
	const struct rb_config *cfg;
	struct rb_unit_result *res;
	int64_t block_ms;
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

static int on_begin(void *arg, const char *type, const char *const *warnings, size_t nwarnings, struct err *e)
{
	struct window *win = arg;
	(void)nwarnings;

	win->failed_here = 1;
	if (warnings) {
		/* go-kit cannot encode v1.Warnings ([]string) and says so */
		static const char *const kv[] = { "msg", "Range query returned warnings.", "warnings",
						  "unsupported value type" };
		bf_logfmt_line(&win->res->log, "warn", kv, 4);
	}
	/* twice the block size: see rules.go, the writer must accept the whole
	 * window; one writer for all the queries of a split window */
	if (!win->res->w && block_writer_new(&win->res->w, win->cfg->output_dir, 2 * win->block_ms, e))
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
	if (block_writer_commit(win->res->w, e))
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
				 ? block_writer_append_get_ref(win->res->w, win->lb.v, win->lb.n, s->t[i], s->v[i], &ref, e)
				 : block_writer_append_ref(win->res->w, ref, s->t[i], s->v[i], e);
		if (rc) {
			err_wrap(e, "multiappender append");
			return err_wrap(e, "add");
		}
		win->res->samples++;
		if (++win->pending >= MAX_SAMPLES_IN_MEMORY && commit(win, e))
			return err_wrap(e, "add");
	}
	win->failed_here = 0;
	return 0;
}

/* Unix seconds of a time in ms: Go's division (toward zero) as 2.42, or
 * floor for the epoch-aligned windows of --block-duration. */
static int64_t ms_to_s(const struct rb_plan *p, int64_t ms)
{
	return p->split ? floor_div(ms, 1000) : ms / 1000;
}

static int64_t unix_sec(int64_t ns)
{
	return floor_div(ns, 1000000000);
}

/* One range query of the unit: [start_ns, end_ns] at the group interval. */
static int query(struct window *win, const struct rb_group *g, struct query_source *src, int64_t start_ns,
		 int64_t end_ns, struct err *e)
{
	struct query_sink sink = { win, on_begin, on_series };

	win->failed_here = 0;
	if (query_source_range(src, win->rule->expr, start_ns, end_ns, g->interval_ns, &sink, e)) {
		if (!win->failed_here)
			err_wrap(e, "query range");
		return -1;
	}
	return 0;
}

void rb_unit_run(const struct rb_plan *p, size_t rule, size_t wi, struct query_source *src, struct rb_unit_result *r)
{
	const struct rb_config *cfg = p->cfg;
	const struct rb_rule_ref *ref = &p->rules[rule];
	const struct rb_group *g = ref->group;
	int64_t sob = p->first_ms + (int64_t)wi * p->block_ms, eob = sob + p->block_ms - 1;
	int64_t cur = ms_to_s(p, sob) > cfg->start.sec ? ms_to_s(p, sob) : cfg->start.sec;
	int64_t end_s = ms_to_s(p, eob) < cfg->end.sec ? ms_to_s(p, eob) : cfg->end.sec;
	int64_t aligned, end_ns;
	struct window win;
	struct err e = ERR_INIT;
	int rc = 0;

	if (!ref->rule)
		return;
	aligned = rules_backfill_eval_timestamp(g->file, g->name, g->interval_ns, cur * 1000000000);
	while (unix_sec(aligned) < cur)
		aligned += g->interval_ns;
	end_ns = end_s * 1000000000;
	if (p->split) {
		/*
		 * 2.42 ends each window's query at its last whole second, so an
		 * evaluation time within the window's last second (x.5s before
		 * the next window) is never queried; exact windows end at their
		 * last millisecond instead (the API takes fractional seconds).
		 */
		end_ns = eob * 1000000 < cfg->end.sec * 1000000000 ? eob * 1000000 : cfg->end.sec * 1000000000;
	}
	if (end_ns < aligned)
		return; /* no evaluation time in this window (see #19714 above) */

	memset(&win, 0, sizeof(win));
	win.rule = ref->rule;
	win.cfg = cfg;
	win.res = r;
	win.block_ms = p->block_ms;
	labels_init(&win.lb);
	if (!p->split) {
		rc = query(&win, g, src, aligned, end_ns, &e);
	} else {
		/* at most MAX_POINTS_PER_QUERY evaluation times per query */
		int64_t span = (int64_t)(MAX_POINTS_PER_QUERY - 1) * g->interval_ns;
		for (int64_t s = aligned; rc == 0 && s <= end_ns; s += span + g->interval_ns) {
			int64_t qe = end_ns - s > span ? s + span : end_ns;
			rc = query(&win, g, src, s, qe, &e);
		}
	}
	if (rc == 0 && commit(&win, &e)) {
		err_wrap(&e, "flush and commit");
		rc = -1;
	}
	if (rc) {
		r->err = xstrdup(err_msg(&e));
		block_writer_free(r->w);
		r->w = NULL;
	}
	labels_release(&win.lb);
	err_release(&e);
}

size_t rules_backfill_run(const struct rb_config *cfg, const struct rb_group *groups, size_t ngroups,
			  struct query_source *const *srcs, size_t nsrcs, struct bf_log *log, char ***errs)
{
	struct rb_plan p;
	struct err e = ERR_INIT;
	char **per_rule = NULL;
	struct rb_resume *resume = NULL;
	size_t nerrs = 0;

	*errs = NULL;
	if (rb_plan_init(&p, cfg, groups, ngroups, &e) < 0)
		goto fatal;
	if (cfg->resume_args) {
		struct buf args = BUF_INIT;
		size_t keys = cfg->merge_blocks ? p.nwin : p.nunits;
		int rc;
		buf_addf(&args, "%sunits=%zu\n", cfg->resume_args, keys);
		rc = rb_resume_open(&resume, cfg->output_dir, buf_str(&args), keys, cfg->resume_kill_at, &e);
		buf_release(&args);
		if (rc < 0)
			goto fatal;
	}
	{
		/* the rules' expressions, for sources that share work between them */
		const char **exprs = xcalloc(p.nrules ? p.nrules : 1, sizeof(*exprs));
		size_t nx = 0;
		for (size_t k = 0; k < p.nrules; k++)
			if (p.rules[k].rule)
				exprs[nx++] = p.rules[k].rule->expr;
		for (size_t i = 0; i < nsrcs; i++)
			if (!i || srcs[i] != srcs[i - 1])
				query_source_plan(srcs[i], exprs, nx);
		free(exprs);
	}
	per_rule = xcalloc(p.nrules ? p.nrules : 1, sizeof(*per_rule));
	if (rb_sched_run(&p, srcs, nsrcs, log, resume, per_rule, &e) < 0)
		goto fatal;
	for (size_t k = 0; k < p.nrules; k++)
		if (per_rule[k])
			nerrs++;
	if (nerrs) {
		size_t n = 0;
		*errs = xcalloc(nerrs, sizeof(**errs));
		for (size_t k = 0; k < p.nrules; k++)
			if (per_rule[k])
				(*errs)[n++] = per_rule[k];
	}
	free(per_rule);
	rb_resume_free(resume);
	rb_plan_release(&p);
	return nerrs;
fatal:
	rb_resume_free(resume);
	for (size_t k = 0; per_rule && k < p.nrules; k++)
		free(per_rule[k]);
	free(per_rule);
	rb_plan_release(&p);
	*errs = xcalloc(1, sizeof(**errs));
	(*errs)[0] = xstrdup(err_msg(&e));
	err_release(&e);
	return (size_t)-1;
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
