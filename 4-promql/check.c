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
#include "4-promql/nstack.h"

static void quoted(struct buf *b, const char *s, size_t len)
{
	buf_reset(b);
	go_quote(b, s, len);
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

/*
 * The checks of a binary expression once its operands have been checked
 * (their types lt and rt); returns the node's type (scalar only when both
 * sides are).
 */
static enum promql_value_type check_binary(struct promql_parser *p, struct promql_node *n,
					   enum promql_value_type lt, enum promql_value_type rt)
{
	struct promql_vector_matching *vm = n->u.binary.matching;
	enum promql_binop op = n->u.binary.op;
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
		if (vm->fill_lhs || vm->fill_rhs)
			promql_perr(p, n->pos.start, "filling in missing series only allowed between instant vectors");
		n->u.binary.matching = NULL;
	} else if (promql_binop_is_set(op)) {
		if (vm->card == PROMQL_CARD_ONE_TO_MANY || vm->card == PROMQL_CARD_MANY_TO_ONE)
			promql_perr(p, n->pos.start, "no grouping allowed for %s operation", buf_str(&q));
		if (vm->card != PROMQL_CARD_MANY_TO_MANY)
			promql_perr(p, n->pos.start, "set operations must always be many-to-many");
		if (vm->fill_lhs || vm->fill_rhs)
			promql_perr(p, n->pos.start, "filling in missing series not allowed for set operators");
	}
	if ((lt == PROMQL_TYPE_SCALAR || rt == PROMQL_TYPE_SCALAR) && promql_binop_is_set(op))
		promql_perr(p, n->pos.start, "set operator %s not allowed in binary scalar expression", buf_str(&q));
	buf_release(&q);
	return lt == PROMQL_TYPE_SCALAR && rt == PROMQL_TYPE_SCALAR ? PROMQL_TYPE_SCALAR : PROMQL_TYPE_VECTOR;
}

/* A call's argument count, checked before its arguments. */
static void check_call_nargs(struct promql_parser *p, const struct promql_node *n)
{
	const struct promql_function *f = n->u.call.func;
	size_t nargs = strlen(f->arg_types), got = n->u.call.nargs;
	struct buf q = BUF_INIT;

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
	buf_release(&q);
}

/*
 * The type argument i of call n must have, or NONE when it is not checked
 * at all: 2.42 stops at the first argument past a fixed-arity function's
 * parameters (a variadic one's extra arguments take the last type).
 */
static enum promql_value_type call_arg_type(const struct promql_node *n, size_t i)
{
	const struct promql_function *f = n->u.call.func;
	size_t nargs = strlen(f->arg_types);

	if (i >= n->u.call.nargs)
		return PROMQL_TYPE_NONE;
	if (i >= nargs) {
		if (f->variadic == 0)
			return PROMQL_TYPE_NONE;
		i = nargs - 1;
	}
	return promql_function_arg_type(f->arg_types[i]);
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
	} else if (!n->u.vector.any_matchers) {
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
 * info()'s second argument, checked before the arguments are (2.55's
 * parser.checkAST): label selectors only, which need no non-empty matcher.
 * Before 3.8 anything but a vector selector failed a type assertion, a
 * panic the parser reports as "unexpected error".
 */
static void check_info_call(struct promql_parser *p, struct promql_node *n)
{
	struct promql_node *a;
	enum promql_value_type t;

	if (n->u.call.func->id != PROMQL_FN_INFO || n->u.call.nargs < 2)
		return;
	a = n->u.call.args[1];
	t = promql_node_type(a);
	if (t != PROMQL_TYPE_VECTOR)
		promql_perr(p, n->pos.start, "expected type %s in call to function \"info\", got %s",
			    promql_value_type_doc(PROMQL_TYPE_VECTOR), promql_value_type_doc(t));
	if (a->kind == PROMQL_NODE_VECTOR) {
		if (*a->u.vector.name)
			promql_perr(p, a->pos.start, "expected label selectors only, got vector selector instead");
		a->u.vector.any_matchers = true;
	} else if (compat_on(p->opts->compat, COMPAT_PROMQL_INFO_LABEL_SELECTORS)) {
		promql_perr(p, a->pos.start, "expected label selectors only");
	} else {
		/* the panic replaces any error recorded before */
		buf_reset(&p->err_msg);
		p->failed = false;
		promql_perr(p, a->pos.start, "unexpected error");
		p->err_raw = true;
	}
}

/* 2.42's expectType, once node n has been checked and found of type t. */
static void expect_type(struct promql_parser *p, const struct promql_node *n, enum promql_value_type t,
			enum promql_value_type want, const struct promql_node *parent)
{
	struct buf ctx = BUF_INIT;

	if (t == want)
		return;
	if (parent->kind == PROMQL_NODE_CALL) {
		const char *name = parent->u.call.func->name;
		buf_adds(&ctx, "call to function ");
		go_quote(&ctx, name, strlen(name));
	} else {
		buf_adds(&ctx, n == parent->u.aggregate.expr ? "aggregation expression" : "aggregation parameter");
	}
	promql_perr(p, n->pos.start, "expected type %s in %s, got %s", promql_value_type_doc(want), buf_str(&ctx),
		    promql_value_type_doc(t));
	buf_release(&ctx);
}

