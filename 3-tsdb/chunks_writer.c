/*
 * Chunk segment files -- tsdb/docs/format/chunks.md.
 *
 *     ┌──────────────────────────────┬─────────────────────┐
 *     │ magic(0x85BD40DD) <4 byte>   │ version(1) <1 byte> │  + 3 bytes padding
 *     ├──────────────────────────────┴─────────────────────┤
 *     │ len <uvarint> │ encoding <1 byte> │ data <bytes> │ CRC32C(encoding+data) <4 byte> │ ...
 *     └────────────────────────────────────────────────────┘
 *
 * A chunk's reference is segment index (0 for 000001) << 32 | its offset in
 * that file.  Worked example (one 14-byte XOR chunk):
 *     85 bd 40 dd 01 00 00 00 | 0e 01 <14 bytes> ac fe f8 c7
 * and its ref is 8.
 *
 * Segment cutting follows chunks.Writer.WriteChunks of 2.42 literally: a
 * series' chunks are split into batches so no batch overflows the segment
 * size (counting 5 bytes for every length field), the first batch also
 * considering what the current segment already holds.
 */
#include "3-tsdb/chunks_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "1-common/crc32c.h"
#include "1-common/goerrno.h"
#include "1-common/xalloc.h"

#define MAX_CHUNK_LEN_FIELD 5 /* binary.MaxVarintLen32 */

void chunks_writer_init(struct chunks_writer *w, const char *dir, int64_t segment_size)
{
	memset(w, 0, sizeof(*w));
	w->dir = xstrdup(dir);
	w->segment_size = segment_size > 0 ? segment_size : CHUNKS_DEFAULT_SEGMENT_SIZE;
}

void chunks_writer_init_mem(struct chunks_writer *w, struct buf *mem)
{
	memset(w, 0, sizeof(*w));
	w->mem = mem;
	w->segment_size = INT64_MAX;
}

static int finalize_tail(struct chunks_writer *w, struct err *e)
{
	int fd = w->out.fd;
	int ret;

	if (!w->open)
		return 0;
	w->open = false;
	if (w->mem) {
		wio_release(&w->out);
		return 0;
	}
	wio_flush(&w->out);
	if (!w->out.err && fsync(fd) < 0)
		w->out.err = errno;
	ret = wio_close(&w->out, e);
	if (close(fd) < 0 && ret == 0)
		ret = err_set(e, "close chunk segment: %s", go_strerror(errno));
	return ret;
}

/* cutSegmentFile: the next numbered file, its 8-byte header written. */
static int cut(struct chunks_writer *w, struct err *e)
{
	unsigned char hdr[CHUNKS_SEGMENT_HEADER_SIZE] = { 0 };
	char *path;
	int fd;

	if (finalize_tail(w, e) < 0)
		return -1;
	if (w->mem) {
		if (w->nseg > 0)
			return err_set(e, "in-memory chunk writer holds one segment only");
		wio_init_mem(&w->out, w->mem);
	} else {
		path = xasprintf("%s/%06d", w->dir, w->nseg + 1);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd < 0) {
			err_set(e, "open %s: %s", path, go_strerror(errno));
			free(path);
			return -1;
		}
		wio_init_fd(&w->out, fd, path);
		free(path);
	}
	w->open = true;
	w->nseg++;
	hdr[0] = (unsigned char)(CHUNKS_MAGIC >> 24);
	hdr[1] = (unsigned char)(CHUNKS_MAGIC >> 16);
	hdr[2] = (unsigned char)(CHUNKS_MAGIC >> 8);
	hdr[3] = (unsigned char)CHUNKS_MAGIC;
	hdr[4] = CHUNKS_FORMAT_V1;
	wio_write(&w->out, hdr, sizeof(hdr));
	w->n = CHUNKS_SEGMENT_HEADER_SIZE;
	return 0;
}

static void write_batch(struct chunks_writer *w, struct chunk_desc *chks, size_t n)
{
	uint64_t seq = (uint64_t)(w->nseg - 1);

	for (size_t i = 0; i < n; i++) {
		struct chunk_desc *c = &chks[i];
		uint32_t crc;

		c->ref = seq << 32 | w->n;
		wio_uvarint(&w->out, c->len);
		wio_crc_reset(&w->out);
		wio_byte(&w->out, c->encoding);
		wio_write(&w->out, c->data, c->len);
		crc = w->out.crc;
		wio_be32(&w->out, crc);
		w->n = w->out.pos;
	}
}

int chunks_writer_write(struct chunks_writer *w, struct chunk_desc *chks, size_t n, struct err *e)
{
	/* Batch boundaries as chunks.Writer.WriteChunks computes them. */
	size_t starts[64], nstarts = 1, *bounds = starts, bcap = 64;
	int64_t batch_size = 0;
	bool first_batch = true;
	int ret = -1;

	starts[0] = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t sz = MAX_CHUNK_LEN_FIELD + 1 + (int64_t)chks[i].len + 4;
		bool cut_new;

		batch_size += sz;
		cut_new = i != 0 && batch_size + CHUNKS_SEGMENT_HEADER_SIZE > w->segment_size;
		if (first_batch && w->n > CHUNKS_SEGMENT_HEADER_SIZE) {
			cut_new = batch_size + (int64_t)w->n > w->segment_size;
			if (cut_new)
				first_batch = false;
		}
		if (cut_new) {
			if (nstarts == bcap) {
				size_t *nb = xmalloc(bcap * 2 * sizeof(*nb));
				memcpy(nb, bounds, nstarts * sizeof(*nb));
				if (bounds != starts)
					free(bounds);
				bounds = nb;
				bcap *= 2;
			}
			bounds[nstarts++] = i;
			batch_size = sz;
		}
	}
	if (!w->open && cut(w, e) < 0)
		goto done;
	for (size_t b = 0; b < nstarts; b++) {
		size_t from = bounds[b], to = b + 1 < nstarts ? bounds[b + 1] : n;

		write_batch(w, chks + from, to - from);
		if (b + 1 < nstarts && cut(w, e) < 0)
			goto done;
	}
	if (w->out.err) {
		err_set(e, "write %s: %s", w->out.path, go_strerror(w->out.err));
		goto done;
	}
	ret = 0;
done:
	if (bounds != starts)
		free(bounds);
	return ret;
}

int chunks_writer_close(struct chunks_writer *w, struct err *e)
{
	int ret = finalize_tail(w, e);

	free(w->dir);
	w->dir = NULL;
	return ret;
}
