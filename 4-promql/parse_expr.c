/*
 * The expression grammar of 2.42's parser above the operands: binary
 * operators with their precedence, associativity and matching modifiers,
 * unary signs, parentheses, function calls and aggregations.  The operands
 * themselves (numbers, strings, selectors, offset / @ / [..]) are in
 * parse.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "1-common/gotime.h"
#include "1-common/xalloc.h"
#include "4-promql/functions.h"
#include "4-promql/gostr.h"
#include "4-promql/internal.h"
#include "4-promql/nstack.h"

static bool is_aggregator(enum promql_tok t)
{
	return promql_tok_class(t) == 'a';
}

static enum promql_aggop aggop_of(enum promql_tok t)
{
	switch (t) {
	case PQT_AVG: return PROMQL_AGG_AVG;
	case PQT_BOTTOMK: return PROMQL_AGG_BOTTOMK;
	case PQT_COUNT: return PROMQL_AGG_COUNT;
	case PQT_COUNT_VALUES: return PROMQL_AGG_COUNT_VALUES;
	case PQT_GROUP: return PROMQL_AGG_GROUP;
	case PQT_MAX: return PROMQL_AGG_MAX;
	case PQT_MIN: return PROMQL_AGG_MIN;
	case PQT_QUANTILE: return PROMQL_AGG_QUANTILE;
	case PQT_STDDEV: return PROMQL_AGG_STDDEV;
	case PQT_STDVAR: return PROMQL_AGG_STDVAR;
	case PQT_SUM: return PROMQL_AGG_SUM;
	case PQT_LIMITK: return PROMQL_AGG_LIMITK;
	case PQT_LIMIT_RATIO: return PROMQL_AGG_LIMIT_RATIO;
	default: return PROMQL_AGG_TOPK;
	}
}

/* Binary operator of a token, or -1. */
static int binop_of(enum promql_tok t)
{
	switch (t) {
	case PQT_LOR: return PROMQL_OP_LOR;
	case PQT_LAND: return PROMQL_OP_LAND;
	case PQT_LUNLESS: return PROMQL_OP_LUNLESS;
	case PQT_EQLC: return PROMQL_OP_EQLC;
	case PQT_NEQ: return PROMQL_OP_NEQ;
	case PQT_GTE: return PROMQL_OP_GTE;
	case PQT_GTR: return PROMQL_OP_GTR;
	case PQT_LSS: return PROMQL_OP_LSS;
	case PQT_LTE: return PROMQL_OP_LTE;
	case PQT_ADD: return PROMQL_OP_ADD;
	case PQT_SUB: return PROMQL_OP_SUB;
	case PQT_MUL: return PROMQL_OP_MUL;
	case PQT_DIV: return PROMQL_OP_DIV;
	case PQT_MOD: return PROMQL_OP_MOD;
	case PQT_ATAN2: return PROMQL_OP_ATAN2;
	case PQT_POW: return PROMQL_OP_POW;
	default: return -1;
	}
}

static const struct {
	int prec;
	bool right;
} binop_prec[] = {
#define PROMQL_X_(id, s, prec, rassoc, kind) { prec, rassoc },
	PROMQL_BINOPS(PROMQL_X_)
#undef PROMQL_X_
};

/* Unary +/- bind like "*" (2.42: unary_expr %prec MUL). */
#define UNARY_OPERAND_PREC 6

static bool parse_agg_modifier(struct promql_parser *p, struct promql_node *agg)
{
	struct promql_token kw = promql_take(p);

	agg->u.aggregate.without = kw.type == PQT_WITHOUT;
	return promql_parse_grouping(p, &agg->u.aggregate.grouping, &agg->u.aggregate.ngrouping);
}

/*
 * 3.6's STEP and 3.10's RANGE keywords before 3.12 made them functions: a
 * metric name (metric_identifier has them), so "step()" is a selector and
 * then a syntax error, not an unknown function.
 */
static bool keyword_not_function(struct promql_parser *p)
{
	const struct promql_token *t = promql_peek(p);
	const struct compat *c = p->opts->compat;

	if (!compat_on(c, COMPAT_PROMQL_DURATION_STEP) || compat_at_least(c, 3, 12, 0))
		return false;
	if (t->len == 4 && !strncasecmp(t->val, "step", 4))
		return true;
	return t->len == 5 && !strncasecmp(t->val, "range", 5) && compat_on(c, COMPAT_PROMQL_DURATION_RANGE);
}

