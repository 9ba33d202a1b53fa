/*
 * Out-of-order data of a 3.x head, read-only (3-tsdb/head_ooo.h).
 *
 * Layout: wbl/ holds WAL segments (tsdb/docs/format/wal.md) of sample
 * records (types 2, 11; histograms 7-10, 12, 13 only checked) and m-map
 * markers (type 5: series ref <8b> | chunk ref <8b>) written when an OOO
 * head chunk went to chunks_head/ with encoding | 0x80.  The OOO view is a
 * second head: one series per in-order series that has OOO data (same ref
 * and labels) holding every OOO sample in time order (the m-mapped OOO
 * chunks overlap one another, so they are decoded; histogram chunks are
 * left out).  The querier merges it with the in-order head as another source
 * (3-tsdb/db_reader.c): at a timestamp both hold, the in-order sample wins.
 */
#include "3-tsdb/head_ooo.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/bytes.h"
#include "1-common/mmapfile.h"
#include "1-common/xalloc.h"
#include "3-tsdb/chunkenc.h"
#include "3-tsdb/chunkenc_xor2.h"
#include "3-tsdb/chunks_reader.h"
#include "3-tsdb/wal_reader.h"
#include "3-tsdb/wal_records.h"

struct ooo_load {
	struct tsdb_head *h, *o;
	size_t *map; /* in-order series index -> OOO series index + 1 */
	size_t *base; /* per OOO series: samples that came from chunks */
	size_t base_cap;
	uint64_t last_pos;
	int64_t min_valid;
};

static struct tsdb_head_series *ooo_series(struct ooo_load *l, uint64_t ref)
{
	struct tsdb_head_series *s = tsdb_head_get(l->h, ref), *os;
	size_t i;

	if (!s)
		return NULL;
	i = (size_t)(s - l->h->series);
	if (l->map[i])
		return &l->o->series[l->map[i] - 1];
	ALLOC_GROW(l->o->series, l->o->nseries + 1, l->o->cap);
	l->base = xreallocarray(l->base, l->o->cap, sizeof(*l->base));
	l->base[l->o->nseries] = 0;
	os = &l->o->series[l->o->nseries++];
	memset(os, 0, sizeof(*os));
	os->ref = s->ref;
	labels_init(&os->lbls);
	labels_dup(&os->lbls, s->lbls.v, s->lbls.n);
	l->map[i] = l->o->nseries;
	return os;
}

static void minmax(struct tsdb_head *h, int64_t mint, int64_t maxt)
{
	if (mint < h->mint)
		h->mint = mint;
	if (maxt > h->maxt)
		h->maxt = maxt;
}

/* One sample, appended; put in time order at the end (finish()). */
static void add_sample(void *arg, uint64_t ref, int64_t t, uint64_t vbits)
{
	struct ooo_load *l = arg;
	struct tsdb_head_series *s;

	if (t < l->min_valid || !(s = ooo_series(l, ref)))
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->t = xreallocarray(s->t, s->cap, sizeof(*s->t));
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->t[s->n] = t;
	s->v[s->n++] = bits_double(vbits);
	minmax(l->o, t, t);
}

struct tv {
	int64_t t;
	double v;
	size_t seq;
};

