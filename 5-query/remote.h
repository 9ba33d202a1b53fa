/*
 * The remote query source: a Prometheus server's /api/v1/query_range,
 * called as promtool 2.42's client_golang v1 API client calls it (POST
 * form, GET fallback on 405/501, gzip accepted).
 *
 * With remote_options_init()'s defaults a healthy server sees exactly what
 * promtool 2.42 sends, and every answer reads as 2.42 reports it.  Our
 * additions (COMPATIBILITY.md): an idle limit (no byte for 5 minutes) and a
 * cap on the response size, both on by default because 2.42 hangs or runs
 * out of memory there; retries, a query timeout and extra headers, off
 * unless asked for.
 *
 * remote_source_new() returns a struct query_source the caller owns and
 * releases with query_source_free().  The source copies what it needs from
 * its arguments.
 */
#ifndef QUERY_REMOTE_H
#define QUERY_REMOTE_H

#include <stdint.h>

#include "1-common/err.h"
#include "5-query/httpconfig.h"
#include "5-query/source.h"

#define REMOTE_IDLE_TIMEOUT_DEFAULT_NS (5 * 60 * INT64_C(1000000000))
#define REMOTE_MAX_RESPONSE_DEFAULT (UINT64_C(1) << 30)

/* A retry about to happen, for the caller's log. */
struct remote_retry {
	int attempt;       /* the attempt about to start: 2, 3, ... */
	int attempts;      /* at most this many in all (1 + retries) */
	int64_t delay_ns;  /* the wait before it */
	const char *error; /* why the last attempt failed, as it would be reported */
};

struct remote_options {
	const struct http_config *http; /* --http.config.file, or NULL */
	const char *const *headers;     /* --header values, each accepted by remote_header_check() */
	size_t nheaders;
	/*
	 * Further attempts after a connection error, a timeout, HTTP 429 or a
	 * 5xx status (never after other 4xx answers or a malformed body),
	 * waiting 1s, 2s, 4s ... (at most 30s; half of it random), or what a
	 * 429/503's Retry-After asks (at most 5 minutes).
	 */
	int retries;
	/* sent as timeout= and enforced per attempt (a second later, so that
	 * the server's own timeout answer wins); 0: none */
	int64_t query_timeout_ns;
	int64_t idle_timeout_ns;     /* 0: none */
	uint64_t max_response_bytes; /* body cap, as sent and decompressed; 0: none */
	void (*on_retry)(void *arg, const struct remote_retry *r); /* may be NULL */
	void *retry_arg;
};

/* promtool 2.42's behaviour plus the default idle limit and size cap. */
void remote_options_init(struct remote_options *o);

/*
 * Checks one --header value, "Name: value": a valid field name that
 * promtool does not manage itself (Host, Content-Length, Content-Type,
 * Transfer-Encoding), a value without control characters.  Messages name
 * the header but never print its value.
 */
int remote_header_check(const char *header, struct err *e);

/*
 * url is --url as given (already accepted by go_url_parse); opts may be
 * NULL (the defaults).  Fails only on setup problems (libcurl); network
 * errors surface per query.
 */
int remote_source_new(struct query_source **out, const char *url, const struct remote_options *opts,
		      struct err *e);

#endif