/* What the lookahead starts: 'c' a function call, 'a' an aggregation, 0 neither. */
static int starts_call(struct promql_parser *p)
{
	enum promql_tok t = promql_peek(p)->type, next;

	if (t == PQT_IDENTIFIER && keyword_not_function(p))
		return 0;
	if (t == PQT_IDENTIFIER)
		/* IDENTIFIER "(" is a call; otherwise a metric name */
		return promql_peek2(p)->type == PQT_LEFT_PAREN ? 'c' : 0;
	/* 3.12: start() and end() are functions too (outside `@`) */
	if ((t == PQT_START || t == PQT_END) && compat_at_least(p->opts->compat, 3, 12, 0))
		return promql_peek2(p)->type == PQT_LEFT_PAREN ? 'c' : 0;
	if (!is_aggregator(t))
		return 0;
	next = promql_peek2(p)->type;
	return next == PQT_LEFT_PAREN || next == PQT_BY || next == PQT_WITHOUT ? 'a' : 0;
}

/*
 * aggregate_expr up to its "(": the operator and a leading by/without.
 * The caller then parses the arguments (promql_parse_expr) and ends with
 * end_aggregate().
 */
static struct promql_node *begin_aggregate(struct promql_parser *p, bool *modifier_first)
{
	struct promql_token op = promql_take(p);
	struct promql_node *agg = promql_new_node(p, PROMQL_NODE_AGGREGATE, op.pos, op.pos);

	agg->u.aggregate.op = aggop_of(op.type);
	p->agg_depth++;
	*modifier_first = false;
	if (promql_at(p, PQT_BY) || promql_at(p, PQT_WITHOUT)) {
		*modifier_first = true;
		if (!parse_agg_modifier(p, agg))
			return NULL;
	}
	if (!promql_at(p, PQT_LEFT_PAREN))
		return promql_unexpected(p, "aggregation", "");
	return agg;
}

/* After the ")" of an aggregation's arguments: a trailing by/without, then
 * newAggregateExpr's checks. */
static struct promql_node *end_aggregate(struct promql_parser *p, struct promql_node *agg, bool modifier_first,
					 struct promql_node **args, size_t nargs)
{
	size_t want;

	if (!modifier_first && (promql_at(p, PQT_BY) || promql_at(p, PQT_WITHOUT))) {
		if (!parse_agg_modifier(p, agg))
			return NULL;
	}
	p->agg_depth--;
	if (p->failed)
		return NULL;
	agg->pos.end = p->last_closing;
	if (nargs == 0) {
		promql_perr(p, agg->pos.start, "no arguments for aggregate expression provided");
		return NULL;
	}
	want = promql_aggop_has_param(agg->u.aggregate.op) ? 2 : 1;
	if ((agg->u.aggregate.op == PROMQL_AGG_LIMITK || agg->u.aggregate.op == PROMQL_AGG_LIMIT_RATIO) &&
	    !p->opts->experimental_functions) {
		/* 2.54's IsExperimentalAggregator check; 3.1 names the operator */
		if (compat_on(p->opts->compat, COMPAT_PROMQL_LIMITK_NAMED))
			promql_perr(p, agg->pos.start,
				    "%s() is experimental and must be enabled with --enable-feature=promql-experimental-functions",
				    promql_aggop_name(agg->u.aggregate.op));
		else
			promql_perr(p, agg->pos.start, "limitk() and limit_ratio() are experimental and must be enabled "
							"with --enable-feature=promql-experimental-functions");
		return NULL;
	}
	if (nargs != want) {
		promql_perr(p, agg->pos.start,
			    "wrong number of arguments for aggregate expression provided, expected %zu, got %zu",
			    want, nargs);
		return NULL;
	}
	if (want == 2)
		agg->u.aggregate.param = args[0];
	agg->u.aggregate.expr = args[want - 1];
	return agg;
}

/* After the ")" of a function call's arguments (name is its name token). */
static struct promql_node *end_call(struct promql_parser *p, struct promql_node *call, const struct promql_token *name,
				    struct promql_node **args, size_t nargs)
{
	int avail;

