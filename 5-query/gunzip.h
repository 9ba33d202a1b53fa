/*
 * A streaming gzip decoder that fails where Go's compress/gzip (Go 1.19,
 * multistream, as net/http's transparent decoding uses it) fails, with its
 * words: "unexpected EOF", "gzip: invalid header", "gzip: invalid
 * checksum", "flate: corrupt input before offset N".
 *
 * Input arrives in pieces through gunzip_feed() and the decoded bytes leave
 * through the emit callback; gunzip_finish() says whether the input ended
 * where a gzip stream may end.  struct gunzip owns zlib's state;
 * gunzip_release() frees it.
 */
#ifndef QUERY_GUNZIP_H
#define QUERY_GUNZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"

/* Receives decoded bytes; a non-zero return stops decoding (the callback
 * sets e) and gunzip_feed() then returns -1. */
typedef int (*gunzip_emit_fn)(void *arg, const unsigned char *p, size_t n, struct err *e);

struct gunzip {
	gunzip_emit_fn emit;
	void *arg;
	int state;               /* where in a member the next byte belongs */
	int flags;               /* FLG of the member being read */
	unsigned char fixed[10]; /* its fixed header, then scratch for XLEN/HCRC */
	size_t have;             /* bytes of the current field read so far */
	size_t xlen;             /* FEXTRA bytes left to skip */
	uint32_t hcrc;           /* CRC-32 of the header read so far */
	unsigned char trailer[8];
	void *z;                 /* z_stream, allocated at the first member */
	unsigned char *out;      /* inflate's output window */
	uint32_t crc, size;      /* of this member's decoded data */
};

/* No allocation; every decoded byte goes to emit(arg, ...). */
void gunzip_init(struct gunzip *g, gunzip_emit_fn emit, void *arg);
void gunzip_release(struct gunzip *g);

/* Decodes p[0..n).  Returns 0, or -1 with e set (or set by emit). */
int gunzip_feed(struct gunzip *g, const unsigned char *p, size_t n, struct err *e);

/*
 * The input has ended.  0 when it ended at the start of a member (an empty
 * input is an empty body, as in Go), else -1 with "unexpected EOF".
 */
int gunzip_finish(struct gunzip *g, struct err *e);

#endif
