/*
 * The OpenMetrics backfill: backfill.go of promtool 2.42, in one pass.
 * 2.42 reads the input once for the minimum and maximum timestamps, then
 * once more per aligned window of the block duration:
 *
 *   mint = blockDuration * (mint / blockDuration)   (Go division: toward 0)
 *   for t := mint; t <= maxt; t += blockDuration:
 *       append every sample with t <= ts < t+blockDuration, committing every
 *       5000 samples, then flush one block (none if nothing was appended).
 *
 * Here one pass (om_pass.c, in parallel shares) validates the input and
 * feeds every window's writer at once; what a window receives, and in which
 * order, is what its own pass would have given it.  Then the windows are
 * written in order, as 2.42 writes them: an input error means no block at
 * all (2.42 finds it in its first pass), an append error in a window means
 * the blocks of earlier windows and nothing after.
 */
#include "7-backfill/om_import.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "1-common/goerrno.h"
#include "1-common/xalloc.h"
#include "3-tsdb/block_writer.h"
#include "7-backfill/om_pass.h"
#include "7-backfill/openmetrics.h"

#define DEFAULT_BLOCK_DURATION (2 * 3600 * 1000LL)

int om_import_open(const char *path, struct err *e)
{
	struct stat st;
	void *m;
	int fd;

	/* fileutil.OpenMmapFile: open, stat, mmap the whole size.  We map
	 * only to fail exactly where upstream fails (empty file, directory),
	 * then read with pread. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, "try lock file: open %s: %s", path, go_strerror(errno));
	if (fstat(fd, &st) < 0) {
		err_set(e, "stat: stat %s: %s", path, go_strerror(errno));
		close(fd);
		return -1;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		err_set(e, "mmap, size %lld: %s", (long long)st.st_size, go_strerror(errno));
		close(fd);
		return -1;
	}
	munmap(m, (size_t)st.st_size);
	return fd;
}

int64_t om_import_block_duration(int64_t max_ms)
{
	int64_t d = DEFAULT_BLOCK_DURATION, ranges[10];

	if (max_ms <= DEFAULT_BLOCK_DURATION)
		return d;
	/* tsdb.ExponentialBlockRanges(2h, 10, 3) */
	ranges[0] = DEFAULT_BLOCK_DURATION;
	for (int i = 1; i < 10; i++)
		ranges[i] = ranges[i - 1] * 3;
	{
		int idx = 9;
		for (int i = 0; i < 10; i++) {
			if (ranges[i] > max_ms) {
				idx = i - 1;
				break;
			}
		}
		d = ranges[idx];
	}
	return d;
}


/* The first position after a newline at or after off, or UINT64_MAX. */
static uint64_t line_start_after(int fd, uint64_t off)
{
	unsigned char buf[4096];
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), (off_t)off)) > 0) {
		const unsigned char *nl = memchr(buf, '\n', (size_t)n);
		if (nl)
			return off + (uint64_t)(nl - buf) + 1;
		off += (uint64_t)n;
	}
	return UINT64_MAX;
}

/*
 * The timestamp of the line starting after the first newline at or after
 * off (its start in *line), when it looks like a plain sample line; false
 * otherwise.  Only used to choose share boundaries, never for data.
 */
static bool probe_ts(int fd, uint64_t off, uint64_t *line, int64_t *ts)
{
	unsigned char buf[4096];
	const unsigned char *nl, *sp;
	uint64_t at = line_start_after(fd, off);
	double f;
	ssize_t n;

	if (at == UINT64_MAX)
		return false;
	n = pread(fd, buf, sizeof(buf), (off_t)at);
	if (n <= 0 || buf[0] == '#' || !(nl = memchr(buf, '\n', (size_t)n)))
		return false;
	for (sp = nl; sp > buf && sp[-1] != ' '; sp--)
		;
	if (sp == buf || sp == nl || memmem(buf, (size_t)(nl - buf), " # ", 3))
		return false;
	if (om_parse_float(sp, (size_t)(nl - sp), &f) < 0 || !(f > -9e15 && f < 9e15))
		return false;
	*line = at;
	*ts = om_float_to_int64(f * 1000);
	return true;
}

