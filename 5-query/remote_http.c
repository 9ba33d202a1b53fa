/*
 * One request of the remote query source, over libcurl, read the way Go
 * 1.19's net/http client reads it for promtool 2.42.
 *
 * Decoding: net/http asks for gzip itself (unless the request already has
 * an Accept-Encoding or Range header) and then decodes a response whose
 * first Content-Encoding value is "gzip" in any case; anything else (br,
 * deflate, "gzip, br") reaches the JSON decoder as it came.  libcurl's own
 * decoding is off so that we decide the same way, and 5-query/gunzip.c
 * fails where Go's gzip reader fails.  A body error comes back bare, as
 * Go's io.ReadAll returns it ("unexpected EOF", "gzip: invalid checksum").
 *
 * Timing: Go dials for at most 30 s and shakes hands for at most 10 s, then
 * waits without limit.  We keep those two (with Go's words), and add the
 * idle limit (no byte in either direction for idle_ns once connected) and
 * the query deadline, all checked from libcurl's progress callback, which
 * runs at least about once a second.  An idle limit below 30 s (tests)
 * shortens the dial and handshake limits to it.
 */
#include "5-query/remote_http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "1-common/gofmt.h"
#include "1-common/goerrno.h"
#include "1-common/xalloc.h"
#include "5-query/curl_dl.h"
#include "5-query/go_neterr.h"
#include "5-query/gunzip.h"

/* Why a callback stopped the transfer. */
/* libcurl 7.88 (as Debian 12 patches it) refuses more than 300 KiB of
 * response headers; a line of up to 100 KiB may be what tipped it over. */
#define CURL_HEADER_LIMIT_HINT (200u << 10)

enum stop {
	STOP_NONE,
	STOP_DIAL,
	STOP_IDLE,
	STOP_DEADLINE,
	STOP_TLS,
	STOP_WIRE_LIMIT,
	STOP_BODY_LIMIT,
	STOP_HEADER_LIMIT,
	STOP_DECODE,
};

struct exchange {
	const struct rhttp *h;
	CURL *curl;
	struct buf *body;
	bool asked_gzip;   /* we sent Accept-Encoding: gzip ourselves */
	bool body_started; /* the final response's first body byte arrived */
	bool gzip;         /* ... and it is being decoded */
	struct gunzip gz;
	char *encoding;    /* first Content-Encoding of the current response */
	char *location;    /* last Location seen, for the redirect error */
	char status[64];   /* the status line past "HTTP/x.y " (Go's Response.Status) */
	long retry_after;
	uint64_t wire, header_bytes;
	int64_t start, deadline, activity, tcp_at;
	bool ready;        /* connected (and TLS done): the idle clock runs */
	int fd;            /* the socket being connected, -1 before */
	curl_off_t dl, ul;
	enum stop stop;
	struct err err;    /* the decoder's error, for STOP_DECODE */
};

int64_t rhttp_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Go's dial and handshake limits, shortened to the idle limit when that is
 * shorter (tests set it to seconds). */
static int64_t min_limit(int64_t fixed, int64_t idle)
{
	return idle > 0 && idle < fixed ? idle : fixed;
}

static int64_t dial_limit(const struct rhttp *h)
{
	return min_limit(RHTTP_DIAL_TIMEOUT_NS, h->idle_ns);
}

static int64_t tls_limit(const struct rhttp *h)
{
	return min_limit(RHTTP_TLS_TIMEOUT_NS, h->idle_ns);
}

