/*
 * check healthy / check ready: builds the address CheckServerStatus builds
 * (cmd/promtool/main.go), sends one GET over 5-query/remote_http.c with a
 * 10 s deadline (its context.WithTimeout) and reads the status.
 *
 * The address, per release:
 *   2.44-3.12  serverURL.String() + "/-/healthy", parsed again by
 *              api.NewClient and http.NewRequest: "http://h:9090/" asks
 *              "//-/healthy", and a query string or fragment swallows the
 *              endpoint, exactly as upstream does
 *   3.13+      serverURL.JoinPath("/-/healthy"): path.Join of the two paths
 *              (one slash, "." and ".." cleaned), query and fragment kept
 * The user info of the URL becomes a Basic header, as net/http does;
 * --http.config.file's authorization and TLS settings apply otherwise.
 */
#include "5-query/server_status.h"

#include <stdlib.h>
#include <string.h>

#include "1-common/xalloc.h"
#include "5-query/curl_dl.h"
#include "5-query/gourl.h"
#include "5-query/remote_http.h"

#define STATUS_TIMEOUT_NS (10 * INT64_C(1000000000))

/* url.JoinPath(endpoint) on u's path, as Go 1.19+ writes it. */
static void join_path(struct go_url *u, const char *endpoint)
{
	const char *p = u->path ? u->path : "";
	char *joined;

	if (*p == '/') {
		joined = go_path_join(p, endpoint);
	} else {
		/* a relative path stays relative: JoinPath cleans "/" + path
		 * and drops the leading slash again */
		char *rooted = xasprintf("/%s", p);
		char *j = go_path_join(rooted, endpoint);
		joined = xstrdup(j + 1);
		free(j);
		free(rooted);
	}
	free(u->path);
	u->path = joined;
	free(u->raw_path);
	u->raw_path = NULL;
}

int server_status_check(const struct server_status_opts *o, struct buf *body, struct err *e)
{
	struct go_url u, req;
	bool have_u = false, have_req = false;
	struct buf server = BUF_INIT, addr = BUF_INIT, wire = BUF_INIT, shown = BUF_INIT;
	struct http_config cfg;
	bool have_cfg = false;
	struct rhttp h;
	struct rhttp_result res;
	struct buf got = BUF_INIT;
	char *auth = NULL;
	int ret = SERVER_STATUS_FAILED;

	memset(&h, 0, sizeof(h));
	if (go_url_parse(&u, o->url, e))
		goto done;
	have_u = true;
	if (!u.scheme || !*u.scheme) {
		free(u.scheme);
		u.scheme = xstrdup("http");
	}
	go_url_format(&server, &u, false);
	if (o->join_path) {
		join_path(&u, o->endpoint);
		go_url_format(&addr, &u, false);
	} else {
		buf_add(&addr, server.data, server.len);
		buf_adds(&addr, o->endpoint);
	}
	if (go_url_parse(&req, buf_str(&addr), e)) {
		ret = SERVER_STATUS_CLIENT;
		goto done;
	}
	have_req = true;
	go_url_format(&shown, &req, true);
	{
		struct go_url w = req;
		w.user = w.password = w.fragment = NULL;
		go_url_format(&wire, &w, false);
	}

	if (o->http) {
		http_config_copy(&cfg, o->http);
		have_cfg = true;
	} else if (req.user) {
		http_config_init(&cfg);
		have_cfg = true;
		cfg.has_basic = true;
		cfg.basic_user = xstrdup(req.user);
		cfg.basic_password = xstrdup(req.password ? req.password : "");
	}
	if (have_cfg && http_config_authorization(&cfg, &auth, e)) {
		err_wrap(e, "Get \"%s\"", buf_str(&shown));
		goto done;
	}

	if (!(h.curl = curl_dl_handle(e)))
		goto done;
	h.scheme = req.scheme ? req.scheme : "";
	h.host = req.host ? req.host : "";
	h.cfg = o->http;
	if (rhttp_do(&h, buf_str(&wire), buf_str(&shown), NULL, auth, rhttp_now_ns() + STATUS_TIMEOUT_NS, &got,
		     &res, e))
		goto done;
	if (res.code != 200) {
		err_set(e, "check failed: URL=%s, status=%ld", buf_str(&server), res.code);
		goto done;
	}
	buf_add(body, got.data, got.len);
	ret = 0;
done:
	if (h.curl)
		curl_easy_cleanup(h.curl);
	if (auth) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	if (have_cfg)
		http_config_release(&cfg);
	if (have_req)
		go_url_release(&req);
	if (have_u)
		go_url_release(&u);
	buf_release(&got);
	buf_release(&server);
	buf_release(&addr);
	buf_release(&wire);
	buf_release(&shown);
	return ret;
}