/* The first line start in (lo, hi] whose timestamp is at or after t, by
 * bisection, assuming timestamps grow along the file; 0 if a probe fails. */
static uint64_t find_time(int fd, uint64_t lo, uint64_t hi, int64_t t)
{
	uint64_t line = 0, best = 0;
	int64_t ts;

	while (lo + 1 < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (!probe_ts(fd, mid, &line, &ts))
			return 0;
		if (ts >= t) {
			hi = mid;
			best = line;
		} else {
			lo = mid;
		}
	}
	return best;
}

/*
 * A share boundary near off: where a window starts, if one does within
 * `reach` bytes of it in a file written in time order -- then no window
 * has samples on both sides and none needs a replay -- or else the line
 * start after off.
 */
static uint64_t share_boundary(int fd, uint64_t off, uint64_t reach, int64_t bd)
{
	uint64_t at = line_start_after(fd, off), line, down = 0, up = 0;
	int64_t ts, ts2, k, lo = off > reach ? off - reach : 0;

	if (at == UINT64_MAX || !probe_ts(fd, off, &line, &ts))
		return at;
	k = ts / bd - (ts % bd < 0);
	if (k > INT64_MIN / bd + 1 && k < INT64_MAX / bd - 1) {
		if (probe_ts(fd, (uint64_t)lo, &line, &ts2) && ts2 < k * bd)
			down = find_time(fd, (uint64_t)lo, off, k * bd);
		if (probe_ts(fd, off + reach, &line, &ts2) && ts2 >= (k + 1) * bd)
			up = find_time(fd, off, off + reach, (k + 1) * bd);
	}
	if (down && (!up || off - down <= up - off))
		return down;
	return up ? up : at;
}

#define MAX_SHARES 8
#define MIN_SHARE_BYTES (16u << 20)

/*
 * Cuts the input into shares at line starts: one per CPU for inputs of at
 * least MIN_SHARE_BYTES each.  PROMTOOL_OM_SHARE_BYTES sets the share size
 * (tests use it to cut small inputs into several shares).
 */
static size_t plan_shares(int fd, struct om_share *sh, const struct om_import_opts *o, int64_t bd)
{
	const char *knob = getenv("PROMTOOL_OM_SHARE_BYTES");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t share_bytes = MIN_SHARE_BYTES;
	struct stat st;
	size_t n = 1;

	if (knob && atoll(knob) > 0) {
		share_bytes = (uint64_t)atoll(knob);
		ncpu = MAX_SHARES;
	}
	if (fstat(fd, &st) == 0 && ncpu > 1) {
		uint64_t want = (uint64_t)st.st_size / share_bytes;
		n = want < (uint64_t)ncpu ? (size_t)want : (size_t)ncpu;
		if (n > MAX_SHARES)
			n = MAX_SHARES;
		if (n < 1)
			n = 1;
	}
	for (size_t k = 0; k < n; k++)
		om_share_init(&sh[k]);
	for (size_t k = 1; k < n; k++) {
		uint64_t size = (uint64_t)st.st_size / n;
		uint64_t b = share_boundary(fd, size * k, size / 8, bd);

		if (b == UINT64_MAX || b <= sh[k - 1].from) {
			n = k;
			break;
		}
		sh[k].from = b;
	}
	for (size_t k = 0; k < n; k++) {
		sh[k].fd = fd;
		sh[k].to = k + 1 < n ? sh[k + 1].from : UINT64_MAX;
		sh[k].bd = bd;
		sh[k].max_samples = o->max_samples_in_appender;
		sh[k].output_dir = o->output_dir;
	}
	return n;
}

