/*
 * Unit tests of the block writer: XOR chunks (known bytes, round trips,
 * 2.42's trailing-byte quirk), the head's chunk-cutting and append rules
 * and its spill file, chunk segment and index bytes against a block real
 * promtool 2.42 wrote (testdata/openmetrics: bar 3 1030, foo_total{a="b"}
 * 1 1000 and 2 1015.5), meta.json, the block table, ULIDs and the
 * OpenMetrics parser.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/crc32c.h"
#include "1-common/gofmt.h"
/* promtool/ is not part of libpromtool.a; the table printer is small and
 * self-contained, so it is compiled into this test directly. */
#include "8-promtool/blocktable.c"
#include "tests/unit/check.h"
#include "3-tsdb/chunkenc.h"
#include "3-tsdb/chunks_writer.h"
#include "3-tsdb/head.h"
#include "3-tsdb/index_writer.h"
#include "3-tsdb/meta.h"
#include "7-backfill/openmetrics.h"
#include "3-tsdb/ulid.h"
#include "3-tsdb/wio.h"

/* The index promtool 2.42 wrote for the two series above. */
static const unsigned char golden_index[] = {
  0xba, 0xaa, 0xd7, 0x00, 0x02, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00,
  0x06, 0x00, 0x08, 0x5f, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x5f, 0x5f, 0x01,
  0x61, 0x01, 0x62, 0x03, 0x62, 0x61, 0x72, 0x09, 0x66, 0x6f, 0x6f, 0x5f,
  0x74, 0x6f, 0x74, 0x61, 0x6c, 0x50, 0x1e, 0xdd, 0xcd, 0x00, 0x00, 0x00,
  0x09, 0x01, 0x01, 0x04, 0x01, 0xe0, 0xdd, 0x7d, 0x00, 0x08, 0x91, 0xb9,
  0xee, 0xc0, 0x00, 0x00, 0x0c, 0x02, 0x01, 0x05, 0x02, 0x03, 0x01, 0x80,
  0x89, 0x7a, 0x8c, 0x79, 0x1c, 0x7a, 0x5d, 0x43, 0xf4, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
  0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05, 0x4a, 0x87, 0xd2, 0x42,
  0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
  0x00, 0x00, 0x00, 0x03, 0xf4, 0x1f, 0xff, 0x4d, 0x00, 0x00, 0x00, 0x0c,
  0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04,
  0x49, 0x58, 0x48, 0xd7, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01,
  0x00, 0x00, 0x00, 0x03, 0xa7, 0x69, 0x2e, 0xd2, 0x00, 0x00, 0x00, 0x08,
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x73, 0xa3, 0x4a, 0x39,
  0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04,
  0x73, 0xa3, 0x4a, 0x39, 0x00, 0x00, 0x00, 0x13, 0x00, 0x00, 0x00, 0x02,
  0x01, 0x08, 0x5f, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x5f, 0x5f, 0x54, 0x01,
  0x01, 0x61, 0x6c, 0xc6, 0x59, 0x56, 0x27, 0x00, 0x00, 0x00, 0x36, 0x00,
  0x00, 0x00, 0x04, 0x02, 0x00, 0x00, 0x80, 0x01, 0x02, 0x08, 0x5f, 0x5f,
  0x6e, 0x61, 0x6d, 0x65, 0x5f, 0x5f, 0x03, 0x62, 0x61, 0x72, 0x94, 0x01,
  0x02, 0x08, 0x5f, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x5f, 0x5f, 0x09, 0x66,
  0x6f, 0x6f, 0x5f, 0x74, 0x6f, 0x74, 0x61, 0x6c, 0xa4, 0x01, 0x02, 0x01,
  0x61, 0x01, 0x62, 0xb4, 0x01, 0xee, 0x8d, 0x59, 0x32, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x2d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x51, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0xc4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xdf, 0x0a, 0x29, 0x1c,
  0x8d

};

