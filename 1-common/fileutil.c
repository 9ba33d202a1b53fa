#include "1-common/fileutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/goerrno.h"
#include "1-common/xalloc.h"

/* Mirrors os.MkdirAll of Go 1.19/1.20 step by step, so the path named in the
 * error is the one Go names. */
int go_mkdir_all(const char *path, mode_t mode, struct err *e)
{
	struct stat st;
	size_t i, j;
	int ret = -1;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		return err_set(e, "mkdir %s: %s", path, go_strerror(ENOTDIR));
	}
	i = strlen(path);
	while (i > 0 && path[i - 1] == '/')
		i--;
	j = i;
	while (j > 0 && path[j - 1] != '/')
		j--;
	if (j > 1) {
		char *parent = xstrndup(path, j - 1);
		int r = go_mkdir_all(parent, mode, e);
		free(parent);
		if (r < 0)
			return -1;
	}
	if (mkdir(path, mode) < 0) {
		int saved = errno;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		err_set(e, "mkdir %s: %s", path, go_strerror(saved));
		goto done;
	}
	ret = 0;
done:
	return ret;
}
