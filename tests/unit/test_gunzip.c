/*
 * Unit tests for the gzip decoder (5-query/gunzip.c): known members, every
 * truncation, and each of Go's failures with its words.  Expected texts
 * are what promtool 2.42 printed for the same bodies
 * (testdata/rules-backfill/faults); the vectors are small enough to spell
 * out in hex.
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "5-query/gunzip.h"
#include "tests/unit/check.h"

/* gzip.compress(b"hello", mtime=0) */
static const char HELLO[] = "1f8b0800000000000203cb48cdc9c9070086a6103605000000";
/* the empty member */
static const char EMPTY[] = "1f8b080000000000020303000000000000000000";

struct sink {
	struct buf out;
	size_t limit; /* emit fails past it; 0: none */
};

static int emit(void *arg, const unsigned char *p, size_t n, struct err *e)
{
	struct sink *s = arg;
	if (s->limit && s->out.len + n > s->limit)
		return err_set(e, "too much");
	buf_add(&s->out, p, n);
	return 0;
}

static size_t unhex(unsigned char *out, const char *hex)
{
	size_t n = strlen(hex) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
	return n;
}

/* Decodes p[0..n) in pieces of `piece` bytes; returns the error text or "". */
static char *decode(const unsigned char *p, size_t n, size_t piece, struct buf *out)
{
	struct sink s = { BUF_INIT, 0 };
	struct gunzip g;
	struct err e = ERR_INIT;
	char *msg;
	int rc = 0;

	gunzip_init(&g, emit, &s);
	for (size_t off = 0; off < n && !rc; off += piece)
		rc = gunzip_feed(&g, p + off, n - off < piece ? n - off : piece, &e);
	if (!rc)
		rc = gunzip_finish(&g, &e);
	msg = strdup(err_msg(&e));
	err_release(&e);
	gunzip_release(&g);
	if (out) {
		buf_reset(out);
		buf_add(out, s.out.data, s.out.len);
	}
	buf_release(&s.out);
	return msg;
}

static void expect(const char *hex, const char *want_err, const char *want_out)
{
	unsigned char in[256];
	size_t n = unhex(in, hex);
	struct buf out = BUF_INIT;
	/* a byte at a time, in sevens, and whole: the answer may not depend
	 * on how the body arrives */
	size_t pieces[] = { 1, 7, n ? n : 1 };
	for (size_t i = 0; i < 3; i++) {
		char *msg = decode(in, n, pieces[i], &out);
		CHECK_STR(msg, want_err);
		if (!*want_err)
			CHECK_STR(buf_str(&out), want_out);
		free(msg);
	}
	buf_release(&out);
}

static void test_members(void)
{
	char two[256];
	expect(HELLO, "", "hello");
	expect(EMPTY, "", "");
	expect("", "", ""); /* an empty body is no member at all */
	snprintf(two, sizeof(two), "%s%s%s", HELLO, EMPTY, HELLO);
	expect(two, "", "hellohello");
	/* FNAME "a", FCOMMENT "b" and FEXTRA "xy": skipped */
	expect("1f8b081c000000000003" "0200" "7879" "6100" "6200" "cb48cdc9c9070086a6103605000000", "", "hello");
}

static void test_errors(void)
{
	char buf[256];
	expect("1f8b0900000000000203cb48cdc9c9070086a6103605000000", "gzip: invalid header", "");
	expect("1f8c0800000000000203cb48cdc9c9070086a6103605000000", "gzip: invalid header", "");
	/* CRC-32, then ISIZE, one bit off */
	expect("1f8b0800000000000203cb48cdc9c9070087a6103605000000", "gzip: invalid checksum", "");
	expect("1f8b0800000000000203cb48cdc9c9070086a6103604000000", "gzip: invalid checksum", "");
	/* after a good member: one more byte is a header cut short, ten
	 * zeros a bad one */
	snprintf(buf, sizeof(buf), "%s0a", HELLO);
	expect(buf, "unexpected EOF", "");
	snprintf(buf, sizeof(buf), "%s00000000000000000000", HELLO);
	expect(buf, "gzip: invalid header", "");
	/* BFINAL with the reserved block type 3; a stored block whose NLEN is
	 * not ~LEN: Go's offsets */
	expect("1f8b0800000000000203" "07", "flate: corrupt input before offset 1", "");
	expect("1f8b0800000000000203" "010500000068656c6c6f", "flate: corrupt input before offset 5", "");
	/* FHCRC that does not match the header */
	expect("1f8b0802000000000003ffff" "cb48cdc9c9070086a6103605000000", "gzip: invalid header", "");
}

static void test_truncations(void)
{
	unsigned char in[64];
	size_t n = unhex(in, HELLO);
	for (size_t cut = 1; cut < n; cut++) {
		char *msg = decode(in, cut, cut, NULL);
		CHECK_STR(msg, "unexpected EOF");
		free(msg);
	}
}

/* Go reads a name into 512 bytes: 511 and a NUL fit, 512 do not. */
static void test_long_name(void)
{
	unsigned char in[1024];
	size_t n = unhex(in, "1f8b0808000000000003");
	char *msg;
	memset(in + n, 'a', 511);
	in[n + 511] = 0;
	n += 512;
	n += unhex(in + n, "cb48cdc9c9070086a6103605000000");
	msg = decode(in, n, n, NULL);
	CHECK_STR(msg, "");
	free(msg);
	n = unhex(in, "1f8b0808000000000003");
	memset(in + n, 'a', 512);
	msg = decode(in, n + 512, n + 512, NULL);
	CHECK_STR(msg, "gzip: invalid header");
	free(msg);
}

/* The emit callback's refusal stops decoding with its message. */
static void test_emit_error(void)
{
	unsigned char in[64];
	size_t n = unhex(in, HELLO);
	struct sink s = { BUF_INIT, 3 };
	struct gunzip g;
	struct err e = ERR_INIT;
	gunzip_init(&g, emit, &s);
	CHECK_EQ_I(gunzip_feed(&g, in, n, &e), -1);
	CHECK_STR(err_msg(&e), "too much");
	err_release(&e);
	gunzip_release(&g);
	buf_release(&s.out);
}

int main(void)
{
	RUN(test_members);
	RUN(test_errors);
	RUN(test_truncations);
	RUN(test_long_name);
	RUN(test_emit_error);
	return check_done();
}
