/*
 * Opening a block directory (upstream v2.42.0 tsdb/block.go OpenBlock):
 * meta.json, index, chunks/, and tombstones, whose layout
 * (tsdb/docs/format/tombstones.md) is
 *
 *   magic 0x0130BA30 (4) | version 1 (1) | stones | CRC32C(stones) (4)
 *   stone: series ref (uvarint) | mint (varint) | maxt (varint)
 *
 * e.g. an empty file is "01 30 ba 30 01 00 00 00 00".  A missing
 * tombstones file means none, as in 2.42.
 */
#include "3-tsdb/block_reader.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/bytes.h"
#include "1-common/crc32c.h"
#include "1-common/xalloc.h"

void tsdb_block_init(struct tsdb_block *b)
{
	memset(b, 0, sizeof(*b));
	block_meta_init(&b->meta);
	index_reader_init(&b->ix);
	chunks_reader_init(&b->cr);
}

void tsdb_block_release(struct tsdb_block *b)
{
	free(b->dir);
	block_meta_release(&b->meta);
	index_reader_release(&b->ix);
	chunks_reader_release(&b->cr);
	free(b->stones);
	tsdb_block_init(b);
}

static int stone_cmp(const void *a, const void *b)
{
	const struct tsdb_tombstone *x = a, *y = b;
	if (x->ref != y->ref)
		return x->ref < y->ref ? -1 : 1;
	if (x->mint != y->mint)
		return x->mint < y->mint ? -1 : 1;
	return 0;
}

int tsdb_tombstones_decode(const char *path, const unsigned char *data, size_t len, struct tsdb_tombstone **out,
			   size_t *n, struct err *e)
{
	struct cursor c;
	size_t cap = 0;
	uint32_t magic;

	*out = NULL;
	*n = 0;
	if (len < 9)
		return err_set(e, "%s: tombstones header: invalid size", path);
	magic = get_be32(data);
	if (magic != TOMBSTONES_MAGIC)
		return err_set(e, "%s: invalid magic number %" PRIx32, path, magic);
	if (crc32c_mismatch(crc32c(data + 5, len - 9), get_be32(data + len - 4)))
		return err_set(e, "%s: checksum did not match", path);
	if (data[4] != 1)
		return err_set(e, "%s: invalid tombstone format %x", path, data[4]);
	cursor_init(&c, data + 5, len - 9);
	while (cursor_left(&c) > 0) {
		size_t at = c.pos + 5;
		struct tsdb_tombstone s;
		s.ref = cursor_uvarint(&c);
		s.mint = cursor_varint(&c);
		s.maxt = cursor_varint(&c);
		if (c.err) {
			free(*out);
			*out = NULL;
			*n = 0;
			return err_set(e, "%s: tombstone at offset %zu: invalid size", path, at);
		}
		ALLOC_GROW(*out, *n + 1, cap);
		(*out)[(*n)++] = s;
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), stone_cmp);
	return 0;
}

const struct tsdb_tombstone *tsdb_tombstones_get(const struct tsdb_tombstone *stones, size_t nstones, uint64_t ref,
						  size_t *n)
{
	size_t lo = 0, hi = nstones, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (stones[mid].ref < ref)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < nstones && stones[end].ref == ref; end++)
		;
	*n = end - lo;
	return *n ? &stones[lo] : NULL;
}

static int read_tombstones(struct tsdb_block *b, struct err *e)
{
	char *path = xasprintf("%s/tombstones", b->dir);
	struct mmap_file m = MMAP_FILE_INIT;
	struct stat st;
	int ret = 0;

	if (stat(path, &st) < 0 && errno == ENOENT)
		goto done;
	ret = mmap_file_open(&m, path, e);
	if (ret == 0)
		ret = tsdb_tombstones_decode(path, m.data, m.len, &b->stones, &b->nstones, e);
	mmap_file_release(&m);
done:
	free(path);
	return ret;
}

int tsdb_block_open(struct tsdb_block *b, const char *dir, struct err *e)
{
	char *p = NULL;
	int ret = -1;

	tsdb_block_init(b);
	b->dir = xstrdup(dir);
	if (block_meta_read(&b->meta, dir, e) < 0)
		goto done;
	p = xasprintf("%s/chunks", dir);
	if (chunks_reader_open(&b->cr, p, e) < 0)
		goto done;
	free(p);
	p = xasprintf("%s/index", dir);
	if (index_reader_open(&b->ix, p, e) < 0)
		goto done;
	if (read_tombstones(b, e) < 0)
		goto done;
	ret = 0;
done:
	free(p);
	return ret;
}