static int tv_cmp(const void *a, const void *b)
{
	const struct tv *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* OOOChunk.Insert keeps the first sample at a timestamp: a stable sort by
 * time, then the later duplicates dropped. */
static void finish(struct tsdb_head_series *s)
{
	struct tv *v = xcalloc(s->n ? s->n : 1, sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++)
		v[i] = (struct tv){ s->t[i], s->v[i], i };
	qsort(v, s->n, sizeof(*v), tv_cmp);
	for (size_t i = 0; i < s->n; i++) {
		if (k && s->t[k - 1] == v[i].t)
			continue;
		s->t[k] = v[i].t;
		s->v[k++] = v[i].v;
	}
	s->n = k;
	free(v);
}

static void ignore_histogram(void *arg, uint64_t ref, int64_t t)
{
	(void)arg;
	(void)ref;
	(void)t;
}

/* m-map markers: the OOO head chunk of the series went to chunks_head/. */
static int markers(struct ooo_load *l, struct cursor *c, struct err *e)
{
	while (cursor_left(c) > 0) {
		uint64_t ref = cursor_be64(c), pos = cursor_be64(c);
		struct tsdb_head_series *s;

		if (c->err)
			return err_set(e, "decode mmap markers: invalid size");
		/* a chunk the m-mapped files do not have: nothing to drop */
		if (pos > l->last_pos || !(s = ooo_series(l, ref)))
			continue;
		s->n = l->base[s - l->o->series];
	}
	return 0;
}

static int replay_wbl_segment(struct ooo_load *l, const char *path, struct err *e)
{
	struct mmap_file m = MMAP_FILE_INIT;
	struct wal_reader wr;
	const unsigned char *rec;
	size_t len;
	int r, ret = -1;

	if (mmap_file_open(&m, path, e) < 0)
		return -1;
	wal_reader_init(&wr, m.data, m.len, path);
	while ((r = wal_reader_next(&wr, &rec, &len, e)) > 0) {
		struct cursor c;

		if (!len)
			continue;
		cursor_init(&c, rec + 1, len - 1);
		switch (rec[0]) {
		case WAL_REC_SAMPLES:
			if (cursor_left(&c)) {
				uint64_t base_ref = cursor_be64(&c);
				int64_t base_t = (int64_t)cursor_be64(&c);
				while (cursor_left(&c) > 0) {
					int64_t dref = cursor_varint(&c), dt = cursor_varint(&c);
					uint64_t vbits = cursor_be64(&c);
					if (c.err)
						break;
					/* HeadSeriesRef(int64(baseRef) + dref) wraps in Go */
					add_sample(l, base_ref + (uint64_t)dref,
						     (int64_t)((uint64_t)base_t + (uint64_t)dt), vbits);
				}
			}
			r = c.err ? err_set(e, "decode samples: invalid size") : 0;
			break;
		case WAL_REC_SAMPLES_V2: r = wal_decode_samples_v2(&c, add_sample, l, e); break;
		case WAL_REC_MMAP_MARKERS: r = markers(l, &c, e); break;
		case WAL_REC_HISTOGRAMS:
		case WAL_REC_FLOAT_HISTOGRAMS:
		case WAL_REC_CB_HISTOGRAMS:
		case WAL_REC_CB_FLOAT_HISTOGRAMS:
		case WAL_REC_HISTOGRAMS_V2:
		case WAL_REC_FLOAT_HISTOGRAMS_V2: r = wal_decode_histograms(rec[0], &c, ignore_histogram, l, e); break;
		default: r = 0; break;
		}
		if (r < 0) {
			err_wrap(e, "%s: record at offset %zu", path, wr.rec_start);
			goto done;
		}
	}
	if (r < 0)
		goto done;
	ret = 0;
done:
	wal_reader_release(&wr);
	mmap_file_release(&m);
	return ret;
}

static int chunk_cmp(const void *a, const void *b)
{
	const struct head_ooo_chunk *x = a, *y = b;

	if (x->ref != y->ref)
		return x->ref < y->ref ? -1 : 1;
	return x->c.mint < y->c.mint ? -1 : x->c.mint > y->c.mint;
}

static int series_cmp(const void *a, const void *b)
{
	const struct tsdb_head_series *x = a, *y = b;

	return x->ref < y->ref ? -1 : x->ref > y->ref;
}

int head_load_ooo(struct tsdb_head *h, const char *dir, struct head_ooo_chunk *chunks, size_t n, uint64_t last_pos,
		  int64_t min_valid, struct err *e)
{
	char *wbl = xasprintf("%s/wbl", dir);
	char **segs = NULL;
	size_t nsegs = 0;
	struct ooo_load l = { h, NULL, NULL, NULL, 0, last_pos, min_valid };
	struct stat st;
	bool have_wbl = stat(wbl, &st) == 0 && S_ISDIR(st.st_mode);
	int ret = -1;

	if (!n && !have_wbl) {
		ret = 0;
		goto done;
	}
	l.o = xcalloc(1, sizeof(*l.o));
	tsdb_head_init(l.o);
	l.map = xcalloc(h->nseries + 1, sizeof(*l.map));
	qsort(chunks, n, sizeof(*chunks), chunk_cmp);
	/* OOO chunks overlap one another: their samples are decoded into
	 * the series' sorted samples rather than kept as chunks */
	for (size_t i = 0; i < n; i++) {
		struct tsdb_head_series *s;
		struct xor_iter it;
		struct xor2_iter it2;
		bool bad;

		if (chunks[i].c.maxt < min_valid ||
		    (chunks[i].c.encoding != CHUNK_ENC_XOR && chunks[i].c.encoding != CHUNK_ENC_XOR2))
			continue;
		if (chunks[i].c.encoding == CHUNK_ENC_XOR2) {
			/* 3.14's XOR2 (3-tsdb/chunkenc_xor2.h) */
			xor2_iter_init(&it2, chunks[i].c.data, chunks[i].c.len);
			while (xor2_iter_next(&it2))
				add_sample(&l, chunks[i].ref, it2.t, it2.v);
			bad = it2.err;
		} else {
			xor_iter_init(&it, chunks[i].c.data, chunks[i].c.len);
			while (xor_iter_next(&it))
				add_sample(&l, chunks[i].ref, it.t, it.v);
			bad = it.err;
		}
		if (bad) {
			err_set(e, "chunks_head: out-of-order chunk of series %" PRIu64 ": invalid XOR chunk data",
				chunks[i].ref);
			goto done;
		}
		if ((s = ooo_series(&l, chunks[i].ref)))
			l.base[s - l.o->series] = s->n;
	}
	if (have_wbl) {
		if (head_list_numbered(wbl, &segs, &nsegs, e) < 0)
			goto done;
		for (size_t i = 0; i < nsegs; i++) {
			char *p = xasprintf("%s/%s", wbl, segs[i]);
			int r = replay_wbl_segment(&l, p, e);

			free(p);
			if (r < 0) {
				err_wrap(e, "replay WBL");
				goto done;
			}
		}
	}
	for (size_t i = 0; i < l.o->nseries; i++)
		finish(&l.o->series[i]);
	if (l.o->nseries)
		qsort(l.o->series, l.o->nseries, sizeof(*l.o->series), series_cmp);
	/* the index of tsdb_head_get: rebuilt by the caller's helper */
	ret = 0;
done:
	if (ret == 0 && l.o && l.o->nseries) {
		h->ooo = l.o;
		l.o = NULL;
	}
	if (l.o) {
		tsdb_head_release(l.o);
		free(l.o);
	}
	free(l.map);
	free(l.base);
	for (size_t i = 0; i < nsegs; i++)
		free(segs[i]);
	free(segs);
	free(wbl);
	return ret;
}
