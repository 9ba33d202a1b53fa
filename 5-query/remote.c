/*
 * The Prometheus HTTP API as a query source, over libcurl.
 *
 * What promtool 2.42 sends (client_golang v1.14 api.go QueryRange and
 * DoGetFallback): POST <url>/api/v1/query_range with an
 * application/x-www-form-urlencoded body of url.Values.Encode() -- keys
 * sorted, so "end=..&query=..&start=..&step=.." plus any query parameters
 * of --url -- with times as strconv.FormatFloat(sec + nsec/1e9, 'f', -1, 64)
 * and the step as Duration.Seconds() the same way.  A 405 or 501 answer is
 * retried once as GET with the form in the query string.  The Go transport
 * asks for gzip and follows up to 10 redirects; there is no timeout.
 *
 * Errors read as Go's would: transport failures as url.Error
 * (`Post "<url, password as ***>": dial tcp 127.0.0.1:1: connect:
 * connection refused`), a cut-short body as "unexpected EOF", non-2xx
 * codes other than 400/422 as "server_error: server error: 500", API
 * errors as "<errorType>: <error>".
 */
#include "5-query/remote.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/goerrno.h"
#include "1-common/gofmt.h"
#include "2-model/labels.h"
#include "1-common/xalloc.h"
#include "5-query/apiresp.h"
#include "5-query/gourl.h"

struct param {
	char *key, *value;
};

struct remote_source {
	struct query_source base;
	CURL *curl;
	struct http_config cfg;
	bool has_cfg;
	char *scheme, *host;
	char *post_url;    /* endpoint incl. --url's own query string */
	char *get_base;    /* endpoint without query string */
	char *shown_url;   /* post_url with the password redacted, for errors */
	char *shown_base;  /* get_base redacted */
	struct param *params; /* --url's query parameters */
	size_t nparams;
	struct buf body;
	char *location;    /* last Location header seen */
	struct labels ls;  /* scratch for the sink */
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct remote_source *r = arg;
	if (n && size > SIZE_MAX / n)
		return 0;
	buf_add(&r->body, p, size * n);
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct remote_source *r = arg;
	size_t len = size * n;
	if (len > 9 && !strncasecmp(p, "location:", 9)) {
		size_t s = 9, e = len;
		while (s < e && (p[s] == ' ' || p[s] == '\t'))
			s++;
		while (e > s && (p[e - 1] == '\r' || p[e - 1] == '\n' || p[e - 1] == ' '))
			e--;
		free(r->location);
		r->location = xstrndup(p + s, e - s);
	}
	return len;
}

static int hexv(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* url.QueryUnescape; NULL when invalid (url.ParseQuery then drops the pair). */
static char *query_unescape(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			buf_addc(&b, ' ');
		} else if (s[i] == '%') {
			if (i + 2 >= n || hexv(s[i + 1]) < 0 || hexv(s[i + 2]) < 0) {
				buf_release(&b);
				return NULL;
			}
			buf_addc(&b, (unsigned char)(hexv(s[i + 1]) << 4 | hexv(s[i + 2])));
			i += 2;
		} else {
			buf_addc(&b, (unsigned char)s[i]);
		}
	}
	buf_grow(&b, 1);
	return buf_detach(&b, NULL);
}

/* u.Query(): '&'-separated pairs; pairs with ';' or bad escapes dropped. */
static void parse_params(struct remote_source *r, const char *q)
{
	size_t cap = 0;
	while (q && *q) {
		const char *amp = strchr(q, '&');
		size_t n = amp ? (size_t)(amp - q) : strlen(q);
		if (n && !memchr(q, ';', n)) {
			const char *eq = memchr(q, '=', n);
			char *k = query_unescape(q, eq ? (size_t)(eq - q) : n);
			char *v = eq ? query_unescape(eq + 1, n - (size_t)(eq - q) - 1) : xstrdup("");
			if (k && v) {
				ALLOC_GROW(r->params, r->nparams + 1, cap);
				r->params[r->nparams].key = k;
				r->params[r->nparams].value = v;
				r->nparams++;
			} else {
				free(k);
				free(v);
			}
		}
		q = amp ? amp + 1 : NULL;
	}
}

static void remote_free(struct query_source *src)
{
	struct remote_source *r = (struct remote_source *)src;
	if (!r)
		return;
	if (r->curl)
		curl_easy_cleanup(r->curl);
	if (r->has_cfg)
		http_config_release(&r->cfg);
	free(r->scheme);
	free(r->host);
	free(r->post_url);
	free(r->get_base);
	free(r->shown_url);
	free(r->shown_base);
	for (size_t i = 0; i < r->nparams; i++) {
		free(r->params[i].key);
		free(r->params[i].value);
	}
	free(r->params);
	free(r->location);
	buf_release(&r->body);
	labels_release(&r->ls);
	free(r);
}

