/*
 * The querier over blocks and head (upstream v2.42.0 tsdb/db.go
 * DBReadOnly + DB.Querier, tsdb/querier.go blockQuerier, storage/merge.go).
 *
 * Each source (a block overlapping the range, then the head) yields series
 * in its own order; with more than one source they are merged by labels the
 * way genericMergeSeriesSet does, and samples of equal series are chained by
 * chainSampleIterator.  Both use Go's container/heap, whose pop order among
 * equal keys decides which duplicate sample wins, so the heap below follows
 * container/heap's up/down steps exactly.
 */
#include "3-tsdb/db_reader.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/buf.h"
#include "1-common/goerrno.h"
#include "1-common/xalloc.h"
#include "2-model/matcher.h"
#include "3-tsdb/chunkenc_xor2.h"
#include "3-tsdb/ulid.h"

/* ---- opening ---------------------------------------------------------- */

void tsdb_db_init(struct tsdb_db *db)
{
	memset(db, 0, sizeof(*db));
	tsdb_head_init(&db->head);
	pthread_mutex_init(&db->hist_mu, NULL);
}

void tsdb_db_release(struct tsdb_db *db)
{
	for (size_t i = 0; i < db->nblocks; i++)
		tsdb_block_release(&db->blocks[i]);
	free(db->blocks);
	free(db->dir);
	for (size_t i = 0; i < db->nskipped; i++)
		free(db->skipped[i]);
	free(db->skipped);
	tsdb_head_release(&db->head);
	free(db->hist_seen);
	pthread_mutex_destroy(&db->hist_mu);
	tsdb_db_init(db);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tsdb_db_open_blocks(struct tsdb_db *db, const char *dir, struct err *e)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, nerr = 0;
	struct buf msg = BUF_INIT;
	int ret = -1;

	tsdb_db_init(db);
	db->dir = xstrdup(dir);
	{
		/* OpenDBReadOnly's first check and its words */
		struct stat st;
		if (stat(dir, &st) < 0)
			return err_set(e, "opening the db dir: stat %s: %s", dir, go_strerror(errno));
	}
	d = opendir(dir);
	if (!d)
		return err_set(e, "open %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		struct stat st;
		char *p;
		if (!ulid_valid(de->d_name))
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			ALLOC_GROW(names, n + 1, cap);
			names[n++] = xstrdup(de->d_name);
		}
		free(p);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	db->blocks = xcalloc(n ? n : 1, sizeof(*db->blocks));
	for (size_t i = 0; i < n; i++) {
		struct err be = ERR_INIT;
		char *p = xasprintf("%s/%s", dir, names[i]);
		struct block_meta m;
		/* openBlocks skips (and only logs) a dir whose meta.json does
		 * not read; everything after that failing is a corrupted block */
		if (block_meta_read(&m, p, &be) < 0) {
			db->skipped = xreallocarray(db->skipped, db->nskipped + 1, sizeof(*db->skipped));
			db->skipped[db->nskipped++] = xasprintf("skipping block '%s': %s", p, err_msg(&be));
			err_release(&be);
			free(p);
			continue;
		}
		block_meta_release(&m);
		if (tsdb_block_open(&db->blocks[db->nblocks], p, &be) < 0) {
			tsdb_block_release(&db->blocks[db->nblocks]);
			buf_addf(&msg, "%scorrupted block %s: %s", nerr ? "; " : "", names[i], err_msg(&be));
			nerr++;
		} else {
			db->nblocks++;
		}
		err_release(&be);
		free(p);
	}
	if (nerr) {
		if (nerr > 1)
			err_set(e, "%zu errors: %s", nerr, buf_str(&msg));
		else
			err_set(e, "%s", buf_str(&msg));
		goto done;
	}
	/* sort.Slice by MinTime; an insertion sort keeps equal ones in name
	 * order, as Go's pdqsort does for the few blocks a dir holds */
	for (size_t i = 1; i < db->nblocks; i++) {
		for (size_t j = i; j > 0 && db->blocks[j].meta.min_time < db->blocks[j - 1].meta.min_time; j--) {
			struct tsdb_block t = db->blocks[j];
			db->blocks[j] = db->blocks[j - 1];
			db->blocks[j - 1] = t;
		}
	}
	ret = 0;
done:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_release(&msg);
	return ret;
}

