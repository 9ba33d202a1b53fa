/*
 * Unit tests for what `promtool query` prints (5-query/query_value.c):
 * encoding/json string escaping of Go 1.19, Metric/LabelSet String(),
 * the matrix order of LabelSet.Before, and the JSON shapes.  Expected
 * texts are Go's output for the same values (the golden test
 * tests/sh/query_golden.sh pins them against real promtool as well).
 */
#include <math.h>
#include <string.h>

#include "1-common/buf.h"
#include "5-query/query_value.h"
#include "tests/unit/check.h"

static const char *json_quoted(struct buf *b, const char *s, size_t n)
{
	buf_reset(b);
	go_json_quote(b, s, n);
	return buf_str(b);
}

static void test_json_quote(void)
{
	struct buf b = BUF_INIT;

	CHECK_STR(json_quoted(&b, "plain", 5), "\"plain\"");
	CHECK_STR(json_quoted(&b, "<a&b>", 5), "\"\\u003ca\\u0026b\\u003e\"");
	CHECK_STR(json_quoted(&b, "q\"\\", 3), "\"q\\\"\\\\\"");
	CHECK_STR(json_quoted(&b, "\n\r\t", 3), "\"\\n\\r\\t\"");
	/* Go 1.19 has no short forms for \b and \f */
	CHECK_STR(json_quoted(&b, "\b\f\x01", 3), "\"\\u0008\\u000c\\u0001\"");
	CHECK_STR(json_quoted(&b, "\x7f", 1), "\"\x7f\"");
	CHECK_STR(json_quoted(&b, "a\0b", 3), "\"a\\u0000b\"");
	CHECK_STR(json_quoted(&b, "\xff" "x", 2), "\"\\ufffdx\"");
	CHECK_STR(json_quoted(&b, "\xe2\x80\xa8\xe2\x80\xa9", 6), "\"\\u2028\\u2029\"");
	CHECK_STR(json_quoted(&b, "日本é", strlen("日本é")), "\"日本é\"");
	buf_release(&b);
}

static void test_vector_promql(void)
{
	struct query_value qv;
	struct buf b = BUF_INIT;
	const struct label a[] = { { "a", "x" }, { "__name__", "temp" }, { "a0", "y" }, { "a_b", "z" } };
	const struct label name_only[] = { { "__name__", "lonely" } };
	const struct label quoted[] = { { "v", "say \"hi\"\n" } };

	query_value_init(&qv, QV_VECTOR);
	query_value_add_item(&qv, a, 4);
	query_value_add_sample(&qv, 1700003600000, 20);
	query_value_add_item(&qv, name_only, 1);
	query_value_add_sample(&qv, 1700003600500, 1e21);
	query_value_add_item(&qv, NULL, 0);
	query_value_add_sample(&qv, -1, -0.5);
	query_value_add_item(&qv, quoted, 1);
	query_value_add_sample(&qv, 0, NAN);
	query_value_format_promql(&b, &qv);
	CHECK_STR(buf_str(&b), "temp{a0=\"y\", a=\"x\", a_b=\"z\"} => 20 @[1700003600]\n"
			       "lonely => 1000000000000000000000 @[1700003600.5]\n"
			       "{} => -0.5 @[-0.001]\n"
			       "{v=\"say \\\"hi\\\"\\n\"} => NaN @[0]\n");
	buf_reset(&b);
	query_value_format_json(&b, &qv);
	CHECK_STR(buf_str(&b), "[{\"metric\":{\"__name__\":\"temp\",\"a\":\"x\",\"a0\":\"y\",\"a_b\":\"z\"},"
			       "\"value\":[1700003600,\"20\"]},"
			       "{\"metric\":{\"__name__\":\"lonely\"},\"value\":[1700003600.5,\"1000000000000000000000\"]},"
			       "{\"metric\":{},\"value\":[-0.001,\"-0.5\"]},"
			       "{\"metric\":{\"v\":\"say \\\"hi\\\"\\n\"},\"value\":[0,\"NaN\"]}]\n");
	query_value_release(&qv);
	/* an empty vector prints an empty line; JSON [] or, for a nil slice, null */
	buf_reset(&b);
	query_value_init(&qv, QV_VECTOR);
	query_value_format_promql(&b, &qv);
	query_value_format_json(&b, &qv);
	qv.nil = true;
	query_value_format_json(&b, &qv);
	CHECK_STR(buf_str(&b), "\n[]\nnull\n");
	query_value_release(&qv);
	buf_release(&b);
}

