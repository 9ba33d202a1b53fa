/*
 * Go's path/filepath on Unix, as promtool resolves the rule files a unit
 * test names: Dir, Join, IsAbs, Match and Glob (Clean is
 * go_path_clean in 1-common/gopath.h) with Go's results
 * (Glob sorts each directory's names and ignores I/O errors; a malformed
 * pattern is "syntax error in pattern").
 *
 * Returned strings belong to the caller (free()).
 */
#ifndef RULES_GOPATH_H
#define RULES_GOPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "1-common/err.h"

char *go_filepath_dir(const char *p);
/* Join(a, b): Clean(a + "/" + b), ignoring empty elements. */
char *go_filepath_join(const char *a, const char *b);
bool go_filepath_is_abs(const char *p);
/* Match(pattern, name): 1 match, 0 no match, -1 ErrBadPattern. */
int go_filepath_match(const char *pattern, const char *name);
/* Glob(pattern): the matches appended to *out (caller frees each and the
 * array); -1 with e set to "syntax error in pattern". */
int go_filepath_glob(const char *pattern, char ***out, size_t *n, struct err *e);

#endif
