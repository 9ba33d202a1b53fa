/*
 * The OpenMetrics backfill: backfill.go of promtool 2.42 over a streaming
 * reader.  Window semantics reproduced exactly:
 *
 *   mint = blockDuration * (mint / blockDuration)   (Go division: toward 0)
 *   for t := mint; t <= maxt; t += blockDuration:
 *       skip the window if the earliest sample seen at or after its end in
 *       the previous pass is at or after this window's end too;
 *       append every sample with t <= ts < t+blockDuration, committing every
 *       5000 samples, then flush one block (none if nothing was appended).
 */
#include "7-backfill/om_import.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "1-common/goerrno.h"
#include "1-common/xalloc.h"
#include "3-tsdb/block_writer.h"
#include "7-backfill/openmetrics.h"

#define DEFAULT_BLOCK_DURATION (2 * 3600 * 1000LL)
#define REGION_BYTES (1u << 20)
#define READ_CHUNK (4u << 20)

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

/* A window of the input file feeding the parser. */
struct source {
	int fd;
	unsigned char *buf;
	size_t cap, len;
	uint64_t base;      /* file offset of buf[0] */
	bool eof;
	struct om_parser p;
};

static void source_init(struct source *s, int fd)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->cap = READ_CHUNK;
	s->buf = xmalloc(s->cap);
	om_parser_init(&s->p, s->buf, 0);
	om_parser_set_buffer(&s->p, s->buf, 0, 0, false);
}

static void source_release(struct source *s)
{
	om_parser_release(&s->p);
	free(s->buf);
}

static void source_seek(struct source *s, uint64_t off)
{
	s->base = off;
	s->len = 0;
	s->eof = false;
	om_parser_set_buffer(&s->p, s->buf, 0, 0, false);
}

static uint64_t source_pos(const struct source *s)
{
	return s->base + om_parser_pos(&s->p);
}

/* Keeps the bytes from the current entry on and reads more after them. */
static int source_refill(struct source *s, struct err *e)
{
	size_t keep_from = om_parser_pos(&s->p);
	ssize_t n;

	if (keep_from > 0) {
		memmove(s->buf, s->buf + keep_from, s->len - keep_from);
		s->len -= keep_from;
		s->base += keep_from;
	}
	if (s->len == s->cap) {
		/* one entry longer than the buffer */
		s->cap *= 2;
		s->buf = xrealloc(s->buf, s->cap);
	}
	for (;;) {
		n = pread(s->fd, s->buf + s->len, s->cap - s->len, (off_t)(s->base + s->len));
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n < 0)
		return err_set(e, "read input: %s", go_strerror(errno));
	if (n == 0)
		s->eof = true;
	s->len += (size_t)n;
	om_parser_set_buffer(&s->p, s->buf, s->len, 0, s->eof);
	return 0;
}

/* om_parser_next over the stream: 0 entry, 1 end, -1 error. */
static int source_next(struct source *s, enum om_entry *out, struct err *e)
{
	for (;;) {
		int r = om_parser_next(&s->p, out, e);
		if (r != 2)
			return r;
		if (source_refill(s, e) < 0)
			return -1;
	}
}

/*
 * Series text as written ("name{a=\"b\"}") -> head reference, per window.
 * The same text always gives the same label set, so a hit skips building
 * and hashing labels: the per-sample cost is one hash of the raw bytes.
 */
struct raw_entry {
	uint64_t hash, off;
	uint32_t len, ref_plus1;
};

struct raw_cache {
	struct raw_entry *e;
	size_t cap, n;
	struct buf arena;
};

static void raw_cache_release(struct raw_cache *c)
{
	free(c->e);
	buf_release(&c->arena);
	memset(c, 0, sizeof(*c));
}

static struct raw_entry *raw_cache_slot(struct raw_cache *c, const unsigned char *k, size_t len, uint64_t h)
{
	size_t j = (size_t)h & (c->cap - 1);

	while (c->e[j].ref_plus1) {
		struct raw_entry *x = &c->e[j];
		if (x->hash == h && x->len == len && memcmp(c->arena.data + x->off, k, len) == 0)
			return x;
		j = (j + 1) & (c->cap - 1);
	}
	return &c->e[j];
}

