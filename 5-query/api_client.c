/*
 * One Prometheus HTTP API call as promtool 2.42's query commands make it
 * (client_golang v1.14 api/client.go and api/prometheus/v1/api.go; Go
 * 1.19's net/http underneath), over libcurl.  See 5-query/api_client.h.
 *
 * What goes on the wire, as Go sends it:
 *   - the URL: the address's path with trailing slashes trimmed,
 *     path.Join'ed with the endpoint; an empty port (":") dropped, as
 *     http.NewRequest does; the address's own query string kept on POST;
 *   - parameters: the address's query (url.ParseQuery: pairs with ';' or
 *     bad escapes dropped) with the call's Set/Add on top, written by
 *     url.Values.Encode (keys sorted, values in order, QueryEscape);
 *   - headers: User-Agent "Go-http-client/1.1", Accept-Encoding gzip (and
 *     the body decompressed), no Accept; Basic auth from the URL's user
 *     info unless an Authorization header is given; extra headers added
 *     as Header.Add does (canonical keys, Host/Content-Length ignored,
 *     values trimmed), invalid names and values refused as Go refuses them;
 *   - DoGetFallback: POST with a form body, then GET with the form as the
 *     query string when the answer is 405 or 501;
 *   - promtool's 2-minute context and the transport's 30s dial timeout;
 *   - proxies from the environment, but never for localhost or loopback.
 *
 * The answer is read as apiClientImpl.Do reads it: a status that is
 * neither 2xx nor 400/422 is "client_error: client error: 404" (4xx),
 * "server_error: server error: 503" (5xx) or "bad_response: bad response
 * code 302", with the body as the error's detail; otherwise the envelope
 * is decoded (not for 204), "error" answers become "<errorType>: <error>",
 * and a 400/422 that claims success is "bad_response: inconsistent body
 * for response code".
 */
#include "5-query/api_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "1-common/goerrno.h"
#include "1-common/gostrconv.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
#include "5-query/curl_dl.h"
#include "5-query/go_neterr.h"
#include "5-query/gourl.h"

#define CALL_TIMEOUT_MS 120000L /* promtool's context.WithTimeout(2*time.Minute) */
#define DIAL_TIMEOUT_MS 30000L  /* DefaultRoundTripper's net.Dialer Timeout */

struct kv {
	char *key, *value;
};

struct api_client {
	struct go_url url; /* path without trailing slashes, host without an empty port */
	struct kv *headers;
	size_t nheaders, headers_cap;
	CURL *curl;
};

void api_reply_init(struct api_reply *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body);
	api_resp_init(&r->resp);
}

void api_reply_release(struct api_reply *r)
{
	buf_release(&r->body);
	api_resp_release(&r->resp);
	free(r->detail);
	api_reply_init(r);
}