struct cframe {
	struct promql_node *n;
	size_t next;                  /* the next child to check */
	enum promql_value_type t[2];  /* the types of the first two children */
};

/*
 * Child i of n in the order 2.42's checkAST checks them, or NULL after the
 * last; *want receives the type its parent expects of it (NONE: no
 * expectation).
 */
static struct promql_node *check_child(const struct promql_node *n, size_t i, enum promql_value_type *want)
{
	*want = PROMQL_TYPE_NONE;
	switch (n->kind) {
	case PROMQL_NODE_AGGREGATE:
		if (i == 0) {
			*want = PROMQL_TYPE_VECTOR;
			return n->u.aggregate.expr;
		}
		if (i == 1 && n->u.aggregate.param) {
			*want = n->u.aggregate.op == PROMQL_AGG_COUNT_VALUES ? PROMQL_TYPE_STRING : PROMQL_TYPE_SCALAR;
			return n->u.aggregate.param;
		}
		return NULL;
	case PROMQL_NODE_CALL:
		*want = call_arg_type(n, i);
		return *want != PROMQL_TYPE_NONE ? n->u.call.args[i] : NULL;
	case PROMQL_NODE_BINARY:
		return i == 0 ? n->u.binary.lhs : i == 1 ? n->u.binary.rhs : NULL;
	case PROMQL_NODE_PAREN:
		return i == 0 ? n->u.paren.expr : NULL;
	case PROMQL_NODE_UNARY:
		return i == 0 ? n->u.unary.expr : NULL;
	case PROMQL_NODE_SUBQUERY:
		return i == 0 ? n->u.subquery.expr : NULL;
	case PROMQL_NODE_STEP_INVARIANT:
		return i == 0 ? n->u.step_invariant.expr : NULL;
	default:
		return NULL;
	}
}

/* The checks of node n after its children's; returns its Type(). */
static enum promql_value_type check_node(struct promql_parser *p, const struct cframe *f)
{
	struct promql_node *n = f->n;
	enum promql_value_type t = f->t[0];

	switch (n->kind) {
	case PROMQL_NODE_BINARY:
		return check_binary(p, n, f->t[0], f->t[1]);
	case PROMQL_NODE_PAREN:
	case PROMQL_NODE_STEP_INVARIANT:
		return t;
	case PROMQL_NODE_UNARY:
		if (t != PROMQL_TYPE_SCALAR && t != PROMQL_TYPE_VECTOR) {
			struct buf q = BUF_INIT;
			quoted(&q, promql_value_type_doc(t), strlen(promql_value_type_doc(t)));
			promql_perr(p, n->pos.start,
				    "unary expression only allowed on expressions of type scalar or instant vector, got %s",
				    buf_str(&q));
			buf_release(&q);
		}
		return t;
	case PROMQL_NODE_SUBQUERY:
		if (t != PROMQL_TYPE_VECTOR)
			promql_perr(p, n->pos.start, "subquery is only allowed on instant vector, got %s instead",
				    promql_value_type_name(t));
		return PROMQL_TYPE_MATRIX;
	case PROMQL_NODE_MATRIX:
		check_vector(p, n->u.matrix.vs);
		return PROMQL_TYPE_MATRIX;
	case PROMQL_NODE_VECTOR:
		check_vector(p, n);
		return PROMQL_TYPE_VECTOR;
	default: /* aggregations, calls and literals have a fixed type */
		return promql_node_type(n);
	}
}

/*
 * Returns the node's Type(), checking as 2.42's recursive checkAST does:
 * a call's argument count first, then each child (its own checks, then
 * whether its parent accepts its type), then the node's other checks.  The
 * nodes being checked wait on an explicit stack: operator chains and
 * nesting may be hundreds of thousands deep.  Each type is computed from
 * the children's rather than with promql_node_type(), which would walk a
 * chain again at every level.
 */
enum promql_value_type promql_check(struct promql_parser *p, struct promql_node *n)
{
	struct cframe inl[16], *f;
	struct nstack st;
	enum promql_value_type t = PROMQL_TYPE_NONE;

	nstack_init(&st, inl, sizeof(inl) / sizeof(inl[0]), sizeof(inl[0]));
	for (;;) {
		/* enter n */
		if (n->kind == PROMQL_NODE_CALL) {
			check_call_nargs(p, n);
			check_info_call(p, n);
		}
		f = nstack_push(&st);
		f->n = n;
		f->next = 0;
		f->t[0] = f->t[1] = PROMQL_TYPE_NONE;
		/* leave nodes until one has a child left to check */
		for (;;) {
			enum promql_value_type want;
			struct promql_node *c = check_child(f->n, f->next, &want);
			if (c) {
				f->next++;
				n = c;
				break;
			}
			t = check_node(p, f);
			nstack_pop(&st);
			if (!(f = nstack_top(&st)))
				goto done;
			c = check_child(f->n, f->next - 1, &want);
			if (want != PROMQL_TYPE_NONE)
				expect_type(p, c, t, want, f->n);
			if (f->next <= 2)
				f->t[f->next - 1] = t;
		}
	}
done:
	nstack_release(&st);
	return t;
}
