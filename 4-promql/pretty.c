/*
 * Expr.Pretty(level) of promql/parser/prettier.go (v2.46.0 to v3.14.0, the
 * same rules throughout): a node whose String() is at most 100 bytes
 * (needsSplit) prints as its String() after level indents of two spaces;
 * longer ones are split:
 *
 *   aggregation  "sum by (job) (" newline, [param Pretty(level+1) ","
 *                newline,] expr Pretty(level+1), newline, indent ")"
 *   binary       lhs Pretty(level+1), newline, indent "op bool matching",
 *                newline, rhs Pretty(level+1) (no indent of its own)
 *   call         indent "name(" newline, each argument Pretty(level+1)
 *                joined by ",\n", newline, indent ")"
 *   paren        indent "(" newline, expr Pretty(level+1), newline, indent ")"
 *   subquery     expr Pretty(level) then "[range:step]..." -- and when not
 *                split, its String() without any indent (as upstream)
 *   unary        indent, the operator, then expr Pretty(level) with its
 *                surrounding white space trimmed
 *   step invariant  its expression's Pretty(level)
 *   selectors and literals: indent, String()
 *
 * Recursive like upstream's, on a goroutine-sized stack (1-common/bigstack.h).
 */
#include <string.h>

#include "1-common/bigstack.h"
#include "4-promql/functions.h"
#include "4-promql/internal.h"

#define MAX_CHARACTERS_PER_LINE 100 /* maxCharactersPerLine */

struct pretty {
	struct buf *out;
	size_t width; /* maxCharactersPerLine */
	const struct compat *c;
	struct buf tmp; /* needsSplit's String() */
};

static void indent(struct buf *out, int level)
{
	for (int i = 0; i < level; i++)
		buf_adds(out, "  ");
}

static bool needs_split(struct pretty *p, const struct promql_node *n)
{
	buf_reset(&p->tmp);
	promql_print_node_with(&p->tmp, n, p->c);
	return p->tmp.len > p->width;
}

static void pretty(struct pretty *p, struct buf *out, const struct promql_node *n, int level);

static void pretty_unary(struct pretty *p, struct buf *out, const struct promql_node *n, int level)
{
	struct buf child = BUF_INIT;
	size_t a = 0, b;

	pretty(p, &child, n->u.unary.expr, level);
	b = child.len;
	/* strings.TrimSpace: the child's text is ASCII white space at its ends */
	while (a < b && strchr(" \t\n\v\f\r", child.data[a]))
		a++;
	while (b > a && strchr(" \t\n\v\f\r", child.data[b - 1]))
		b--;
	indent(out, level);
	buf_adds(out, promql_binop_name(n->u.unary.op));
	buf_add(out, child.data + a, b - a);
	buf_release(&child);
}

static void pretty(struct pretty *p, struct buf *out, const struct promql_node *n, int level)
{
	struct buf head = BUF_INIT;

	switch (n->kind) {
	case PROMQL_NODE_STEP_INVARIANT:
		pretty(p, out, n->u.step_invariant.expr, level);
		return;
	case PROMQL_NODE_UNARY:
		pretty_unary(p, out, n, level);
		return;
	case PROMQL_NODE_SUBQUERY:
		if (!needs_split(p, n)) {
			buf_add(out, p->tmp.data, p->tmp.len);
			return;
		}
		pretty(p, out, n->u.subquery.expr, level);
		promql_print_tail(out, n, p->c);
		return;
	case PROMQL_NODE_AGGREGATE:
	case PROMQL_NODE_BINARY:
	case PROMQL_NODE_CALL:
	case PROMQL_NODE_PAREN:
		if (needs_split(p, n))
			break;
		/* fall through */
	default:
		indent(out, level);
		promql_print_node_with(out, n, p->c);
		return;
	}
	switch (n->kind) {
	case PROMQL_NODE_AGGREGATE:
		indent(out, level);
		promql_print_head(&head, n, p->c);
		buf_add(out, head.data, head.len); /* ShortString() + "(" */
		buf_addc(out, '\n');
		if (n->u.aggregate.param) {
			pretty(p, out, n->u.aggregate.param, level + 1);
			buf_adds(out, ",\n");
		}
		pretty(p, out, n->u.aggregate.expr, level + 1);
		buf_addc(out, '\n');
		indent(out, level);
		buf_addc(out, ')');
		break;
	case PROMQL_NODE_BINARY:
		pretty(p, out, n->u.binary.lhs, level + 1);
		buf_addc(out, '\n');
		indent(out, level);
		promql_print_binop(&head, n, p->c); /* " op bool matching " */
		buf_add(out, head.data + 1, head.len - 2);
		buf_addc(out, '\n');
		pretty(p, out, n->u.binary.rhs, level + 1);
		break;
	case PROMQL_NODE_CALL:
		indent(out, level);
		buf_adds(out, n->u.call.func->name);
		buf_adds(out, "(\n");
		for (size_t i = 0; i < n->u.call.nargs; i++) {
			if (i)
				buf_adds(out, ",\n");
			pretty(p, out, n->u.call.args[i], level + 1);
		}
		buf_addc(out, '\n');
		indent(out, level);
		buf_addc(out, ')');
		break;
	default: /* PROMQL_NODE_PAREN */
		indent(out, level);
		buf_adds(out, "(\n");
		pretty(p, out, n->u.paren.expr, level + 1);
		buf_addc(out, '\n');
		indent(out, level);
		buf_addc(out, ')');
		break;
	}
	buf_release(&head);
}

struct thunk {
	struct pretty *p;
	const struct promql_node *root;
};

static int run(void *arg)
{
	struct thunk *t = arg;

	pretty(t->p, t->p->out, t->root, 0);
	return 0;
}

void promql_pretty_width(struct buf *out, const struct promql_expr *x, const struct compat *c, size_t width)
{
	struct pretty p = { out, width, c, BUF_INIT };
	struct thunk t = { &p, x->root };

	bigstack_run(run, &t);
	buf_release(&p.tmp);
}

void promql_pretty_with(struct buf *out, const struct promql_expr *x, const struct compat *c)
{
	promql_pretty_width(out, x, c, MAX_CHARACTERS_PER_LINE);
}
