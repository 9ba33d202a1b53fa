/*
 * Rebuilding the head read-only (upstream v2.42.0 tsdb/head.go Head.Init,
 * loadMmappedChunks; tsdb/head_wal.go loadWAL, processWALSamples,
 * resetSeriesWithMMappedChunks; tsdb/record/record.go decoders).
 *
 * chunks_head/ files (tsdb/docs/format/head_chunks.md):
 *   magic 0x0130BC91 (4) | version 1 (1) | padding (3), then chunks
 *   series ref (be64) | mint (be64) | maxt (be64) | encoding (1) |
 *   len (uvarint) | data | CRC32C(everything before) (be32)
 * A chunk whose series ref, mint and maxt are all zero ends a file.
 *
 * WAL records (first byte the type): 1 series "ref (be64) | n (uvarint) |
 * n x (name, value) uvarint strings" repeated; 2 samples "base ref (be64) |
 * base t (be64) | (dref varint | dt varint | value bits be64)*";
 * 3 tombstones "(ref be64 | mint varint | maxt varint)*".  The types
 * added since 2.42 (3-tsdb/wal_records.h): SamplesV2 floats are applied,
 * histogram samples counted per series (a float reader stops there),
 * exemplars, metadata and mmap markers checked and dropped.
 *
 * Replay rules reproduced: samples before minValidTime are dropped; a
 * sample not after the series' last one (m-mapped or replayed) is dropped;
 * samples of unknown refs are dropped; a series record whose labels an
 * earlier ref already holds maps its samples onto that series; every series
 * record resets the series to its m-mapped chunks and drops samples
 * replayed so far for it.
 */
#include "3-tsdb/head_reader.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/bytes.h"
#include "1-common/crc32c.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "3-tsdb/chunkenc_xor2.h"
#include "3-tsdb/chunks_reader.h"
#include "3-tsdb/head_ooo.h"
#include "3-tsdb/wal_reader.h"
#include "3-tsdb/wal_records.h"


void tsdb_head_init(struct tsdb_head *h)
{
	memset(h, 0, sizeof(*h));
	h->mint = INT64_MAX;
	h->maxt = INT64_MIN;
}

void tsdb_head_release(struct tsdb_head *h)
{
	for (size_t i = 0; i < h->nseries; i++) {
		labels_release(&h->series[i].lbls);
		free(h->series[i].mm);
		free(h->series[i].t);
		free(h->series[i].v);
	}
	free(h->series);
	free(h->slot);
	for (size_t i = 0; i < h->nfiles; i++)
		mmap_file_release(&h->files[i]);
	free(h->files);
	free(h->stones);
	if (h->ooo) {
		tsdb_head_release(h->ooo);
		free(h->ooo);
	}
	tsdb_head_init(h);
}

/* ---- lookup tables ---------------------------------------------------- */

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

struct replay {
	struct tsdb_head *h;
	const char *dir;
	int64_t min_valid;
	/* labels -> series index + 1 */
	size_t *lslot;
	size_t nlslot, nlused;
	/* wal ref -> series ref, for duplicate series records */
	uint64_t *alias_from, *alias_to;
	size_t nalias, alias_cap;
	/* m-mapped chunks waiting for their series record, sorted by ref */
	struct pending_chunk {
		uint64_t ref;
		size_t seq; /* file order, to keep the sort stable */
		struct tsdb_head_chunk c;
	} *pend;
	size_t npend, pend_cap;
	/* out-of-order m-mapped chunks (3-tsdb/head_ooo.h) */
	struct head_ooo_chunk *ooo;
	size_t nooo, ooo_cap;
	uint64_t last_pos; /* ref of the last m-mapped chunk of any kind */
};

static void slots_rebuild(struct tsdb_head *h)
{
	free(h->slot);
	h->nslot = 16;
	while (h->nslot < h->nseries * 2 + 2)
		h->nslot *= 2;
	h->slot = xcalloc(h->nslot, sizeof(*h->slot));
	for (size_t i = 0; i < h->nseries; i++) {
		size_t j = mix(h->series[i].ref) & (h->nslot - 1);
		while (h->slot[j])
			j = (j + 1) & (h->nslot - 1);
		h->slot[j] = i + 1;
	}
}

struct tsdb_head_series *tsdb_head_get(const struct tsdb_head *h, uint64_t ref)
{
	size_t j;

