/*
 * Unit tests for the TSDB reader: XOR chunk round trips, WAL fragment
 * reassembly (plain and snappy, across pages), corruption errors, selector
 * parsing and the querier's merge of overlapping sources.  Upstream's
 * v1-index block is read by tests/conformance/test_tsdb_v1.c.
 */
#include <math.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "1-common/buf.h"
#include "1-common/bytes.h"
#include "1-common/crc32c.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "tests/unit/check.h"
#include "3-tsdb/block_reader.h"
#include "3-tsdb/chunkenc.h"
#include "3-tsdb/db_reader.h"
#include "3-tsdb/index_reader.h"
#include "3-tsdb/wal_reader.h"
#include "4-promql/ast.h"
#include "4-promql/promql.h"

static void put_fragment(struct buf *seg, int type, const void *data, size_t len)
{
	unsigned char hdr[7];
	hdr[0] = (unsigned char)type;
	put_be16(hdr + 1, (uint16_t)len);
	put_be32(hdr + 3, crc32c(data, len));
	buf_add(seg, hdr, 7);
	buf_add(seg, data, len);
}

static void pad_page(struct buf *seg)
{
	while (seg->len % WAL_PAGE_SIZE)
		buf_addc(seg, 0);
}

static void test_wal_fragments(void)
{
	struct buf seg = BUF_INIT;
	struct wal_reader r;
	struct err e = ERR_INIT;
	const unsigned char *rec;
	size_t len, clen;
	char big[40000], comp[50000];

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + i / 300);
	put_fragment(&seg, 1, "abc", 3);
	/* a record split over a page boundary: first, middle, last */
	put_fragment(&seg, 2, big, 20000);
	pad_page(&seg);
	put_fragment(&seg, 3, big + 20000, 10000);
	put_fragment(&seg, 4, big + 30000, 10000);
	/* a snappy-compressed full record */
	clen = sizeof(comp);
	CHECK_EQ_I(snappy_compress(big, 5000, comp, &clen), SNAPPY_OK);
	put_fragment(&seg, 1 | 8, comp, clen);

	wal_reader_init(&r, seg.data, seg.len, "seg");
	CHECK_EQ_I(wal_reader_next(&r, &rec, &len, &e), 1);
	CHECK_MEM(rec, len, "abc", 3);
	CHECK_EQ_I(wal_reader_next(&r, &rec, &len, &e), 1);
	CHECK_MEM(rec, len, big, sizeof(big));
	CHECK_EQ_I(wal_reader_next(&r, &rec, &len, &e), 1);
	CHECK_MEM(rec, len, big, 5000);
	CHECK_EQ_I(wal_reader_next(&r, &rec, &len, &e), 0);
	wal_reader_release(&r);

	/* a flipped data byte: the CRC names the fragment's offset */
	seg.data[8] ^= 1;
	wal_reader_init(&r, seg.data, seg.len, "seg");
	CHECK_EQ_I(wal_reader_next(&r, &rec, &len, &e), -1);
	CHECK(strstr(err_msg(&e), "seg: record at offset 0: unexpected checksum") != NULL);
	wal_reader_release(&r);
	err_release(&e);
	seg.data[8] ^= 1;

	/* a last fragment with no first */
	seg.data[10] = 4;
	wal_reader_init(&r, seg.data, seg.len, "seg");
	CHECK_EQ_I(wal_reader_next(&r, &rec, &len, &e), 1);
	CHECK_EQ_I(wal_reader_next(&r, &rec, &len, &e), -1);
	CHECK(strstr(err_msg(&e), "unexpected last record") != NULL);
	wal_reader_release(&r);
	err_release(&e);
	buf_release(&seg);
}

static void test_index_corruption(void)
{
	struct index_reader r;
	struct err e = ERR_INIT;
	unsigned char bad[64] = { 0xba, 0xaa, 0xd7, 0x01, 0x02 };

	CHECK_EQ_I(index_reader_open_mem(&r, bad, sizeof(bad), "idx", &e), -1);
	CHECK_STR(err_msg(&e), "idx: invalid magic number baaad701");
	index_reader_release(&r);
	err_release(&e);
	bad[3] = 0x00;
	CHECK_EQ_I(index_reader_open_mem(&r, bad, sizeof(bad), "idx", &e), -1);
	CHECK_STR(err_msg(&e), "idx: read TOC at offset 12: invalid checksum");
	index_reader_release(&r);
	err_release(&e);
	CHECK_EQ_I(index_reader_open_mem(&r, bad, 10, "idx", &e), -1);
	CHECK_STR(err_msg(&e), "idx: file too short for an index (10 bytes)");
	index_reader_release(&r);
	err_release(&e);
}