/* Its chunk segment: bar's one-sample chunk at 8, foo_total's at 28. */
static const unsigned char golden_chunks[] = {
  0x85, 0xbd, 0x40, 0xdd, 0x01, 0x00, 0x00, 0x00, 0x0e, 0x01, 0x00, 0x01,
  0xe0, 0xdd, 0x7d, 0x40, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0xac, 0xfe, 0xf8, 0xc7, 0x12, 0x01, 0x00, 0x02, 0x80, 0x89, 0x7a, 0x3f,
  0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x8c, 0x79, 0xc2, 0x5f, 0xff,
  0x2b, 0x30, 0xe4, 0x4b

};

static void test_xor_known_bytes(void)
{
	static const unsigned char one[] = { 0x00, 0x01, 0xe0, 0xdd, 0x7d, 0x40, 0x08, 0, 0, 0, 0, 0, 0, 0x00 };
	static const unsigned char two[] = { 0x00, 0x02, 0x80, 0x89, 0x7a, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0,
					     0x8c, 0x79, 0xc2, 0x5f, 0xff };
	struct xor_chunk c;
	size_t len;
	const unsigned char *b;

	xor_chunk_init(&c);
	xor_chunk_append(&c, 1030000, 3.0);
	b = xor_chunk_bytes(&c, &len);
	/* 14 bytes: the last zero byte is 2.42's bstream quirk */
	CHECK_MEM(b, len, one, sizeof(one));
	xor_chunk_reset(&c);
	xor_chunk_append(&c, 1000000, 1.0);
	xor_chunk_append(&c, 1015500, 2.0);
	b = xor_chunk_bytes(&c, &len);
	CHECK_MEM(b, len, two, sizeof(two));
	xor_chunk_release(&c);
}

static uint64_t rnd_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void roundtrip(const int64_t *ts, const double *vs, size_t n)
{
	struct xor_chunk c;
	struct xor_iter it;
	size_t len, i = 0;
	const unsigned char *b;

	xor_chunk_init(&c);
	for (size_t k = 0; k < n; k++)
		xor_chunk_append(&c, ts[k], vs[k]);
	b = xor_chunk_bytes(&c, &len);
	CHECK_EQ_U(xor_chunk_num_samples(b, len), n);
	xor_iter_init(&it, b, len);
	while (xor_iter_next(&it)) {
		CHECK_EQ_I(it.t, ts[i]);
		CHECK_EQ_U(double_bits(xor_iter_value(&it)), double_bits(vs[i]));
		i++;
	}
	CHECK(!it.err);
	CHECK_EQ_U(i, n);
	/* a truncated chunk is an error, not garbage */
	if (n > 1) {
		xor_iter_init(&it, b, len / 2);
		while (xor_iter_next(&it))
			;
		CHECK(it.err);
	}
	xor_chunk_release(&c);
}

static void test_xor_roundtrip(void)
{
	enum { N = 240 };
	int64_t ts[N];
	double vs[N];
	static const int64_t steps[] = { 1, 15000, 15001, 14999, 8192, 8193, 65536, 65537, 524288, 524289,
					 1 << 30, (int64_t)1 << 40, 3, 60000 };

	for (int kind = 0; kind < 8; kind++) {
		int64_t t = (int64_t)(rnd() % 2000000000000ull) - 1000000000000;
		for (int i = 0; i < N; i++) {
			t += steps[rnd() % (sizeof(steps) / sizeof(steps[0]))];
			ts[i] = t;
			switch (kind) {
			case 0: vs[i] = bits_double(rnd()); break;               /* any bits, NaNs too */
			case 1: vs[i] = 42.0; break;                              /* constant */
			case 2: vs[i] = (double)(int64_t)(rnd() % 100000); break; /* integers */
			case 3: vs[i] = (double)(rnd() % 1000) * 1e-300; break;   /* tiny */
			case 4: vs[i] = (double)(rnd() % 1000) * 1e300; break;    /* huge */
			case 5: vs[i] = i % 3 ? go_nan() : (i % 2 ? INFINITY : -INFINITY); break;
			case 6: vs[i] = bits_double(rnd() & 0x800FFFFFFFFFFFFFull); break; /* denormals */
			default: vs[i] = i % 2 ? 1e308 : -5e-324; break;
			}
		}
		roundtrip(ts, vs, N);
		roundtrip(ts, vs, 1);
		roundtrip(ts, vs, 2);
		roundtrip(ts, vs, 3);
	}
}

