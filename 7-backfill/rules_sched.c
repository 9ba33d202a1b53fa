/*
 * Running the rules importer's units (7-backfill/rules_internal.h).
 *
 * Units are handed out in plan order to the workers (one per query
 * source; the calling thread is the first) and *finished* strictly in that
 * order, by whichever worker finds the next unit done.  Finishing is where
 * anything becomes visible:
 *
 *   - the unit's log lines are printed ("processing group"/"processing
 *     rule" before a rule's first unit, then its warnings);
 *   - a unit whose rule failed in an earlier unit is dropped unprinted, as
 *     2.42 never runs it; a failed unit records the rule's error;
 *   - with --shard, another shard's unit is dropped too (its header lines
 *     stay, so every shard logs what one run logs), and neither recorded
 *     for --resume nor counted by --progress;
 *   - the block is written: one per unit (2.42), or with --merge-blocks one
 *     per window once the window's last unit is finished, holding every
 *     rule's series as Prometheus's compactor would merge the per-rule
 *     blocks (3-tsdb/compact_merge.h).
 *
 * So the blocks, logs and errors do not depend on the number of workers;
 * only the time at which lines appear does.  With one worker each unit is
 * finished as soon as it has run, and the header lines are printed before
 * it runs, exactly when 2.42 prints them.  At most 2 x workers units are
 * out at a time (plus, when merging, the current window's writers), which
 * bounds memory.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/goerrno.h"
#include "1-common/fileutil.h"
#include "1-common/xalloc.h"
#include "3-tsdb/ulid.h"
#include "7-backfill/progress.h"
#include "7-backfill/resume.h"
#include "7-backfill/rules_internal.h"

struct slot {
	size_t u;
	bool done, skipped;
	bool resumed; /* skipped: recorded as done by an earlier run */
	bool foreign; /* skipped: another shard's unit (--shard) */
	struct buf pre; /* header lines not yet printed */
	struct rb_unit_result res;
};

struct sched {
	const struct rb_plan *p;
	struct bf_log *log;
	struct rb_resume *resume;
	char **errs;
	bool *failed; /* per rule, set under mu when its error is finished */

	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next_dispatch, next_final;
	bool finishing; /* a worker is finishing units */
	struct slot *ring;
	size_t ring_n;

	/* --merge-blocks: the writers of the window being finished */
	struct block_writer **mw;
	size_t *mw_rule;
	size_t nmw, mw_cap;

	bool fatal;
	struct err fatal_err;
};

/* A rule's error, finished: later units of the rule are dropped. */
static void rule_failed(struct sched *s, size_t rule, char *msg)
{
	pthread_mutex_lock(&s->mu);
	s->failed[rule] = true;
	pthread_mutex_unlock(&s->mu);
	s->errs[rule] = msg;
}

static bool is_failed(struct sched *s, size_t rule)
{
	bool f;

	pthread_mutex_lock(&s->mu);
	f = s->failed[rule];
	pthread_mutex_unlock(&s->mu);
	return f;
}

/* The run cannot go on (the resume state is not writable). */
static void set_fatal(struct sched *s, struct err *e)
{
	pthread_mutex_lock(&s->mu);
	if (!s->fatal)
		err_move(&s->fatal_err, e);
	s->fatal = true;
	pthread_mutex_unlock(&s->mu);
	err_release(e);
}

/* The resume key of a unit: itself, or its window when merging. */
static size_t resume_key(const struct rb_plan *p, size_t u)
{
	size_t rule, win;

	rb_plan_unit(p, u, &rule, &win);
	return p->cfg->merge_blocks ? win : u;
}

static int record_begin(struct sched *s, size_t key, const char *ulid)
{
	struct err e = ERR_INIT;

	if (!s->resume || rb_resume_begin(s->resume, key, ulid, &e) == 0)
		return 0;
	set_fatal(s, &e);
	return -1;
}