int api_client_new(struct api_client **out, const char *address, struct err *e)
{
	struct api_client *c;
	size_t n;

	*out = NULL;
	c = xcalloc(1, sizeof(*c));
	if (go_url_parse(&c->url, address, e) < 0) {
		free(c);
		return -1;
	}
	if (c->url.path) {
		n = strlen(c->url.path);
		while (n && c->url.path[n - 1] == '/')
			c->url.path[--n] = '\0';
	}
	/* http.NewRequest's removeEmptyPort */
	if (c->url.host) {
		n = strlen(c->url.host);
		if (n && c->url.host[n - 1] == ':' && !strchr(c->url.host, ']'))
			c->url.host[n - 1] = '\0';
		else if (n > 1 && c->url.host[n - 1] == ':' && c->url.host[n - 2] == ']')
			c->url.host[n - 1] = '\0';
	}
	if (!(c->curl = curl_dl_handle(e))) {
		api_client_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

static void kv_free(struct kv *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

void api_client_free(struct api_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	go_url_release(&c->url);
	kv_free(c->headers, c->nheaders);
	free(c);
}

/* httpguts.IsTokenRune */
static bool token_char(unsigned char ch)
{
	return ch > 0x20 && ch < 0x7f && !strchr("\"(),/:;<=>?@[\\]{}", ch);
}

/* textproto.CanonicalMIMEHeaderKey: unchanged when any byte is not a token byte. */
static char *canonical_key(const char *k)
{
	char *s = xstrdup(k);
	bool upper = true;

	for (const char *p = k; *p; p++)
		if (!token_char((unsigned char)*p))
			return s;
	for (char *p = s; *p; p++) {
		if (upper && *p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		else if (!upper && *p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		upper = *p == '-';
	}
	return s;
}

void api_client_add_header(struct api_client *c, const char *key, const char *value)
{
	ALLOC_GROW(c->headers, c->nheaders + 1, c->headers_cap);
	c->headers[c->nheaders].key = canonical_key(key);
	c->headers[c->nheaders].value = xstrdup(value);
	c->nheaders++;
}

static const struct kv *find_header(const struct api_client *c, const char *key)
{
	for (size_t i = 0; i < c->nheaders; i++)
		if (!strcmp(c->headers[i].key, key))
			return &c->headers[i];
	return NULL;
}

/* ---- parameters --------------------------------------------------------- */

/* url.QueryUnescape; NULL when invalid. */
static char *query_unescape(const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			buf_addc(&b, ' ');
		} else if (s[i] != '%') {
			buf_addc(&b, (unsigned char)s[i]);
		} else if (i + 2 < n && go_unhex((unsigned char)s[i + 1]) >= 0 && go_unhex((unsigned char)s[i + 2]) >= 0) {
			buf_addc(&b, (unsigned char)(go_unhex((unsigned char)s[i + 1]) << 4 | go_unhex((unsigned char)s[i + 2])));
			i += 2;
		} else {
			buf_release(&b);
			return NULL;
		}
	}
	buf_grow(&b, 1);
	return buf_detach(&b, NULL);
}

struct params {
	struct kv *v;
	size_t n, cap;
};

static void params_append(struct params *p, char *key, char *value)
{
	ALLOC_GROW(p->v, p->n + 1, p->cap);
	p->v[p->n].key = key;
	p->v[p->n].value = value;
	p->n++;
}

/* u.Query() */
static void params_parse(struct params *p, const char *q)
{
	while (q && *q) {
		const char *amp = strchr(q, '&');
		size_t n = amp ? (size_t)(amp - q) : strlen(q);
		if (n && !memchr(q, ';', n)) {
			const char *eq = memchr(q, '=', n);
			char *k = query_unescape(q, eq ? (size_t)(eq - q) : n);
			char *v = eq ? query_unescape(eq + 1, n - (size_t)(eq - q) - 1) : xstrdup("");
			if (k && v) {
				params_append(p, k, v);
			} else {
				free(k);
				free(v);
			}
		}
		q = amp ? amp + 1 : NULL;
	}
}

static void params_apply(struct params *p, const struct api_param *ps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!ps[i].add) {
			size_t w = 0;
			for (size_t j = 0; j < p->n; j++) {
				if (!strcmp(p->v[j].key, ps[i].key)) {
					free(p->v[j].key);
					free(p->v[j].value);
				} else {
					p->v[w++] = p->v[j];
				}
			}
			p->n = w;
		}
		params_append(p, xstrdup(ps[i].key), xstrdup(ps[i].value));
	}
}

/* url.Values.Encode(): keys sorted (values of one key keep their order). */
static void params_encode(struct buf *out, struct params *p)
{
	for (size_t i = 1; i < p->n; i++)
		for (size_t j = i; j > 0 && strcmp(p->v[j - 1].key, p->v[j].key) > 0; j--) {
			struct kv t = p->v[j];
			p->v[j] = p->v[j - 1];
			p->v[j - 1] = t;
		}
	for (size_t i = 0; i < p->n; i++) {
		if (i)
			buf_addc(out, '&');
		go_query_escape(out, p->v[i].key);
		buf_addc(out, '=');
		go_query_escape(out, p->v[i].value);
	}
}

/* ---- one HTTP exchange -------------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (n && size > SIZE_MAX / n)
		return 0;
	buf_add(b, p, size * n);
	return size * n;
}

/* httpguts.ValidHeaderFieldValue: no control bytes but tab. */
static bool valid_value(const char *v)
{
	for (; *v; v++)
		if (((unsigned char)*v < 0x20 && *v != '\t') || *v == 0x7f)
			return false;
	return true;
}

static bool valid_name(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!token_char((unsigned char)*k))
			return false;
	return true;
}

/* textproto.TrimString */
static char *trimmed(const char *v)
{
	size_t n = strlen(v);

	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	return xstrndup(v, n);
}

/*
 * A transport failure as Go words it: the text after `Method "url": ` of
 * the url.Error client.Do returns; false when the error is not wrapped
 * that way (promtool's deadline passing while the body is read).
 */
