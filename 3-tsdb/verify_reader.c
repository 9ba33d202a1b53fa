/*
 * `tsdb verify` checks.  The readers already verify CRCs and bounds as they
 * decode; here every section is decoded once, in full, and the invariants
 * 2.42's writer guarantees (tsdb/docs/format/index.md: symbols sorted,
 * series sorted by labels with sorted unique label names, postings lists
 * ascending over existing series, chunks ordered and inside
 * [minTime, maxTime) of the block) are checked on top.
 */
#include "3-tsdb/verify_reader.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/buf.h"
#include "1-common/bytes.h"
#include "1-common/xalloc.h"
#include "3-tsdb/block_reader.h"
#include "3-tsdb/chunkenc.h"
#include "3-tsdb/head_reader.h"
#include "3-tsdb/ulid.h"

struct vctx {
	tsdb_problem_fn report;
	void *ctx;
	size_t n;
	struct buf msg;
};

static void problem(struct vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct vctx *v, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	v->report(v->ctx, s);
	free(s);
	v->n++;
}

/*
 * A finding that is not a problem: reported with a "note: " prefix and not
 * counted.  Overlapping blocks are one: 2.42 opens them and merges them at
 * query time, and a rules backfill writes them by design (one block per
 * rule and window).
 */
static void note(struct vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct vctx *v, const char *fmt, ...)
{
	va_list ap;
	struct buf b = BUF_INIT;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	buf_adds(&b, "note: ");
	buf_adds(&b, s);
	v->report(v->ctx, buf_str(&b));
	buf_release(&b);
	free(s);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void verify_symbols(struct vctx *v, const struct tsdb_block *b)
{
	const struct index_reader *ix = &b->ix;
	for (size_t i = 1; i < ix->nsyms; i++)
		if (strcmp(ix->syms[i - 1], ix->syms[i]) >= 0) {
			problem(v, "block %s: %s: symbol %zu at offset %" PRIu32 ": not sorted after the previous one",
				b->meta.ulid, ix->path, i, ix->sym_off[i]);
			return;
		}
}

/* The label offset table and the (unused since v2) label indices it points
 * at: only their checksums and references matter. */
static void verify_label_indices(struct vctx *v, const struct tsdb_block *b)
{
	const struct index_reader *ix = &b->ix;
	struct cursor c, li;
	struct err e = ERR_INIT;
	uint32_t n;

	if (!ix->toc.label_indices_table)
		return;
	if (index_reader_section(ix, ix->toc.label_indices_table, "label offset table", &c, &e) < 0) {
		problem(v, "block %s: %s", b->meta.ulid, err_msg(&e));
		err_release(&e);
		return;
	}
	n = cursor_be32(&c);
	for (uint32_t i = 0; i < n && !c.err; i++) {
		uint64_t k = cursor_uvarint(&c), off;
		for (uint64_t j = 0; j < k && !c.err; j++) {
			uint64_t l = cursor_uvarint(&c);
			if (l > cursor_left(&c))
				c.err = true;
			else
				(void)cursor_bytes(&c, (size_t)l);
		}
		off = cursor_uvarint(&c);
		if (c.err)
			break;
		if (index_reader_section(ix, off, "label index", &li, &e) < 0) {
			problem(v, "block %s: %s", b->meta.ulid, err_msg(&e));
			err_release(&e);
		}
	}
	if (c.err)
		problem(v, "block %s: %s: label offset table at offset %" PRIu64 ": invalid size", b->meta.ulid, ix->path,
			ix->toc.label_indices_table);
}

static void verify_postings_table(struct vctx *v, const struct tsdb_block *b, const struct index_postings *all)
{
	const struct index_reader *ix = &b->ix;

	for (size_t i = 0; i < ix->npe; i++) {
		struct index_postings p;
		struct err e = ERR_INIT;
		const struct index_postings_entry *r = &ix->pe[i];

		if (i && ix->version == 2) {
			int c = strcmp(ix->pe[i - 1].name, r->name);
			if (c > 0 || (!c && strcmp(ix->pe[i - 1].value, r->value) >= 0))
				problem(v, "block %s: %s: postings offset table entry %zu (%s=%s): not sorted", b->meta.ulid,
					ix->path, i, r->name, r->value);
		}
		if (index_reader_postings_at(ix, r->off, &p, &e) < 0) {
			problem(v, "block %s: %s", b->meta.ulid, err_msg(&e));
			err_release(&e);
			continue;
		}
		for (uint32_t j = 0; j < p.n; j++) {
			uint32_t ref = index_postings_at(&p, j);
			size_t lo = 0, hi = all->n;
			if (j && ref <= index_postings_at(&p, j - 1)) {
				problem(v, "block %s: %s: postings list %s=%s at offset %" PRIu64 ": entry %" PRIu32
					   " not ascending", b->meta.ulid, ix->path, r->name, r->value, r->off, j);
				break;
			}
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (index_postings_at(all, (uint32_t)mid) < ref)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo == all->n || index_postings_at(all, (uint32_t)lo) != ref) {
				problem(v, "block %s: %s: postings list %s=%s at offset %" PRIu64 ": series %" PRIu32
					   " does not exist", b->meta.ulid, ix->path, r->name, r->value, r->off, ref);
				break;
			}
		}
	}
}