static void raw_cache_put(struct raw_cache *c, const unsigned char *k, size_t len, uint64_t h, uint32_t ref)
{
	struct raw_entry *slot;

	if ((c->n + 1) * 2 > c->cap) {
		struct raw_entry *old = c->e;
		size_t oldcap = c->cap;

		c->cap = c->cap ? c->cap * 2 : 1024;
		c->e = xcalloc(c->cap, sizeof(*c->e));
		for (size_t i = 0; i < oldcap; i++) {
			if (!old[i].ref_plus1)
				continue;
			size_t j = (size_t)old[i].hash & (c->cap - 1);
			while (c->e[j].ref_plus1)
				j = (j + 1) & (c->cap - 1);
			c->e[j] = old[i];
		}
		free(old);
	}
	slot = raw_cache_slot(c, k, len, h);
	if (slot->ref_plus1)
		return;
	slot->hash = h;
	slot->off = c->arena.len;
	slot->len = (uint32_t)len;
	slot->ref_plus1 = ref + 1;
	buf_add(&c->arena, k, len);
	c->n++;
}

/*
 * A sample line of an already validated input, recognised without the full
 * lexer: `name[{...}] value timestamp[ # exemplar]\n`, the whole line in the
 * buffer.  Anything unusual (comments, NULs after a quote, lines reaching
 * the end of the buffer) returns false and takes the full parser's path,
 * so this only ever agrees with it.
 */
struct fast_line {
	size_t series_end; /* offsets in the buffer */
	size_t val, val_end, ts, ts_end, next;
};

