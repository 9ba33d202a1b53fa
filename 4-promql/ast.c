/*
 * The PromQL tree: freeing, names, types, walking and the function table.
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/compat.h"
#include "1-common/xalloc.h"
#include "4-promql/functions.h"
#include "4-promql/internal.h"
#include "4-promql/nstack.h"

size_t promql_arena_bytes(const struct promql_expr *x)
{
	return arena_bytes(&x->arena);
}

void promql_expr_free(struct promql_expr *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->nregexes; i++)
		label_regex_free(x->regexes[i]);
	free(x->regexes);
	arena_release(&x->arena);
	free(x);
}

const struct promql_node *promql_expr_root(const struct promql_expr *x)
{
	return x->root;
}

static const char *const node_kind_names[] = {
#define PROMQL_X_(id, name) name,
	PROMQL_NODE_KINDS(PROMQL_X_)
#undef PROMQL_X_
};

static const struct {
	const char *name, *doc;
} value_types[] = {
#define PROMQL_X_(id, s, doc) { s, doc },
	PROMQL_VALUE_TYPES(PROMQL_X_)
#undef PROMQL_X_
};

static const struct {
	const char *name;
	char kind;
} binops[] = {
#define PROMQL_X_(id, s, prec, rassoc, kind) { s, kind },
	PROMQL_BINOPS(PROMQL_X_)
#undef PROMQL_X_
};

static const struct {
	const char *name;
	bool param;
} aggops[] = {
#define PROMQL_X_(id, s, param) { s, param },
	PROMQL_AGGOPS(PROMQL_X_)
#undef PROMQL_X_
};

const char *promql_node_kind_name(enum promql_node_kind k) { return node_kind_names[k]; }
const char *promql_value_type_name(enum promql_value_type t) { return value_types[t].name; }
const char *promql_value_type_doc(enum promql_value_type t) { return value_types[t].doc; }
const char *promql_binop_name(enum promql_binop op) { return binops[op].name; }
const char *promql_aggop_name(enum promql_aggop op) { return aggops[op].name; }
bool promql_aggop_has_param(enum promql_aggop op) { return aggops[op].param; }
bool promql_binop_is_comparison(enum promql_binop op) { return binops[op].kind == 'c'; }
bool promql_binop_is_set(enum promql_binop op) { return binops[op].kind == 's'; }

/* The node under parentheses, unary signs and step invariants, which all
 * have their operand's type. */
static const struct promql_node *type_operand(const struct promql_node *n)
{
	for (;;) {
		switch (n->kind) {
		case PROMQL_NODE_PAREN:
			n = n->u.paren.expr;
			break;
		case PROMQL_NODE_UNARY:
			n = n->u.unary.expr;
			break;
		case PROMQL_NODE_STEP_INVARIANT:
			n = n->u.step_invariant.expr;
			break;
		default:
			return n;
		}
	}
}

/*
 * Type() of 2.42.  A binary expression is a scalar only when both sides
 * are (BinaryExpr.Type()), so a tree of them is a scalar when every operand
 * at its leaves is; the tree is walked with an explicit stack since it may
 * be a chain hundreds of thousands long.
 */
enum promql_value_type promql_node_type(const struct promql_node *n)
{
	const struct promql_node *inl[16], **top;
	enum promql_value_type t = PROMQL_TYPE_SCALAR;
	struct nstack st;

	n = type_operand(n);
	switch (n->kind) {
	case PROMQL_NODE_AGGREGATE:
	case PROMQL_NODE_VECTOR:
		return PROMQL_TYPE_VECTOR;
	case PROMQL_NODE_CALL:
		return n->u.call.func ? n->u.call.func->return_type : PROMQL_TYPE_NONE;
	case PROMQL_NODE_MATRIX:
	case PROMQL_NODE_SUBQUERY:
		return PROMQL_TYPE_MATRIX;
	case PROMQL_NODE_NUMBER:
		return PROMQL_TYPE_SCALAR;
	case PROMQL_NODE_STRING:
		return PROMQL_TYPE_STRING;
	case PROMQL_NODE_BINARY:
		break;
	default:
		return PROMQL_TYPE_NONE;
	}
	nstack_init(&st, inl, sizeof(inl) / sizeof(inl[0]), sizeof(inl[0]));
	*(const struct promql_node **)nstack_push(&st) = n;
	while (t == PROMQL_TYPE_SCALAR && (top = nstack_top(&st))) {
		const struct promql_node *b = *top;

		nstack_pop(&st);
		/* the RHS first: in a left-associative chain it is a leaf,
		 * so the stack stays small */
		for (int i = 0; i < 2 && t == PROMQL_TYPE_SCALAR; i++) {
			const struct promql_node *c = type_operand(i ? b->u.binary.lhs : b->u.binary.rhs);

			if (c->kind == PROMQL_NODE_BINARY)
				*(const struct promql_node **)nstack_push(&st) = c;
			else if (promql_node_type(c) != PROMQL_TYPE_SCALAR)
				t = PROMQL_TYPE_VECTOR;
		}
	}
	nstack_release(&st);
	return t;
}

