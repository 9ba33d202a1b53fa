/*
 * tsdb.BlockWriter of 2.42: a head fed by appenders, flushed through the
 * leveled compactor's write path into one level-1 block:
 *
 *   <dir>/<ULID>.tmp-for-creation/{chunks/000001..., index, meta.json, tombstones}
 *   fsync every file and the tmp dir, rename to <dir>/<ULID>, fsync <dir>.
 *
 * Series are written sorted by labels; every cut chunk is written as it is
 * and the open head chunk re-encoded (which gives the same bytes), as the
 * compactor does.  Any failure removes the tmp dir, so nothing half-written
 * stays behind.  An empty head writes nothing (the compactor's "empty
 * block" case), which block_writer_flush() reports as 1.
 */
#include "3-tsdb/block_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "1-common/goerrno.h"
#include "1-common/xalloc.h"
#include "3-tsdb/chunkenc.h"
#include "3-tsdb/chunks_writer.h"
#include "3-tsdb/head.h"
#include "3-tsdb/index_writer.h"
#include "3-tsdb/stale_tmp.h"
#include "3-tsdb/ulid.h"
#include "3-tsdb/wio.h"


struct block_writer {
	char *dir;
	struct head *head;
	char *tmp;   /* tmp dir of a flush in progress, removed by free */
};

int block_writer_new(struct block_writer **out, const char *dir, int64_t chunk_range_ms, struct err *e)
{
	struct block_writer *w;

	if (chunk_range_ms <= 0)
		return err_set(e, "invalid chunk range %lld", (long long)chunk_range_ms);
	w = xcalloc(1, sizeof(*w));
	w->dir = xstrdup(dir);
	w->head = head_new(chunk_range_ms);
	*out = w;
	return 0;
}

int block_writer_append(struct block_writer *w, const struct label *ls, size_t n, int64_t t_ms, double v, struct err *e)
{
	return head_append(w->head, ls, n, t_ms, v, e);
}

int block_writer_append_get_ref(struct block_writer *w, const struct label *ls, size_t n, int64_t t_ms, double v,
				uint32_t *ref, struct err *e)
{
	return head_append_get_ref(w->head, ls, n, t_ms, v, ref, e);
}

int block_writer_append_ref(struct block_writer *w, uint32_t ref, int64_t t_ms, double v, struct err *e)
{
	return head_append_ref(w->head, ref, t_ms, v, e);
}

int block_writer_commit(struct block_writer *w, struct err *e)
{
	(void)e;
	head_commit(w->head);
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_all(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int fsync_path(const char *path, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, "open %s: %s", path, go_strerror(errno));
	if (fsync(fd) < 0) {
		int saved = errno;
		close(fd);
		return err_set(e, "sync %s: %s", path, go_strerror(saved));
	}
	close(fd);
	return 0;
}

/* Writes a whole small file as upstream does for meta.json and tombstones:
 * <name>.tmp, fsync, rename. */
static int write_small_file(const char *dir, const char *name, const void *data, size_t len, struct err *e)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *tmp = xasprintf("%s.tmp", path);
	struct wio out;
	int fd, ret = -1;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		err_set(e, "open %s: %s", tmp, go_strerror(errno));
		goto done;
	}
	wio_init_fd(&out, fd, tmp);
	wio_write(&out, data, len);
	wio_flush(&out);
	if (!out.err && fsync(fd) < 0)
		out.err = errno;
	if (wio_close(&out, e) < 0) {
		close(fd);
		goto done;
	}
	if (close(fd) < 0) {
		err_set(e, "close %s: %s", tmp, go_strerror(errno));
		goto done;
	}
	if (rename(tmp, path) < 0) {
		err_set(e, "rename %s %s: %s", tmp, path, go_strerror(errno));
		goto done;
	}
	ret = 0;
done:
	if (ret < 0)
		unlink(tmp);
	free(path);
	free(tmp);
	return ret;
}

/* Empty tombstones: magic, format version 1, CRC32C of nothing. */
static const unsigned char empty_tombstones[9] = { 0x01, 0x30, 0xba, 0x30, 0x01, 0, 0, 0, 0 };