/* Chunk lengths (in samples) of the only series of h; the first chunk's
 * maxt into *maxt0 when maxt0 is not NULL. */
static size_t chunk_sizes(const struct head *h, size_t *out, size_t max, int64_t *maxt0)
{
	struct head_chunk_iter it;
	struct chunk_desc d;
	size_t n = 0;

	head_chunk_iter_init(&it, h, 0);
	while (n < max && head_chunk_iter_next(&it, &d)) {
		if (n == 0 && maxt0)
			*maxt0 = d.maxt;
		out[n++] = xor_chunk_num_samples(d.data, d.len);
	}
	return n;
}

static void append_commit(struct head *h, int64_t t, double v)
{
	static const struct label ls[] = { { "__name__", "m" } };
	struct err e = ERR_INIT;

	CHECK_EQ_I(head_append(h, ls, 1, t, v, &e), 0);
	err_release(&e);
	head_commit(h);
}

static void test_cutting_rule(void)
{
	const int64_t range = 4 * 3600 * 1000; /* 2 x 2h, as the importer uses */
	struct head *h;
	size_t sz[64], n;
	int64_t maxt0 = 0;

	/* 1s samples from an aligned start: at 30 samples the end moves to
	 * start + range / (range / (30000 * 4)) = 116129 ms, so 117 samples. */
	h = head_new(range);
	for (int64_t i = 0; i < 300; i++)
		append_commit(h, i * 1000, (double)i);
	n = chunk_sizes(h, sz, 64, &maxt0);
	CHECK_EQ_U(n, 3);
	CHECK_EQ_U(sz[0], 117);
	CHECK_EQ_U(maxt0, 116000);
	head_free(h);

	/* 30 slow samples predict the window's end; then a burst hits the
	 * 240-sample cap (2 x samplesPerChunk); the next chunks see the fast
	 * rate at 30 samples and end after 120. */
	h = head_new(range);
	for (int64_t i = 0; i < 30; i++)
		append_commit(h, i * 60000, 1);
	for (int64_t i = 0; i < 500; i++)
		append_commit(h, 30 * 60000 + i, 2);
	n = chunk_sizes(h, sz, 64, NULL);
	CHECK_EQ_U(n, 4);
	CHECK_EQ_U(sz[0], 240);
	CHECK_EQ_U(sz[1], 120);
	CHECK_EQ_U(sz[2], 120);
	CHECK_EQ_U(sz[3], 50);
	head_free(h);

	/* A sample at the chunkRange boundary starts a new chunk; windows are
	 * aligned with Go's truncating division, so -1 and 0 share one. */
	h = head_new(range);
	append_commit(h, -1, 1);
	append_commit(h, 0, 1);
	append_commit(h, range - 1, 1);
	append_commit(h, range, 1);
	n = chunk_sizes(h, sz, 64, NULL);
	CHECK_EQ_U(n, 2);
	CHECK_EQ_U(sz[0], 3);
	head_free(h);
}

/* Appends n 1s samples from t0 to each of nser series, committing as it goes. */
static void fill_series(struct head *h, size_t nser, int64_t t0, int n)
{
	struct err e = ERR_INIT;

	for (int i = 0; i < n; i++) {
		for (size_t k = 0; k < nser; k++) {
			char val[16];
			struct label ls[2] = { { "__name__", "m" }, { "k", val } };

			snprintf(val, sizeof(val), "%zu", k);
			CHECK_EQ_I(head_append(h, ls, 2, t0 + i * 1000, (double)(i * 7 + (int)k), &e), 0);
		}
		head_commit(h);
	}
	err_release(&e);
}

