/*
 * The compactor's vertical merge (3-tsdb/compact_merge.h), step for step
 * as 2.42's storage/merge.go runs it:
 *
 *   genericMergeSeriesSet   a heap of sources by their current series'
 *                           labels; equal labels are popped together, in
 *                           heap order, and merged;
 *   compactChunkIterator    a heap of chunk iterators by (min, max time);
 *                           the popped chunk plus every chunk that starts
 *                           before the group's running max time (1:1
 *                           duplicates of the previous one skipped) are
 *                           merged, and the merge's later chunks go back
 *                           into the heap;
 *   chainSampleIterator     a heap of sample iterators by timestamp, one
 *                           sample kept per timestamp;
 *   seriesToChunkEncoder    a new XOR chunk every 120 samples (no size
 *                           cut and no end-time estimate: those are the
 *                           head appender's, not the encoder's, up to
 *                           3.14); from 3.0 the chunk bytes lose the
 *                           bstream quirk byte as the head's do
 *                           (BSTREAM_NO_QUIRK_BYTE, 3-tsdb/head.c).
 *
 * The heaps are Go's container/heap (Push = append + up, Pop = swap with
 * the last + down), so that equal keys come out in the same order.
 */
#include "3-tsdb/compact_merge.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/xalloc.h"
#include "3-tsdb/chunkenc.h"

enum { ENCODER_SPLIT = 120 }; /* seriesToChunkEncoderSplit */

/* container/heap over int handles, ordered by less(ctx, a, b). */
struct goheap {
	int *v;
	size_t n, cap;
	bool (*less)(const void *ctx, int a, int b);
	const void *ctx;
};

static bool gh_less(const struct goheap *h, size_t i, size_t j)
{
	return h->less(h->ctx, h->v[i], h->v[j]);
}

static void gh_swap(struct goheap *h, size_t i, size_t j)
{
	int t = h->v[i];
	h->v[i] = h->v[j];
	h->v[j] = t;
}

static void gh_up(struct goheap *h, size_t j)
{
	while (j > 0) {
		size_t i = (j - 1) / 2;
		if (!gh_less(h, j, i))
			break;
		gh_swap(h, i, j);
		j = i;
	}
}

static void gh_down(struct goheap *h, size_t i, size_t n)
{
	for (;;) {
		size_t j1 = 2 * i + 1, j;
		if (j1 >= n)
			break;
		j = j1;
		if (j1 + 1 < n && gh_less(h, j1 + 1, j1))
			j = j1 + 1;
		if (!gh_less(h, j, i))
			break;
		gh_swap(h, i, j);
		i = j;
	}
}

static void gh_push(struct goheap *h, int x)
{
	ALLOC_GROW(h->v, h->n + 1, h->cap);
	h->v[h->n++] = x;
	gh_up(h, h->n - 1);
}

static int gh_pop(struct goheap *h)
{
	size_t n = h->n - 1;

	gh_swap(h, 0, n);
	gh_down(h, 0, n);
	return h->v[--h->n];
}

/* A chunks.Iterator over a list of chunks; pos SIZE_MAX before Next(). */
struct citer {
	const struct chunk_desc *chks;
	size_t n, pos;
};

static bool citer_next(struct citer *it)
{
	it->pos = it->pos == SIZE_MAX ? 0 : it->pos + 1;
	if (it->pos > it->n)
		it->pos = it->n;
	return it->pos < it->n;
}

static const struct chunk_desc *citer_at(const struct citer *it)
{
	return &it->chks[it->pos];
}

/* The state of one series' merge; the re-encoded chunks live here. */
struct series_merge {
	struct citer *its;
	size_t nits, its_cap;
	struct xor_chunk **enc; /* every chunk encoded for this series */
	size_t nenc, enc_cap;
	struct chunk_desc **lists; /* chunk lists of the re-encodings */
	size_t nlists, lists_cap;
	struct chunk_desc *out;
	size_t nout, out_cap;
	bool no_quirk; /* 3.0+: no trailing 0x00 of a byte-aligned writeByte */
};

static bool chunk_less(const void *ctx, int a, int b)
{
	const struct series_merge *m = ctx;
	const struct chunk_desc *x = citer_at(&m->its[a]), *y = citer_at(&m->its[b]);

	if (x->mint == y->mint)
		return x->maxt < y->maxt;
	return x->mint < y->mint;
}

/* A sample iterator over one chunk. */
struct siter {
	struct xor_iter it;
	bool done;
};

static bool siter_next(struct siter *s)
{
	if (s->done)
		return false;
	if (!xor_iter_next(&s->it)) {
		s->done = true;
		return false;
	}
	return true;
}

static bool sample_less(const void *ctx, int a, int b)
{
	const struct siter *s = ctx;

	return s[a].it.t < s[b].it.t;
}

