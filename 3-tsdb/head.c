/*
 * The in-memory head.  Rules reproduced from Prometheus 2.42
 * (tsdb/head_append.go):
 *
 *  - The first append of an empty head sets min and max time to its
 *    timestamp (initAppender/initTime).  Each appender fixes
 *    minValidTime = max(head max time - chunkRange/2, Head.minValidTime) when
 *    it is created; an append below it fails with "out of bounds".
 *  - Append checks only committed data: an older timestamp is "out of order
 *    sample", the same timestamp with different value bits is "duplicate
 *    sample for timestamp", identical bits pass.  Commit applies the batch in
 *    order and silently drops every sample not newer than its series' last.
 *  - Chunk cutting (appendPreprocessor): a new chunk's limit nextAt is the
 *    end of the chunkRange-aligned window containing its first sample; when
 *    it holds 30 samples (samplesPerChunk/4) nextAt becomes
 *    computeChunkEndTime(min, max, nextAt); a sample at or past nextAt, or a
 *    chunk already holding 240 samples (2*samplesPerChunk), starts a new one.
 *  - Labels with empty values are dropped (WithoutEmpty); an empty set or a
 *    repeated name is an invalid sample.
 */
#include "3-tsdb/head.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "1-common/buf.h"
#include "1-common/bytes.h"
#include "1-common/goerrno.h"
#include "1-common/xalloc.h"
#include "3-tsdb/chunkenc.h"

#define SAMPLES_PER_CHUNK 120
#define NO_CHUNK UINT32_MAX

/* A cut (completed) chunk: its bytes at off in the head's chunk space
 * (chunk_data, or a spill extent below mem_base). */
struct head_chunk {
	int64_t mint, maxt;
	uint64_t off;
	uint32_t len;
	uint32_t next; /* next chunk of the same series, or NO_CHUNK */
};

/* Chunk bytes [voff, voff + len) of a head, at foff in its spill file. */
struct head_extent {
	uint64_t voff, foff, len;
};

struct head_series {
	struct label *ls; /* one allocation holding pairs and strings */
	size_t nls;
	uint64_t hash;
	struct xor_chunk open;       /* the open head chunk */
	bool has_open;               /* a head chunk exists */
	int64_t open_mint, open_maxt;
	int64_t next_at;
	uint64_t last_vbits;
	uint32_t first_chunk, last_chunk; /* cut chunks, NO_CHUNK if none */
	uint32_t ncut;
};

struct head_sample {
	uint32_t series;
	int64_t t;
	double v;
};

struct head {
	int64_t chunk_range;
	int64_t min_time, max_time;   /* INT64_MAX / INT64_MIN until data */
	int64_t min_valid_time;       /* Head.minValidTime: INT64_MIN here */

	struct head_series *series;
	size_t nseries, series_cap;
	uint32_t *table;              /* open addressing: series index + 1 */
	size_t table_cap;

	struct head_chunk *chunks;
	size_t nchunks, chunks_cap;
	/* Cut chunks' bytes; head_chunk.off counts from mem_base, which is 0
	 * unless the bytes before it were spilled. */
	struct buf chunk_data;
	uint64_t mem_base;
	struct head_spill *spill;     /* not owned; NULL: never spill */
	size_t spill_budget;
	struct head_extent *ext;      /* spilled bytes, by voff */
	size_t next, ext_cap;
	const unsigned char *map;     /* the spill file mapped by head_load_spilled() */
	size_t map_len;
	uint64_t nsamples;            /* committed samples */

	/* the current appender (batch) */
	bool app_open;
	int64_t app_min_valid;
	struct head_sample *batch;
	size_t nbatch, batch_cap;
};

struct head *head_new(int64_t chunk_range)
{
	struct head *h = xcalloc(1, sizeof(*h));

