/*
 * promtool tsdb analyze [--limit=20] [--extended] [<db path>] [<block id>]
 * (cmd/promtool/tsdb.go analyzeBlock and analyzeCompaction of 2.42).
 *
 * The block is the one named, else the last by minTime.  Every number is
 * computed as 2.42 computes it, uint64 wrap-around included.  Within a
 * section promtool orders equal counts randomly (sort.Slice on a map's
 * contents); we order them by key so that our output is stable.
 *
 * Label pair statistics are kept in arrays indexed by the row of the
 * postings offset table holding the pair, so no string keys are built.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "8-promtool/blocktable.h"
#include "8-promtool/cli.h"
#include "3-tsdb/chunkenc_xor2.h"
#include "3-tsdb/db_reader.h"

struct info {
	const char *k1, *k2; /* key: k1, or "k1=k2" when k2 is set */
	uint64_t metric;
};

static int info_cmp(const void *a, const void *b)
{
	const struct info *x = a, *y = b;
	int c;
	if (x->metric != y->metric)
		return x->metric > y->metric ? -1 : 1;
	c = strcmp(x->k1, y->k1);
	if (c || !x->k2 || !y->k2)
		return c;
	return strcmp(x->k2, y->k2);
}

static void print_info(struct buf *out, struct info *v, size_t n, long limit)
{
	qsort(v, n, sizeof(*v), info_cmp);
	for (size_t i = 0; i < n && (long)i < limit; i++) {
		buf_addf(out, "%" PRIu64 " %s", v[i].metric, v[i].k1);
		if (v[i].k2)
			buf_addf(out, "=%s", v[i].k2);
		buf_addc(out, '\n');
	}
}

/* Row of the postings offset table holding name=value, or -1. */
static long pair_row(const struct index_reader *ix, const char *name, const char *value)
{
	size_t n, lo = 0, hi;
	const struct index_postings_entry *rows = index_reader_label_values(ix, name, &n);

	hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(rows[mid].value, value);
		if (!c)
			return (long)(rows + mid - ix->pe);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static long name_of_row(const struct index_reader *ix, size_t row)
{
	size_t lo = 0, hi = ix->nnames;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->name_first[mid + 1] <= row)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->nnames ? (long)lo : -1;
}

static int compaction(struct buf *out, struct tsdb_block *b, struct err *e)
{
	const struct index_reader *ix = &b->ix;
	struct index_postings p;
	struct index_series s;
	uint64_t hist[10] = { 0 }, total = 0;
	int ret = -1;

	index_series_init(&s);
	if (index_reader_postings(ix, "", "", &p, e) < 0)
		goto done;
	for (uint32_t i = 0; i < p.n; i++) {
		if (index_reader_series(ix, index_postings_at(&p, i), &s, e) < 0)
			goto done;
		for (size_t j = 0; j < s.nchks; j++) {
			struct chunk_data cd;
			double size;
			int bucket;
			uint16_t n;
			if (chunks_reader_chunk(&b->cr, s.chks[j].ref, &cd, e) < 0)
				goto done;
			n = xor_chunk_num_samples(cd.data, cd.len);
			/* 3.14's histogram ST chunks keep a counter-reset header
			 * in the top 2 bits (chunkenc/st.go histogramSTSampleCountMask) */
			if (cd.encoding == CHUNK_ENC_HISTOGRAM_ST || cd.encoding == CHUNK_ENC_FLOAT_HISTOGRAM_ST)
				n &= 0x3fff;
			size = fmin((double)n, 120);
			bucket = (int)ceil(10 * size / 120) - 1;
			if (bucket < 0) {
				err_set(e, "%s: chunk %" PRIu64 " holds no samples", b->dir, s.chks[j].ref);
				goto done;
			}
			hist[bucket]++;
			total++;
		}
	}
	buf_adds(out, "\nCompaction analysis:\n");
	buf_adds(out, "Fullness: Amount of samples in chunks (100% is 120 samples)\n");
	for (int i = 0; i < 10; i++) {
		uint64_t pct = total ? 100 * hist[i] / total : 0;
		buf_addf(out, "%7d%%: ", (i + 1) * 10);
		for (uint64_t j = 0; j < pct; j++)
			buf_addc(out, '#');
		buf_addc(out, '\n');
	}
	ret = 0;
done:
	index_series_release(&s);
	return ret;
}

