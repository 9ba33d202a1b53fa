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

#include "1-common/compat.h"
#include "1-common/goerrno.h"
#include "1-common/xalloc.h"
#include "3-tsdb/chunkenc.h"
#include "3-tsdb/chunks_writer.h"
#include "3-tsdb/compact_merge.h"
#include "3-tsdb/head.h"
#include "3-tsdb/index_writer.h"
#include "3-tsdb/stale_tmp.h"
#include "3-tsdb/ulid.h"
#include "3-tsdb/wio.h"


struct block_writer {
	char *dir;
	int64_t chunk_range;
	struct head *head;
	char *tmp;   /* tmp dir of a flush in progress, removed by free */
	int tmp_lock; /* flock held on tmp while it is written, or -1 */
};

int block_writer_new(struct block_writer **out, const char *dir, int64_t chunk_range_ms, struct err *e)
{
	struct block_writer *w;

	if (chunk_range_ms <= 0)
		return err_set(e, "invalid chunk range %lld", (long long)chunk_range_ms);
	w = xcalloc(1, sizeof(*w));
	w->dir = xstrdup(dir);
	w->chunk_range = chunk_range_ms;
	w->head = head_new(chunk_range_ms);
	w->tmp_lock = -1;
	*out = w;
	return 0;
}

void block_writer_set_compat(struct block_writer *w, const struct compat *c)
{
	head_set_compat(w->head, c);
}

/* The index and meta.json of the heads' release (see block_writer_set_compat). */
static int write_index(struct wio *iw, const struct head *h, const struct index_series *is, size_t n, struct err *e)
{
	return index_write_ex(iw, is, n, !compat_on(head_compat(h), COMPAT_INDEX_NO_LABEL_INDICES), e);
}

static void encode_meta(struct buf *out, const struct head *h, struct block_meta *meta)
{
	bool float_stats = compat_on(head_compat(h), COMPAT_META_NUM_FLOAT_SAMPLES);

	/* every sample a float one: compact.go counts by chunk encoding */
	if (float_stats)
		meta->stats.num_float_samples = meta->stats.num_samples;
	block_meta_encode_ex(out, meta, float_stats);
}

void block_writer_set_spill(struct block_writer *w, struct head_spill *sp, size_t budget)
{
	head_set_spill(w->head, sp, budget);
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
/*
 * The rest of a block once its chunks are written: the index of is (n
 * series, sorted, labels and chunk refs from h's strings), then meta.json
 * and the empty tombstones, then an fsync of the directory tmp.
 */
static int write_index_meta(const char *tmp, const struct head *h, const struct index_series *is, size_t n,
			    struct block_meta *meta, struct err *e)
{
	char *path = xasprintf("%s/index", tmp);
	struct buf metabuf = BUF_INIT;
	struct wio iw;
	int fd, ret = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		err_set(e, "open %s: %s", path, go_strerror(errno));
		goto done;
	}
	wio_init_fd(&iw, fd, path);
	if (write_index(&iw, h, is, n, e) < 0) {
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

	meta->version = 1;
	encode_meta(&metabuf, h, meta);
	if (write_small_file(tmp, "meta.json", metabuf.data, metabuf.len, e) < 0)
		goto done;
	if (write_small_file(tmp, "tombstones", empty_tombstones, sizeof(empty_tombstones), e) < 0)
		goto done;
	if (fsync_path(tmp, e) < 0)
		goto done;
	ret = 0;
done:
	if (fd >= 0)
		close(fd);
	buf_release(&metabuf);
	free(path);
	return ret;
}

static int write_block(const struct head *h, const char *tmp, struct block_meta *meta, struct err *e)
{
	size_t nseries = head_num_series(h);
	uint32_t *order = NULL;
	struct chunk_desc *descs = NULL;
	size_t *first = NULL;
	struct index_series *is = NULL;
	struct chunks_writer cw;
	bool cw_open = false;
	char *path = NULL;
	size_t ndescs = 0;
	int ret = -1;

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
		if (write_index_meta(tmp, h, is, nis, meta, e) < 0)
			goto done;
	}
	ret = 0;
done:
	if (cw_open)
		chunks_writer_close(&cw, NULL);
	free(path);
	free(order);
	free(descs);
	free(first);
	free(is);
	return ret;
}