static void test_matrix_order(void)
{
	struct query_value qv;
	struct buf b = BUF_INIT;
	const struct label two_b[] = { { "__name__", "m" }, { "b", "1" } };
	const struct label two_a[] = { { "__name__", "m" }, { "a", "2" } };
	const struct label one[] = { { "__name__", "z" } };

	query_value_init(&qv, QV_MATRIX);
	query_value_add_item(&qv, two_b, 2);
	query_value_add_sample(&qv, 1000, 1);
	query_value_add_sample(&qv, 2000, 2);
	query_value_add_item(&qv, two_a, 2);
	query_value_add_sample(&qv, 1000, 3);
	query_value_add_item(&qv, one, 1);
	query_value_add_sample(&qv, 1000, 4);
	/* LabelSet.Before: fewer labels first; then {__name__, a} lacks "b"
	 * where {__name__, b} lacks "a", and "a" comes first, so m{b} < m{a} */
	query_value_format_promql(&b, &qv);
	CHECK_STR(buf_str(&b), "z =>\n4 @[1]\nm{b=\"1\"} =>\n1 @[1]\n2 @[2]\nm{a=\"2\"} =>\n3 @[1]\n");
	/* JSON keeps the order the values came in */
	buf_reset(&b);
	query_value_format_json(&b, &qv);
	CHECK_STR(buf_str(&b), "[{\"metric\":{\"__name__\":\"m\",\"b\":\"1\"},\"values\":[[1,\"1\"],[2,\"2\"]]},"
			       "{\"metric\":{\"__name__\":\"m\",\"a\":\"2\"},\"values\":[[1,\"3\"]]},"
			       "{\"metric\":{\"__name__\":\"z\"},\"values\":[[1,\"4\"]]}]\n");
	query_value_release(&qv);
	buf_release(&b);
}

static void test_scalar_sets_strings(void)
{
	struct query_value qv;
	struct buf b = BUF_INIT;
	const struct label dup[] = { { "job", "a" }, { "__name__", "up" }, { "job", "b" } };

	query_value_init(&qv, QV_SCALAR);
	query_value_add_sample(&qv, 1700003600123, 2);
	query_value_format_promql(&b, &qv);
	query_value_format_json(&b, &qv);
	CHECK_STR(buf_str(&b), "scalar: 2 @[1700003600.123]\n[1700003600.123,\"2\"]\n");
	query_value_release(&qv);

	buf_reset(&b);
	query_value_init(&qv, QV_LABELSETS);
	query_value_add_item(&qv, dup, 3); /* as in a Go map, the last value wins */
	query_value_format_promql(&b, &qv);
	query_value_format_json(&b, &qv);
	CHECK_STR(buf_str(&b), "{__name__=\"up\", job=\"b\"}\n[{\"__name__\":\"up\",\"job\":\"b\"}]\n");
	query_value_release(&qv);

	buf_reset(&b);
	query_value_init(&qv, QV_STRINGS);
	query_value_add_string(&qv, "a&b", 3);
	query_value_add_string(&qv, "line1\nline2", 11);
	query_value_format_promql(&b, &qv);
	query_value_format_json(&b, &qv);
	CHECK_STR(buf_str(&b), "a&b\nline1\nline2\n[\"a\\u0026b\",\"line1\\nline2\"]\n");
	query_value_release(&qv);
	buf_release(&b);
}

int main(void)
{
	RUN(test_json_quote);
	RUN(test_vector_promql);
	RUN(test_matrix_order);
	RUN(test_scalar_sets_strings);
	return check_done();
}
