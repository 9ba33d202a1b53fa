/*
 * URLs as Go's net/url parses and prints them, for --url: kingpin's URL
 * flag rejects what url.Parse rejects (with its words), and the API client
 * builds "<url>/api/v1/query_range" from the parsed form.
 *
 * struct go_url owns its strings; go_url_release() frees them.
 */
#ifndef QUERY_GOURL_H
#define QUERY_GOURL_H

#include <stdbool.h>

#include "1-common/buf.h"
#include "1-common/err.h"

struct go_url {
	char *scheme;    /* lower-cased */
	char *opaque;    /* "mailto:x" style; NULL otherwise */
	char *user;      /* decoded userinfo name, NULL when absent ("" for "http://@h") */
	char *password;  /* decoded, NULL when absent */
	char *host;      /* decoded host[:port] */
	char *path;      /* decoded (URL.Path) */
	char *raw_path;  /* the path as written, NULL when absent (URL.RawPath's hint) */
	char *raw_query; /* without '?', NULL when absent */
	bool force_query; /* "http://h/x?": a lone '?' that String() keeps */
	char *fragment;  /* as written, NULL when absent or empty */
	bool omit_host;  /* Go 1.19's OmitHost: "scheme:/path", no authority */
};

/*
 * url.Parse(s) of Go 1.19.  On failure sets e to url.Error's text, e.g.
 *   parse ":foo": missing protocol scheme
 *   parse "http://a b@h/": net/url: invalid userinfo
 */
int go_url_parse(struct go_url *out, const char *s, struct err *e);
void go_url_release(struct go_url *u);

/*
 * u.String(): host, path and userinfo escaped as Go escapes them.  With
 * redact_password, a set password prints as "***" after the unescaped
 * user name, as net/http's stripPassword writes the URL into its errors.
 */
void go_url_format(struct buf *out, const struct go_url *u, bool redact_password);

/* Go's path.Join(a, b) for the endpoint path (cleans ".." and "//"). */
char *go_path_join(const char *a, const char *b);

/* url.QueryEscape(s) as url.Values.Encode() writes values. */
void go_query_escape(struct buf *out, const char *s);

#endif
