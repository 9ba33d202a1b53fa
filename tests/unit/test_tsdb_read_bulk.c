/*
 * The bulk sample reads of the TSDB reader against the one-at-a-time
 * ones: xor_iter_bulk() against xor_iter_next() over random XOR chunks
 * (whole, and cut short so that decoding fails part-way; with deltas of
 * deltas at each timestamp encoding's edges; whole ones against the
 * timestamps written), and
 * tsdb_series_set_read() -- whole chunks at once, and the merge of
 * several blocks read block after block when their samples do not
 * interleave -- against tsdb_series_set_sample() over a data dir of two
 * adjacent blocks and one overlapping them (shared timestamps with other
 * values, so the merge's rules decide), for random time ranges and
 * buffer sizes: the same timestamps and value bits, in the same order.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/err.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
#include "2-model/matcher.h"
#include "3-tsdb/block_writer.h"
#include "3-tsdb/chunkenc.h"
#include "3-tsdb/db_reader.h"
#include "3-tsdb/meta.h"
#include "tests/unit/check.h"

static uint64_t rng_state = 0x243F6A8885A308D3ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static double rnd_value(void)
{
	switch (rnd() % 6) {
	case 0:
		return (double)(rnd() % 100);
	case 1:
		return (double)(rnd() % 100000) / 1000;
	case 2:
		return NAN;
	case 3: {
		double d;
		uint64_t u = rnd();
		memcpy(&d, &u, sizeof(d));
		return d;
	}
	default:
		return 42;
	}
}

static void test_xor_bulk(void)
{
	for (int round = 0; round < 3000; round++) {
		struct xor_chunk c;
		const unsigned char *b;
		size_t len, n = 1 + rnd() % 240, cut;
		int64_t t = (int64_t)(rnd() % 1000000) - 500000;

		xor_chunk_init(&c);
		int64_t d = 15000, want[256];

		for (size_t i = 0; i < n; i++) {
			/* deltas of deltas at the edges of the 14-, 17- and
			 * 20-bit encodings, where the decoder's sign test is */
			static const int64_t edge[] = { 8192, -8191, 8193, -8192, 65536, -65535, 65537, -65536,
							524288, -524287, 524289, -524288 };
			if (rnd() % 5 == 0)
				d += edge[rnd() % (sizeof(edge) / sizeof(edge[0]))];
			else
				d = (int64_t)(rnd() % 4 == 0 ? rnd() % 100000000 : 15000 + rnd() % 3);
			t += d;
			want[i] = t;
			xor_chunk_append(&c, t, rnd_value());
		}
		b = xor_chunk_bytes(&c, &len);
		/* whole, or cut short */
		cut = round % 3 == 0 ? len - rnd() % len : len;
		{
			struct xor_iter a, k;
			int64_t ta[256], tb[256];
			double va[256], vb[256];
			size_t na = 0, nb = 0;

			xor_iter_init(&a, b, cut);
			while (na < 256 && xor_iter_next(&a)) {
				ta[na] = a.t;
				va[na++] = xor_iter_value(&a);
			}
			xor_iter_init(&k, b, cut);
			for (;;) {
				size_t want = 1 + rnd() % 50, got = xor_iter_bulk(&k, tb + nb, vb + nb, want);
				nb += got;
				if (got < want)
					break;
			}
			CHECK_EQ_U(nb, na);
			CHECK_EQ_I(k.err, a.err);
			CHECK_MEM(tb, nb * sizeof(*tb), ta, na * sizeof(*ta));
			CHECK_MEM(vb, nb * sizeof(*vb), va, na * sizeof(*va));
			/* and both decode what was written (the decoders share
			 * their delta-of-delta helpers: comparing them alone
			 * would not see those wrong) */
			if (cut == len)
				CHECK_MEM(ta, na * sizeof(*ta), want, n * sizeof(*want));
		}
		xor_chunk_release(&c);
	}
}

#define H2 (2 * 3600 * 1000LL)
#define T0 1700006400000LL

