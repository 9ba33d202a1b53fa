/*
 * Fuzz target for the head of a data dir: the input is split (by its first
 * four bytes, a big-endian length) into a WAL segment and a chunks_head
 * file, written to a fresh directory as wal/00000000 and
 * chunks_head/000001, then read as `tsdb dump` reads them: the segment's
 * records through the WAL reader (fragments, CRCs, snappy), the head
 * replayed (series, samples, tombstones records; m-mapped chunks), and
 * every sample of every series selected.  Any input must load or fail
 * with a message, never crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "1-common/bytes.h"
#include "1-common/err.h"
#include "2-model/matcher.h"
#include "3-tsdb/db_reader.h"
#include "3-tsdb/wal_reader.h"

static void put(const char *path, const uint8_t *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		abort();
	if (n && fwrite(data, 1, n, f) != n)
		abort();
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* in memory where there is a tmpfs: this target writes files */
	char dir[] = "/dev/shm/fuzz_wal.XXXXXX", p[64], q[64];
	struct wal_reader wr;
	struct tsdb_db db;
	struct tsdb_series_set *set = NULL;
	struct err e = ERR_INIT;
	struct label_matcher all = { .type = LABEL_MATCH_NOT_EQUAL, .name = "__name__", .value = "" };
	const unsigned char *rec;
	size_t wl, rl;
	int r;

	if (size < 4)
		return 0;
	wl = get_be32(data);
	data += 4;
	size -= 4;
	if (wl > size)
		wl = size;
	/* the segment alone, through the reader */
	wal_reader_init(&wr, data, wl, "fuzz");
	while ((r = wal_reader_next(&wr, &rec, &rl, &e)) > 0)
		;
	if (r < 0 && !err_isset(&e))
		abort();
	err_release(&e);
	wal_reader_release(&wr);
	/* and as a data dir's head */
	if (!mkdtemp(dir)) {
		memcpy(dir, "/tmp/fuzz_wal.XXXXXX", sizeof("/tmp/fuzz_wal.XXXXXX"));
		if (!mkdtemp(dir))
			abort();
	}
	snprintf(p, sizeof(p), "%s/wal", dir);
	snprintf(q, sizeof(q), "%s/chunks_head", dir);
	mkdir(p, 0777);
	mkdir(q, 0777);
	snprintf(p, sizeof(p), "%s/wal/00000000", dir);
	put(p, data, wl);
	snprintf(q, sizeof(q), "%s/chunks_head/000001", dir);
	if (size > wl)
		put(q, data + wl, size - wl);
	tsdb_db_init(&db);
	if (tsdb_db_open(&db, dir, INT64_MAX, &e) == 0 &&
	    tsdb_db_select(&db, &all, 1, INT64_MIN, INT64_MAX, &set, &e) == 0) {
		while ((r = tsdb_series_set_next(set, &e)) > 0) {
			int64_t t;
			double v;
			size_t nl;
			(void)tsdb_series_set_labels(set, &nl);
			while ((r = tsdb_series_set_sample(set, &t, &v, &e)) > 0)
				;
			if (r < 0)
				break;
		}
	}
	if (err_isset(&e) && !*err_msg(&e))
		abort();
	tsdb_series_set_free(set);
	tsdb_db_release(&db);
	err_release(&e);
	unlink(p);
	unlink(q);
	snprintf(p, sizeof(p), "%s/wal", dir);
	rmdir(p);
	snprintf(q, sizeof(q), "%s/chunks_head", dir);
	rmdir(q);
	rmdir(dir);
	return 0;
}