	h->chunk_range = chunk_range;
	h->min_time = INT64_MAX;
	h->max_time = INT64_MIN;
	h->min_valid_time = INT64_MIN;
	buf_init(&h->chunk_data);
	return h;
}

void head_free(struct head *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nseries; i++) {
		free(h->series[i].ls);
		xor_chunk_release(&h->series[i].open);
	}
	free(h->series);
	free(h->table);
	free(h->chunks);
	buf_release(&h->chunk_data);
	free(h->ext);
	if (h->map)
		munmap((void *)h->map, h->map_len);
	free(h->batch);
	free(h);
}

/* Go's integer division truncates toward zero; so does C's. */
static int64_t range_for_timestamp(int64_t t, int64_t width)
{
	return (t / width) * width + width;
}

static int64_t compute_chunk_end_time(int64_t start, int64_t cur, int64_t max)
{
	int64_t n = (max - start) / ((cur - start + 1) * 4);
	if (n <= 1)
		return max;
	return start + (max - start) / n;
}

static void table_grow(struct head *h)
{
	size_t cap = h->table_cap ? h->table_cap * 2 : 1024;
	uint32_t *t = xcalloc(cap, sizeof(*t));

	for (size_t i = 0; i < h->nseries; i++) {
		size_t j = (size_t)h->series[i].hash & (cap - 1);
		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(h->table);
	h->table = t;
	h->table_cap = cap;
}

static struct label *copy_labels(const struct label *ls, size_t n)
{
	size_t bytes = n * sizeof(struct label);
	struct label *out;
	char *p;

	for (size_t i = 0; i < n; i++)
		bytes += strlen(ls[i].name) + strlen(ls[i].value) + 2;
	out = xmalloc(bytes ? bytes : 1);
	p = (char *)(out + n);
	for (size_t i = 0; i < n; i++) {
		size_t a = strlen(ls[i].name) + 1, b = strlen(ls[i].value) + 1;
		memcpy(p, ls[i].name, a);
		out[i].name = p;
		p += a;
		memcpy(p, ls[i].value, b);
		out[i].value = p;
		p += b;
	}
	return out;
}

static uint32_t get_or_create(struct head *h, const struct label *ls, size_t n)
{
	uint64_t hash = labels_hash(ls, n);
	struct head_series *s;
	size_t j;

	if ((h->nseries + 1) * 2 > h->table_cap)
		table_grow(h);
	j = (size_t)hash & (h->table_cap - 1);
	while (h->table[j]) {
		s = &h->series[h->table[j] - 1];
		if (s->hash == hash && labels_equal(s->ls, s->nls, ls, n))
			return h->table[j] - 1;
		j = (j + 1) & (h->table_cap - 1);
	}
	ALLOC_GROW(h->series, h->nseries + 1, h->series_cap);
	s = &h->series[h->nseries];
	memset(s, 0, sizeof(*s));
	s->ls = copy_labels(ls, n);
	s->nls = n;
	s->hash = hash;
	xor_chunk_init(&s->open);
	s->open_maxt = INT64_MIN;
	s->first_chunk = s->last_chunk = NO_CHUNK;
	h->table[j] = (uint32_t)h->nseries + 1;
	return (uint32_t)h->nseries++;
}

/* Opens the appender on first use (Head.Appender / initAppender) and
 * applies its lower bound. */
static inline int check_bounds(struct head *h, int64_t t, struct err *e)
{
	if (!h->app_open) {
		int64_t cw_end;

		if (h->min_time == INT64_MAX) {
			/* initAppender: the first sample anchors the head. */
			h->min_time = t;
			if (h->max_time == INT64_MIN)
				h->max_time = t;
		}
		cw_end = h->max_time - h->chunk_range / 2;
		h->app_min_valid = cw_end > h->min_valid_time ? cw_end : h->min_valid_time;
		h->app_open = true;
	}
	if (t < h->app_min_valid)
		return err_set(e, "out of bounds");
	return 0;
}

/* memSeries.appendable against committed data, then queue the sample. */
static int queue_sample(struct head *h, uint32_t ref, int64_t t, double v, struct err *e)
{
	struct head_series *s = &h->series[ref];

	if (s->has_open) {
		if (t < s->open_maxt)
			return err_set(e, "out of order sample");
		if (t == s->open_maxt && s->last_vbits != double_bits(v))
			return err_set(e, "duplicate sample for timestamp");
	}
	ALLOC_GROW(h->batch, h->nbatch + 1, h->batch_cap);
	h->batch[h->nbatch].series = ref;
	h->batch[h->nbatch].t = t;
	h->batch[h->nbatch].v = v;
	h->nbatch++;
	return 0;
}

int head_append_get_ref(struct head *h, const struct label *ls, size_t n, int64_t t, double v, uint32_t *ref_out,
			struct err *e)
{
	struct label small[32], *clean = small;
	size_t nclean = 0;
	uint32_t ref;
	int ret = -1;

	if (check_bounds(h, t, e) < 0)
		return -1;
	if (n > 32)
		clean = xmalloc(n * sizeof(*clean));
	for (size_t i = 0; i < n; i++)
		if (ls[i].value[0])
			clean[nclean++] = ls[i];
	if (nclean == 0) {
		err_set(e, "empty labelset: invalid sample");
		goto done;
	}
	for (size_t i = 1; i < nclean; i++) {
		if (strcmp(clean[i].name, clean[i - 1].name) == 0) {
			err_set(e, "label name \"%s\" is not unique: invalid sample", clean[i].name);
			goto done;
		}
	}
	ref = get_or_create(h, clean, nclean);
	if (ref_out)
		*ref_out = ref;
	ret = queue_sample(h, ref, t, v, e);
done:
	if (clean != small)
		free(clean);
	return ret;
}

int head_append(struct head *h, const struct label *ls, size_t n, int64_t t, double v, struct err *e)
{
	return head_append_get_ref(h, ls, n, t, v, NULL, e);
}

int head_append_ref(struct head *h, uint32_t ref, int64_t t, double v, struct err *e)
{
	if (ref >= h->nseries)
		return err_set(e, "unknown series reference %u", ref);
	if (check_bounds(h, t, e) < 0)
		return -1;
	return queue_sample(h, ref, t, v, e);
}

void head_set_spill(struct head *h, struct head_spill *sp, size_t budget)
{
	h->spill = sp;
	h->spill_budget = budget;
}

/* Appends the cut chunks in memory to the spill file. */
static void spill_chunks(struct head *h)
{
	struct head_spill *sp = h->spill;
	const unsigned char *p = h->chunk_data.data;
	size_t left = h->chunk_data.len;
	uint64_t at = sp->len;

	while (left > 0) {
		ssize_t n = pwrite(sp->fd, p, left, (off_t)at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* keep them in memory; a bad disk will show when the
			 * block is written */
			sp->failed = true;
			return;
		}
		p += n;
		left -= (size_t)n;
		at += (uint64_t)n;
	}
	if (h->map) {
		/* it no longer covers every extent; mapped again on demand */
		munmap((void *)h->map, h->map_len);
		h->map = NULL;
	}
	ALLOC_GROW(h->ext, h->next + 1, h->ext_cap);
	h->ext[h->next++] = (struct head_extent){ h->mem_base, sp->len, h->chunk_data.len };
	sp->len = at;
	h->mem_base += h->chunk_data.len;
	h->chunk_data.len = 0;
}

/* Reads spilled chunks back, so that chunk_data holds every cut chunk at
 * its offset (mem_base 0, no extents): for when the file cannot be mapped. */
static int unspill(struct head *h, struct err *e)
{
	struct buf all = BUF_INIT;

	buf_grow(&all, h->mem_base + h->chunk_data.len);
	for (size_t i = 0; i < h->next; i++) {
		const struct head_extent *x = &h->ext[i];
		uint64_t done = 0;

		while (done < x->len) {
			ssize_t n = pread(h->spill->fd, all.data + x->voff + done, x->len - done,
					  (off_t)(x->foff + done));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				buf_release(&all);
				return err_set(e, "read spilled chunks: %s", n < 0 ? go_strerror(errno) : "short file");
			}
			done += (uint64_t)n;
		}
	}
	memcpy(all.data + h->mem_base, h->chunk_data.data, h->chunk_data.len);
	all.len = h->mem_base + h->chunk_data.len;
	all.data[all.len] = 0;
	buf_release(&h->chunk_data);
	h->chunk_data = all;
	h->mem_base = 0;
	h->next = 0;
	return 0;
}