static void verify_series(struct vctx *v, struct tsdb_block *b, const struct index_postings *all)
{
	const struct index_reader *ix = &b->ix;
	struct index_series s, prev;
	uint64_t nchunks = 0, nsamples = 0;
	bool have_prev = false;

	index_series_init(&s);
	index_series_init(&prev);
	for (uint32_t i = 0; i < all->n; i++) {
		uint32_t ref = index_postings_at(all, i);
		uint64_t off = index_series_offset(ix, ref);
		struct err e = ERR_INIT;

		if (index_reader_series(ix, ref, &s, &e) < 0) {
			problem(v, "block %s: %s", b->meta.ulid, err_msg(&e));
			err_release(&e);
			continue;
		}
		for (size_t j = 1; j < s.nlbls; j++)
			if (strcmp(s.lbls[j - 1].name, s.lbls[j].name) >= 0)
				problem(v, "block %s: %s: series at offset %" PRIu64 ": label names not sorted and unique",
					b->meta.ulid, ix->path, off);
		if (have_prev && labels_cmp(prev.lbls, prev.nlbls, s.lbls, s.nlbls) >= 0)
			problem(v, "block %s: %s: series at offset %" PRIu64 ": not sorted after the previous series",
				b->meta.ulid, ix->path, off);
		if (!s.nchks)
			problem(v, "block %s: %s: series at offset %" PRIu64 ": no chunks", b->meta.ulid, ix->path, off);
		for (size_t j = 0; j < s.nchks; j++) {
			const struct index_chunk_meta *c = &s.chks[j];
			struct chunk_data cd;
			struct xor_iter it;
			int64_t first = 0, last = 0;
			size_t n = 0;

			nchunks++;
			if (c->mint > c->maxt)
				problem(v, "block %s: %s: series at offset %" PRIu64 ": chunk %zu: minTime %" PRId64
					   " after maxTime %" PRId64, b->meta.ulid, ix->path, off, j, c->mint, c->maxt);
			if (j && c->mint <= s.chks[j - 1].maxt)
				problem(v, "block %s: %s: series at offset %" PRIu64 ": chunk %zu overlaps the previous one",
					b->meta.ulid, ix->path, off, j);
			if (c->mint < b->meta.min_time || c->maxt >= b->meta.max_time)
				problem(v, "block %s: %s: series at offset %" PRIu64 ": chunk %zu [%" PRId64 ", %" PRId64
					   "] outside the block's [%" PRId64 ", %" PRId64 ")", b->meta.ulid, ix->path, off, j,
					c->mint, c->maxt, b->meta.min_time, b->meta.max_time);
			if (chunks_reader_chunk(&b->cr, c->ref, &cd, &e) < 0) {
				problem(v, "block %s: %s", b->meta.ulid, err_msg(&e));
				err_release(&e);
				continue;
			}
			if (cd.encoding != CHUNK_ENC_XOR) {
				nsamples += xor_chunk_num_samples(cd.data, cd.len);
				continue;
			}
			xor_iter_init(&it, cd.data, cd.len);
			while (xor_iter_next(&it)) {
				if (!n)
					first = it.t;
				else if (it.t <= last)
					break;
				last = it.t;
				n++;
			}
			nsamples += n;
			if (it.err || n != xor_chunk_num_samples(cd.data, cd.len))
				problem(v, "block %s: chunk %" PRIu64 " (series at offset %" PRIu64 "): invalid XOR data",
					b->meta.ulid, c->ref, off);
			else if (n && (first != c->mint || last != c->maxt))
				problem(v, "block %s: chunk %" PRIu64 " (series at offset %" PRIu64 "): samples span [%" PRId64
					   ", %" PRId64 "], index says [%" PRId64 ", %" PRId64 "]", b->meta.ulid, c->ref, off,
					first, last, c->mint, c->maxt);
		}
		/* keep this series' labels for the ordering check */
		{
			struct index_series t = prev;
			prev = s;
			s = t;
			have_prev = true;
		}
	}
	if (b->meta.stats.num_series != all->n)
		problem(v, "block %s: meta.json: numSeries %" PRIu64 ", index holds %" PRIu32, b->meta.ulid,
			b->meta.stats.num_series, all->n);
	if (b->meta.stats.num_chunks != nchunks)
		problem(v, "block %s: meta.json: numChunks %" PRIu64 ", index holds %" PRIu64, b->meta.ulid,
			b->meta.stats.num_chunks, nchunks);
	if (b->meta.stats.num_samples != nsamples)
		problem(v, "block %s: meta.json: numSamples %" PRIu64 ", chunks hold %" PRIu64, b->meta.ulid,
			b->meta.stats.num_samples, nsamples);
	index_series_release(&s);
	index_series_release(&prev);
}