static inline bool fl_name(unsigned c)
{
	return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool fast_line(const unsigned char *b, size_t len, size_t i, struct fast_line *fl)
{
	const unsigned char *nl;
	unsigned c;

	if (i >= len || !(fl_name(b[i]) && !(b[i] >= '0' && b[i] <= '9')))
		return false;
	/* whole line in the buffer, and no NUL (the lexer steps over some) */
	nl = memchr(b + i, '\n', len - i);
	if (!nl || memchr(b + i, 0, (size_t)(nl - b) - i))
		return false;
	len = (size_t)(nl - b) + 1;
	while (i < len && fl_name(b[i]))
		i++;
	if (i < len && b[i] == '{') {
		i++;
		if (i < len && b[i] == '}') {
			i++;
		} else {
			for (;;) {
				while (i < len && fl_name(b[i]))
					i++;
				if (i + 1 >= len || b[i] != '=' || b[i + 1] != '"')
					return false;
				i += 2;
				for (;;) {
					const unsigned char *q = memchr(b + i, '"', len - i);
					if (!q)
						return false;
					/* an odd run of backslashes escapes the quote */
					size_t k = (size_t)(q - b), bs = 0;
					while (k - bs > i && b[k - bs - 1] == '\\')
						bs++;
					i = k + 1;
					if (bs % 2 == 0)
						break;
				}
				if (i >= len)
					return false;
				if (b[i] == '}') {
					i++;
					break;
				}
				if (b[i] != ',')
					return false;
				i++;
			}
		}
	}
	fl->series_end = i;
	if (i >= len || b[i] != ' ')
		return false;
	fl->val = ++i;
	while (i < len && (c = b[i]) != ' ' && c != '\n' && c != 0)
		i++;
	fl->val_end = i;
	if (i >= len || b[i] != ' ')
		return false;
	fl->ts = ++i;
	while (i < len && (c = b[i]) != ' ' && c != '\n' && c != 0)
		i++;
	fl->ts_end = i;
	if (i >= len)
		return false;
	if (b[i] == ' ') {
		/* an exemplar: validated by the first pass, ignored */
		const unsigned char *nl = memchr(b + i, '\n', len - i);
		if (!nl)
			return false;
		i = (size_t)(nl - b);
	}
	if (b[i] != '\n')
		return false;
	fl->next = i + 1;
	return fl->val_end > fl->val && fl->ts_end > fl->ts;
}

struct region {
	uint64_t start, end;
	int64_t min_ts, max_ts;
	bool has_samples;
};

struct importer {
	const struct om_import_opts *o;
	struct source src;
	struct region *regions;
	size_t nregions, regions_cap;
};


/*
 * One share of getMinAndMaxTimestamps: the entries that start in
 * [from, to) (to = UINT64_MAX: up to "# EOF").  Every valid entry is one
 * line, so a share boundary just after a newline is an entry start and the
 * shares parse exactly as one sequential pass would; the first share with
 * an error holds the error a sequential pass would have met first.
 */
struct share {
	int fd;
	uint64_t from, to;
	int64_t lo, hi;
	struct region *regions;
	size_t nregions, regions_cap;
	struct err e;
	int rc;
};

static void share_region_open(struct share *sh, uint64_t start)
{
	struct region *r;

	ALLOC_GROW(sh->regions, sh->nregions + 1, sh->regions_cap);
	r = &sh->regions[sh->nregions++];
	r->start = start;
	r->end = UINT64_MAX;
	r->min_ts = INT64_MAX;
	r->max_ts = INT64_MIN;
	r->has_samples = false;
}

static void *share_scan(void *arg)
{
	struct share *sh = arg;
	struct source src;
	struct region *cur;

	source_init(&src, sh->fd);
	source_seek(&src, sh->from);
	src.p.skip_values = true; /* values are computed in the window passes */
	sh->lo = INT64_MAX;
	sh->hi = INT64_MIN;
	sh->rc = 0;
	share_region_open(sh, sh->from);
	for (;;) {
		enum om_entry ent;
		uint64_t pos = source_pos(&src);
		int r;

		if (pos >= sh->to)
			break;
		cur = &sh->regions[sh->nregions - 1];
		if (pos - cur->start >= REGION_BYTES) {
			cur->end = pos;
			share_region_open(sh, pos);
			cur = &sh->regions[sh->nregions - 1];
		}
		r = source_next(&src, &ent, &sh->e);
		if (r == 1)
			break;
		if (r < 0) {
			sh->rc = err_wrap(&sh->e, "next");
			break;
		}
		if (ent != OM_ENTRY_SERIES)
			continue;
		if (!src.p.has_ts) {
			sh->rc = err_set(&sh->e, "expected timestamp for series got none");
			break;
		}
		if (src.p.ts > sh->hi)
			sh->hi = src.p.ts;
		if (src.p.ts < sh->lo)
			sh->lo = src.p.ts;
		if (src.p.ts < cur->min_ts)
			cur->min_ts = src.p.ts;
		if (src.p.ts > cur->max_ts)
			cur->max_ts = src.p.ts;
		cur->has_samples = true;
	}
	sh->regions[sh->nregions - 1].end = source_pos(&src);
	source_release(&src);
	return NULL;
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

#define MAX_SHARES 4
#define MIN_SHARE_BYTES (16u << 20)

/* getMinAndMaxTimestamps, recording regions on the way; large inputs are
 * scanned in parallel shares. */
static int first_pass(struct importer *im, int64_t *mint, int64_t *maxt, struct err *e)
{
	struct share sh[MAX_SHARES];
	pthread_t tid[MAX_SHARES];
	bool started[MAX_SHARES] = { false };
	struct stat st;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = 1;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	int ret = 0;

	const char *knob = getenv("PROMTOOL_OM_SHARE_BYTES"); /* tests force shares on small inputs */
	uint64_t share_bytes = MIN_SHARE_BYTES;

	if (knob && atoll(knob) > 0) {
		share_bytes = (uint64_t)atoll(knob);
		ncpu = MAX_SHARES;
	}
	if (fstat(im->src.fd, &st) == 0 && ncpu > 1) {
		n = (size_t)((uint64_t)st.st_size / share_bytes);
		if (n > (size_t)ncpu)
			n = (size_t)ncpu;
		if (n > MAX_SHARES)
			n = MAX_SHARES;
		if (n < 1)
			n = 1;
	}
	memset(sh, 0, sizeof(sh));
	sh[0].from = 0;
	for (size_t k = 1; k < n; k++) {
		uint64_t b = line_start_after(im->src.fd, (uint64_t)st.st_size / n * k);
		if (b == UINT64_MAX || b <= sh[k - 1].from) {
			n = k;
			break;
		}
		sh[k].from = b;
	}
	for (size_t k = 0; k < n; k++) {
		sh[k].fd = im->src.fd;
		sh[k].to = k + 1 < n ? sh[k + 1].from : UINT64_MAX;
		err_init(&sh[k].e);
	}
	for (size_t k = 1; k < n; k++)
		started[k] = pthread_create(&tid[k], NULL, share_scan, &sh[k]) == 0;
	share_scan(&sh[0]);
	for (size_t k = 1; k < n; k++) {
		if (started[k])
			pthread_join(tid[k], NULL);
		else
			share_scan(&sh[k]);
	}
	for (size_t k = 0; k < n; k++) {
		if (ret == 0 && sh[k].rc < 0) {
			err_move(e, &sh[k].e);
			ret = -1;
		}
		if (ret == 0) {
			for (size_t r = 0; r < sh[k].nregions; r++) {
				ALLOC_GROW(im->regions, im->nregions + 1, im->regions_cap);
				im->regions[im->nregions++] = sh[k].regions[r];
			}
			if (sh[k].lo < lo)
				lo = sh[k].lo;
			if (sh[k].hi > hi)
				hi = sh[k].hi;
		}
		err_release(&sh[k].e);
		free(sh[k].regions);
	}
	if (ret < 0)
		return -1;
	*mint = lo == INT64_MAX ? 0 : lo;
	*maxt = hi == INT64_MIN ? 0 : hi;
	return 0;
}

/* The body of createBlocks' per-window closure. */
static int process_window(struct importer *im, int64_t t, int64_t upper, int64_t block_duration,
			  int64_t *next_sample_ts, uint64_t *appended, struct err *e)
{
	const struct om_import_opts *o = im->o;
	struct source *s = &im->src;
	struct block_writer *w = NULL;
	struct raw_cache cache;
	struct block_meta meta;
	int samples = 0, ret = -1, r;
	bool positioned = false;

	block_meta_init(&meta);
	memset(&cache, 0, sizeof(cache));
	if (block_writer_new(&w, o->output_dir, 2 * block_duration, e) < 0) {
		err_wrap(e, "block writer");
		goto done;
	}
	for (size_t ri = 0; ri < im->nregions; ri++) {
		const struct region *rg = &im->regions[ri];

		if (!rg->has_samples || rg->max_ts < t)
			continue;
		if (rg->min_ts >= upper) {
			if (rg->min_ts < *next_sample_ts)
				*next_sample_ts = rg->min_ts;
			continue;
		}
		if (!positioned || source_pos(s) != rg->start) {
			source_seek(s, rg->start);
			positioned = true;
		}
		while (source_pos(s) < rg->end) {
			enum om_entry ent;
			const struct label *ls;
			size_t nls;
			struct fast_line fl;
			size_t at = om_parser_pos(&s->p);

			if (fast_line(s->buf, s->len, at, &fl)) {
				double tsf, v;
				int64_t ts;

				if (om_parse_float(s->buf + fl.ts, fl.ts_end - fl.ts, &tsf) < 0)
					goto slow;
				ts = om_float_to_int64(tsf * 1000);
				if (ts < t) {
					s->p.i = fl.next;
					continue;
				}
				if (ts >= upper) {
					if (ts < *next_sample_ts)
						*next_sample_ts = ts;
					s->p.i = fl.next;
					continue;
				}
				{
					const unsigned char *raw = s->buf + at;
					size_t rlen = fl.series_end - at;
					uint64_t h = XXH3_64bits(raw, rlen);
					struct raw_entry *hit = cache.cap ? raw_cache_slot(&cache, raw, rlen, h) : NULL;

					if (!hit || !hit->ref_plus1 ||
					    om_parse_float(s->buf + fl.val, fl.val_end - fl.val, &v) < 0)
						goto slow;
					s->p.i = fl.next;
					if (block_writer_append_ref(w, hit->ref_plus1 - 1, ts, v, e) < 0) {
						err_wrap(e, "add sample");
						goto done;
					}
				}
				goto counted;
			}
slow:
			r = source_next(s, &ent, e);
			if (r == 1)
				break;
			if (r < 0) {
				err_wrap(e, "parse");
				goto done;
			}
			if (ent != OM_ENTRY_SERIES)
				continue;
			if (!s->p.has_ts) {
				struct buf b = BUF_INIT;
				om_parser_metric(&s->p, &ls, &nls);
				labels_format(&b, ls, nls);
				err_set(e, "expected timestamp for series %s, got none", buf_str(&b));
				buf_release(&b);
				goto done;
			}
			if (s->p.ts < t)
				continue;
			if (s->p.ts >= upper) {
				if (s->p.ts < *next_sample_ts)
					*next_sample_ts = s->p.ts;
				continue;
			}
			{
				const unsigned char *raw = s->p.b + s->p.series_start;
				size_t rlen = s->p.series_end - s->p.series_start;
				uint64_t h = XXH3_64bits(raw, rlen);
				struct raw_entry *hit = cache.cap ? raw_cache_slot(&cache, raw, rlen, h) : NULL;
				uint32_t ref;

				if (hit && hit->ref_plus1) {
					r = block_writer_append_ref(w, hit->ref_plus1 - 1, s->p.ts, s->p.val, e);
				} else {
					om_parser_metric(&s->p, &ls, &nls);
					ref = UINT32_MAX;
					r = block_writer_append_get_ref(w, ls, nls, s->p.ts, s->p.val, &ref, e);
					if (ref != UINT32_MAX)
						raw_cache_put(&cache, raw, rlen, h, ref);
				}
				if (r < 0) {
					err_wrap(e, "add sample");
					goto done;
				}
			}
counted:
			(*appended)++;
			if (++samples < o->max_samples_in_appender)
				continue;
			if (block_writer_commit(w, e) < 0) {
				err_wrap(e, "commit");
				goto done;
			}
			samples = 0;
		}
	}
	if (block_writer_commit(w, e) < 0) {
		err_wrap(e, "commit");
		goto done;
	}
	r = block_writer_flush(w, &meta, e);
	if (r < 0) {
		err_wrap(e, "flush");
		goto done;
	}
	if (r == 0 && o->on_block) {
		char *dir = xasprintf("%s/%s", o->output_dir, meta.ulid);
		int cr = o->on_block(&meta, dir, o->arg, e);
		free(dir);
		if (cr < 0)
			goto done;
	}
	ret = 0;
done:
	raw_cache_release(&cache);
	block_meta_release(&meta);
	block_writer_free(w);
	return ret;
}

int om_import_run(int fd, const struct om_import_opts *o, struct err *e)
{
	struct importer im;
	int64_t mint = 0, maxt = 0, block_duration, next_sample_ts = INT64_MAX;
	int ret = -1;

	memset(&im, 0, sizeof(im));
	im.o = o;
	source_init(&im.src, fd);
	if (first_pass(&im, &mint, &maxt, e) < 0) {
		err_wrap(e, "getting min and max timestamp");
		goto done;
	}
	block_duration = om_import_block_duration(o->max_block_duration_ms);
	mint = block_duration * (mint / block_duration);
	if (o->progress)
		bf_progress_start(o->progress, maxt >= mint ? ((uint64_t)maxt - (uint64_t)mint) / (uint64_t)block_duration + 1 : 0);
	for (int64_t t = mint; t <= maxt;) {
		/* Go's int64 arithmetic wraps; so does this. */
		int64_t upper = (int64_t)((uint64_t)t + (uint64_t)block_duration);
		uint64_t appended = 0;

		if (next_sample_ts != INT64_MAX && next_sample_ts >= upper) {
			if (o->progress)
				bf_progress_add(o->progress, 1, 0);
			if (upper < t)
				break;
			t = upper;
			continue;
		}
		next_sample_ts = INT64_MAX;
		if (process_window(&im, t, upper, block_duration, &next_sample_ts, &appended, e) < 0) {
			err_wrap(e, "process blocks");
			err_wrap(e, "block creation");
			goto done;
		}
		if (o->progress)
			bf_progress_add(o->progress, 1, appended);
		if (upper < t)
			break; /* wrapped past the end of time */
		t = upper;
	}
	ret = 0;
done:
	source_release(&im.src);
	free(im.regions);
	return ret;
}
