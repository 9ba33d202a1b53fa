/*
 * push metrics' pieces: expfmt's text parser (5-query/expfmt.c) against
 * error words read off expfmt/text_parse.go of prometheus/common v0.44.0,
 * and the WriteRequest encoding (5-query/remote_write.c) against bytes
 * worked out by hand from prompb/remote.proto and types.proto.
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "5-query/expfmt.h"
#include "5-query/remote_write.h"
#include "tests/unit/check.h"

static void test_known_bytes(void)
{
	static const unsigned char want[] = {
		0x0a, 0x1e, 0x0a, 0x0e, 0x0a, 0x08, '_', '_', 'n', 'a', 'm', 'e', '_', '_', 0x12, 0x02, 'u', 'p',
		0x12, 0x0c, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0xe8, 0x07,
		0x1a, 0x04, 0x12, 0x02, 'u', 'p',
	};
	struct expfmt x;
	struct err e = ERR_INIT;
	struct buf out = BUF_INIT;

	expfmt_init(&x);
	CHECK_EQ_I(expfmt_parse(&x, "up 1 1000\n", 10, &e), 0);
	remote_write_request(&out, &x, NULL, 0, 5);
	CHECK_EQ_U(out.len, sizeof(want));
	CHECK(out.len == sizeof(want) && !memcmp(out.data, want, sizeof(want)));
	expfmt_release(&x);
	buf_release(&out);
	err_release(&e);
}

/* a family in name order, a summary folded, the now timestamp, job renamed */
static void test_folding(void)
{
	const char *in = "# TYPE s summary\ns{quantile=\"0.5\",a=\"1\"} 2\ns_sum{a=\"1\"} 3\ns_count{a=\"1\"} 4\n"
			 "b{job=\"j\"} 0\n";
	struct rhttp_header extra[] = { { (char *)"job", (char *)"promtool" } };
	struct expfmt x;
	struct err e = ERR_INIT;
	struct buf out = BUF_INIT;

	expfmt_init(&x);
	CHECK_EQ_I(expfmt_parse(&x, in, strlen(in), &e), 0);
	CHECK_EQ_U(x.nfamilies, 2);
	CHECK_STR(x.families[0].name, "s");
	CHECK_EQ_U(x.families[0].nmetrics, 1);
	CHECK_EQ_U(x.families[0].metrics[0].npoints, 1);
	CHECK_EQ_U(x.families[0].metrics[0].count, 4);
	remote_write_request(&out, &x, extra, 1, 7);
	/* b first: labels __name__, exported_job, job; the value 0 left out, timestamp 7 */
	{
		static const unsigned char b[] = { 0x0a, 0x0d, 0x0a, 0x08, '_', '_', 'n', 'a', 'm', 'e', '_', '_',
						   0x12, 0x01, 'b' };
		CHECK(out.len > 2 + sizeof(b) && !memcmp(out.data + 2, b, sizeof(b)));
		CHECK(memmem(out.data, out.len, "exported_job", 12) != NULL);
		CHECK(memmem(out.data, out.len, "\x12\x02\x10\x07", 4) != NULL);
		CHECK(memmem(out.data, out.len, "s_count", 7) != NULL);
		CHECK(memmem(out.data, out.len, "quantile\x12\x03" "0.5", 13) != NULL);
	}
	expfmt_release(&x);
	buf_release(&out);
	err_release(&e);
}

static void test_errors(void)
{
	static const char *const cases[][2] = {
		{ "a 1", "text format parsing error in line 1: unexpected end of input stream" },
		{ "a 1 2 3\n", "text format parsing error in line 1: spurious string after timestamp: \" 3\"" },
		{ "# TYPE a foo\n", "text format parsing error in line 1: unknown metric type \"foo\"" },
		{ "a{__name__=\"x\"} 1\n", "text format parsing error in line 1: label name \"__name__\" is reserved" },
		{ "a{b=c} 1\n", "text format parsing error in line 1: expected '\"' at start of label value, found 'c'" },
		{ "a{b} 1\n", "text format parsing error in line 1: expected '=' after label name, found '}'" },
		{ "# TYPE a gauge\n# TYPE a counter\n",
		  "text format parsing error in line 2: second TYPE line for metric name \"a\", or TYPE reported after samples" },
		{ "# TYPE s summary\ns{quantile=\"x\"} 1\n",
		  "text format parsing error in line 2: expected float as value for 'quantile' label, got \"x\"" },
		{ "a 1 x\n", "text format parsing error in line 1: expected integer as timestamp, got \"x\"" },
		{ "a 0x1p3\n", "text format parsing error in line 1: expected float as value, got \"0x1p3\"" },
		{ "# TYPE g gauge_histogram\ng 1\n", "unexpected type for metric name \"g\"" },
		{ "{a=\"b\"} 1\n", "text format parsing error in line 1: invalid metric name" },
		{ "a 1\n\n# HELP a x\\y\n", "text format parsing error in line 3: invalid escape sequence '\\y'" },
		{ "a{b=\"c\nd\"} 1\n", "text format parsing error in line 1: label value \"c\" contains unescaped new-line" },
		{ "a{b=\"c\",b=\"d\"} 1\n", "text format parsing error in line 1: duplicate label names for metric \"a\"" },
		{ "# HELP 1x y\n", "text format parsing error in line 1: invalid metric name in comment" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct expfmt x;
		struct err e = ERR_INIT;
		expfmt_init(&x);
		CHECK_EQ_I(expfmt_parse(&x, cases[i][0], strlen(cases[i][0]), &e), -1);
		CHECK_STR(err_msg(&e), cases[i][1]);
		expfmt_release(&x);
		err_release(&e);
	}
}

/* what parses: comments, blank lines, Inf/NaN, a HELP with escapes, no trailing metric */
static void test_accepts(void)
{
	const char *in = "  # a comment\n\n# HELP a x\\ny\\\\\n# TYPE a GAUGE\na{b=\"\\\"\"} +Inf -5\nc NaN\n";
	struct expfmt x;
	struct err e = ERR_INIT;

	expfmt_init(&x);
	CHECK_EQ_I(expfmt_parse(&x, in, strlen(in), &e), 0);
	CHECK_EQ_U(x.nfamilies, 2);
	CHECK_STR(x.families[0].help, "x\ny\\");
	CHECK_EQ_I(x.families[0].type, EXPFMT_GAUGE);
	CHECK_STR(x.families[0].metrics[0].labels[0].value, "\"");
	CHECK_EQ_I(x.families[0].metrics[0].ts_ms, -5);
	expfmt_release(&x);
	err_release(&e);
}

int main(void)
{
	RUN(test_known_bytes);
	RUN(test_folding);
	RUN(test_errors);
	RUN(test_accepts);
	return check_done();
}