/* Node n's children in 2.42's Children() order; returns how many. */
static size_t children(const struct promql_node *n, const struct promql_node *const **many,
		       const struct promql_node *few[2])
{
	*many = few;
	switch (n->kind) {
	case PROMQL_NODE_AGGREGATE:
		few[0] = n->u.aggregate.expr;
		few[1] = n->u.aggregate.param;
		return few[1] ? 2 : 1;
	case PROMQL_NODE_BINARY:
		few[0] = n->u.binary.lhs;
		few[1] = n->u.binary.rhs;
		return 2;
	case PROMQL_NODE_CALL:
		*many = (const struct promql_node *const *)n->u.call.args;
		return n->u.call.nargs;
	case PROMQL_NODE_MATRIX:
		few[0] = n->u.matrix.vs;
		return 1;
	case PROMQL_NODE_SUBQUERY:
		few[0] = n->u.subquery.expr;
		return 1;
	case PROMQL_NODE_PAREN:
		few[0] = n->u.paren.expr;
		return 1;
	case PROMQL_NODE_UNARY:
		few[0] = n->u.unary.expr;
		return 1;
	case PROMQL_NODE_STEP_INVARIANT:
		few[0] = n->u.step_invariant.expr;
		return 1;
	default:
		return 0;
	}
}

/* Pre-order with the nodes still to visit on an explicit stack (pushed
 * last child first), so that any depth walks in constant C stack. */
int promql_walk(const struct promql_node *n,
		int (*fn)(const struct promql_node *n, void *arg), void *arg)
{
	const struct promql_node *inl[32], **top;
	struct nstack st;
	int rc = 0;

	if (!n)
		return 0;
	nstack_init(&st, inl, sizeof(inl) / sizeof(inl[0]), sizeof(inl[0]));
	*(const struct promql_node **)nstack_push(&st) = n;
	while ((top = nstack_top(&st))) {
		const struct promql_node *const *kids, *few[2];
		size_t nk;

		n = *top;
		nstack_pop(&st);
		if ((rc = fn(n, arg)) != 0)
			break;
		nk = children(n, &kids, few);
		while (nk-- > 0)
			if (kids[nk])
				*(const struct promql_node **)nstack_push(&st) = kids[nk];
	}
	nstack_release(&st);
	return rc;
}

static const struct promql_function functions[] = {
#define PROMQL_X_(id, name, args, variadic, ret) { PROMQL_FN_##id, name, args, variadic, PROMQL_TYPE_##ret, 0, 0 },
	PROMQL_FUNCTIONS(PROMQL_X_)
#undef PROMQL_X_
#define PROMQL_X_(id, name, args, variadic, ret, since, stable) \
	{ PROMQL_FN_##id, name, args, variadic, PROMQL_TYPE_##ret, since, stable },
	PROMQL_FUNCTIONS_LATER(PROMQL_X_)
#undef PROMQL_X_
};

const struct promql_function *promql_function_lookup(const char *name, size_t len)
{
	/* The table is sorted by name except where 2.42's order differs; a
	 * linear scan over ~70 entries is cheap next to parsing. */
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
		if (strlen(functions[i].name) == len && !memcmp(functions[i].name, name, len))
			return &functions[i];
	return NULL;
}

static bool at_least(const struct compat *c, int v)
{
	return compat_at_least(c, v / 10000, v / 100 % 100, v % 100);
}

int promql_function_available(const struct promql_function *f, const struct compat *c, bool experimental)
{
	if (f->id == PROMQL_FN_HOLT_WINTERS && compat_on(c, COMPAT_PROMQL_NO_HOLT_WINTERS))
		return -1; /* 3.0 (#14930): renamed double_exponential_smoothing */
	if (f->since && !at_least(c, f->since))
		return -1;
	if (f->stable && !at_least(c, f->stable) && !experimental)
		return -2;
	return 0;
}

const struct promql_function *promql_function_by_id(enum promql_func_id id)
{
	return &functions[id];
}

enum promql_value_type promql_function_arg_type(char c)
{
	switch (c) {
	case 'v': return PROMQL_TYPE_VECTOR;
	case 'm': return PROMQL_TYPE_MATRIX;
	case 's': return PROMQL_TYPE_SCALAR;
	case 'S': return PROMQL_TYPE_STRING;
	}
	return PROMQL_TYPE_NONE;
}