int tsdb_db_open(struct tsdb_db *db, const char *dir, int64_t maxt, struct err *e)
{
	int64_t max_block_time = INT64_MIN;

	if (tsdb_db_open_blocks(db, dir, e) < 0)
		return -1;
	if (db->nblocks)
		max_block_time = db->blocks[db->nblocks - 1].meta.max_time;
	/* the WAL is read only when the blocks do not cover the query */
	if (max_block_time <= maxt) {
		if (tsdb_head_load(&db->head, dir, max_block_time, e) < 0)
			return err_wrap(e, "read WAL");
		db->head_loaded = true;
	}
	return 0;
}

/* ---- matchers --------------------------------------------------------- */

bool tsdb_matcher_matches(const struct label_matcher *m, const char *v)
{
	/* promtool's default selector; skip the regex engine for it */
	if (m->type == LABEL_MATCH_REGEXP && m->value_len == 7 && !memcmp(m->value, "(?s:.*)", 7))
		return true;
	return label_matcher_matches(m, v);
}

static bool matchers_match(const struct label_matcher *m, size_t nm, const struct label *ls, size_t n)
{
	for (size_t i = 0; i < nm; i++)
		if (!tsdb_matcher_matches(&m[i], labels_get(ls, n, m[i].name)))
			return false;
	return true;
}

static bool groups_match(const struct label_matcher *const *m, const size_t *nm, size_t ng, const struct label *ls,
			 size_t n)
{
	/* no matchers select nothing, as PostingsForMatchers intersects
	 * no postings lists at all */
	for (size_t g = 0; g < ng; g++)
		if (nm[g] && matchers_match(m[g], nm[g], ls, n))
			return true;
	return false;
}

/* ---- sample iteration over one source's series ------------------------ */

struct span {
	uint8_t enc;
	const unsigned char *data; /* XOR bytes */
	size_t len;
	const int64_t *t; /* or plain samples */
	const double *v;
	size_t n;
	uint64_t ref; /* chunk ref, for messages */
};

struct src_iter {
	const struct span *spans;
	size_t nspans, si;
	bool in_span;
	struct xor_iter x;
	struct xor2_iter x2; /* encoding 4 (3.14's XOR2), when s->enc says so */
	size_t ai;
	const struct tsdb_tombstone *del;
	size_t ndel;
	int64_t mint, maxt;
	int64_t t;
	double v;
	bool bad;
	const char *where;
	uint64_t bad_ref;
	int64_t hist_from; /* the head's first histogram sample, INT64_MAX if none */
	bool hist;         /* iteration stopped at a native histogram sample */
};

static bool deleted(const struct src_iter *it, int64_t t)
{
	for (size_t i = 0; i < it->ndel; i++)
		if (t >= it->del[i].mint && t <= it->del[i].maxt)
			return true;
	return false;
}

/* The next sample in range; false at the end or on error (bad). */
static bool src_next(struct src_iter *it)
{
	for (;;) {
		const struct span *s;
		int64_t t;
		double v;

		if (it->bad || it->si >= it->nspans)
			return false;
		s = &it->spans[it->si];
		if (s->data) {
			if (!it->in_span) {
				/* promtool's dump loop ends at the first non-float
				 * sample: histogram chunks (2, 3, and 3.14's 5, 6) */
				if (s->enc != CHUNK_ENC_XOR && s->enc != CHUNK_ENC_XOR2) {
					it->hist = true;
					it->si = it->nspans;
					return false;
				}
				if (s->enc == CHUNK_ENC_XOR2)
					xor2_iter_init(&it->x2, s->data, s->len);
				else
					xor_iter_init(&it->x, s->data, s->len);
				it->in_span = true;
			}
			if (s->enc == CHUNK_ENC_XOR2) {
				if (!xor2_iter_next(&it->x2)) {
					if (it->x2.err) {
						it->bad = true;
						it->bad_ref = s->ref;
						return false;
					}
					it->si++;
					it->in_span = false;
					continue;
				}
				t = it->x2.t;
				v = bits_double(it->x2.v);
			} else if (!xor_iter_next(&it->x)) {
				if (it->x.err) {
					it->bad = true;
					it->bad_ref = s->ref;
					return false;
				}
				it->si++;
				it->in_span = false;
				continue;
			} else {
				t = it->x.t;
				v = xor_iter_value(&it->x);
			}
		} else {
			if (!it->in_span) {
				it->ai = 0;
				it->in_span = true;
			}
			if (it->ai >= s->n) {
				it->si++;
				it->in_span = false;
				continue;
			}
			t = s->t[it->ai];
			if (t >= it->hist_from) {
				/* the same for a histogram sample of the WAL (a
				 * series of those only has one span, v NULL) */
				it->hist = true;
				it->si = it->nspans;
				return false;
			}
			v = s->v[it->ai];
			it->ai++;
		}
		if (t < it->mint || t > it->maxt || (it->ndel && deleted(it, t)))
			continue;
		it->t = t;
		it->v = v;
		return true;
	}
}

