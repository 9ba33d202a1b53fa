/*
 * Go's spelling of errno messages (syscall.Errno.Error() on Linux), so that
 * "open x: no such file or directory" reads as promtool prints it.  The
 * returned strings are static; nothing is allocated.
 */
#ifndef COMMON_GOERRNO_H
#define COMMON_GOERRNO_H

const char *go_strerror(int errnum);

#endif