/* A window of some share, for putting all of them in window order. */
struct slot {
	int64_t k;
	size_t share, idx;
};

static int cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	return x->share < y->share ? -1 : x->share > y->share;
}

/* A window's block being written: the first half of the end of
 * createBlocks' per-window closure (commit, flush up to the rename). */
struct prep {
	struct om_window *w;
	struct block_meta meta;
	int r;               /* block_writer_prepare's: 0, 1 (empty) or -1 */
	struct err e;
};

struct prep_pool {
	struct prep *p;
	size_t n;
	atomic_size_t next;
};

static void *prepare_some(void *arg)
{
	struct prep_pool *pool = arg;
	size_t i;

	while ((i = atomic_fetch_add(&pool->next, 1)) < pool->n) {
		struct prep *p = &pool->p[i];

		if (block_writer_commit(p->w->w, &p->e) < 0) {
			err_wrap(&p->e, "commit");
			p->r = -1;
			continue;
		}
		p->r = block_writer_prepare(p->w->w, NULL, &p->meta, &p->e);
		if (p->r < 0)
			err_wrap(&p->e, "flush");
	}
	return NULL;
}

#define PREPARE_THREADS 4

/*
 * Writes the blocks of preps[0..n), each under its temporary name, several
 * at a time: much of a block's time is waiting for its five fsyncs, which
 * the filesystem can commit together.
 */
static void prepare_all(struct prep *preps, size_t n)
{
	pthread_t tid[PREPARE_THREADS];
	bool started[PREPARE_THREADS] = { false };
	struct prep_pool pool = { preps, n, 0 };
	size_t nthreads = n < PREPARE_THREADS ? n : PREPARE_THREADS;

	for (size_t t = 1; t < nthreads; t++)
		started[t] = pthread_create(&tid[t], NULL, prepare_some, &pool) == 0;
	prepare_some(&pool);
	for (size_t t = 1; t < nthreads; t++)
		if (started[t])
			pthread_join(tid[t], NULL);
}

/*
 * createBlocks' loop over windows, after the pass: windows in order from
 * the aligned minimum, each one's block appearing (and reported) before the
 * next; the first window that failed ends the import with its error, and
 * nothing of later windows is left.  The blocks are written in parallel
 * under temporary names, then renamed into place in order.
 */