/*
 * Up to cap of the next samples in range into t[] and v[], as that many
 * src_next() calls would give them: whole chunks decoded in one go
 * (xor_iter_bulk), then what lies outside [mint, maxt] or is deleted
 * dropped in place.  Returns how many; fewer than cap at the end or on
 * error (bad).
 */
static size_t src_read_bulk(struct src_iter *it, int64_t *t, double *v, size_t cap)
{
	size_t n = 0;

	while (n < cap && !it->bad && it->si < it->nspans) {
		const struct span *s = &it->spans[it->si];
		size_t got, k = n;
		if (s->data && !it->in_span && s->enc == CHUNK_ENC_XOR) {
			xor_iter_init(&it->x, s->data, s->len); /* as src_next() starts it */
			it->in_span = true;
		}
		if (!s->data || s->enc != CHUNK_ENC_XOR) {
			/* head samples and the end at other encodings: src_next() */
			if (!src_next(it))
				break;
			t[n] = it->t;
			v[n] = it->v;
			n++;
			continue;
		}
		got = xor_iter_bulk(&it->x, t + n, v + n, cap - n);
		for (size_t i = n; i < n + got; i++) {
			if (t[i] < it->mint || t[i] > it->maxt || (it->ndel && deleted(it, t[i])))
				continue;
			t[k] = t[i];
			v[k] = v[i];
			k++;
		}
		if (got < cap - n) {
			if (it->x.err) {
				it->bad = true;
				it->bad_ref = s->ref;
			} else {
				it->si++;
				it->in_span = false;
			}
		}
		if (k > n) {
			it->t = t[k - 1];
			it->v = v[k - 1];
		}
		n = k;
	}
	return n;
}

/* ---- Go's container/heap ---------------------------------------------- */

typedef bool (*heap_less_fn)(void *const *h, size_t i, size_t j);

static void heap_swap(void **h, size_t i, size_t j)
{
	void *t = h[i];
	h[i] = h[j];
	h[j] = t;
}

static void heap_up(void **h, size_t j, heap_less_fn less)
{
	while (j > 0) {
		size_t i = (j - 1) / 2;
		if (!less((void *const *)h, j, i))
			break;
		heap_swap(h, i, j);
		j = i;
	}
}

static void heap_down(void **h, size_t i, size_t n, heap_less_fn less)
{
	for (;;) {
		size_t j1 = 2 * i + 1, j;
		if (j1 >= n)
			break;
		j = j1;
		if (j1 + 1 < n && less((void *const *)h, j1 + 1, j1))
			j = j1 + 1;
		if (!less((void *const *)h, j, i))
			break;
		heap_swap(h, i, j);
		i = j;
	}
}

static void heap_push(void **h, size_t *n, void *x, heap_less_fn less)
{
	h[(*n)++] = x;
	heap_up(h, *n - 1, less);
}

static void *heap_pop(void **h, size_t *n, heap_less_fn less)
{
	size_t last = *n - 1;
	heap_swap(h, 0, last);
	heap_down(h, 0, last, less);
	(*n)--;
	return h[last];
}

static bool iter_less(void *const *h, size_t i, size_t j)
{
	return ((const struct src_iter *)h[i])->t < ((const struct src_iter *)h[j])->t;
}

/* ---- one source's series ---------------------------------------------- */

enum src_kind { SRC_BLOCK, SRC_HEAD };

struct src_set {
	enum src_kind kind;
	struct tsdb_block *b;
	struct tsdb_head *h;
	const struct label_matcher *const *m; /* groups of matchers, ORed */
	const size_t *nm;
	size_t ngroups;
	int64_t mint, maxt;
	/* tsdb_db_select_filtered's; NULL: every series */
	bool (*filter)(void *arg, const struct label *ls, size_t n, size_t est);
	void *farg;
	/* candidates in output order: block series refs or head indices */
	uint64_t *cand;
	size_t ncand, pos;
	/* the current series */
	struct index_series ser;
	const struct label *lbls;
	size_t nlbls;
	struct span *spans;
	size_t nspans, scap;
	const struct tsdb_tombstone *del;
	size_t ndel;
	int64_t hist_from; /* see struct src_iter */
};