	if (p->failed)
		return NULL;
	call->u.call.args = promql_arena_alloc(p->x, (nargs ? nargs : 1) * sizeof(*args));
	if (nargs)
		memcpy(call->u.call.args, args, nargs * sizeof(*args));
	call->u.call.nargs = nargs;
	call->pos.end = p->last_closing;
	call->u.call.func = promql_function_lookup(name->val, name->len);
	avail = call->u.call.func ? promql_function_available(call->u.call.func, p->opts->compat,
							       p->opts->experimental_functions) : -1;
	if (avail < 0) {
		struct buf q = BUF_INIT;
		go_quote(&q, name->val, name->len);
		if (avail == -1)
			promql_perr(p, name->pos, "unknown function with name %s", buf_str(&q));
		else
			promql_perr(p, name->pos, "function %s is not enabled", buf_str(&q));
		buf_release(&q);
		return NULL;
	}
	return call;
}

/* FIRST(expr): what may follow group_left/group_right without labels. */
static bool can_start_expr(enum promql_tok t)
{
	switch (t) {
	case PQT_NUMBER: case PQT_STRING: case PQT_LEFT_PAREN: case PQT_LEFT_BRACE:
	case PQT_ADD: case PQT_SUB:
		return true;
	default:
		return promql_is_metric_identifier(t);
	}
}

/* 3.10: whether the lookahead is fill, fill_left or fill_right and "(". */
static int fill_word(struct promql_parser *p)
{
	const struct promql_token *t = promql_peek(p);

	if (t->type != PQT_IDENTIFIER || promql_peek2(p)->type != PQT_LEFT_PAREN ||
	    !compat_on(p->opts->compat, COMPAT_PROMQL_BINOP_FILL))
		return 0;
	if (t->len == 4 && !memcmp(t->val, "fill", 4))
		return 'b';
	if (t->len == 9 && !memcmp(t->val, "fill_left", 9))
		return 'l';
	if (t->len == 10 && !memcmp(t->val, "fill_right", 10))
		return 'r';
	return 0;
}

/* fill_value: "(" [sign] number_duration_literal ")". */
static bool parse_fill_value(struct promql_parser *p, double *out)
{
	struct promql_token t;
	double sign = 1;

	promql_take(p); /* the word */
	promql_take(p); /* "(" */
	if (promql_at(p, PQT_ADD) || promql_at(p, PQT_SUB))
		sign = promql_take(p).type == PQT_SUB ? -1 : 1;
	if (promql_at(p, PQT_NUMBER)) {
		t = promql_take(p);
		*out = sign * promql_parse_number(p, &t);
	} else if (promql_at(p, PQT_DURATION)) {
		int64_t ms;
		t = promql_take(p);
		if (!promql_parse_duration_zero(p, &t, &ms, true))
			return false;
		*out = sign * go_ms_seconds(ms);
	} else {
		promql_unexpected(p, "fill value", "number or duration");
		return false;
	}
	if (p->failed)
		return false;
	if (!promql_at(p, PQT_RIGHT_PAREN)) {
		promql_unexpected(p, "fill value", "\")\"");
		return false;
	}
	promql_take(p);
	return true;
}

/* fill_modifiers of 3.10: fill(v) | fill_left(v) [fill_right(v)] | fill_right(v) [fill_left(v)]. */
static bool parse_fill(struct promql_parser *p, struct promql_node *b)
{
	struct promql_vector_matching *vm = b->u.binary.matching;
	int w = fill_word(p), pos = promql_peek(p)->pos;
	double v;

	if (!w)
		return true;
	if (!parse_fill_value(p, &v))
		return false;
	if (w == 'b' || w == 'l')
		vm->fill_lhs = true, vm->fill_lhs_v = v;
	if (w == 'b' || w == 'r')
		vm->fill_rhs = true, vm->fill_rhs_v = v;
	if (w != 'b' && fill_word(p) == (w == 'l' ? 'r' : 'l')) {
		if (!parse_fill_value(p, &v))
			return false;
		if (w == 'l')
			vm->fill_rhs = true, vm->fill_rhs_v = v;
		else
			vm->fill_lhs = true, vm->fill_lhs_v = v;
	}
	if (!p->opts->binop_fill_modifiers) {
		promql_perr(p, pos, "binop fill modifiers are experimental and not enabled");
		return false;
	}
	return true;
}

static bool parse_group_modifiers(struct promql_parser *p, struct promql_node *b);

static bool parse_bin_modifiers(struct promql_parser *p, struct promql_node *b)
{
	return parse_group_modifiers(p, b) && parse_fill(p, b);
}