/* Trims SP and HTAB (and the line's CR LF) as textproto does. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == '\r' || (*e)[-1] == '\n' || (*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct exchange *x = arg;
	size_t len = size * n;
	const char *colon, *v, *ve;
	size_t nlen;

	x->activity = rhttp_now_ns();
	if (len >= 5 && !strncmp(p, "HTTP/", 5)) {
		/* a new response (after a redirect or a 1xx): forget the last one */
		free(x->encoding);
		x->encoding = NULL;
		x->retry_after = -1;
		x->header_bytes = 0;
		{
			const char *sp = memchr(p, ' ', len), *se = p + len;
			size_t sl;
			if (!sp)
				sp = se;
			trim(&sp, &se);
			sl = (size_t)(se - sp) < sizeof(x->status) - 1 ? (size_t)(se - sp) : sizeof(x->status) - 1;
			memcpy(x->status, sp, sl);
			x->status[sl] = 0;
		}
		if (x->body_started) {
			if (x->gzip)
				gunzip_release(&x->gz);
			x->body_started = x->gzip = false;
			x->wire = 0;
			buf_reset(x->body);
		}
	}
	x->header_bytes += len;
	if (x->header_bytes > RHTTP_MAX_HEADER_BYTES) {
		x->stop = STOP_HEADER_LIMIT;
		return 0;
	}
	colon = memchr(p, ':', len);
	if (!colon)
		return len;
	nlen = (size_t)(colon - p);
	v = colon + 1;
	ve = p + len;
	trim(&v, &ve);
	if (nlen == 16 && !strncasecmp(p, "content-encoding", 16) && !x->encoding) {
		x->encoding = xstrndup(v, (size_t)(ve - v));
	} else if (nlen == 8 && !strncasecmp(p, "location", 8)) {
		free(x->location);
		x->location = xstrndup(v, (size_t)(ve - v));
	} else if (nlen == 11 && !strncasecmp(p, "retry-after", 11)) {
		long s = 0;
		const char *q = v;
		for (; q < ve && *q >= '0' && *q <= '9' && s < 1000000; q++)
			s = s * 10 + (*q - '0');
		x->retry_after = q == ve && q > v ? s : -1;
	}
	return len;
}

/* Decoded body bytes, under the size cap. */
static int emit(void *arg, const unsigned char *p, size_t n, struct err *e)
{
	struct exchange *x = arg;
	if (x->h->max_bytes && (n > x->h->max_bytes || x->body->len > x->h->max_bytes - n)) {
		x->stop = STOP_BODY_LIMIT;
		return -1;
	}
	buf_add(x->body, p, n);
	return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct exchange *x = arg;
	size_t len;

	if (n && size > SIZE_MAX / n)
		return 0;
	len = size * n;
	x->activity = rhttp_now_ns();
	x->wire += len;
	if (x->h->max_bytes && x->wire > x->h->max_bytes) {
		x->stop = STOP_WIRE_LIMIT;
		return 0;
	}
	if (!x->body_started) {
		x->body_started = true;
		x->gzip = x->asked_gzip && x->encoding && !strcasecmp(x->encoding, "gzip");
		if (x->gzip)
			gunzip_init(&x->gz, emit, x);
	}
	if (x->gzip ? gunzip_feed(&x->gz, (const unsigned char *)p, len, &x->err)
		    : emit(x, (const unsigned char *)p, len, &x->err)) {
		if (x->stop == STOP_NONE)
			x->stop = STOP_DECODE;
		return 0;
	}
	return len;
}

/* Creates the socket as libcurl would, noting it for on_progress(). */
static curl_socket_t on_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct exchange *x = arg;
	int fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	if (fd >= 0) {
		x->fd = fd;
		x->tcp_at = 0;
	}
	return fd >= 0 ? fd : CURL_SOCKET_BAD;
}