/* FormatFloat(float64(t.Unix())+float64(t.Nanosecond())/1e9, 'f', -1, 64) */
static void fmt_time(struct buf *out, int64_t ns)
{
	int64_t sec = ns / 1000000000, nsec = ns % 1000000000;
	if (nsec < 0) {
		nsec += 1000000000;
		sec--;
	}
	go_fmt_f(out, (double)sec + (double)nsec / 1e9);
}

struct kv {
	const char *key;
	const char *value;
};

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

/* url.Values.Encode(): keys sorted, values of a key in order. */
static void build_form(struct remote_source *r, struct buf *form, const char *expr, const char *start,
		       const char *end, const char *step)
{
	struct kv *kv = xcalloc(r->nparams + 4, sizeof(*kv));
	size_t n = 0;
	for (size_t i = 0; i < r->nparams; i++) {
		const char *k = r->params[i].key;
		if (strcmp(k, "query") && strcmp(k, "start") && strcmp(k, "end") && strcmp(k, "step"))
			kv[n++] = (struct kv){ k, r->params[i].value };
	}
	kv[n++] = (struct kv){ "query", expr };
	kv[n++] = (struct kv){ "start", start };
	kv[n++] = (struct kv){ "end", end };
	kv[n++] = (struct kv){ "step", step };
	/* insertion sort keeps equal keys in order, as Encode does */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && kv_cmp(&kv[j - 1], &kv[j]) > 0; j--) {
			struct kv t = kv[j];
			kv[j] = kv[j - 1];
			kv[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(form, '&');
		go_query_escape(form, kv[i].key);
		buf_addc(form, '=');
		go_query_escape(form, kv[i].value);
	}
	free(kv);
}

/* url.Error text for a transport failure. */
static int transport_error(struct remote_source *r, CURLcode rc, const char *method, const char *shown,
			   struct err *e)
{
	long oserr = 0;
	char *ip = NULL;
	long port = 0;

	if (rc == CURLE_PARTIAL_FILE)
		return err_set(e, "unexpected EOF"); /* body read: not wrapped */
	if (rc == CURLE_BAD_CONTENT_ENCODING)
		return err_set(e, "gzip: invalid header");
	if (rc == CURLE_TOO_MANY_REDIRECTS)
		return err_set(e, "%s \"%s\": stopped after 10 redirects", method, r->location ? r->location : shown);
	if (rc == CURLE_GOT_NOTHING)
		return err_set(e, "%s \"%s\": EOF", method, shown);
	curl_easy_getinfo(r->curl, CURLINFO_OS_ERRNO, &oserr);
	curl_easy_getinfo(r->curl, CURLINFO_PRIMARY_IP, &ip);
	curl_easy_getinfo(r->curl, CURLINFO_PRIMARY_PORT, &port);
	if (rc == CURLE_COULDNT_CONNECT && oserr) {
		/* net.Dial names the address it dialed: ip:port, IPv6 in brackets */
		char *h = xstrdup(r->host), *p = NULL;
		const char *name = h;
		long uport = 0;
		int v6;
		if (h[0] == '[') {
			char *rb = strchr(h, ']');
			if (rb) {
				*rb = '\0';
				p = rb[1] == ':' ? rb + 2 : NULL;
			}
			name = h + 1;
		} else if ((p = strrchr(h, ':'))) {
			*p++ = '\0';
		}
		if (p && *p)
			uport = strtol(p, NULL, 10);
		if (ip && *ip)
			name = ip;
		if (!port)
			port = uport ? uport : !strcmp(r->scheme, "https") ? 443 : 80;
		v6 = strchr(name, ':') != NULL;
		err_set(e, "%s \"%s\": dial tcp %s%s%s:%ld: connect: %s", method, shown, v6 ? "[" : "", name,
			v6 ? "]" : "", port, go_strerror((int)oserr));
		free(h);
		return -1;
	}
	if (rc == CURLE_COULDNT_RESOLVE_HOST) {
		char *h = xstrdup(r->host), *colon = strrchr(h, ':');
		if (colon && !strchr(h, ']'))
			*colon = '\0';
		err_set(e, "%s \"%s\": dial tcp: lookup %s: no such host", method, shown, h);
		free(h);
		return -1;
	}
	if ((rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR) && oserr)
		return err_set(e, "%s \"%s\": read: %s", method, shown, go_strerror((int)oserr));
	return err_set(e, "%s \"%s\": %s", method, shown, curl_easy_strerror(rc));
}

