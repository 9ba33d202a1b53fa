/*
 * 3.14's chunk encodings 4-6 (issue 13, item 4): XOR2 float chunks decoded
 * by 3-tsdb/chunkenc_xor2.c, the histogram ST chunks (5, 6) left out by the
 * float readers as 2 and 3 are.  The encoder below follows
 * tsdb/chunkenc/xor2.go's xor2Appender at v3.14.0 bit for bit (the fast
 * paths there write the same bits as the general ones: checked case by
 * case), and two chunks are pinned by bytes derived by hand from that file.
 *
 *   bin/tests/test_read_xor2                  runs the checks
 *   bin/tests/test_read_xor2 --write KIND DIR writes fixture KIND into DIR
 *                                             (tests/sh/compat_read_xor2.sh)
 *
 * Kinds: "xor2block" (a block whose chunks were rewritten in place: series
 * x's as XOR2, h's second as encoding 5, fh's only one as encoding 6;
 * chunks.md: len | encoding | data | CRC32C(encoding, data), the XOR2 data
 * zero-padded to the XOR chunk's length, which xor2Iterator never reads
 * past its sample count), "xor2head" (a WAL and an in-order m-mapped head
 * chunk of encoding 4, head_chunks.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/buf.h"
#include "1-common/bytes.h"
#include "1-common/crc32c.h"
#include "1-common/err.h"
#include "1-common/xalloc.h"
#include "2-model/matcher.h"
#include "3-tsdb/block_writer.h"
#include "3-tsdb/chunkenc.h"
#include "3-tsdb/chunkenc_xor2.h"
#include "3-tsdb/db_reader.h"
#include "tests/unit/check.h"

#define STALE 0x7ff0000000000002ULL

/* ---- an XOR2 encoder (xor2Appender) ------------------------------------ */

struct enc {
	struct buf b;
	uint64_t nbits;
	int64_t st, t, st_diff;
	uint64_t v, tdelta;
	uint8_t leading, trailing;
	uint16_t num, st_change;
};

static void enc_init(struct enc *a)
{
	memset(a, 0, sizeof(*a));
	buf_add(&a->b, "\0\0\0", 3);
	a->nbits = 24;
	a->t = INT64_MIN;
	a->leading = 0xff;
}

/* The low n bits of u, most significant first (bstream.writeBits). */
static void put_bits(struct enc *a, uint64_t u, unsigned n)
{
	while (n--) {
		if (a->nbits % 8 == 0)
			buf_addc(&a->b, 0);
		if ((u >> n) & 1)
			a->b.data[a->nbits / 8] |= (unsigned char)(0x80 >> (a->nbits % 8));
		a->nbits++;
	}
}

static void put_uvarint_bits(struct enc *a, uint64_t u)
{
	unsigned char tmp[16];
	struct buf v = BUF_INIT;

	buf_put_uvarint(&v, u);
	memcpy(tmp, v.data, v.len);
	for (size_t i = 0; i < v.len; i++)
		put_bits(a, tmp[i], 8);
	buf_release(&v);
}

static void put_varint_bits(struct enc *a, int64_t x)
{
	put_uvarint_bits(a, (uint64_t)x << 1 ^ (uint64_t)(x >> 63));
}

static bool bit_range(int64_t x, unsigned n)
{
	return -((1LL << (n - 1)) - 1) <= x && x <= 1LL << (n - 1);
}

/* putVarbitInt / putVarbitIntFast (the same bits). */
static void put_varbit_int(struct enc *a, int64_t x)
{
	static const unsigned sz[] = { 3, 6, 9, 12, 18, 25, 56 };

	if (x == 0) {
		put_bits(a, 0, 1);
		return;
	}
	for (unsigned i = 0; i < 7; i++)
		if (bit_range(x, sz[i])) {
			put_bits(a, ((1u << (i + 1)) - 1) << 1, i + 2);
			put_bits(a, (uint64_t)x, sz[i]);
			return;
		}
	put_bits(a, 0xff, 8);
	put_bits(a, (uint64_t)x, 64);
}