static void record_done(struct sched *s, size_t key, const char *ulid)
{
	struct err e = ERR_INIT;

	if (s->resume && rb_resume_finish(s->resume, key, ulid, &e) < 0)
		set_fatal(s, &e);
}

/* The error text of a failed flush, wrapped as multipleAppender does. */
static char *flush_error(struct err *e)
{
	char *msg;

	err_wrap(e, "multiappender flush");
	err_wrap(e, "flush and commit");
	msg = xstrdup(err_msg(e));
	err_release(e);
	return msg;
}

/* The compactor creates the output directory for every flush, empty
 * heads included. */
static int make_output_dir(struct sched *s, size_t rule)
{
	struct err e = ERR_INIT;

	if (go_mkdir_all(s->p->cfg->output_dir, 0777, &e) == 0)
		return 0;
	err_wrap(&e, "compactor write");
	rule_failed(s, rule, flush_error(&e));
	return -1;
}

/*
 * In the worker, without --merge-blocks: the unit's block written and
 * synced under its tmp name, so that finishing it in order is only the
 * rename (the slow part runs in parallel).  A failure becomes the unit's
 * error, as the flush's would.
 */
static void prepare_block(struct sched *s, struct rb_unit_result *r)
{
	struct err e = ERR_INIT;
	struct block_meta meta;
	int made;

	/* one worker at a time: two that both find no directory would both
	 * mkdir it, so the run's calls would depend on the timing */
	pthread_mutex_lock(&s->mu);
	made = go_mkdir_all(s->p->cfg->output_dir, 0777, &e);
	pthread_mutex_unlock(&s->mu);
	if (made < 0 || ulid_new(r->ulid, ulid_now_ms(), &e) < 0) {
		err_wrap(&e, "compactor write");
		goto fail;
	}
	r->prepared = block_writer_prepare(r->w, r->ulid, &meta, &e);
	if (r->prepared < 0)
		goto fail;
	if (r->prepared == 0)
		block_meta_release(&meta);
	return;
fail:
	r->err = flush_error(&e);
	block_writer_free(r->w);
	r->w = NULL;
}

/* Finishing a prepared unit: recorded, renamed into place, recorded. */
static void commit_block(struct sched *s, size_t u, size_t rule, struct rb_unit_result *r)
{
	struct err e = ERR_INIT;

	if (r->prepared == 1) {
		record_done(s, u, NULL);
		return;
	}
	if (record_begin(s, u, r->ulid) < 0)
		return;
	if (block_writer_commit_prepared(r->w, &e) < 0) {
		rule_failed(s, rule, flush_error(&e));
		return;
	}
	record_done(s, u, r->ulid);
}

/* --merge-blocks: the window's block from the writers collected, in the
 * order the compactor would see their blocks (by min time; stable, as the
 * creation order decides between equal times). */
static void flush_window(struct sched *s, size_t win)
{
	struct err e = ERR_INIT;
	struct block_meta meta;
	char ulid[ULID_LEN + 1];
	int flushed = 1;

	for (size_t i = 1; i < s->nmw; i++)
		for (size_t j = i; j > 0 && block_writer_min_time(s->mw[j]) < block_writer_min_time(s->mw[j - 1]); j--) {
			struct block_writer *tw = s->mw[j];
			size_t tr = s->mw_rule[j];
			s->mw[j] = s->mw[j - 1];
			s->mw_rule[j] = s->mw_rule[j - 1];
			s->mw[j - 1] = tw;
			s->mw_rule[j - 1] = tr;
		}
	if (s->nmw) {
		if (ulid_new(ulid, ulid_now_ms(), &e) < 0)
			flushed = err_wrap(&e, "compactor write");
		else if (record_begin(s, win, ulid) < 0)
			goto done;
		else
			flushed = block_writer_flush_merged(s->mw, s->nmw, ulid, &meta, &e);
	}
	if (flushed >= 0)
		record_done(s, win, flushed == 0 ? ulid : NULL);
	if (flushed == 0)
		block_meta_release(&meta);
	if (flushed < 0) {
		char *msg = flush_error(&e);
		/* the window is lost for every rule in it */
		for (size_t i = 0; i < s->nmw; i++)
			rule_failed(s, s->mw_rule[i], i + 1 < s->nmw ? xstrdup(msg) : msg);
	}
done:
	for (size_t i = 0; i < s->nmw; i++)
		block_writer_free(s->mw[i]);
	s->nmw = 0;
}