/* --match selectors (parser.ParseMetricSelector) as the querier matches them. */
static struct promql_expr *selector(const char *s, struct err *e)
{
	struct promql_expr *x = NULL;

	promql_parse_metric_selector(&x, s, strlen(s), e);
	return x;
}

static const struct label_matcher *matchers(const struct promql_expr *x, size_t *n)
{
	*n = x ? promql_expr_root(x)->u.vector.nmatchers : 0;
	return x ? promql_expr_root(x)->u.vector.matchers : NULL;
}

static void test_selector(void)
{
	struct promql_expr *x;
	const struct label_matcher *m;
	struct err e = ERR_INIT;
	size_t n;

	x = selector("up{job=\"a\\\"b\", instance!~'x.*',  le=`\\n`}", &e);
	m = matchers(x, &n);
	CHECK_EQ_I(n, 4);
	if (n == 4) {
		CHECK_STR(m[3].name, "__name__"); /* assembleVectorSelector appends it */
		CHECK_STR(m[3].value, "up");
		CHECK_STR(m[0].value, "a\"b");
		CHECK_EQ_I(m[1].type, LABEL_MATCH_NOT_REGEXP);
		CHECK_STR(m[2].value, "\\n");
		CHECK(tsdb_matcher_matches(&m[1], "y") && !tsdb_matcher_matches(&m[1], "xyz"));
	}
	promql_expr_free(x);

	/* fully anchored, and $ does not match before a final newline */
	x = selector("{a=~\"b|c\"}", &e);
	m = matchers(x, &n);
	CHECK(n == 1 && tsdb_matcher_matches(&m[0], "b"));
	CHECK(n == 1 && !tsdb_matcher_matches(&m[0], "bc"));
	CHECK(n == 1 && !tsdb_matcher_matches(&m[0], "b\n"));
	promql_expr_free(x);
	x = selector("{__name__=~'(?s:.*)'}", &e);
	m = matchers(x, &n);
	CHECK(n == 1 && tsdb_matcher_matches(&m[0], "a\nb"));
	promql_expr_free(x);

	CHECK(!selector("{a=~\"(\"}", &e));
	CHECK(strncmp(err_msg(&e), "1:2: parse error: error parsing regexp", 38) == 0);
	err_release(&e);
	CHECK(!selector("x + y", &e));
	CHECK_STR(err_msg(&e), "1:3: parse error: unexpected <op:+>");
	err_release(&e);
	/* 2.42 parses "{}" and then selects nothing */
	x = selector("{}", &e);
	CHECK(x != NULL);
	matchers(x, &n);
	CHECK_EQ_I(n, 0);
	promql_expr_free(x);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ_U(fwrite(data, 1, len, f), len);
	fclose(f);
}

/*
 * A head rebuilt from an m-mapped chunk (t 1..5) and WAL samples (t 1..10,
 * other values): the chunk's samples win up to its maxTime, a tombstone
 * hides 7..8, samples of an unknown ref and before minValidTime vanish.
 */
