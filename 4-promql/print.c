/*
 * Printing a PromQL tree exactly as 2.42's Expr.String() does
 * (promql/parser/printer.go).  The rules backfill sends this text as the
 * query, so it must match byte for byte.
 *
 * Later releases (--compat; printer.go and model/labels/matcher.go at each
 * tag, gates in 1-common/compat_gates.h): 2.53 keeps a __name__="" matcher;
 * 3.0 quotes names that are not legacy (matchers: labels.Matcher.String's
 * shouldQuoteName; grouping labels: "%s" around the raw name when it is no
 * legacy metric name); 3.3 numbers as strconv.FormatFloat(v, 'f', -1) and
 * grouping labels quoted with strconv.Quote; 3.4 prints a number written as
 * a duration as a duration (NumberLiteral.Duration) and duration expressions
 * as written (durations.c); 3.9 prints an empty ignoring()
 * before group_left/right; 3.10 quotes grouping labels that are not legacy
 * label names (a colon now needs quotes).
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "2-model/labels.h"
#include "1-common/xalloc.h"
#include "4-promql/functions.h"
#include "4-promql/internal.h"
#include "4-promql/nstack.h"

static bool legacy_name(const char *s, bool colon)
{
	if (!*s)
		return false;
	for (size_t i = 0; s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (colon && ch == ':') ||
		    (i > 0 && ch >= '0' && ch <= '9'))
			continue;
		return false;
	}
	return true;
}

/* Grouping labels (by, without, on, ignoring, group_x): joinLabels/writeLabels. */
static void print_list(struct buf *out, const char **v, size_t n, const struct compat *c)
{
	bool quote = compat_on(c, COMPAT_UTF8_NAMES);
	bool colon = !compat_on(c, COMPAT_PRINT_QUOTE_COLON);

	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_adds(out, ", ");
		if (!quote || legacy_name(v[i], colon))
			buf_adds(out, v[i]);
		else if (compat_on(c, COMPAT_PRINT_QUOTE_ESCAPED))
			go_quote(out, v[i], strlen(v[i]));
		else
			buf_addf(out, "\"%s\"", v[i]);
	}
}

/* 3.7's " anchored" / " smoothed". */
static void print_ext(struct buf *out, enum promql_ext ext)
{
	if (ext == PROMQL_EXT_ANCHORED)
		buf_adds(out, " anchored");
	else if (ext == PROMQL_EXT_SMOOTHED)
		buf_adds(out, " smoothed");
}

/* " @ 123.000" / " @ start()", a vector selector's " anchored" (3.7), then
 * " offset 5m" / " offset -5m". */
static void print_at_offset(struct buf *out, const struct promql_at *a, enum promql_ext ext, int64_t off)
{
	switch (a->kind) {
	case PROMQL_AT_TIMESTAMP:
		/* fmt " @ %.3f" of float64(ts)/1000 */
		buf_addf(out, " @ %.3f", (double)a->ts_ms / 1000.0);
		break;
	case PROMQL_AT_START:
		buf_adds(out, " @ start()");
		break;
	case PROMQL_AT_END:
		buf_adds(out, " @ end()");
		break;
	case PROMQL_AT_NONE:
		break;
	}
	print_ext(out, ext);
	if (off > 0) {
		buf_adds(out, " offset ");
		prom_fmt_duration(out, off);
	} else if (off < 0) {
		buf_adds(out, " offset -");
		prom_fmt_duration(out, -off);
	}
}

