/*
 * promtool query instant|range|series|labels (cmd/promtool/main.go of
 * 2.42: QueryInstant, QueryRange, QuerySeries, QueryLabels): the times
 * parsed and defaulted as promtool does, the question put to the server
 * (5-query/query_api.h), the answer printed by promqlPrinter or
 * jsonPrinter (-o), errors as handleAPIError prints them, exit 1 on any
 * failure.
 *
 * Defaults, as 2.42 has them: instant at now; range ending now, starting
 * 5 minutes before the end, step max(floor(seconds/250), 1)s; series and
 * labels from now-9999h to now+9999h.
 *
 * EXTENSION --source-dir=<path> on all four: the same question answered by
 * our engine over that TSDB data directory instead of a server, printed
 * the same way; <server> is then left out (see COMPATIBILITY.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "1-common/buf.h"
#include "1-common/gotime.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
#include "4-promql/eval.h"
#include "5-query/gourl.h"
#include "5-query/query_api.h"
#include "8-promtool/cli.h"
#include "8-promtool/commands.h"

#define HOURS_9999_S (9999LL * 3600)

/*
 * Writes one stderr line; 5-query/jsoniter.c marks a NUL byte that Go
 * would print verbatim (json-iterator's "but found \x00") as C0 80.
 */
static void print_line(const char *prefix, const char *msg, const char *suffix)
{
	fputs(prefix, stderr);
	for (const char *p = msg; *p; p++) {
		if ((unsigned char)p[0] == 0xC0 && (unsigned char)p[1] == 0x80) {
			fputc('\0', stderr);
			p++;
		} else {
			fputc(*p, stderr);
		}
	}
	fputs(suffix, stderr);
	fputc('\n', stderr);
}

/* handleAPIError: "query error: <err>", with " (detail: <trimmed>)" when the error has one. */
static int api_error(const struct query_answer *a, const struct err *e)
{
	if (a->detail && *a->detail) {
		const char *s = a->detail, *end = s + strlen(s);
		struct buf d = BUF_INIT, suffix = BUF_INIT;
		while (s < end && strchr(" \t\n\v\f\r", *s))
			s++;
		while (end > s && strchr(" \t\n\v\f\r", end[-1]))
			end--;
		buf_add(&d, s, (size_t)(end - s));
		buf_adds(&suffix, " (detail: ");
		buf_add(&suffix, d.data, d.len);
		buf_addc(&suffix, ')');
		print_line("query error: ", err_msg(e), buf_str(&suffix));
		buf_release(&d);
		buf_release(&suffix);
	} else {
		print_line("query error: ", err_msg(e), "");
	}
	return 1;
}

static void now(struct go_time *t, int64_t add_sec)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	go_time_unix(t, (int64_t)ts.tv_sec + add_sec, ts.tv_nsec);
}

/* parseTime; prints "<what>: cannot parse "<s>" to a valid timestamp". */
static int parse_time(struct go_time *out, const char *s, const char *what)
{
	struct buf q = BUF_INIT;

	if (go_parse_promtool_time(out, s) == 0)
		return 0;
	go_quote(&q, s, strlen(s));
	fprintf(stderr, "%s: cannot parse %s to a valid timestamp\n", what, buf_str(&q));
	buf_release(&q);
	return -1;
}

/* parseStartTimeAndEndTime */
static int parse_window(const struct cli_ctx *c, struct go_time *start, struct go_time *end)
{
	const char *s = cli_str(c, "start"), *e = cli_str(c, "end");

	now(start, -HOURS_9999_S);
	now(end, HOURS_9999_S);
	if (s && *s && parse_time(start, s, "error parsing start time") < 0)
		return -1;
	if (e && *e && parse_time(end, e, "error parsing end time") < 0)
		return -1;
	return 0;
}

/*
 * kingpin's StringMap for --header: split at the first ':' or '=', a later
 * value for the same key replacing the earlier one.
 */