/* The window part of writeVDelta / writeVDeltaKnownNonZero; reuse and new are the prefixes. */
static void put_window(struct enc *a, uint64_t delta, uint64_t reuse, unsigned nreuse, uint64_t fresh, unsigned nfresh)
{
	uint8_t lead = (uint8_t)__builtin_clzll(delta), trail = (uint8_t)__builtin_ctzll(delta);

	if (lead >= 32)
		lead = 31;
	if (a->leading != 0xff && lead >= a->leading && trail >= a->trailing) {
		put_bits(a, reuse, nreuse);
		put_bits(a, delta >> a->trailing, 64u - a->leading - a->trailing);
		return;
	}
	a->leading = lead;
	a->trailing = trail;
	put_bits(a, fresh, nfresh);
	put_bits(a, lead, 5);
	put_bits(a, 64u - lead - trail, 6);
	put_bits(a, delta >> trail, 64u - lead - trail);
}

static void put_vdelta(struct enc *a, uint64_t v)
{
	if (v == STALE) {
		put_bits(a, 0x7, 3);
		return;
	}
	if ((v ^ a->v) == 0) {
		put_bits(a, 0, 1);
		return;
	}
	put_window(a, v ^ a->v, 0x2, 2, 0x6, 3);
}

static void encode_joint(struct enc *a, int64_t dod, uint64_t v)
{
	if (dod == 0) {
		if (v == STALE) {
			put_bits(a, 0x1f, 5);
		} else if ((v ^ a->v) == 0) {
			put_bits(a, 0, 1);
		} else {
			put_bits(a, 0x2, 2);
			put_window(a, v ^ a->v, 0, 1, 1, 1);
		}
		return;
	}
	if (dod >= -(1 << 12) && dod <= (1 << 12) - 1) {
		put_bits(a, 0x6, 3);
		put_bits(a, (uint64_t)dod, 13);
	} else if (dod >= -(1 << 19) && dod <= (1 << 19) - 1) {
		put_bits(a, 0xe, 4);
		put_bits(a, (uint64_t)dod, 20);
	} else {
		put_bits(a, 0x1e, 5);
		put_bits(a, (uint64_t)dod, 64);
	}
	if (v == a->v)
		put_bits(a, 0, 1);
	else
		put_vdelta(a, v);
}

static void enc_append(struct enc *a, int64_t st, int64_t t, uint64_t v)
{
	uint64_t tdelta = 0;
	int64_t st_diff = 0;

	if (a->num == 0) {
		put_varint_bits(a, t);
		put_bits(a, v, 64);
		if (st != 0) {
			put_varint_bits(a, t - st);
			a->b.data[2] = 0x80;
		}
	} else if (a->num == 1) {
		tdelta = (uint64_t)(t - a->t);
		put_uvarint_bits(a, tdelta);
		put_vdelta(a, v);
		if (st != a->st) {
			st_diff = a->t - st;
			a->st_change = 1;
			a->b.data[2] |= 1;
			put_varbit_int(a, st_diff);
		}
	} else {
		int64_t dod;

		tdelta = (uint64_t)(t - a->t);
		dod = (int64_t)(tdelta - a->tdelta);
		encode_joint(a, dod, v);
		if (a->st_change) {
			int64_t d = a->t - st;
			put_varbit_int(a, d - a->st_diff);
			st_diff = d;
		} else if (st != a->st || a->num == 0x7f) {
			st_diff = a->t - st;
			a->st_change = a->num;
			a->b.data[2] |= (unsigned char)a->num;
			put_varbit_int(a, st_diff);
		}
		/* the fast path keeps stDiff as it was (0: no change yet) */
	}
	a->st = st;
	a->t = t;
	if (v != STALE)
		a->v = v;
	a->tdelta = tdelta;
	a->st_diff = st_diff;
	a->num++;
	put_be16(a->b.data, a->num);
}

/* ---- known answers ----------------------------------------------------- */

static void decode_all(const struct buf *b, int64_t *t, uint64_t *v, size_t max, size_t *n, bool *err)
{
	struct xor2_iter it;

	*n = 0;
	xor2_iter_init(&it, b->data, b->len);
	while (*n < max && xor2_iter_next(&it)) {
		t[*n] = it.t;
		v[*n] = it.v;
		(*n)++;
	}
	*err = it.err;
}

