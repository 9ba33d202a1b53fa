/*
 * The Prometheus HTTP API as a query source.
 *
 * What promtool 2.42 sends (client_golang v1.14 api.go QueryRange and
 * DoGetFallback): POST <url>/api/v1/query_range with an
 * application/x-www-form-urlencoded body of url.Values.Encode() -- keys
 * sorted, so "end=..&query=..&start=..&step=.." plus any query parameters
 * of --url -- with times as strconv.FormatFloat(sec + nsec/1e9, 'f', -1, 64)
 * and the step as Duration.Seconds() the same way.  A 405 or 501 answer is
 * retried once as GET with the form in the query string, even when its
 * body could not be read.  The exchange itself is 5-query/remote_http.c.
 *
 * Errors read as Go's would: transport failures as url.Error
 * (`Post "<url, password as ***>": dial tcp 127.0.0.1:1: connect:
 * connection refused`), a cut-short body as "unexpected EOF", non-2xx
 * codes other than 400/422 as "server_error: server error: 500", API
 * errors as "<errorType>: <error>".
 *
 * Ours (extensions, off by default): --query-timeout adds "timeout=<seconds>"
 * to the form (Prometheus's parseDuration reads plain seconds; Go's
 * Duration.String() of WithTimeout would not parse for "1.5s") and bounds
 * each attempt; --retries repeats an attempt that failed for a reason that
 * may pass; --header adds request headers.  The last attempt's error is
 * reported unchanged.
 */
#include "5-query/remote.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "2-model/labels.h"
#include "1-common/xalloc.h"
#include "5-query/apiresp.h"
#include "5-query/curl_dl.h"
#include "5-query/gourl.h"
#include "5-query/remote_http.h"

#define BACKOFF_BASE_NS INT64_C(1000000000)
#define BACKOFF_MAX_NS (30 * INT64_C(1000000000))
#define RETRY_AFTER_MAX_S 300
#define TIMEOUT_GRACE_NS INT64_C(1000000000)

struct param {
	char *key, *value;
};

struct remote_source {
	struct query_source base;
	struct rhttp http;     /* points into the fields below */
	struct http_config cfg;
	bool has_cfg;
	char *scheme;
	struct go_url ep;      /* the endpoint: --url with /api/v1/query_range joined */
	struct param *params;  /* --url's query parameters */
	size_t nparams;
	struct rhttp_header *headers;
	size_t nheaders;
	int retries;
	int64_t query_timeout_ns;
	void (*on_retry)(void *arg, const struct remote_retry *r);
	void *retry_arg;
	uint64_t rng;          /* xorshift64* state for the backoff jitter */
	struct buf body;
	struct labels ls;      /* scratch for the sink */
};

void remote_options_init(struct remote_options *o)
{
	memset(o, 0, sizeof(*o));
	o->idle_timeout_ns = REMOTE_IDLE_TIMEOUT_DEFAULT_NS;
	o->max_response_bytes = REMOTE_MAX_RESPONSE_DEFAULT;
}

/* RFC 7230 tchar */
static bool is_token_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Splits "Name: value" (value trimmed of SP/HTAB); see remote_header_check. */
static int header_parse(const char *h, char **name, char **value, struct err *e)
{
	const char *colon = strchr(h, ':'), *v, *ve;
	static const char *const managed[] = { "Host", "Content-Length", "Content-Type", "Transfer-Encoding" };

	*name = *value = NULL;
	if (!colon || colon == h)
		return err_set(e, "--header wants \"Name: value\"");
	for (const char *p = h; p < colon; p++)
		if (!is_token_char((unsigned char)*p)) {
			struct buf q = BUF_INIT;
			go_quote(&q, h, (size_t)(colon - h));
			err_set(e, "invalid --header name %s", buf_str(&q));
			buf_release(&q);
			return -1;
		}
	for (size_t i = 0; i < sizeof(managed) / sizeof(managed[0]); i++)
		if (strlen(managed[i]) == (size_t)(colon - h) && !strncasecmp(h, managed[i], (size_t)(colon - h)))
			return err_set(e, "--header cannot set %s: promtool sets it", managed[i]);
	v = colon + 1;
	ve = v + strlen(v);
	while (v < ve && (*v == ' ' || *v == '\t'))
		v++;
	while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
		ve--;
	for (const char *p = v; p < ve; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f) {
			struct buf q = BUF_INIT;
			go_quote(&q, h, (size_t)(colon - h));
			err_set(e, "invalid --header %s: the value has a control character", buf_str(&q));
			buf_release(&q);
			return -1;
		}
	*name = xstrndup(h, (size_t)(colon - h));
	*value = xstrndup(v, (size_t)(ve - v));
	return 0;
}

