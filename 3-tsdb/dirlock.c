/*
 * The data directory lock (3-tsdb/dirlock.h), as Prometheus 2.42 takes it.
 */
#include "3-tsdb/dirlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "1-common/goerrno.h"
#include "1-common/xalloc.h"

/* dir + "/" + name, without doubling a trailing slash. */
static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	return xasprintf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

bool tsdb_is_data_dir(const char *dir)
{
	char *wal = join(dir, "wal"), *lock = join(dir, "lock");
	struct stat st;
	bool yes = (stat(wal, &st) == 0 && S_ISDIR(st.st_mode)) || lstat(lock, &st) == 0;

	free(wal);
	free(lock);
	return yes;
}

int tsdb_dir_lock(struct tsdb_dir_lock *l, const char *dir, struct err *e)
{
	char *path = join(dir, "lock");
	int fd, rc = -1;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		err_set(e, "cannot lock '%s': open %s: %s", dir, path, go_strerror(errno));
		goto done;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			err_set(e, "'%s' is locked by a running Prometheus (flock on '%s')", dir, path);
		else
			err_set(e, "cannot lock '%s': flock %s: %s", dir, path, go_strerror(errno));
		close(fd);
		goto done;
	}
	l->fd = fd;
	l->path = path;
	path = NULL;
	rc = 0;
done:
	free(path);
	return rc;
}

void tsdb_dir_unlock(struct tsdb_dir_lock *l)
{
	if (l->fd >= 0) {
		flock(l->fd, LOCK_UN);
		close(l->fd);
		unlink(l->path);
	}
	l->fd = -1;
	free(l->path);
	l->path = NULL;
}
