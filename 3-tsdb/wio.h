/*
 * The one output interface of the block writers: a buffered sink (a file
 * descriptor or a memory buffer) with a running position, a running CRC32C
 * the caller resets per section, and a sticky error, so encoders write a
 * whole section and check once (git's csum-file, Redis' rio).
 *
 * struct wio owns its write buffer (wio_close() or wio_release() frees it);
 * it never owns the fd it was given or the memory sink.
 */
#ifndef TSDB_WIO_H
#define TSDB_WIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "1-common/err.h"

struct wio {
	int fd;              /* -1 for a memory sink */
	struct buf *mem;     /* memory sink, or NULL */
	unsigned char *wbuf; /* pending bytes for fd */
	size_t wlen, wcap;
	uint64_t pos;        /* bytes written so far */
	uint32_t crc;        /* CRC32C since the last wio_crc_reset() */
	int err;             /* sticky errno; 0 while healthy */
	char *path;          /* for messages */
};

void wio_init_fd(struct wio *w, int fd, const char *path);
void wio_init_mem(struct wio *w, struct buf *mem);
void wio_write(struct wio *w, const void *p, size_t n);
static inline void wio_crc_reset(struct wio *w) { w->crc = 0; }
void wio_byte(struct wio *w, unsigned char c);
void wio_be32(struct wio *w, uint32_t v);
void wio_be64(struct wio *w, uint64_t v);
void wio_uvarint(struct wio *w, uint64_t v);
void wio_varint(struct wio *w, int64_t v);
/* Zero bytes up to a multiple of align. */
void wio_pad(struct wio *w, unsigned align);
/* Pushes buffered bytes to the fd. */
void wio_flush(struct wio *w);
/* Flushes and frees the buffer; returns 0, or -1 with "write <path>: ..." */
int wio_close(struct wio *w, struct err *e);
void wio_release(struct wio *w);

#endif