static bool parse_group_modifiers(struct promql_parser *p, struct promql_node *b)
{
	struct promql_vector_matching *vm = promql_arena_alloc(p->x, sizeof(*vm));

	b->u.binary.matching = vm;
	vm->card = PROMQL_CARD_ONE_TO_ONE;
	if (promql_at(p, PQT_BOOL)) {
		promql_take(p);
		b->u.binary.return_bool = true;
	}
	if (!promql_at(p, PQT_ON) && !promql_at(p, PQT_IGNORING))
		return true;
	vm->on = promql_take(p).type == PQT_ON;
	if (!promql_parse_grouping(p, &vm->matching_labels, &vm->nmatching_labels))
		return false;
	if (!promql_at(p, PQT_GROUP_LEFT) && !promql_at(p, PQT_GROUP_RIGHT))
		return true;
	vm->card = promql_take(p).type == PQT_GROUP_LEFT ? PROMQL_CARD_MANY_TO_ONE : PROMQL_CARD_ONE_TO_MANY;
	if (promql_at(p, PQT_LEFT_PAREN))
		return promql_parse_grouping(p, &vm->include, &vm->ninclude);
	if (!can_start_expr(promql_peek(p)->type) ||
	    /* 3.7.0-3.7.1: anchored and smoothed start no expression */
	    ((promql_at(p, PQT_ANCHORED) || promql_at(p, PQT_SMOOTHED)) &&
	     !compat_on(p->opts->compat, COMPAT_PROMQL_EXTENDED_RANGE_NAMES))) {
		promql_unexpected(p, "grouping opts", "\"(\"");
		return false;
	}
	return true;
}

/*
 * Expressions are parsed on an explicit stack of frames rather than by
 * recursion, so that operator chains of any length and nesting of any
 * depth 2.42 accepts parse in constant C stack.  Each frame stands for a
 * call of the recursive formulation:
 *
 *   expr(min) := unary {binop[prec >= min] modifiers expr(prec or prec+1)}
 *   unary     := ("+" | "-") expr(UNARY_OPERAND_PREC) | postfix(primary)
 *   primary   := "(" expr(0) ")" | name "(" args ")"
 *              | aggregator [modifier] "(" args ")" [modifier]
 *              | number | string | selector
 *   args      := [expr(0) {"," expr(0)}]
 *
 * An F_EXPR frame holds the binary expression waiting for its right-hand
 * side; an F_UNARY frame the sign waiting for its operand; an F_PAREN frame
 * the "(" waiting for its contents; an F_ARGS frame a call or aggregation
 * collecting its arguments.
 */
enum pframe_kind { F_EXPR, F_UNARY, F_PAREN, F_ARGS };

struct pframe {
	enum pframe_kind kind;
	int min_prec;                  /* F_EXPR */
	struct promql_node *node;      /* F_EXPR: the binary awaiting its RHS, or NULL;
					* F_ARGS: the call or aggregation */
	struct promql_token tok;       /* F_UNARY: the sign; F_PAREN: the "("; F_ARGS: a call's name */
	bool modifier_first;           /* F_ARGS of an aggregation: by/without came first */
	struct promql_node **args;     /* F_ARGS: the arguments so far (malloc'd) */
	size_t nargs, argcap;
};

static struct pframe *push_frame(struct nstack *st, enum pframe_kind kind, int min_prec, const struct promql_token *tok)
{
	struct pframe *f = nstack_push(st);

	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->min_prec = min_prec;
	if (tok)
		f->tok = *tok;
	return f;
}

struct promql_node *promql_parse_expr(struct promql_parser *p, int min_prec)
{
	struct pframe inl[8], *f;
	struct nstack st;
	struct promql_node *e = NULL, *n;

