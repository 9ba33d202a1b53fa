/*
 * promtool push metrics (2.46 - 3.7): cmd/promtool/metrics.go PushMetrics
 * and parseAndPushMetrics, read at v2.46.0, v2.48.0, v2.54.0, v2.55.0 and
 * v3.4.0 (where the file changes; none of the changes shows in what is
 * sent or printed).  Per file:
 *   stdout  "Parsing metrics file <f>", then on success
 *           "  SUCCESS: metrics file <f> pushed to remote write."
 *   stderr  "  FAILED: <error>" (parse error or Store's), and the next file
 * With no file, standard input: "Parsing standard input" and "  SUCCESS:
 * metrics pushed to remote write.".  Exit 1 when any failed, else 0.
 *
 * 3.8 sends through client_golang's remote API (retries, remote-write 2.0
 * with --protobuf_message): not implemented, refused as before.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "1-common/err.h"
#include "1-common/goerrno.h"
#include "1-common/xalloc.h"
#include "5-query/expfmt.h"
#include "5-query/httpconfig.h"
#include "5-query/remote_write.h"
#include "8-promtool/cli.h"
#include "8-promtool/commands.h"

/* kingpin's StringMap: KEY=VALUE or KEY:VALUE, a later key replacing the value */
static void string_map(const struct cli_ctx *c, const char *flag, struct rhttp_header **out, size_t *n)
{
	size_t nv = 0;
	const char *const *v = cli_list(c, flag, &nv);

	*out = xcalloc(nv ? nv : 1, sizeof(**out));
	*n = 0;
	for (size_t i = 0; i < nv; i++) {
		size_t klen;
		char *k;
		size_t j;
		if (!v[i] || !*v[i])
			continue;
		klen = strcspn(v[i], ":=");
		k = xstrndup(v[i], klen);
		for (j = 0; j < *n && strcmp((*out)[j].name, k); j++)
			;
		if (j == *n)
			(*out)[(*n)++].name = k;
		else
			free(k);
		free((*out)[j].value);
		(*out)[j].value = xstrdup(v[i][klen] ? v[i] + klen + 1 : "");
	}
}

static void free_map(struct rhttp_header *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].name);
		free(m[i].value);
	}
	free(m);
}

static int read_all(FILE *f, const char *path, struct buf *out, struct err *e)
{
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	if (ferror(f))
		return err_set(e, "read %s: %s", path, go_strerror(errno));
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* parseAndPushMetrics: true when pushed, else "  FAILED: ..." printed */
static bool parse_and_push(const struct remote_write_opts *o, const struct rhttp_header *labels, size_t nlabels,
			   const struct buf *data)
{
	struct expfmt x;
	struct buf req = BUF_INIT;
	struct err e = ERR_INIT;
	bool ok = false;

	expfmt_init(&x);
	if (expfmt_parse(&x, data->data ? (const char *)data->data : "", data->len, &e))
		goto done;
	remote_write_request(&req, &x, labels, nlabels, now_ms());
	if (remote_write_store(o, req.data, req.len, &e))
		goto done;
	ok = true;
done:
	if (!ok) {
		fflush(stdout);
		fprintf(stderr, "  FAILED: %s\n", err_msg(&e));
	}
	expfmt_release(&x);
	buf_release(&req);
	err_release(&e);
	return ok;
}

int cmd_push_metrics(const struct cli_ctx *c)
{
	const struct compat *compat = cli_compat(c);
	const char *cfg_path = cli_str(c, "http.config.file");
	struct remote_write_opts o;
	struct http_config hc;
	bool have_hc = false;
	struct rhttp_header *labels = NULL, *headers = NULL;
	size_t nlabels = 0, nheaders = 0, nfiles = 0;
	const char *const *files;
	char ver[32], *ua = NULL;
	struct buf data = BUF_INIT;
	struct err e = ERR_INIT;
	bool failed = false;
	int rc = 1;

	if (compat_at_least(compat, 3, 8, 0))
		return cmd_not_in_build(c);
	memset(&o, 0, sizeof(o));
	if (cfg_path && *cfg_path) {
		/* main(): loaded before the command runs, kingpin.Fatalf on failure */
		http_config_init(&hc);
		have_hc = true;
		if (http_config_load(&hc, cfg_path, &e) < 0) {
			fprintf(stderr, "%s: error: Failed to load HTTP config file: %s\n", cli_app_name(c), err_msg(&e));
			goto done;
		}
		if (hc.server_name) {
			fprintf(stderr, "%s: error: Failed to create a new HTTP round tripper: tls_config server_name is "
					"not supported by this promtool\n", cli_app_name(c));
			goto done;
		}
		o.http = &hc;
	}
	string_map(c, "label", &labels, &nlabels);
	string_map(c, "header", &headers, &nheaders);
	ua = xasprintf("Prometheus/%s", compat_format(compat, ver, sizeof(ver)));
	o.url = cli_str(c, "remote-write-url");
	o.user_agent = ua;
	o.headers = headers;
	o.nheaders = nheaders;
	o.timeout_ns = cli_int(c, "timeout");

	files = cli_list(c, "metric-files", &nfiles);
	if (nfiles == 1 && !*files[0])
		nfiles = 0;
	if (nfiles == 0) {
		if (read_all(stdin, "/dev/stdin", &data, &e)) {
			fprintf(stderr, "  FAILED: %s\n", err_msg(&e));
			goto done;
		}
		printf("Parsing standard input\n");
		if (parse_and_push(&o, labels, nlabels, &data)) {
			printf("  SUCCESS: metrics pushed to remote write.\n");
			rc = 0;
		}
		goto done;
	}
	for (size_t i = 0; i < nfiles; i++) {
		FILE *f = fopen(files[i], "rb");
		buf_reset(&data);
		if (!f || read_all(f, files[i], &data, &e)) {
			if (!f)
				err_set(&e, "open %s: %s", files[i], go_strerror(errno));
			fflush(stdout);
			fprintf(stderr, "  FAILED: %s\n", err_msg(&e));
			err_release(&e);
			if (f)
				fclose(f);
			failed = true;
			continue;
		}
		fclose(f);
		printf("Parsing metrics file %s\n", files[i]);
		if (parse_and_push(&o, labels, nlabels, &data)) {
			printf("  SUCCESS: metrics file %s pushed to remote write.\n", files[i]);
			continue;
		}
		failed = true;
	}
	rc = failed ? 1 : 0;
done:
	fflush(stdout);
	if (have_hc)
		http_config_release(&hc);
	free_map(labels, nlabels);
	free_map(headers, nheaders);
	free(ua);
	buf_release(&data);
	err_release(&e);
	return rc;
}
