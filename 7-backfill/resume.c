/*
 * The resume state file (7-backfill/resume.h).
 */
#include "7-backfill/resume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "1-common/fileutil.h"
#include "1-common/goerrno.h"
#include "1-common/xalloc.h"

#define HEADER "promtool rules backfill resume state v1\n"

struct rb_resume {
	int fd;
	char *dir, *path;
	bool *done;   /* per unit; one byte each, so readers of other units never race */
	size_t nunits, ndone;
	int kill_at, points;
};

static void crash_point(struct rb_resume *r)
{
	if (r->kill_at > 0 && ++r->points == r->kill_at)
		kill(getpid(), SIGKILL);
}

static int sync_dir(const char *dir, struct err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, "open %s: %s", dir, go_strerror(errno));
	if (fsync(fd) < 0) {
		int saved = errno;
		close(fd);
		return err_set(e, "sync %s: %s", dir, go_strerror(saved));
	}
	close(fd);
	return 0;
}

/* Writes data whole and fsyncs (path for messages). */
static int write_synced(int fd, const char *path, const char *data, size_t len, struct err *e)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(e, "write %s: %s", path, go_strerror(errno));
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0)
		return err_set(e, "sync %s: %s", path, go_strerror(errno));
	return 0;
}

/* One whole line, durably. */
static int append(struct rb_resume *r, const char *line, struct err *e)
{
	return write_synced(r->fd, r->path, line, strlen(line), e);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/*
 * Blocks a killed run was still writing (<ULID>.tmp-for-creation): never
 * renamed into place, so never recorded; Prometheus removes them on
 * startup too.
 */
static void remove_tmp_blocks(const char *dir)
{
	static const char suffix[] = ".tmp-for-creation";
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (n == 26 + sizeof(suffix) - 1 && !strcmp(de->d_name + 26, suffix)) {
			char *path = xasprintf("%s/%s", dir, de->d_name);
			nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
			free(path);
		}
	}
	closedir(d);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int read_all(const char *path, struct buf *out, struct err *e)
{
	char tmp[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return err_set(e, "open %s: %s", path, go_strerror(errno));
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set(e, "read %s: %s", path, go_strerror(errno));
			close(fd);
			return -1;
		}
		buf_add(out, tmp, (size_t)n);
	}
	close(fd);
	return 0;
}

/* The value of key in "key=value\n" lines, as a fresh string ("" if absent). */
static char *arg_value(const char *args, const char *key, size_t klen)
{
	for (const char *p = args; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > klen && !strncmp(p, key, klen) && p[klen] == '=')
			return xstrndup(p + klen + 1, len - klen - 1);
		p += len + (nl ? 1 : 0);
	}
	return xstrdup("(none)");
}

/* Names the first argument whose recorded value differs. */
static int args_differ(const char *path, const char *rec, const char *now, struct err *e)
{
	const char *a = rec, *b = now;

	for (;;) {
		const char *na = strchr(a, '\n'), *nb = strchr(b, '\n');
		size_t la = na ? (size_t)(na - a) : strlen(a), lb = nb ? (size_t)(nb - b) : strlen(b);
		if (la != lb || memcmp(a, b, la)) {
			const char *line = la ? a : b;
			const char *eq = memchr(line, '=', la ? la : lb);
			size_t klen = eq ? (size_t)(eq - line) : (la ? la : lb);
			char *key = xstrndup(line, klen), *v1 = arg_value(rec, key, klen), *v2 = arg_value(now, key, klen);
			err_set(e, "--resume: the arguments differ from those recorded in '%s': %s was %s, now %s", path,
				key, v1, v2);
			free(key);
			free(v1);
			free(v2);
			return -1;
		}
		if (!na)
			return 0;
		a = na + 1;
		b = nb + 1;
	}
}

struct pending {
	size_t unit;
	char ulid[27];
};