/* Every chunk of a and b has the same times and bytes. */
static bool same_chunks(const struct head *a, const struct head *b)
{
	if (head_num_series(a) != head_num_series(b) || head_num_samples(a) != head_num_samples(b))
		return false;
	for (uint32_t r = 0; r < head_num_series(a); r++) {
		struct head_chunk_iter ia, ib;
		struct chunk_desc da, db;
		bool ma, mb;

		head_chunk_iter_init(&ia, a, r);
		head_chunk_iter_init(&ib, b, r);
		do {
			ma = head_chunk_iter_next(&ia, &da);
			mb = head_chunk_iter_next(&ib, &db);
			if (ma != mb)
				return false;
			if (ma && (da.mint != db.mint || da.maxt != db.maxt || da.len != db.len ||
				   memcmp(da.data, db.data, da.len) != 0))
				return false;
		} while (ma);
	}
	return true;
}

/*
 * Cut chunks moved to a spill file read back the same through the head's
 * iterator: after every cut (budget 1), again after more appends once the
 * file was mapped, and with a file that cannot be written (chunks stay in
 * memory).
 */
static void test_head_spill(void)
{
	const int64_t range = 4 * 3600 * 1000;
	struct head *plain = head_new(range), *sp = head_new(range), *bad = head_new(range);
	FILE *f = tmpfile();
	struct head_spill spill = { f ? fileno(f) : -1, 0, false }, broken = { -1, 0, false };
	struct err e = ERR_INIT;

	CHECK(f != NULL);
	head_set_spill(sp, &spill, 1);
	head_set_spill(bad, &broken, 1);
	fill_series(plain, 5, 0, 1000);
	fill_series(sp, 5, 0, 1000);
	fill_series(bad, 5, 0, 1000);
	CHECK(spill.len > 0 && !spill.failed);
	CHECK(broken.failed);
	CHECK_EQ_I(head_load_spilled(sp, &e), 0);
	CHECK_EQ_I(head_load_spilled(bad, &e), 0);
	CHECK(same_chunks(plain, sp));
	CHECK(same_chunks(plain, bad));
	/* more chunks spilled past the mapped length */
	fill_series(plain, 5, 1000000, 500);
	fill_series(sp, 5, 1000000, 500);
	CHECK_EQ_I(head_load_spilled(sp, &e), 0);
	CHECK(same_chunks(plain, sp));
	err_release(&e);
	head_free(plain);
	head_free(sp);
	head_free(bad);
	if (f)
		fclose(f);
}

static void test_append_rules(void)
{
	static const struct label ls[] = { { "__name__", "m" } };
	static const struct label empty_val[] = { { "__name__", "m" }, { "a", "" } };
	static const struct label only_empty[] = { { "a", "" } };
	static const struct label dup[] = { { "__name__", "m" }, { "a", "1" }, { "a", "2" } };
	struct head *h;
	struct err e = ERR_INIT;
	size_t sz[8];

	h = head_new(1000);
	/* within one batch: out-of-order and duplicates vanish at commit */
	CHECK_EQ_I(head_append(h, ls, 1, 100, 1, &e), 0);
	CHECK_EQ_I(head_append(h, ls, 1, 50, 2, &e), 0);
	CHECK_EQ_I(head_append(h, ls, 1, 100, 3, &e), 0);
	CHECK_EQ_I(head_append(h, empty_val, 2, 200, 4, &e), 0); /* same series: a="" dropped */
	head_commit(h);
	CHECK_EQ_U(head_num_series(h), 1);
	CHECK_EQ_U(chunk_sizes(h, sz, 8, NULL), 1);
	CHECK_EQ_U(sz[0], 2);
	/* against committed data: errors, except identical bits */
	CHECK_EQ_I(head_append(h, ls, 1, 150, 1, &e), -1);
	CHECK_STR(err_msg(&e), "out of order sample");
	err_release(&e);
	CHECK_EQ_I(head_append(h, ls, 1, 200, 5, &e), -1);
	CHECK_STR(err_msg(&e), "duplicate sample for timestamp");
	err_release(&e);
	CHECK_EQ_I(head_append(h, ls, 1, 200, 4, &e), 0);
	/* below max - chunkRange/2 of the appender's start: out of bounds */
	head_commit(h);
	CHECK_EQ_I(head_append(h, ls, 1, 200 - 501, 1, &e), -1);
	CHECK_STR(err_msg(&e), "out of bounds");
	err_release(&e);
	CHECK_EQ_I(head_append(h, only_empty, 1, 300, 1, &e), -1);
	CHECK_STR(err_msg(&e), "empty labelset: invalid sample");
	err_release(&e);
	CHECK_EQ_I(head_append(h, dup, 3, 300, 1, &e), -1);
	CHECK_STR(err_msg(&e), "label name \"a\" is not unique: invalid sample");
	err_release(&e);
	head_commit(h);
	CHECK_EQ_I(head_min_time(h), 100);
	CHECK_EQ_I(head_max_time(h), 200);
	head_free(h);
}

