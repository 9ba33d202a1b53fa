/*
 * The OpenMetrics importer under version profiles (issue 13): custom
 * labels (--label, 2.55), and the block bytes of a profile through the
 * one-pass import, whose windows spill finished chunks to a file.  A file
 * of its own because it reads blocks back (3-tsdb/db_reader.h), whose
 * index_series is not the writer's.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "1-common/compat.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
#include "2-model/matcher.h"
#include "3-tsdb/block_writer.h"
#include "3-tsdb/chunkenc.h"
#include "3-tsdb/db_reader.h"
#include "7-backfill/om_import.h"
#include "tests/unit/check.h"

/*
 * cmd/promtool/backfill.go createBlocks at v2.55.0: lb.Reset(l), Set every
 * custom label, lb.Labels().  b=2 is added, a="" removes a, __name__ stays.
 */
static void test_om_custom_labels(void)
{
	static const char om[] = "m{a=\"1\",c=\"3\"} 1 1700000000\nm{a=\"2\"} 2 1700000001\n# EOF\n";
	struct label extra[] = { { "b", "2" }, { "a", "" } };
	char dir[] = "/tmp/test_compat_tsdb.XXXXXX", *in = NULL;
	struct om_import_opts o = { 0 };
	struct tsdb_db db;
	struct label_matcher m = { LABEL_MATCH_NOT_EQUAL, "__name__", "", 0, NULL };
	struct tsdb_series_set *set = NULL;
	struct buf got = BUF_INIT;
	struct err e = ERR_INIT;
	FILE *f;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	in = xasprintf("%s/in.om", dir);
	f = fopen(in, "w");
	fputs(om, f);
	fclose(f);
	o.input_path = in;
	o.output_dir = dir;
	o.max_samples_in_appender = 5000;
	o.labels = extra;
	o.nlabels = 2;
	fd = om_import_open(in, &e);
	CHECK(fd >= 0);
	CHECK_EQ_I(om_import_run(fd, &o, &e), 0);
	close(fd);
	tsdb_db_init(&db);
	CHECK_EQ_I(tsdb_db_open_blocks(&db, dir, &e), 0);
	CHECK_EQ_I(tsdb_db_select(&db, &m, 1, INT64_MIN, INT64_MAX, &set, &e), 0);
	while (set && tsdb_series_set_next(set, &e) > 0) {
		size_t n;
		const struct label *ls = tsdb_series_set_labels(set, &n);
		int64_t t;
		double v;

		labels_format(&got, ls, n);
		while (tsdb_series_set_sample(set, &t, &v, &e) > 0)
			buf_addf(&got, " %g@%lld", v, (long long)t);
		buf_addc(&got, ';');
	}
	CHECK_STR(buf_str(&got), "{__name__=\"m\", b=\"2\"} 2@1700000001000;{__name__=\"m\", b=\"2\", c=\"3\"} 1@1700000000000;");
	tsdb_series_set_free(set);
	tsdb_db_release(&db);
	{
		char *cmd = xasprintf("rm -rf '%s'", dir);
		CHECK_EQ_I(system(cmd), 0);
		free(cmd);
	}
	free(in);
	buf_release(&got);
	err_release(&e);
}

/* The whole of dir/<the one block>/name. */
static void read_block_file(const char *dir, const char *name, struct buf *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int blocks = 0;

	CHECK(d != NULL);
	while (d && (de = readdir(d))) {
		char *path, chunk[65536];
		FILE *f;
		size_t n;

		if (strlen(de->d_name) != 26)
			continue; /* a ULID */
		blocks++;
		path = xasprintf("%s/%s/%s", dir, de->d_name, name);
		f = fopen(path, "rb");
		CHECK(f != NULL);
		while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_add(out, chunk, n);
		if (f)
			fclose(f);
		free(path);
	}
	if (d)
		closedir(d);
	CHECK_EQ_I(blocks, 1);
}

/*
 * The chunks of a segment file (tsdb/docs/format/chunks.md: an 8-byte
 * header, then uvarint length, encoding, data, CRC32 each); returns how
 * many, at most max, with their data and length.
 */
static size_t segment_chunks(const struct buf *seg, const unsigned char **data, size_t *len, size_t max)
{
	size_t n = 0, i = 8;

	while (i < seg->len && n < max) {
		uint64_t l = 0;
		int shift = 0;

		while (i < seg->len && (seg->data[i] & 0x80)) {
			l |= (uint64_t)(seg->data[i++] & 0x7f) << shift;
			shift += 7;
		}
		CHECK(i < seg->len);
		l |= (uint64_t)seg->data[i++] << shift;
		i++; /* encoding */
		CHECK(l <= seg->len - i);
		data[n] = (const unsigned char *)seg->data + i;
		len[n++] = (size_t)l;
		i += (size_t)l + 4;
	}
	return n;
}

/* The last timestamp of an XOR chunk. */
static int64_t chunk_last_t(const unsigned char *d, size_t len)
{
	struct xor_iter it;
	int64_t t = INT64_MIN;

	xor_iter_init(&it, d, len);
	while (xor_iter_next(&it))
		t = it.t;
	CHECK(!it.err);
	return t;
}

static void rm_rf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	CHECK_EQ_I(system(cmd), 0);
	free(cmd);
}