/* A block of series s{i="0".."nser-1"} over [from, to). */
static void write_block(const char *dir, int nser, int64_t from, int64_t to, int64_t every, double add)
{
	struct block_writer *w = NULL;
	struct block_meta meta;
	struct err e = ERR_INIT;
	size_t n = 0;

	CHECK_EQ_I(block_writer_new(&w, dir, 2 * H2, &e), 0);
	for (int k = 0; k < nser; k++) {
		char iv[8];
		struct label ls[2] = { { "__name__", "s" }, { "i", iv } };
		snprintf(iv, sizeof(iv), "%d", k);
		for (int64_t t = from + (int64_t)(rnd() % 5000); t < to; t += every + (int64_t)(rnd() % 3)) {
			CHECK_EQ_I(block_writer_append(w, ls, 2, t, rnd_value() + add, &e), 0);
			if (++n % 5000 == 0)
				CHECK_EQ_I(block_writer_commit(w, &e), 0);
		}
	}
	CHECK_EQ_I(block_writer_commit(w, &e), 0);
	block_meta_init(&meta);
	CHECK_EQ_I(block_writer_flush(w, &meta, &e), 0);
	block_meta_release(&meta);
	block_writer_free(w);
	err_release(&e);
}

/* Every series' samples in [mint, maxt], one at a time or in reads of at
 * most cap (0: as many as the set says a series has). */
static void read_all(struct tsdb_db *db, int64_t mint, int64_t maxt, size_t cap, int64_t **t, double **v,
		     size_t *n, size_t *tcap)
{
	struct label_matcher m = { LABEL_MATCH_EQUAL, "__name__", "s", 1, NULL };
	struct tsdb_series_set *set = NULL;
	struct err e = ERR_INIT;
	int r;

	CHECK_EQ_I(tsdb_db_select(db, &m, 1, mint, maxt, &set, &e), 0);
	*n = 0;
	while (set && (r = tsdb_series_set_next(set, &e)) > 0) {
		size_t want = tsdb_series_set_max_samples(set) + 1;
		if (*tcap < *n + want + 64) {
			*tcap = (*n + want + 64) * 2;
			*t = xreallocarray(*t, *tcap, sizeof(**t));
			*v = xreallocarray(*v, *tcap, sizeof(**v));
		}
		(*t)[*n] = INT64_MIN; /* series separator */
		(*v)[(*n)++] = 0;
		if (cap == SIZE_MAX) {
			int64_t st;
			double sv;
			while (tsdb_series_set_sample(set, &st, &sv, &e) > 0) {
				(*t)[*n] = st;
				(*v)[(*n)++] = sv;
			}
			continue;
		}
		for (;;) {
			size_t c = cap ? cap : want - 1, got = 0;
			if (*n + c > *tcap)
				c = *tcap - *n;
			r = tsdb_series_set_read(set, *t + *n, *v + *n, c, &got, &e);
			*n += got;
			CHECK(r >= 0);
			if (r <= 0)
				break;
		}
	}
	tsdb_series_set_free(set);
	err_release(&e);
}

static void test_series_set_read(void)
{
	char dir[] = "/tmp/test_tsdb_read_bulk.XXXXXX";
	struct tsdb_db db;
	struct err e = ERR_INIT;
	int64_t *ta = NULL, *tb = NULL;
	double *va = NULL, *vb = NULL;
	size_t na, nb, ca = 0, cb = 0;
	char *cmd;

	CHECK(mkdtemp(dir) != NULL);
	write_block(dir, 30, T0, T0 + H2, 15000, 0);
	write_block(dir, 30, T0 + H2, T0 + 2 * H2, 15000, 0);
	/* overlapping the second: some timestamps in common, other values */
	write_block(dir, 12, T0 + H2 + 1800000, T0 + H2 + 3600000, 15000, 1000);
	tsdb_db_init(&db);
	CHECK_EQ_I(tsdb_db_open(&db, dir, INT64_MAX, &e), 0);
	for (int round = 0; round < 60; round++) {
		int64_t mint = T0 - 600000 + (int64_t)(rnd() % (uint64_t)(2 * H2));
		int64_t maxt = mint + (int64_t)(rnd() % (uint64_t)(2 * H2));
		size_t cap = round % 3 == 0 ? 1 + rnd() % 300 : 0;

		read_all(&db, mint, maxt, SIZE_MAX, &ta, &va, &na, &ca);
		read_all(&db, mint, maxt, cap, &tb, &vb, &nb, &cb);
		CHECK(na > 30);
		CHECK_EQ_U(nb, na);
		CHECK_MEM(tb, nb * sizeof(*tb), ta, na * sizeof(*ta));
		CHECK_MEM(vb, nb * sizeof(*vb), va, na * sizeof(*va));
	}
	tsdb_db_release(&db);
	free(ta);
	free(tb);
	free(va);
	free(vb);
	err_release(&e);
	cmd = xasprintf("rm -rf '%s'", dir);
	CHECK_EQ_I(system(cmd), 0);
	free(cmd);
}

int main(void)
{
	RUN(test_xor_bulk);
	RUN(test_series_set_read);
	return check_done();
}