static void src_set_release(struct src_set *s)
{
	free(s->cand);
	index_series_release(&s->ser);
	free(s->spans);
}

static struct span *span_add(struct src_set *s)
{
	ALLOC_GROW(s->spans, s->nspans + 1, s->scap);
	memset(&s->spans[s->nspans], 0, sizeof(s->spans[0]));
	return &s->spans[s->nspans++];
}

/* Whether [mint, maxt] lies inside one deleted interval (IsSubrange). */
static bool fully_deleted(const struct tsdb_tombstone *d, size_t n, int64_t mint, int64_t maxt)
{
	for (size_t i = 0; i < n; i++)
		if (mint >= d[i].mint && maxt <= d[i].maxt)
			return true;
	return false;
}

/* What a filter is told a block chunk holds: 2.42 cuts chunks at 120
 * samples (the index does not say; the chunks are not read for it). */
#define FILTER_CHUNK_SAMPLES 120

static int block_next(struct src_set *s, struct err *e)
{
	struct tsdb_block *b = s->b;

	while (s->pos < s->ncand) {
		uint64_t ref = s->cand[s->pos++];
		if (index_reader_series(&b->ix, ref, &s->ser, e) < 0)
			return -1;
		if (!s->ser.nchks || !groups_match(s->m, s->nm, s->ngroups, s->ser.lbls, s->ser.nlbls))
			continue;
		s->del = tsdb_tombstones_get(b->stones, b->nstones, ref, &s->ndel);
		s->nspans = 0;
		if (s->filter) {
			size_t est = 0;
			for (size_t i = 0; i < s->ser.nchks; i++) {
				const struct index_chunk_meta *c = &s->ser.chks[i];
				if (!(c->maxt < s->mint || c->mint > s->maxt ||
				      fully_deleted(s->del, s->ndel, c->mint, c->maxt)))
					est += FILTER_CHUNK_SAMPLES;
			}
			if (!est || !s->filter(s->farg, s->ser.lbls, s->ser.nlbls, est))
				continue;
		}
		for (size_t i = 0; i < s->ser.nchks; i++) {
			const struct index_chunk_meta *c = &s->ser.chks[i];
			struct chunk_data cd;
			struct span *sp;
			if (c->maxt < s->mint || c->mint > s->maxt || fully_deleted(s->del, s->ndel, c->mint, c->maxt))
				continue;
			if (chunks_reader_chunk(&b->cr, c->ref, &cd, e) < 0)
				return err_wrap(e, "block %s", b->meta.ulid);
			sp = span_add(s);
			sp->enc = cd.encoding;
			sp->data = cd.data;
			sp->len = cd.len;
			sp->ref = c->ref;
		}
		if (!s->nspans)
			continue;
		s->lbls = s->ser.lbls;
		s->nlbls = s->ser.nlbls;
		return 1;
	}
	return 0;
}

static int head_next(struct src_set *s, struct err *e)
{
	struct tsdb_head *h = s->h;

	while (s->pos < s->ncand) {
		struct tsdb_head_series *hs = &h->series[s->cand[s->pos++]];
		if (!groups_match(s->m, s->nm, s->ngroups, hs->lbls.v, hs->lbls.n))
			continue;
		if (s->filter) {
			size_t est = hs->n + (size_t)hs->nmm * FILTER_CHUNK_SAMPLES + (hs->hist_n ? 1 : 0);
			if (!s->filter(s->farg, hs->lbls.v, hs->lbls.n, est))
				continue;
		}
		s->del = tsdb_tombstones_get(h->stones, h->nstones, hs->ref, &s->ndel);
		s->nspans = 0;
		s->hist_from = hs->hist_n && hs->hist_mint <= s->maxt ? hs->hist_mint : INT64_MAX;
		for (size_t i = 0; i < hs->nmm; i++) {
			const struct tsdb_head_chunk *c = &hs->mm[i];
			struct span *sp;
			if (c->maxt < s->mint || c->mint > s->maxt || fully_deleted(s->del, s->ndel, c->mint, c->maxt))
				continue;
			sp = span_add(s);
			sp->enc = c->encoding;
			sp->data = c->data;
			sp->len = c->len;
		}
		if (hs->n && hs->t[hs->n - 1] >= s->mint && hs->t[0] <= s->maxt &&
		    !fully_deleted(s->del, s->ndel, hs->t[0], hs->t[hs->n - 1])) {
			struct span *sp = span_add(s);
			sp->t = hs->t;
			sp->v = hs->v;
			sp->n = hs->n;
		}
		if (!s->nspans && s->hist_from != INT64_MAX && hs->hist_maxt >= s->mint) {
			/* histogram samples only: a series that selects none */
			struct span *sp = span_add(s);
			sp->t = &hs->hist_mint;
			sp->v = NULL;
			sp->n = 1;
		}
		if (!s->nspans)
			continue;
		s->lbls = hs->lbls.v;
		s->nlbls = hs->lbls.n;
		return 1;
	}
	(void)e;
	return 0;
}

