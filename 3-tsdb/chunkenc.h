/*
 * XOR ("Gorilla") float chunks, encoding 1, exactly as Prometheus 2.42's
 * tsdb/chunkenc/xor.go + bstream.go produce and read them.
 *
 * A struct xor_chunk owns its byte buffer; xor_chunk_release() frees it.
 * A struct xor_iter only borrows the bytes it is given; they must outlive it.
 * Nothing here prints or allocates per sample beyond buffer growth.
 */
#ifndef TSDB_CHUNKENC_H
#define TSDB_CHUNKENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "1-common/bytes.h"

#define CHUNK_ENC_NONE 0
#define CHUNK_ENC_XOR 1

/* A chunk being appended to: 2-byte sample count, then the bit stream. */
struct xor_chunk {
	struct buf b;   /* the chunk's bytes, b.len is what Bytes() returns */
	uint8_t count;  /* free bits in the last byte (bstream.count) */
	uint16_t num;   /* samples so far (mirrors the header) */
	int64_t t;      /* last timestamp */
	uint64_t v;     /* last value bits */
	uint64_t tdelta;
	uint8_t leading;  /* 0xff: none yet */
	uint8_t trailing;
};

void xor_chunk_init(struct xor_chunk *c);
/* Empties the chunk for reuse, keeping its buffer. */
void xor_chunk_reset(struct xor_chunk *c);
void xor_chunk_release(struct xor_chunk *c);
/* Appends a sample; timestamps must increase (the head guarantees it). */
void xor_chunk_append(struct xor_chunk *c, int64_t t, double v);
static inline const unsigned char *xor_chunk_bytes(const struct xor_chunk *c, size_t *len)
{
	*len = c->b.len;
	return c->b.data;
}

/* Iterates the samples of XOR chunk bytes (header included). */
struct xor_iter {
	const unsigned char *p; /* stream after the 2-byte header */
	size_t len;
	size_t bitpos;          /* bits consumed */
	uint16_t total, read;
	int64_t t;
	uint64_t v;
	uint64_t tdelta;
	uint8_t leading, trailing;
	bool err;               /* the stream ended early or is malformed */
};

void xor_iter_init(struct xor_iter *it, const unsigned char *chunk, size_t len);
/* Returns true with it->t and xor_iter_value(it) set, false at the end or on
 * error (it->err tells which). */
bool xor_iter_next(struct xor_iter *it);
/* The same for up to cap samples at once into t[] and v[]: how many were
 * read; fewer than cap at the end or on error (it->err), as by that many
 * xor_iter_next() calls, only faster. */
size_t xor_iter_bulk(struct xor_iter *it, int64_t *t, double *v, size_t cap);
static inline double xor_iter_value(const struct xor_iter *it)
{
	return bits_double(it->v);
}
/* The sample count from a chunk's header (0 if shorter than 2 bytes). */
uint16_t xor_chunk_num_samples(const unsigned char *chunk, size_t len);

#endif
