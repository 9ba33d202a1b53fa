/*
 * The shape of the tree the parser builds (what the evaluator relies on),
 * pinned against 2.42's parser behaviour: matcher order, folded signs,
 * matching dropped or normalised by checkAST, modifiers, positions.
 */
#include <math.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "4-promql/ast.h"
#include "4-promql/functions.h"
#include "4-promql/internal.h"
#include "4-promql/promql.h"
#include "tests/unit/check.h"

static struct promql_expr *parse(const char *s)
{
	struct promql_expr *x = NULL;
	struct err e = ERR_INIT;

	if (promql_parse(&x, s, strlen(s), &e) != 0)
		fprintf(stderr, "parse(%s): %s\n", s, err_msg(&e));
	err_release(&e);
	return x;
}

static void test_selector_matchers(void)
{
	struct promql_expr *x = parse("foo{b=~\"x.*\",a!=\"y\"} offset -5m @ 12.5");
	const struct promql_node *n;

	CHECK(x != NULL);
	if (!x)
		return;
	n = promql_expr_root(x);
	CHECK_EQ_I(n->kind, PROMQL_NODE_VECTOR);
	CHECK_STR(n->u.vector.name, "foo");
	/* as written, then __name__ appended (assembleVectorSelector) */
	CHECK_EQ_U(n->u.vector.nmatchers, 3);
	CHECK_STR(n->u.vector.matchers[0].name, "b");
	CHECK_EQ_I(n->u.vector.matchers[0].type, LABEL_MATCH_REGEXP);
	CHECK(n->u.vector.matchers[0].re != NULL);
	CHECK_STR(n->u.vector.matchers[1].name, "a");
	CHECK_STR(n->u.vector.matchers[2].name, "__name__");
	CHECK_STR(n->u.vector.matchers[2].value, "foo");
	CHECK_EQ_I(n->u.vector.offset_ms, -300000);
	CHECK_EQ_I(n->u.vector.at.kind, PROMQL_AT_TIMESTAMP);
	CHECK_EQ_I(n->u.vector.at.ts_ms, 12500);
	CHECK_EQ_I(promql_node_type(n), PROMQL_TYPE_VECTOR);
	promql_expr_free(x);
}

static void test_binary_matching(void)
{
	struct promql_expr *x = parse("a and on (l) b");
	const struct promql_node *n;

	if (!x) {
		CHECK(0);
		return;
	}
	n = promql_expr_root(x);
	CHECK_EQ_I(n->kind, PROMQL_NODE_BINARY);
	CHECK_EQ_I(n->u.binary.op, PROMQL_OP_LAND);
	CHECK(n->u.binary.matching != NULL);
	/* checkAST turns set operators many-to-many */
	CHECK_EQ_I(n->u.binary.matching->card, PROMQL_CARD_MANY_TO_MANY);
	CHECK(n->u.binary.matching->on);
	CHECK_EQ_U(n->u.binary.matching->nmatching_labels, 1);
	promql_expr_free(x);

	/* scalar operand: matching dropped */
	x = parse("a > bool 1");
	if (!x) {
		CHECK(0);
		return;
	}
	n = promql_expr_root(x);
	CHECK(n->u.binary.matching == NULL);
	CHECK(n->u.binary.return_bool);
	promql_expr_free(x);

	x = parse("a * on (x) group_right (y, z) b");
	if (!x) {
		CHECK(0);
		return;
	}
	n = promql_expr_root(x);
	CHECK_EQ_I(n->u.binary.matching->card, PROMQL_CARD_ONE_TO_MANY);
	CHECK_EQ_U(n->u.binary.matching->ninclude, 2);
	CHECK_STR(n->u.binary.matching->include[1], "z");
	promql_expr_free(x);
}

static void test_precedence_and_unary(void)
{
	struct promql_expr *x = parse("-2 ^ 3 ^ 2 * - 4");
	const struct promql_node *n, *l;

	if (!x) {
		CHECK(0);
		return;
	}
	/* (-(2 ^ (3 ^ 2))) * -4 */
	n = promql_expr_root(x);
	CHECK_EQ_I(n->kind, PROMQL_NODE_BINARY);
	CHECK_EQ_I(n->u.binary.op, PROMQL_OP_MUL);
	CHECK_EQ_I(n->u.binary.rhs->kind, PROMQL_NODE_NUMBER);
	CHECK(n->u.binary.rhs->u.number.val == -4);
	l = n->u.binary.lhs;
	CHECK_EQ_I(l->kind, PROMQL_NODE_UNARY);
	CHECK_EQ_I(l->u.unary.expr->kind, PROMQL_NODE_BINARY);
	CHECK_EQ_I(l->u.unary.expr->u.binary.op, PROMQL_OP_POW);
	CHECK_EQ_I(l->u.unary.expr->u.binary.rhs->kind, PROMQL_NODE_BINARY);
	CHECK_EQ_I(promql_node_type(n), PROMQL_TYPE_SCALAR);
	promql_expr_free(x);
}

