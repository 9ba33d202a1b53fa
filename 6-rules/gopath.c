/*
 * Go 1.19's path/filepath for Unix (see gopath.h): Clean's lexical rules,
 * Match's pattern language (*, ?, [...] with ranges and ^ negation, \
 * escapes, no separator matching) and Glob's directory walk.
 */
#include "6-rules/gopath.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/buf.h"
#include "1-common/gopath.h"
#include "1-common/utf8.h"
#include "1-common/xalloc.h"

char *go_filepath_dir(const char *p)
{
	const char *slash = strrchr(p, '/');
	char *d = slash ? xstrndup(p, (size_t)(slash - p) + 1) : xstrdup("");
	char *c = go_path_clean(d);

	free(d);
	return c;
}

char *go_filepath_join(const char *a, const char *b)
{
	char *j, *c;

	if (!*a && !*b)
		return xstrdup("");
	if (!*a)
		return go_path_clean(b);
	if (!*b)
		return go_path_clean(a);
	j = xasprintf("%s/%s", a, b);
	c = go_path_clean(j);
	free(j);
	return c;
}

bool go_filepath_is_abs(const char *p)
{
	return p[0] == '/';
}

/* scanChunk: a run of stars, then the chunk up to the next star. */
static void scan_chunk(const char **pat, bool *star, const char **chunk, size_t *clen)
{
	const char *p = *pat;
	size_t i;
	bool in_range = false;

	*star = false;
	while (*p == '*') {
		p++;
		*star = true;
	}
	for (i = 0; p[i]; i++) {
		if (p[i] == '\\') {
			if (p[i + 1])
				i++;
		} else if (p[i] == '[') {
			in_range = true;
		} else if (p[i] == ']') {
			in_range = false;
		} else if (p[i] == '*' && !in_range) {
			break;
		}
	}
	*chunk = p;
	*clen = i;
	*pat = p + i;
}

static int32_t next_rune(const char **s, const char *end)
{
	int32_t r;
	size_t w = go_decode_rune((const unsigned char *)*s, (size_t)(end - *s), &r);
	*s += w;
	return r;
}

/* getEsc */
static int get_esc(const char **c, const char *end, int32_t *r)
{
	if (*c >= end || **c == '-' || **c == ']')
		return -1;
	if (**c == '\\') {
		(*c)++;
		if (*c >= end)
			return -1;
	}
	{
		const char *before = *c;
		*r = next_rune(c, end);
		if (*r == 0xFFFD && *c - before == 1)
			return -1;
	}
	return *c >= end ? -1 : 0;
}

/* matchChunk: 1 with *rest set, 0 no match, -1 bad pattern. */
static int match_chunk(const char *chunk, size_t clen, const char *s, const char **rest)
{
	const char *c = chunk, *cend = chunk + clen, *send = s + strlen(s);
	bool failed = false;

	while (c < cend) {
		if (!failed && s >= send)
			failed = true;
		switch (*c) {
		case '[': {
			int32_t r = 0;
			bool negated, match = false;
			int nrange = 0;
			if (!failed)
				r = next_rune(&s, send);
			c++;
			negated = c < cend && *c == '^';
			if (negated)
				c++;
			for (;;) {
				int32_t lo, hi;
				if (c < cend && *c == ']' && nrange > 0) {
					c++;
					break;
				}
				if (get_esc(&c, cend, &lo) < 0)
					return -1;
				hi = lo;
				if (c < cend && *c == '-') {
					c++;
					if (get_esc(&c, cend, &hi) < 0)
						return -1;
				}
				if (lo <= r && r <= hi)
					match = true;
				nrange++;
			}
			if (match == negated)
				failed = true;
			break;
		}
		case '?':
			if (!failed) {
				if (*s == '/')
					failed = true;
				next_rune(&s, send);
			}
			c++;
			break;
		case '\\':
			c++;
			if (c >= cend)
				return -1;
			/* fallthrough */
		default:
			if (!failed) {
				if (*c != *s)
					failed = true;
				s++;
			}
			c++;
		}
	}
	if (failed)
		return 0;
	*rest = s;
	return 1;
}