	if (!h->nslot)
		return NULL;
	j = mix(ref) & (h->nslot - 1);
	while (h->slot[j]) {
		struct tsdb_head_series *s = &h->series[h->slot[j] - 1];
		if (s->ref == ref)
			return s;
		j = (j + 1) & (h->nslot - 1);
	}
	return NULL;
}

static void lslots_rebuild(struct replay *rp)
{
	struct tsdb_head *h = rp->h;
	free(rp->lslot);
	rp->nlslot = 16;
	while (rp->nlslot < h->nseries * 2 + 2)
		rp->nlslot *= 2;
	rp->lslot = xcalloc(rp->nlslot, sizeof(*rp->lslot));
	rp->nlused = h->nseries;
	for (size_t i = 0; i < h->nseries; i++) {
		size_t j = labels_hash(h->series[i].lbls.v, h->series[i].lbls.n) & (rp->nlslot - 1);
		while (rp->lslot[j])
			j = (j + 1) & (rp->nlslot - 1);
		rp->lslot[j] = i + 1;
	}
}

static struct tsdb_head_series *by_labels(const struct replay *rp, const struct label *ls, size_t n)
{
	size_t j;
	if (!rp->nlslot)
		return NULL;
	j = labels_hash(ls, n) & (rp->nlslot - 1);
	while (rp->lslot[j]) {
		struct tsdb_head_series *s = &rp->h->series[rp->lslot[j] - 1];
		if (labels_equal(s->lbls.v, s->lbls.n, ls, n))
			return s;
		j = (j + 1) & (rp->nlslot - 1);
	}
	return NULL;
}

static uint64_t alias(const struct replay *rp, uint64_t ref)
{
	for (size_t i = rp->nalias; i-- > 0;)
		if (rp->alias_from[i] == ref)
			return rp->alias_to[i];
	return ref;
}

/* ---- m-mapped head chunks --------------------------------------------- */

