/*
 * The lock of a Prometheus data directory: `<dir>/lock`, held with
 * flock(LOCK_EX | LOCK_NB) for as long as the directory is in use, as
 * Prometheus 2.42's tsdb DirLocker does (tsdbutil/dir_locker.go over
 * fileutil.Flock: open O_RDWR|O_CREATE 0666, flock, and on release unlock,
 * close and remove the file).  A running Prometheus holds it, so taking it
 * both detects a live server and keeps one from starting on the directory
 * ("lock DB directory: resource temporarily unavailable").
 *
 * struct tsdb_dir_lock owns its descriptor and path; tsdb_dir_unlock()
 * releases both (safe on a lock never taken).
 */
#ifndef TSDB_DIRLOCK_H
#define TSDB_DIRLOCK_H

#include <stdbool.h>

#include "1-common/err.h"

struct tsdb_dir_lock {
	int fd;     /* -1 when not held */
	char *path; /* <dir>/lock */
};

#define TSDB_DIR_LOCK_INIT { -1, NULL }

/* Whether dir looks like a Prometheus data directory: it has a `wal`
 * directory or a `lock` file. */
bool tsdb_is_data_dir(const char *dir);
/*
 * Takes <dir>/lock.  When another process holds it, fails with "'<dir>'
 * is locked by a running Prometheus (flock on '<dir>/lock')"; other
 * failures name the file and the system error.
 */
int tsdb_dir_lock(struct tsdb_dir_lock *l, const char *dir, struct err *e);
/* Unlocks, closes and removes the lock file, as DirLocker.Release. */
void tsdb_dir_unlock(struct tsdb_dir_lock *l);

#endif