	nstack_init(&st, inl, sizeof(inl) / sizeof(inl[0]), sizeof(inl[0]));
	push_frame(&st, F_EXPR, min_prec, NULL);
operand:
	/* signs, "(", calls and aggregations open frames; the rest is a primary */
	for (;;) {
		struct promql_token tok;
		bool modifier_first;

		switch (promql_peek(p)->type) {
		case PQT_ADD:
		case PQT_SUB:
			tok = promql_take(p);
			push_frame(&st, F_UNARY, 0, &tok);
			push_frame(&st, F_EXPR, UNARY_OPERAND_PREC, NULL);
			continue;
		case PQT_LEFT_PAREN:
			tok = promql_take(p);
			push_frame(&st, F_PAREN, 0, &tok);
			push_frame(&st, F_EXPR, 0, NULL);
			continue;
		default:
			break;
		}
		switch (starts_call(p)) {
		case 'c':
			tok = promql_take(p);
			f = push_frame(&st, F_ARGS, 0, &tok);
			f->node = promql_new_node(p, PROMQL_NODE_CALL, tok.pos, tok.pos);
			goto args;
		case 'a':
			if (!(n = begin_aggregate(p, &modifier_first))) {
				e = NULL;
				goto done;
			}
			f = push_frame(&st, F_ARGS, 0, NULL);
			f->node = n;
			f->modifier_first = modifier_first;
			goto args;
		default:
			break;
		}
		break;
	}
	e = promql_parse_postfix(p, promql_parse_primary(p));
	goto reduce;
args:
	/* the top frame is an F_ARGS and "(" is next */
	promql_take(p);
	if (promql_at(p, PQT_RIGHT_PAREN)) {
		promql_take(p);
		goto end_args;
	}
	push_frame(&st, F_EXPR, 0, NULL);
	goto operand;
end_args:
	/* the top frame is an F_ARGS whose ")" has been taken */
	f = nstack_top(&st);
	if (f->node->kind == PROMQL_NODE_CALL)
		e = end_call(p, f->node, &f->tok, f->args, f->nargs);
	else
		e = end_aggregate(p, f->node, f->modifier_first, f->args, f->nargs);
	free(f->args);
	nstack_pop(&st);
	e = promql_parse_postfix(p, e);
reduce:
	/* hand e to the frame below until one needs another operand */
	while (e && (f = nstack_top(&st))) {
		int op;

		switch (f->kind) {
		case F_EXPR:
			if (f->node) {
				f->node->u.binary.rhs = e;
				f->node->pos.end = e->pos.end;
				e = f->node;
				f->node = NULL;
			}
			op = binop_of(promql_peek(p)->type);
			if (op >= 0 && binop_prec[op].prec >= f->min_prec) {
				promql_take(p);
				n = promql_new_node(p, PROMQL_NODE_BINARY, e->pos.start, e->pos.end);
				n->u.binary.op = (enum promql_binop)op;
				n->u.binary.lhs = e;
				if (!parse_bin_modifiers(p, n)) {
					e = NULL;
					break;
				}
				f->node = n;
				push_frame(&st, F_EXPR,
					   binop_prec[op].right ? binop_prec[op].prec : binop_prec[op].prec + 1, NULL);
				goto operand;
			}
			nstack_pop(&st);
			break;
		case F_UNARY:
			if (e->kind == PROMQL_NODE_NUMBER) {
				/* 2.42 folds a sign into a number literal */
				if (f->tok.type == PQT_SUB)
					e->u.number.val = -e->u.number.val;
				e->pos.start = f->tok.pos;
			} else {
				n = promql_new_node(p, PROMQL_NODE_UNARY, f->tok.pos, e->pos.end);
				n->u.unary.op = f->tok.type == PQT_SUB ? PROMQL_OP_SUB : PROMQL_OP_ADD;
				n->u.unary.expr = e;
				e = n;
			}
			nstack_pop(&st);
			break;
		case F_PAREN:
			if (!promql_at(p, PQT_RIGHT_PAREN)) {
				e = promql_unexpected_expr(p);
				break;
			}
			n = promql_new_node(p, PROMQL_NODE_PAREN, f->tok.pos, promql_take(p).pos + 1);
			n->u.paren.expr = e;
			nstack_pop(&st);
			/* a parenthesised expression is a primary: postfix binds */
			e = promql_parse_postfix(p, n);
			break;
		case F_ARGS:
			/* 2.42's function_call_body, with its trailing-comma error */
			ALLOC_GROW(f->args, f->nargs + 1, f->argcap);
			f->args[f->nargs++] = e;
			if (promql_at(p, PQT_COMMA)) {
				struct promql_token comma = promql_take(p);
				if (promql_at(p, PQT_RIGHT_PAREN) || promql_at(p, PQT_COMMA)) {
					promql_perr(p, comma.pos, "trailing commas not allowed in function call args");
					e = NULL;
					break;
				}
				push_frame(&st, F_EXPR, 0, NULL);
				goto operand;
			}
			if (promql_at(p, PQT_RIGHT_PAREN)) {
				promql_take(p);
				goto end_args;
			}
			e = promql_unexpected_expr(p);
			break;
		}
	}
done:
	if (!e) {
		while ((f = nstack_top(&st))) {
			if (f->kind == F_ARGS)
				free(f->args);
			nstack_pop(&st);
		}
	}
	nstack_release(&st);
	return e;
}