/* Connected, TLS done, about to send: from now on silence counts. */
static int on_ready(void *arg, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
		    int conn_local_port)
{
	struct exchange *x = arg;
	x->ready = true;
	x->activity = rhttp_now_ns();
	return CURL_PREREQFUNC_OK;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct exchange *x = arg;
	int64_t now = rhttp_now_ns();

	if (dlnow != x->dl || ulnow != x->ul) {
		x->dl = dlnow;
		x->ul = ulnow;
		x->activity = now;
	}
	if (x->deadline && now >= x->deadline) {
		x->stop = STOP_DEADLINE;
		return 1;
	}
	if (!x->ready) {
		/* Go's two limits, one after the other: dialing, then the TLS
		 * handshake (CURLOPT_CONNECTTIMEOUT_MS, covering both, is only
		 * the backstop) */
		struct sockaddr_storage sa;
		socklen_t salen = sizeof(sa);
		/* libcurl's connect time only counts once TLS is up too: ask the
		 * socket whether the TCP handshake is done */
		if (!x->tcp_at && x->fd >= 0 && !getpeername(x->fd, (struct sockaddr *)&sa, &salen))
			x->tcp_at = now;
		if (!x->tcp_at && now - x->start >= dial_limit(x->h)) {
			x->stop = STOP_DIAL;
			return 1;
		}
		if (x->tcp_at && now - x->tcp_at >= tls_limit(x->h)) {
			x->stop = STOP_TLS;
			return 1;
		}
		return 0;
	}
	if (x->h->idle_ns && now - x->activity >= x->h->idle_ns) {
		x->stop = STOP_IDLE;
		return 1;
	}
	return 0;
}

/* net.Dial's "dial tcp <ip>:<port>: <why>" for the address curl tried. */
static int dial_error(struct exchange *x, const char *method, const char *shown, const char *why, struct err *e)
{
	struct buf t = BUF_INIT;

	go_dial_target(&t, x->curl, x->h->host, x->h->scheme);
	err_set(e, "%s \"%s\": dial tcp %s: %s", method, shown, buf_str(&t), why);
	buf_release(&t);
	return -1;
}

/* The url.Error (or bare body error) Go's client returns for rc. */
static int transport_error(struct exchange *x, CURLcode rc, const char *method, const char *shown,
			   struct rhttp_result *res, struct err *e)
{
	long oserr = 0;

	switch (x->stop) {
	case STOP_IDLE: {
		struct buf d = BUF_INIT;
		go_fmt_duration(&d, x->h->idle_ns);
		res->retryable = true;
		err_set(e, "%s \"%s\": no data received for %s (--idle-timeout)", method, shown, buf_str(&d));
		buf_release(&d);
		return -1;
	}
	case STOP_DEADLINE: {
		struct buf d = BUF_INIT;
		if (!x->h->query_timeout_ns) {
			/* a context deadline of the caller's (check healthy's
			 * 10 s): Go's words, bare once the body was being read */
			res->retryable = true;
			if (x->body_started)
				return err_set(e, "context deadline exceeded");
			return err_set(e, "%s \"%s\": context deadline exceeded", method, shown);
		}
		go_fmt_duration(&d, x->h->query_timeout_ns);
		res->retryable = true;
		err_set(e, "%s \"%s\": no complete answer within %s (--query-timeout)", method, shown, buf_str(&d));
		buf_release(&d);
		return -1;
	}
	case STOP_DIAL:
		res->retryable = true;
		return dial_error(x, method, shown, "i/o timeout", e);
	case STOP_TLS:
		res->retryable = true;
		return err_set(e, "%s \"%s\": net/http: TLS handshake timeout", method, shown);
	case STOP_WIRE_LIMIT:
		return err_set(e, "%s \"%s\": response body larger than %llu bytes (--max-response-size)", method,
			       shown, (unsigned long long)x->h->max_bytes);
	case STOP_BODY_LIMIT:
		return err_set(e, "%s \"%s\": decompressed response body larger than %llu bytes (--max-response-size)",
			       method, shown, (unsigned long long)x->h->max_bytes);
	case STOP_HEADER_LIMIT:
		return err_set(e, "%s \"%s\": net/http: HTTP/1.x transport connection broken: net/http: server "
			       "response headers exceeded %u bytes; aborted", method, shown, RHTTP_MAX_HEADER_BYTES);
	case STOP_DECODE:
		err_move(e, &x->err);
		return -1;
	case STOP_NONE:
		break;
	}
	switch (rc) {
	case CURLE_PARTIAL_FILE:
		res->retryable = true;
		return err_set(e, "unexpected EOF"); /* body read: not wrapped */
	case CURLE_TOO_MANY_REDIRECTS:
		return err_set(e, "%s \"%s\": stopped after 10 redirects", method, x->location ? x->location : shown);
	case CURLE_GOT_NOTHING:
		res->retryable = true;
		return err_set(e, "%s \"%s\": EOF", method, shown);
	case CURLE_OPERATION_TIMEDOUT:
		/* only CURLOPT_CONNECTTIMEOUT_MS is set (the backstop of ours) */
		res->retryable = true;
		if (x->tcp_at && !strcmp(x->h->scheme, "https"))
			return err_set(e, "%s \"%s\": net/http: TLS handshake timeout", method, shown);
		return dial_error(x, method, shown, "i/o timeout", e);
	case CURLE_COULDNT_RESOLVE_HOST: {
		struct buf m = BUF_INIT;
		go_lookup_error(&m, x->h->host);
		res->retryable = true;
		err_set(e, "%s \"%s\": %s", method, shown, buf_str(&m));
		buf_release(&m);
		return -1;
	}
	default:
		break;
	}
	curl_easy_getinfo(x->curl, CURLINFO_OS_ERRNO, &oserr);
	if (rc == CURLE_COULDNT_CONNECT && oserr) {
		struct buf why = BUF_INIT;
		buf_addf(&why, "connect: %s", go_strerror((int)oserr));
		res->retryable = true;
		dial_error(x, method, shown, buf_str(&why), e);
		buf_release(&why);
		return -1;
	}
	if ((rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR) && oserr) {
		res->retryable = true;
		return err_set(e, "%s \"%s\": read: %s", method, shown, go_strerror((int)oserr));
	}
	res->retryable = rc == CURLE_COULDNT_CONNECT || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
			 rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_HTTP2 || rc == CURLE_HTTP2_STREAM ||
			 rc == CURLE_COULDNT_RESOLVE_PROXY;
	return err_set(e, "%s \"%s\": %s", method, shown, curl_easy_strerror(rc));
}

