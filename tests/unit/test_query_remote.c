/*
 * Unit tests for the rules backfill's building blocks: Go time parsing and
 * RFC822 output (common/gotime), Go URL handling (query/gourl), the API
 * response decoder (query/apiresp) and the HTTP client config loader.
 * Expected values come from promtool 2.42 / Go 1.19 behaviour noted inline.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "1-common/gotime.h"
#include "5-query/apiresp.h"
#include "5-query/gourl.h"
#include "5-query/httpconfig.h"
#include "5-query/remote.h"
#include "tests/unit/check.h"

static void test_promtool_time(void)
{
	struct go_time t;
	struct buf b = BUF_INIT;

	CHECK_EQ_I(go_parse_promtool_time(&t, "1700012345.5"), 0);
	CHECK_EQ_I(t.sec, 1700012345);
	CHECK_EQ_I(t.nsec, 500000000);
	go_fmt_rfc822(&b, &t);
	CHECK_STR(buf_str(&b), "15 Nov 23 01:39 UTC");
	/* math.Modf keeps the sign in the fraction; time.Unix normalises */
	CHECK_EQ_I(go_parse_promtool_time(&t, "-1.5"), 0);
	CHECK_EQ_I(t.sec, -2);
	CHECK_EQ_I(t.nsec, 500000000);
	CHECK_EQ_I(go_parse_promtool_time(&t, "2023-11-14T22:13:20Z"), 0);
	CHECK_EQ_I(t.sec, 1700000000);
	CHECK_EQ_I(go_parse_promtool_time(&t, "2023-11-14T22:13:20.25+02:00"), 0);
	CHECK_EQ_I(t.sec, 1700000000 - 7200);
	CHECK_EQ_I(t.nsec, 250000000);
	/* one-digit hour is accepted by Go's layout parser */
	CHECK_EQ_I(go_parse_promtool_time(&t, "2023-11-14T2:13:20Z"), 0);
	CHECK_EQ_I(go_parse_promtool_time(&t, "2023-02-29T00:00:00Z"), -1);
	CHECK_EQ_I(go_parse_promtool_time(&t, "2023-11-14 22:13:20Z"), -1);
	CHECK_EQ_I(go_parse_promtool_time(&t, "abc"), -1);
	CHECK_EQ_I(go_parse_promtool_time(&t, ""), -1);
	buf_release(&b);
}

static void test_rfc822_fixed_zone(void)
{
	struct go_time t;
	struct buf b = BUF_INIT;

	setenv("TZ", "UTC", 1);
	CHECK_EQ_I(go_parse_rfc3339nano(&t, "2023-11-14T22:13:20+05:30", 25), 0);
	go_fmt_rfc822(&b, &t);
	/* a nameless fixed zone prints as -0700 style */
	CHECK_STR(buf_str(&b), "14 Nov 23 22:13 +0530");
	buf_reset(&b);
	CHECK_EQ_I(go_parse_rfc3339nano(&t, "2023-11-14T22:13:20+00:00", 25), 0);
	go_fmt_rfc822(&b, &t);
	CHECK_STR(buf_str(&b), "14 Nov 23 22:13 UTC");
	buf_release(&b);
}