int remote_header_check(const char *header, struct err *e)
{
	char *name, *value;
	if (header_parse(header, &name, &value, e))
		return -1;
	free(name);
	memset(value, 0, strlen(value));
	free(value);
	return 0;
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
		       const char *end, const char *step, const char *timeout)
{
	struct kv *kv = xcalloc(r->nparams + 5, sizeof(*kv));
	size_t n = 0;
	for (size_t i = 0; i < r->nparams; i++) {
		const char *k = r->params[i].key;
		if (strcmp(k, "query") && strcmp(k, "start") && strcmp(k, "end") && strcmp(k, "step") &&
		    (!timeout || strcmp(k, "timeout")))
			kv[n++] = (struct kv){ k, r->params[i].value };
	}
	kv[n++] = (struct kv){ "query", expr };
	kv[n++] = (struct kv){ "start", start };
	kv[n++] = (struct kv){ "end", end };
	kv[n++] = (struct kv){ "step", step };
	if (timeout) /* q.Set("timeout", ...), as WithTimeout does */
		kv[n++] = (struct kv){ "timeout", timeout };
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


static void remote_free(struct query_source *src)
{
	struct remote_source *r = (struct remote_source *)src;
	if (!r)
		return;
	if (r->http.curl)
		curl_easy_cleanup(r->http.curl);
	if (r->has_cfg)
		http_config_release(&r->cfg);
	free(r->scheme);
	go_url_release(&r->ep);
	for (size_t i = 0; i < r->nparams; i++) {
		free(r->params[i].key);
		free(r->params[i].value);
	}
	free(r->params);
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		memset(r->headers[i].value, 0, strlen(r->headers[i].value));
		free(r->headers[i].value);
	}
	free(r->headers);
	buf_release(&r->body);
	labels_release(&r->ls);
	free(r);
}

/*
 * The endpoint with query as its query string (NULL: --url's own), as it
 * goes on the wire (no credentials, no fragment) or as Go's errors show it.
 */
static char *endpoint_url(const struct remote_source *r, const char *query, bool shown)
{
	struct go_url u = r->ep;
	struct buf b = BUF_INIT;
	if (query)
		u.raw_query = (char *)query;
	if (!shown)
		u.user = u.password = u.fragment = NULL;
	go_url_format(&b, &u, shown);
	return buf_detach(&b, NULL);
}

/* One request; the body ends up in r->body. */
static int request(struct remote_source *r, const char *form, bool post, int64_t deadline,
		   struct rhttp_result *res, struct err *e)
{
	char *url = endpoint_url(r, post ? NULL : form, false);
	char *shown = endpoint_url(r, post ? NULL : form, true);
	char *auth = NULL;
	int rc = -1;

	res->code = 0;
	res->retry_after_s = -1;
	res->retryable = false;
	if (r->has_cfg && http_config_authorization(&r->cfg, &auth, e)) {
		err_wrap(e, "%s \"%s\"", post ? "Post" : "Get", shown);
		goto done;
	}
	rc = rhttp_do(&r->http, url, shown, post ? form : NULL, auth, deadline, &r->body, res, e);
done:
	if (auth) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	free(url);
	free(shown);
	return rc;
}

/* DoGetFallback plus the envelope check: one attempt at the query. */
static int attempt(struct remote_source *r, const char *form, struct api_resp *resp, struct rhttp_result *res,
		   struct err *e)
{
	/* the server has the same limit: a second more lets its own answer
	 * ("query timed out in expression evaluation") arrive first */
	int64_t deadline = r->query_timeout_ns ? rhttp_now_ns() + r->query_timeout_ns + TIMEOUT_GRACE_NS : 0;
	struct err pe = ERR_INIT;
	int rc = request(r, form, true, deadline, res, &pe);

	if (res->code == 405 || res->code == 501) {
		err_release(&pe);
		rc = request(r, form, false, deadline, res, &pe);
	}
	if (rc) {
		err_move(e, &pe);
		return -1;
	}
	if (check_response(res->code, resp, &r->body, e)) {
		res->retryable = res->code == 429 || res->code / 100 == 5;
		return -1;
	}
	return 0;
}

static uint64_t next_random(struct remote_source *r)
{
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return r->rng * UINT64_C(2685821657736338717);
}

