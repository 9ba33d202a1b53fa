#include "1-common/goerrno.h"

#include <errno.h>
#include <string.h>

/* Go's zerrors_linux table for the errnos file operations meet; glibc's
 * strerror differs in capitalisation, so it is only the fallback. */
#define GO_ERRNO_LIST(X)                                   \
	X(EPERM, "operation not permitted")                \
	X(ENOENT, "no such file or directory")             \
	X(EINTR, "interrupted system call")                \
	X(EIO, "input/output error")                       \
	X(ENXIO, "no such device or address")              \
	X(EBADF, "bad file descriptor")                    \
	X(EAGAIN, "resource temporarily unavailable")      \
	X(ENOMEM, "cannot allocate memory")                \
	X(EACCES, "permission denied")                     \
	X(EFAULT, "bad address")                           \
	X(EBUSY, "device or resource busy")                \
	X(EEXIST, "file exists")                           \
	X(EXDEV, "invalid cross-device link")              \
	X(ENODEV, "no such device")                        \
	X(ENOTDIR, "not a directory")                      \
	X(EISDIR, "is a directory")                        \
	X(EINVAL, "invalid argument")                      \
	X(ENFILE, "too many open files in system")         \
	X(EMFILE, "too many open files")                   \
	X(EFBIG, "file too large")                         \
	X(ENOSPC, "no space left on device")               \
	X(ESPIPE, "illegal seek")                          \
	X(EROFS, "read-only file system")                  \
	X(EMLINK, "too many links")                        \
	X(ENAMETOOLONG, "file name too long")              \
	X(ENOTEMPTY, "directory not empty")                \
	X(ELOOP, "too many levels of symbolic links")      \
	X(EDQUOT, "disk quota exceeded")                   \
	X(ECONNREFUSED, "connection refused")              \
	X(ETIMEDOUT, "connection timed out")

const char *go_strerror(int errnum)
{
	switch (errnum) {
#define GO_ERRNO_CASE(num, text) \
	case num:                \
		return text;
		GO_ERRNO_LIST(GO_ERRNO_CASE)
#undef GO_ERRNO_CASE
	default:
		return strerror(errnum);
	}
}