/* One HTTP exchange; the body ends up in r->body, the status in *code. */
static int do_request(struct remote_source *r, bool post, const char *form, long *code, struct err *e)
{
	struct curl_slist *hdrs = NULL;
	char *auth = NULL, *url = NULL, *shown = NULL;
	const char *method = post ? "Post" : "Get";
	CURLcode rc;
	int ret = -1;

	buf_reset(&r->body);
	free(r->location);
	r->location = NULL;
	if (post) {
		url = xstrdup(r->post_url);
		shown = xstrdup(r->shown_url);
	} else {
		url = xasprintf("%s?%s", r->get_base, form);
		shown = xasprintf("%s?%s", r->shown_base, form);
	}
	/* net/http checks these before dialing */
	if (strcmp(r->scheme, "http") && strcmp(r->scheme, "https")) {
		err_set(e, "%s \"%s\": unsupported protocol scheme \"%s\"", method, shown, r->scheme);
		goto done;
	}
	if (!*r->host) {
		err_set(e, "%s \"%s\": http: no Host in request URL", method, shown);
		goto done;
	}
	if (r->has_cfg && http_config_authorization(&r->cfg, &auth, e)) {
		err_wrap(e, "%s \"%s\"", method, shown);
		goto done;
	}
	curl_easy_reset(r->curl);
	curl_easy_setopt(r->curl, CURLOPT_URL, url);
	curl_easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(r->curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(r->curl, CURLOPT_ACCEPT_ENCODING, "gzip");
	curl_easy_setopt(r->curl, CURLOPT_FOLLOWLOCATION, 1L);
	/* Go gives up on the 10th redirect response without following it */
	curl_easy_setopt(r->curl, CURLOPT_MAXREDIRS, 9L);
	curl_easy_setopt(r->curl, CURLOPT_USERAGENT, "Go-http-client/1.1");
	curl_easy_setopt(r->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (post) {
		curl_easy_setopt(r->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(r->curl, CURLOPT_POSTFIELDS, form);
		curl_easy_setopt(r->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(form));
		hdrs = curl_slist_append(hdrs, "Content-Type: application/x-www-form-urlencoded");
	} else {
		curl_easy_setopt(r->curl, CURLOPT_HTTPGET, 1L);
	}
	if (auth) {
		char *h = xasprintf("Authorization: %s", auth);
		hdrs = curl_slist_append(hdrs, h);
		memset(h, 0, strlen(h));
		free(h);
	}
	curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, hdrs);
	if (r->has_cfg) {
		if (r->cfg.ca_file)
			curl_easy_setopt(r->curl, CURLOPT_CAINFO, r->cfg.ca_file);
		if (r->cfg.cert_file)
			curl_easy_setopt(r->curl, CURLOPT_SSLCERT, r->cfg.cert_file);
		if (r->cfg.key_file)
			curl_easy_setopt(r->curl, CURLOPT_SSLKEY, r->cfg.key_file);
		if (r->cfg.insecure_skip_verify) {
			curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYHOST, 0L);
		}
		if (r->cfg.proxy_url)
			curl_easy_setopt(r->curl, CURLOPT_PROXY, r->cfg.proxy_url);
	}
	rc = curl_easy_perform(r->curl);
	if (rc != CURLE_OK) {
		transport_error(r, rc, method, shown, e);
		goto done;
	}
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, code);
	ret = 0;
done:
	curl_slist_free_all(hdrs);
	if (auth) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	free(url);
	free(shown);
	return ret;
}

/* apiClientImpl.Do's reading of status code and envelope. */
static int check_response(long code, struct api_resp *resp, const struct buf *body, struct err *e)
{
	bool api_error = code == 400 || code == 422;
	if (code / 100 != 2 && !api_error) {
		if (code / 100 == 4)
			return err_set(e, "client_error: client error: %ld", code);
		if (code / 100 == 5)
			return err_set(e, "server_error: server error: %ld", code);
		return err_set(e, "bad_response: bad response code %ld", code);
	}
	if (code != 204 && api_resp_decode_envelope(resp, (const char *)(body->data ? body->data : (const unsigned char *)""),
						    body->len, e))
		return err_wrap(e, "bad_response");
	if (resp->status && !strcmp(resp->status, "error"))
		return err_set(e, "%s: %s", resp->error_type ? resp->error_type : "",
			       resp->error ? resp->error : "");
	if (api_error && resp->status && !strcmp(resp->status, "success"))
		return err_set(e, "bad_response: inconsistent body for response code");
	return 0;
}

