#include "3-tsdb/wio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "1-common/bytes.h"
#include "1-common/crc32c.h"
#include "1-common/goerrno.h"
#include "1-common/xalloc.h"

#define WIO_BUFSZ (256u << 10)

void wio_init_fd(struct wio *w, int fd, const char *path)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->wcap = WIO_BUFSZ;
	w->wbuf = xmalloc(w->wcap);
	w->path = xstrdup(path);
}

void wio_init_mem(struct wio *w, struct buf *mem)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->mem = mem;
	w->path = xstrdup("<memory>");
}

void wio_flush(struct wio *w)
{
	size_t off = 0;

	if (w->fd < 0 || w->err)
		return;
	while (off < w->wlen) {
		ssize_t n = write(w->fd, w->wbuf + off, w->wlen - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			w->err = errno;
			return;
		}
		off += (size_t)n;
	}
	w->wlen = 0;
}

void wio_write(struct wio *w, const void *p, size_t n)
{
	if (w->err || n == 0)
		return;
	w->crc = crc32c_update(w->crc, p, n);
	w->pos += n;
	if (w->mem) {
		buf_add(w->mem, p, n);
		return;
	}
	if (w->wlen + n > w->wcap) {
		wio_flush(w);
		if (w->err)
			return;
		if (n >= w->wcap) {
			size_t off = 0;
			while (off < n) {
				ssize_t k = write(w->fd, (const char *)p + off, n - off);
				if (k < 0) {
					if (errno == EINTR)
						continue;
					w->err = errno;
					return;
				}
				off += (size_t)k;
			}
			return;
		}
	}
	memcpy(w->wbuf + w->wlen, p, n);
	w->wlen += n;
}

void wio_byte(struct wio *w, unsigned char c)
{
	wio_write(w, &c, 1);
}

void wio_be32(struct wio *w, uint32_t v)
{
	unsigned char b[4];
	put_be32(b, v);
	wio_write(w, b, 4);
}

void wio_be64(struct wio *w, uint64_t v)
{
	unsigned char b[8];
	put_be64(b, v);
	wio_write(w, b, 8);
}

void wio_uvarint(struct wio *w, uint64_t v)
{
	unsigned char b[UVARINT_MAX_LEN];
	wio_write(w, b, put_uvarint(b, v));
}

void wio_varint(struct wio *w, int64_t v)
{
	unsigned char b[UVARINT_MAX_LEN];
	wio_write(w, b, put_varint(b, v));
}

void wio_pad(struct wio *w, unsigned align)
{
	static const unsigned char zeros[64];
	uint64_t r = w->pos % align;

	if (r)
		wio_write(w, zeros, (size_t)(align - r));
}

int wio_close(struct wio *w, struct err *e)
{
	int ret = 0;

	wio_flush(w);
	if (w->err)
		ret = err_set(e, "write %s: %s", w->path, go_strerror(w->err));
	wio_release(w);
	return ret;
}

void wio_release(struct wio *w)
{
	free(w->wbuf);
	free(w->path);
	w->wbuf = NULL;
	w->path = NULL;
	w->wlen = w->wcap = 0;
}
