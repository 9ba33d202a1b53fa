/*
 * promtool push metrics (2.46 - 3.7): the remote-write 1.0 request built
 * from parsed text exposition (util/fmtutil MetricFamiliesToWriteRequest,
 * v2.46.0) and sent as storage/remote Client.Store sends it (v2.46.0; the
 * same on the wire to v3.7): snappy block compressed, POSTed with
 * Content-Encoding snappy, Content-Type application/x-protobuf,
 * X-Prometheus-Remote-Write-Version 0.1.0 and User-Agent Prometheus/<ver>,
 * within the --timeout.
 *
 * Everything passed in is borrowed; the functions own nothing past return
 * but what they appended to *out.
 */
#ifndef QUERY_REMOTE_WRITE_H
#define QUERY_REMOTE_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "5-query/expfmt.h"
#include "5-query/httpconfig.h"
#include "5-query/remote_http.h"

/*
 * Appends the protobuf prometheus.WriteRequest of x to *out: for each
 * family in name order its time series (labels: __name__, then extra
 * (--label, later entries winning), then the metric's own with job renamed
 * exported_job, sorted by name), then one MetricMetadata per family.  A
 * metric without timestamp (or with 0) gets now_ms.
 */
void remote_write_request(struct buf *out, const struct expfmt *x, const struct rhttp_header *extra, size_t nextra,
			  int64_t now_ms);

struct remote_write_opts {
	const char *url;                    /* remote-write-url as given (kingpin parsed it) */
	const char *user_agent;             /* "Prometheus/2.46.0" */
	const struct rhttp_header *headers; /* --header, in order (a later name wins) */
	size_t nheaders;
	int64_t timeout_ns;                 /* --timeout */
	const struct http_config *http;     /* --http.config.file, NULL when none */
};

/*
 * Snappy-compresses the request and POSTs it.  0 on a 2xx answer; else -1
 * with e worded as Store's error: the url.Error of the transport (`Post
 * "http://127.0.0.1:1/api/v1/write": dial tcp 127.0.0.1:1: connect:
 * connection refused`, `... context deadline exceeded`), or `server
 * returned HTTP status 400 Bad Request: <first line of the body>`.
 */
int remote_write_store(const struct remote_write_opts *o, const void *req, size_t len, struct err *e);

#endif
