/*
 * 2.42's checkAST (promql/parser/parse.go): the type and consistency checks
 * that run over the tree once parsing found no error, with their messages
 * and positions.  Like 2.42 it also normalises the tree: set operators get
 * many-to-many matching, and matching is dropped unless both operands are
 * instant vectors (the printer relies on this).
 */
#include <string.h>

#include "2-model/labels.h"
#include "4-promql/functions.h"
#include "4-promql/internal.h"

static void quoted(struct buf *b, const char *s, size_t len)
{
	buf_reset(b);
	go_quote(b, s, len);
}

static void expect_type(struct promql_parser *p, struct promql_node *n, enum promql_value_type want,
			const char *context)
{
	enum promql_value_type t = promql_check(p, n);

	if (t != want)
		promql_perr(p, n->pos.start, "expected type %s in %s, got %s", promql_value_type_doc(want),
			    context, promql_value_type_doc(t));
}

/* The operator's position as 2.42's opRange(): first non-space after the LHS. */
static int op_pos(struct promql_parser *p, const struct promql_node *n)
{
	int i = n->u.binary.lhs->pos.end;

	while (i >= 0 && (size_t)i < p->len &&
	       (p->input[i] == ' ' || p->input[i] == '\t' || p->input[i] == '\n' || p->input[i] == '\r'))
		i++;
	return i;
}

static bool matches_empty(const struct label_matcher *m)
{
	switch (m->type) {
	case LABEL_MATCH_EQUAL:
		return m->value_len == 0;
	case LABEL_MATCH_NOT_EQUAL:
		return m->value_len != 0;
	case LABEL_MATCH_REGEXP:
		return label_regex_matches_empty(m->re);
	case LABEL_MATCH_NOT_REGEXP:
		return !label_regex_matches_empty(m->re);
	}
	return false;
}

/* Returns the node's type (scalar only when both sides are). */
static enum promql_value_type check_binary(struct promql_parser *p, struct promql_node *n)
{
	struct promql_vector_matching *vm = n->u.binary.matching;
	enum promql_binop op = n->u.binary.op;
	enum promql_value_type lt = promql_check(p, n->u.binary.lhs);
	enum promql_value_type rt = promql_check(p, n->u.binary.rhs);
	struct buf q = BUF_INIT;

	if (n->u.binary.return_bool && !promql_binop_is_comparison(op))
		promql_perr(p, op_pos(p, n), "bool modifier can only be used on comparison operators");
	if (promql_binop_is_comparison(op) && !n->u.binary.return_bool &&
	    rt == PROMQL_TYPE_SCALAR && lt == PROMQL_TYPE_SCALAR)
		promql_perr(p, op_pos(p, n), "comparisons between scalars must use BOOL modifier");
	if (promql_binop_is_set(op) && vm->card == PROMQL_CARD_ONE_TO_ONE)
		vm->card = PROMQL_CARD_MANY_TO_MANY;
	for (size_t i = 0; i < vm->nmatching_labels; i++) {
		for (size_t j = 0; j < vm->ninclude; j++) {
			if (vm->on && !strcmp(vm->matching_labels[i], vm->include[j])) {
				quoted(&q, vm->matching_labels[i], strlen(vm->matching_labels[i]));
				promql_perr(p, op_pos(p, n), "label %s must not occur in ON and GROUP clause at once",
					    buf_str(&q));
			}
		}
	}
	if (lt != PROMQL_TYPE_SCALAR && lt != PROMQL_TYPE_VECTOR)
		promql_perr(p, n->u.binary.lhs->pos.start, "binary expression must contain only scalar and instant vector types");
	if (rt != PROMQL_TYPE_SCALAR && rt != PROMQL_TYPE_VECTOR)
		promql_perr(p, n->u.binary.rhs->pos.start, "binary expression must contain only scalar and instant vector types");
	quoted(&q, promql_binop_name(op), strlen(promql_binop_name(op)));
	if (lt != PROMQL_TYPE_VECTOR || rt != PROMQL_TYPE_VECTOR) {
		if (vm->nmatching_labels > 0)
			promql_perr(p, n->pos.start, "vector matching only allowed between instant vectors");
		n->u.binary.matching = NULL;
	} else if (promql_binop_is_set(op)) {
		if (vm->card == PROMQL_CARD_ONE_TO_MANY || vm->card == PROMQL_CARD_MANY_TO_ONE)
			promql_perr(p, n->pos.start, "no grouping allowed for %s operation", buf_str(&q));
		if (vm->card != PROMQL_CARD_MANY_TO_MANY)
			promql_perr(p, n->pos.start, "set operations must always be many-to-many");
	}
	if ((lt == PROMQL_TYPE_SCALAR || rt == PROMQL_TYPE_SCALAR) && promql_binop_is_set(op))
		promql_perr(p, n->pos.start, "set operator %s not allowed in binary scalar expression", buf_str(&q));
	buf_release(&q);
	return lt == PROMQL_TYPE_SCALAR && rt == PROMQL_TYPE_SCALAR ? PROMQL_TYPE_SCALAR : PROMQL_TYPE_VECTOR;
}