static void test_url(void)
{
	struct go_url u;
	struct err e = ERR_INIT;
	struct buf b = BUF_INIT;
	char *p;

	CHECK_EQ_I(go_url_parse(&u, ":foo", &e), -1);
	CHECK_STR(err_msg(&e), "parse \":foo\": missing protocol scheme");
	err_release(&e);
	CHECK_EQ_I(go_url_parse(&u, "127.0.0.1:1", &e), -1);
	CHECK_STR(err_msg(&e), "parse \"127.0.0.1:1\": first path segment in URL cannot contain colon");
	err_release(&e);
	CHECK_EQ_I(go_url_parse(&u, "http://a:b%40c@h:9/x/?q=1", &e), 0);
	CHECK_STR(u.user, "a");
	CHECK_STR(u.password, "b@c");
	CHECK_STR(u.host, "h:9");
	CHECK_STR(u.raw_query, "q=1");
	go_url_format(&b, &u, true);
	CHECK_STR(buf_str(&b), "http://a:***@h:9/x/?q=1");
	go_url_release(&u);
	CHECK_EQ_I(go_url_parse(&u, "http://h:x/", &e), -1);
	CHECK_STR(err_msg(&e), "parse \"http://h:x/\": invalid port \":x\" after host");
	err_release(&e);
	p = go_path_join("/prom", "/api/v1/query_range");
	CHECK_STR(p, "/prom/api/v1/query_range");
	free(p);
	p = go_path_join("", "/api/v1/query_range");
	CHECK_STR(p, "/api/v1/query_range");
	free(p);
	buf_reset(&b);
	go_query_escape(&b, "sum by (le) (rate(x[5m]))");
	CHECK_STR(buf_str(&b), "sum+by+%28le%29+%28rate%28x%5B5m%5D%29%29");
	buf_release(&b);
}

static const char *decode(struct api_resp *r, const char *body)
{
	static char msg[2048];
	struct err e = ERR_INIT;
	api_resp_init(r);
	msg[0] = '\0';
	if (api_resp_decode_envelope(r, body, strlen(body), &e) == 0 && api_resp_decode_result(r, &e) == 0)
		return NULL;
	snprintf(msg, sizeof(msg), "%s", err_msg(&e));
	err_release(&e);
	return msg;
}

/* url.Parse and String() edge cases, as Go 1.19 (and promtool 2.42's
 * messages) have them; see testdata/rules-backfill/faults for the goldens. */
static void test_url_go_rules(void)
{
	static const struct {
		const char *in, *err;
	} bad[] = {
		{ "http://a b@h/", "parse \"http://a b@h/\": net/url: invalid userinfo" },
		{ "http://a^b@h/", "parse \"http://a^b@h/\": net/url: invalid userinfo" },
		{ "http://\xc3\xa9@h/", "parse \"http://\xc3\xa9@h/\": net/url: invalid userinfo" },
		{ "http://a%zz@h/", "parse \"http://a%zz@h/\": invalid URL escape \"%zz\"" },
		{ "http://ho st/", "parse \"http://ho st/\": invalid character \" \" in host name" },
		{ "http://h%41/", "parse \"http://h%41/\": invalid URL escape \"%41\"" },
		{ "http://h:x/#f", "parse \"http://h:x/\": invalid port \":x\" after host" },
		{ "http://h/#%zz", "parse \"http://h/#%zz\": invalid URL escape \"%zz\"" },
		{ "http://[::1/", "parse \"http://[::1/\": missing ']' in host" },
		{ "http://[::1]x/", "parse \"http://[::1]x/\": invalid port \"x\" after host" },
	};
	static const struct {
		const char *in, *shown;
	} good[] = {
		{ "http://@h/", "http://@h/" },
		{ "http://:@h/", "http://:***@h/" },
		{ "http://a%40b:@h/", "http://a@b:***@h/" },   /* stripPassword prints the raw name */
		{ "http://a%40b@h/", "http://a%40b@h/" },      /* without a password, String() escapes */
		{ "http://a@b@h/", "http://a%40b@h/" },
		{ "http://a!b@h/", "http://a%21b@h/" },
		{ "http://h/?", "http://h/?" },
		{ "http://h/x??", "http://h/x??" },
		{ "http://h/a b/", "http://h/a%20b/" },
		{ "http://h/a%2fb/", "http://h/a%2fb/" },       /* RawPath kept when it spells Path */
		{ "http://[::1%25en0]:1/", "http://[::1%25en0]:1/" },
		{ "mailto:x", "mailto:x" },
		{ "http://h/#a b", "http://h/#a%20b" },
	};
	struct go_url u;
	struct err e = ERR_INIT;
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ_I(go_url_parse(&u, bad[i].in, &e), -1);
		CHECK_STR(err_msg(&e), bad[i].err);
		err_release(&e);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK_EQ_I(go_url_parse(&u, good[i].in, &e), 0);
		buf_reset(&b);
		go_url_format(&b, &u, true);
		CHECK_STR(buf_str(&b), good[i].shown);
		go_url_release(&u);
	}
	CHECK_EQ_I(go_url_parse(&u, "http://[::1%25en0]:1/", &e), 0);
	CHECK_STR(u.host, "[::1%en0]:1");
	go_url_release(&u);
	buf_release(&b);
}