/* Builds the two-series block of the golden in memory. */
static void test_chunks_and_index_bytes(void)
{
	static const struct label bar[] = { { "__name__", "bar" } };
	static const struct label foo[] = { { "__name__", "foo_total" }, { "a", "b" } };
	struct xor_chunk c1, c2;
	struct chunk_desc d1, d2;
	struct chunks_writer cw;
	struct index_series is[2];
	struct buf chunks = BUF_INIT, index = BUF_INIT;
	struct wio w;
	struct err e = ERR_INIT;

	xor_chunk_init(&c1);
	xor_chunk_init(&c2);
	xor_chunk_append(&c1, 1030000, 3);
	xor_chunk_append(&c2, 1000000, 1);
	xor_chunk_append(&c2, 1015500, 2);
	d1 = (struct chunk_desc){ c1.b.data, c1.b.len, CHUNK_ENC_XOR, 1030000, 1030000, 0 };
	d2 = (struct chunk_desc){ c2.b.data, c2.b.len, CHUNK_ENC_XOR, 1000000, 1015500, 0 };
	chunks_writer_init_mem(&cw, &chunks);
	CHECK_EQ_I(chunks_writer_write(&cw, &d1, 1, &e), 0);
	CHECK_EQ_I(chunks_writer_write(&cw, &d2, 1, &e), 0);
	CHECK_EQ_I(chunks_writer_close(&cw, &e), 0);
	CHECK_EQ_U(d1.ref, 8);
	CHECK_EQ_U(d2.ref, 28);
	CHECK_MEM(chunks.data, chunks.len, golden_chunks, sizeof(golden_chunks));

	is[0] = (struct index_series){ bar, 1, &d1, 1 };
	is[1] = (struct index_series){ foo, 2, &d2, 1 };
	wio_init_mem(&w, &index);
	CHECK_EQ_I(index_write(&w, is, 2, &e), 0);
	CHECK_EQ_I(wio_close(&w, &e), 0);
	CHECK_MEM(index.data, index.len, golden_index, sizeof(golden_index));
	/* section by section, so a failure says where */
	if (index.len == sizeof(golden_index)) {
		CHECK_MEM(index.data, 0x30, golden_index, 0x30);                       /* header + symbols */
		CHECK_MEM(index.data + 0x30, 0x21, golden_index + 0x30, 0x21);         /* series */
		CHECK_MEM(index.data + 0x51, 0x2f, golden_index + 0x51, 0x2f);         /* label indices */
		CHECK_MEM(index.data + 0x80, 0x44, golden_index + 0x80, 0x44);         /* postings */
		CHECK_MEM(index.data + 0xc4, 0x57, golden_index + 0xc4, 0x57);         /* offset tables */
		CHECK_MEM(index.data + index.len - 52, 52, golden_index + sizeof(golden_index) - 52, 52); /* TOC */
	}
	buf_release(&chunks);
	buf_release(&index);
	xor_chunk_release(&c1);
	xor_chunk_release(&c2);
	err_release(&e);
}

