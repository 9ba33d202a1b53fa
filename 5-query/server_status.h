/*
 * The one request of promtool's `check healthy` and `check ready` (2.44+):
 * a GET of <url>/-/healthy or <url>/-/ready within 10 seconds, as
 * cmd/promtool/main.go CheckServerStatus makes it through client_golang's
 * api client (read at v2.44.0, v2.52.0, v3.11.0 and v3.13.0, where it
 * changes; only 3.13's changes what is sent).
 *
 * Everything the caller passes is borrowed; server_status_check() owns
 * nothing past its return except what it appended to *body.
 */
#ifndef QUERY_SERVER_STATUS_H
#define QUERY_SERVER_STATUS_H

#include <stdbool.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "5-query/httpconfig.h"

struct server_status_opts {
	const char *url;                /* --url as given (kingpin already parsed it) */
	const char *endpoint;           /* "/-/healthy" or "/-/ready" */
	bool join_path;                 /* 3.13+: url.JoinPath, else the endpoint appended to url.String() */
	const struct http_config *http; /* --http.config.file, NULL when none */
};

/* What server_status_check() returns besides 0. */
enum {
	SERVER_STATUS_FAILED = -1, /* e is the error promtool prints (checkErr) */
	SERVER_STATUS_CLIENT = -2, /* api.NewClient failed: promtool prints "error creating API client: <e>" first */
};

/*
 * Sends the request.  Returns 0 when the server answered 200, its body
 * appended to *body.  Otherwise SERVER_STATUS_FAILED with e set to Go's
 * words: the url.Error of a transport failure (`Get
 * "http://127.0.0.1:1/-/healthy": dial tcp 127.0.0.1:1: connect: connection
 * refused`, `Get "...": context deadline exceeded` after 10 s), or `check
 * failed: URL=<url>, status=503` for any other status, <url> being --url's
 * String() with "http" for a missing scheme (a password included, as Go
 * prints it).
 */
int server_status_check(const struct server_status_opts *o, struct buf *body, struct err *e);

#endif