static void test_head_replay(void)
{
	char dir[] = "/tmp/tsdb_reader_head_XXXXXX";
	struct buf seg = BUF_INIT, rec = BUF_INIT, hc = BUF_INIT;
	struct xor_chunk xc;
	const unsigned char *cb;
	size_t clen, start, nl;
	struct tsdb_db db;
	struct tsdb_series_set *set = NULL;
	struct promql_expr *sel = NULL;
	const struct label_matcher *sm;
	size_t nsm;
	struct err e = ERR_INIT;
	int64_t t, ts[16];
	double v, vs[16];
	size_t n = 0;
	char *p;

	CHECK(mkdtemp(dir) != NULL);
	p = xasprintf("%s/wal", dir);
	mkdir(p, 0777);
	free(p);
	p = xasprintf("%s/chunks_head", dir);
	mkdir(p, 0777);
	free(p);

	/* chunks_head/000001: one XOR chunk of series 1, t 1..5 = 100+t */
	xor_chunk_init(&xc);
	for (int i = 1; i <= 5; i++)
		xor_chunk_append(&xc, i, 100 + i);
	cb = xor_chunk_bytes(&xc, &clen);
	buf_put_be32(&hc, HEAD_CHUNKS_MAGIC);
	buf_addc(&hc, 1);
	buf_add(&hc, "\0\0\0", 3);
	start = hc.len;
	buf_put_be64(&hc, 1);
	buf_put_be64(&hc, 1);
	buf_put_be64(&hc, 5);
	buf_addc(&hc, 1);
	buf_put_uvarint(&hc, clen);
	buf_add(&hc, cb, clen);
	buf_put_be32(&hc, crc32c(hc.data + start, hc.len - start));
	p = xasprintf("%s/chunks_head/000001", dir);
	write_file(p, hc.data, hc.len);
	free(p);

	/* wal/00000000: series 1 {__name__="m"}, samples t 0..10 = t, a sample
	 * of unknown ref 9, a tombstone over 7..8 */
	buf_addc(&rec, 1);
	buf_put_be64(&rec, 1);
	buf_put_uvarint(&rec, 1);
	buf_put_uvarint(&rec, 8);
	buf_adds(&rec, "__name__");
	buf_put_uvarint(&rec, 1);
	buf_adds(&rec, "m");
	put_fragment(&seg, 1, rec.data, rec.len);
	buf_reset(&rec);
	buf_addc(&rec, 2);
	buf_put_be64(&rec, 1);
	buf_put_be64(&rec, 0);
	for (int i = 0; i <= 10; i++) {
		buf_put_varint(&rec, 0);
		buf_put_varint(&rec, i);
		buf_put_be64(&rec, double_bits((double)i));
	}
	buf_put_varint(&rec, 8);
	buf_put_varint(&rec, 3);
	buf_put_be64(&rec, double_bits(42));
	put_fragment(&seg, 1, rec.data, rec.len);
	buf_reset(&rec);
	buf_addc(&rec, 3);
	buf_put_be64(&rec, 1);
	buf_put_varint(&rec, 7);
	buf_put_varint(&rec, 8);
	put_fragment(&seg, 1, rec.data, rec.len);
	p = xasprintf("%s/wal/00000000", dir);
	write_file(p, seg.data, seg.len);
	free(p);

	CHECK_EQ_I(tsdb_db_open(&db, dir, INT64_MAX, &e), 0);
	CHECK_EQ_I(db.head.nseries, 1);
	CHECK_EQ_I(db.head.mint, 1);
	CHECK_EQ_I(db.head.maxt, 10);
	sel = selector("m", &e);
	sm = matchers(sel, &nsm);
	CHECK_EQ_I(tsdb_db_select(&db, sm, nsm, 1, INT64_MAX, &set, &e), 0);
	CHECK_EQ_I(tsdb_series_set_next(set, &e), 1);
	(void)tsdb_series_set_labels(set, &nl);
	CHECK_EQ_I(nl, 1);
	while (n < 16 && tsdb_series_set_sample(set, &t, &v, &e) > 0) {
		ts[n] = t;
		vs[n++] = v;
	}
	CHECK_EQ_I(n, 8);
	if (n == 8) {
		static const int64_t wt[] = { 1, 2, 3, 4, 5, 6, 9, 10 };
		static const double wv[] = { 101, 102, 103, 104, 105, 6, 9, 10 };
		for (size_t i = 0; i < n; i++) {
			CHECK_EQ_I(ts[i], wt[i]);
			CHECK(vs[i] == wv[i]);
		}
	}
	CHECK_EQ_I(tsdb_series_set_next(set, &e), 0);
	tsdb_series_set_free(set);
	tsdb_db_release(&db);

	/* minValidTime 6: the chunk (maxt 5) and samples before 6 go */
	CHECK_EQ_I(tsdb_head_load(&db.head, dir, 6, &e), 0);
	CHECK_EQ_I(db.head.nseries, 1);
	CHECK_EQ_I(db.head.series[0].nmm, 0);
	CHECK_EQ_I(db.head.series[0].n, 5);
	CHECK_EQ_I(db.head.mint, 6);
	tsdb_head_release(&db.head);

	promql_expr_free(sel);
	xor_chunk_release(&xc);
	buf_release(&seg);
	buf_release(&rec);
	buf_release(&hc);
	err_release(&e);
	p = xasprintf("rm -rf '%s'", dir);
	CHECK_EQ_I(system(p), 0);
	free(p);
}