static void test_meta_json(void)
{
	static const char want[] =
		"{\n\t\"ulid\": \"01M8P37HB0JGCRSPGEQRGBXM38\",\n\t\"minTime\": 1000000,\n\t\"maxTime\": 1030001,\n"
		"\t\"stats\": {\n\t\t\"numSamples\": 3,\n\t\t\"numSeries\": 2,\n\t\t\"numChunks\": 2\n\t},\n"
		"\t\"compaction\": {\n\t\t\"level\": 1,\n\t\t\"sources\": [\n\t\t\t\"01M8P37HB0JGCRSPGEQRGBXM38\"\n\t\t]\n\t},\n"
		"\t\"version\": 1\n}";
	struct block_meta m, back;
	struct buf b = BUF_INIT;
	struct err e = ERR_INIT;

	block_meta_init(&m);
	strcpy(m.ulid, "01M8P37HB0JGCRSPGEQRGBXM38");
	m.min_time = 1000000;
	m.max_time = 1030001;
	m.stats.num_samples = 3;
	m.stats.num_series = 2;
	m.stats.num_chunks = 2;
	m.compaction_level = 1;
	m.sources = calloc(1, sizeof(*m.sources));
	strcpy(m.sources[0], m.ulid);
	m.nsources = 1;
	m.version = 1;
	block_meta_encode(&b, &m);
	CHECK_STR(buf_str(&b), want);
	CHECK_EQ_I(block_meta_decode(&back, "meta.json", want, strlen(want), &e), 0);
	CHECK_STR(back.ulid, m.ulid);
	CHECK_EQ_I(back.max_time, 1030001);
	CHECK_EQ_U(back.stats.num_chunks, 2);
	CHECK_EQ_U(back.nsources, 1);
	block_meta_release(&back);
	CHECK_EQ_I(block_meta_decode(&back, "meta.json", "{\"version\": 2}", 14, &e), -1);
	CHECK_STR(err_msg(&e), "unexpected meta file version 2");
	err_release(&e);
	block_meta_release(&back);
	block_meta_release(&m);
	buf_release(&b);
}

static void test_block_table(void)
{
	struct block_meta m[2];
	uint64_t sizes[2] = { 652, 1536 + 3 * 1024 * 1024 };
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	block_meta_init(&m[0]);
	block_meta_init(&m[1]);
	strcpy(m[0].ulid, "01M8P37HB0JGCRSPGEQRGBXM38");
	m[0].min_time = 1000000;
	m[0].max_time = 1030001;
	m[0].stats.num_samples = 3;
	m[0].stats.num_chunks = 2;
	m[0].stats.num_series = 2;
	m[1] = m[0];
	m[1].min_time = -1500;
	m[1].max_time = 7200000;
	f = open_memstream(&out, &len);
	print_blocks(f, m, sizes, 1, true, false);
	print_blocks(f, m, sizes, 2, false, true);
	fclose(f);
	CHECK_STR(out,
		  "BLOCK ULID                  MIN TIME     MAX TIME     DURATION     NUM SAMPLES  NUM CHUNKS   NUM SERIES   SIZE\n"
		  "01M8P37HB0JGCRSPGEQRGBXM38  1000000      1030001      30.001s      3            2            2            652\n"
		  "01M8P37HB0JGCRSPGEQRGBXM38  1970-01-01 00:16:40 +0000 UTC  1970-01-01 00:17:10 +0000 UTC  30.001s      3            2            2            652B\n"
		  "01M8P37HB0JGCRSPGEQRGBXM38  1969-12-31 23:59:59 +0000 UTC  1970-01-01 02:00:00 +0000 UTC  2h0m1.5s     3            2            2            3MiB1KiB512B\n");
	free(out);
}

static void test_ulid(void)
{
	static const unsigned char raw[16] = { 0x01, 0x7f, 0x22, 0xe2, 0x79, 0xb0, 0xcd, 0x8f,
					       0x2f, 0xa1, 0x5a, 0x4b, 0x00, 0x10, 0xff, 0xee };
	char a[ULID_LEN + 1], b[ULID_LEN + 1];
	struct err e = ERR_INIT;

	ulid_encode(a, raw);
	CHECK_STR(a, "01FWHE4YDGSP7JZ8AT9C011ZZE"); /* big-endian base32 of the 128 bits */
	CHECK_EQ_I(ulid_new(a, 1600000000000ull, &e), 0);
	CHECK_EQ_I(ulid_new(b, 1600000000000ull, &e), 0);
	CHECK(memcmp(a, b, 10) == 0);   /* same time prefix */
	CHECK(strcmp(a, b) != 0);       /* random part */
	CHECK_EQ_U(strlen(a), ULID_LEN);
}

