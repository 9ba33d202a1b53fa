/*
 * Reading 3.x data dirs (issue 13, item 4): fixtures built here byte by
 * byte from upstream's format docs at v3.14.0 (tsdb/docs/format/wal.md,
 * head_chunks.md, chunks.md) and the encoders of tsdb/record/record.go, then
 * read back through 3-tsdb/db_reader.h.
 *
 *   bin/tests/test_read3x              runs the checks
 *   bin/tests/test_read3x --write KIND DIR
 *                                      writes fixture KIND into DIR (for
 *                                      tests/sh/compat_read3x.sh, which also
 *                                      feeds the 2.42-readable one to the
 *                                      real promtool 2.42)
 *
 * Kinds: "wal242" (record types 1-8, snappy and plain: what 2.42 itself
 * reads), "wal3x" (types 9-13, zstd records), "ooo" and "ooo242" (wbl/
 * and an out-of-order m-mapped chunk), "hblock" (a block with a histogram
 * chunk).
 */
#include <errno.h>
#include <inttypes.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zstd.h>

#include "1-common/buf.h"
#include "1-common/bytes.h"
#include "1-common/crc32c.h"
#include "1-common/err.h"
#include "1-common/xalloc.h"
#include "2-model/matcher.h"
#include "3-tsdb/block_writer.h"
#include "3-tsdb/chunkenc.h"
#include "3-tsdb/db_reader.h"
#include "tests/unit/check.h"

enum comp { PLAIN, SNAPPY, ZSTD };

/* ---- encoders ------------------------------------------------------------ */

static void put_str(struct buf *b, const char *s)
{
	buf_put_uvarint(b, strlen(s));
	buf_adds(b, s);
}

static void put_f64(struct buf *b, double v)
{
	buf_put_be64(b, double_bits(v));
}

/* One WAL record as a full fragment (the fixtures stay within a page). */
static void wal_record(struct buf *seg, const struct buf *rec, enum comp comp)
{
	struct buf out = BUF_INIT;
	unsigned char type = 1;

	if (comp == SNAPPY) {
		size_t n = snappy_max_compressed_length(rec->len);
		buf_grow(&out, n);
		snappy_compress((const char *)rec->data, rec->len, (char *)out.data, &n);
		out.len = n;
		type |= 0x08;
	} else if (comp == ZSTD) {
		size_t n = ZSTD_compressBound(rec->len);
		buf_grow(&out, n);
		out.len = ZSTD_compress(out.data, n, rec->data, rec->len, 1);
		type |= 0x10;
	} else {
		buf_add(&out, rec->data, rec->len);
	}
	buf_addc(seg, type);
	buf_put_be16(seg, (uint16_t)out.len);
	buf_put_be32(seg, crc32c(out.data, out.len));
	buf_add(seg, out.data, out.len);
	buf_release(&out);
}

/* Series record: ref <8b> | #labels | (name, value)... */
static void rec_series(struct buf *r, uint64_t ref, const char *name, const char *extra)
{
	buf_reset(r);
	buf_addc(r, 1);
	buf_put_be64(r, ref);
	buf_put_uvarint(r, extra ? 2 : 1);
	put_str(r, "__name__");
	put_str(r, name);
	if (extra) {
		put_str(r, "job");
		put_str(r, extra);
	}
}

/* Samples (V1) of one series. */
static void rec_samples(struct buf *r, uint64_t ref, const int64_t *t, const double *v, size_t n)
{
	buf_reset(r);
	buf_addc(r, 2);
	buf_put_be64(r, ref);
	buf_put_be64(r, (uint64_t)t[0]);
	for (size_t i = 0; i < n; i++) {
		buf_put_varint(r, 0);
		buf_put_varint(r, t[i] - t[0]);
		put_f64(r, v[i]);
	}
}