static void split_headers(const struct cli_ctx *c, char ***keys, char ***values, size_t *n)
{
	size_t nh = 0;
	const char *const *h = cli_isset(c, "header") ? cli_list(c, "header", &nh) : NULL;

	*n = 0;
	*keys = xcalloc(nh ? nh : 1, sizeof(**keys));
	*values = xcalloc(nh ? nh : 1, sizeof(**values));
	for (size_t i = 0; i < nh; i++) {
		size_t klen = strcspn(h[i], ":=");
		char *k = xstrndup(h[i], klen);
		size_t j;
		for (j = 0; j < *n && strcmp((*keys)[j], k); j++)
			;
		if (j == *n)
			(*keys)[(*n)++] = k;
		else
			free(k);
		free((*values)[j]);
		(*values)[j] = xstrdup(h[i][klen] ? h[i] + klen + 1 : "");
	}
}

/*
 * The server client (created first, as promtool does, so that its error
 * comes before any time error), or NULL with --source-dir, whose
 * directory open_local() opens once the times are known.
 */
static int open_remote(const struct cli_ctx *c, const char *server, bool headers, struct query_api **api)
{
	struct go_url u;
	struct buf addr = BUF_INIT;
	struct err e = ERR_INIT;
	char **keys = NULL, **values = NULL;
	size_t nh = 0;
	int rc = 0;

	*api = NULL;
	if (cli_isset(c, "source-dir"))
		return 0;
	if (go_url_parse(&u, server ? server : "", &e) < 0) {
		fprintf(stderr, "error creating API client: %s\n", err_msg(&e));
		err_release(&e);
		return -1;
	}
	if (!u.scheme || !*u.scheme) {
		free(u.scheme);
		u.scheme = xstrdup("http");
	}
	go_url_format(&addr, &u, false);
	go_url_release(&u);
	if (headers)
		split_headers(c, &keys, &values, &nh);
	if (query_api_remote_new(api, buf_str(&addr), (const char *const *)keys, (const char *const *)values, nh,
				 &e) < 0) {
		fprintf(stderr, "error creating API client: %s\n", err_msg(&e));
		rc = -1;
	}
	for (size_t i = 0; i < nh; i++) {
		free(keys[i]);
		free(values[i]);
	}
	free(keys);
	free(values);
	buf_release(&addr);
	err_release(&e);
	return rc;
}

static int open_local(const struct cli_ctx *c, struct query_api **api)
{
	struct err e = ERR_INIT;
	/* the engine of the release imitated (--compat) */
	struct promql_engine_opts eo = {
		.compat = cli_compat(c),
		.experimental_functions = cli_feature_enabled(c, "promql-experimental-functions"),
		.duration_expressions = cli_feature_enabled(c, "promql-duration-expr"),
		.binop_fill_modifiers = cli_feature_enabled(c, "promql-binop-fill-modifiers"),
		.extended_range_selectors = cli_feature_enabled(c, "promql-extended-range-selectors"),
	};

	if (*api)
		return 0;
	if (query_api_local_open(api, cli_str(c, "source-dir"), &eo, &e) < 0) {
		print_line("cannot open source directory: ", err_msg(&e), "");
		err_release(&e);
		return -1;
	}
	return 0;
}

/* Runs one question and prints the answer; returns the exit code. */
enum question { Q_INSTANT, Q_RANGE, Q_SERIES, Q_LABELS };

struct ask {
	enum question q;
	const char *expr; /* or the label name */
	struct go_time t0, t1;
	int64_t step_ns;
	const char *const *match;
	size_t nmatch;
};

static int run(const struct cli_ctx *c, struct query_api *api, const struct ask *a)
{
	struct query_answer ans;
	struct err e = ERR_INIT;
	struct buf out = BUF_INIT;
	bool json = !strcmp(cli_str(c, "format"), "json");
	int rc, code = 1;

	query_answer_init(&ans);
	if (a->q == Q_INSTANT)
		rc = api->ops->instant(api, a->expr, &a->t0, &ans, &e);
	else if (a->q == Q_RANGE)
		rc = api->ops->range(api, a->expr, &a->t0, &a->t1, a->step_ns, &ans, &e);
	else if (a->q == Q_SERIES)
		rc = api->ops->series(api, a->match, a->nmatch, &a->t0, &a->t1, &ans, &e);
	else
		rc = api->ops->label_values(api, a->expr, a->match, a->nmatch, &a->t0, &a->t1, &ans, &e);
	/* only QueryLabels reports the answer's warnings */
	for (size_t i = 0; a->q == Q_LABELS && i < ans.nwarnings; i++)
		print_line("query warning: ", ans.warnings[i], "");
	if (rc < 0) {
		api_error(&ans, &e);
		goto done;
	}
	if (json)
		query_value_format_json(&out, &ans.value);
	else
		query_value_format_promql(&out, &ans.value);
	if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len)
		goto done;
	code = 0;