static int src_set_next(struct src_set *s, struct err *e)
{
	return s->kind == SRC_BLOCK ? block_next(s, e) : head_next(s, e);
}

static void src_iter_start(struct src_iter *it, const struct src_set *s)
{
	memset(it, 0, sizeof(*it));
	it->spans = s->spans;
	it->nspans = s->nspans;
	it->del = s->del;
	it->ndel = s->ndel;
	it->mint = s->mint;
	it->maxt = s->maxt;
	it->where = s->kind == SRC_BLOCK ? s->b->dir : "head";
	it->hist_from = s->kind == SRC_BLOCK ? INT64_MAX : s->hist_from;
}

/* ---- the merged set --------------------------------------------------- */

struct tsdb_series_set {
	const struct label_matcher **groups; /* copies of the caller's arrays */
	size_t *ngroup;
	struct src_set *srcs;
	size_t nsrcs;
	bool merge; /* more than one source */
	void **heap;
	size_t hn;
	struct src_set **cur; /* sets holding the current series */
	size_t ncur;
	bool started;
	/* sample iteration of the current series */
	struct src_iter *its;
	void **ih;
	size_t ihn;
	struct src_iter *icurr;
	int64_t last_t;
	bool ichain_started;
	bool ifirst;
	size_t since_drop; /* chunk bytes handed out since pages were dropped */
};

/* Chunk bytes read between two drops of the blocks' pages (drop_pages). */
#define DROP_EVERY (8u << 20)

/*
 * Reading a block's chunks maps their pages into the process, and they
 * would stay counted in its RSS until exit; a dump of a whole data dir
 * would end up holding all of it.  After every DROP_EVERY bytes of chunks
 * and at the end the pages go (they stay cached; what is read next faults
 * back in).
 */
static void drop_pages(const struct tsdb_series_set *s)
{
	for (size_t i = 0; i < s->nsrcs; i++)
		if (s->srcs[i].kind == SRC_BLOCK)
			chunks_reader_drop_pages(&s->srcs[i].b->cr);
}

static bool set_less(void *const *h, size_t i, size_t j)
{
	const struct src_set *a = h[i], *b = h[j];
	return labels_cmp(a->lbls, a->nlbls, b->lbls, b->nlbls) < 0;
}

static int head_idx_cmp(const void *a, const void *b, void *ctx)
{
	const struct tsdb_head *h = ctx;
	const struct tsdb_head_series *x = &h->series[*(const uint64_t *)a];
	const struct tsdb_head_series *y = &h->series[*(const uint64_t *)b];
	return labels_cmp(x->lbls.v, x->lbls.n, y->lbls.v, y->lbls.n);
}

/* Candidate series refs of a block: the postings of the most selective
 * equality matcher on a label that must be set, or all postings. */
static int block_candidates(struct src_set *s, struct err *e)
{
	struct index_postings p = { NULL, 0 };
	const struct index_reader *ix = &s->b->ix;
	bool found = false;

	for (size_t i = 0; s->ngroups == 1 && i < s->nm[0]; i++) {
		const struct label_matcher *m = &s->m[0][i];
		struct index_postings q;
		if (m->type != LABEL_MATCH_EQUAL || !m->value_len || strlen(m->value) != m->value_len)
			continue;
		if (index_reader_postings(ix, m->name, m->value, &q, e) < 0)
			return -1;
		if (!found || q.n < p.n)
			p = q;
		found = true;
	}
	if (!found && index_reader_postings(ix, "", "", &p, e) < 0)
		return -1;
	s->cand = xreallocarray(NULL, p.n ? p.n : 1, sizeof(*s->cand));
	for (uint32_t i = 0; i < p.n; i++)
		s->cand[i] = index_postings_at(&p, i);
	s->ncand = p.n;
	return 0;
}

