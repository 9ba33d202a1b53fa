/*
 * LD_PRELOAD shim for tests/sh/fault_sigkill.sh: counts the calls that
 * change the file system (write to a file other than stdin/out/err, fsync,
 * fdatasync, mkdir, rename, unlink, rmdir) and raises SIGKILL just before
 * call number KILLAT_N goes through, so a test can kill a backfill at
 * every step of writing a block, deterministically.  With KILLAT_COUNT set
 * to a path, the number of calls made is written there at exit (the
 * count of a run that was not killed, to choose N from).
 *
 * Test-only code: the counter is process-global by nature of a shim, and
 * counted atomically.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static long calls;

static void step(void)
{
	static long kill_at = -1;

	if (kill_at < 0) {
		const char *s = getenv("KILLAT_N");
		kill_at = s ? atol(s) : 0;
	}
	/* atomic: the backfill's workers write and sync from several
	 * threads, and a lost increment would shift every later count */
	if (__atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST) == kill_at)
		raise(SIGKILL);
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("KILLAT_COUNT");
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "%ld\n", __atomic_load_n(&calls, __ATOMIC_SEQ_CST));
	fclose(f);
}

#define REAL(ret, name, ...) \
	static ret (*real)(__VA_ARGS__); \
	if (!real) \
		real = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, name)

ssize_t write(int fd, const void *p, size_t n)
{
	REAL(ssize_t, "write", int, const void *, size_t);
	if (fd > 2)
		step();
	return real(fd, p, n);
}

int fsync(int fd)
{
	REAL(int, "fsync", int);
	step();
	return real(fd);
}

int fdatasync(int fd)
{
	REAL(int, "fdatasync", int);
	step();
	return real(fd);
}

int mkdir(const char *path, mode_t mode)
{
	REAL(int, "mkdir", const char *, mode_t);
	step();
	return real(path, mode);
}

int rename(const char *from, const char *to)
{
	REAL(int, "rename", const char *, const char *);
	step();
	return real(from, to);
}

int unlink(const char *path)
{
	REAL(int, "unlink", const char *);
	step();
	return real(path);
}

int rmdir(const char *path)
{
	REAL(int, "rmdir", const char *);
	step();
	return real(path);
}
