/*
 * Unit tests for the TSDB reader: the v1 index fixture, WAL fragment
 * reassembly (plain and snappy, across pages), corruption errors, selector
 * parsing and the querier's merge of overlapping sources.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
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
#include "3-tsdb/selector_reader.h"
#include "3-tsdb/wal_reader.h"

/* The conformance dir: $CONFORMANCE, as for test_promql_conformance, or
 * ../shared/conformance (right for the main checkout, not for worktrees). */
static const char *conf_dir(void)
{
	const char *dir = getenv("CONFORMANCE");

	return dir ? dir : "../shared/conformance";
}

static void test_index_v1(void)
{
	struct tsdb_block b;
	struct err e = ERR_INIT;
	struct index_postings all, p;
	struct index_series s;
	size_t n;
	const struct index_postings_entry *vals;

	char *v1 = xasprintf("%s/tsdb-v2.42/index_format_v1", conf_dir());
	int r;

	index_series_init(&s);
	r = tsdb_block_open(&b, v1, &e);
	free(v1);
	if (r < 0) {
		fprintf(stderr, "%s\n", err_msg(&e));
		CHECK(0);
		err_release(&e);
		return;
	}
	CHECK_EQ_I(b.ix.version, 1);
	CHECK_STR(b.meta.ulid, "01DXXFZDYD1MQW6079WK0K6EDQ");
	CHECK_EQ_I(b.ix.nnames, 2);
	vals = index_reader_label_values(&b.ix, "bar", &n);
	CHECK_EQ_I(n, 100);
	CHECK(vals && !strcmp(vals[0].value, "0"));
	CHECK_EQ_I(index_reader_postings(&b.ix, "", "", &all, &e), 0);
	CHECK_EQ_I(all.n, 102);
	CHECK_EQ_I(index_reader_postings(&b.ix, "bar", "42", &p, &e), 0);
	CHECK_EQ_I(p.n, 1);
	CHECK_EQ_I(index_reader_series(&b.ix, index_postings_at(&p, 0), &s, &e), 0);
	CHECK_EQ_I(s.nlbls, 1);
	CHECK_STR(s.lbls[0].value, "42");
	CHECK_EQ_I(s.nchks, 1);
	CHECK_EQ_I(index_reader_postings(&b.ix, "bar", "nope", &p, &e), 0);
	CHECK_EQ_I(p.n, 0);
	index_series_release(&s);
	tsdb_block_release(&b);
	err_release(&e);
}

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

static void test_selector(void)
{
	struct tsdb_selector s;
	struct err e = ERR_INIT;

	CHECK_EQ_I(tsdb_selector_parse(&s, "up{job=\"a\\\"b\", instance!~'x.*',  le=`\\n`}", &e), 0);
	CHECK_EQ_I(s.n, 4);
	CHECK_STR(s.m[0].name, "__name__");
	CHECK_STR(s.m[0].value, "up");
	CHECK_STR(s.m[1].value, "a\"b");
	CHECK_EQ_I(s.m[2].type, LABEL_MATCH_NOT_REGEXP);
	CHECK_STR(s.m[3].value, "\\n");
	CHECK(tsdb_matcher_matches(&s.m[2], "y") && !tsdb_matcher_matches(&s.m[2], "xyz"));
	tsdb_selector_release(&s);

	/* fully anchored, and $ does not match before a final newline */
	CHECK_EQ_I(tsdb_selector_parse(&s, "{a=~\"b|c\"}", &e), 0);
	CHECK(tsdb_matcher_matches(&s.m[0], "b"));
	CHECK(!tsdb_matcher_matches(&s.m[0], "bc"));
	CHECK(!tsdb_matcher_matches(&s.m[0], "b\n"));
	tsdb_selector_release(&s);
	CHECK_EQ_I(tsdb_selector_parse(&s, "{__name__=~'(?s:.*)'}", &e), 0);
	CHECK(tsdb_matcher_matches(&s.m[0], "a\nb"));
	tsdb_selector_release(&s);

	CHECK_EQ_I(tsdb_selector_parse(&s, "{a=~\"(\"}", &e), -1);
	CHECK(strncmp(err_msg(&e), "1:2: parse error: error parsing regexp", 38) == 0);
	tsdb_selector_release(&s);
	err_release(&e);
	CHECK_EQ_I(tsdb_selector_parse(&s, "{a=\"b\"", &e), -1);
	CHECK_STR(err_msg(&e), "1:7: parse error: unexpected end of input inside braces");
	tsdb_selector_release(&s);
	err_release(&e);
	CHECK_EQ_I(tsdb_selector_parse(&s, "a b", &e), -1);
	CHECK_STR(err_msg(&e), "1:3: parse error: unexpected identifier \"b\"");
	tsdb_selector_release(&s);
	err_release(&e);
	/* 2.42 parses "{}" and then selects nothing */
	CHECK_EQ_I(tsdb_selector_parse(&s, "{}", &e), 0);
	CHECK_EQ_I(s.n, 0);
	tsdb_selector_release(&s);
}

/* The v1 block through the querier: matchers, time range, labels order. */
static void test_query_v1(void)
{
	struct tsdb_db db;
	struct tsdb_series_set *set = NULL;
	struct tsdb_selector sel;
	struct err e = ERR_INIT;
	int64_t t;
	double v;
	size_t nser = 0, nsamp = 0, nl;
	char *dir = xasprintf("%s/tsdb-v2.42", conf_dir());
	char *v1 = xasprintf("%s/index_format_v1", dir);

	CHECK_EQ_I(tsdb_db_open_blocks(&db, dir, &e), 0);
	/* the conformance dir holds the block under another name: no blocks */
	CHECK_EQ_I(db.nblocks, 0);
	tsdb_db_release(&db);

	CHECK_EQ_I(tsdb_selector_parse(&sel, "{bar=~\"1.\"}", &e), 0);
	tsdb_db_init(&db);
	db.nblocks = 1;
	db.blocks = xcalloc(1, sizeof(*db.blocks));
	CHECK_EQ_I(tsdb_block_open(&db.blocks[0], v1, &e), 0);
	CHECK_EQ_I(tsdb_db_select(&db, sel.m, sel.n, 0, 7200000, &set, &e), 0);
	while (tsdb_series_set_next(set, &e) > 0) {
		const struct label *ls = tsdb_series_set_labels(set, &nl);
		CHECK_EQ_I(nl, 1);
		CHECK(ls[0].value[0] == '1' && strlen(ls[0].value) == 2);
		nser++;
		while (tsdb_series_set_sample(set, &t, &v, &e) > 0)
			nsamp++;
	}
	CHECK_EQ_I(nser, 10);
	CHECK_EQ_I(nsamp, 10);
	tsdb_series_set_free(set);
	tsdb_selector_release(&sel);
	tsdb_db_release(&db);
	err_release(&e);
	free(dir);
	free(v1);
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
	struct tsdb_selector sel;
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
	CHECK_EQ_I(tsdb_selector_parse(&sel, "m", &e), 0);
	CHECK_EQ_I(tsdb_db_select(&db, sel.m, sel.n, 1, INT64_MAX, &set, &e), 0);
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

	tsdb_selector_release(&sel);
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
	RUN(test_index_v1);
	RUN(test_xor_round_trip);
	RUN(test_wal_fragments);
	RUN(test_index_corruption);
	RUN(test_selector);
	RUN(test_query_v1);
	RUN(test_head_replay);
	return check_done();
}