static int pend_cmp(const void *a, const void *b)
{
	const struct pending_chunk *x = a, *y = b;
	if (x->ref != y->ref)
		return x->ref < y->ref ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool digits_only(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int name_cmp(const void *a, const void *b)
{
	unsigned long long x = strtoull(*(char *const *)a, NULL, 10), y = strtoull(*(char *const *)b, NULL, 10);
	return x < y ? -1 : x > y;
}

/* Lists the numerically named entries of dir in numeric order. */
static int list_numbered(const char *dir, char ***out, size_t *n, struct err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return err_set(e, "open %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		if (!digits_only(de->d_name))
			continue;
		ALLOC_GROW(*out, *n + 1, cap);
		(*out)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof(**out), name_cmp);
	return 0;
}

int head_list_numbered(const char *dir, char ***out, size_t *n, struct err *e)
{
	return list_numbered(dir, out, n, e);
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int scan_chunk_file(struct replay *rp, const struct mmap_file *m, const char *path, uint64_t seq,
			   struct err *e)
{
	size_t pos = CHUNKS_HEADER_LEN;

	if (m->len < CHUNKS_HEADER_LEN)
		return err_set(e, "%s: head chunk file header: invalid size", path);
	if (get_be32(m->data) != HEAD_CHUNKS_MAGIC)
		return err_set(e, "%s: invalid magic number %" PRIx32, path, get_be32(m->data));
	if (m->data[4] != 1)
		return err_set(e, "%s: invalid chunk format version %d", path, m->data[4]);
	while (pos < m->len) {
		uint64_t sref, dlen;
		int64_t mint, maxt;
		uint8_t enc;
		int vn;
		size_t start = pos, end;

		if (m->len - pos < 8 + 8 + 8 + 1 + 1 + 4) {
			/* zeros to the end of the file mark its end */
			for (size_t j = pos; j < m->len; j++)
				if (m->data[j])
					return err_set(e, "%s: head chunk at offset %zu: truncated", path, pos);
			break;
		}
		sref = get_be64(m->data + pos);
		mint = (int64_t)get_be64(m->data + pos + 8);
		maxt = (int64_t)get_be64(m->data + pos + 16);
		if (sref == 0 && mint == 0 && maxt == 0)
			break;
		enc = m->data[pos + 24];
		pos += 25;
		vn = get_uvarint(m->data + pos, m->len - pos, &dlen);
		if (vn <= 0 || dlen > m->len - pos - (size_t)vn || m->len - pos - (size_t)vn - dlen < 4)
			return err_set(e, "%s: head chunk at offset %zu: invalid size", path, start);
		pos += (size_t)vn;
		end = pos + (size_t)dlen;
		if (crc32c_mismatch(crc32c(m->data + start, end - start), get_be32(m->data + end)))
			return err_set(e, "%s: head chunk at offset %zu: checksum mismatch", path, start);
		if (((seq << 32) | start) > rp->last_pos)
			rp->last_pos = (seq << 32) | start;
		/* out-of-order chunks (bit 7, 3.x) go to the OOO view */
		if ((enc & 0x80) && (enc & 0x7f) >= CHUNK_ENC_XOR &&
		    (enc & 0x7f) <= CHUNK_ENC_FLOAT_HISTOGRAM_ST) {
			struct head_ooo_chunk *o;
			ALLOC_GROW(rp->ooo, rp->nooo + 1, rp->ooo_cap);
			o = &rp->ooo[rp->nooo++];
			o->ref = sref;
			o->pos = (seq << 32) | start;
			o->c = (struct tsdb_head_chunk){ mint, maxt, (uint8_t)(enc & 0x7f), m->data + pos, (size_t)dlen };
		}
		/* unknown encodings are ignored (3.14's 4-6 are known:
		 * 3-tsdb/chunkenc_xor2.h), as are chunks wholly before
		 * minValidTime */
		if (!(enc & 0x80) && maxt >= rp->min_valid && enc >= CHUNK_ENC_XOR &&
		    enc <= CHUNK_ENC_FLOAT_HISTOGRAM_ST) {
			struct pending_chunk *p;
			ALLOC_GROW(rp->pend, rp->npend + 1, rp->pend_cap);
			p = &rp->pend[rp->npend];
			p->ref = sref;
			p->seq = rp->npend;
			p->c.mint = mint;
			p->c.maxt = maxt;
			p->c.encoding = enc;
			p->c.data = m->data + pos;
			p->c.len = (size_t)dlen;
			rp->npend++;
		}
		pos = end + 4;
	}
	return 0;
}

static int load_chunk_files(struct replay *rp, struct err *e)
{
	char *dir = xasprintf("%s/chunks_head", rp->dir);
	char **names = NULL;
	size_t n = 0;
	struct stat st;
	int ret = -1;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		ret = 0;
		goto done;
	}
	if (list_numbered(dir, &names, &n, e) < 0)
		goto done;
	rp->h->files = xcalloc(n ? n : 1, sizeof(*rp->h->files));
	for (size_t i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", dir, names[i]);
		int r = mmap_file_open(&rp->h->files[i], p, e);
		rp->h->nfiles = i + 1;
		if (r == 0)
			r = scan_chunk_file(rp, &rp->h->files[i], p, strtoull(names[i], NULL, 10), e);
		free(p);
		if (r < 0)
			goto done;
	}
	if (rp->npend)
		qsort(rp->pend, rp->npend, sizeof(*rp->pend), pend_cmp);
	/* "out of sequence m-mapped chunk": a series' chunks must not overlap */
	for (size_t i = 1; i < rp->npend; i++)
		if (rp->pend[i].ref == rp->pend[i - 1].ref && rp->pend[i - 1].c.maxt >= rp->pend[i].c.mint) {
			err_set(e, "iterate on on-disk chunks: out of sequence m-mapped chunk for series ref %" PRIu64
				   ", last chunk: [%" PRId64 ", %" PRId64 "], new: [%" PRId64 ", %" PRId64 "]",
				rp->pend[i].ref, rp->pend[i - 1].c.mint, rp->pend[i - 1].c.maxt, rp->pend[i].c.mint,
				rp->pend[i].c.maxt);
			goto done;
		}
	ret = 0;
done:
	free_names(names, n);
	free(dir);
	return ret;
}

static void update_minmax(struct tsdb_head *h, int64_t mint, int64_t maxt)
{
	if (mint < h->mint)
		h->mint = mint;
	if (maxt > h->maxt)
		h->maxt = maxt;
}

/* resetSeriesWithMMappedChunks: the series takes wal_ref's chunks. */
static void reset_series(struct replay *rp, struct tsdb_head_series *s, uint64_t wal_ref)
{
	size_t lo = 0, hi = rp->npend, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rp->pend[mid].ref < wal_ref)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < rp->npend && rp->pend[end].ref == wal_ref; end++)
		;
	s->nmm = 0;
	ALLOC_GROW(s->mm, end - lo, s->mmcap);
	for (size_t i = lo; i < end; i++)
		s->mm[s->nmm++] = rp->pend[i].c;
	if (s->nmm)
		update_minmax(rp->h, s->mm[0].mint, s->mm[s->nmm - 1].maxt);
	s->n = 0;
	s->hist_n = 0;
}