static void test_calls_and_aggregations(void)
{
	struct promql_expr *x = parse("topk by (a) (3, rate(x[5m:1m] @ end()))");
	const struct promql_node *n, *c, *s;

	if (!x) {
		CHECK(0);
		return;
	}
	n = promql_expr_root(x);
	CHECK_EQ_I(n->kind, PROMQL_NODE_AGGREGATE);
	CHECK_EQ_I(n->u.aggregate.op, PROMQL_AGG_TOPK);
	CHECK_EQ_I(n->u.aggregate.param->kind, PROMQL_NODE_NUMBER);
	CHECK_EQ_U(n->u.aggregate.ngrouping, 1);
	CHECK(!n->u.aggregate.without);
	c = n->u.aggregate.expr;
	CHECK_EQ_I(c->kind, PROMQL_NODE_CALL);
	CHECK(c->u.call.func == promql_function_by_id(PROMQL_FN_RATE));
	CHECK_EQ_U(c->u.call.nargs, 1);
	s = c->u.call.args[0];
	CHECK_EQ_I(s->kind, PROMQL_NODE_SUBQUERY);
	CHECK_EQ_I(s->u.subquery.range_ms, 300000);
	CHECK_EQ_I(s->u.subquery.step_ms, 60000);
	CHECK_EQ_I(s->u.subquery.at.kind, PROMQL_AT_END);
	/* positions: the call starts at "rate" */
	CHECK_EQ_I(c->pos.start, 16);
	promql_expr_free(x);
}

static int count_nodes(const struct promql_node *n, void *arg)
{
	(void)n;
	(*(int *)arg)++;
	return 0;
}

static void test_walk_and_print_node(void)
{
	struct promql_expr *x = parse("sum(a + rate(b{c=\"d\"}[5m:]))");
	struct buf b = BUF_INIT;
	int cnt = 0;

	if (!x) {
		CHECK(0);
		return;
	}
	promql_walk(promql_expr_root(x), count_nodes, &cnt);
	CHECK_EQ_I(cnt, 6); /* sum, +, a, rate, subquery, b */
	promql_print_node(&b, promql_expr_root(x)->u.aggregate.expr);
	CHECK_STR(buf_str(&b), "a + rate(b{c=\"d\"}[5m:])");
	buf_release(&b);
	promql_expr_free(x);
}

static void test_function_table(void)
{
	const struct promql_function *f = promql_function_lookup("label_join", 10);

	CHECK(f != NULL);
	if (f) {
		CHECK_EQ_I(f->variadic, -1);
		CHECK_STR(f->arg_types, "vSSS");
	}
	CHECK(promql_function_lookup("nope", 4) == NULL);
	{
		int n242 = 0;
		for (int i = 0; i < PROMQL_FN_COUNT_; i++)
			n242 += promql_function_by_id((enum promql_func_id)i)->since == 0;
		CHECK_EQ_I(n242, 70); /* 2.42's table has 70 functions */
	}
}

/*
 * check rules keeps every rule's tree: 400,000 rules took 2.3 GB where
 * 2.42 takes 1.0 GB while each tree started with an 8 KiB arena chunk.
 * A small rule's tree fits in the first two chunks (512 + 1024 bytes).
 */
static void test_arena_small(void)
{
	struct promql_expr *x = NULL;
	struct err e = ERR_INIT;
	const char *q = "sum by (job) (rate(http_requests_total{job=\"api\",code=~\"5..\"}[5m]))";

	CHECK_EQ_I(promql_parse(&x, q, strlen(q), &e), 0);
	CHECK(x && promql_arena_bytes(x) <= 1536);
	promql_expr_free(x);
}

int main(void)
{
	RUN(test_arena_small);
	RUN(test_selector_matchers);
	RUN(test_binary_matching);
	RUN(test_precedence_and_unary);
	RUN(test_calls_and_aggregations);
	RUN(test_walk_and_print_node);
	RUN(test_function_table);
	return check_done();
}