/* SamplesV2 (encoder samplesV2): first ref, t, st, value; then deltas. */
static void rec_samples_v2(struct buf *r, uint64_t ref, const int64_t *t, const double *v, size_t n)
{
	buf_reset(r);
	buf_addc(r, 11);
	buf_put_varint(r, (int64_t)ref);
	buf_put_varint(r, t[0]);
	buf_put_varint(r, t[0] - 500); /* a start time */
	put_f64(r, v[0]);
	for (size_t i = 1; i < n; i++) {
		buf_put_varint(r, 0);
		buf_put_varint(r, t[i] - t[0]);
		if (i % 2) {
			buf_addc(r, 2); /* explicit ST */
			buf_put_varint(r, 7);
		} else {
			buf_addc(r, 1); /* same ST */
		}
		put_f64(r, v[i]);
	}
}

/* EncodeHistogram / EncodeFloatHistogram: one span, two buckets. */
static void put_histogram(struct buf *r, bool floats, bool custom)
{
	buf_addc(r, 0);                     /* counter reset hint */
	buf_put_varint(r, custom ? -53 : 0); /* schema */
	put_f64(r, 0.001);                  /* zero threshold */
	if (floats) {
		put_f64(r, 1);
		put_f64(r, 5);
	} else {
		buf_put_uvarint(r, 1);
		buf_put_uvarint(r, 5);
	}
	put_f64(r, 12.5); /* sum */
	buf_put_uvarint(r, 1);
	buf_put_varint(r, 0);
	buf_put_uvarint(r, 2);
	buf_put_uvarint(r, 0);
	buf_put_uvarint(r, 2);
	if (floats) {
		put_f64(r, 3);
		put_f64(r, 1);
	} else {
		buf_put_varint(r, 3);
		buf_put_varint(r, -2);
	}
	buf_put_uvarint(r, 0);
	if (custom) {
		buf_put_uvarint(r, 1);
		put_f64(r, 2.5);
	}
}

/* Histogram samples of one series: types 7-10 (V1) and 12, 13 (V2). */
static void rec_histograms(struct buf *r, int type, uint64_t ref, const int64_t *t, size_t n)
{
	bool v2 = type >= 12, floats = type == 8 || type == 10 || type == 13, custom = type == 9 || type == 10;

	buf_reset(r);
	buf_addc(r, (unsigned char)type);
	if (v2) {
		buf_put_varint(r, (int64_t)ref);
		buf_put_varint(r, t[0]);
		buf_put_varint(r, 0);
	} else {
		buf_put_be64(r, ref);
		buf_put_be64(r, (uint64_t)t[0]);
	}
	for (size_t i = 0; i < n; i++) {
		if (v2 && i > 0) {
			buf_put_varint(r, 0);
			buf_put_varint(r, t[i] - t[0]);
			buf_addc(r, 0); /* no ST */
		} else if (!v2) {
			buf_put_varint(r, 0);
			buf_put_varint(r, t[i] - t[0]);
		}
		put_histogram(r, floats, custom);
	}
}

/* Exemplars, metadata: framing only matters to a float reader. */
static void rec_exemplars(struct buf *r, uint64_t ref, int64_t t)
{
	buf_reset(r);
	buf_addc(r, 4);
	buf_put_be64(r, ref);
	buf_put_be64(r, (uint64_t)t);
	buf_put_varint(r, 0);
	buf_put_varint(r, 0);
	put_f64(r, 0.25);
	buf_put_uvarint(r, 1);
	put_str(r, "trace_id");
	put_str(r, "abc123");
}

static void rec_metadata(struct buf *r, uint64_t ref)
{
	buf_reset(r);
	buf_addc(r, 6);
	buf_put_uvarint(r, ref);
	buf_addc(r, 2); /* gauge */
	buf_put_uvarint(r, 2);
	put_str(r, "UNIT");
	put_str(r, "seconds");
	put_str(r, "HELP");
	put_str(r, "a help text");
}

static void rec_mmap_marker(struct buf *r, uint64_t ref, uint64_t pos)
{
	buf_reset(r);
	buf_addc(r, 5);
	buf_put_be64(r, ref);
	buf_put_be64(r, pos);
}

static int write_file(const char *dir, const char *name, const struct buf *b)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	int ok = f && fwrite(b->data, 1, b->len, f) == b->len;

	if (f)
		ok = fclose(f) == 0 && ok;
	if (!ok)
		fprintf(stderr, "cannot write %s: %s\n", p, strerror(errno));
	free(p);
	return ok ? 0 : -1;
}

