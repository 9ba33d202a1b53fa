/* Known-answer tests for the shared helpers in common/. */
#include <math.h>
#include <stdlib.h>
#include <xxhash.h>

#include "1-common/arena.h"
#include "1-common/buf.h"
#include "1-common/bytes.h"
#include "1-common/crc32c.h"
#include "1-common/gofmt.h"
#include "1-common/gostrconv.h"
#include "1-common/utf8.h"
#include "2-model/labels.h"
#include "tests/unit/check.h"

static void test_crc32c_known_answers(void)
{
	unsigned char zeros[32] = { 0 }, ones[32];

	memset(ones, 0xff, sizeof(ones));
	CHECK_EQ_U(crc32c("123456789", 9), 0xE3069283u);
	CHECK_EQ_U(crc32c("", 0), 0);
	/* RFC 3720 B.4 vectors */
	CHECK_EQ_U(crc32c(zeros, 32), 0x8A9136AAu);
	CHECK_EQ_U(crc32c(ones, 32), 0x62A8AB43u);
	/* incremental == one shot, across the 8-byte slicing boundary */
	CHECK_EQ_U(crc32c_update(crc32c("1234", 4), "56789", 5), 0xE3069283u);
	CHECK_EQ_U(crc32c_update_sw(0, "123456789", 9), 0xE3069283u);
	/* the crc32 instruction's path and the software one agree on every
	 * length and alignment */
	{
		unsigned char buf[300];
		uint32_t x = 1;
		for (size_t i = 0; i < sizeof(buf); i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (unsigned char)(x >> 16);
		}
		for (size_t off = 0; off < 9; off++)
			for (size_t len = 0; len + off <= sizeof(buf); len += 7)
				CHECK_EQ_U(crc32c_update(0x1234u, buf + off, len), crc32c_update_sw(0x1234u, buf + off, len));
	}
}

static void test_varints(void)
{
	static const uint64_t uv[] = { 0, 1, 127, 128, 255, 300, 16383, 16384,
				       UINT32_MAX, (uint64_t)INT64_MAX, UINT64_MAX };
	static const int64_t sv[] = { 0, -1, 1, -64, 63, 64, -65, INT64_MIN, INT64_MAX };
	unsigned char b[UVARINT_MAX_LEN];
	size_t n;

	for (size_t i = 0; i < sizeof(uv) / sizeof(uv[0]); i++) {
		uint64_t got = 0;
		n = put_uvarint(b, uv[i]);
		CHECK_EQ_I(n, uvarint_len(uv[i]));
		CHECK_EQ_I(get_uvarint(b, n, &got), (int)n);
		CHECK_EQ_U(got, uv[i]);
		CHECK_EQ_I(get_uvarint(b, n - 1, &got), 0); /* short */
	}
	for (size_t i = 0; i < sizeof(sv) / sizeof(sv[0]); i++) {
		int64_t got = 0;
		n = put_varint(b, sv[i]);
		CHECK_EQ_I(get_varint(b, n, &got), (int)n);
		CHECK_EQ_I(got, sv[i]);
	}
	/* Go's encodings: 300 -> ac 02; -1 zig-zags to 01; 1 to 02 */
	n = put_uvarint(b, 300);
	CHECK_EQ_I(n, 2);
	CHECK_EQ_U(b[0], 0xac);
	CHECK_EQ_U(b[1], 0x02);
	put_varint(b, -1);
	CHECK_EQ_U(b[0], 0x01);
	put_varint(b, 1);
	CHECK_EQ_U(b[0], 0x02);
	/* overflow: 11 continuation bytes */
	{
		unsigned char over[11];
		uint64_t got;
		memset(over, 0xff, sizeof(over));
		CHECK_EQ_I(get_uvarint(over, sizeof(over), &got), -1);
	}
}

static void test_cursor_bounds(void)
{
	unsigned char b[6] = { 0, 0, 0, 7, 0x96, 0x01 };
	struct cursor c;

	cursor_init(&c, b, sizeof(b));
	CHECK_EQ_U(cursor_be32(&c), 7);
	CHECK_EQ_U(cursor_uvarint(&c), 150);
	CHECK(!c.err);
	CHECK_EQ_U(cursor_u8(&c), 0);
	CHECK(c.err);
	cursor_init(&c, b, 3);
	CHECK_EQ_U(cursor_be32(&c), 0);
	CHECK(c.err);
	CHECK_EQ_I(c.pos, 0);
}