static int cmp_str(const void *a, const void *b)
{
	const struct buf *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->data, y->data, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Name and matchers; the __name__ matcher equal to the name is implied. */
static void print_selector(struct buf *out, const struct promql_node *n, const struct compat *c)
{
	const char *name = n->u.vector.name;
	struct buf *strs = xcalloc(n->u.vector.nmatchers + 1, sizeof(*strs));
	size_t cnt = 0;
	static const char *const ops[] = {
#define PROMQL_X_(id, s) s,
		LABEL_MATCH_TYPES(PROMQL_X_)
#undef PROMQL_X_
	};

	for (size_t i = 0; i < n->u.vector.nmatchers; i++) {
		const struct label_matcher *m = &n->u.vector.matchers[i];
		if (!strcmp(m->name, "__name__") && m->type == LABEL_MATCH_EQUAL &&
		    m->value_len == strlen(name) && !memcmp(m->value, name, m->value_len) &&
		    (m->value_len || !compat_on(c, COMPAT_PRINT_EMPTY_NAME_MATCHER)))
			continue;
		buf_init(&strs[cnt]);
		if (compat_on(c, COMPAT_UTF8_NAMES) && !legacy_name(m->name, false))
			go_quote(&strs[cnt], m->name, strlen(m->name));
		else
			buf_adds(&strs[cnt], m->name);
		buf_adds(&strs[cnt], ops[m->type]);
		go_quote(&strs[cnt], m->value, m->value_len);
		cnt++;
	}
	buf_adds(out, name);
	if (cnt) {
		/* sort.Strings on the printed matchers */
		qsort(strs, cnt, sizeof(*strs), cmp_str);
		buf_addc(out, '{');
		for (size_t i = 0; i < cnt; i++) {
			if (i)
				buf_addc(out, ',');
			buf_add(out, strs[i].data, strs[i].len);
			buf_release(&strs[i]);
		}
		buf_addc(out, '}');
	}
	free(strs);
}

/* What goes between a binary expression's operands: " op modifiers ". */
static void print_binary_op(struct buf *out, const struct promql_node *n, const struct compat *c)
{
	const struct promql_vector_matching *vm = n->u.binary.matching;
	bool grouped = vm && (vm->card == PROMQL_CARD_MANY_TO_ONE || vm->card == PROMQL_CARD_ONE_TO_MANY);
	/* 3.9 (#17643): group_x keeps its ignoring(), however empty */
	bool fixed = compat_on(c, COMPAT_PRINT_EMPTY_IGNORING_KEPT);

	buf_addc(out, ' ');
	buf_adds(out, promql_binop_name(n->u.binary.op));
	if (n->u.binary.return_bool)
		buf_adds(out, " bool");
	if (vm && (vm->nmatching_labels > 0 || vm->on || (fixed && grouped))) {
		buf_adds(out, vm->on ? " on (" : " ignoring (");
		print_list(out, vm->matching_labels, vm->nmatching_labels, c);
		buf_addc(out, ')');
		if (grouped) {
			buf_adds(out, vm->card == PROMQL_CARD_MANY_TO_ONE ? " group_left (" : " group_right (");
			print_list(out, vm->include, vm->ninclude, c);
			buf_addc(out, ')');
		}
	}
	if (vm && (vm->fill_lhs || vm->fill_rhs)) {
		/* 3.10's fill modifiers (only its parser makes them): one fill when equal */
		if (vm->fill_lhs && vm->fill_rhs && vm->fill_lhs_v == vm->fill_rhs_v) {
			buf_adds(out, " fill (");
			go_fmt_g(out, vm->fill_lhs_v);
			buf_addc(out, ')');
		} else {
			if (vm->fill_lhs) {
				buf_adds(out, " fill_left (");
				go_fmt_g(out, vm->fill_lhs_v);
				buf_addc(out, ')');
			}
			if (vm->fill_rhs) {
				buf_adds(out, " fill_right (");
				go_fmt_g(out, vm->fill_rhs_v);
				buf_addc(out, ')');
			}
		}
	}
	buf_addc(out, ' ');
}

void promql_print_number(struct buf *out, double v, bool duration, const struct compat *c)
{
	if (duration && compat_on(c, COMPAT_PRINT_DURATION_LITERALS)) {
		/* model.Duration(v * 1e9).String(), the sign in front */
		if (v < 0)
			buf_addc(out, '-');
		prom_fmt_duration(out, (int64_t)((v < 0 ? -v : v) * 1e9) / 1000000);
	} else if (compat_on(c, COMPAT_PRINT_PLAIN_NUMBERS)) {
		go_fmt_f(out, v); /* 3.3: FormatFloat(v, 'f', -1, 64) */
	} else {
		go_fmt_g(out, v); /* fmt.Sprint(float64): shortest 'g' */
	}
}

/* " offset " and a duration expression (3.4's OriginalOffsetExpr). */
static void print_offset_expr(struct buf *out, const struct promql_dur *d, const struct compat *c)
{
	buf_adds(out, " offset ");
	promql_print_dur(out, d, c);
}

/* A node without sub-expressions. */
static void print_leaf(struct buf *out, const struct promql_node *n, const struct compat *c)
{
	switch (n->kind) {
	case PROMQL_NODE_MATRIX: {
		const struct promql_node *vs = n->u.matrix.vs;
		print_selector(out, vs, c);
		/* 3.7.0-3.7.1 print the modifier with the selector too (a1000efe55) */
		if (!compat_on(c, COMPAT_PRINT_EXTENDED_RANGE_ONCE))
			print_ext(out, vs->u.vector.ext);
		buf_addc(out, '[');
		if (n->u.matrix.range_expr)
			promql_print_dur(out, n->u.matrix.range_expr, c);
		else
			prom_fmt_duration(out, n->u.matrix.range_ms);
		buf_addc(out, ']');
		print_ext(out, vs->u.vector.ext);
		print_at_offset(out, &vs->u.vector.at, PROMQL_EXT_NONE,
				vs->u.vector.offset_expr ? 0 : vs->u.vector.offset_ms);
		if (vs->u.vector.offset_expr)
			print_offset_expr(out, vs->u.vector.offset_expr, c);
		break;
	}
	case PROMQL_NODE_NUMBER:
		promql_print_number(out, n->u.number.val, n->u.number.duration, c);
		break;
	case PROMQL_NODE_STRING:
		go_quote(out, n->u.string.val, n->u.string.len);
		break;
	case PROMQL_NODE_VECTOR:
		print_selector(out, n, c);
		print_at_offset(out, &n->u.vector.at, n->u.vector.ext, n->u.vector.offset_expr ? 0 : n->u.vector.offset_ms);
		if (n->u.vector.offset_expr)
			print_offset_expr(out, n->u.vector.offset_expr, c);
		break;
	default:
		break;
	}
}

/* Sub-expression i of n in printing order, or NULL after the last. */
static const struct promql_node *print_child(const struct promql_node *n, size_t i)
{
	switch (n->kind) {
	case PROMQL_NODE_AGGREGATE:
		if (n->u.aggregate.param)
			return i == 0 ? n->u.aggregate.param : i == 1 ? n->u.aggregate.expr : NULL;
		return i == 0 ? n->u.aggregate.expr : NULL;
	case PROMQL_NODE_BINARY:
		return i == 0 ? n->u.binary.lhs : i == 1 ? n->u.binary.rhs : NULL;
	case PROMQL_NODE_CALL:
		return i < n->u.call.nargs ? n->u.call.args[i] : NULL;
	case PROMQL_NODE_SUBQUERY:
		return i == 0 ? n->u.subquery.expr : NULL;
	case PROMQL_NODE_PAREN:
		return i == 0 ? n->u.paren.expr : NULL;
	case PROMQL_NODE_UNARY:
		return i == 0 ? n->u.unary.expr : NULL;
	case PROMQL_NODE_STEP_INVARIANT: /* prints as its inner expression, as in 2.42 */
		return i == 0 ? n->u.step_invariant.expr : NULL;
	default:
		return NULL;
	}
}

/* What n prints before its first sub-expression. */
static void print_head(struct buf *out, const struct promql_node *n, const struct compat *c)
{
	switch (n->kind) {
	case PROMQL_NODE_AGGREGATE:
		buf_adds(out, promql_aggop_name(n->u.aggregate.op));
		if (n->u.aggregate.without) {
			buf_adds(out, " without (");
			print_list(out, n->u.aggregate.grouping, n->u.aggregate.ngrouping, c);
			buf_adds(out, ") ");
		} else if (n->u.aggregate.ngrouping > 0) {
			buf_adds(out, " by (");
			print_list(out, n->u.aggregate.grouping, n->u.aggregate.ngrouping, c);
			buf_adds(out, ") ");
		}
		buf_addc(out, '(');
		break;
	case PROMQL_NODE_CALL:
		buf_adds(out, n->u.call.func->name);
		buf_addc(out, '(');
		break;
	case PROMQL_NODE_PAREN:
		buf_addc(out, '(');
		break;
	case PROMQL_NODE_UNARY:
		buf_adds(out, promql_binop_name(n->u.unary.op));
		break;
	default:
		break;
	}
}

/* What n prints between sub-expressions i - 1 and i. */
static void print_between(struct buf *out, const struct promql_node *n, const struct compat *c)
{
	if (n->kind == PROMQL_NODE_BINARY)
		print_binary_op(out, n, c);
	else
		buf_adds(out, ", "); /* arguments */
}

/* What n prints after its last sub-expression. */
static void print_tail(struct buf *out, const struct promql_node *n, const struct compat *c)
{
	switch (n->kind) {
	case PROMQL_NODE_AGGREGATE:
	case PROMQL_NODE_CALL:
	case PROMQL_NODE_PAREN:
		buf_addc(out, ')');
		break;
	case PROMQL_NODE_SUBQUERY:
		buf_addc(out, '[');
		if (n->u.subquery.range_expr)
			promql_print_dur(out, n->u.subquery.range_expr, c);
		else
			prom_fmt_duration(out, n->u.subquery.range_ms);
		buf_addc(out, ':');
		/* upstream prints Step when set, else StepExpr: as parsed, an
		 * expression leaves Step 0 */
		if (n->u.subquery.step_expr)
			promql_print_dur(out, n->u.subquery.step_expr, c);
		else if (n->u.subquery.step_ms != 0)
			prom_fmt_duration(out, n->u.subquery.step_ms);
		buf_addc(out, ']');
		print_at_offset(out, &n->u.subquery.at, PROMQL_EXT_NONE,
				n->u.subquery.offset_expr ? 0 : n->u.subquery.offset_ms);
		if (n->u.subquery.offset_expr)
			print_offset_expr(out, n->u.subquery.offset_expr, c);
		break;
	default:
		break;
	}
}

struct prframe {
	const struct promql_node *n;
	size_t next; /* the next sub-expression to print */
};

/*
 * Each node prints a head, its sub-expressions with separators between
 * them, and a tail.  The nodes being printed wait on an explicit stack:
 * operator chains and nesting may be hundreds of thousands deep (2.42
 * accepts and prints them).
 */
void promql_print_node_with(struct buf *out, const struct promql_node *n, const struct compat *c)
{
	struct prframe inl[16], *f;
	struct nstack st;

	nstack_init(&st, inl, sizeof(inl) / sizeof(inl[0]), sizeof(inl[0]));
	for (;;) {
		if (!print_child(n, 0) && n->kind != PROMQL_NODE_CALL && n->kind != PROMQL_NODE_AGGREGATE) {
			print_leaf(out, n, c);
		} else {
			print_head(out, n, c);
			f = nstack_push(&st);
			f->n = n;
			f->next = 0;
		}
		/* finish nodes until one has a sub-expression left to print */
		for (n = NULL; !n && (f = nstack_top(&st));) {
			if ((n = print_child(f->n, f->next))) {
				if (f->next++ > 0)
					print_between(out, f->n, c);
			} else {
				print_tail(out, f->n, c);
				nstack_pop(&st);
			}
		}
		if (!n)
			break;
	}
	nstack_release(&st);
}

void promql_print_node(struct buf *out, const struct promql_node *n)
{
	promql_print_node_with(out, n, NULL);
}

void promql_print(struct buf *out, const struct promql_expr *x)
{
	promql_print_node_with(out, x->root, NULL);
}

void promql_print_with(struct buf *out, const struct promql_expr *x, const struct compat *c)
{
	promql_print_node_with(out, x->root, c);
}

/* The pieces prettier (4-promql/pretty.c) reuses: see internal.h. */
void promql_print_head(struct buf *out, const struct promql_node *n, const struct compat *c)
{
	print_head(out, n, c);
}

void promql_print_binop(struct buf *out, const struct promql_node *n, const struct compat *c)
{
	print_binary_op(out, n, c);
}

void promql_print_tail(struct buf *out, const struct promql_node *n, const struct compat *c)
{
	print_tail(out, n, c);
}
