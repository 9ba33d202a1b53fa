/*
 * --progress=auto|always|never of `tsdb create-blocks-from` (an extension
 * shared by both importers): whether to draw the progress line
 * (7-backfill/progress.h) and how wide the terminal is.  Nothing here
 * allocates.
 */
#ifndef PROMTOOL_PROGRESS_OPT_H
#define PROMTOOL_PROGRESS_OPT_H

#include <stdbool.h>

#include "8-promtool/cli.h"

/* always, or auto and stderr is a terminal. */
bool progress_opt_enabled(const struct cli_ctx *c);
/* Columns of the terminal on fd, 0 when unknown. */
int progress_opt_columns(int fd);

#endif