/* ---- records ---------------------------------------------------------- */

static const char *cursor_cstr(struct cursor *c, struct buf *scratch)
{
	uint64_t n = cursor_uvarint(c);
	const unsigned char *p;
	if (c->err || n > cursor_left(c)) {
		c->err = true;
		return NULL;
	}
	p = cursor_bytes(c, (size_t)n);
	buf_reset(scratch);
	buf_add(scratch, p, (size_t)n);
	return buf_str(scratch);
}

static int rec_series(struct replay *rp, struct cursor *c, struct err *e)
{
	struct tsdb_head *h = rp->h;
	struct labels ls = LABELS_INIT;
	struct buf nb = BUF_INIT, vb = BUF_INIT;
	int ret = -1;

	while (cursor_left(c) > 0) {
		uint64_t ref = cursor_be64(c), k = cursor_uvarint(c);
		struct tsdb_head_series *s;

		labels_reset(&ls);
		if (c->err || k > cursor_left(c) / 2)
			goto bad;
		for (uint64_t i = 0; i < k; i++) {
			const char *n = cursor_cstr(c, &nb);
			const char *v = n ? cursor_cstr(c, &vb) : NULL;
			if (!v)
				goto bad;
			labels_add_copy(&ls, n, v);
		}
		s = by_labels(rp, ls.v, ls.n);
		if (!s && (s = tsdb_head_get(h, ref)) != NULL) {
			/*
			 * A ref reused for other labels: 2.42's head files the new
			 * series under the ref, and queries resolve the ref to it,
			 * so the old series' data is no longer reachable.  Reuse
			 * its slot for the new labels.
			 */
			labels_reset(&s->lbls);
			labels_dup(&s->lbls, ls.v, ls.n);
			s->n = 0;
			if (++rp->nlused * 2 + 2 > rp->nlslot) {
				lslots_rebuild(rp);
			} else {
				size_t j = labels_hash(ls.v, ls.n) & (rp->nlslot - 1);
				while (rp->lslot[j])
					j = (j + 1) & (rp->nlslot - 1);
				rp->lslot[j] = (size_t)(s - h->series) + 1;
			}
		} else if (!s) {
			ALLOC_GROW(h->series, h->nseries + 1, h->cap);
			s = &h->series[h->nseries++];
			memset(s, 0, sizeof(*s));
			s->ref = ref;
			labels_init(&s->lbls);
			labels_dup(&s->lbls, ls.v, ls.n);
			if (h->nseries * 2 + 2 > h->nslot)
				slots_rebuild(h);
			else {
				size_t j = mix(ref) & (h->nslot - 1);
				while (h->slot[j])
					j = (j + 1) & (h->nslot - 1);
				h->slot[j] = h->nseries;
			}
			if (++rp->nlused * 2 + 2 > rp->nlslot) {
				lslots_rebuild(rp);
			} else {
				size_t j = labels_hash(ls.v, ls.n) & (rp->nlslot - 1);
				while (rp->lslot[j])
					j = (j + 1) & (rp->nlslot - 1);
				rp->lslot[j] = h->nseries;
			}
		} else if (s->ref != ref) {
			ALLOC_GROW(rp->alias_from, rp->nalias + 1, rp->alias_cap);
			rp->alias_to = xreallocarray(rp->alias_to, rp->alias_cap, sizeof(*rp->alias_to));
			rp->alias_from[rp->nalias] = ref;
			rp->alias_to[rp->nalias++] = s->ref;
		}
		reset_series(rp, s, ref);
	}
	ret = 0;
	goto done;
bad:
	err_set(e, "decode series: invalid size");
done:
	labels_release(&ls);
	buf_release(&nb);
	buf_release(&vb);
	return ret;
}

/* The series a WAL sample goes to, or NULL when it is dropped (before
 * minValidTime, unknown ref, not after the series' last sample). */
static struct tsdb_head_series *sample_series(struct replay *rp, uint64_t ref, int64_t t)
{
	struct tsdb_head_series *s;
	int64_t last;