static bool has_header(const struct rhttp *h, const char *name)
{
	for (size_t i = 0; i < h->nheaders; i++)
		if (!strcasecmp(h->headers[i].name, name))
			return true;
	return false;
}

/* The request's header lines: ours, then --header's in order. */
static struct curl_slist *request_headers(const struct rhttp *h, bool form, const char *auth, bool *asked_gzip)
{
	struct curl_slist *l = curl_slist_append(NULL, "Expect:");
	if (!has_header(h, "Accept"))
		l = curl_slist_append(l, "Accept:"); /* libcurl's default; Go sends none */
	if (form)
		l = curl_slist_append(l, "Content-Type: application/x-www-form-urlencoded");
	/* an explicit Authorization wins over URL and config credentials, as
	 * net/http and prometheus/common's round trippers let it */
	if (auth && !has_header(h, "Authorization")) {
		char *line = xasprintf("Authorization: %s", auth);
		l = curl_slist_append(l, line);
		memset(line, 0, strlen(line));
		free(line);
	}
	*asked_gzip = !has_header(h, "Accept-Encoding") && !has_header(h, "Range");
	if (*asked_gzip)
		l = curl_slist_append(l, "Accept-Encoding: gzip");
	for (size_t i = 0; i < h->nheaders; i++) {
		/* "Name:" would make libcurl drop the header; "Name;" sends it empty */
		char *line = *h->headers[i].value ? xasprintf("%s: %s", h->headers[i].name, h->headers[i].value)
						  : xasprintf("%s;", h->headers[i].name);
		l = curl_slist_append(l, line);
		memset(line, 0, strlen(line));
		free(line);
	}
	return l;
}

/* form: a url-encoded POST; raw (rawlen bytes): a POST whose Content-Type
 * is among h->headers; neither: a GET. */
