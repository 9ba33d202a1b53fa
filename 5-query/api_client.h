/*
 * Internal to query/: one call to the Prometheus HTTP API the way
 * client_golang v1.14 makes it for promtool 2.42's `query` commands
 * (api.NewClient, httpClient.URL and Do; v1's apiClientImpl.Do and
 * DoGetFallback), over libcurl.  5-query/query_remote.c builds the
 * endpoints' parameters on top of it.
 *
 * struct api_client owns its parsed address, extra headers and curl
 * handle; api_client_free() releases them (accepts NULL).  struct
 * api_reply owns the response body and what was decoded from it;
 * api_reply_release() frees them.
 */
#ifndef QUERY_API_CLIENT_H
#define QUERY_API_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "5-query/apiresp.h"

struct api_client;

/* One form or query-string parameter: url.Values.Add when add, else Set. */
struct api_param {
	const char *key;
	const char *value;
	bool add;
};

struct api_reply {
	struct buf body;
	long code;
	struct api_resp resp; /* the envelope; resp.data is the raw "data" */
	char *detail;         /* v1.Error.Detail (the body of a non-API error status) */
};

void api_reply_init(struct api_reply *r);
void api_reply_release(struct api_reply *r);

/*
 * api.NewClient(api.Config{Address: address}): url.Parse (its error in e),
 * trailing slashes trimmed from the path.
 */
int api_client_new(struct api_client **out, const char *address, struct err *e);
void api_client_free(struct api_client *c);
/* req.Header.Add(key, value) on every request (promtool's --header). */
void api_client_add_header(struct api_client *c, const char *key, const char *value);

/*
 * Calls the endpoint ("/api/v1/query"), with ":name" in it replaced by
 * name_arg when that is not NULL.  The parameters go on top of the
 * address's own query string; with post the request is DoGetFallback's
 * (a form POST, repeated as a GET on 405 or 501), else a GET.
 *
 * Returns 0 when the API answered "success".  Otherwise -1 with e set to
 * the text of the error the v1 client returns: a url.Error for transport
 * failures (`Post "<url>": dial tcp 127.0.0.1:1: connect: connection
 * refused`), "<errorType>: <error>" for the rest, such as
 * "server_error: server error: 503" with out->detail holding the body.
 * out->resp.warnings are set whenever the body carried them.
 */
int api_client_call(struct api_client *c, const char *endpoint, const char *name_arg,
		    const struct api_param *params, size_t nparams, bool post, struct api_reply *out,
		    struct err *e);

#endif