/* The worked example of 3-tsdb/chunkenc_xor2.c. */
static void test_worked_example(void)
{
	static const unsigned char want[] = { 0x00, 0x03, 0x00, 0xd0, 0x0f, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0,
					      0xe8, 0x07, 0x50, 0x97, 0xff, 0xc0 };
	struct enc a;
	int64_t t[4];
	uint64_t v[4];
	size_t n;
	bool err;

	enc_init(&a);
	enc_append(&a, 0, 1000, double_bits(1.0));
	enc_append(&a, 0, 2000, double_bits(1.0));
	enc_append(&a, 0, 3000, double_bits(2.0));
	CHECK_MEM(a.b.data, a.b.len, want, sizeof(want));
	decode_all(&a.b, t, v, 4, &n, &err);
	CHECK(!err && n == 3 && t[0] == 1000 && t[1] == 2000 && t[2] == 3000);
	CHECK(v[0] == double_bits(1.0) && v[1] == double_bits(1.0) && v[2] == double_bits(2.0));
	buf_release(&a.b);
}

/*
 * Start timestamps (xor2.go): st 500 for t 1000 and 2000, then 1500 at
 * 3000.  Header 0x80 (sample 0 has one: varint 1000 - 500 = e8 07), then
 * the change at sample 2 sets bits 0-6 to 2 and writes 2000 - 1500 = 500
 * as a varbit int "11110" + 12 bits, after the joint "0" (dod 0, same
 * value); sample 1 wrote "0" (same value) and no ST:
 *     00 03 82 d0 0f 3f f0 00.. e8 07 | e8 07 | 0 0 11110 000111110100 -> 3c 3e 80
 */
static void test_start_timestamps(void)
{
	static const unsigned char want[] = { 0x00, 0x03, 0x82, 0xd0, 0x0f, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0,
					      0xe8, 0x07, 0xe8, 0x07, 0x3c, 0x3e, 0x80 };
	struct enc a;
	int64_t t[4];
	uint64_t v[4];
	size_t n;
	bool err;

	enc_init(&a);
	enc_append(&a, 500, 1000, double_bits(1.0));
	enc_append(&a, 500, 2000, double_bits(1.0));
	enc_append(&a, 1500, 3000, double_bits(1.0));
	CHECK_MEM(a.b.data, a.b.len, want, sizeof(want));
	decode_all(&a.b, t, v, 4, &n, &err);
	CHECK(!err && n == 3 && t[2] == 3000 && v[2] == double_bits(1.0));
	buf_release(&a.b);
}

/* A truncated chunk is an error, not fewer samples. */
static void test_truncated(void)
{
	struct enc a;
	int64_t t[8];
	uint64_t v[8];
	size_t n;
	bool err;

	enc_init(&a);
	for (int i = 0; i < 5; i++)
		enc_append(&a, 0, 1000 * i + (i == 3 ? 7 : 0), double_bits(i * 1.5));
	a.b.len -= 2;
	decode_all(&a.b, t, v, 8, &n, &err);
	CHECK(err && n < 5);
	buf_release(&a.b);
}

/*
 * Random chunks through every branch: dods of 0, 13, 20 and 64 bits, equal,
 * changed and stale values, start timestamps absent, constant, changing
 * from sample k (1, later, or forced at 127), and first known.
 */
