/*
 * The PromQL tree: arena, names, types, walking and the function table.
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/xalloc.h"
#include "4-promql/functions.h"
#include "4-promql/internal.h"

/* Chunks double from the first up to the largest: a typical rule's tree
 * fits in the first two, and a file of 400,000 rules keeps 400,000 trees. */
#define ARENA_FIRST 512
#define ARENA_MAX 65536

struct promql_arena_chunk {
	struct promql_arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

void *promql_arena_alloc(struct promql_expr *x, size_t n)
{
	struct promql_arena_chunk *c = x->chunks;
	size_t align = sizeof(max_align_t);
	void *p;

	n = (n + align - 1) / align * align;
	if (!c || c->cap - c->used < n) {
		size_t cap = !c ? ARENA_FIRST : c->cap < ARENA_MAX ? 2 * c->cap : ARENA_MAX;
		if (cap < n)
			cap = n;
		c = xmalloc(sizeof(*c) + cap);
		c->cap = cap;
		c->used = 0;
		c->next = x->chunks;
		x->chunks = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

size_t promql_arena_bytes(const struct promql_expr *x)
{
	size_t n = 0;

	for (const struct promql_arena_chunk *c = x->chunks; c; c = c->next)
		n += c->cap;
	return n;
}

char *promql_arena_strndup(struct promql_expr *x, const char *s, size_t len)
{
	char *p = promql_arena_alloc(x, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void promql_expr_free(struct promql_expr *x)
{
	struct promql_arena_chunk *c, *next;

	if (!x)
		return;
	for (size_t i = 0; i < x->nregexes; i++)
		label_regex_free(x->regexes[i]);
	free(x->regexes);
	for (c = x->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
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

enum promql_value_type promql_node_type(const struct promql_node *n)
{
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
	case PROMQL_NODE_PAREN:
		return promql_node_type(n->u.paren.expr);
	case PROMQL_NODE_UNARY:
		return promql_node_type(n->u.unary.expr);
	case PROMQL_NODE_STEP_INVARIANT:
		return promql_node_type(n->u.step_invariant.expr);
	case PROMQL_NODE_BINARY:
		/* scalar only when both sides are, as BinaryExpr.Type() */
		if (promql_node_type(n->u.binary.lhs) == PROMQL_TYPE_SCALAR &&
		    promql_node_type(n->u.binary.rhs) == PROMQL_TYPE_SCALAR)
			return PROMQL_TYPE_SCALAR;
		return PROMQL_TYPE_VECTOR;
	}
	return PROMQL_TYPE_NONE;
}

int promql_walk(const struct promql_node *n,
		int (*fn)(const struct promql_node *n, void *arg), void *arg)
{
	int rc;

	if (!n)
		return 0;
	if ((rc = fn(n, arg)) != 0)
		return rc;
	switch (n->kind) {
	case PROMQL_NODE_AGGREGATE:
		if ((rc = promql_walk(n->u.aggregate.expr, fn, arg)) != 0)
			return rc;
		return promql_walk(n->u.aggregate.param, fn, arg);
	case PROMQL_NODE_BINARY:
		if ((rc = promql_walk(n->u.binary.lhs, fn, arg)) != 0)
			return rc;
		return promql_walk(n->u.binary.rhs, fn, arg);
	case PROMQL_NODE_CALL:
		for (size_t i = 0; i < n->u.call.nargs; i++)
			if ((rc = promql_walk(n->u.call.args[i], fn, arg)) != 0)
				return rc;
		return 0;
	case PROMQL_NODE_MATRIX:
		return promql_walk(n->u.matrix.vs, fn, arg);
	case PROMQL_NODE_SUBQUERY:
		return promql_walk(n->u.subquery.expr, fn, arg);
	case PROMQL_NODE_PAREN:
		return promql_walk(n->u.paren.expr, fn, arg);
	case PROMQL_NODE_UNARY:
		return promql_walk(n->u.unary.expr, fn, arg);
	case PROMQL_NODE_STEP_INVARIANT:
		return promql_walk(n->u.step_invariant.expr, fn, arg);
	case PROMQL_NODE_NUMBER:
	case PROMQL_NODE_STRING:
	case PROMQL_NODE_VECTOR:
		return 0;
	}
	return 0;
}

static const struct promql_function functions[] = {
#define PROMQL_X_(id, name, args, variadic, ret) { PROMQL_FN_##id, name, args, variadic, PROMQL_TYPE_##ret },
	PROMQL_FUNCTIONS(PROMQL_X_)
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