	if (t < rp->min_valid)
		return NULL;
	if (rp->nalias)
		ref = alias(rp, ref);
	s = tsdb_head_get(rp->h, ref);
	if (!s)
		return NULL;
	last = s->n ? s->t[s->n - 1] : (s->nmm ? s->mm[s->nmm - 1].maxt : INT64_MIN);
	if (s->hist_n && s->hist_maxt > last)
		last = s->hist_maxt; /* floats and histograms share the order */
	if (t <= last && (s->n || s->nmm || s->hist_n))
		return NULL;
	return s;
}

static void apply_float(void *arg, uint64_t ref, int64_t t, uint64_t vbits)
{
	struct replay *rp = arg;
	struct tsdb_head_series *s = sample_series(rp, ref, t);

	if (!s)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->t = xreallocarray(s->t, s->cap, sizeof(*s->t));
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->t[s->n] = t;
	s->v[s->n++] = bits_double(vbits);
	update_minmax(rp->h, t, t);
}

/* A native histogram sample: counted, never stored (3-tsdb/wal_records.h). */
static void apply_histogram(void *arg, uint64_t ref, int64_t t)
{
	struct replay *rp = arg;
	struct tsdb_head_series *s = sample_series(rp, ref, t);

	if (!s)
		return;
	if (!s->hist_n)
		s->hist_mint = t;
	s->hist_maxt = t;
	s->hist_n++;
	update_minmax(rp->h, t, t);
}

static int rec_samples(struct replay *rp, struct cursor *c, struct err *e)
{
	uint64_t base_ref;
	int64_t base_t;
	size_t count = 0;

	if (!cursor_left(c))
		return 0;
	base_ref = cursor_be64(c);
	base_t = (int64_t)cursor_be64(c);
	while (cursor_left(c) > 0) {
		int64_t dref = cursor_varint(c), dt = cursor_varint(c);
		uint64_t vbits = cursor_be64(c);

		if (c->err)
			return err_set(e, "decode samples: decode error after %zu samples: invalid size", count);
		count++;
		/* Go's HeadSeriesRef(int64(baseRef) + dref): wraps */
		apply_float(rp, base_ref + (uint64_t)dref, (int64_t)((uint64_t)base_t + (uint64_t)dt), vbits);
	}
	if (c->err)
		return err_set(e, "decode samples: invalid size");
	return 0;
}

static int rec_tombstones(struct replay *rp, struct cursor *c, size_t *cap, struct err *e)
{
	struct tsdb_head *h = rp->h;

	while (cursor_left(c) > 0) {
		struct tsdb_tombstone s;
		s.ref = cursor_be64(c);
		s.mint = cursor_varint(c);
		s.maxt = cursor_varint(c);
		if (c->err)
			return err_set(e, "decode tombstones: invalid size");
		if (s.maxt < rp->min_valid || !tsdb_head_get(h, s.ref))
			continue;
		ALLOC_GROW(h->stones, h->nstones + 1, *cap);
		h->stones[h->nstones++] = s;
	}
	return 0;
}

static int replay_segment(struct replay *rp, const char *path, size_t *stone_cap, struct err *e)
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
		case WAL_REC_SERIES: r = rec_series(rp, &c, e); break;
		case WAL_REC_SAMPLES: r = rec_samples(rp, &c, e); break;
		case WAL_REC_TOMBSTONES: r = rec_tombstones(rp, &c, stone_cap, e); break;
		/* added after 2.42 (3-tsdb/wal_records.h) */
		case WAL_REC_SAMPLES_V2: r = wal_decode_samples_v2(&c, apply_float, rp, e); break;
		case WAL_REC_HISTOGRAMS:
		case WAL_REC_FLOAT_HISTOGRAMS:
		case WAL_REC_CB_HISTOGRAMS:
		case WAL_REC_CB_FLOAT_HISTOGRAMS:
		case WAL_REC_HISTOGRAMS_V2:
		case WAL_REC_FLOAT_HISTOGRAMS_V2: r = wal_decode_histograms(rec[0], &c, apply_histogram, rp, e); break;
		case WAL_REC_EXEMPLARS:
		case WAL_REC_MMAP_MARKERS:
		case WAL_REC_METADATA: r = wal_check_record(rec[0], &c, e); break;
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

static int series_ref_cmp(const void *a, const void *b)
{
	const struct tsdb_head_series *x = a, *y = b;
	return x->ref < y->ref ? -1 : x->ref > y->ref;
}