static void test_round_trip(void)
{
	static int64_t t[200], st[200], gt[200];
	static uint64_t v[200], gv[200];

	srand(5);
	for (int trial = 0; trial < 3000; trial++) {
		int n = 1 + rand() % 200, mode = rand() % 5;
		int64_t tt = (int64_t)(rand() % 100000) - 50000, d = 15000;
		struct enc a;
		size_t got;
		bool err;

		for (int i = 0; i < n; i++) {
			int k = rand() % 10;
			if (k == 1)
				d += rand() % 7 - 3;
			else if (k == 2)
				d += rand() % 300000;
			else if (k == 3)
				d += (int64_t)1 << (30 + rand() % 20);
			else if (k == 4 && d > 5000)
				d -= rand() % 5000;
			tt += i ? d : 0;
			t[i] = tt;
			k = rand() % 8;
			if (i == 0 || k < 3)
				v[i] = k == 0 && i ? STALE : double_bits((double)(rand() % 64) / 4);
			else if (k < 6)
				v[i] = i ? v[i - 1] : double_bits(1);
			else
				v[i] = double_bits((double)rand() * 1e-3 - 1e6);
			st[i] = mode == 0 ? 0
				: mode == 1 ? 42
				: mode == 2 ? (i < n / 2 ? 0 : tt - 100 - rand() % 3)
				: mode == 3 ? (i ? t[i - 1] : 0)
					    : tt - (rand() % 5 ? 1000 : rand());
		}
		enc_init(&a);
		for (int i = 0; i < n; i++)
			enc_append(&a, st[i], t[i], v[i]);
		decode_all(&a.b, gt, gv, 200, &got, &err);
		CHECK(!err);
		CHECK_EQ_I(got, (size_t)n);
		for (int i = 0; i < n && i < (int)got; i++)
			if (gt[i] != t[i] || gv[i] != v[i]) {
				CHECK(!"sample decoded as written");
				fprintf(stderr, "trial %d mode %d sample %d: %" PRId64 " %016" PRIx64 " want %" PRId64
						" %016" PRIx64 "\n",
					trial, mode, i, gt[i], gv[i], t[i], v[i]);
				break;
			}
		buf_release(&a.b);
	}
}

/* ---- fixtures ---------------------------------------------------------- */

static int write_file(const char *path, const struct buf *b)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(b->data, 1, b->len, f) == b->len;

	if (f)
		ok = fclose(f) == 0 && ok;
	if (!ok)
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
	return ok ? 0 : -1;
}

static int mkdirs(const char *dir, const char *sub)
{
	char *p = xasprintf("%s/%s", dir, sub);
	int r = mkdir(p, 0777);

	free(p);
	return r < 0 && errno != EEXIST ? -1 : 0;
}

/* x's values: a step every 10 samples, a stale marker at 250 */
static uint64_t x_value(int i)
{
	return i == 250 ? STALE : double_bits((double)(i / 10) * 0.5);
}

/* Whether an XOR chunk holds x's samples (h's and fh's values are i). */
static bool is_x(const unsigned char *data, size_t n)
{
	struct xor_iter it;
	int k = 0;

	xor_iter_init(&it, data, n);
	while (xor_iter_next(&it)) {
		int i = (int)((it.t - 1000) / 15000);
		if (it.v != x_value(i))
			return false;
		k++;
	}
	return k > 1 && !it.err;
}

/*
 * Rewrites the chunks of the segment in place: x's as XOR2 of the same
 * samples, padded; the first chunk (fh's only one: series come in label
 * order fh, h, x) gets encoding 6, the third (h's second) encoding 5.
 */
static int rewrite_chunks(unsigned char *f, size_t len)
{
	size_t pos = 8;
	int k = 0, nx = 0;

	while (pos < len) {
		uint64_t n = 0;
		int vn = get_uvarint(f + pos, len - pos, &n);
		size_t at = pos + (size_t)(vn > 0 ? vn : 0);
		unsigned char *enc = f + at, *data = f + at + 1;

		if (vn <= 0 || n > len - at - 5)
			break;
		if (*enc != CHUNK_ENC_XOR)
			return -1;
		if (is_x(data, n)) {
			struct xor_iter it;
			struct enc a;

			enc_init(&a);
			xor_iter_init(&it, data, n);
			while (xor_iter_next(&it))
				enc_append(&a, 0, it.t, it.v);
			if (it.err || a.b.len > n) {
				fprintf(stderr, "xor2block: chunk %d: XOR2 %zu bytes, XOR %" PRIu64 "\n", k, a.b.len, n);
				buf_release(&a.b);
				return -1;
			}
			memset(data, 0, n);
			memcpy(data, a.b.data, a.b.len);
			*enc = CHUNK_ENC_XOR2;
			buf_release(&a.b);
			nx++;
		} else if (k == 0) {
			*enc = CHUNK_ENC_FLOAT_HISTOGRAM_ST;
		} else if (k == 2) {
			*enc = CHUNK_ENC_HISTOGRAM_ST;
		}
		put_be32(data + n, crc32c(enc, 1 + n));
		pos = at + 1 + n + 4;
		k++;
	}
	return nx >= 2 && k >= 5 ? 0 : -1;
}