static int remote_range(struct query_source *src, const char *expr, int64_t start_ns, int64_t end_ns,
			int64_t step_ns, const struct query_sink *sink, struct err *e)
{
	struct remote_source *r = (struct remote_source *)src;
	struct buf start = BUF_INIT, end = BUF_INIT, step = BUF_INIT, form = BUF_INIT;
	struct api_resp resp;
	long code = 0;
	int ret = -1;

	api_resp_init(&resp);
	fmt_time(&start, start_ns);
	fmt_time(&end, end_ns);
	/* Duration.Seconds(): whole seconds plus the nanosecond remainder */
	go_fmt_f(&step, (double)(step_ns / 1000000000) + (double)(step_ns % 1000000000) / 1e9);
	build_form(r, &form, expr, buf_str(&start), buf_str(&end), buf_str(&step));

	if (do_request(r, true, buf_str(&form), &code, e))
		goto done;
	if (code == 405 || code == 501) {
		if (do_request(r, false, buf_str(&form), &code, e))
			goto done;
	}
	if (check_response(code, &resp, &r->body, e))
		goto done;
	if (api_resp_decode_result(&resp, e))
		goto done;
	/* Decoded into compact arrays: the text can go before the samples
	 * reach the block writer, so the two never peak together. */
	buf_release(&r->body);
	/* The whole response is valid: hand it over. */
	if (sink->begin(sink->arg, resp.result_type, (const char *const *)resp.warnings, resp.nwarnings, e))
		goto done;
	if (!strcmp(resp.result_type, "matrix")) {
		for (size_t i = 0; i < resp.nseries; i++) {
			const struct api_series *s = &resp.series[i];
			struct query_series qs;
			api_resp_series_labels(&resp, i, &r->ls);
			qs.labels = r->ls.v;
			qs.nlabels = r->ls.n;
			qs.t = resp.t + s->sample_off;
			qs.v = resp.v + s->sample_off;
			qs.n = s->nsamples;
			if (sink->series(sink->arg, &qs, e))
				goto done;
		}
	}
	ret = 0;
done:
	api_resp_release(&resp);
	buf_release(&start);
	buf_release(&end);
	buf_release(&step);
	buf_release(&form);
	/* Do not keep a window's body around between queries. */
	buf_release(&r->body);
	return ret;
}

static const struct query_source_ops remote_ops = {
	remote_range,
	remote_free,
};

int remote_source_new(struct query_source **out, const char *url, const struct http_config *cfg, struct err *e)
{
	struct remote_source *r = xcalloc(1, sizeof(*r));
	struct go_url u, tmp;
	struct buf b = BUF_INIT;
	char *path;

	*out = NULL;
	r->base.ops = &remote_ops;
	labels_init(&r->ls);
	buf_init(&r->body);
	if (go_url_parse(&u, url, e)) {
		remote_free(&r->base);
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(r->curl = curl_easy_init())) {
		go_url_release(&u);
		remote_free(&r->base);
		return err_set(e, "cannot initialise libcurl");
	}
	if (cfg) {
		http_config_copy(&r->cfg, cfg);
		r->has_cfg = true;
	}
	r->scheme = xstrdup(u.scheme ? u.scheme : "");
	r->host = xstrdup(u.host ? u.host : "");
	parse_params(r, u.raw_query);

	/* api.NewClient trims trailing slashes; URL() path.Joins the endpoint. */
	{
		char *p = xstrdup(u.path ? u.path : "");
		size_t n = strlen(p);
		while (n && p[n - 1] == '/')
			p[--n] = '\0';
		path = go_path_join(p, "/api/v1/query_range");
		free(p);
	}
	tmp = u;
	tmp.path = path;
	tmp.raw_path = NULL;
	tmp.fragment = NULL;
	/* URL credentials become a Basic header (net/http does that itself);
	 * keep them out of the URL curl sees. */
	if (u.user && !r->has_cfg) {
		http_config_init(&r->cfg);
		r->has_cfg = true;
		r->cfg.has_basic = true;
		r->cfg.basic_user = xstrdup(u.user);
		r->cfg.basic_password = xstrdup(u.password ? u.password : "");
	}
	go_url_format(&b, &tmp, true);
	r->shown_url = buf_detach(&b, NULL);
	tmp.raw_query = NULL;
	go_url_format(&b, &tmp, true);
	r->shown_base = buf_detach(&b, NULL);
	tmp.user = tmp.password = NULL;
	tmp.raw_query = u.raw_query;
	go_url_format(&b, &tmp, false);
	r->post_url = buf_detach(&b, NULL);
	tmp.raw_query = NULL;
	go_url_format(&b, &tmp, false);
	r->get_base = buf_detach(&b, NULL);
	buf_release(&b);
	free(path);
	go_url_release(&u);
	*out = &r->base;
	return 0;
}