/* The wait before attempt n+1 (n >= 1 attempts made). */
static int64_t retry_delay(struct remote_source *r, int n, const struct rhttp_result *res)
{
	int64_t d = BACKOFF_BASE_NS;
	if ((res->code == 429 || res->code == 503) && res->retry_after_s >= 0)
		return (res->retry_after_s < RETRY_AFTER_MAX_S ? res->retry_after_s : RETRY_AFTER_MAX_S) *
		       INT64_C(1000000000);
	for (int i = 1; i < n && d < BACKOFF_MAX_NS; i++)
		d *= 2;
	if (d > BACKOFF_MAX_NS)
		d = BACKOFF_MAX_NS;
	/* "equal jitter": half fixed, half random, so retries of many
	 * backfills do not arrive together */
	return d / 2 + (int64_t)(next_random(r) % (uint64_t)(d / 2 + 1));
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int remote_range(struct query_source *src, const char *expr, int64_t start_ns, int64_t end_ns,
			int64_t step_ns, const struct query_sink *sink, struct err *e)
{
	struct remote_source *r = (struct remote_source *)src;
	struct buf start = BUF_INIT, end = BUF_INIT, step = BUF_INIT, timeout = BUF_INIT, form = BUF_INIT;
	struct api_resp resp;
	int ret = -1;

	api_resp_init(&resp);
	fmt_time(&start, start_ns);
	fmt_time(&end, end_ns);
	/* Duration.Seconds(): whole seconds plus the nanosecond remainder */
	go_fmt_f(&step, (double)(step_ns / 1000000000) + (double)(step_ns % 1000000000) / 1e9);
	if (r->query_timeout_ns)
		go_fmt_f(&timeout, (double)(r->query_timeout_ns / 1000000000) +
					   (double)(r->query_timeout_ns % 1000000000) / 1e9);
	build_form(r, &form, expr, buf_str(&start), buf_str(&end), buf_str(&step),
		   r->query_timeout_ns ? buf_str(&timeout) : NULL);

	for (int n = 1;; n++) {
		struct rhttp_result res;
		struct err ae = ERR_INIT;
		int64_t delay;
		api_resp_release(&resp);
		api_resp_init(&resp);
		if (!attempt(r, buf_str(&form), &resp, &res, &ae))
			break;
		if (!res.retryable || n > r->retries) {
			err_move(e, &ae);
			goto done;
		}
		delay = retry_delay(r, n, &res);
		if (r->on_retry) {
			struct remote_retry rr = { n + 1, r->retries + 1, delay, err_msg(&ae) };
			r->on_retry(r->retry_arg, &rr);
		}
		err_release(&ae);
		sleep_ns(delay);
	}
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
	buf_release(&timeout);
	buf_release(&form);
	/* Do not keep a window's body around between queries. */
	buf_release(&r->body);
	return ret;
}

static const struct query_source_ops remote_ops = {
	remote_range,
	remote_free,
};

static uint64_t random_seed(void)
{
	uint64_t s = 0;
	struct timespec ts;
	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		s = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 20 ^ (uint64_t)getpid() << 40;
	}
	return s ? s : UINT64_C(0x9E3779B97F4A7C15);
}

int remote_source_new(struct query_source **out, const char *url, const struct remote_options *opts,
		      struct err *e)
{
	struct remote_source *r = xcalloc(1, sizeof(*r));
	struct remote_options defaults;
	struct go_url u;
	int ret = -1;

	*out = NULL;
	if (!opts) {
		remote_options_init(&defaults);
		opts = &defaults;
	}
	r->base.ops = &remote_ops;
	labels_init(&r->ls);
	buf_init(&r->body);
	if (go_url_parse(&u, url, e))
		goto done;
	if (!(r->http.curl = curl_dl_handle(e))) {
		go_url_release(&u);
		goto done;
	}
	if (opts->http) {
		http_config_copy(&r->cfg, opts->http);
		r->has_cfg = true;
	} else if (u.user) {
		/* URL credentials become a Basic header (net/http does that
		 * itself); they never go into the URL curl sees. */
		http_config_init(&r->cfg);
		r->has_cfg = true;
		r->cfg.has_basic = true;
		r->cfg.basic_user = xstrdup(u.user);
		r->cfg.basic_password = xstrdup(u.password ? u.password : "");
	}
	r->headers = xcalloc(opts->nheaders ? opts->nheaders : 1, sizeof(*r->headers));
	for (size_t i = 0; i < opts->nheaders; i++) {
		if (header_parse(opts->headers[i], &r->headers[i].name, &r->headers[i].value, e)) {
			go_url_release(&u);
			goto done;
		}
		r->nheaders++;
	}
	r->scheme = xstrdup(u.scheme ? u.scheme : "");
	parse_params(r, u.raw_query);

	/* api.NewClient trims trailing slashes of the (decoded) path; URL()
	 * path.Joins the endpoint, so --url's own escaping is not kept. */
	{
		char *p = xstrdup(u.path ? u.path : "");
		size_t n = strlen(p);
		while (n && p[n - 1] == '/')
			p[--n] = '\0';
		free(u.path);
		u.path = go_path_join(p, "/api/v1/query_range");
		free(p);
		free(u.raw_path);
		u.raw_path = NULL;
	}
	r->ep = u;
	r->http.scheme = r->scheme;
	r->http.host = r->ep.host ? r->ep.host : "";
	r->http.cfg = r->has_cfg ? &r->cfg : NULL;
	r->http.headers = r->headers;
	r->http.nheaders = r->nheaders;
	r->http.max_bytes = opts->max_response_bytes;
	r->http.idle_ns = opts->idle_timeout_ns;
	r->http.query_timeout_ns = opts->query_timeout_ns;
	r->retries = opts->retries > 0 ? opts->retries : 0;
	r->query_timeout_ns = opts->query_timeout_ns;
	r->on_retry = opts->on_retry;
	r->retry_arg = opts->retry_arg;
	r->rng = random_seed();
	ret = 0;
done:
	if (ret) {
		remote_free(&r->base);
		return -1;
	}
	*out = &r->base;
	return 0;
}
