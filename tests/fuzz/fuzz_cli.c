/*
 * Fuzz target for the command-line parser and help renderer, on promtool's
 * real table: the input is argv, split at NUL bytes.  Whatever the words,
 * cli_main must end in help (0), a usage error (1) or the command (whose
 * stand-ins here return 0), never crash.  Output goes to /dev/null.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "8-promtool/cli_table.h"
#include "8-promtool/commands.h"


#define STAND_IN(fn, name)                    \
	int fn(const struct cli_ctx *c)       \
	{                                     \
		size_t n;                     \
		(void)cli_str(c, "db path");  \
		(void)cli_list(c, "match", &n); \
		(void)cli_int(c, "limit");    \
		return 0;                     \
	}
COMMAND_LIST(STAND_IN)
#undef STAND_IN

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *argv[34];
	int argc = 0, rc, null_fd, so, se;
	size_t i, start = 0;

	setenv("COLUMNS", "80", 1);
	copy = malloc(size + 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	copy[size] = 0;
	argv[argc++] = "promtool";
	for (i = 0; i <= size && argc < 33; i++)
		if (i == size || copy[i] == 0) {
			if (i > start || i < size)
				argv[argc++] = copy + start;
			start = i + 1;
		}
	argv[argc] = NULL;
	/* Silence the run, but give the replay driver its stdout back. */
	fflush(stdout);
	fflush(stderr);
	null_fd = open("/dev/null", O_WRONLY);
	so = dup(1);
	se = dup(2);
	if (null_fd < 0 || so < 0 || se < 0)
		abort();
	dup2(null_fd, 1);
	dup2(null_fd, 2);
	rc = cli_main(&promtool_app, argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	close(null_fd);
	free(copy);
	if (rc != 0 && rc != 1)
		abort();
	return 0;
}
