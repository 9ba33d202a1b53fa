/*
 * --progress (8-promtool/progress_opt.h).
 */
#include "8-promtool/progress_opt.h"

#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

bool progress_opt_enabled(const struct cli_ctx *c)
{
	const char *mode = cli_str(c, "progress");

	if (!mode || !strcmp(mode, "auto"))
		return isatty(2);
	return !strcmp(mode, "always");
}

int progress_opt_columns(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}
