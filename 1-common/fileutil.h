/*
 * File system helpers with Go's semantics and error texts (PathError:
 * "<op> <path>: <errno text>"), for the places where promtool's message
 * depends on them.  Nothing here allocates beyond the error message.
 */
#ifndef COMMON_FILEUTIL_H
#define COMMON_FILEUTIL_H

#include <sys/types.h>

#include "1-common/err.h"

/* os.MkdirAll: creates path and missing parents; "mkdir <p>: not a
 * directory" when a component is a file, the first failing path named. */
int go_mkdir_all(const char *path, mode_t mode, struct err *e);

#endif
