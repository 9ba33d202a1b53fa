/*
 * Weak placeholder for every command in 8-promtool/commands.h.  A helper's
 * strong definition of the same name (in its own promtool/cmd_*.c) replaces
 * the stub at link time, so the table never references a missing symbol.
 */
#include <stdio.h>

#include "8-promtool/commands.h"

#define COMMAND_STUB(fn, name)                                                 \
	__attribute__((weak)) int fn(const struct cli_ctx *c)                  \
	{                                                                      \
		(void)c;                                                       \
		fprintf(stderr, "promtool: error: %s is not implemented yet\n", \
			name);                                                 \
		return 1;                                                      \
	}
COMMAND_LIST(COMMAND_STUB)
#undef COMMAND_STUB
