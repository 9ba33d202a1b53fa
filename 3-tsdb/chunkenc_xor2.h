/*
 * Reading the chunk encodings of Prometheus 3.14 beyond 2.42's XOR (1),
 * histogram (2) and float histogram (3): XOR2 (4, floats with an optional
 * start timestamp, written behind the xor2-encoding feature flag) and the
 * histogram encodings with start timestamps (5, 6).  Only XOR2 is decoded;
 * 5 and 6 are native histograms, which the float readers leave out as they
 * do 2 and 3.  No allocation; the iterator borrows the chunk's bytes.
 */
#ifndef TSDB_CHUNKENC_XOR2_H
#define TSDB_CHUNKENC_XOR2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHUNK_ENC_XOR2 4
#define CHUNK_ENC_HISTOGRAM_ST 5
#define CHUNK_ENC_FLOAT_HISTOGRAM_ST 6

/* Iterates the samples of XOR2 chunk bytes (the 3-byte header included). */
struct xor2_iter {
	const unsigned char *p; /* the stream after the header */
	size_t len;
	uint64_t bitpos;
	uint16_t total, read;
	bool st_first;       /* header bit 7: sample 0 carries a start timestamp */
	uint8_t st_change;   /* header bits 0-6: first sample whose start timestamp changes */
	int64_t t;
	uint64_t v;          /* value bits of the sample */
	uint64_t baseline;   /* the last value that was not a stale marker */
	uint64_t tdelta;
	uint8_t leading, trailing;
	bool err;            /* the stream ended early or is malformed */
};

void xor2_iter_init(struct xor2_iter *it, const unsigned char *chunk, size_t len);
/* Returns true with it->t and it->v set, false at the end or on error (it->err). */
bool xor2_iter_next(struct xor2_iter *it);

#endif