/* Chunks of one head series: its cut chunks, then the open one. */
static size_t series_descs(const struct head *h, uint32_t ref, struct chunk_desc *descs)
{
	struct head_chunk_iter it;
	size_t n = 0;

	head_chunk_iter_init(&it, h, ref);
	while (head_chunk_iter_next(&it, &descs[n]))
		n++;
	return n;
}

/* What the merged write collects for the index. */
struct merged_out {
	struct chunks_writer *cw;
	struct block_meta *meta;
	struct index_series *is;
	size_t nis, is_cap;
	struct chunk_desc **descs; /* one copy per series, refs filled in */
	size_t ndescs, descs_cap;
};

static int merged_emit(void *arg, const struct label *ls, size_t nls, struct chunk_desc *chks, size_t n,
		       struct err *e)
{
	struct merged_out *o = arg;
	struct chunk_desc *copy;

	if (chunks_writer_write(o->cw, chks, n, e) < 0)
		return -1;
	o->meta->stats.num_series++;
	o->meta->stats.num_chunks += n;
	for (size_t k = 0; k < n; k++)
		o->meta->stats.num_samples += xor_chunk_num_samples(chks[k].data, chks[k].len);
	copy = xcalloc(n, sizeof(*copy));
	for (size_t k = 0; k < n; k++) {
		copy[k] = chks[k];
		copy[k].data = NULL; /* the index needs times and refs only */
		copy[k].len = 0;
	}
	ALLOC_GROW(o->descs, o->ndescs + 1, o->descs_cap);
	o->descs[o->ndescs++] = copy;
	ALLOC_GROW(o->is, o->nis + 1, o->is_cap);
	o->is[o->nis++] = (struct index_series){ ls, nls, copy, n };
	return 0;
}

/*
 * The block the 2.42 compactor writes from the blocks these heads would
 * make (3-tsdb/compact_merge.h), into tmp: chunks, index, meta.json,
 * tombstones.
 */
static int write_block_merged(struct head *const *hs, size_t nh, const char *tmp, struct block_meta *meta,
			      struct err *e)
{
	struct merge_source *srcs = xcalloc(nh, sizeof(*srcs));
	struct merge_series **series = xcalloc(nh, sizeof(*series));
	struct chunk_desc **descs = xcalloc(nh, sizeof(*descs));
	struct merged_out o;
	struct chunks_writer cw;
	bool cw_open = false;
	char *path = NULL;
	int ret = -1;

	memset(&o, 0, sizeof(o));
	for (size_t i = 0; i < nh; i++) {
		const struct head *h = hs[i];
		size_t nser = head_num_series(h);
		uint32_t *order = head_series_sorted(h);
		size_t nd = 0;

		descs[i] = xcalloc(head_num_chunks(h) + 1, sizeof(*descs[i]));
		series[i] = xcalloc(nser ? nser : 1, sizeof(*series[i]));
		for (size_t k = 0; k < nser; k++) {
			const struct label *ls;
			size_t nls, n = series_descs(h, order[k], descs[i] + nd);
			if (!n)
				continue;
			head_series_labels(h, order[k], &ls, &nls);
			series[i][srcs[i].n++] = (struct merge_series){ ls, nls, descs[i] + nd, n };
			nd += n;
		}
		srcs[i].series = series[i];
		free(order);
	}

	path = xasprintf("%s/chunks", tmp);
	if (mkdir(path, 0777) < 0) {
		err_set(e, "mkdir %s: %s", path, go_strerror(errno));
		goto done;
	}
	chunks_writer_init(&cw, path, CHUNKS_DEFAULT_SEGMENT_SIZE);
	cw_open = true;
	o.cw = &cw;
	o.meta = meta;
	if (compact_merge(srcs, nh, compat_on(head_compat(hs[0]), COMPAT_BSTREAM_NO_QUIRK_BYTE), merged_emit, &o, e) < 0)
		goto done;
	cw_open = false;
	if (chunks_writer_close(&cw, e) < 0)
		goto done;

