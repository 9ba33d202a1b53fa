#include "1-common/mmapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void mmap_file_init(struct mmap_file *m)
{
	m->data = NULL;
	m->len = 0;
}

int mmap_file_open(struct mmap_file *m, const char *path, struct err *e)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	mmap_file_init(m);
	if (fd < 0)
		return err_set(e, "open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		int saved = errno;
		close(fd);
		return err_set(e, "stat %s: %s", path, strerror(saved));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, "open %s: not a regular file", path);
	}
	if (st.st_size == 0) {
		close(fd);
		return 0;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return err_set(e, "mmap %s: %s", path, strerror(errno));
	m->data = p;
	m->len = (size_t)st.st_size;
	return 0;
}

void mmap_file_drop_pages(const struct mmap_file *m)
{
	/* MADV_DONTNEED on a shared read-only file mapping only unmaps: the
	 * pages stay in the page cache and the bytes stay valid */
	if (m->data)
		madvise((void *)m->data, m->len, MADV_DONTNEED);
}

void mmap_file_release(struct mmap_file *m)
{
	if (m->data)
		munmap((void *)m->data, m->len);
	mmap_file_init(m);
}
