/*
 * Chunk segments (upstream v2.42.0:tsdb/docs/format/chunks.md):
 *
 *   magic 0x85BD40DD (4) | version 1 (1) | padding (3)
 *   then chunks: len (uvarint) | encoding (1) | data (len) | CRC32C(encoding|data) (4)
 *
 * Example: "85 bd 40 dd 01 00 00 00 | 0c 01 00 01 ..." is a segment whose
 * first chunk, at offset 8, holds 12 bytes of XOR data with one sample.
 */
#include "3-tsdb/chunks_reader.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/bytes.h"
#include "1-common/crc32c.h"
#include "1-common/xalloc.h"

void chunks_reader_init(struct chunks_reader *r)
{
	memset(r, 0, sizeof(*r));
}

void chunks_reader_release(struct chunks_reader *r)
{
	for (size_t i = 0; i < r->nsegs; i++) {
		if (!r->external)
			mmap_file_release(&r->segs[i]);
		free(r->paths[i]);
	}
	free(r->segs);
	free(r->paths);
	chunks_reader_init(r);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int check_header(const struct chunks_reader *r, size_t i, struct err *e)
{
	const struct mmap_file *m = &r->segs[i];
	uint32_t magic;

	if (m->len < CHUNKS_HEADER_LEN)
		return err_set(e, "%s: invalid segment header in segment %zu: invalid size", r->paths[i], i);
	magic = get_be32(m->data);
	if (magic != CHUNKS_MAGIC)
		return err_set(e, "%s: invalid magic number %" PRIx32, r->paths[i], magic);
	if (m->data[4] != 1)
		return err_set(e, "%s: invalid chunk format version %d", r->paths[i], m->data[4]);
	return 0;
}

int chunks_reader_open(struct chunks_reader *r, const char *dir, struct err *e)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = -1;

	chunks_reader_init(r);
	d = opendir(dir);
	if (!d)
		return err_set(e, "open %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		if (!all_digits(de->d_name))
			continue;
		ALLOC_GROW(names, n + 1, cap);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), str_cmp);
	r->segs = xcalloc(n ? n : 1, sizeof(*r->segs));
	r->paths = xcalloc(n ? n : 1, sizeof(*r->paths));
	for (size_t i = 0; i < n; i++) {
		r->paths[i] = xasprintf("%s/%s", dir, names[i]);
		r->nsegs = i + 1;
		if (mmap_file_open(&r->segs[i], r->paths[i], e) < 0 || check_header(r, i, e) < 0)
			goto done;
	}
	ret = 0;
done:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

int chunks_reader_open_mem(struct chunks_reader *r, const void *data, size_t len, struct err *e)
{
	chunks_reader_init(r);
	r->external = true;
	r->segs = xcalloc(1, sizeof(*r->segs));
	r->paths = xcalloc(1, sizeof(*r->paths));
	r->segs[0].data = data;
	r->segs[0].len = len;
	r->paths[0] = xstrdup("<memory>");
	r->nsegs = 1;
	return check_header(r, 0, e);
}

void chunks_reader_drop_pages(const struct chunks_reader *r)
{
	if (r->external)
		return;
	for (size_t i = 0; i < r->nsegs; i++)
		mmap_file_drop_pages(&r->segs[i]);
}

uint64_t chunks_reader_size(const struct chunks_reader *r)
{
	uint64_t n = 0;
	for (size_t i = 0; i < r->nsegs; i++)
		n += r->segs[i].len;
	return n;
}

int chunks_reader_chunk(const struct chunks_reader *r, uint64_t ref, struct chunk_data *out, struct err *e)
{
	uint64_t seg = ref >> 32, off = ref & 0xffffffffu, dlen;
	const struct mmap_file *m;
	size_t end;
	int n;

	if (seg >= r->nsegs)
		return err_set(e, "chunk ref %" PRIu64 ": segment index %" PRIu64 " out of range", ref, seg);
	m = &r->segs[seg];
	if (off < CHUNKS_HEADER_LEN || off >= m->len)
		return err_set(e, "%s: chunk at offset %" PRIu64 ": outside the segment (size %zu)", r->paths[seg],
			       off, m->len);
	n = get_uvarint(m->data + off, m->len - off, &dlen);
	if (n <= 0)
		return err_set(e, "%s: chunk at offset %" PRIu64 ": reading chunk length failed", r->paths[seg], off);
	if (dlen > m->len || (size_t)off + (size_t)n + 1 + dlen + 4 > m->len)
		return err_set(e, "%s: chunk at offset %" PRIu64 ": segment doesn't include enough bytes to read the chunk",
			       r->paths[seg], off);
	end = (size_t)off + (size_t)n + 1 + (size_t)dlen;
	if (crc32c_mismatch(crc32c(m->data + off + n, 1 + (size_t)dlen), get_be32(m->data + end)))
		return err_set(e, "%s: chunk at offset %" PRIu64 ": checksum mismatch", r->paths[seg], off);
	out->encoding = m->data[off + n];
	out->data = m->data + off + n + 1;
	out->len = (size_t)dlen;
	return 0;
}