/*
 * A chunk whose time deltas sum past INT64_MAX (valid CRC, found by the
 * fuzzer): Go's iterator wraps (uint64(int64(tDelta) + dod)); so do we,
 * with no signed overflow on the way (UBSan in make fuzz builds).
 */
static void test_xor_wrapping_deltas(void)
{
	static const unsigned char chunk[] = {
		0x00, 0x03,                                     /* 3 samples */
		0x00,                                           /* t0 = 0 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* v0 = 0 */
		/* tdelta 2^62, same value, then dod 2^62 (1111 + 64 bits), same value */
		0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x7a,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct xor_iter it;
	int64_t want[] = { 0, INT64_C(1) << 62, -(INT64_C(1) << 62) };
	int n = 0;

	xor_iter_init(&it, chunk, sizeof(chunk));
	while (xor_iter_next(&it)) {
		if (n < 3)
			CHECK_EQ_I(it.t, want[n]);
		n++;
	}
	CHECK_EQ_I(n, 3);
	CHECK(!it.err);
}

/*
 * XOR chunks through the writer and back: timestamps with every
 * delta-of-delta width (and 64-bit ones), values that repeat, reuse the
 * previous bit window or need a new one, 64 significant bits.  Every
 * truncation of a chunk gives a prefix of the samples (all of them when
 * only padding was cut), reading nothing past its end (the copy is exactly
 * that long, for SANITIZE=address builds).
 */
static void test_xor_round_trip(void)
{
	static const int64_t dods[] = { 0, 1, -1, 8191, -8191, 8192, 65535, -65536, 524287, -524288,
					524289, INT64_C(1) << 40, -(INT64_C(1) << 41) };
	uint64_t x = 0x9E3779B97F4A7C15ull;
	int bad = 0;

	for (int round = 0; round < 300 && !bad; round++) {
		struct xor_chunk c;
		int64_t ts[120], delta = 15000, t = -5000000 + round;
		double vs[120];
		int n = 1 + round % 120;
		const unsigned char *b;
		size_t len;

		xor_chunk_init(&c);
		for (int i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (i >= 2)
				delta += dods[x % (sizeof(dods) / sizeof(dods[0]))];
			if (delta < 1)
				delta = 1;
			t += i ? delta : 0;
			ts[i] = t;
			switch (x >> 60 & 3) {
			case 0: vs[i] = i ? vs[i - 1] : 1; break;
			case 1: vs[i] = (double)(x >> 40); break;
			case 2: vs[i] = bits_double(x); break;
			default: vs[i] = i ? vs[i - 1] + 0.25 : -3; break;
			}
			if (isnan(vs[i]))
				vs[i] = 7;
			xor_chunk_append(&c, ts[i], vs[i]);
		}
		b = xor_chunk_bytes(&c, &len);
		for (size_t cut = 0; cut <= len && !bad; cut++) {
			/* a copy of exactly cut bytes, so reading past it shows */
			unsigned char *cp = xmalloc(cut ? cut : 1);
			struct xor_iter it;
			int k = 0;

			memcpy(cp, b, cut);
			xor_iter_init(&it, cp, cut);
			while (xor_iter_next(&it)) {
				if (k >= n || it.t != ts[k] || double_bits(xor_iter_value(&it)) != double_bits(vs[k]))
					bad = 1;
				k++;
			}
			if (cut == len && (it.err || k != n))
				bad = 1;
			if (cut < 2 && (k || !it.err))
				bad = 1;
			free(cp);
		}
		xor_chunk_release(&c);
	}
	CHECK_EQ_I(bad, 0);
}

int main(void)
{
	RUN(test_xor_round_trip);
	RUN(test_xor_wrapping_deltas);
	RUN(test_wal_fragments);
	RUN(test_index_corruption);
	RUN(test_selector);
	RUN(test_head_replay);
	return check_done();
}