done:
	query_answer_release(&ans);
	err_release(&e);
	buf_release(&out);
	return code;
}

int cmd_query_instant(const struct cli_ctx *c)
{
	struct query_api *api = NULL;
	struct ask a = { .q = Q_INSTANT, .expr = cli_str(c, "expr") };
	const char *t = cli_str(c, "time");
	int code = 1;

	/* --header: 3.12's flag (absent before, so never set) */
	if (open_remote(c, cli_str(c, "server"), true, &api) < 0)
		return 1;
	now(&a.t0, 0);
	if (t && *t && parse_time(&a.t0, t, "error parsing evaluation time") < 0)
		goto done;
	if (open_local(c, &api) < 0)
		goto done;
	code = run(c, api, &a);
done:
	query_api_free(api);
	return code;
}

int cmd_query_range(const struct cli_ctx *c)
{
	struct query_api *api = NULL;
	struct ask a = { .q = Q_RANGE, .expr = cli_str(c, "expr") };
	const char *s = cli_str(c, "start"), *e = cli_str(c, "end");
	int code = 1;

	if (open_remote(c, cli_str(c, "server"), true, &api) < 0)
		return 1;
	now(&a.t1, 0);
	if (e && *e && parse_time(&a.t1, e, "error parsing end time") < 0)
		goto done;
	a.t0 = a.t1;
	a.t0.sec -= 300;
	if (s && *s && parse_time(&a.t0, s, "error parsing start time") < 0)
		goto done;
	if (!go_time_before(&a.t0, &a.t1)) {
		fprintf(stderr, "start time is not before end time\n");
		goto done;
	}
	a.step_ns = cli_int(c, "step");
	if (a.step_ns == 0) {
		/* math.Max(math.Floor(etime.Sub(stime).Seconds()/250), 1) seconds */
		double secs = (double)a.t1.sec - (double)a.t0.sec + ((double)a.t1.nsec - (double)a.t0.nsec) / 1e9;
		double res;
		if (secs > 9223372036.854775807) /* Sub saturates at the largest Duration */
			secs = 9223372036.854775807;
		res = secs / 250 >= 1 ? (double)(int64_t)(secs / 250) : 1;
		a.step_ns = (int64_t)res * 1000000000;
	}
	if (open_local(c, &api) < 0)
		goto done;
	code = run(c, api, &a);
done:
	query_api_free(api);
	return code;
}

int cmd_query_series(const struct cli_ctx *c)
{
	struct query_api *api = NULL;
	struct ask a = { .q = Q_SERIES };
	int code = 1;

	if (open_remote(c, cli_str(c, "server"), false, &api) < 0)
		return 1;
	if (parse_window(c, &a.t0, &a.t1) < 0 || open_local(c, &api) < 0)
		goto done;
	a.match = cli_list(c, "match", &a.nmatch);
	code = run(c, api, &a);
done:
	query_api_free(api);
	return code;
}

int cmd_query_labels(const struct cli_ctx *c)
{
	struct query_api *api = NULL;
	struct ask a = { .q = Q_LABELS, .expr = cli_str(c, "name") };
	int code = 1;

	if (open_remote(c, cli_str(c, "server"), false, &api) < 0)
		return 1;
	if (parse_window(c, &a.t0, &a.t1) < 0 || open_local(c, &api) < 0)
		goto done;
	if (cli_isset(c, "match"))
		a.match = cli_list(c, "match", &a.nmatch);
	code = run(c, api, &a);
done:
	query_api_free(api);
	return code;
}
