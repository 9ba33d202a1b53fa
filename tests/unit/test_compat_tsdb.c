/*
 * Version profiles of the block bytes and the importers (issue 13): each
 * gate of compat_gates.h's first section gives 2.42's bytes without it and
 * what upstream's source at the gate's tag writes with it.  The source
 * followed is named at each test; the 2.42 side is also pinned by the
 * goldens of the real tool elsewhere (tests/sh/openmetrics_golden.sh ...).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "1-common/buf.h"
#include "1-common/bytes.h"
#include "1-common/compat.h"
#include "1-common/err.h"
#include "2-model/labels.h"
#include "3-tsdb/chunkenc.h"
#include "3-tsdb/head.h"
#include "3-tsdb/index_writer.h"
#include "3-tsdb/meta.h"
#include "3-tsdb/wio.h"
#include "7-backfill/log.h"
#include "7-backfill/rules_import.h"
#include "tests/unit/check.h"

static struct compat profile(const char *v)
{
	struct compat c;
	struct err e = ERR_INIT;

	CHECK_EQ_I(compat_parse(&c, v, &e), 0);
	err_release(&e);
	return c;
}

/*
 * rules/group.go Group.hash() = labels.New(name, file).Hash(): 2.42 slice
 * labels (name FF value FF), 2.44-3.4 stringlabels with uvarint lengths
 * (model/labels/labels_stringlabels.go encodeSize at v3.4.0), 3.5+ one
 * byte below 255 else FF + 3 bytes (v3.5.0).  The worked example of
 * ../shared/notes/version-differences.md: rules.yml / example / 60s.
 */
static void test_offset_hash_worked_example(void)
{
	struct label ls[2] = { { "file", "rules.yml" }, { "name", "example" } };
	struct compat v243 = profile("2.43.1"), v244 = profile("2.44.0"), v314 = profile("3.14.0");
	const int64_t iv = 60000000000LL, t = 1700000000LL * 1000000000LL;

	CHECK_EQ_U(labels_hash_build(NULL, ls, 2), 0xb63b7f17f860f19fULL);
	CHECK_EQ_U(labels_hash_build(&v243, ls, 2), 0xb63b7f17f860f19fULL);
	CHECK_EQ_U(labels_hash_build(&v244, ls, 2), 0x25b5f761f8444e2dULL);
	CHECK_EQ_U(labels_hash_build(&v314, ls, 2), 0x25b5f761f8444e2dULL);
	/* the offsets of the note: 39.456891295s and 50.337076781s */
	CHECK_EQ_I(rules_backfill_eval_timestamp_compat(NULL, "rules.yml", "example", iv, t) % iv, 39456891295LL);
	CHECK_EQ_I(rules_backfill_eval_timestamp_compat(&v314, "rules.yml", "example", iv, t) % iv, 50337076781LL);
	CHECK_EQ_I(rules_backfill_eval_timestamp("rules.yml", "example", iv, t) % iv, 39456891295LL);
}

/* The packed form written out by hand for a path of len bytes. */
static uint64_t packed_hash(const char *path, int form)
{
	unsigned char b[1024];
	size_t n = 0, len = strlen(path);

	b[n++] = 4;
	memcpy(b + n, "file", 4);
	n += 4;
	if (form == 1) { /* uvarint */
		n += put_uvarint(b + n, len);
	} else if (len < 255) {
		b[n++] = (unsigned char)len;
	} else {
		b[n++] = 0xff;
		b[n++] = (unsigned char)len;
		b[n++] = (unsigned char)(len >> 8);
		b[n++] = (unsigned char)(len >> 16);
	}
	memcpy(b + n, path, len);
	n += len;
	b[n++] = 4;
	memcpy(b + n, "name", 4);
	n += 4;
	b[n++] = 1;
	b[n++] = 'g';
	return XXH64(b, n, 0);
}