/* Finishes one unit (only one worker at a time; mu not held): what it
 * makes visible happens here, in unit order. */
static void finish(struct sched *s, struct slot *sl)
{
	const struct rb_plan *p = s->p;
	size_t rule, win;
	struct rb_unit_result *r = &sl->res;

	rb_plan_unit(p, sl->u, &rule, &win);
	if (sl->pre.len)
		bf_log_text(s->log, (const char *)sl->pre.data, sl->pre.len);
	if (!sl->skipped && !is_failed(s, rule)) {
		if (r->log.len)
			bf_log_text(s->log, (const char *)r->log.data, r->log.len);
		if (r->err) {
			rule_failed(s, rule, r->err);
			r->err = NULL;
		} else if (!p->cfg->merge_blocks) {
			if (r->w)
				commit_block(s, sl->u, rule, r);
			else
				record_done(s, sl->u, NULL);
		} else if (r->w && make_output_dir(s, rule) == 0) {
			ALLOC_GROW(s->mw, s->nmw + 1, s->mw_cap);
			s->mw_rule = xreallocarray(s->mw_rule, s->mw_cap, sizeof(*s->mw_rule));
			s->mw[s->nmw] = r->w;
			s->mw_rule[s->nmw++] = rule;
			r->w = NULL;
		}
	}
	if (p->cfg->merge_blocks && rule == p->nrules - 1 && !sl->resumed && !sl->foreign)
		flush_window(s, win);
	if (p->cfg->progress && p->rules[rule].rule && !sl->foreign)
		bf_progress_add(p->cfg->progress, 1, sl->skipped || is_failed(s, rule) ? 0 : r->samples);
	rb_unit_result_release(r);
	buf_reset(&sl->pre);
}

/* The lines 2.42 logs before a rule's first window. */
static void header_lines(const struct rb_plan *p, size_t rule, struct buf *out)
{
	const struct rb_rule_ref *ref = &p->rules[rule];
	char id[32];

	if (ref->group_key) {
		const char *kv[] = { "name", ref->group_key };
		rb_log_line(p->cfg, out, RB_LOG_GROUP, "processing group", kv, 2);
	}
	if (ref->rule) {
		snprintf(id, sizeof(id), "%zu", ref->index);
		const char *kv[] = { "id", id, "name", ref->rule->name };
		rb_log_line(p->cfg, out, RB_LOG_RULE, "processing rule", kv, 4);
	}
}

