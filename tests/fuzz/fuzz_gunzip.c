/*
 * Fuzz target: the gzip decoder of the remote source (5-query/gunzip.c).
 * The first byte picks how the body is cut into pieces; the answer (the
 * decoded bytes, or the error text with Go's flate offset) must not depend
 * on it, so the input is decoded twice, whole and in pieces, and any
 * difference aborts.  Output
 * past 1 MiB is refused through the emit callback, as the size cap does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "5-query/gunzip.h"

struct sink {
	struct buf out;
};

static int emit(void *arg, const unsigned char *p, size_t n, struct err *e)
{
	struct sink *s = arg;
	if (s->out.len + n > (1u << 20))
		return err_set(e, "too large");
	buf_add(&s->out, p, n);
	return 0;
}

static void decode(const uint8_t *p, size_t n, size_t piece, struct buf *out, struct err *e)
{
	struct sink s = { BUF_INIT };
	struct gunzip g;
	int rc = 0;
	gunzip_init(&g, emit, &s);
	for (size_t off = 0; off < n && !rc; off += piece)
		rc = gunzip_feed(&g, p + off, n - off < piece ? n - off : piece, e);
	if (!rc)
		gunzip_finish(&g, e);
	gunzip_release(&g);
	*out = s.out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf a, b;
	struct err ea = ERR_INIT, eb = ERR_INIT;
	size_t piece;

	if (size < 1)
		return 0;
	piece = (size_t)data[0] % 17 + 1;
	data++;
	size--;
	decode(data, size, size ? size : 1, &a, &ea);
	decode(data, size, piece, &b, &eb);
	/* the same error, or the same bytes (what was decoded before an
	 * error is thrown away, and zlib may get further in big pieces) */
	if (strcmp(err_msg(&ea), err_msg(&eb)) ||
	    (!err_isset(&ea) && (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len)))))
		abort();
	buf_release(&a);
	buf_release(&b);
	err_release(&ea);
	err_release(&eb);
	return 0;
}