/* Paths of 130 and 300 bytes: where the two length encodings differ. */
static void test_offset_hash_long_paths(void)
{
	struct compat v34 = profile("3.4.2"), v35 = profile("3.5.0");
	char p130[131], p300[301];

	memset(p130, 'a', 130);
	p130[130] = 0;
	memset(p300, 'b', 300);
	p300[300] = 0;
	const char *paths[] = { p130, p300 };
	for (int i = 0; i < 2; i++) {
		struct label ls[2] = { { "file", paths[i] }, { "name", "g" } };
		CHECK_EQ_U(labels_hash_build(&v34, ls, 2), packed_hash(paths[i], 1));
		CHECK_EQ_U(labels_hash_build(&v35, ls, 2), packed_hash(paths[i], 2));
		CHECK(packed_hash(paths[i], 1) != packed_hash(paths[i], 2));
		CHECK(labels_hash_build(NULL, ls, 2) == labels_hash(ls, 2));
	}
}

/* Every chunk of series 0 of h into descs (at most max); returns the count. */
static size_t chunks_of(const struct head *h, struct chunk_desc *descs, size_t max)
{
	struct head_chunk_iter it;
	size_t n = 0;

	head_chunk_iter_init(&it, h, 0);
	while (n < max && head_chunk_iter_next(&it, &descs[n]))
		n++;
	return n;
}

static struct label one[1] = { { "__name__", "m" } };

/* A value in [1, 2) with 52 random mantissa bits: ~8 bytes per XOR sample. */
static double random_value(void)
{
	uint64_t m = ((uint64_t)rand() << 31 ^ (uint64_t)rand() << 11 ^ (uint64_t)rand()) & ((1ULL << 52) - 1);
	return bits_double(0x3ff0000000000000ULL | m);
}

/* 1 to 5 s apart, so timestamps take 16 bits: ~10 bytes per sample. */
static int64_t jitter(void)
{
	return 1000 + rand() % 4000;
}

/*
 * tsdb/chunkenc/bstream.go writeByte: 2.42 appends a zero byte after a
 * byte-aligned write that stays when nothing follows; v3.0.0 (d90d0976b5)
 * does not.  The 1-sample chunk of chunkenc.c's worked example.
 */
static void test_bstream_quirk_byte(void)
{
	static const unsigned char v242[] = { 0x00, 0x01, 0xe0, 0xdd, 0x7d, 0x40, 0x08, 0, 0, 0, 0, 0, 0, 0x00 };
	struct compat v255 = profile("2.55.1"), v30 = profile("3.0.0");
	const struct compat *cs[] = { NULL, &v255, &v30 };
	struct err e = ERR_INIT;

	for (int i = 0; i < 3; i++) {
		struct head *h = head_new(7200000);
		struct chunk_desc d[4];

		head_set_compat(h, cs[i]);
		CHECK_EQ_I(head_append(h, one, 1, 1030000, 3.0, &e), 0);
		head_commit(h);
		CHECK_EQ_I(chunks_of(h, d, 4), 1);
		CHECK_MEM(d[0].data, d[0].len, v242, i < 2 ? sizeof(v242) : sizeof(v242) - 1);
		head_free(h);
	}
	err_release(&e);
}

/*
 * Many chunks: 3.0's are 2.55's minus exactly the quirk bytes, with the
 * same samples (both cut at 1005 bytes; these chunks stay below it).
 * 300 series of 1 to 700 samples, values of a few bits.
 */
static void test_bstream_same_samples(void)
{
	struct compat v255 = profile("2.55.1"), v30 = profile("3.0.0");
	struct head *h[2] = { head_new(100000000), head_new(100000000) };
	struct err e = ERR_INIT;
	size_t trimmed = 0, total = 0, bad = 0;

	head_set_compat(h[0], &v255);
	head_set_compat(h[1], &v30);
	for (int k = 0; k < 2; k++) {
		srand(7);
		for (int j = 0; j < 300; j++) {
			char v[16];
			struct label ls[2] = { { "__name__", "m" }, { "j", v } };
			int n = 1 + (j * 37) % 700;

			snprintf(v, sizeof(v), "%03d", j);
			for (int i = 0; i < n; i++) {
				double x = (double)(rand() % 64) / 8.0;
				CHECK_EQ_I(head_append(h[k], ls, 2, 1000000 + (int64_t)i * 15000 + rand() % 3, x, &e), 0);
			}
			head_commit(h[k]);
		}
	}
	for (uint32_t j = 0; j < 300; j++) {
		struct head_chunk_iter ia, ib;
		struct chunk_desc a, b;

		head_chunk_iter_init(&ia, h[0], j);
		head_chunk_iter_init(&ib, h[1], j);
		while (head_chunk_iter_next(&ia, &a)) {
			struct xor_iter x, y;
			bool same = head_chunk_iter_next(&ib, &b) && a.mint == b.mint && a.maxt == b.maxt &&
				    (a.len == b.len || (a.len == b.len + 1 && a.data[a.len - 1] == 0)) &&
				    memcmp(a.data, b.data, b.len) == 0;

			if (same) {
				xor_iter_init(&x, a.data, a.len);
				xor_iter_init(&y, b.data, b.len);
				while (xor_iter_next(&x))
					same = same && xor_iter_next(&y) && x.t == y.t && x.v == y.v;
				same = same && !xor_iter_next(&y) && !x.err && !y.err;
				trimmed += a.len - b.len;
			}
			bad += !same;
			total++;
		}
		bad += head_chunk_iter_next(&ib, &b);
	}
	CHECK_EQ_I(bad, 0);
	CHECK(total > 300);
	CHECK(trimmed > 0 && trimmed < total); /* the profile made a difference, not on every chunk */
	head_free(h[0]);
	head_free(h[1]);
	err_release(&e);
}