/* len(chunk.Bytes()) of a finished re-encoded chunk in m's release. */
static size_t enc_len(const struct series_merge *m, const struct xor_chunk *c)
{
	if (m->no_quirk && c->count == 8)
		return c->b.len - 1;
	return c->b.len;
}

static struct xor_chunk *new_chunk(struct series_merge *m)
{
	struct xor_chunk *c = xmalloc(sizeof(*c));

	xor_chunk_init(c);
	ALLOC_GROW(m->enc, m->nenc + 1, m->enc_cap);
	m->enc[m->nenc++] = c;
	return c;
}

/*
 * ChainedSeriesMerge of the chunks chs[0..n) (in that order) through
 * seriesToChunkEncoder: appends a new chunk iterator to m->its and returns
 * its handle.
 */
static int chain_encode(struct series_merge *m, const struct chunk_desc *chs, size_t n, int *handle, struct err *e)
{
	struct siter *s = xcalloc(n, sizeof(*s));
	struct goheap h = { NULL, 0, 0, sample_less, s };
	struct chunk_desc *list = NULL;
	size_t nlist = 0, cap = 0, count = 0;
	struct xor_chunk *cur = NULL;
	int64_t last_t = INT64_MIN, mint = 0, maxt = 0;
	int curr = 0, rc = -1;
	bool have_curr = true;

	for (size_t i = 0; i < n; i++)
		xor_iter_init(&s[i].it, chs[i].data, chs[i].len);
	for (size_t i = 1; i < n; i++)
		if (siter_next(&s[i]))
			gh_push(&h, (int)i);
	while (have_curr) {
		int64_t t = 0;
		bool got = false;

		for (;;) {
			if (siter_next(&s[curr])) {
				t = s[curr].it.t;
				if (t == last_t)
					continue;
				if (h.n == 0 || t < s[h.v[0]].it.t) {
					got = true;
					break;
				}
				gh_push(&h, curr);
			} else if (h.n == 0) {
				have_curr = false;
				break;
			}
			curr = gh_pop(&h);
			t = s[curr].it.t;
			if (t != last_t) {
				got = true;
				break;
			}
		}
		if (!got)
			break;
		last_t = t;
		if (!cur || count >= ENCODER_SPLIT) {
			if (cur) {
				ALLOC_GROW(list, nlist + 1, cap);
				list[nlist++] = (struct chunk_desc){ cur->b.data, enc_len(m, cur), CHUNK_ENC_XOR, mint, maxt, 0 };
			}
			cur = new_chunk(m);
			count = 0;
			mint = t;
		}
		xor_chunk_append(cur, t, xor_iter_value(&s[curr].it));
		maxt = t;
		count++;
	}
	for (size_t i = 0; i < n; i++)
		if (s[i].it.err) {
			err_set(e, "chunk iter: corrupt XOR chunk");
			goto done;
		}
	if (cur) {
		ALLOC_GROW(list, nlist + 1, cap);
		list[nlist++] = (struct chunk_desc){ cur->b.data, enc_len(m, cur), CHUNK_ENC_XOR, mint, maxt, 0 };
	}
	ALLOC_GROW(m->lists, m->nlists + 1, m->lists_cap);
	m->lists[m->nlists++] = list;
	list = NULL;
	ALLOC_GROW(m->its, m->nits + 1, m->its_cap);
	m->its[m->nits] = (struct citer){ m->lists[m->nlists - 1], nlist, SIZE_MAX };
	*handle = (int)m->nits++;
	rc = 0;
done:
	free(list);
	free(h.v);
	free(s);
	return rc;
}

static void out_add(struct series_merge *m, const struct chunk_desc *c)
{
	ALLOC_GROW(m->out, m->nout + 1, m->out_cap);
	m->out[m->nout++] = *c;
}