static void check_g(double v, const char *want)
{
	struct buf b = BUF_INIT;
	go_fmt_g(&b, v);
	CHECK_STR(buf_str(&b), want);
	buf_release(&b);
}

static void check_f(double v, const char *want)
{
	struct buf b = BUF_INIT;
	go_fmt_f(&b, v);
	CHECK_STR(buf_str(&b), want);
	buf_release(&b);
}

static void test_go_float_format(void)
{
	/* Expected strings are what Go 1.19's fmt.Sprintf("%g") prints. */
	check_g(0, "0");
	check_g(-0.0, "-0");
	check_g(1, "1");
	check_g(0.1, "0.1");
	check_g(100000, "100000");
	check_g(1000000, "1e+06");
	check_g(123456789, "1.23456789e+08");
	check_g(0.0001, "0.0001");
	check_g(0.00001, "1e-05");
	check_g(1.5e-7, "1.5e-07");
	check_g(1e21, "1e+21");
	check_g(1e100, "1e+100");
	check_g(5e-324, "5e-324");
	check_g(1.7976931348623157e308, "1.7976931348623157e+308");
	check_g(0.1 + 0.2, "0.30000000000000004");
	check_g(-2.5, "-2.5");
	check_g(INFINITY, "+Inf");
	check_g(-INFINITY, "-Inf");
	check_g(NAN, "NaN");
	/* integers take a shortcut: around it, and past 2^53 */
	check_g(999999, "999999");
	check_g(-999999, "-999999");
	check_g(-1000000, "-1e+06");
	check_g(1234567, "1.234567e+06");
	check_g(120000000, "1.2e+08");
	check_g(4294967296.0, "4.294967296e+09");
	check_g(1e15, "1e+15");
	check_g(9007199254740991.0, "9.007199254740991e+15");
	check_g(9007199254740992.0, "9.007199254740992e+15");
	check_g(12345678901234567.0, "1.2345678901234568e+16");
	check_g(123456.5, "123456.5");
	check_f(1e21, "1000000000000000000000");
	check_f(1.5e-7, "0.00000015");
	check_f(1680000000.123, "1680000000.123");
	check_f(60, "60");
	check_f(-0.5, "-0.5");
}

/*
 * The integer shortcut of %g against the general path: for integers %g is
 * %f below 10^6 and %e from there, both of which go through the shortest
 * digits the general way.
 */
static void test_go_fmt_g_integers(void)
{
	uint64_t x = 88172645463325252ull;
	int bad = 0;

	for (int i = 0; i < 200000 && bad < 5; i++) {
		struct buf g = BUF_INIT, want = BUF_INIT;
		double v;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* magnitudes from 1 digit to past 2^53 */
		v = (double)(x >> (x % 61 + 3));
		if (x & 1)
			v = -v;
		go_fmt_g(&g, v);
		if (fabs(v) < 1e6)
			go_fmt_f(&want, v);
		else
			go_fmt_e(&want, v);
		if (strcmp(buf_str(&g), buf_str(&want)) != 0) {
			fprintf(stderr, "%%g of %.17g: %s, want %s\n", v, buf_str(&g), buf_str(&want));
			bad++;
		}
		buf_release(&g);
		buf_release(&want);
	}
	CHECK_EQ_I(bad, 0);
}

static void check_dur(int64_t ns, const char *want)
{
	struct buf b = BUF_INIT;
	go_fmt_duration(&b, ns);
	CHECK_STR(buf_str(&b), want);
	buf_release(&b);
}

static void check_pdur(int64_t ms, const char *want)
{
	struct buf b = BUF_INIT;
	prom_fmt_duration(&b, ms);
	CHECK_STR(buf_str(&b), want);
	buf_release(&b);
}