/*
 * head_append.go appendPreprocessor: from v2.47.0 a chunk over 1005 bytes
 * (MaxBytesPerXORChunk - 19) is cut.  Random values at 1s: ~8.5 bytes a
 * sample, so 2.46's ~120-sample chunks pass 1005 bytes.
 */
static void test_chunk_cut_1005(void)
{
	struct compat v246 = profile("2.46.0"), v247 = profile("2.47.0"), v30 = profile("3.0.0");
	const struct compat *cs[] = { &v246, &v247, &v30 };
	size_t nchunks[3];
	struct err e = ERR_INIT;

	for (int k = 0; k < 3; k++) {
		struct head *h = head_new(14400000);
		struct chunk_desc d[256];
		size_t n, over = 0;

		head_set_compat(h, cs[k]);
		int64_t t = 1600000000000LL;
		srand(11);
		for (int i = 0; i < 4000; i++) {
			t += jitter();
			CHECK_EQ_I(head_append(h, one, 1, t, random_value(), &e), 0);
			if (i % 100 == 99)
				head_commit(h);
		}
		head_commit(h);
		n = chunks_of(h, d, 256);
		for (size_t i = 0; i < n; i++) {
			if (d[i].len > 1005)
				over++;
			if (k > 0)
				CHECK(d[i].len <= 1005 + 19);
		}
		if (k == 0)
			CHECK(over > 0);
		nchunks[k] = n;
		head_free(h);
	}
	CHECK(nchunks[1] > nchunks[0]);
	CHECK_EQ_I(nchunks[2], nchunks[1]);
	err_release(&e);
}

/*
 * 2.47.x checks the size before the order (and Commit's appendable() lets
 * an identical duplicate through), so that duplicate opens a new chunk;
 * v2.48.0 moved the check after the order check ("!chunkCreated &&").
 */
static void test_chunk_cut_duplicate_2_47(void)
{
	struct compat v247 = profile("2.47.2"), v248 = profile("2.48.0");
	const struct compat *cs[] = { &v247, &v248 };
	struct err e = ERR_INIT;

	for (int k = 0; k < 2; k++) {
		struct head *h = head_new(14400000);
		struct chunk_desc d[64];
		int64_t t = 1600000000000LL;
		double v = 0;
		size_t n;

		head_set_compat(h, cs[k]);
		srand(3);
		for (;;) {
			v = random_value();
			CHECK_EQ_I(head_append(h, one, 1, t, v, &e), 0);
			head_commit(h);
			n = chunks_of(h, d, 64);
			if (d[n - 1].len > 1005 || n > 1)
				break;
			t += jitter();
		}
		CHECK_EQ_I(n, 1);
		CHECK_EQ_I(head_append(h, one, 1, t, v, &e), 0); /* identical: no error */
		head_commit(h);
		n = chunks_of(h, d, 64);
		CHECK_EQ_I(n, k == 0 ? 2 : 1);
		if (k == 0 && n == 2) {
			CHECK_EQ_I(d[1].mint, t);
			CHECK_EQ_I(d[1].maxt, t);
			CHECK_EQ_I(xor_chunk_num_samples(d[1].data, d[1].len), 1);
		}
		CHECK_EQ_I(head_num_samples(h), xor_chunk_num_samples(d[0].data, d[0].len) + (k == 0));
		head_free(h);
	}
	err_release(&e);
}