/* populateBlock + the files of LeveledCompactor.write, into tmp. */
static int write_block(struct block_writer *w, const char *tmp, struct block_meta *meta, struct err *e)
{
	const struct head *h = w->head;
	size_t nseries = head_num_series(h);
	uint32_t *order = NULL;
	struct chunk_desc *descs = NULL;
	size_t *first = NULL;
	struct index_series *is = NULL;
	struct chunks_writer cw;
	bool cw_open = false;
	struct wio iw;
	char *path = NULL;
	struct buf metabuf = BUF_INIT;
	size_t ndescs = 0;
	int fd = -1, ret = -1;

	order = head_series_sorted(h);
	descs = xcalloc(head_num_chunks(h) + 1, sizeof(*descs));
	first = xcalloc(nseries + 1, sizeof(*first));
	is = xcalloc(nseries ? nseries : 1, sizeof(*is));

	path = xasprintf("%s/chunks", tmp);
	if (mkdir(path, 0777) < 0) {
		err_set(e, "mkdir %s: %s", path, go_strerror(errno));
		goto done;
	}
	chunks_writer_init(&cw, path, CHUNKS_DEFAULT_SEGMENT_SIZE);
	cw_open = true;
	for (size_t i = 0; i < nseries; i++) {
		struct head_chunk_iter it;
		size_t start = ndescs;

		head_chunk_iter_init(&it, h, order[i]);
		while (head_chunk_iter_next(&it, &descs[ndescs]))
			ndescs++;
		first[i] = start;
		if (ndescs == start)
			continue;
		if (chunks_writer_write(&cw, descs + start, ndescs - start, e) < 0)
			goto done;
		meta->stats.num_series++;
		meta->stats.num_chunks += ndescs - start;
		for (size_t k = start; k < ndescs; k++)
			meta->stats.num_samples += xor_chunk_num_samples(descs[k].data, descs[k].len);
	}
	first[nseries] = ndescs;
	cw_open = false;
	if (chunks_writer_close(&cw, e) < 0)
		goto done;

	{
		size_t nis = 0;
		for (size_t i = 0; i < nseries; i++) {
			const struct label *ls;
			size_t nls;

			if (first[i + 1] == first[i])
				continue;
			head_series_labels(h, order[i], &ls, &nls);
			is[nis++] = (struct index_series){ ls, nls, descs + first[i], first[i + 1] - first[i] };
		}
		free(path);
		path = xasprintf("%s/index", tmp);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd < 0) {
			err_set(e, "open %s: %s", path, go_strerror(errno));
			goto done;
		}
		wio_init_fd(&iw, fd, path);
		if (index_write(&iw, is, nis, e) < 0) {
			wio_release(&iw);
			goto done;
		}
		wio_flush(&iw);
		if (!iw.err && fsync(fd) < 0)
			iw.err = errno;
		if (wio_close(&iw, e) < 0)
			goto done;
		if (close(fd) < 0) {
			fd = -1;
			err_set(e, "close %s: %s", path, go_strerror(errno));
			goto done;
		}
		fd = -1;
	}

	meta->version = 1;
	block_meta_encode(&metabuf, meta);
	if (write_small_file(tmp, "meta.json", metabuf.data, metabuf.len, e) < 0)
		goto done;
	if (write_small_file(tmp, "tombstones", empty_tombstones, sizeof(empty_tombstones), e) < 0)
		goto done;
	if (fsync_path(tmp, e) < 0)
		goto done;
	ret = 0;
done:
	if (cw_open)
		chunks_writer_close(&cw, NULL);
	if (fd >= 0)
		close(fd);
	buf_release(&metabuf);
	free(path);
	free(order);
	free(descs);
	free(first);
	free(is);
	return ret;
}

int block_writer_flush(struct block_writer *w, struct block_meta *meta_out, struct err *e)
{
	struct head *h = w->head;
	struct block_meta meta;
	char *final = NULL;
	int ret = -1, lockfd = -1;

	block_meta_init(&meta);
	block_meta_init(meta_out);
	/* Samples of an uncommitted appender never reach the head upstream. */
	head_rollback(h);
	if (head_min_time(h) == INT64_MAX || head_num_samples(h) == 0)
		return 1;
	if (ulid_new(meta.ulid, ulid_now_ms(), e) < 0)
		return err_wrap(e, "compactor write");
	meta.min_time = head_min_time(h);
	meta.max_time = head_max_time(h) + 1;
	meta.compaction_level = 1;
	meta.sources = xcalloc(1, sizeof(*meta.sources));
	memcpy(meta.sources[0], meta.ulid, ULID_LEN + 1);
	meta.nsources = 1;

	final = xasprintf("%s/%s", w->dir, meta.ulid);
	free(w->tmp);
	w->tmp = xasprintf("%s" TSDB_TMP_FOR_CREATION, final);
	remove_all(w->tmp);
	if (mkdir(w->tmp, 0777) < 0) {
		err_set(e, "mkdir %s: %s", w->tmp, go_strerror(errno));
		goto done;
	}
	/* held while we write: a run starting meanwhile does not take the
	 * directory for one a killed run left (3-tsdb/stale_tmp.h) */
	lockfd = open(w->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lockfd >= 0)
		flock(lockfd, LOCK_EX);
	if (write_block(w, w->tmp, &meta, e) < 0)
		goto done;
	/* fileutil.Replace: drop any old dir of that name, rename, sync parent. */
	remove_all(final);
	if (rename(w->tmp, final) < 0) {
		err_set(e, "rename block dir: rename %s %s: %s", w->tmp, final, go_strerror(errno));
		goto done;
	}
	free(w->tmp);
	w->tmp = NULL;
	if (fsync_path(w->dir, e) < 0) {
		remove_all(final);
		goto done;
	}
	*meta_out = meta;
	block_meta_init(&meta);
	ret = 0;
done:
	if (ret < 0)
		err_wrap(e, "compactor write"); /* BlockWriter.Flush's wrapping */
	if (w->tmp) {
		remove_all(w->tmp);
		free(w->tmp);
		w->tmp = NULL;
	}
	if (lockfd >= 0)
		close(lockfd);
	block_meta_release(&meta);
	free(final);
	return ret;
}

void block_writer_free(struct block_writer *w)
{
	if (!w)
		return;
	if (w->tmp)
		remove_all(w->tmp);
	free(w->tmp);
	head_free(w->head);
	free(w->dir);
	free(w);
}
