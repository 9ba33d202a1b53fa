/*
 * The remote query source: a Prometheus server's /api/v1/query_range,
 * called as promtool 2.42's client_golang v1 API client calls it (POST
 * form, GET fallback on 405/501, gzip accepted, no timeout).
 *
 * remote_source_new() returns a struct query_source the caller owns and
 * releases with query_source_free().  The source copies what it needs from
 * its arguments.
 */
#ifndef QUERY_REMOTE_H
#define QUERY_REMOTE_H

#include "1-common/err.h"
#include "5-query/httpconfig.h"
#include "5-query/source.h"

/*
 * url is --url as given (already accepted by go_url_parse); cfg may be
 * NULL.  Fails only on setup problems (libcurl); network errors surface
 * per query.
 */
int remote_source_new(struct query_source **out, const char *url, const struct http_config *cfg,
		      struct err *e);

#endif