/* compactChunkIterator over m->its[0..nits) (the series' sources). */
static int merge_chunks(struct series_merge *m, struct err *e)
{
	struct goheap h = { NULL, 0, 0, chunk_less, m };
	struct chunk_desc *ov = NULL;
	size_t nov = 0, ov_cap = 0;
	int rc = -1;

	for (size_t i = 0, n = m->nits; i < n; i++)
		if (citer_next(&m->its[i]))
			gh_push(&h, (int)i);
	while (h.n > 0) {
		int it = gh_pop(&h);
		struct chunk_desc curr = *citer_at(&m->its[it]), prev;
		int64_t omax = curr.maxt;

		if (citer_next(&m->its[it]))
			gh_push(&h, it);
		prev = curr;
		nov = 0;
		while (h.n > 0) {
			const struct chunk_desc *next = citer_at(&m->its[h.v[0]]);
			if (next->mint > omax)
				break;
			if (!(next->mint == prev.mint && next->maxt == prev.maxt && next->len == prev.len &&
			      memcmp(next->data, prev.data, next->len) == 0)) {
				ALLOC_GROW(ov, nov + 1, ov_cap);
				ov[nov++] = *next;
				if (next->maxt > omax)
					omax = next->maxt;
				prev = *next;
			}
			it = gh_pop(&h);
			if (citer_next(&m->its[it]))
				gh_push(&h, it);
		}
		if (nov == 0) {
			out_add(m, &curr);
			continue;
		}
		/* the overlapping chunks first, the popped one last */
		ALLOC_GROW(ov, nov + 1, ov_cap);
		ov[nov++] = curr;
		if (chain_encode(m, ov, nov, &it, e) < 0)
			goto done;
		if (!citer_next(&m->its[it])) {
			err_set(e, "compact merge: no samples in overlapping chunks");
			goto done;
		}
		out_add(m, citer_at(&m->its[it]));
		if (citer_next(&m->its[it]))
			gh_push(&h, it);
	}
	rc = 0;
done:
	free(ov);
	free(h.v);
	return rc;
}

static void series_merge_reset(struct series_merge *m)
{
	for (size_t i = 0; i < m->nenc; i++) {
		xor_chunk_release(m->enc[i]);
		free(m->enc[i]);
	}
	for (size_t i = 0; i < m->nlists; i++)
		free(m->lists[i]);
	m->nenc = m->nlists = m->nits = m->nout = 0;
}

static void series_merge_release(struct series_merge *m)
{
	series_merge_reset(m);
	free(m->enc);
	free(m->lists);
	free(m->its);
	free(m->out);
}

/* The series-set heap: sources by their current series' labels. */
struct set_heap_ctx {
	const struct merge_source *srcs;
	const size_t *pos;
};

static const struct merge_series *set_at(const struct set_heap_ctx *c, int s)
{
	return &c->srcs[s].series[c->pos[s]];
}

static bool set_less(const void *ctx, int a, int b)
{
	const struct merge_series *x = set_at(ctx, a), *y = set_at(ctx, b);

	return labels_cmp(x->ls, x->nls, y->ls, y->nls) < 0;
}

/* genericSeriesSet.Next for source s (pos SIZE_MAX before the first). */
static bool set_next(const struct merge_source *srcs, size_t *pos, int s)
{
	pos[s] = pos[s] == SIZE_MAX ? 0 : pos[s] + 1;
	return pos[s] < srcs[s].n;
}

int compact_merge(const struct merge_source *srcs, size_t nsrcs, bool no_quirk_byte, merge_emit_fn emit, void *arg,
		  struct err *e)
{
	size_t *pos = xcalloc(nsrcs ? nsrcs : 1, sizeof(*pos));
	struct set_heap_ctx ctx = { srcs, pos };
	struct goheap h = { NULL, 0, 0, set_less, &ctx };
	int *cur = xcalloc(nsrcs ? nsrcs : 1, sizeof(*cur));
	size_t ncur = 0;
	struct series_merge m;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	m.no_quirk = no_quirk_byte;
	for (size_t i = 0; i < nsrcs; i++) {
		pos[i] = SIZE_MAX;
		if (set_next(srcs, pos, (int)i))
			gh_push(&h, (int)i);
	}
	for (;;) {
		const struct merge_series *top;

		for (size_t i = 0; i < ncur; i++)
			if (set_next(srcs, pos, cur[i]))
				gh_push(&h, cur[i]);
		if (h.n == 0)
			break;
		ncur = 0;
		top = set_at(&ctx, h.v[0]);
		while (h.n > 0) {
			const struct merge_series *s = set_at(&ctx, h.v[0]);
			if (!labels_equal(top->ls, top->nls, s->ls, s->nls))
				break;
			cur[ncur++] = gh_pop(&h);
		}
		series_merge_reset(&m);
		if (ncur == 1) {
			const struct merge_series *s = set_at(&ctx, cur[0]);
			for (size_t k = 0; k < s->nchks; k++)
				out_add(&m, &s->chks[k]);
		} else {
			for (size_t i = 0; i < ncur; i++) {
				const struct merge_series *s = set_at(&ctx, cur[i]);
				ALLOC_GROW(m.its, m.nits + 1, m.its_cap);
				m.its[m.nits++] = (struct citer){ s->chks, s->nchks, SIZE_MAX };
			}
			if (merge_chunks(&m, e) < 0)
				goto done;
		}
		if (m.nout && emit(arg, top->ls, top->nls, m.out, m.nout, e) < 0)
			goto done;
	}
	rc = 0;
done:
	series_merge_release(&m);
	free(h.v);
	free(pos);
	free(cur);
	return rc;
}