static void test_durations(void)
{
	int64_t v;

	check_dur(0, "0s");
	check_dur(7200000000000LL, "2h0m0s");
	check_dur(1500000000LL, "1.5s");
	check_dur(3000000LL, "3ms");
	check_dur(1500LL, "1.5\xc2\xb5s");
	check_dur(12, "12ns");
	check_dur(-90000000000LL, "-1m30s");
	check_pdur(0, "0s");
	check_pdur(5400000, "1h30m");
	check_pdur(86400000, "1d");
	check_pdur(7 * 86400000LL, "1w");
	check_pdur(8 * 86400000LL, "8d");
	check_pdur(365 * 86400000LL, "1y");
	check_pdur(1500, "1s500ms");

	CHECK_EQ_I(go_parse_duration("1h30m", 5, &v), 0);
	CHECK_EQ_I(v, 5400000000000LL);
	CHECK_EQ_I(go_parse_duration("1.5s", 4, &v), 0);
	CHECK_EQ_I(v, 1500000000LL);
	CHECK_EQ_I(go_parse_duration("0", 1, &v), 0);
	CHECK_EQ_I(v, 0);
	CHECK_EQ_I(go_parse_duration("-2m", 3, &v), 0);
	CHECK_EQ_I(v, -120000000000LL);
	{
		/* time.ParseDuration's fraction: scale is a float64 (1e400 is
		 * +Inf, the digit after it adds 0), digits past an overflow
		 * are dropped */
		char d[512];
		snprintf(d, sizeof(d), "0.%0400ds", 1);
		CHECK_EQ_I(go_parse_duration(d, strlen(d), &v), 0);
		CHECK_EQ_I(v, 0);
		snprintf(d, sizeof(d), "1.%064ds", 5);
		CHECK_EQ_I(go_parse_duration(d, strlen(d), &v), 0);
		CHECK_EQ_I(v, 1000000000LL);
	}
	CHECK_EQ_I(go_parse_duration("1d", 2, &v), -1);
	CHECK_EQ_I(go_parse_duration("", 0, &v), -1);
	CHECK_EQ_I(go_parse_duration("5", 1, &v), -1);

	CHECK_EQ_I(prom_parse_duration("1h30m", 5, &v), 0);
	CHECK_EQ_I(v, 5400000);
	CHECK_EQ_I(prom_parse_duration("5m", 2, &v), 0);
	CHECK_EQ_I(v, 300000);
	CHECK_EQ_I(prom_parse_duration("1s500ms", 7, &v), 0);
	CHECK_EQ_I(v, 1500);
	CHECK_EQ_I(prom_parse_duration("0", 1, &v), 0);
	CHECK_EQ_I(prom_parse_duration("30m1h", 5, &v), -1);
	CHECK_EQ_I(prom_parse_duration("1.5h", 4, &v), -1);
	CHECK_EQ_I(prom_parse_duration("1h1h", 4, &v), -1);
	CHECK_EQ_I(prom_parse_duration("", 0, &v), -1);
	CHECK_EQ_I(prom_parse_duration("999999y", 7, &v), -2);
}

static void test_go_parse_float(void)
{
	double v;

	CHECK_EQ_I(go_parse_float("NaN", 3, &v), 0);
	CHECK_EQ_U(double_bits(v), 0x7FF8000000000001ull);
	CHECK_EQ_I(go_parse_float("+Inf", 4, &v), 0);
	CHECK(isinf(v) && v > 0);
	CHECK_EQ_I(go_parse_float("-inf", 4, &v), 0);
	CHECK(isinf(v) && v < 0);
	CHECK_EQ_I(go_parse_float("1.5e3", 5, &v), 0);
	CHECK(v == 1500);
	CHECK_EQ_I(go_parse_float(".5", 2, &v), 0);
	CHECK(v == 0.5);
	CHECK_EQ_I(go_parse_float("0x1p-2", 6, &v), 0);
	CHECK(v == 0.25);
	CHECK_EQ_I(go_parse_float("1e400", 5, &v), -2);
	CHECK_EQ_I(go_parse_float("1_000", 5, &v), 0);
	CHECK(v == 1000);
	CHECK_EQ_I(go_parse_float("abc", 3, &v), -1);
	CHECK_EQ_I(go_parse_float("1e", 2, &v), -1);
	CHECK_EQ_I(go_parse_float("0x10", 4, &v), -1);
	CHECK_EQ_I(go_parse_float(" 1", 2, &v), -1);
	CHECK_EQ_I(go_parse_float("", 0, &v), -1);
	CHECK_EQ_I(go_parse_float("1__0", 4, &v), -1);
}

static void test_labels(void)
{
	struct labels ls = LABELS_INIT;
	struct buf b = BUF_INIT;
	struct label one[] = { { "a", "b" } };

	labels_add_copy(&ls, "job", "x\"y\n");
	labels_add(&ls, "__name__", "up");
	labels_sort(&ls);
	CHECK_STR(ls.v[0].name, "__name__");
	labels_format(&b, ls.v, ls.n);
	CHECK_STR(buf_str(&b), "{__name__=\"up\", job=\"x\\\"y\\n\"}");
	/* xxhash64 of "a\xffb\xff", seed 0 */
	CHECK_EQ_U(labels_hash(one, 1), XXH64("a\xff" "b\xff", 4, 0));
	CHECK(labels_cmp(ls.v, 1, ls.v, 2) < 0);
	buf_reset(&b);
	go_quote(&b, "\xff\x01\xc3\xa9", 4);
	CHECK_STR(buf_str(&b), "\"\\xff\\x01\xc3\xa9\"");
	buf_release(&b);
	labels_release(&ls);
}