static int select_groups(struct tsdb_db *db, const struct label_matcher *const *m, const size_t *nm, size_t ng,
			 bool sorted, int64_t mint, int64_t maxt, struct tsdb_series_set **out, struct err *e)
{
	struct tsdb_series_set *set = xcalloc(1, sizeof(*set));
	size_t n = 0;

	set->groups = xcalloc(ng ? ng : 1, sizeof(*set->groups));
	set->ngroup = xcalloc(ng ? ng : 1, sizeof(*set->ngroup));
	for (size_t g = 0; g < ng; g++) {
		set->groups[g] = m[g];
		set->ngroup[g] = nm[g];
	}
	m = set->groups;
	nm = set->ngroup;

	set->srcs = xcalloc(db->nblocks + 2, sizeof(*set->srcs));
	for (size_t i = 0; i < db->nblocks; i++) {
		struct tsdb_block *b = &db->blocks[i];
		struct src_set *s;
		/* OverlapsClosedInterval: block [min, max) against [mint, maxt] */
		if (!(b->meta.min_time <= maxt && mint < b->meta.max_time))
			continue;
		s = &set->srcs[n++];
		s->kind = SRC_BLOCK;
		s->b = b;
		s->m = m;
		s->nm = nm;
		s->ngroups = ng;
		if (block_candidates(s, e) < 0)
			goto fail;
	}
	if (db->head_loaded && maxt >= db->head.mint) {
		struct src_set *s = &set->srcs[n++];
		s->kind = SRC_HEAD;
		s->h = &db->head;
		s->cand = xreallocarray(NULL, db->head.nseries ? db->head.nseries : 1, sizeof(*s->cand));
		for (size_t i = 0; i < db->head.nseries; i++)
			s->cand[i] = i;
		s->ncand = db->head.nseries;
	}
	/* 3.x: the out-of-order head (wbl/, OOO chunks) as one more source,
	 * after the in-order head, which so wins at a shared timestamp */
	struct tsdb_head *ooo = db->head_loaded ? db->head.ooo : NULL;
	bool ooo_added = ooo && ooo->mint <= maxt && mint <= ooo->maxt;
	if (ooo_added) {
		struct src_set *s = &set->srcs[n++];
		s->kind = SRC_HEAD;
		s->h = ooo;
		s->cand = xreallocarray(NULL, ooo->nseries ? ooo->nseries : 1, sizeof(*s->cand));
		for (size_t i = 0; i < ooo->nseries; i++)
			s->cand[i] = i;
		s->ncand = ooo->nseries;
	}
	set->nsrcs = n;
	/*
	 * DB.Querier also adds an out-of-order head querier when the range
	 * overlaps [MinOOOTime, MaxOOOTime], which for a head without OOO data
	 * is [MaxInt64, MinInt64]: true only for the full range.  Its set is
	 * empty, but it makes two queriers, and so sorted output.
	 */
	set->merge = n + (!ooo_added && mint == INT64_MIN && maxt == INT64_MAX) > 1;
	for (size_t i = 0; i < n; i++) {
		struct src_set *s = &set->srcs[i];
		s->m = m;
		s->nm = nm;
		s->ngroups = ng;
		s->mint = mint;
		s->maxt = maxt;
		index_series_init(&s->ser);
		/* the merge querier asks every source for sorted series;
		 * head refs are in creation order, block refs already sorted */
		if ((set->merge || sorted) && s->kind == SRC_HEAD && s->ncand > 1) {
			qsort_r(s->cand, s->ncand, sizeof(*s->cand), head_idx_cmp, s->h);
		}
	}
	set->heap = xcalloc(n + 2, sizeof(*set->heap));
	set->cur = xcalloc(n + 2, sizeof(*set->cur));
	set->its = xcalloc(n + 2, sizeof(*set->its));
	set->ih = xcalloc(n + 2, sizeof(*set->ih));
	*out = set;
	return 0;
fail:
	set->nsrcs = n;
	tsdb_series_set_free(set);
	*out = NULL;
	return -1;
}

int tsdb_db_select(struct tsdb_db *db, const struct label_matcher *m, size_t nm, int64_t mint, int64_t maxt,
		   struct tsdb_series_set **out, struct err *e)
{
	return select_groups(db, &m, &nm, 1, false, mint, maxt, out, e);
}

int tsdb_db_select_filtered(struct tsdb_db *db, const struct label_matcher *m, size_t nm, int64_t mint, int64_t maxt,
			    bool (*filter)(void *arg, const struct label *ls, size_t n, size_t est), void *arg,
			    struct tsdb_series_set **out, struct err *e)
{
	if (select_groups(db, &m, &nm, 1, false, mint, maxt, out, e) < 0)
		return -1;
	for (size_t i = 0; i < (*out)->nsrcs; i++) {
		(*out)->srcs[i].filter = filter;
		(*out)->srcs[i].farg = arg;
	}
	return 0;
}