static void worker(struct sched *s, struct query_source *src)
{
	const struct rb_plan *p = s->p;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct slot *sl;
		size_t u, rule, win;

		if (s->fatal || s->next_dispatch == p->nunits)
			break;
		if (s->next_dispatch >= s->next_final + s->ring_n) {
			pthread_cond_wait(&s->cv, &s->mu);
			continue;
		}
		u = s->next_dispatch++;
		sl = &s->ring[u % s->ring_n];
		sl->u = u;
		sl->done = false;
		rb_plan_unit(p, u, &rule, &win);
		sl->foreign = !rb_plan_owns(p, u);
		sl->resumed = !sl->foreign && s->resume && rb_resume_is_done(s->resume, resume_key(p, u));
		sl->skipped = sl->foreign || sl->resumed || s->failed[rule] || !p->rules[rule].rule;
		if (win == 0) {
			header_lines(p, rule, &sl->pre);
			/* nothing before it is pending: print now, as 2.42 does */
			if (s->next_final == u && !s->finishing) {
				bf_log_text(s->log, (const char *)sl->pre.data, sl->pre.len);
				buf_reset(&sl->pre);
			}
		}
		pthread_mutex_unlock(&s->mu);
		if (!sl->skipped) {
			rb_unit_run(p, rule, win, src, &sl->res);
			if (sl->res.w && !p->cfg->merge_blocks)
				prepare_block(s, &sl->res);
		}
		pthread_mutex_lock(&s->mu);
		sl->done = true;
		if (s->finishing)
			continue;
		s->finishing = true;
		while (!s->fatal && s->next_final < s->next_dispatch && s->ring[s->next_final % s->ring_n].done) {
			struct slot *f = &s->ring[s->next_final % s->ring_n];
			pthread_mutex_unlock(&s->mu);
			finish(s, f);
			pthread_mutex_lock(&s->mu);
			s->next_final++;
			pthread_cond_broadcast(&s->cv);
		}
		s->finishing = false;
	}
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

struct thread_arg {
	struct sched *s;
	struct query_source *src;
};

static void *thread_main(void *arg)
{
	struct thread_arg *a = arg;

	worker(a->s, a->src);
	return NULL;
}

int rb_sched_run(const struct rb_plan *p, struct query_source *const *srcs, size_t nsrcs, struct bf_log *log,
		 struct rb_resume *resume, char **errs, struct err *e)
{
	struct sched s;
	pthread_t *th = NULL;
	struct thread_arg *args = NULL;
	size_t nth = 0;
	int rc;

	memset(&s, 0, sizeof(s));
	s.p = p;
	s.log = log;
	s.resume = resume;
	s.errs = errs;
	s.failed = xcalloc(p->nrules ? p->nrules : 1, sizeof(*s.failed));
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	s.ring_n = 2 * (nsrcs ? nsrcs : 1);
	s.ring = xcalloc(s.ring_n, sizeof(*s.ring));
	for (size_t i = 0; i < s.ring_n; i++) {
		buf_init(&s.ring[i].pre);
		rb_unit_result_init(&s.ring[i].res);
	}
	err_init(&s.fatal_err);

	if (p->cfg->progress) {
		uint64_t owned = 0;
		for (size_t u = 0; u < p->nunits; u++) {
			size_t rule, win;
			rb_plan_unit(p, u, &rule, &win);
			owned += p->rules[rule].rule && rb_plan_owns(p, u);
		}
		bf_progress_start(p->cfg->progress, owned);
	}
	if (nsrcs > 1) {
		th = xcalloc(nsrcs - 1, sizeof(*th));
		args = xcalloc(nsrcs - 1, sizeof(*args));
		for (size_t i = 1; i < nsrcs; i++) {
			args[nth] = (struct thread_arg){ &s, srcs[i] };
			if (pthread_create(&th[nth], NULL, thread_main, &args[nth]) != 0)
				break; /* fewer workers: still correct */
			nth++;
		}
	}
	worker(&s, srcs[0]);
	for (size_t i = 0; i < nth; i++)
		pthread_join(th[i], NULL);

	/* after a fatal error: drop what was still out */
	for (size_t i = 0; i < s.ring_n; i++) {
		rb_unit_result_release(&s.ring[i].res);
		buf_release(&s.ring[i].pre);
	}
	for (size_t i = 0; i < s.nmw; i++)
		block_writer_free(s.mw[i]);
	rc = s.fatal ? -1 : 0;
	if (s.fatal)
		err_move(e, &s.fatal_err);
	err_release(&s.fatal_err);
	free(s.mw);
	free(s.mw_rule);
	free(s.ring);
	free(s.failed);
	free(th);
	free(args);
	pthread_cond_destroy(&s.cv);
	pthread_mutex_destroy(&s.mu);
	return rc;
}