/* Alignment, zeroing, copies, a request bigger than a chunk, and reuse
 * after release. */
static void test_arena(void)
{
	struct arena a;
	char *s, *big;
	unsigned char *z;
	void *p, *q;

	arena_init(&a, 64);
	p = arena_alloc(&a, 1);
	q = arena_alloc(&a, 0);
	CHECK(p != q);
	CHECK_EQ_U((uintptr_t)p % ARENA_ALIGN, 0);
	CHECK_EQ_U((uintptr_t)q % ARENA_ALIGN, 0);
	s = arena_strndup(&a, "abcdef", 3);
	CHECK_STR(s, "abc");
	big = arena_alloc(&a, 1000); /* its own chunk */
	memset(big, 'x', 1000);
	CHECK_STR(s, "abc");
	z = arena_calloc(&a, 40);
	for (int i = 0; i < 40; i++)
		CHECK_EQ_U(z[i], 0);
	CHECK_EQ_U((uintptr_t)arena_array(&a, 3, 7) % ARENA_ALIGN, 0);
	arena_release(&a);
	CHECK(a.chunks == NULL);
	s = arena_strndup(&a, "again", 5);
	CHECK_STR(s, "again");
	arena_release(&a);
}

/* A rewind frees what came after its mark, chunks included, keeps what came
 * before, and the space after the mark is handed out again. */
static void test_arena_rewind(void)
{
	struct arena a;
	struct arena_mark m, m2;
	char *s, *t, *u;
	size_t before;

	arena_init(&a, 64);
	m = arena_mark(&a); /* of an empty arena */
	(void)arena_alloc(&a, 500);
	arena_rewind(&a, m);
	CHECK(a.chunks == NULL);
	CHECK_EQ_U(arena_bytes(&a), 0);
	s = arena_strndup(&a, "keep", 4);
	before = arena_bytes(&a);
	m = arena_mark(&a);
	t = arena_alloc(&a, 8);
	m2 = arena_mark(&a); /* nested */
	memset(arena_alloc(&a, 1000), 'x', 1000); /* own chunk */
	memset(arena_alloc(&a, 200), 'y', 200);
	CHECK(arena_bytes(&a) > before);
	arena_rewind(&a, m2);
	CHECK_EQ_U(arena_bytes(&a), before);
	arena_rewind(&a, m);
	CHECK_EQ_U(arena_bytes(&a), before);
	CHECK_STR(s, "keep");
	u = arena_alloc(&a, 8);
	CHECK(u == t); /* the space after the mark again */
	arena_release(&a);
}

/* Cleared after each of many like rounds, an arena hands its chunks out
 * again: its size stops growing after the first round, what one round
 * gets does not overlap, and a chunk a round left unused is freed at the
 * next clear. */
static void test_arena_clear(void)
{
	struct arena a;
	size_t warm = 0;

	arena_init(&a, 256);
	for (int round = 0; round < 20; round++) {
		char *p[6];
		size_t sz[6] = { 100, 3000, 40, 700, 256, 5000 };
		for (int i = 0; i < 6; i++) {
			p[i] = arena_alloc(&a, sz[i]);
			memset(p[i], 'a' + i, sz[i]);
		}
		for (int i = 0; i < 6; i++)
			for (size_t j = 0; j < sz[i]; j++)
				if (p[i][j] != 'a' + i)
					CHECK(!"overlapping allocations");
		if (round == 0)
			warm = arena_bytes(&a);
		CHECK_EQ_U(arena_bytes(&a), warm);
		arena_clear(&a);
		CHECK_EQ_U(arena_bytes(&a), warm);
	}
	/* a small round: the big chunks it did not take go at the next clear */
	(void)arena_alloc(&a, 10);
	arena_clear(&a);
	CHECK(arena_bytes(&a) < warm);
	CHECK(arena_bytes(&a) > 0);
	arena_clear(&a);
	CHECK_EQ_U(arena_bytes(&a), 0);
	CHECK_STR(arena_strndup(&a, "again", 5), "again");
	arena_release(&a);
	CHECK_EQ_U(arena_bytes(&a), 0);
}