static int mkdirs(const char *dir, const char *sub)
{
	char *p = xasprintf("%s/%s", dir, sub);
	int r = mkdir(p, 0777);

	free(p);
	return r < 0 && errno != EEXIST ? -1 : 0;
}

/* ---- fixtures -------------------------------------------------------- */

/*
 * wal242 / wal3x.  Series (refs): 1 a{job="x"} floats; 2 h floats then a
 * histogram then floats (a float reader stops at the histogram); 3 fh only
 * float histograms; 4 b floats through SamplesV2 (3.x) or more V1 (2.42).
 */
static int fixture_wal(const char *dir, bool v3)
{
	struct buf seg = BUF_INIT, r = BUF_INIT;
	int64_t t1[] = { 1000, 2000, 3000 }, th[] = { 2500 }, t2[] = { 3500, 4000 };
	double v1[] = { 1.5, 2, -3e-5 }, v2[] = { 7, 8 };
	int ret;

	if (mkdirs(dir, "") < 0 || mkdirs(dir, "wal") < 0)
		return -1;
	rec_series(&r, 1, "a", "x");
	wal_record(&seg, &r, PLAIN);
	rec_series(&r, 2, "h", NULL);
	wal_record(&seg, &r, v3 ? ZSTD : SNAPPY);
	rec_series(&r, 3, "fh", NULL);
	wal_record(&seg, &r, PLAIN);
	rec_series(&r, 4, "b", NULL);
	wal_record(&seg, &r, PLAIN);
	rec_metadata(&r, 1);
	wal_record(&seg, &r, PLAIN);
	rec_samples(&r, 1, t1, v1, 3);
	wal_record(&seg, &r, v3 ? ZSTD : SNAPPY);
	rec_exemplars(&r, 1, 2000);
	wal_record(&seg, &r, PLAIN);
	rec_samples(&r, 2, t1, v1, 2);
	wal_record(&seg, &r, PLAIN);
	rec_histograms(&r, v3 ? 12 : 7, 2, th, 1);
	wal_record(&seg, &r, v3 ? ZSTD : PLAIN);
	rec_samples(&r, 2, t2, v2, 2);
	wal_record(&seg, &r, PLAIN);
	rec_histograms(&r, v3 ? 10 : 8, 3, t1, 3);
	wal_record(&seg, &r, v3 ? PLAIN : SNAPPY);
	if (v3) {
		rec_histograms(&r, 9, 3, t2, 1);
		wal_record(&seg, &r, ZSTD);
		rec_histograms(&r, 13, 3, (int64_t[]){ 5000 }, 1);
		wal_record(&seg, &r, PLAIN);
		rec_samples_v2(&r, 4, t1, v1, 3);
	} else {
		rec_samples(&r, 4, t1, v1, 3);
	}
	wal_record(&seg, &r, v3 ? ZSTD : PLAIN);
	ret = write_file(dir, "wal/00000000", &seg);
	buf_release(&seg);
	buf_release(&r);
	return ret;
}

/* One chunks_head/ chunk: ref | mint | maxt | encoding | len | data | CRC. */
static uint64_t head_chunk(struct buf *f, uint64_t ref, int64_t mint, int64_t maxt, int enc, const unsigned char *d,
			   size_t n)
{
	uint64_t pos = f->len;

	buf_put_be64(f, ref);
	buf_put_be64(f, (uint64_t)mint);
	buf_put_be64(f, (uint64_t)maxt);
	buf_addc(f, (unsigned char)enc);
	buf_put_uvarint(f, n);
	buf_add(f, d, n);
	buf_put_be32(f, crc32c(f->data + pos, f->len - pos));
	return pos;
}