static void test_om_parser(void)
{
	static const char in[] =
		"# HELP m_total Help \\n text.\n# TYPE m_total counter\n"
		"m_total{b=\"q\\\"x\\\\y\\nz\",a=\"1\"} 1.5 1600000000.5 # {t=\"1\"} 2 3\n"
		"m_total 2e3 -1.0005\n# EOF\n";
	struct om_parser p;
	enum om_entry ent;
	struct err e = ERR_INIT;
	const struct label *ls;
	size_t n;

	om_parser_init(&p, in, strlen(in));
	CHECK_EQ_I(om_parser_next(&p, &ent, &e), 0);
	CHECK_EQ_I(ent, OM_ENTRY_HELP);
	CHECK_EQ_I(om_parser_next(&p, &ent, &e), 0);
	CHECK_EQ_I(ent, OM_ENTRY_TYPE);
	CHECK_EQ_I(om_parser_next(&p, &ent, &e), 0);
	CHECK_EQ_I(ent, OM_ENTRY_SERIES);
	CHECK(p.has_ts);
	CHECK_EQ_I(p.ts, 1600000000500);
	om_parser_metric(&p, &ls, &n);
	CHECK_EQ_U(n, 3);
	if (n == 3) {
		CHECK_STR(ls[0].name, "__name__");
		CHECK_STR(ls[1].name, "a");
		CHECK_STR(ls[2].value, "q\"x\\y\nz");
	}
	CHECK_EQ_I(om_parser_next(&p, &ent, &e), 0);
	CHECK_EQ_I(p.ts, -1000); /* int64(-1.0005 * 1000) truncates */
	CHECK(p.val == 2000);
	CHECK_EQ_I(om_parser_next(&p, &ent, &e), 1);
	om_parser_release(&p);

	om_parser_init(&p, "m{a=\"b\"} 1 2 3\n", 16);
	CHECK_EQ_I(om_parser_next(&p, &ent, &e), -1);
	CHECK_STR(err_msg(&e), "expected next entry after timestamp, got \"TIMESTAMP\"");
	err_release(&e);
	om_parser_release(&p);

	/* Go's NaN bits end up in the chunk */
	om_parser_init(&p, "m NaN 1\n# EOF", 13);
	CHECK_EQ_I(om_parser_next(&p, &ent, &e), 0);
	CHECK_EQ_U(double_bits(p.val), 0x7FF8000000000001ull);
	om_parser_release(&p);
}

static void test_om_parser_streaming(void)
{
	/* Feeding a byte at a time must give what one buffer gives. */
	static const char in[] = "a{x=\"1\"} 1 10\n# TYPE b gauge\nb 2 20\n# EOF\n";
	struct om_parser p;
	enum om_entry ent;
	struct err e = ERR_INIT;
	size_t avail = 0, series = 0;
	int r;

	om_parser_init(&p, in, 0);
	om_parser_set_buffer(&p, in, 0, 0, false);
	for (;;) {
		size_t pos = om_parser_pos(&p);
		r = om_parser_next(&p, &ent, &e);
		if (r == 2) {
			avail++;
			om_parser_set_buffer(&p, in, avail, pos, avail >= strlen(in));
			continue;
		}
		if (r != 0)
			break;
		series += ent == OM_ENTRY_SERIES;
	}
	CHECK_EQ_I(r, 1);
	CHECK_EQ_U(series, 2);
	om_parser_release(&p);
}

int main(void)
{
	RUN(test_xor_known_bytes);
	RUN(test_xor_roundtrip);
	RUN(test_cutting_rule);
	RUN(test_append_rules);
	RUN(test_head_spill);
	RUN(test_chunks_and_index_bytes);
	RUN(test_meta_json);
	RUN(test_block_table);
	RUN(test_ulid);
	RUN(test_om_parser);
	RUN(test_om_parser_streaming);
	return check_done();
}