static void test_header_check(void)
{
	static const struct {
		const char *in, *err;
	} cases[] = {
		{ "X-Scope-OrgID: tenant-1", NULL },
		{ "X-Empty:", NULL },
		{ "Authorization: Bearer x\ty", NULL },
		{ "Authorization Bearer s3cret", "--header wants \"Name: value\"" },
		{ ": x", "--header wants \"Name: value\"" },
		{ "X Y: s3cret", "invalid --header name \"X Y\"" },
		{ "X-A: s3\rcret", "invalid --header \"X-A\": the value has a control character" },
		{ "x-a: s3cret\x7f", "invalid --header \"x-a\": the value has a control character" },
		{ "HOST: h", "--header cannot set Host: promtool sets it" },
		{ "transfer-encoding: chunked", "--header cannot set Transfer-Encoding: promtool sets it" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct err e = ERR_INIT;
		int rc = remote_header_check(cases[i].in, &e);
		CHECK_EQ_I(rc, cases[i].err ? -1 : 0);
		if (cases[i].err) {
			CHECK_STR(err_msg(&e), cases[i].err);
			CHECK(!strstr(err_msg(&e), "s3"));
		}
		err_release(&e);
	}
}

static void test_response_matrix(void)
{
	struct api_resp r;
	const char *m = decode(&r, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
				   "{\"metric\":{\"a\":\"b\\u00e9\"},\"values\":[[1.29,\"NaN\"],[2.0005,\"+Inf\"],"
				   "[-0.1,\"-1\"],[-1.5,\"1e3\"],[3,\"0.1\"]]}]}}");
	CHECK(m == NULL);
	CHECK_STR(r.result_type, "matrix");
	CHECK_EQ_I(r.nseries, 1);
	CHECK_EQ_I(r.nsamples, 5);
	/* model.Time: the text's first three decimals, not float rounding */
	CHECK_EQ_I(r.t[0], 1290);
	CHECK_EQ_I(r.t[1], 2000);
	CHECK_EQ_I(r.t[2], -100);
	/* upstream's sign handling gives -500 for -1.5 */
	CHECK_EQ_I(r.t[3], -500);
	CHECK_EQ_U(double_bits(r.v[0]), 0x7FF8000000000001ull);
	CHECK(isinf(r.v[1]) && r.v[1] > 0);
	CHECK(r.v[3] == 1000);
	{
		struct labels ls = LABELS_INIT;
		api_resp_series_labels(&r, 0, &ls);
		CHECK_EQ_I(ls.n, 1);
		CHECK_STR(ls.v[0].value, "b\xc3\xa9");
		labels_release(&ls);
	}
	api_resp_release(&r);
}

static void test_response_errors(void)
{
	struct api_resp r;
	const char *m;

	m = decode(&r, "<html>hello</html>");
	CHECK_STR(m, "readObjectStart: expect { or n, but found <, error found in #1 byte of ...|<html>hello|..., "
		     "bigger context ...|<html>hello</html>|...");
	api_resp_release(&r);
	m = decode(&r, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[}}");
	CHECK_STR(m, "v1.apiResponse.Data: Skip: do not know how to skip: 125, error found in #10 byte of "
		     "...|result\":[}}|..., bigger context ...|success\",\"data\":{\"resultType\":\"matrix\",\"result\":[}}|...");
	api_resp_release(&r);
	m = decode(&r, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
		       "\"values\":[[1700000000,\"1\"]");
	CHECK(m && !strncmp(m, "v1.apiResponse.Data: ReadArrayCB: expect ] in the end, but found ", 65));
	api_resp_release(&r);
	m = decode(&r, "{\"status\":\"success\"}");
	CHECK_STR(m, "Skip: do not know how to skip: 0, error found in #0 byte of ...||..., bigger context ...||...");
	api_resp_release(&r);
	m = decode(&r, "{\"status\": \"success\", \"data\": {\"resultType\": \"string\", \"result\": [1700000000, \"s\"]}}");
	CHECK_STR(m, "unmarshalerDecoder: unexpected value type \"string\", error found in #10 byte of ...|000, \"s\"]}|..., "
		     "bigger context ...|esultType\": \"string\", \"result\": [1700000000, \"s\"]}|...");
	api_resp_release(&r);
	m = decode(&r, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]},\"warnings\":[]}");
	CHECK(m == NULL);
	CHECK(r.warnings != NULL);
	CHECK_EQ_I(r.nwarnings, 0);
	api_resp_release(&r);
	m = decode(&r, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"x\"}");
	CHECK_STR(r.status, "error");
	CHECK_STR(r.error_type, "bad_data");
	api_resp_release(&r);
}

