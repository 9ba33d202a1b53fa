/*
 * Go's path.Clean, which is also path/filepath.Clean on Unix: "." for "",
 * one slash between elements, "." elements dropped, ".." elements removing
 * the element before them (kept at the start of a relative path, dropped
 * after a leading "/").  The caller owns (free()) the returned string.
 */
#ifndef COMMON_GOPATH_H
#define COMMON_GOPATH_H

char *go_path_clean(const char *p);

#endif
