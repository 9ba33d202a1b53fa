/*
 * printBlocks of cmd/promtool/tsdb.go (2.42), with Go's text/tabwriter
 * reduced to what that call uses: cells end in '\t', the last cell of a
 * line is not aligned, a column is as wide as its widest cell plus padding 2
 * but at least 13 (minwidth), padded with spaces.  Every row of one call has
 * the same 8 cells, so the rows form a single column block.
 */
#include "8-promtool/blocktable.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "1-common/goerrno.h"
#include "1-common/xalloc.h"
#include "3-tsdb/stale_tmp.h"

#define NCOLS 8
#define TW_MINWIDTH 13
#define TW_PADDING 2

static const char *const header_cells[NCOLS] = {
	"BLOCK ULID", "MIN TIME", "MAX TIME", "DURATION",
	"NUM SAMPLES", "NUM CHUNKS", "NUM SERIES", "SIZE",
};

/* Days since 1970-01-01 to civil date (proleptic Gregorian), any range. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* getFormatedTime: milliseconds, or time.Unix(ms/1000, 0).UTC().String(). */
static void fmt_time(struct buf *out, int64_t ms, bool human)
{
	int64_t sec, days, rem, y;
	unsigned mo, d;

	if (!human) {
		buf_addf(out, "%" PRId64, ms);
		return;
	}
	sec = ms / 1000; /* Go's integer division truncates toward zero */
	days = sec / 86400;
	rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &mo, &d);
	if (y < 0)
		buf_addf(out, "-%04" PRId64, -y);
	else
		buf_addf(out, "%04" PRId64, y);
	buf_addf(out, "-%02u-%02u %02d:%02d:%02d +0000 UTC", mo, d,
		 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}

/* getFormatedBytes: the number, or units.Base2Bytes(n).String(), which
 * spells every non-zero base-1024 digit: 1536 -> "1KiB512B". */
static void fmt_bytes(struct buf *out, uint64_t n, bool human)
{
	static const char *const units[] = { "", "K", "M", "G", "T", "P", "E" };
	char parts[7][32];
	int64_t v = (int64_t)n;
	size_t used = 0;

	if (!human) {
		buf_addf(out, "%" PRId64, v);
		return;
	}
	memset(parts, 0, sizeof(parts));
	for (size_t i = 0; i < 7; i++) {
		if (v % 1024 != 0 || (i == 0 && v == 0)) {
			snprintf(parts[i], sizeof(parts[i]), "%" PRId64 "%s%s", v % 1024, units[i],
				 i == 0 ? "B" : "iB");
		}
		used = i + 1;
		v /= 1024;
		if (v == 0)
			break;
	}
	for (size_t i = used; i-- > 0;)
		buf_adds(out, parts[i]);
}

void print_blocks(FILE *out, const struct block_meta *metas, const uint64_t *sizes, size_t n, bool header, bool human)
{
	size_t nrows = n + (header ? 1 : 0);
	struct buf *cells = xcalloc(nrows ? nrows * NCOLS : 1, sizeof(*cells));
	size_t width[NCOLS] = { 0 };
	size_t r = 0;

	if (header) {
		for (size_t c = 0; c < NCOLS; c++)
			buf_adds(&cells[c], header_cells[c]);
		r = 1;
	}
	for (size_t i = 0; i < n; i++, r++) {
		const struct block_meta *m = &metas[i];
		struct buf *row = &cells[r * NCOLS];

		buf_adds(&row[0], m->ulid);
		fmt_time(&row[1], m->min_time, human);
		fmt_time(&row[2], m->max_time, human);
		/* time.Duration(maxt-mint) * time.Millisecond, wrapping as Go does */
		go_fmt_duration(&row[3], (int64_t)((uint64_t)(m->max_time - m->min_time) * 1000000u));
		buf_addf(&row[4], "%" PRIu64, m->stats.num_samples);
		buf_addf(&row[5], "%" PRIu64, m->stats.num_chunks);
		buf_addf(&row[6], "%" PRIu64, m->stats.num_series);
		fmt_bytes(&row[7], sizes[i], human);
	}
	for (r = 0; r < nrows; r++)
		for (size_t c = 0; c + 1 < NCOLS; c++)
			if (cells[r * NCOLS + c].len > width[c])
				width[c] = cells[r * NCOLS + c].len;
	for (size_t c = 0; c + 1 < NCOLS; c++) {
		width[c] += TW_PADDING;
		if (width[c] < TW_MINWIDTH)
			width[c] = TW_MINWIDTH;
	}
	for (r = 0; r < nrows; r++) {
		for (size_t c = 0; c < NCOLS; c++) {
			const struct buf *cell = &cells[r * NCOLS + c];
			fwrite(buf_str(cell), 1, cell->len, out);
			if (c + 1 < NCOLS)
				fprintf(out, "%*s", (int)(width[c] - cell->len), "");
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < nrows * NCOLS; i++)
		buf_release(&cells[i]);
	free(cells);
}

static int add_file_size(const char *path, bool optional, uint64_t *total, struct err *e)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (optional && errno == ENOENT)
			return 0;
		return err_set(e, "stat %s: %s", path, go_strerror(errno));
	}
	*total += (uint64_t)st.st_size;
	return 0;
}

/* chunks.NewDirReader counts files whose names parse as unsigned integers. */
static bool is_segment_name(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return strlen(name) <= 20;
}

int block_dir_size(const char *dir, uint64_t *out, struct err *e)
{
	char *path = NULL;
	DIR *d = NULL;
	struct dirent *de;
	uint64_t total = 0;
	int ret = -1;

	path = xasprintf("%s/chunks", dir);
	d = opendir(path);
	if (!d) {
		err_set(e, "open %s: %s", path, go_strerror(errno));
		goto done;
	}
	while ((de = readdir(d)) != NULL) {
		char *p;
		int r;

		if (!is_segment_name(de->d_name))
			continue;
		p = xasprintf("%s/%s", path, de->d_name);
		r = add_file_size(p, false, &total, e);
		free(p);
		if (r < 0)
			goto done;
	}
	free(path);
	path = xasprintf("%s/index", dir);
	if (add_file_size(path, false, &total, e) < 0)
		goto done;
	free(path);
	path = xasprintf("%s/tombstones", dir);
	if (add_file_size(path, true, &total, e) < 0)
		goto done;
	free(path);
	path = xasprintf("%s/meta.json", dir);
	if (add_file_size(path, false, &total, e) < 0)
		goto done;
	*out = total;
	ret = 0;
done:
	if (d)
		closedir(d);
	free(path);
	return ret;
}

void print_skipped_blocks(char *const *skipped, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s\n", skipped[i]);
}

void remove_stale_tmp_dirs(const char *dir)
{
	char **removed;
	size_t n;
	struct err e = ERR_INIT;

	if (tsdb_remove_stale_tmp(dir, &removed, &n, &e) < 0)
		fprintf(stderr, "cannot remove a stale temporary block directory: %s\n", err_msg(&e));
	if (n == 1) {
		fprintf(stderr, "removed stale temporary block directory '%s' left by an interrupted run\n", removed[0]);
	} else if (n > 1) {
		fprintf(stderr, "removed %zu stale temporary block directories left by interrupted runs:", n);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " '%s'", removed[i]);
		fputc('\n', stderr);
	}
	for (size_t i = 0; i < n; i++)
		free(removed[i]);
	free(removed);
	err_release(&e);
}