static int write_windows(struct om_share *sh, size_t n, int fd, int64_t mint, int64_t maxt, int64_t bd,
			 const struct om_import_opts *o, struct err *e)
{
	struct slot *slots = NULL;
	struct prep *preps = NULL;
	size_t nslots = 0, cap = 0, npreps = 0, nok;
	/* mint = blockDuration * (mint / blockDuration): Go division
	 * truncates toward 0, so for a negative minimum the first window may
	 * start after it and earlier samples are never written */
	int64_t k0 = mint / bd;
	uint64_t units = 0; /* windows from k0 reported to the progress line */
	int ret = -1;

	if (o->progress) {
		int64_t m = k0 * bd;
		bf_progress_start(o->progress, maxt >= m ? ((uint64_t)maxt - (uint64_t)m) / (uint64_t)bd + 1 : 0);
	}

	for (size_t s = 0; s < n; s++) {
		for (size_t i = 0; i < sh[s].nwins; i++) {
			ALLOC_GROW(slots, nslots + 1, cap);
			slots[nslots++] = (struct slot){ sh[s].wins[i]->k, s, i };
		}
	}
	qsort(slots, nslots, sizeof(*slots), cmp_slot);
	preps = xcalloc(nslots ? nslots : 1, sizeof(*preps));
	for (size_t i = 0; i < nslots;) {
		size_t j = i + 1;
		struct om_window *w = sh[slots[i].share].wins[slots[i].idx];
		int64_t upper;

		while (j < nslots && slots[j].k == slots[i].k)
			j++;
		if (slots[i].k < k0) {
			i = j;
			continue;
		}
		/* Go's int64 arithmetic wraps: the window whose end does so
		 * takes no samples, and the loop ends after it */
		if (__builtin_add_overflow(slots[i].k * bd, bd, &upper))
			break;
		sh[slots[i].share].wins[slots[i].idx] = NULL;
		for (size_t m = i + 1; m < j; m++) {
			om_window_replay(w, &sh[slots[m].share], fd, o->max_samples_in_appender);
			om_window_free(sh[slots[m].share].wins[slots[m].idx]);
			sh[slots[m].share].wins[slots[m].idx] = NULL;
		}
		preps[npreps].w = w;
		err_init(&preps[npreps].e);
		block_meta_init(&preps[npreps].meta);
		npreps++;
		i = j;
		if (w->failed)
			break; /* nothing after it is written */
	}
	nok = npreps && preps[npreps - 1].w->failed ? npreps - 1 : npreps;
	prepare_all(preps, nok);
	for (size_t i = 0; i < npreps; i++) {
		struct prep *p = &preps[i];

		if (i == nok) {
			err_move(e, &p->w->e);
			goto done;
		}
		if (p->r < 0) {
			err_move(e, &p->e);
			goto done;
		}
		if (o->progress) {
			/* this window, and those before it without samples */
			uint64_t upto = (uint64_t)(p->w->k - k0) + 1;
			bf_progress_add(o->progress, upto - units, p->r == 0 ? p->meta.stats.num_samples : 0);
			units = upto;
		}
		if (p->r == 1)
			continue; /* ErrNoSeriesAppended */
		if (block_writer_commit_prepared(p->w->w, e) < 0) {
			err_wrap(e, "flush");
			goto done;
		}
		if (o->on_block) {
			char *dir = xasprintf("%s/%s", o->output_dir, p->meta.ulid);
			int cr = o->on_block(&p->meta, dir, o->arg, e);
			free(dir);
			if (cr < 0)
				goto done;
		}
	}
	if (o->progress && o->progress->total > units)
		bf_progress_add(o->progress, o->progress->total - units, 0);
	ret = 0;
done:
	if (ret < 0) {
		err_wrap(e, "process blocks");
		err_wrap(e, "block creation");
	}
	for (size_t i = 0; i < npreps; i++) {
		om_window_free(preps[i].w); /* and any block not published */
		block_meta_release(&preps[i].meta);
		err_release(&preps[i].e);
	}
	free(preps);
	free(slots);
	return ret;
}

int om_import_run(int fd, const struct om_import_opts *o, struct err *e)
{
	struct om_share sh[MAX_SHARES];
	pthread_t tid[MAX_SHARES];
	bool started[MAX_SHARES] = { false };
	int64_t bd = om_import_block_duration(o->max_block_duration_ms);
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	size_t n;
	int ret = -1;

	n = plan_shares(fd, sh, o, bd);
	for (size_t k = 1; k < n; k++)
		started[k] = pthread_create(&tid[k], NULL, om_share_scan, &sh[k]) == 0;
	om_share_scan(&sh[0]);
	for (size_t k = 1; k < n; k++) {
		if (started[k])
			pthread_join(tid[k], NULL);
		else
			om_share_scan(&sh[k]);
	}
	/* getMinAndMaxTimestamps: the first error in input order wins */
	for (size_t k = 0; k < n; k++) {
		if (sh[k].rc < 0) {
			err_move(e, &sh[k].e);
			err_wrap(e, "getting min and max timestamp");
			goto done;
		}
		if (sh[k].lo < lo)
			lo = sh[k].lo;
		if (sh[k].hi > hi)
			hi = sh[k].hi;
	}
	if (write_windows(sh, n, fd, lo == INT64_MAX ? 0 : lo, hi, bd, o, e) < 0)
		goto done;
	ret = 0;
done:
	for (size_t k = 0; k < n; k++)
		om_share_release(&sh[k]);
	return ret;
}