static int analyze(struct buf *out, struct tsdb_block *b, long limit, bool extended, struct err *e)
{
	const struct index_reader *ix = &b->ix;
	const struct block_meta *m = &b->meta;
	uint64_t span = (uint64_t)m->max_time - (uint64_t)m->min_time;
	uint64_t *pair_unc = xcalloc(ix->npe + 1, sizeof(*pair_unc));
	uint64_t *pair_cnt = xcalloc(ix->npe + 1, sizeof(*pair_cnt));
	uint64_t *name_unc = xcalloc(ix->nnames + 1, sizeof(*name_unc));
	struct info *inf = xcalloc(ix->npe + ix->nnames + 1, sizeof(*inf));
	size_t ninf = 0, npairs = 0, entries = 0;
	struct index_postings p;
	struct index_series s;
	int ret = -1;

	index_series_init(&s);
	buf_addf(out, "Block ID: %s\n", m->ulid);
	buf_adds(out, "Duration: ");
	go_fmt_duration(out, (int64_t)(span * 1000000u));
	buf_addf(out, "\nSeries: %" PRIu64 "\n", m->stats.num_series);
	buf_addf(out, "Label names: %zu\n", ix->nnames);

	if (index_reader_postings(ix, "", "", &p, e) < 0)
		goto done;
	for (uint32_t i = 0; i < p.n; i++) {
		uint64_t unc;
		if (index_reader_series(ix, index_postings_at(&p, i), &s, e) < 0)
			goto done;
		if (!s.nchks) {
			err_set(e, "%s: series %" PRIu32 " has no chunks", ix->path, index_postings_at(&p, i));
			goto done;
		}
		/* the part of the block's range this series does not cover */
		unc = span - ((uint64_t)s.chks[s.nchks - 1].maxt - (uint64_t)s.chks[0].mint);
		for (size_t j = 0; j < s.nlbls; j++) {
			long row = pair_row(ix, s.lbls[j].name, s.lbls[j].value);
			long nm = row < 0 ? -1 : name_of_row(ix, (size_t)row);
			if (row < 0 || nm < 0) {
				err_set(e, "%s: label pair %s=%s of series %" PRIu32 " is missing from the postings table",
					ix->path, s.lbls[j].name, s.lbls[j].value, index_postings_at(&p, i));
				goto done;
			}
			name_unc[nm] += unc;
			if (!pair_cnt[row])
				npairs++;
			pair_unc[row] += unc;
			pair_cnt[row]++;
			entries++;
		}
	}
	buf_addf(out, "Postings (unique label pairs): %zu\n", npairs);
	buf_addf(out, "Postings entries (total label pairs): %zu\n", entries);

	/* uint64(float64(m) / float64(maxt-mint)) */
	for (size_t r = 0; r < ix->npe; r++)
		if (pair_cnt[r])
			inf[ninf++] = (struct info){ ix->pe[r].name, ix->pe[r].value,
						     (uint64_t)((double)pair_unc[r] / (double)(m->max_time - m->min_time)) };
	buf_adds(out, "\nLabel pairs most involved in churning:\n");
	print_info(out, inf, ninf, limit);

	ninf = 0;
	for (size_t n = 0; n < ix->nnames; n++) {
		bool seen = false;
		for (size_t r = ix->name_first[n]; r < ix->name_first[n + 1]; r++)
			seen |= pair_cnt[r] != 0;
		if (seen)
			inf[ninf++] = (struct info){ ix->pe[ix->name_first[n]].name, NULL,
						     (uint64_t)((double)name_unc[n] / (double)(m->max_time - m->min_time)) };
	}
	buf_adds(out, "\nLabel names most involved in churning:\n");
	print_info(out, inf, ninf, limit);

	ninf = 0;
	for (size_t r = 0; r < ix->npe; r++)
		if (pair_cnt[r])
			inf[ninf++] = (struct info){ ix->pe[r].name, ix->pe[r].value, pair_cnt[r] };
	buf_adds(out, "\nMost common label pairs:\n");
	print_info(out, inf, ninf, limit);

	ninf = 0;
	for (size_t n = 0; n < ix->nnames; n++) {
		uint64_t len = 0;
		for (size_t r = ix->name_first[n]; r < ix->name_first[n + 1]; r++)
			len += strlen(ix->pe[r].value);
		inf[ninf++] = (struct info){ ix->pe[ix->name_first[n]].name, NULL, len };
	}
	buf_adds(out, "\nLabel names with highest cumulative label value length:\n");
	print_info(out, inf, ninf, limit);

	ninf = 0;
	for (size_t n = 0; n < ix->nnames; n++)
		inf[ninf++] = (struct info){ ix->pe[ix->name_first[n]].name, NULL,
					     ix->name_first[n + 1] - ix->name_first[n] };
	buf_adds(out, "\nHighest cardinality labels:\n");
	print_info(out, inf, ninf, limit);

	ninf = 0;
	{
		size_t nv;
		const struct index_postings_entry *rows = index_reader_label_values(ix, "__name__", &nv);
		for (size_t r = 0; r < nv; r++) {
			struct index_postings q;
			if (index_reader_postings_at(ix, rows[r].off, &q, e) < 0)
				goto done;
			inf[ninf++] = (struct info){ rows[r].value, NULL, q.n };
		}
	}
	buf_adds(out, "\nHighest cardinality metric names:\n");
	print_info(out, inf, ninf, limit);

	if (extended && compaction(out, b, e) < 0)
		goto done;
	ret = 0;
done:
	index_series_release(&s);
	free(pair_unc);
	free(pair_cnt);
	free(name_unc);
	free(inf);
	return ret;
}

int cmd_tsdb_analyze(const struct cli_ctx *c)
{
	const char *path = cli_str(c, "db path");
	const char *id = cli_str(c, "block id");
	const char *lim = cli_str(c, "limit");
	struct tsdb_db db;
	struct tsdb_block *b = NULL;
	struct err e = ERR_INIT;
	struct buf out = BUF_INIT;
	int ret = 1;

	ret = tsdb_db_open_blocks(&db, path ? path : "data/", &e) < 0;
	print_skipped_blocks(db.skipped, db.nskipped);
	if (ret)
		goto done;
	ret = 1;
	if (id && *id) {
		for (size_t i = 0; i < db.nblocks; i++)
			if (!strcmp(db.blocks[i].meta.ulid, id))
				b = &db.blocks[i];
	} else if (db.nblocks) {
		b = &db.blocks[db.nblocks - 1];
	}
	if (!b) {
		err_set(&e, "block %s not found", id ? id : "");
		goto done;
	}
	ret = analyze(&out, b, lim ? strtol(lim, NULL, 10) : 20, cli_bool(c, "extended"), &e) < 0;
done:
	/* what was computed before a failure is printed, as promtool prints
	 * as it goes */
	fwrite(out.data ? (const char *)out.data : "", 1, out.len, stdout);
	fflush(stdout);
	if (ret)
		fprintf(stderr, "%s\n", err_msg(&e));
	buf_release(&out);
	tsdb_db_release(&db);
	err_release(&e);
	return ret;
}