static void check_call(struct promql_parser *p, struct promql_node *n)
{
	const struct promql_function *f = n->u.call.func;
	size_t nargs = strlen(f->arg_types), got = n->u.call.nargs;
	struct buf q = BUF_INIT, ctx = BUF_INIT;

	quoted(&q, f->name, strlen(f->name));
	if (f->variadic == 0) {
		if (nargs != got)
			promql_perr(p, n->pos.start, "expected %zu argument(s) in call to %s, got %zu", nargs, buf_str(&q), got);
	} else {
		size_t na = nargs - 1;
		if (na > got)
			promql_perr(p, n->pos.start, "expected at least %zu argument(s) in call to %s, got %zu", na,
				    buf_str(&q), got);
		else if (f->variadic > 0 && na + (size_t)f->variadic < got)
			promql_perr(p, n->pos.start, "expected at most %zu argument(s) in call to %s, got %zu",
				    na + (size_t)f->variadic, buf_str(&q), got);
	}
	buf_addf(&ctx, "call to function %s", buf_str(&q));
	for (size_t i = 0; i < got; i++) {
		size_t k = i;
		if (k >= nargs) {
			if (f->variadic == 0)
				break;
			k = nargs - 1;
		}
		expect_type(p, n->u.call.args[i], promql_function_arg_type(f->arg_types[k]), buf_str(&ctx));
	}
	buf_release(&q);
	buf_release(&ctx);
}

static void check_vector(struct promql_parser *p, struct promql_node *n)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	if (*n->u.vector.name) {
		/* the last matcher is the one built from the name */
		for (size_t i = 0; i + 1 < n->u.vector.nmatchers; i++) {
			const struct label_matcher *m = &n->u.vector.matchers[i];
			if (!strcmp(m->name, "__name__")) {
				quoted(&a, n->u.vector.name, strlen(n->u.vector.name));
				quoted(&b, m->value, m->value_len);
				promql_perr(p, n->pos.start, "metric name must not be set twice: %s or %s", buf_str(&a),
					    buf_str(&b));
			}
		}
	} else {
		bool not_empty = false;
		for (size_t i = 0; i < n->u.vector.nmatchers && !not_empty; i++)
			not_empty = !matches_empty(&n->u.vector.matchers[i]);
		if (!not_empty)
			promql_perr(p, n->pos.start, "vector selector must contain at least one non-empty matcher");
	}
	buf_release(&a);
	buf_release(&b);
}

/*
 * Returns the node's Type().  It is computed from the children's results
 * rather than with promql_node_type(), which would walk a long operator
 * chain again at every level.
 */
enum promql_value_type promql_check(struct promql_parser *p, struct promql_node *n)
{
	enum promql_value_type typ = PROMQL_TYPE_NONE, t;
	enum promql_aggop op;

	switch (n->kind) {
	case PROMQL_NODE_BINARY:
	case PROMQL_NODE_PAREN:
	case PROMQL_NODE_UNARY:
	case PROMQL_NODE_STEP_INVARIANT:
		break; /* from the children, below */
	default:
		typ = promql_node_type(n);
		break;
	}

	switch (n->kind) {
	case PROMQL_NODE_AGGREGATE:
		op = n->u.aggregate.op;
		expect_type(p, n->u.aggregate.expr, PROMQL_TYPE_VECTOR, "aggregation expression");
		if (op == PROMQL_AGG_TOPK || op == PROMQL_AGG_BOTTOMK || op == PROMQL_AGG_QUANTILE)
			expect_type(p, n->u.aggregate.param, PROMQL_TYPE_SCALAR, "aggregation parameter");
		if (op == PROMQL_AGG_COUNT_VALUES)
			expect_type(p, n->u.aggregate.param, PROMQL_TYPE_STRING, "aggregation parameter");
		break;
	case PROMQL_NODE_BINARY:
		typ = check_binary(p, n);
		break;
	case PROMQL_NODE_CALL:
		check_call(p, n);
		break;
	case PROMQL_NODE_PAREN:
		typ = promql_check(p, n->u.paren.expr);
		break;
	case PROMQL_NODE_UNARY:
		typ = t = promql_check(p, n->u.unary.expr);
		if (t != PROMQL_TYPE_SCALAR && t != PROMQL_TYPE_VECTOR) {
			struct buf q = BUF_INIT;
			quoted(&q, promql_value_type_doc(t), strlen(promql_value_type_doc(t)));
			promql_perr(p, n->pos.start,
				    "unary expression only allowed on expressions of type scalar or instant vector, got %s",
				    buf_str(&q));
			buf_release(&q);
		}
		break;
	case PROMQL_NODE_SUBQUERY:
		t = promql_check(p, n->u.subquery.expr);
		if (t != PROMQL_TYPE_VECTOR)
			promql_perr(p, n->pos.start, "subquery is only allowed on instant vector, got %s instead",
				    promql_value_type_name(t));
		break;
	case PROMQL_NODE_MATRIX:
		promql_check(p, n->u.matrix.vs);
		break;
	case PROMQL_NODE_VECTOR:
		check_vector(p, n);
		break;
	case PROMQL_NODE_STEP_INVARIANT:
		typ = promql_check(p, n->u.step_invariant.expr);
		break;
	case PROMQL_NODE_NUMBER:
	case PROMQL_NODE_STRING:
		break;
	}
	return typ;
}