static int fixture_block(const char *dir)
{
	struct label x[] = { { "__name__", "x" } }, h[] = { { "__name__", "h" } }, fh[] = { { "__name__", "fh" } };
	struct block_writer *w = NULL;
	struct block_meta meta;
	struct err e = ERR_INIT;
	struct buf f = BUF_INIT;
	char *path = NULL;
	FILE *fp;
	int ret = -1;

	block_meta_init(&meta);
	if (mkdirs(dir, "") < 0 || mkdirs(dir, "wal") < 0 || block_writer_new(&w, dir, 2 * 7200000, &e) < 0)
		goto done;
	for (int i = 0; i < 400; i++) {
		if (block_writer_append(w, x, 1, 1000 + i * 15000, bits_double(x_value(i)), &e) < 0 ||
		    block_writer_append(w, h, 1, 1000 + i * 15000, i, &e) < 0 ||
		    (i < 20 && block_writer_append(w, fh, 1, 1000 + i * 15000, i, &e) < 0))
			goto done;
	}
	if (block_writer_commit(w, &e) < 0 || block_writer_flush(w, &meta, &e) != 0)
		goto done;
	path = xasprintf("%s/%s/chunks/000001", dir, meta.ulid);
	fp = fopen(path, "rb");
	if (!fp)
		goto done;
	buf_grow(&f, 1 << 16);
	f.len = fread(f.data, 1, 1 << 16, fp);
	fclose(fp);
	if (rewrite_chunks(f.data, f.len) < 0)
		goto done;
	ret = write_file(path, &f);
done:
	if (ret < 0)
		fprintf(stderr, "xor2block: %s\n", err_msg(&e));
	block_writer_free(w);
	block_meta_release(&meta);
	buf_release(&f);
	free(path);
	err_release(&e);
	return ret;
}

/* One WAL record as a full page fragment (type 1: full, uncompressed). */
static void wal_record(struct buf *seg, const struct buf *rec)
{
	buf_addc(seg, 1);
	buf_put_be16(seg, (uint16_t)rec->len);
	buf_put_be32(seg, crc32c(rec->data, rec->len));
	buf_add(seg, rec->data, rec->len);
}

/*
 * xor2head: series 1 a{} in the WAL (record.go: series type 1, samples
 * type 2), its samples 1000-3000 in an m-mapped chunk of encoding 4
 * (head_chunks.md: ref | mint | maxt | encoding | len | data | CRC32C of
 * all before), 4000 and 5000 in the WAL.
 */
static int fixture_head(const char *dir)
{
	struct buf seg = BUF_INIT, r = BUF_INIT, ch = BUF_INIT;
	struct enc a;
	size_t pos;
	char *p = NULL;
	int ret = -1;

	if (mkdirs(dir, "") < 0 || mkdirs(dir, "wal") < 0 || mkdirs(dir, "chunks_head") < 0)
		return -1;
	buf_addc(&r, 1);
	buf_put_be64(&r, 1);
	buf_put_uvarint(&r, 1);
	buf_put_uvarint(&r, 8);
	buf_adds(&r, "__name__");
	buf_put_uvarint(&r, 1);
	buf_adds(&r, "a");
	wal_record(&seg, &r);
	buf_reset(&r);
	buf_addc(&r, 2);
	buf_put_be64(&r, 1);
	buf_put_be64(&r, 4000);
	buf_put_varint(&r, 0);
	buf_put_varint(&r, 0);
	buf_put_be64(&r, double_bits(4));
	buf_put_varint(&r, 0);
	buf_put_varint(&r, 1000);
	buf_put_be64(&r, double_bits(5));
	wal_record(&seg, &r);
	enc_init(&a);
	enc_append(&a, 0, 1000, double_bits(1.0));
	enc_append(&a, 0, 2000, double_bits(1.0));
	enc_append(&a, 0, 3000, double_bits(2.0));
	buf_put_be32(&ch, 0x0130BC91u);
	buf_addc(&ch, 1);
	buf_add(&ch, "\0\0\0", 3);
	pos = ch.len;
	buf_put_be64(&ch, 1);
	buf_put_be64(&ch, 1000);
	buf_put_be64(&ch, 3000);
	buf_addc(&ch, CHUNK_ENC_XOR2);
	buf_put_uvarint(&ch, a.b.len);
	buf_add(&ch, a.b.data, a.b.len);
	buf_put_be32(&ch, crc32c(ch.data + pos, ch.len - pos));
	p = xasprintf("%s/chunks_head/000001", dir);
	if (write_file(p, &ch) < 0)
		goto done;
	free(p);
	p = xasprintf("%s/wal/00000000", dir);
	ret = write_file(p, &seg);
done:
	free(p);
	buf_release(&a.b);
	buf_release(&seg);
	buf_release(&r);
	buf_release(&ch);
	return ret;
}

