/*
 * Operator chains and nesting far deeper than the C stack would allow by
 * recursion (issue 15: "up or up or ..." with 50k terms segfaulted): parse,
 * check, print, walk, Type() and evaluation of 100,000-term chains of every
 * operator, of signs, parentheses, nested calls and aggregations.  2.42
 * accepts all of these (its Go stack overflows only past ~700,000 levels);
 * tests/sh/chains_golden.sh compares `check rules` and the evaluation of
 * such chains with 2.42's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "4-promql/ast.h"
#include "4-promql/eval.h"
#include "4-promql/storage.h"
#include "tests/unit/check.h"

#define N 100000

/* pre + (n copies of mid) + leaf + (n copies of post), n >= 0 */
static void nested(struct buf *b, const char *pre, const char *leaf, const char *post, size_t n)
{
	buf_reset(b);
	for (size_t i = 0; i < n; i++)
		buf_adds(b, pre);
	buf_adds(b, leaf);
	for (size_t i = 0; i < n; i++)
		buf_adds(b, post);
}

/* n terms joined by " op " */
static void chain(struct buf *b, const char *term, const char *op, size_t n)
{
	buf_reset(b);
	for (size_t i = 0; i < n; i++) {
		if (i) {
			buf_addc(b, ' ');
			buf_adds(b, op);
			buf_addc(b, ' ');
		}
		buf_adds(b, term);
	}
}

static int count_nodes(const struct promql_node *n, void *arg)
{
	(void)n;
	(*(size_t *)arg)++;
	return 0;
}

/*
 * Parses s (which must be in printed form), checks that it prints back
 * unchanged, has nodes nodes and type want; returns the tree.
 */
static struct promql_expr *roundtrip(const struct buf *s, size_t nodes, enum promql_value_type want)
{
	struct promql_expr *x = NULL;
	struct err e = ERR_INIT;
	struct buf out = BUF_INIT;
	size_t cnt = 0;

	if (promql_parse(&x, buf_str(s), s->len, &e) != 0) {
		fprintf(stderr, "parse(%.40s...): %s\n", buf_str(s), err_msg(&e));
		CHECK(0);
		err_release(&e);
		return NULL;
	}
	promql_print(&out, x);
	CHECK(out.len == s->len && memcmp(out.data, s->data, s->len) == 0);
	promql_walk(promql_expr_root(x), count_nodes, &cnt);
	CHECK_EQ_U(cnt, nodes);
	CHECK_EQ_I(promql_node_type(promql_expr_root(x)), want);
	buf_release(&out);
	err_release(&e);
	return x;
}

static void test_left_chains(void)
{
	static const char *const ops[] = {
		"or", "and", "unless", "+", "-", "*", "/", "%", "atan2", "==", "!=", ">", "<", ">=", "<=",
		"> bool", "+ on (a)", "* ignoring (a) group_left (b)",
	};
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		chain(&b, "x", ops[i], N);
		promql_expr_free(roundtrip(&b, 2 * N - 1, PROMQL_TYPE_VECTOR));
	}
	chain(&b, "1", "+", N);
	promql_expr_free(roundtrip(&b, 2 * N - 1, PROMQL_TYPE_SCALAR));
	buf_release(&b);
}

static void test_nesting(void)
{
	struct buf b = BUF_INIT;
	struct promql_expr *x;

	/* "^" is right-associative: x ^ (x ^ (x ^ ...)) */
	chain(&b, "x", "^", N);
	x = roundtrip(&b, 2 * N - 1, PROMQL_TYPE_VECTOR);
	if (x) {
		const struct promql_node *n = promql_expr_root(x);
		CHECK_EQ_I(n->kind, PROMQL_NODE_BINARY);
		CHECK_EQ_I(n->u.binary.lhs->kind, PROMQL_NODE_VECTOR);
		CHECK_EQ_I(n->u.binary.rhs->kind, PROMQL_NODE_BINARY);
	}
	promql_expr_free(x);
	nested(&b, "-", "x", "", N);
	promql_expr_free(roundtrip(&b, N + 1, PROMQL_TYPE_VECTOR));
	nested(&b, "(", "x", ")", N);
	promql_expr_free(roundtrip(&b, N + 1, PROMQL_TYPE_VECTOR));
	nested(&b, "(", "1", ")", N);
	promql_expr_free(roundtrip(&b, N + 1, PROMQL_TYPE_SCALAR));
	nested(&b, "abs(", "x", ")", N);
	promql_expr_free(roundtrip(&b, N + 1, PROMQL_TYPE_VECTOR));
	nested(&b, "sum by (a) (", "x", ")", N);
	promql_expr_free(roundtrip(&b, N + 1, PROMQL_TYPE_VECTOR));
	nested(&b, "topk(1, ", "x", ")", N);
	promql_expr_free(roundtrip(&b, 2 * N + 1, PROMQL_TYPE_VECTOR));
	nested(&b, "max_over_time(", "x", "[5m:1m])", N);
	promql_expr_free(roundtrip(&b, 2 * N + 1, PROMQL_TYPE_VECTOR));
	nested(&b, "-(x + ", "x", ")", N);
	promql_expr_free(roundtrip(&b, 4 * N + 1, PROMQL_TYPE_VECTOR));
	buf_release(&b);
}

/* The signs of a number fold into it, however many. */
static void test_folded_signs(void)
{
	struct buf b = BUF_INIT, out = BUF_INIT;
	struct promql_expr *x = NULL;
	struct err e = ERR_INIT;

	nested(&b, "-", "2", "", N + 1);
	CHECK_EQ_I(promql_parse(&x, buf_str(&b), b.len, &e), 0);
	if (x) {
		promql_print(&out, x);
		CHECK_STR(buf_str(&out), "-2");
		CHECK_EQ_I(promql_expr_root(x)->pos.start, 0);
	}
	promql_expr_free(x);
	err_release(&e);
	buf_release(&out);
	buf_release(&b);
}