/*
 * computeChunkEndTime in float64 (v2.47.0): int64(float64(start) +
 * float64(max-start)/math.Floor(n)) truncates toward zero, so before 1970
 * the end lands one millisecond later than 2.46's integer division.
 * Start -100000000, 1 ms apart, chunk range 4h: 2.46 ends the first chunk
 * before -99999880 (120 samples), 2.47 before -99999879 (121).
 */
static void test_chunk_end_time_float(void)
{
	struct compat v246 = profile("2.46.0"), v247 = profile("2.47.0");
	const struct compat *cs[] = { &v246, &v247 };
	struct err e = ERR_INIT;

	for (int k = 0; k < 2; k++) {
		struct head *h = head_new(14400000);
		struct chunk_desc d[8];

		head_set_compat(h, cs[k]);
		for (int i = 0; i < 200; i++)
			CHECK_EQ_I(head_append(h, one, 1, -100000000LL + i, 1.0, &e), 0);
		head_commit(h);
		CHECK_EQ_I(chunks_of(h, d, 8), 2);
		CHECK_EQ_I(d[0].maxt, k == 0 ? -99999881 : -99999880);
		CHECK_EQ_I(xor_chunk_num_samples(d[0].data, d[0].len), k == 0 ? 120 : 121);
		head_free(h);
	}
	err_release(&e);
}

static uint64_t toc_at(const struct buf *b, int i)
{
	return get_be64(b->data + b->len - 52 + 8 * i);
}

/*
 * tsdb/index/index.go at v3.7.0 writes neither the label indices nor their
 * offset table: TOC LabelIndices = Postings (end of the series),
 * LabelIndicesTable = PostingsTable; everything else is 2.42's.
 */
static void test_index_no_label_indices(void)
{
	struct label bar[] = { { "__name__", "bar" } };
	struct label foo[] = { { "__name__", "foo_total" }, { "a", "b" } };
	struct chunk_desc d1 = { (const unsigned char *)"", 0, CHUNK_ENC_XOR, 1030000, 1030000, 8 };
	struct chunk_desc d2 = { (const unsigned char *)"", 0, CHUNK_ENC_XOR, 1000000, 1015500, 28 };
	struct index_series is[2] = { { bar, 1, &d1, 1 }, { foo, 2, &d2, 1 } };
	struct buf old = BUF_INIT, new = BUF_INIT;
	struct wio w;
	struct err e = ERR_INIT;

	wio_init_mem(&w, &old);
	CHECK_EQ_I(index_write_ex(&w, is, 2, true, &e), 0);
	CHECK_EQ_I(wio_close(&w, &e), 0);
	wio_init_mem(&w, &new);
	CHECK_EQ_I(index_write_ex(&w, is, 2, false, &e), 0);
	CHECK_EQ_I(wio_close(&w, &e), 0);
	CHECK(new.len < old.len);
	/* header, symbols and series unchanged */
	CHECK_MEM(new.data, toc_at(&new, 2), old.data, toc_at(&old, 2));
	CHECK_EQ_U(toc_at(&new, 2), toc_at(&old, 2));
	CHECK_EQ_U(toc_at(&new, 4), toc_at(&new, 2));
	CHECK_EQ_U(toc_at(&new, 3), toc_at(&new, 5));
	CHECK(toc_at(&old, 4) > toc_at(&old, 2));
	/* the postings are 2.42's, moved up by the label indices' size
	 * (each list 4-byte aligned: the TOC points before the padding) */
	{
		uint64_t po = (toc_at(&old, 4) + 3) & ~3ULL, pn = (toc_at(&new, 4) + 3) & ~3ULL;
		CHECK_EQ_U(toc_at(&new, 3) - pn, toc_at(&old, 3) - po);
		CHECK_MEM(new.data + pn, toc_at(&new, 3) - pn, old.data + po, toc_at(&old, 3) - po);
	}
	buf_release(&old);
	buf_release(&new);
	err_release(&e);
}