int tsdb_db_select_union(struct tsdb_db *db, const struct label_matcher *const *m, const size_t *nm, size_t ng,
			 int64_t mint, int64_t maxt, struct tsdb_series_set **out, struct err *e)
{
	return select_groups(db, m, nm, ng, true, mint, maxt, out, e);
}

void tsdb_series_set_free(struct tsdb_series_set *s)
{
	if (!s)
		return;
	drop_pages(s);
	for (size_t i = 0; i < s->nsrcs; i++)
		src_set_release(&s->srcs[i]);
	free(s->srcs);
	free(s->groups);
	free(s->ngroup);
	free(s->heap);
	free(s->cur);
	free(s->its);
	free(s->ih);
	free(s);
}

static void start_samples(struct tsdb_series_set *s)
{
	for (size_t i = 0; i < s->ncur; i++)
		src_iter_start(&s->its[i], s->cur[i]);
	s->ihn = 0;
	s->icurr = NULL;
	s->last_t = INT64_MIN;
	s->ichain_started = false;
}

int tsdb_series_set_next(struct tsdb_series_set *s, struct err *e)
{
	int r;

	for (size_t i = 0; i < s->ncur; i++)
		for (size_t k = 0; k < s->cur[i]->nspans; k++)
			s->since_drop += s->cur[i]->spans[k].len;
	if (s->since_drop >= DROP_EVERY) {
		drop_pages(s);
		s->since_drop = 0;
	}

	if (!s->merge) {
		if (!s->nsrcs)
			return 0;
		r = src_set_next(&s->srcs[0], e);
		if (r > 0) {
			s->cur[0] = &s->srcs[0];
			s->ncur = 1;
			start_samples(s);
		}
		return r;
	}
	/* genericMergeSeriesSet.Next */
	if (!s->started) {
		s->started = true;
		for (size_t i = 0; i < s->nsrcs; i++) {
			r = src_set_next(&s->srcs[i], e);
			if (r < 0)
				return -1;
			if (r > 0)
				heap_push(s->heap, &s->hn, &s->srcs[i], set_less);
		}
	} else {
		for (size_t i = 0; i < s->ncur; i++) {
			r = src_set_next(s->cur[i], e);
			if (r < 0)
				return -1;
			if (r > 0)
				heap_push(s->heap, &s->hn, s->cur[i], set_less);
		}
	}
	s->ncur = 0;
	if (!s->hn)
		return 0;
	{
		const struct src_set *top = s->heap[0];
		const struct label *cl = top->lbls;
		size_t cn = top->nlbls;
		while (s->hn) {
			const struct src_set *t = s->heap[0];
			if (!labels_equal(cl, cn, t->lbls, t->nlbls))
				break;
			s->cur[s->ncur++] = heap_pop(s->heap, &s->hn, set_less);
		}
	}
	start_samples(s);
	return 1;
}

const struct label *tsdb_series_set_labels(const struct tsdb_series_set *s, size_t *n)
{
	*n = s->cur[0]->nlbls;
	return s->cur[0]->lbls;
}

static int iter_error(const struct src_iter *it, struct err *e)
{
	return err_set(e, "%s: chunk %" PRIu64 ": invalid XOR chunk data", it->where, it->bad_ref);
}

/* chainSampleIterator.Next over its[0..ncur) */
static bool chain_next(struct tsdb_series_set *s)
{
	int64_t curr_t = 0;

	if (!s->ichain_started) {
		s->ichain_started = true;
		s->icurr = &s->its[0];
		for (size_t i = 1; i < s->ncur; i++)
			if (src_next(&s->its[i]))
				heap_push(s->ih, &s->ihn, &s->its[i], iter_less);
	}
	if (!s->icurr)
		return false;
	for (;;) {
		if (src_next(s->icurr)) {
			curr_t = s->icurr->t;
			if (curr_t == s->last_t)
				continue; /* a sample at a timestamp already reported */
			if (!s->ihn)
				break;
			if (curr_t < ((struct src_iter *)s->ih[0])->t)
				break;
			heap_push(s->ih, &s->ihn, s->icurr, iter_less);
		} else if (!s->ihn) {
			s->icurr = NULL;
			return false;
		}
		s->icurr = heap_pop(s->ih, &s->ihn, iter_less);
		curr_t = s->icurr->t;
		if (curr_t != s->last_t)
			break;
	}
	s->last_t = curr_t;
	return true;
}