static void expect_error(const struct buf *s, const char *want)
{
	struct promql_expr *x = NULL;
	struct err e = ERR_INIT;

	CHECK_EQ_I(promql_parse(&x, buf_str(s), s->len, &e), -1);
	CHECK_STR(err_msg(&e), want);
	promql_expr_free(x);
	err_release(&e);
}

/* The first error deep inside a chain, with its position (cf. 2.42 on short
 * chains of the same shape). */
static void test_errors(void)
{
	struct buf b = BUF_INIT;
	char want[200];

	chain(&b, "x", "+", N);
	buf_adds(&b, " + x[5m]");
	snprintf(want, sizeof(want), "1:%d: parse error: binary expression must contain only scalar and instant vector types",
		 4 * N + 1);
	expect_error(&b, want);
	nested(&b, "(", "x + ", ")", N);
	snprintf(want, sizeof(want), "1:%d: parse error: unexpected \")\"", N + 5);
	expect_error(&b, want);
	nested(&b, "abs(", "x[5m]", ")", N);
	snprintf(want, sizeof(want),
		 "1:%d: parse error: expected type instant vector in call to function \"abs\", got range vector",
		 4 * N + 1);
	expect_error(&b, want);
	buf_release(&b);
}

struct fixture {
	struct promql_memstore ms;
	struct promql_storage st;
};

static void fixture_init(struct fixture *f)
{
	struct err e = ERR_INIT;

	promql_memstore_init(&f->ms);
	for (int s = 1; s <= 2; s++) {
		char v[2] = { (char)('0' + s), 0 };
		struct label ls[2] = { { "__name__", "x" }, { "a", v } };
		for (int i = 0; i <= 10; i++)
			CHECK_EQ_I(promql_memstore_append(&f->ms, ls, 2, (int64_t)i * 60000, s * 10 + i, &e), 0);
	}
	f->st = promql_memstore_storage(&f->ms);
	err_release(&e);
}

/*
 * Evaluates s at 10m; checks the result is the two series x{a="1"} and
 * x{a="2"} (name kept or not) with values v1 and v2, or fails with want_err.
 */
static void expect_eval(const struct buf *s, bool named, double v1, double v2, const char *want_err)
{
	struct fixture f;
	struct promql_expr *x = NULL;
	struct promql_result r;
	struct err e = ERR_INIT;
	int rc;

	fixture_init(&f);
	CHECK_EQ_I(promql_parse(&x, buf_str(s), s->len, &e), 0);
	if (!x)
		goto done;
	rc = promql_eval_instant(&r, &f.st, promql_expr_root(x), 600000, NULL, &e);
	if (want_err) {
		CHECK_EQ_I(rc, -1);
		CHECK_STR(err_msg(&e), want_err);
		goto done;
	}
	CHECK_EQ_I(rc, 0);
	if (rc == 0) {
		CHECK_EQ_I(r.type, PROMQL_TYPE_VECTOR);
		CHECK_EQ_U(r.nseries, 2);
		for (size_t i = 0; i < r.nseries && i < 2; i++) {
			CHECK_EQ_U(r.series[i].nlabels, named ? 2 : 1);
			CHECK_EQ_U(r.series[i].n, 1);
			CHECK(r.series[i].v[0] == (i ? v2 : v1));
		}
		promql_result_release(&r);
	}
done:
	promql_expr_free(x);
	err_release(&e);
	promql_memstore_release(&f.ms);
}

static void test_eval(void)
{
	struct buf b = BUF_INIT;

	chain(&b, "x", "+", N);
	expect_eval(&b, false, 20.0 * N, 30.0 * N, NULL);
	chain(&b, "x", "or", N);
	expect_eval(&b, true, 20, 30, NULL);
	chain(&b, "x", "and", N);
	expect_eval(&b, true, 20, 30, NULL);
	chain(&b, "x", "^", N);
	expect_eval(&b, false, INFINITY, INFINITY, NULL);
	nested(&b, "--", "x", "", N);
	expect_eval(&b, false, 20, 30, NULL);
	nested(&b, "(", "x", ")", N);
	expect_eval(&b, true, 20, 30, NULL);
	nested(&b, "(x * 0 + ", "x", ")", N);
	expect_eval(&b, false, 20, 30, NULL);
	/* calls, aggregations and subqueries nest by recursion: 1,000 levels */
	nested(&b, "abs(", "x", ")", 1000);
	expect_eval(&b, false, 20, 30, NULL);
	nested(&b, "sum by (a) (", "x", ")", 1000);
	expect_eval(&b, false, 20, 30, NULL);
	/* 1,000 levels of calls and subqueries (each subquery's cache used to
	 * be read after an inner one had moved it: heap-use-after-free) */
	nested(&b, "max_over_time(", "x", "[5m:1m])", 500);
	expect_eval(&b, false, 20, 30, NULL);
	nested(&b, "abs(", "x", ")", 1001);
	expect_eval(&b, false, 0, 0, "function calls, aggregations and subqueries nest more than 1000 deep");
	nested(&b, "sum by (a) (-(", "x", "))", 1001);
	expect_eval(&b, false, 0, 0, "function calls, aggregations and subqueries nest more than 1000 deep");
	buf_release(&b);
}

int main(void)
{
	RUN(test_left_chains);
	RUN(test_nesting);
	RUN(test_folded_signs);
	RUN(test_errors);
	RUN(test_eval);
	return check_done();
}