int head_load_spilled(struct head *h, struct err *e)
{
	void *m;

	if (!h->next || h->map)
		return 0;
	/* read in place: no second copy in memory */
	m = mmap(NULL, h->spill->len, PROT_READ, MAP_SHARED, h->spill->fd, 0);
	if (m == MAP_FAILED)
		return unspill(h, e);
	h->map = m;
	h->map_len = h->spill->len;
	return 0;
}

/* The bytes of cut chunk c (spilled ones need head_load_spilled()). */
static const unsigned char *chunk_bytes(const struct head *h, const struct head_chunk *c)
{
	size_t lo = 0, hi = h->next;

	if (c->off >= h->mem_base)
		return h->chunk_data.data + (c->off - h->mem_base);
	assert(h->map); /* BUG: iterating a spilled head not loaded */
	/* the extent holding it: a chunk never spans two */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (h->ext[mid].voff <= c->off)
			lo = mid;
		else
			hi = mid;
	}
	return h->map + h->ext[lo].foff + (c->off - h->ext[lo].voff);
}

/* Moves the open chunk's bytes into the cut-chunk store. */
static void cut_open_chunk(struct head *h, struct head_series *s)
{
	struct head_chunk *c;
	uint32_t idx;

	ALLOC_GROW(h->chunks, h->nchunks + 1, h->chunks_cap);
	idx = (uint32_t)h->nchunks++;
	c = &h->chunks[idx];
	c->mint = s->open_mint;
	c->maxt = s->open_maxt;
	c->off = h->mem_base + h->chunk_data.len;
	c->len = (uint32_t)s->open.b.len;
	c->next = NO_CHUNK;
	buf_add(&h->chunk_data, s->open.b.data, s->open.b.len);
	if (h->spill && !h->spill->failed && h->chunk_data.len >= h->spill_budget)
		spill_chunks(h);
	if (s->last_chunk == NO_CHUNK)
		s->first_chunk = idx;
	else
		h->chunks[s->last_chunk].next = idx;
	s->last_chunk = idx;
	s->ncut++;
}