static bool transport_error(struct api_client *c, CURLcode rc, struct buf *msg)
{
	long oserr = 0, code = 0;
	const char *scheme = c->url.scheme ? c->url.scheme : "";
	const char *host = c->url.host ? c->url.host : "";

	curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &oserr);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_COULDNT_CONNECT && oserr) {
		buf_adds(msg, "dial tcp ");
		go_dial_target(msg, c->curl, host, scheme);
		buf_addf(msg, ": connect: %s", go_strerror((int)oserr));
	} else if (rc == CURLE_COULDNT_RESOLVE_HOST) {
		go_lookup_error(msg, host);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		double connect = 0;
		curl_easy_getinfo(c->curl, CURLINFO_CONNECT_TIME, &connect);
		if (connect > 0 || code) {
			buf_adds(msg, "context deadline exceeded");
		} else {
			buf_adds(msg, "dial tcp ");
			go_dial_target(msg, c->curl, host, scheme);
			buf_adds(msg, ": i/o timeout");
		}
		return !code;
	} else if (rc == CURLE_GOT_NOTHING) {
		buf_adds(msg, "EOF");
	} else if ((rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR) && oserr) {
		buf_addf(msg, "read: %s", go_strerror((int)oserr));
	} else {
		buf_adds(msg, curl_easy_strerror(rc));
	}
	return true;
}

/*
 * One request: the body lands in out->body, the status in out->code.
 * shown is the URL as Go names it in errors (password redacted).
 */
static int exchange(struct api_client *c, bool post, const char *url, const char *shown, const char *form,
		    struct api_reply *out, struct err *e)
{
	const char *method = post ? "Post" : "Get";
	const char *scheme = c->url.scheme ? c->url.scheme : "";
	struct curl_slist *hdrs = NULL;
	struct buf line = BUF_INIT, msg = BUF_INIT;
	bool own_encoding = find_header(c, "Accept-Encoding") != NULL;
	const char *env_noproxy = getenv("no_proxy") ? getenv("no_proxy") : getenv("NO_PROXY");
	char *noproxy = xasprintf("%s%slocalhost,127.0.0.1,::1", env_noproxy ? env_noproxy : "",
				  env_noproxy && *env_noproxy ? "," : "");
	CURLcode rc;
	int ret = -1;

	buf_reset(&out->body);
	out->code = 0;
	/* net/http's checks before dialing */
	if (c->url.opaque || (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		err_set(e, "%s \"%s\": unsupported protocol scheme \"%s\"", method, shown, scheme);
		goto done;
	}
	if (!c->url.host || !*c->url.host) {
		err_set(e, "%s \"%s\": http: no Host in request URL", method, shown);
		goto done;
	}
	for (size_t i = 0; i < c->nheaders; i++) {
		if (!valid_name(c->headers[i].key)) {
			struct buf q = BUF_INIT;
			go_quote(&q, c->headers[i].key, strlen(c->headers[i].key));
			err_set(e, "%s \"%s\": net/http: invalid header field name %s", method, shown, buf_str(&q));
			buf_release(&q);
			goto done;
		}
		if (!valid_value(c->headers[i].value)) {
			struct buf q = BUF_INIT;
			go_quote(&q, c->headers[i].key, strlen(c->headers[i].key));
			err_set(e, "%s \"%s\": net/http: invalid header field value for %s", method, shown, buf_str(&q));
			buf_release(&q);
			goto done;
		}
	}
	curl_easy_reset(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &out->body);
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c->curl, CURLOPT_MAXREDIRS, 9L); /* Go stops at the 10th redirect */
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* ProxyFromEnvironment never proxies localhost or loopback addresses */
	curl_easy_setopt(c->curl, CURLOPT_NOPROXY, noproxy);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, CALL_TIMEOUT_MS);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, DIAL_TIMEOUT_MS);
	if (!own_encoding)
		curl_easy_setopt(c->curl, CURLOPT_ACCEPT_ENCODING, "gzip");
	if (!find_header(c, "User-Agent"))
		curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "Go-http-client/1.1");
	if (c->url.user && !find_header(c, "Authorization")) {
		curl_easy_setopt(c->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c->curl, CURLOPT_USERNAME, c->url.user);
		curl_easy_setopt(c->curl, CURLOPT_PASSWORD, c->url.password ? c->url.password : "");
	}
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (!find_header(c, "Accept"))
		hdrs = curl_slist_append(hdrs, "Accept:");
	if (post) {
		curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, form);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(form));
		hdrs = curl_slist_append(hdrs, "Content-Type: application/x-www-form-urlencoded");
	} else {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	}
	for (size_t i = 0; i < c->nheaders; i++) {
		const char *k = c->headers[i].key;
		char *v;
		if (!strcmp(k, "Host") || !strcmp(k, "Content-Length") || !strcmp(k, "Transfer-Encoding") ||
		    !strcmp(k, "Trailer"))
			continue; /* net/http writes these itself */
		v = trimmed(c->headers[i].value);
		buf_reset(&line);
		/* curl sends "Key;" as an empty header; "Key:" would remove it */
		buf_addf(&line, *v ? "%s: %s" : "%s;", k, v);
		hdrs = curl_slist_append(hdrs, buf_str(&line));
		free(v);
	}
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdrs);
	rc = curl_easy_perform(c->curl);
	if (rc != CURLE_OK) {
		if (transport_error(c, rc, &msg))
			err_set(e, "%s \"%s\": %s", method, shown, buf_str(&msg));
		else
			err_set(e, "%s", buf_str(&msg));
		goto done;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &out->code);
	ret = 0;
