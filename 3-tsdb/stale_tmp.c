/*
 * Removing what a killed block writer left (see stale_tmp.h).
 */
#include "3-tsdb/stale_tmp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "1-common/goerrno.h"
#include "1-common/xalloc.h"

/* ulid.ParseStrict: 26 Crockford base32 characters, the first at most '7'. */
static bool strict_ulid(const char *s, size_t n)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghjkmnpqrstvwxyz";

	if (n != 26 || s[0] > '7')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(alphabet, s[i]))
			return false;
	return true;
}

/* Whether a process holds a flock on path (which must exist to count). */
static bool locked(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	bool held;

	if (fd < 0)
		return false;
	held = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd); /* drops our lock, if we got it */
	return held;
}

/*
 * Removes the directory name under dfd and everything in it, symlinks
 * themselves and not what they point to.  A block dir is two levels deep;
 * past 16 it is not one of ours.
 */
static int remove_at(int dfd, const char *name, const char *path, int depth, struct err *e)
{
	int fd;
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > 16)
		return err_set(e, "remove %s: too deeply nested", path);
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, "open %s: %s", path, go_strerror(errno));
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return err_set(e, "open %s: %s", path, go_strerror(errno));
	}
	while (rc == 0 && (de = readdir(d))) {
		struct stat st;
		char *sub;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sub = xasprintf("%s/%s", path, de->d_name);
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			rc = err_set(e, "stat %s: %s", sub, go_strerror(errno));
		else if (S_ISDIR(st.st_mode))
			rc = remove_at(fd, de->d_name, sub, depth + 1, e);
		else if (unlinkat(fd, de->d_name, 0) < 0)
			rc = err_set(e, "remove %s: %s", sub, go_strerror(errno));
		free(sub);
	}
	closedir(d);
	if (rc == 0 && unlinkat(dfd, name, AT_REMOVEDIR) < 0)
		rc = err_set(e, "remove %s: %s", path, go_strerror(errno));
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tsdb_remove_stale_tmp(const char *dir, char ***removed, size_t *nremoved, struct err *e)
{
	const size_t sl = strlen(TSDB_TMP_FOR_CREATION);
	char *lock = xasprintf("%s/lock", dir);
	DIR *d = NULL;
	struct dirent *de;
	size_t cap = 0;
	int rc = 0;

	*removed = NULL;
	*nremoved = 0;
	if (locked(lock))
		goto done; /* a Prometheus owns the directory */
	d = opendir(dir);
	if (!d) {
		if (errno != ENOENT)
			rc = err_set(e, "open %s: %s", dir, go_strerror(errno));
		goto done;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct stat st;
		char *p;

		if (n <= sl || strcmp(de->d_name + n - sl, TSDB_TMP_FOR_CREATION) ||
		    !strict_ulid(de->d_name, n - sl))
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		/* a directory itself, as fs.DirEntry.IsDir: not through a symlink */
		if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode) || locked(p)) {
			free(p);
			continue;
		}
		if (remove_at(dirfd(d), de->d_name, p, 0, err_isset(e) ? NULL : e) < 0) {
			rc = -1;
			free(p);
			continue;
		}
		ALLOC_GROW(*removed, *nremoved + 1, cap);
		(*removed)[(*nremoved)++] = p;
	}
	if (*nremoved > 1)
		qsort(*removed, *nremoved, sizeof(**removed), cmp_str);
done:
	if (d)
		closedir(d);
	free(lock);
	return rc;
}