/* Reads an existing state: arguments, done units, units begun. */
static int load(struct rb_resume *r, const char *args, struct err *e)
{
	struct buf b = BUF_INIT, rec = BUF_INIT;
	struct pending *pend = NULL;
	size_t npend = 0, cap = 0, good = 0;
	char *text;
	int rc = -1;

	if (read_all(r->path, &b, e) < 0)
		goto done;
	text = (char *)b.data;
	if (b.len < sizeof(HEADER) - 1 || memcmp(text, HEADER, sizeof(HEADER) - 1)) {
		err_set(e, "--resume: '%s' is not a resume state file", r->path);
		goto done;
	}
	for (size_t off = sizeof(HEADER) - 1; off < b.len;) {
		char *nl = memchr(text + off, '\n', b.len - off), *line = text + off;
		unsigned long long u;
		char word[8], id[32];
		if (!nl)
			break; /* a torn last line */
		*nl = '\0';
		good = (size_t)(nl - text) + 1;
		off = good;
		if (!strncmp(line, "arg ", 4)) {
			buf_adds(&rec, line + 4);
			buf_addc(&rec, '\n');
			continue;
		}
		if (sscanf(line, "%7s %llu %31s", word, &u, id) != 3 || u >= r->nunits ||
		    (strcmp(word, "begin") && strcmp(word, "done")) || (strlen(id) != 26 && strcmp(id, "-"))) {
			err_set(e, "--resume: '%s': bad line %s", r->path, line);
			goto done;
		}
		if (!strcmp(word, "done")) {
			if (!r->done[u])
				r->ndone++;
			r->done[u] = true;
		} else {
			ALLOC_GROW(pend, npend + 1, cap);
			pend[npend].unit = (size_t)u;
			memcpy(pend[npend++].ulid, id, 27);
		}
	}
	if (args_differ(r->path, buf_str(&rec), args, e) < 0)
		goto done;
	r->fd = open(r->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (r->fd < 0) {
		err_set(e, "open %s: %s", r->path, go_strerror(errno));
		goto done;
	}
	if (good < b.len && ftruncate(r->fd, (off_t)good) < 0) {
		err_set(e, "truncate %s: %s", r->path, go_strerror(errno));
		goto done;
	}
	remove_tmp_blocks(r->dir);
	/* units begun and not done: complete if their block made it */
	for (size_t i = 0; i < npend; i++) {
		char *blk, *tmp, line[96];
		if (r->done[pend[i].unit])
			continue;
		blk = xasprintf("%s/%s", r->dir, pend[i].ulid);
		tmp = xasprintf("%s.tmp-for-creation", blk);
		nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		if (is_dir(blk)) {
			snprintf(line, sizeof(line), "done %zu %s\n", pend[i].unit, pend[i].ulid);
			if (append(r, line, e) < 0) {
				free(blk);
				free(tmp);
				goto done;
			}
			r->done[pend[i].unit] = true;
			r->ndone++;
		}
		free(blk);
		free(tmp);
	}
	rc = 0;
done:
	free(pend);
	buf_release(&rec);
	buf_release(&b);
	return rc;
}

/* A new state: header and arguments, written whole and renamed into place. */
static int create(struct rb_resume *r, const char *args, struct err *e)
{
	struct buf b = BUF_INIT;
	char *tmp = xasprintf("%s.tmp", r->path);
	int fd = -1, rc = -1;

	buf_adds(&b, HEADER);
	for (const char *p = args; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		buf_adds(&b, "arg ");
		buf_add(&b, p, len);
		buf_addc(&b, '\n');
		p += len + (nl ? 1 : 0);
	}
	if (go_mkdir_all(r->dir, 0777, e) < 0)
		goto done;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		err_set(e, "open %s: %s", tmp, go_strerror(errno));
		goto done;
	}
	if (write_synced(fd, tmp, (const char *)b.data, b.len, e) < 0)
		goto done;
	if (close(fd) < 0) {
		fd = -1;
		err_set(e, "close %s: %s", tmp, go_strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp, r->path) < 0) {
		err_set(e, "rename %s %s: %s", tmp, r->path, go_strerror(errno));
		goto done;
	}
	if (sync_dir(r->dir, e) < 0)
		goto done;
	r->fd = open(r->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (r->fd < 0) {
		err_set(e, "open %s: %s", r->path, go_strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	buf_release(&b);
	return rc;
}

int rb_resume_open(struct rb_resume **out, const char *dir, const char *args, size_t nunits, int kill_at,
		   struct err *e)
{
	struct rb_resume *r = xcalloc(1, sizeof(*r));
	struct stat st;

	*out = NULL;
	r->fd = -1;
	r->dir = xstrdup(dir);
	r->path = xasprintf("%s/%s", dir, RB_RESUME_FILE);
	r->nunits = nunits;
	r->done = xcalloc(nunits ? nunits : 1, sizeof(*r->done));
	r->kill_at = kill_at;
	if ((stat(r->path, &st) == 0 ? load(r, args, e) : create(r, args, e)) < 0)
		goto fail;
	*out = r;
	return 0;
fail:
	rb_resume_free(r);
	return -1;
}

bool rb_resume_is_done(const struct rb_resume *r, size_t unit)
{
	return unit < r->nunits && r->done[unit];
}

size_t rb_resume_ndone(const struct rb_resume *r)
{
	return r->ndone;
}

int rb_resume_begin(struct rb_resume *r, size_t unit, const char *ulid, struct err *e)
{
	char line[96];

	snprintf(line, sizeof(line), "begin %zu %s\n", unit, ulid);
	if (append(r, line, e) < 0)
		return -1;
	crash_point(r);
	return 0;
}

int rb_resume_finish(struct rb_resume *r, size_t unit, const char *ulid, struct err *e)
{
	char line[96];

	crash_point(r);
	snprintf(line, sizeof(line), "done %zu %s\n", unit, ulid ? ulid : "-");
	if (append(r, line, e) < 0)
		return -1;
	if (!r->done[unit]) {
		r->done[unit] = true;
		r->ndone++;
	}
	crash_point(r);
	return 0;
}

void rb_resume_free(struct rb_resume *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->done);
	free(r->dir);
	free(r->path);
	free(r);
}

int rb_resume_file_arg(struct buf *args, const char *path, struct err *e)
{
	struct buf b = BUF_INIT;

	if (read_all(path, &b, e) < 0)
		return -1;
	buf_addf(args, "rule-file=%s %zu %016llx\n", path, b.len, (unsigned long long)XXH64(b.data, b.len, 0));
	buf_release(&b);
	return 0;
}