	if (write_index_meta(tmp, hs[0], o.is, o.nis, meta, e) < 0)
		goto done;
	ret = 0;
done:
	if (cw_open)
		chunks_writer_close(&cw, NULL);
	free(path);
	for (size_t i = 0; i < o.ndescs; i++)
		free(o.descs[i]);
	free(o.descs);
	free(o.is);
	for (size_t i = 0; i < nh; i++) {
		free(series[i]);
		free(descs[i]);
	}
	free(series);
	free(descs);
	free(srcs);
	return ret;
}

static void unlock_tmp(int *lock_slot)
{
	if (*lock_slot >= 0)
		close(*lock_slot);
	*lock_slot = -1;
}

/*
 * The first half of BlockWriter.Flush for one head (nh == 1: the write
 * path of a promtool import) or of the compaction of several (nh > 1):
 * the whole block written and synced in <dir>/<ulid>.tmp-for-creation,
 * whose path is left in *tmp_slot (so that freeing the writer removes it).
 * ulid is the new block's name, or NULL for a fresh one.  Returns 0 with
 * *meta_out filled, 1 when there is nothing to write, or -1 (nothing left
 * behind).
 */
static int prepare_heads(const char *dir, struct head *const *hs, size_t nh, const char *ulid,
			 struct block_meta *meta_out, char **tmp_slot, int *lock_slot, struct err *e)
{
	struct block_meta meta;
	uint64_t samples = 0;
	int ret = -1;

	block_meta_init(&meta);
	block_meta_init(meta_out);
	meta.min_time = INT64_MAX;
	meta.max_time = INT64_MIN;
	for (size_t i = 0; i < nh; i++) {
		struct head *h = hs[i];
		/* Samples of an uncommitted appender never reach the head upstream. */
		head_rollback(h);
		if (head_min_time(h) == INT64_MAX || head_num_samples(h) == 0)
			continue;
		samples += head_num_samples(h);
		if (head_min_time(h) < meta.min_time)
			meta.min_time = head_min_time(h);
		if (head_max_time(h) + 1 > meta.max_time)
			meta.max_time = head_max_time(h) + 1;
	}
	if (samples == 0)
		return 1;
	for (size_t i = 0; i < nh; i++)
		if (head_load_spilled(hs[i], e) < 0)
			return err_wrap(e, "compactor write");
	if (ulid)
		memcpy(meta.ulid, ulid, ULID_LEN + 1);
	else if (ulid_new(meta.ulid, ulid_now_ms(), e) < 0)
		return err_wrap(e, "compactor write");
	meta.compaction_level = 1;
	meta.sources = xcalloc(1, sizeof(*meta.sources));
	memcpy(meta.sources[0], meta.ulid, ULID_LEN + 1);
	meta.nsources = 1;

	free(*tmp_slot);
	*tmp_slot = xasprintf("%s/%s" TSDB_TMP_FOR_CREATION, dir, meta.ulid);
	remove_all(*tmp_slot);
	if (mkdir(*tmp_slot, 0777) < 0) {
		err_set(e, "mkdir %s: %s", *tmp_slot, go_strerror(errno));
		goto done;
	}
	/* held until the rename: a run starting meanwhile does not take the
	 * directory for one a killed run left (3-tsdb/stale_tmp.h) */
	*lock_slot = open(*tmp_slot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*lock_slot >= 0)
		flock(*lock_slot, LOCK_EX);
	if ((nh == 1 ? write_block(hs[0], *tmp_slot, &meta, e) : write_block_merged(hs, nh, *tmp_slot, &meta, e)) < 0)
		goto done;
	*meta_out = meta;
	block_meta_init(&meta);
	ret = 0;
done:
	if (ret < 0) {
		err_wrap(e, "compactor write"); /* BlockWriter.Flush's wrapping */
		remove_all(*tmp_slot);
		free(*tmp_slot);
		*tmp_slot = NULL;
		unlock_tmp(lock_slot);
	}
	block_meta_release(&meta);
	return ret;
}