static int write_fixture(const char *kind, const char *dir)
{
	if (!strcmp(kind, "xor2block"))
		return fixture_block(dir);
	if (!strcmp(kind, "xor2head"))
		return fixture_head(dir);
	fprintf(stderr, "unknown fixture %s\n", kind);
	return -1;
}

/* Every series as "labels t:v ... [H]" (H: stopped at a histogram). */
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
	if (err_msg(&e)[0])
		buf_addf(out, "error: %s", err_msg(&e));
done:
	tsdb_series_set_free(set);
	tsdb_db_release(&db);
	err_release(&e);
}

static char *fixture(const char *kind)
{
	char *dir = xasprintf("%s/test_read_xor2.%s.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", kind);

	if (!mkdtemp(dir) || write_fixture(kind, dir) < 0)
		CHECK(!"fixture written");
	return dir;
}

static void cleanup(char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	CHECK_EQ_I(system(cmd), 0);
	free(cmd);
	free(dir);
}

/* x read whole from its XOR2 chunks; h up to its encoding-5 chunk; fh none. */
static void test_block(void)
{
	char *dir = fixture("xor2block");
	struct buf out = BUF_INIT, want = BUF_INIT;
	const char *h, *x;
	int n = 0;

	dump_db(dir, &out);
	CHECK(!strncmp(buf_str(&out), "{__name__=\"fh\"} H\n{__name__=\"h\"}", 32));
	h = strstr(buf_str(&out), "\n{__name__=\"h\"}");
	x = strstr(buf_str(&out), "\n{__name__=\"x\"}");
	CHECK(h && x);
	for (const char *p = h ? strchr(h + 1, ' ') : NULL; p && p[1] != 'H'; p = strchr(p + 1, ' '))
		n++;
	CHECK(n > 60 && n < 240); /* h's first chunk */
	buf_adds(&want, "{__name__=\"fh\"} H\n{__name__=\"h\"}");
	for (int i = 0; i < n; i++)
		buf_addf(&want, " %d:%d", 1000 + i * 15000, i);
	buf_adds(&want, " H\n{__name__=\"x\"}");
	for (int i = 0; i < 400; i++)
		buf_addf(&want, " %d:%g", 1000 + i * 15000, bits_double(x_value(i)));
	buf_addc(&want, '\n');
	CHECK_STR(buf_str(&out), buf_str(&want));
	buf_release(&out);
	buf_release(&want);
	cleanup(dir);
}

static void test_head(void)
{
	char *dir = fixture("xor2head");
	struct buf out = BUF_INIT;

	dump_db(dir, &out);
	CHECK_STR(buf_str(&out), "{__name__=\"a\"} 1000:1 2000:1 3000:2 4000:4 5000:5\n");
	buf_release(&out);
	cleanup(dir);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--write"))
		return write_fixture(argv[2], argv[3]) < 0;
	RUN(test_worked_example);
	RUN(test_start_timestamps);
	RUN(test_truncated);
	RUN(test_round_trip);
	RUN(test_block);
	RUN(test_head);
	return check_done();
}