size_t tsdb_series_set_max_samples(const struct tsdb_series_set *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->ncur; i++) {
		const struct src_set *src = s->cur[i];
		for (size_t k = 0; k < src->nspans; k++) {
			const struct span *sp = &src->spans[k];
			n += sp->data ? xor_chunk_num_samples(sp->data, sp->len) : sp->n;
		}
	}
	return n;
}

/*
 * The merged samples of several sources read one source after the other
 * (src_read_bulk), when that is what the merge gives: every sample fits
 * in cap, and in source order the samples strictly increase (blocks of
 * different time ranges, the usual case).  Returns the count, or
 * SIZE_MAX when not so (the iterators are then back at the start, for
 * chain_next).
 */
static size_t read_disjoint(struct tsdb_series_set *s, int64_t *t, double *v, size_t cap)
{
	size_t k = 0;

	if (s->ichain_started || tsdb_series_set_max_samples(s) > cap)
		return SIZE_MAX;
	for (size_t i = 0; i < s->ncur; i++) {
		size_t from = k;
		k += src_read_bulk(&s->its[i], t + k, v + k, cap - k);
		if (k == cap && cap) {
			/* cap reached: more may follow; let the merge decide */
			start_samples(s);
			return SIZE_MAX;
		}
		for (size_t j = from ? from : 1; j < k; j++) {
			if (t[j] <= t[j - 1]) {
				start_samples(s);
				return SIZE_MAX;
			}
		}
	}
	s->ichain_started = true;
	s->icurr = NULL; /* chain_next: nothing more */
	return k;
}

int tsdb_series_set_read(struct tsdb_series_set *s, int64_t *t, double *v, size_t cap, size_t *n,
			 struct err *e)
{
	size_t k = 0;

	*n = 0;
	if (s->ncur == 1) {
		struct src_iter *it = &s->its[0];
		k = src_read_bulk(it, t, v, cap);
		*n = k;
		if (it->bad)
			return iter_error(it, e);
		return k == cap;
	}
	k = read_disjoint(s, t, v, cap);
	if (k != SIZE_MAX) {
		*n = k;
		for (size_t i = 0; i < s->ncur; i++)
			if (s->its[i].bad)
				return iter_error(&s->its[i], e);
		return 0;
	}
	k = 0;
	while (k < cap && chain_next(s)) {
		t[k] = s->icurr->t;
		v[k] = s->icurr->v;
		k++;
	}
	*n = k;
	for (size_t i = 0; i < s->ncur; i++)
		if (s->its[i].bad)
			return iter_error(&s->its[i], e);
	return k == cap;
}

int tsdb_series_set_sample(struct tsdb_series_set *s, int64_t *t, double *v, struct err *e)
{
	if (s->ncur == 1) {
		struct src_iter *it = &s->its[0];
		if (src_next(it)) {
			*t = it->t;
			*v = it->v;
			return 1;
		}
		return it->bad ? iter_error(it, e) : 0;
	}
	if (chain_next(s)) {
		*t = s->icurr->t;
		*v = s->icurr->v;
		return 1;
	}
	for (size_t i = 0; i < s->ncur; i++)
		if (s->its[i].bad)
			return iter_error(&s->its[i], e);
	return 0;
}

/* ---- series with native histograms ------------------------------------ */

bool tsdb_series_set_histograms(const struct tsdb_series_set *s)
{
	for (size_t i = 0; i < s->ncur; i++)
		if (s->its[i].hist)
			return true;
	return false;
}

size_t tsdb_db_note_histogram_series(struct tsdb_db *db, const struct label *ls, size_t n)
{
	uint64_t h = labels_hash(ls, n);
	size_t i, count;

	pthread_mutex_lock(&db->hist_mu);
	for (i = 0; i < db->nhist_seen && db->hist_seen[i] != h; i++)
		;
	if (i == db->nhist_seen) {
		ALLOC_GROW(db->hist_seen, db->nhist_seen + 1, db->hist_seen_cap);
		db->hist_seen[db->nhist_seen++] = h;
	}
	count = db->nhist_seen;
	pthread_mutex_unlock(&db->hist_mu);
	return count;
}

size_t tsdb_db_histogram_series(struct tsdb_db *db)
{
	size_t n;

	pthread_mutex_lock(&db->hist_mu);
	n = db->nhist_seen;
	pthread_mutex_unlock(&db->hist_mu);
	return n;
}