static int exchange_do(const struct rhttp *h, const char *url, const char *shown, const char *form, const char *raw,
		       size_t rawlen, const char *auth, int64_t deadline_ns, struct buf *body, struct rhttp_result *res,
		       struct err *e)
{
	const char *method = form || raw ? "Post" : "Get";
	struct curl_slist *hdrs = NULL;
	struct exchange x;
	CURL *c = h->curl;
	CURLcode rc;
	int ret = -1;

	memset(&x, 0, sizeof(x));
	x.h = h;
	x.curl = c;
	x.body = body;
	x.retry_after = -1;
	x.deadline = deadline_ns;
	x.start = x.activity = rhttp_now_ns();
	x.fd = -1;
	res->code = 0;
	res->retry_after_s = -1;
	res->retryable = false;
	res->status[0] = 0;
	buf_reset(body);

	/* net/http checks these before dialing */
	if (strcmp(h->scheme, "http") && strcmp(h->scheme, "https")) {
		err_set(e, "%s \"%s\": unsupported protocol scheme \"%s\"", method, shown, h->scheme);
		goto done;
	}
	if (!*h->host) {
		err_set(e, "%s \"%s\": http: no Host in request URL", method, shown);
		goto done;
	}
	hdrs = request_headers(h, form != NULL, auth, &x.asked_gzip);
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &x);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &x);
	curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_ready);
	curl_easy_setopt(c, CURLOPT_PREREQDATA, &x);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)((dial_limit(h) + tls_limit(h)) / 1000000 + 1000));
	curl_easy_setopt(c, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	/* Go gives up on the 10th redirect response without following it */
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 9L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "Go-http-client/1.1");
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (form) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(form));
	} else if (raw) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, raw);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rawlen);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (h->cfg) {
		if (h->cfg->ca_file)
			curl_easy_setopt(c, CURLOPT_CAINFO, h->cfg->ca_file);
		if (h->cfg->cert_file)
			curl_easy_setopt(c, CURLOPT_SSLCERT, h->cfg->cert_file);
		if (h->cfg->key_file)
			curl_easy_setopt(c, CURLOPT_SSLKEY, h->cfg->key_file);
		if (h->cfg->insecure_skip_verify) {
			curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
		}
		if (h->cfg->proxy_url)
			curl_easy_setopt(c, CURLOPT_PROXY, h->cfg->proxy_url);
	}
	rc = curl_easy_perform(c);
	/* libcurl stops reading headers at 300 KiB of them (its own limit,
	 * below Go's 10 MiB) as a receive error: report it as Go reports a
	 * server that does not stop sending headers */
	if (rc == CURLE_RECV_ERROR && !x.body_started && x.header_bytes > CURL_HEADER_LIMIT_HINT)
		x.stop = STOP_HEADER_LIMIT;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->code);
	res->retry_after_s = x.retry_after;
	memcpy(res->status, x.status, sizeof(res->status));
	if (rc == CURLE_OK && x.gzip && gunzip_finish(&x.gz, &x.err))
		x.stop = STOP_DECODE;
	if (rc != CURLE_OK || x.stop != STOP_NONE) {
		transport_error(&x, rc, method, shown, res, e);
		goto done;
	}
	ret = 0;
done:
	curl_slist_free_all(hdrs);
	if (x.gzip)
		gunzip_release(&x.gz);
	free(x.encoding);
	free(x.location);
	err_release(&x.err);
	return ret;
}

int rhttp_do(const struct rhttp *h, const char *url, const char *shown, const char *form, const char *auth,
	     int64_t deadline_ns, struct buf *body, struct rhttp_result *res, struct err *e)
{
	return exchange_do(h, url, shown, form, NULL, 0, auth, deadline_ns, body, res, e);
}

int rhttp_post(const struct rhttp *h, const char *url, const char *shown, const void *data, size_t len,
	       const char *auth, int64_t deadline_ns, struct buf *body, struct rhttp_result *res, struct err *e)
{
	return exchange_do(h, url, shown, NULL, data ? (const char *)data : "", len, auth, deadline_ns, body, res, e);
}