/* The second half: the prepared block renamed into place, dir synced. */
static int commit_tmp(const char *dir, char **tmp_slot, int *lock_slot, struct err *e)
{
	size_t n = strlen(*tmp_slot) - strlen(TSDB_TMP_FOR_CREATION);
	char *final = xstrndup(*tmp_slot, n);
	int ret = -1;

	/* fileutil.Replace: drop any old dir of that name, rename, sync parent. */
	remove_all(final);
	if (rename(*tmp_slot, final) < 0) {
		err_set(e, "rename block dir: rename %s %s: %s", *tmp_slot, final, go_strerror(errno));
		goto done;
	}
	free(*tmp_slot);
	*tmp_slot = NULL;
	unlock_tmp(lock_slot);
	if (fsync_path(dir, e) < 0) {
		remove_all(final);
		goto done;
	}
	ret = 0;
done:
	if (ret < 0) {
		err_wrap(e, "compactor write");
		if (*tmp_slot) {
			remove_all(*tmp_slot);
			free(*tmp_slot);
			*tmp_slot = NULL;
		}
		unlock_tmp(lock_slot);
	}
	free(final);
	return ret;
}

static int flush_heads(const char *dir, struct head *const *hs, size_t nh, const char *ulid,
		       struct block_meta *meta_out, char **tmp_slot, int *lock_slot, struct err *e)
{
	int rc = prepare_heads(dir, hs, nh, ulid, meta_out, tmp_slot, lock_slot, e);

	if (rc != 0)
		return rc;
	if (commit_tmp(dir, tmp_slot, lock_slot, e) < 0) {
		block_meta_release(meta_out);
		return -1;
	}
	return 0;
}

int block_writer_prepare(struct block_writer *w, const char *ulid, struct block_meta *meta_out, struct err *e)
{
	struct head *h = w->head;
	int rc = prepare_heads(w->dir, &h, 1, ulid, meta_out, &w->tmp, &w->tmp_lock, e);

	if (rc == 0) {
		/* the samples are on disk now: several blocks can be prepared
		 * at once without holding every head */
		head_free(w->head);
		w->head = head_new(w->chunk_range);
	}
	return rc;
}

int block_writer_commit_prepared(struct block_writer *w, struct err *e)
{
	return commit_tmp(w->dir, &w->tmp, &w->tmp_lock, e);
}

int block_writer_flush(struct block_writer *w, struct block_meta *meta_out, struct err *e)
{
	struct head *h = w->head;

	return flush_heads(w->dir, &h, 1, NULL, meta_out, &w->tmp, &w->tmp_lock, e);
}

int block_writer_flush_as(struct block_writer *w, const char *ulid, struct block_meta *meta_out, struct err *e)
{
	struct head *h = w->head;

	return flush_heads(w->dir, &h, 1, ulid, meta_out, &w->tmp, &w->tmp_lock, e);
}

int block_writer_flush_merged(struct block_writer *const *ws, size_t n, const char *ulid,
			      struct block_meta *meta_out, struct err *e)
{
	struct head **hs = xcalloc(n ? n : 1, sizeof(*hs));
	int rc;

	for (size_t i = 0; i < n; i++)
		hs[i] = ws[i]->head;
	rc = n ? flush_heads(ws[0]->dir, hs, n, ulid, meta_out, &ws[0]->tmp, &ws[0]->tmp_lock, e) : (block_meta_init(meta_out), 1);
	free(hs);
	return rc;
}

int64_t block_writer_min_time(const struct block_writer *w)
{
	return head_min_time(w->head);
}

void block_writer_free(struct block_writer *w)
{
	if (!w)
		return;
	if (w->tmp)
		remove_all(w->tmp);
	free(w->tmp);
	unlock_tmp(&w->tmp_lock);
	head_free(w->head);
	free(w->dir);
	free(w);
}
