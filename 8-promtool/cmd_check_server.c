/*
 * promtool check healthy / check ready (2.44+): cmd/promtool/main.go at
 * v2.44.0 (the same in effect to v3.14.0 but for the address, see
 * 5-query/server_status.c):
 *   200      stderr "  SUCCESS:  <body>" and a newline (Println's space
 *            after "  SUCCESS: "), exit 0
 *   other    stderr "check failed: URL=<url>, status=<code>", exit 1
 *   no reply stderr the url.Error (checkErr), exit 1
 * --http.config.file loads before the command runs, with kingpin.Fatalf's
 * messages, as main() does for every command that has the flag.
 */
#include <stdio.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "1-common/err.h"
#include "5-query/gourl.h"
#include "5-query/httpconfig.h"
#include "5-query/server_status.h"
#include "8-promtool/cli.h"
#include "8-promtool/commands.h"

/* kingpin.Fatalf: "promtool: error: <msg>" without the --help hint. */
static int fatal(const struct cli_ctx *c, const char *msg)
{
	fprintf(stderr, "%s: error: %s\n", cli_app_name(c), msg);
	return 1;
}

/* main()'s --http.config.file block: 0 with *out loaded, else 1 with the error printed. */
static int load_http_config(const struct cli_ctx *c, const char *url, const char *path, struct http_config *out)
{
	struct err e = ERR_INIT;
	struct go_url u;
	struct buf m = BUF_INIT;
	int rc = 1;

	if (go_url_parse(&u, url, &e) == 0) {
		bool has_user = u.user && *u.user;
		go_url_release(&u);
		if (has_user) {
			fatal(c, "Cannot set base auth in the server URL and use a http.config.file at the same time");
			goto done;
		}
	}
	err_release(&e);
	if (http_config_load(out, path, &e) < 0) {
		buf_addf(&m, "Failed to load HTTP config file: %s", err_msg(&e));
		fatal(c, buf_str(&m));
		goto done;
	}
	if (out->server_name) {
		/* libcurl cannot set SNI apart from the URL's host */
		fatal(c, "Failed to create a new HTTP round tripper: tls_config server_name is not supported by this promtool");
		goto done;
	}
	rc = 0;
done:
	buf_release(&m);
	err_release(&e);
	return rc;
}

static int check_server(const struct cli_ctx *c, const char *endpoint)
{
	const char *cfg_path = cli_str(c, "http.config.file");
	struct server_status_opts o;
	struct http_config hc;
	bool have_hc = false;
	struct buf body = BUF_INIT;
	struct err e = ERR_INIT;
	int rc = 1, st;

	memset(&o, 0, sizeof(o));
	o.url = cli_str(c, "url");
	o.endpoint = endpoint;
	o.join_path = compat_on(cli_compat(c), COMPAT_CHECK_SERVER_JOIN_PATH);
	if (cfg_path && *cfg_path) {
		http_config_init(&hc);
		have_hc = true;
		if (load_http_config(c, o.url, cfg_path, &hc))
			goto done;
		o.http = &hc;
	}
	st = server_status_check(&o, &body, &e);
	fflush(stdout);
	if (st == SERVER_STATUS_CLIENT)
		fprintf(stderr, "error creating API client: %s\n", err_msg(&e));
	if (st < 0) {
		fprintf(stderr, "%s\n", err_msg(&e));
		goto done;
	}
	fputs("  SUCCESS:  ", stderr);
	if (body.len)
		fwrite(body.data, 1, body.len, stderr);
	fputc('\n', stderr);
	rc = 0;
done:
	if (have_hc)
		http_config_release(&hc);
	buf_release(&body);
	err_release(&e);
	return rc;
}

int cmd_check_healthy(const struct cli_ctx *c)
{
	return check_server(c, "/-/healthy");
}

int cmd_check_ready(const struct cli_ctx *c)
{
	return check_server(c, "/-/ready");
}