/* tsdb/block.go BlockStats at v3.6.0: numFloatSamples after numSamples. */
static void test_meta_float_samples(void)
{
	struct block_meta m;
	struct buf a = BUF_INIT, b = BUF_INIT;

	block_meta_init(&m);
	strcpy(m.ulid, "01M8P37HB0JGCRSPGEQRGBXM38");
	m.min_time = 1000000;
	m.max_time = 1030001;
	m.stats.num_samples = 3;
	m.stats.num_float_samples = 3;
	m.stats.num_series = 2;
	m.stats.num_chunks = 2;
	m.compaction_level = 1;
	m.version = 1;
	block_meta_encode_ex(&a, &m, false);
	block_meta_encode_ex(&b, &m, true);
	CHECK_STR(buf_str(&a), "{\n\t\"ulid\": \"01M8P37HB0JGCRSPGEQRGBXM38\",\n\t\"minTime\": 1000000,\n\t\"maxTime\": "
			       "1030001,\n\t\"stats\": {\n\t\t\"numSamples\": 3,\n\t\t\"numSeries\": 2,\n\t\t\"numChunks\": "
			       "2\n\t},\n\t\"compaction\": {\n\t\t\"level\": 1\n\t},\n\t\"version\": 1\n}");
	CHECK_STR(buf_str(&b), "{\n\t\"ulid\": \"01M8P37HB0JGCRSPGEQRGBXM38\",\n\t\"minTime\": 1000000,\n\t\"maxTime\": "
			       "1030001,\n\t\"stats\": {\n\t\t\"numSamples\": 3,\n\t\t\"numFloatSamples\": 3,\n\t\t"
			       "\"numSeries\": 2,\n\t\t\"numChunks\": 2\n\t},\n\t\"compaction\": {\n\t\t\"level\": 1\n\t},\n\t"
			       "\"version\": 1\n}");
	buf_release(&a);
	buf_release(&b);
}

/*
 * log/slog TextHandler through promslog.New (prometheus/common v0.60.1
 * promslog/slog.go: AddSource, source truncated to file:line): the line
 * after the time.
 */
static void test_slog_line(void)
{
	const char *kv[] = { "component", "backfiller", "start", "01 Jan 24 00:00 UTC", "name", "a=b", "x", "",
			     "q", "say \"hi\"\n", "u", "caf\xc3\xa9" };
	struct buf b = BUF_INIT;
	const char *s, *sp;

	bf_slog_line(&b, false, "INFO", "rules.go:61", "new rule importer", kv, 12);
	s = buf_str(&b);
	CHECK(strncmp(s, "time=", 5) == 0);
	sp = strchr(s, ' ');
	CHECK(sp && sp - s == 5 + 29 - (strchr(s, 'Z') && strchr(s, 'Z') < sp ? 5 : 0));
	if (sp)
		CHECK_STR(sp, " level=INFO source=rules.go:61 msg=\"new rule importer\" component=backfiller "
			      "start=\"01 Jan 24 00:00 UTC\" name=\"a=b\" x=\"\" q=\"say \\\"hi\\\"\\n\" u=caf\xc3\xa9\n");
	buf_release(&b);
}

/* promslog v0.61-v0.63 (3.1.0 to 3.4.x) convert the time to UTC; v0.60.1
 * and v0.65+ keep local time. */
static void test_slog_time_zone(void)
{
	struct buf b = BUF_INIT;

	setenv("TZ", "Asia/Kolkata", 1);
	tzset();
	bf_slog_line(&b, false, "INFO", "x.go:1", "m", NULL, 0);
	CHECK(strstr(buf_str(&b), "+05:30 level=INFO") != NULL);
	buf_reset(&b);
	bf_slog_line(&b, true, "INFO", "x.go:1", "m", NULL, 0);
	CHECK(strstr(buf_str(&b), "Z level=INFO") != NULL);
	setenv("TZ", "UTC", 1);
	tzset();
	buf_release(&b);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	RUN(test_offset_hash_worked_example);
	RUN(test_offset_hash_long_paths);
	RUN(test_bstream_quirk_byte);
	RUN(test_bstream_same_samples);
	RUN(test_chunk_cut_1005);
	RUN(test_chunk_cut_duplicate_2_47);
	RUN(test_chunk_end_time_float);
	RUN(test_index_no_label_indices);
	RUN(test_meta_float_samples);
	RUN(test_slog_line);
	RUN(test_slog_time_zone);
	return check_done();
}