static void test_http_config(void)
{
	char dir[] = "/tmp/test_query_remote_XXXXXX";
	char path[256];
	struct http_config c;
	struct err e = ERR_INIT;
	char *auth = NULL;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/http.yml", dir);
	f = fopen(path, "w");
	fputs("basic_auth:\n  username: u\n  password_file: pw\ntls_config:\n  insecure_skip_verify: true\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/pw", dir);
	f = fopen(path, "w");
	fputs("secret\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/http.yml", dir);
	http_config_init(&c);
	CHECK_EQ_I(http_config_load(&c, path, &e), 0);
	CHECK(c.insecure_skip_verify);
	CHECK_EQ_I(http_config_authorization(&c, &auth, &e), 0);
	CHECK_STR(auth, "Basic dTpzZWNyZXQ="); /* base64("u:secret") */
	free(auth);
	http_config_release(&c);

	f = fopen(path, "w");
	fputs("bearer_token: a\nbasic_auth:\n  username: u\nfoo: 1\n", f);
	fclose(f);
	http_config_init(&c);
	CHECK_EQ_I(http_config_load(&c, path, &e), -1);
	CHECK_STR(err_msg(&e), "yaml: unmarshal errors:\n  line 4: field foo not found in type config.HTTPClientConfig");
	err_release(&e);
	http_config_release(&c);

	f = fopen(path, "w");
	fputs("bearer_token: a\nbasic_auth:\n  username: u\n", f);
	fclose(f);
	http_config_init(&c);
	CHECK_EQ_I(http_config_load(&c, path, &e), -1);
	CHECK_STR(err_msg(&e), "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
	err_release(&e);
	http_config_release(&c);

	f = fopen(path, "w");
	fputs("authorization:\n  credentials: tok\n", f);
	fclose(f);
	http_config_init(&c);
	CHECK_EQ_I(http_config_load(&c, path, &e), 0);
	CHECK_EQ_I(http_config_authorization(&c, &auth, &e), 0);
	CHECK_STR(auth, "Bearer tok");
	free(auth);
	http_config_release(&c);

	unlink(path);
	snprintf(path, sizeof(path), "%s/pw", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	RUN(test_promtool_time);
	RUN(test_rfc822_fixed_zone);
	RUN(test_url);
	RUN(test_url_go_rules);
	RUN(test_header_check);
	RUN(test_response_matrix);
	RUN(test_response_errors);
	RUN(test_http_config);
	return check_done();
}