static void new_head_chunk(struct head *h, struct head_series *s, int64_t t)
{
	if (s->has_open)
		cut_open_chunk(h, s);
	xor_chunk_reset(&s->open);
	s->has_open = true;
	s->open_mint = t;
	s->open_maxt = INT64_MIN;
	s->next_at = range_for_timestamp(t, h->chunk_range);
}

/* memSeries.append: returns false when the sample is not newer. */
static bool series_append(struct head *h, struct head_series *s, int64_t t, double v)
{
	uint16_t num;

	if (!s->has_open)
		new_head_chunk(h, s, t);
	if (s->open_maxt >= t)
		return false;
	num = s->open.num;
	if (num == 0) {
		s->open_mint = t;
		s->next_at = range_for_timestamp(t, h->chunk_range);
	}
	if (num == SAMPLES_PER_CHUNK / 4)
		s->next_at = compute_chunk_end_time(s->open_mint, s->open_maxt, s->next_at);
	if (t >= s->next_at || num >= SAMPLES_PER_CHUNK * 2)
		new_head_chunk(h, s, t);
	xor_chunk_append(&s->open, t, v);
	h->nsamples++;
	s->open_maxt = t;
	s->last_vbits = double_bits(v);
	return true;
}

void head_commit(struct head *h)
{
	int64_t mint = INT64_MAX, maxt = INT64_MIN;

	for (size_t i = 0; i < h->nbatch; i++) {
		const struct head_sample *smp = &h->batch[i];
		struct head_series *s = &h->series[smp->series];

		/* A batch jumps between series: fetch the chunk bytes a few
		 * samples ahead, or every append waits for memory. */
		if (i + 8 < h->nbatch) {
			const struct head_series *ahead = &h->series[h->batch[i + 8].series];
			__builtin_prefetch(ahead->open.b.data + ahead->open.b.len, 1);
		}

		/* appendable() then append(): anything not newer than the
		 * series' last sample is dropped without an error. */
		if (!series_append(h, s, smp->t, smp->v))
			continue;
		if (smp->t < mint)
			mint = smp->t;
		if (smp->t > maxt)
			maxt = smp->t;
	}
	if (mint < h->min_time)
		h->min_time = mint;
	if (maxt > h->max_time)
		h->max_time = maxt;
	h->nbatch = 0;
	h->app_open = false;
}

