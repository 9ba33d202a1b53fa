/*
 * Read-only memory maps of whole files.
 *
 * struct mmap_file owns its mapping; mmap_file_release() unmaps it.
 * mmap_file_init() does not allocate.  An empty file maps to {NULL, 0}
 * (mmap cannot map zero bytes), which readers treat as a short file.
 */
#ifndef COMMON_MMAPFILE_H
#define COMMON_MMAPFILE_H

#include <stddef.h>

#include "1-common/err.h"

struct mmap_file {
	const unsigned char *data;
	size_t len;
};

#define MMAP_FILE_INIT { NULL, 0 }

void mmap_file_init(struct mmap_file *m);
/* Maps path read-only; on failure sets "open <path>: <strerror>"-style text. */
int mmap_file_open(struct mmap_file *m, const char *path, struct err *e);
void mmap_file_release(struct mmap_file *m);
/* Lets go of the resident pages of the mapping (they count in the
 * process's RSS while mapped); later reads fault them back in from the
 * page cache.  The data pointer stays valid. */
void mmap_file_drop_pages(const struct mmap_file *m);

#endif