/*
 * ooo: series 1 a{job="x"} in order at 10s, 20s, 30s (WAL); out of order
 * 5s and 15s m-mapped (chunks_head/000001, encoding 0x81) and also in the
 * WBL before their m-map marker with 7s (all three dropped on replay: the
 * chunk is taken to hold what came before its marker),
 * then 25s (kept), 20s = 99 (the in-order sample wins), 25s = 77 (the first
 * OOO sample at a timestamp wins), and for 3.x 2s as SamplesV2 and the 20s
 * record zstd-compressed ("ooo242" has neither: 2.42 itself reads it).
 */
static int fixture_ooo(const char *dir, bool v3)
{
	struct buf seg = BUF_INIT, r = BUF_INIT, ch = BUF_INIT;
	struct xor_chunk x;
	int64_t tin[] = { 10000, 20000, 30000 }, tooo[] = { 5000, 7000, 15000 }, tdup[] = { 25000, 20000, 25000 };
	double vin[] = { 10, 20, 30 }, vooo[] = { 5, 7, 15 }, vdup[] = { 25, 99, 77 };
	uint64_t pos;
	const unsigned char *xb;
	size_t xl;
	int ret = -1;

	if (mkdirs(dir, "") < 0 || mkdirs(dir, "wal") < 0 || mkdirs(dir, "wbl") < 0 || mkdirs(dir, "chunks_head") < 0)
		return -1;
	rec_series(&r, 1, "a", "x");
	wal_record(&seg, &r, PLAIN);
	rec_samples(&r, 1, tin, vin, 3);
	wal_record(&seg, &r, SNAPPY);
	if (write_file(dir, "wal/00000000", &seg) < 0)
		goto done;
	xor_chunk_init(&x);
	xor_chunk_append(&x, 5000, 5);
	xor_chunk_append(&x, 15000, 15);
	xb = xor_chunk_bytes(&x, &xl);
	buf_put_be32(&ch, 0x0130BC91u);
	buf_addc(&ch, 1);
	buf_add(&ch, "\0\0\0", 3);
	pos = head_chunk(&ch, 1, 5000, 15000, 0x81, xb, xl);
	xor_chunk_release(&x);
	if (write_file(dir, "chunks_head/000001", &ch) < 0)
		goto done;
	buf_reset(&seg);
	rec_samples(&r, 1, tooo, vooo, 3);
	wal_record(&seg, &r, PLAIN);
	rec_mmap_marker(&r, 1, (1ULL << 32) | pos);
	wal_record(&seg, &r, PLAIN);
	for (int i = 0; i < 3; i++) {
		rec_samples(&r, 1, &tdup[i], &vdup[i], 1);
		wal_record(&seg, &r, i == 1 && v3 ? ZSTD : PLAIN);
	}
	if (v3) {
		rec_samples_v2(&r, 1, (int64_t[]){ 2000 }, (double[]){ 2 }, 1);
		wal_record(&seg, &r, PLAIN);
	}
	ret = write_file(dir, "wbl/00000000", &seg);
done:
	buf_release(&seg);
	buf_release(&r);
	buf_release(&ch);
	return ret;
}

/*
 * hblock: a block (ours, 2.42's bytes) whose series h has its second chunk
 * turned into a histogram chunk: encoding byte 2, CRC recomputed (chunks.md:
 * len <uvarint> | encoding <1b> | data | CRC32C(encoding, data)).  Readers
 * of floats never decode it.
 */