/*
 * A window whose finished chunks pass the pass's spill budget (64 KiB,
 * 7-backfill/om_pass.c): 200 series x 480 samples at 15s, values of six
 * bits, so ~600 cut chunks of ~300 bytes go through the spill file.  Its
 * chunks and index must be those of a block writer fed the same samples
 * in memory, under 2.42 (NULL) and under 3.0 (no bstream quirk byte,
 * 1005-byte cuts, float end times); and 3.0's quirk byte must be gone from
 * cut chunks too, i.e. dropped when the chunk is cut, before a spill
 * copies it (gate BSTREAM_NO_QUIRK_BYTE, 3-tsdb/head.c open_len()).
 */
static void test_om_profile_spilled(void)
{
	struct compat v30;
	const struct compat *cs[] = { NULL, &v30 };
	struct err e = ERR_INIT;
	struct buf c242 = BUF_INIT;

	CHECK_EQ_I(compat_parse(&v30, "3.0.0", &e), 0);
	for (int k = 0; k < 2; k++) {
		char dir[] = "/tmp/test_compat_import.XXXXXX";
		char *in, *a, *b;
		struct om_import_opts o = { 0 };
		struct block_writer *w = NULL;
		struct block_meta meta;
		struct buf ca = BUF_INIT, cb = BUF_INIT, ia = BUF_INIT, ib = BUF_INIT;
		FILE *f;
		int fd;

		CHECK(mkdtemp(dir) != NULL);
		in = xasprintf("%s/in.om", dir);
		a = xasprintf("%s/a", dir);
		b = xasprintf("%s/b", dir);
		CHECK_EQ_I(mkdir(a, 0777), 0);
		CHECK_EQ_I(mkdir(b, 0777), 0);
		f = fopen(in, "w");
		CHECK(f != NULL);
		CHECK_EQ_I(block_writer_new(&w, b, 2 * 7200000, &e), 0);
		block_writer_set_compat(w, cs[k]);
		for (int t = 0; t < 480; t++) {
			for (int j = 0; j < 200; j++) {
				char jv[8];
				struct label ls[2] = { { "__name__", "m" }, { "j", jv } };
				int64_t ts = 1699999200LL + (int64_t)t * 15;
				double v = (double)(((uint32_t)(j * 7 + t * 13) * 2654435761u >> 7) % 64) / 8.0;

				snprintf(jv, sizeof(jv), "%03d", j);
				fprintf(f, "m{j=\"%s\"} %.17g %lld\n", jv, v, (long long)ts);
				CHECK_EQ_I(block_writer_append(w, ls, 2, ts * 1000, v, &e), 0);
				if ((t * 200 + j) % 5000 == 4999)
					CHECK_EQ_I(block_writer_commit(w, &e), 0);
			}
		}
		fputs("# EOF\n", f);
		fclose(f);
		CHECK_EQ_I(block_writer_commit(w, &e), 0);
		block_meta_init(&meta);
		CHECK_EQ_I(block_writer_flush(w, &meta, &e), 0);
		block_meta_release(&meta);
		block_writer_free(w);

		o.input_path = in;
		o.output_dir = a;
		o.max_samples_in_appender = 5000;
		o.compat = cs[k];
		fd = om_import_open(in, &e);
		CHECK(fd >= 0);
		CHECK_EQ_I(om_import_run(fd, &o, &e), 0);
		close(fd);

		read_block_file(a, "chunks/000001", &ca);
		read_block_file(b, "chunks/000001", &cb);
		read_block_file(a, "index", &ia);
		read_block_file(b, "index", &ib);
		CHECK(ca.len > (200u << 10));
		CHECK_MEM(ca.data, ca.len, cb.data, cb.len);
		CHECK_MEM(ia.data, ia.len, ib.data, ib.len);
		if (k == 0) {
			c242 = ca;
			ca = (struct buf)BUF_INIT;
		} else {
			/* 3.0's chunks are 2.42's, some without their last
			 * (quirk) byte, among them cut ones (which spilled) */
			enum { MAXC = 4096 };
			static const unsigned char *d2[MAXC], *d3[MAXC];
			static size_t l2[MAXC], l3[MAXC];
			size_t n2 = segment_chunks(&c242, d2, l2, MAXC), n3 = segment_chunks(&ca, d3, l3, MAXC);
			size_t cut_trimmed = 0, bad = 0;

			CHECK_EQ_U(n2, n3);
			CHECK(n2 > 600 && n2 < MAXC);
			for (size_t i = 0; i < n2 && i < n3; i++) {
				bool trimmed = l2[i] == l3[i] + 1 && d2[i][l3[i]] == 0;

				bad += !(l2[i] == l3[i] || trimmed) || memcmp(d2[i], d3[i], l3[i]) != 0;
				if (trimmed && chunk_last_t(d3[i], l3[i]) < (1699999200LL + 479 * 15) * 1000)
					cut_trimmed++;
			}
			CHECK_EQ_U(bad, 0);
			CHECK(cut_trimmed > 0);
		}
		buf_release(&ca);
		buf_release(&cb);
		buf_release(&ia);
		buf_release(&ib);
		rm_rf(dir);
		free(in);
		free(a);
		free(b);
	}
	buf_release(&c242);
	err_release(&e);
}

int main(void)
{
	RUN(test_om_custom_labels);
	RUN(test_om_profile_spilled);
	return check_done();
}