int go_filepath_match(const char *pattern, const char *name)
{
	const char *pat = pattern;

	while (*pat) {
		bool star;
		const char *chunk, *t;
		size_t clen;
		int r;

		scan_chunk(&pat, &star, &chunk, &clen);
		if (star && clen == 0)
			return strchr(name, '/') == NULL;
		r = match_chunk(chunk, clen, name, &t);
		if (r == 1 && (!*t || *pat)) {
			name = t;
			continue;
		}
		if (r < 0)
			return -1;
		if (star) {
			bool found = false;
			for (size_t i = 0; name[i] && name[i] != '/'; i++) {
				r = match_chunk(chunk, clen, name + i + 1, &t);
				if (r == 1) {
					if (!*pat && *t)
						continue;
					name = t;
					found = true;
					break;
				}
				if (r < 0)
					return -1;
			}
			if (found)
				continue;
		}
		/* check the rest of the pattern is well-formed */
		while (*pat) {
			scan_chunk(&pat, &star, &chunk, &clen);
			if (match_chunk(chunk, clen, "", &t) < 0)
				return -1;
		}
		return 0;
	}
	return *name == '\0';
}

static bool has_meta(const char *p)
{
	return strpbrk(p, "*?[\\") != NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add(char ***out, size_t *n, size_t *cap, char *s)
{
	ALLOC_GROW(*out, *n + 1, *cap);
	(*out)[(*n)++] = s;
}

/* glob(dir, pattern): matching names of one directory, sorted. */
static int glob_dir(const char *dir, const char *pattern, char ***out, size_t *n, size_t *cap)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t nn = 0, ncap = 0;
	int rc = 0;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		add(&names, &nn, &ncap, xstrdup(de->d_name));
	}
	closedir(d);
	if (nn > 1)
		qsort(names, nn, sizeof(*names), cmp_str);
	for (size_t i = 0; i < nn; i++) {
		int m = rc < 0 ? 0 : go_filepath_match(pattern, names[i]);
		if (m < 0)
			rc = -1;
		else if (m)
			add(out, n, cap, go_filepath_join(dir, names[i]));
		free(names[i]);
	}
	free(names);
	return rc;
}

static int glob(const char *pattern, char ***out, size_t *n, size_t *cap)
{
	const char *slash = strrchr(pattern, '/');
	char *dir, *cleaned;
	const char *file = slash ? slash + 1 : pattern;
	struct stat st;
	int rc = 0;

	if (go_filepath_match(pattern, "") < 0)
		return -1;
	if (!has_meta(pattern)) {
		if (lstat(pattern, &st) == 0)
			add(out, n, cap, xstrdup(pattern));
		return 0;
	}
	dir = slash ? xstrndup(pattern, (size_t)(slash - pattern) + 1) : xstrdup("");
	/* cleanGlobPath */
	if (!*dir) {
		cleaned = xstrdup(".");
	} else if (!strcmp(dir, "/")) {
		cleaned = xstrdup(dir);
	} else {
		dir[strlen(dir) - 1] = '\0';
		cleaned = xstrdup(dir);
	}
	free(dir);
	if (!has_meta(cleaned)) {
		rc = glob_dir(cleaned, file, out, n, cap);
	} else if (!strcmp(cleaned, pattern)) {
		rc = -1;
	} else {
		char **dirs = NULL;
		size_t nd = 0, dcap = 0;
		rc = glob(cleaned, &dirs, &nd, &dcap);
		for (size_t i = 0; i < nd; i++) {
			if (rc == 0)
				rc = glob_dir(dirs[i], file, out, n, cap);
			free(dirs[i]);
		}
		free(dirs);
	}
	free(cleaned);
	return rc;
}

int go_filepath_glob(const char *pattern, char ***out, size_t *n, struct err *e)
{
	size_t cap = *n; /* *out holds exactly *n entries (or is NULL) */

	if (glob(pattern, out, n, &cap) < 0)
		return err_set(e, "syntax error in pattern");
	return 0;
}