done:
	curl_slist_free_all(hdrs);
	free(noproxy);
	buf_release(&line);
	buf_release(&msg);
	return ret;
}

/* apiClientImpl.Do's reading of the answer. */
static int read_answer(struct api_reply *out, struct err *e)
{
	long code = out->code;
	bool api_error = code == 400 || code == 422;

	if (code / 100 != 2 && !api_error) {
		if (out->body.len)
			out->detail = xstrndup(buf_str(&out->body), out->body.len);
		if (code / 100 == 4)
			return err_set(e, "client_error: client error: %ld", code);
		if (code / 100 == 5)
			return err_set(e, "server_error: server error: %ld", code);
		return err_set(e, "bad_response: bad response code %ld", code);
	}
	if (code != 204 && api_resp_decode_envelope(&out->resp, buf_str(&out->body), out->body.len, e) < 0)
		return err_wrap(e, "bad_response");
	if (out->resp.status && !strcmp(out->resp.status, "error"))
		return err_set(e, "%s: %s", out->resp.error_type ? out->resp.error_type : "",
			       out->resp.error ? out->resp.error : "");
	if (api_error && out->resp.status && !strcmp(out->resp.status, "success"))
		return err_set(e, "bad_response: inconsistent body for response code");
	return 0;
}

int api_client_call(struct api_client *c, const char *endpoint, const char *name_arg,
		    const struct api_param *params, size_t nparams, bool post, struct api_reply *out,
		    struct err *e)
{
	struct params p = { NULL, 0, 0 };
	struct buf form = BUF_INIT, path = BUF_INIT, url = BUF_INIT, shown = BUF_INIT;
	struct go_url u;
	char *joined = go_path_join(c->url.path ? c->url.path : "", endpoint);
	int ret = -1;

	/* httpClient.URL: path.Join, then ":name" replaced everywhere */
	for (const char *s = joined; *s;) {
		const char *hit = name_arg ? strstr(s, ":name") : NULL;
		if (!hit) {
			buf_adds(&path, s);
			break;
		}
		buf_add(&path, s, (size_t)(hit - s));
		buf_adds(&path, name_arg); /* URL.String() escapes the path */
		s = hit + 5;
	}
	params_parse(&p, c->url.raw_query);
	params_apply(&p, params, nparams);
	params_encode(&form, &p);

	u = c->url;
	u.path = (char *)buf_str(&path);
	u.raw_path = NULL; /* EscapedPath() from Path, as for Go's joined URL */
	u.fragment = NULL;
	if (!post)
		u.raw_query = (char *)buf_str(&form);
	go_url_format(&shown, &u, true);
	u.user = u.password = NULL; /* sent as a header, not in the URL */
	go_url_format(&url, &u, false);
	if (exchange(c, post, buf_str(&url), buf_str(&shown), buf_str(&form), out, e) < 0)
		goto done;
	if (post && (out->code == 405 || out->code == 501)) {
		buf_reset(&url);
		buf_reset(&shown);
		u = c->url;
		u.path = (char *)buf_str(&path);
		u.fragment = NULL;
		u.raw_query = (char *)buf_str(&form);
		go_url_format(&shown, &u, true);
		u.user = u.password = NULL;
		go_url_format(&url, &u, false);
		if (exchange(c, false, buf_str(&url), buf_str(&shown), NULL, out, e) < 0)
			goto done;
	}
	ret = read_answer(out, e);
done:
	kv_free(p.v, p.n);
	free(joined);
	buf_release(&form);
	buf_release(&path);
	buf_release(&url);
	buf_release(&shown);
	return ret;
}