static int fixture_hblock(const char *dir)
{
	struct label a[] = { { "__name__", "a" } }, h[] = { { "__name__", "h" } };
	struct block_writer *w = NULL;
	struct block_meta meta;
	struct err e = ERR_INIT;
	struct buf f = BUF_INIT;
	char *path = NULL;
	FILE *fp;
	size_t pos = 8;
	int ret = -1;

	block_meta_init(&meta);
	if (mkdirs(dir, "") < 0 || mkdirs(dir, "wal") < 0 || block_writer_new(&w, dir, 2 * 7200000, &e) < 0)
		goto done;
	for (int i = 0; i < 300; i++) {
		if (i < 10 && block_writer_append(w, a, 1, 1000 + i * 1000, i, &e) < 0)
			goto done;
		if (block_writer_append(w, h, 1, 1000 + i * 1000, 2 * i, &e) < 0)
			goto done;
	}
	if (block_writer_commit(w, &e) < 0 || block_writer_flush(w, &meta, &e) != 0)
		goto done;
	path = xasprintf("%s/%s/chunks/000001", dir, meta.ulid);
	fp = fopen(path, "r+b");
	if (!fp)
		goto done;
	buf_grow(&f, 1 << 16);
	f.len = fread(f.data, 1, 1 << 16, fp);
	for (int k = 0; k < 3 && pos < f.len; k++) {
		uint64_t n = 0;
		int vn = get_uvarint(f.data + pos, f.len - pos, &n);
		size_t at = pos + (size_t)(vn > 0 ? vn : 0);

		if (vn <= 0 || n > f.len - at - 5)
			break;

		if (k == 2) { /* a's chunk, h's first, h's second */
			f.data[at] = 2;
			put_be32(f.data + at + 1 + n, crc32c(f.data + at, 1 + n));
		}
		pos = at + 1 + n + 4;
	}
	ret = fseek(fp, 0, SEEK_SET) == 0 && fwrite(f.data, 1, f.len, fp) == f.len ? 0 : -1;
	ret = fclose(fp) == 0 ? ret : -1;
done:
	if (ret < 0)
		fprintf(stderr, "hblock: %s\n", err_msg(&e));
	block_writer_free(w);
	block_meta_release(&meta);
	buf_release(&f);
	free(path);
	err_release(&e);
	return ret;
}

static int write_fixture(const char *kind, const char *dir)
{
	if (!strcmp(kind, "hblock"))
		return fixture_hblock(dir);
	if (!strcmp(kind, "wal242"))
		return fixture_wal(dir, false);
	if (!strcmp(kind, "wal3x"))
		return fixture_wal(dir, true);
	if (!strcmp(kind, "ooo"))
		return fixture_ooo(dir, true);
	if (!strcmp(kind, "ooo242"))
		return fixture_ooo(dir, false);
	fprintf(stderr, "unknown fixture %s\n", kind);
	return -1;
}

/* ---- reading back ---------------------------------------------------- */

/* Every series as "labels t:v t:v ... [H]" (H: stopped at a histogram). */
static void dump_db(const char *dir, struct buf *out)
{
	struct tsdb_db db;
	struct tsdb_series_set *set = NULL;
	struct label_matcher m = { LABEL_MATCH_NOT_EQUAL, "__name__", "", 0, NULL };
	struct err e = ERR_INIT;

	tsdb_db_init(&db);
	if (tsdb_db_open(&db, dir, INT64_MAX, &e) < 0 || tsdb_db_select(&db, &m, 1, INT64_MIN, INT64_MAX, &set, &e) < 0) {
		buf_addf(out, "error: %s", err_msg(&e));
		goto done;
	}
	while (tsdb_series_set_next(set, &e) > 0) {
		size_t n;
		const struct label *ls = tsdb_series_set_labels(set, &n);
		int64_t t;
		double v;

		labels_format(out, ls, n);
		while (tsdb_series_set_sample(set, &t, &v, &e) > 0)
			buf_addf(out, " %" PRId64 ":%g", t, v);
		if (tsdb_series_set_histograms(set))
			buf_adds(out, " H");
		buf_addc(out, '\n');
	}
done:
	tsdb_series_set_free(set);
	tsdb_db_release(&db);
	err_release(&e);
}

static char *fixture(const char *kind)
{
	char *dir = xasprintf("%s/test_read3x.%s.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", kind);

	if (!mkdtemp(dir) || write_fixture(kind, dir) < 0) {
		CHECK(!"fixture written");
		return dir;
	}
	return dir;
}

static void cleanup(char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	CHECK_EQ_I(system(cmd), 0);
	free(cmd);
	free(dir);
}

static void test_wal_types_2_42(void)
{
	char *dir = fixture("wal242");
	struct buf out = BUF_INIT;

	dump_db(dir, &out);
	CHECK_STR(buf_str(&out), "{__name__=\"a\", job=\"x\"} 1000:1.5 2000:2 3000:-3e-05\n"
				 "{__name__=\"b\"} 1000:1.5 2000:2 3000:-3e-05\n"
				 "{__name__=\"fh\"} H\n"
				 "{__name__=\"h\"} 1000:1.5 2000:2 H\n");
	buf_release(&out);
	cleanup(dir);
}