void head_rollback(struct head *h)
{
	h->nbatch = 0;
	h->app_open = false;
}

size_t head_num_series(const struct head *h)
{
	return h->nseries;
}

size_t head_num_chunks(const struct head *h)
{
	size_t n = h->nchunks;

	for (size_t i = 0; i < h->nseries; i++)
		if (h->series[i].has_open && h->series[i].open.num > 0)
			n++;
	return n;
}

uint64_t head_num_samples(const struct head *h)
{
	return h->nsamples;
}

int64_t head_min_time(const struct head *h)
{
	return h->min_time;
}

int64_t head_max_time(const struct head *h)
{
	return h->max_time;
}

void head_series_labels(const struct head *h, uint32_t ref, const struct label **ls, size_t *n)
{
	*ls = h->series[ref].ls;
	*n = h->series[ref].nls;
}

static int cmp_series(const void *a, const void *b, void *arg)
{
	const struct head *h = arg;
	const struct head_series *x = &h->series[*(const uint32_t *)a];
	const struct head_series *y = &h->series[*(const uint32_t *)b];

	return labels_cmp(x->ls, x->nls, y->ls, y->nls);
}

uint32_t *head_series_sorted(const struct head *h)
{
	uint32_t *order = xcalloc(h->nseries ? h->nseries : 1, sizeof(*order));

	for (size_t i = 0; i < h->nseries; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, h->nseries, sizeof(*order), cmp_series, (void *)h);
	return order;
}

void head_chunk_iter_init(struct head_chunk_iter *it, const struct head *h, uint32_t ref)
{
	it->h = h;
	it->ref = ref;
	it->next = h->series[ref].first_chunk;
	it->open_done = false;
}

bool head_chunk_iter_next(struct head_chunk_iter *it, struct chunk_desc *out)
{
	const struct head *h = it->h;
	const struct head_series *s = &h->series[it->ref];

	if (it->next != NO_CHUNK) {
		const struct head_chunk *c = &h->chunks[it->next];

		*out = (struct chunk_desc){
			.data = chunk_bytes(h, c), .len = c->len,
			.encoding = CHUNK_ENC_XOR, .mint = c->mint, .maxt = c->maxt,
		};
		it->next = c->next;
		return true;
	}
	if (!it->open_done) {
		it->open_done = true;
		if (s->has_open && s->open.num > 0) {
			*out = (struct chunk_desc){
				.data = s->open.b.data, .len = s->open.b.len,
				.encoding = CHUNK_ENC_XOR, .mint = s->open_mint, .maxt = s->open_maxt,
			};
			return true;
		}
	}
	return false;
}