/* strconv.UnquoteChar's escapes: values, lengths, and where each failure
 * is reported. */
static void test_unescape(void)
{
	static const struct {
		const char *in;
		char quote;
		int rc;
		uint32_t v;
		bool is_byte;
		size_t end;
	} cases[] = {
		{ "\\n", '"', 0, '\n', false, 2 },
		{ "\\\\", '"', 0, '\\', false, 2 },
		{ "\\\"", '"', 0, '"', false, 2 },
		{ "\\'", '"', GO_ESC_UNKNOWN, 0, false, 2 },
		{ "\\'", '\'', 0, '\'', false, 2 },
		{ "\\q", '"', GO_ESC_UNKNOWN, 0, false, 2 },
		{ "\\xfF", '"', 0, 0xff, true, 4 },
		{ "\\x4g", '"', GO_ESC_INVALID, 0, false, 3 },
		{ "\\x4", '"', GO_ESC_SHORT, 0, false, 3 },
		{ "\\u00e9z", '"', 0, 0xe9, false, 6 },
		{ "\\ud800", '"', GO_ESC_INVALID, 0, false, 6 },
		{ "\\U0010FFFF", '"', 0, 0x10ffff, false, 10 },
		{ "\\U00110000", '"', GO_ESC_INVALID, 0, false, 10 },
		{ "\\377", '"', 0, 255, true, 4 },
		{ "\\400", '"', GO_ESC_INVALID, 0, false, 4 },
		{ "\\18", '"', GO_ESC_INVALID, 0, false, 2 },
		{ "\\1", '"', GO_ESC_SHORT, 0, false, 2 },
		{ "\\", '"', GO_ESC_SHORT, 0, false, 1 },
	};
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t v = 0;
		bool is_byte = false;
		size_t end = 99;
		int rc = go_unescape(cases[i].in, strlen(cases[i].in), cases[i].quote, &v, &is_byte, &end);

		CHECK_EQ_I(rc, cases[i].rc);
		CHECK_EQ_U(end, cases[i].end);
		if (rc == 0) {
			CHECK_EQ_U(v, cases[i].v);
			CHECK_EQ_I(is_byte, cases[i].is_byte);
		}
	}
	go_unescape_put(&b, 0xe9, false);
	go_unescape_put(&b, 0xe9, true);
	CHECK_MEM(b.data, b.len, "\xc3\xa9\xe9", 3);
	CHECK_EQ_I(go_unhex('a'), 10);
	CHECK_EQ_I(go_unhex('F'), 15);
	CHECK_EQ_I(go_unhex('g'), -1);
	buf_release(&b);
}

/* utf8.Valid and utf8.AppendRune's replacement of invalid runes. */
static void test_utf8(void)
{
	struct buf b = BUF_INIT;

	CHECK(go_utf8_valid("", 0));
	CHECK(go_utf8_valid("plain ascii", 11));
	CHECK(go_utf8_valid("\xc3\xa9\xef\xbf\xbd\xf4\x8f\xbf\xbf", 9)); /* U+FFFD itself is valid */
	CHECK(!go_utf8_valid("a\xc3", 2));                           /* truncated */
	CHECK(!go_utf8_valid("\xc0\x80", 2));                        /* overlong */
	CHECK(!go_utf8_valid("\xed\xa0\x80", 3));                    /* surrogate */
	CHECK(!go_utf8_valid("\xf4\x90\x80\x80", 4));                /* > U+10FFFF */
	CHECK(!go_utf8_valid("ok\x80", 3));
	go_put_rune(&b, 0xD800);
	go_put_rune(&b, 0x110000);
	go_put_rune(&b, 'x');
	CHECK_MEM(b.data, b.len, "\xef\xbf\xbd\xef\xbf\xbdx", 7);
	buf_release(&b);
}

int main(void)
{
	RUN(test_unescape);
	RUN(test_utf8);
	RUN(test_arena);
	RUN(test_arena_rewind);
	RUN(test_arena_clear);
	RUN(test_labels);
	RUN(test_crc32c_known_answers);
	RUN(test_varints);
	RUN(test_cursor_bounds);
	RUN(test_go_float_format);
	RUN(test_go_fmt_g_integers);
	RUN(test_durations);
	RUN(test_go_parse_float);
	return check_done();
}