static int stone_cmp(const void *a, const void *b)
{
	const struct tsdb_tombstone *x = a, *y = b;
	if (x->ref != y->ref)
		return x->ref < y->ref ? -1 : 1;
	return x->mint < y->mint ? -1 : x->mint > y->mint;
}

/* wlog.LastCheckpoint: the checkpoint.N directory with the highest N. */
static int last_checkpoint(const char *wal, char **out, long long *idx, struct err *e)
{
	DIR *d = opendir(wal);
	struct dirent *de;

	*out = NULL;
	*idx = -1;
	if (!d)
		return err_set(e, "open %s: %s", wal, strerror(errno));
	while ((de = readdir(d))) {
		const char *s = de->d_name;
		char *p;
		struct stat st;
		if (strncmp(s, "checkpoint.", 11) || !digits_only(s + 11))
			continue;
		p = xasprintf("%s/%s", wal, s);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode) && strtoll(s + 11, NULL, 10) > *idx) {
			*idx = strtoll(s + 11, NULL, 10);
			free(*out);
			*out = p;
		} else {
			free(p);
		}
	}
	closedir(d);
	return 0;
}

int tsdb_head_load(struct tsdb_head *h, const char *dir, int64_t min_valid_time, struct err *e)
{
	struct replay rp;
	char *wal = xasprintf("%s/wal", dir), *cp = NULL;
	char **segs = NULL, **cpsegs = NULL;
	size_t nsegs = 0, ncpsegs = 0, stone_cap = 0;
	long long cpidx = -1, start = 0;
	struct stat st;
	int ret = -1;

	tsdb_head_init(h);
	memset(&rp, 0, sizeof(rp));
	rp.h = h;
	rp.dir = dir;
	rp.min_valid = min_valid_time;
	if (load_chunk_files(&rp, e) < 0)
		goto done;
	/* no wal/ at all: read the dir as it is (2.42 errors out here) */
	if (stat(wal, &st) < 0 || !S_ISDIR(st.st_mode)) {
		ret = 0;
		goto done;
	}
	if (last_checkpoint(wal, &cp, &cpidx, e) < 0 || list_numbered(wal, &segs, &nsegs, e) < 0)
		goto done;
	for (size_t i = 1; i < nsegs; i++)
		if (strtoll(segs[i], NULL, 10) != strtoll(segs[i - 1], NULL, 10) + 1) {
			err_set(e, "finding WAL segments: segments are not sequential");
			goto done;
		}
	if (cp) {
		if (list_numbered(cp, &cpsegs, &ncpsegs, e) < 0)
			goto done;
		for (size_t i = 0; i < ncpsegs; i++) {
			char *p = xasprintf("%s/%s", cp, cpsegs[i]);
			int r = replay_segment(&rp, p, &stone_cap, e);
			free(p);
			if (r < 0) {
				err_wrap(e, "backfill checkpoint");
				goto done;
			}
		}
		start = cpidx + 1;
	}
	if (nsegs) {
		long long last = strtoll(segs[nsegs - 1], NULL, 10), first = strtoll(segs[0], NULL, 10);
		for (long long i = start; i <= last; i++) {
			char *p;
			int r;
			if (i < first) {
				err_set(e, "open WAL segment: %lld: open %s/%08lld: no such file or directory", i, wal, i);
				goto done;
			}
			p = xasprintf("%s/%s", wal, segs[i - first]);
			r = replay_segment(&rp, p, &stone_cap, e);
			free(p);
			if (r < 0)
				goto done;
		}
	}
	ret = 0;
done:
	if (ret == 0) {
		if (h->nseries)
			qsort(h->series, h->nseries, sizeof(*h->series), series_ref_cmp);
		slots_rebuild(h);
		if (h->nstones)
			qsort(h->stones, h->nstones, sizeof(*h->stones), stone_cmp);
		/* Init: the head never starts before minValidTime */
		if (h->mint < min_valid_time)
			h->mint = min_valid_time;
		if (head_load_ooo(h, dir, rp.ooo, rp.nooo, rp.last_pos, min_valid_time, e) < 0)
			ret = -1;
	}
	free(rp.ooo);
	free(rp.lslot);
	free(rp.alias_from);
	free(rp.alias_to);
	free(rp.pend);
	free_names(segs, nsegs);
	free_names(cpsegs, ncpsegs);
	free(cp);
	free(wal);
	return ret;
}
