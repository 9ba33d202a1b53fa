/*
 * One HTTP exchange of the remote query source over libcurl, behaving as
 * Go 1.19's net/http client does for promtool 2.42 (internal to
 * 5-query/remote.c and server_status.c): gzip asked for and decoded by us with Go's rules and
 * words (5-query/gunzip.h), other encodings left alone, redirects followed,
 * Go's 30 s dial and 10 s TLS handshake limits, and its 10 MiB cap on
 * response headers.
 *
 * Our limits on top (COMPATIBILITY.md): a response that delivers no byte
 * for the idle timeout, a query past its deadline and a body over the size
 * cap end the exchange with one clear error.
 *
 * struct rhttp borrows everything it points to from its owner.
 */
#ifndef QUERY_REMOTE_HTTP_H
#define QUERY_REMOTE_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "5-query/httpconfig.h"

struct rhttp_header {
	char *name, *value;
};

/* What every request of one source shares. */
struct rhttp {
	void *curl;                          /* CURL * */
	const char *scheme, *host;           /* of --url, for net/http's checks and dial errors */
	const struct http_config *cfg;       /* TLS and proxy settings; NULL when none */
	const struct rhttp_header *headers;  /* --header, sent as given */
	size_t nheaders;
	uint64_t max_bytes;                  /* body cap, on the wire and decoded; 0: none */
	int64_t idle_ns;                     /* 0: none */
	int64_t query_timeout_ns;            /* what the deadline came from, for its message; 0: a
	                                        context deadline, worded as Go does */
};

struct rhttp_result {
	long code;          /* HTTP status; 0 when no response arrived */
	long retry_after_s; /* Retry-After in seconds; -1 when absent or not a number */
	bool retryable;     /* a connection error or a timeout: another try may work */
	char status[64];    /* "500 Internal Server Error": the status line as Go's Response.Status has it */
};

/*
 * Sends one request: POST of form (application/x-www-form-urlencoded) when
 * form is not NULL, else GET.  url is what goes on the wire, shown the same
 * URL as Go's errors print it.  auth is an Authorization value or NULL.
 * deadline_ns (rhttp_now_ns() clock) of 0 means none.  The body lands in
 * *body.  Returns 0 when a response arrived whole (any status), else -1
 * with e set as Go's client words it; res->code may still be set then
 * (Go's fallback to GET looks at it).
 */
int rhttp_do(const struct rhttp *h, const char *url, const char *shown, const char *form, const char *auth,
	     int64_t deadline_ns, struct buf *body, struct rhttp_result *res, struct err *e);

/*
 * The same exchange as a POST of len bytes of data, sent as they are; the
 * Content-Type and any other request header come from h->headers (push
 * metrics' remote write).
 */
int rhttp_post(const struct rhttp *h, const char *url, const char *shown, const void *data, size_t len,
	       const char *auth, int64_t deadline_ns, struct buf *body, struct rhttp_result *res, struct err *e);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t rhttp_now_ns(void);

/* Go 1.19's dial and TLS handshake limits (net.Dialer and http.Transport of
 * client_golang's DefaultRoundTripper). */
#define RHTTP_DIAL_TIMEOUT_NS (30 * INT64_C(1000000000))
#define RHTTP_TLS_TIMEOUT_NS (10 * INT64_C(1000000000))
/* net/http's default limit on response header bytes. */
#define RHTTP_MAX_HEADER_BYTES (10u << 20)

#endif