/* Types 9-13 and zstd: the same answers. */
static void test_wal_types_3x(void)
{
	char *dir = fixture("wal3x");
	struct buf out = BUF_INIT;

	dump_db(dir, &out);
	CHECK_STR(buf_str(&out), "{__name__=\"a\", job=\"x\"} 1000:1.5 2000:2 3000:-3e-05\n"
				 "{__name__=\"b\"} 1000:1.5 2000:2 3000:-3e-05\n"
				 "{__name__=\"fh\"} H\n"
				 "{__name__=\"h\"} 1000:1.5 2000:2 H\n");
	buf_release(&out);
	cleanup(dir);
}

static void test_ooo(void)
{
	char *dir = fixture("ooo"), *d242 = fixture("ooo242");
	struct buf out = BUF_INIT;

	dump_db(dir, &out);
	CHECK_STR(buf_str(&out), "{__name__=\"a\", job=\"x\"} 2000:2 5000:5 10000:10 15000:15 20000:20 25000:25 30000:30\n");
	buf_reset(&out);
	dump_db(d242, &out);
	CHECK_STR(buf_str(&out), "{__name__=\"a\", job=\"x\"} 5000:5 10000:10 15000:15 20000:20 25000:25 30000:30\n");
	buf_release(&out);
	cleanup(dir);
	cleanup(d242);
}

/* h's floats end where its second chunk, now a histogram one, starts. */
static void test_histogram_chunk(void)
{
	char *dir = fixture("hblock");
	struct buf out = BUF_INIT, want = BUF_INIT;
	const char *h;
	int n = 0;

	dump_db(dir, &out);
	buf_adds(&want, "{__name__=\"a\"}");
	for (int i = 0; i < 10; i++)
		buf_addf(&want, " %d:%d", 1000 + i * 1000, i);
	buf_adds(&want, "\n{__name__=\"h\"}");
	h = strstr(buf_str(&out), "\n{__name__=\"h\"}");
	CHECK(h != NULL);
	for (const char *p = h ? strchr(h + 1, ' ') : NULL; p && p[1] != 'H'; p = strchr(p + 1, ' '))
		n++;
	CHECK(n > 60 && n < 240); /* one chunk's worth */
	for (int i = 0; i < n; i++)
		buf_addf(&want, " %d:%d", 1000 + i * 1000, 2 * i);
	buf_adds(&want, " H\n");
	CHECK_STR(buf_str(&out), buf_str(&want));
	buf_release(&out);
	buf_release(&want);
	cleanup(dir);
}

/* A corrupt histogram record is an error, not silently skipped data. */
static void test_corrupt_histogram_record(void)
{
	char *dir = fixture("wal3x");
	char *p = xasprintf("%s/wal/00000000", dir);
	struct buf seg = BUF_INIT, r = BUF_INIT, out = BUF_INIT;

	rec_series(&r, 9, "z", NULL);
	wal_record(&seg, &r, PLAIN);
	rec_histograms(&r, 7, 9, (int64_t[]){ 1 }, 1);
	r.len -= 3; /* cut into the last bucket count */
	wal_record(&seg, &r, PLAIN);
	{
		FILE *f = fopen(p, "ab");
		CHECK(f && fwrite(seg.data, 1, seg.len, f) == seg.len);
		if (f)
			fclose(f);
	}
	dump_db(dir, &out);
	CHECK(strstr(buf_str(&out), "decode histograms") != NULL);
	buf_release(&seg);
	buf_release(&r);
	buf_release(&out);
	free(p);
	cleanup(dir);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--write"))
		return write_fixture(argv[2], argv[3]) < 0;
	RUN(test_wal_types_2_42);
	RUN(test_wal_types_3x);
	RUN(test_ooo);
	RUN(test_histogram_chunk);
	RUN(test_corrupt_histogram_record);
	return check_done();
}