static void verify_block(struct vctx *v, struct tsdb_block *b)
{
	struct index_postings all;
	struct err e = ERR_INIT;

	if (b->meta.min_time >= b->meta.max_time)
		problem(v, "block %s: meta.json: minTime %" PRId64 " not before maxTime %" PRId64, b->meta.ulid,
			b->meta.min_time, b->meta.max_time);
	verify_symbols(v, b);
	verify_label_indices(v, b);
	if (index_reader_postings(&b->ix, "", "", &all, &e) < 0) {
		problem(v, "block %s: %s", b->meta.ulid, err_msg(&e));
		err_release(&e);
		return;
	}
	verify_postings_table(v, b, &all);
	verify_series(v, b, &all);
}

size_t tsdb_verify_dir(const char *dir, tsdb_problem_fn report, void *ctx)
{
	struct vctx v = { report, ctx, 0, BUF_INIT };
	struct tsdb_block *blocks = NULL;
	size_t nb = 0, cap = 0, nnames = 0, ncap = 0;
	char **names = NULL;
	DIR *d = opendir(dir);
	struct dirent *de;
	int64_t max_block_time = INT64_MIN;

	if (!d) {
		problem(&v, "open %s: %s", dir, strerror(errno));
		return v.n;
	}
	while ((de = readdir(d))) {
		if (!ulid_valid(de->d_name))
			continue;
		ALLOC_GROW(names, nnames + 1, ncap);
		names[nnames++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (nnames)
		qsort(names, nnames, sizeof(*names), str_cmp);
	for (size_t i = 0; i < nnames; i++) {
		char *p = xasprintf("%s/%s", dir, names[i]);
		struct err e = ERR_INIT;
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			ALLOC_GROW(blocks, nb + 1, cap);
			if (tsdb_block_open(&blocks[nb], p, &e) < 0) {
				problem(&v, "block %s: %s", names[i], err_msg(&e));
				tsdb_block_release(&blocks[nb]);
			} else {
				if (strcmp(blocks[nb].meta.ulid, names[i]))
					problem(&v, "block %s: meta.json: ulid is %s", names[i], blocks[nb].meta.ulid);
				verify_block(&v, &blocks[nb]);
				nb++;
			}
		}
		err_release(&e);
		free(p);
	}
	/* overlapping blocks, after sorting by minTime */
	for (size_t i = 1; i < nb; i++)
		for (size_t j = i; j > 0 && blocks[j].meta.min_time < blocks[j - 1].meta.min_time; j--) {
			struct tsdb_block t = blocks[j];
			blocks[j] = blocks[j - 1];
			blocks[j - 1] = t;
		}
	for (size_t i = 0; i < nb; i++) {
		for (size_t j = i + 1; j < nb && blocks[j].meta.min_time < blocks[i].meta.max_time; j++)
			note(&v, "blocks %s [%" PRId64 ", %" PRId64 ") and %s [%" PRId64 ", %" PRId64 ") overlap",
				blocks[i].meta.ulid, blocks[i].meta.min_time, blocks[i].meta.max_time, blocks[j].meta.ulid,
				blocks[j].meta.min_time, blocks[j].meta.max_time);
		if (blocks[i].meta.max_time > max_block_time)
			max_block_time = blocks[i].meta.max_time;
	}
	/* the head: chunks_head and WAL must replay */
	{
		struct tsdb_head h;
		struct err e = ERR_INIT;
		tsdb_head_init(&h);
		if (tsdb_head_load(&h, dir, max_block_time, &e) < 0)
			problem(&v, "head: %s", err_msg(&e));
		tsdb_head_release(&h);
		err_release(&e);
	}
	for (size_t i = 0; i < nb; i++)
		tsdb_block_release(&blocks[i]);
	free(blocks);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	buf_release(&v.msg);
	return v.n;
}
