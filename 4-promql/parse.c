/*
 * The PromQL parser: builds the tree 2.42's goyacc grammar
 * (promql/parser/generated_parser.y) builds, by recursive descent with
 * precedence climbing, and reports the FIRST error 2.42 would report, with
 * its text and position.
 *
 * How 2.42's LALR error recovery is reproduced: a syntax error is caught
 * by the nearest grammar state with an `error` item.  Those are the states
 * inside label matchers, grouping labels, after offset / @ / "[", and the
 * state right after an aggregation operator -- which stays on the parser
 * stack while the aggregation's modifiers and arguments are parsed, so any
 * other syntax error inside an aggregation reads "... in aggregation".
 * Everything else falls back to the plain "unexpected X" of the start rule.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "4-promql/functions.h"
#include "4-promql/gostr.h"
#include "4-promql/internal.h"

/* Deeper nesting than this is refused rather than overflowing the stack. */
#define MAX_DEPTH 1000

void promql_perr(struct promql_parser *p, int pos, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (p->failed)
		return;
	p->failed = true;
	p->err_pos = pos;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	buf_adds(&p->err_msg, msg ? msg : "out of memory");
	free(msg);
}

/* Lexes one token (skipping comments) the way 2.42's parser.Lex does. */
static void lex_one(struct promql_parser *p, struct promql_token *t)
{
	do
		promql_lexer_next(&p->lex, t);
	while (t->type == PQT_COMMENT);
	switch (t->type) {
	case PQT_ERROR:
		promql_perr(p, t->pos, "%.*s", (int)t->len, t->val);
		break;
	case PQT_RIGHT_BRACE:
	case PQT_RIGHT_PAREN:
	case PQT_RIGHT_BRACKET:
	case PQT_DURATION:
	case PQT_NUMBER:
		p->last_closing = t->pos + (int)t->len;
		break;
	default:
		break;
	}
}

static const struct promql_token *peek(struct promql_parser *p)
{
	if (p->ntoks == 0) {
		lex_one(p, &p->toks[0]);
		p->ntoks = 1;
	}
	return &p->toks[0];
}

static const struct promql_token *peek2(struct promql_parser *p)
{
	peek(p);
	if (p->ntoks == 1) {
		lex_one(p, &p->toks[1]);
		p->ntoks = 2;
	}
	return &p->toks[1];
}

static struct promql_token take(struct promql_parser *p)
{
	struct promql_token t = *peek(p);

	p->toks[0] = p->toks[1];
	p->ntoks--;
	return t;
}

static bool at(struct promql_parser *p, enum promql_tok t)
{
	return peek(p)->type == t;
}

/* 2.42's parser.unexpected(context, expected) at the lookahead token. */
static void *unexpected(struct promql_parser *p, const char *context, const char *expected)
{
	const struct promql_token *t = peek(p);
	struct buf b = BUF_INIT;

	if (t->type == PQT_ERROR || p->failed) {
		/* the lexer error is already recorded; 2.42 adds nothing */
		p->failed = true;
		return NULL;
	}
	buf_adds(&b, "unexpected ");
	promql_token_desc(&b, t);
	if (context && *context) {
		buf_adds(&b, " in ");
		buf_adds(&b, context);
	}
	if (expected && *expected) {
		buf_adds(&b, ", expected ");
		buf_adds(&b, expected);
	}
	promql_perr(p, t->pos, "%s", buf_str(&b));
	buf_release(&b);
	return NULL;
}

/* A syntax error not caught by a nearer rule (see the top comment). */
static void *unexpected_expr(struct promql_parser *p)
{
	return unexpected(p, p->agg_depth > 0 ? "aggregation" : "", "");
}

static struct promql_node *new_node(struct promql_parser *p, enum promql_node_kind k, int start, int end)
{
	struct promql_node *n = promql_arena_alloc(p->x, sizeof(*n));
	n->kind = k;
	n->pos.start = start;
	n->pos.end = end;
	return n;
}

/* The token kinds that may name a metric (grammar rule metric_identifier). */
static bool is_metric_identifier(enum promql_tok t)
{
	switch (t) {
	case PQT_AVG: case PQT_BOTTOMK: case PQT_BY: case PQT_COUNT: case PQT_COUNT_VALUES:
	case PQT_GROUP: case PQT_IDENTIFIER: case PQT_LAND: case PQT_LOR: case PQT_LUNLESS:
	case PQT_MAX: case PQT_METRIC_IDENTIFIER: case PQT_MIN: case PQT_OFFSET:
	case PQT_QUANTILE: case PQT_STDDEV: case PQT_STDVAR: case PQT_SUM: case PQT_TOPK:
	case PQT_WITHOUT: case PQT_START: case PQT_END:
		return true;
	default:
		return false;
	}
}

/* Grammar rule maybe_label: words accepted as a grouping label. */
static bool is_maybe_label(enum promql_tok t)
{
	switch (t) {
	case PQT_AVG: case PQT_BOOL: case PQT_BOTTOMK: case PQT_BY: case PQT_COUNT:
	case PQT_COUNT_VALUES: case PQT_GROUP: case PQT_GROUP_LEFT: case PQT_GROUP_RIGHT:
	case PQT_IDENTIFIER: case PQT_IGNORING: case PQT_LAND: case PQT_LOR: case PQT_LUNLESS:
	case PQT_MAX: case PQT_METRIC_IDENTIFIER: case PQT_MIN: case PQT_OFFSET: case PQT_ON:
	case PQT_QUANTILE: case PQT_STDDEV: case PQT_STDVAR: case PQT_SUM: case PQT_TOPK:
	case PQT_START: case PQT_END: case PQT_ATAN2:
		return true;
	default:
		return false;
	}
}

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

static struct promql_node *parse_expr(struct promql_parser *p, int min_prec);

/*
 * grouping_labels: "(" [label {"," label} [","]] ")".  2.42 keeps an empty
 * list distinct from none only for printing group_left/right, where both
 * print "()".
 */
static bool parse_grouping(struct promql_parser *p, const char ***out, size_t *n)
{
	const char **v = NULL;
	size_t cnt = 0, cap = 0;
	bool ok = false;

	if (!at(p, PQT_LEFT_PAREN)) {
		unexpected(p, "grouping opts", "\"(\"");
		return false;
	}
	take(p);
	if (at(p, PQT_RIGHT_PAREN)) {
		take(p);
		ok = true;
		goto done;
	}
	for (;;) {
		const struct promql_token *t = peek(p);
		if (!is_maybe_label(t->type)) {
			unexpected(p, "grouping opts", "label");
			goto done;
		}
		if (t->type == PQT_METRIC_IDENTIFIER) {
			/* not a valid label name (isLabel) */
			unexpected(p, "grouping opts", "label");
			goto done;
		}
		ALLOC_GROW(v, cnt + 1, cap);
		v[cnt++] = promql_arena_strndup(p->x, t->val, t->len);
		take(p);
		if (at(p, PQT_COMMA)) {
			take(p);
			if (at(p, PQT_RIGHT_PAREN)) {
				take(p);
				break;
			}
			continue;
		}
		if (at(p, PQT_RIGHT_PAREN)) {
			take(p);
			break;
		}
		unexpected(p, "grouping opts", "\",\" or \")\"");
		goto done;
	}
	ok = true;
done:
	if (ok) {
		*out = promql_arena_alloc(p->x, (cnt ? cnt : 1) * sizeof(char *));
		if (cnt)
			memcpy(*out, v, cnt * sizeof(char *));
		*n = cnt;
	}
	free(v);
	return ok && !p->failed;
}

/* label_matchers: "{" [matcher {"," matcher} [","]] "}" into vs. */
static bool parse_label_matchers(struct promql_parser *p, struct promql_node *vs)
{
	struct label_matcher *v = NULL;
	size_t cnt = 0, cap = 0;
	bool ok = false;

	take(p); /* "{" */
	if (at(p, PQT_RIGHT_BRACE))
		goto close;
	for (;;) {
		struct promql_token name, op, val;
		struct label_matcher *m;

		if (!at(p, PQT_IDENTIFIER)) {
			unexpected(p, "label matching", "identifier or \"}\"");
			goto done;
		}
		name = take(p);
		switch (peek(p)->type) {
		case PQT_EQL: case PQT_NEQ: case PQT_EQL_REGEX: case PQT_NEQ_REGEX:
			break;
		default:
			unexpected(p, "label matching", "label matching operator");
			goto done;
		}
		op = take(p);
		if (!at(p, PQT_STRING)) {
			unexpected(p, "label matching", "string");
			goto done;
		}
		val = take(p);
		ALLOC_GROW(v, cnt + 1, cap);
		m = &v[cnt++];
		memset(m, 0, sizeof(*m));
		m->name = promql_arena_strndup(p->x, name.val, name.len);
		m->value = promql_unquote(p, &val, &m->value_len);
		m->type = op.type == PQT_EQL ? LABEL_MATCH_EQUAL :
			  op.type == PQT_NEQ ? LABEL_MATCH_NOT_EQUAL :
			  op.type == PQT_EQL_REGEX ? LABEL_MATCH_REGEXP : LABEL_MATCH_NOT_REGEXP;
		if (m->type == LABEL_MATCH_REGEXP || m->type == LABEL_MATCH_NOT_REGEXP) {
			struct buf msg = BUF_INIT;
			if (label_regex_compile(&m->re, m->value, m->value_len, &msg) < 0) {
				promql_perr(p, name.pos, "%s", buf_str(&msg));
				buf_release(&msg);
				goto done;
			}
			buf_release(&msg);
			if (m->re) {
				ALLOC_GROW(p->x->regexes, p->x->nregexes + 1, p->x->regexes_cap);
				p->x->regexes[p->x->nregexes++] = m->re;
			}
		}
		if (at(p, PQT_COMMA)) {
			take(p);
			if (at(p, PQT_RIGHT_BRACE))
				break;
			continue;
		}
		if (at(p, PQT_RIGHT_BRACE))
			break;
		unexpected(p, "label matching", "\",\" or \"}\"");
		goto done;
	}
close:
	vs->pos.end = take(p).pos + 1;
	ok = true;
done:
	/* room for the __name__ matcher assembleVectorSelector appends */
	vs->u.vector.matchers = promql_arena_alloc(p->x, (cnt + 1) * sizeof(*v));
	if (cnt)
		memcpy(vs->u.vector.matchers, v, cnt * sizeof(*v));
	vs->u.vector.nmatchers = cnt;
	free(v);
	return ok && !p->failed;
}

/* vector_selector: [metric_identifier] [label_matchers]. */
static struct promql_node *parse_vector_selector(struct promql_parser *p)
{
	struct promql_node *vs;
	const struct promql_token *t = peek(p);
	int start = t->pos;

	vs = new_node(p, PROMQL_NODE_VECTOR, start, start);
	vs->u.vector.name = "";
	if (t->type != PQT_LEFT_BRACE) {
		struct promql_token name = take(p);
		vs->u.vector.name = promql_arena_strndup(p->x, name.val, name.len);
		vs->pos.end = name.pos + (int)name.len;
		if (!at(p, PQT_LEFT_BRACE)) {
			vs->u.vector.matchers = promql_arena_alloc(p->x, sizeof(struct label_matcher));
			goto name;
		}
	}
	if (!parse_label_matchers(p, vs))
		return NULL;
	if (!*vs->u.vector.name)
		return vs;
name:
	{
		/* assembleVectorSelector: __name__="name" goes last */
		struct label_matcher *m = &vs->u.vector.matchers[vs->u.vector.nmatchers++];
		m->type = LABEL_MATCH_EQUAL;
		m->name = "__name__";
		m->value = vs->u.vector.name;
		m->value_len = strlen(vs->u.vector.name);
	}
	return vs;
}

/* function_call_body: "(" [expr {"," expr}] ")" with 2.42's trailing-comma error. */
static bool parse_call_body(struct promql_parser *p, struct promql_node ***out, size_t *n)
{
	struct promql_node **v = NULL;
	size_t cnt = 0, cap = 0;
	bool ok = false;

	take(p); /* "(" */
	if (at(p, PQT_RIGHT_PAREN)) {
		take(p);
		ok = true;
		goto done;
	}
	for (;;) {
		struct promql_node *e = parse_expr(p, 0);
		if (!e)
			goto done;
		ALLOC_GROW(v, cnt + 1, cap);
		v[cnt++] = e;
		if (at(p, PQT_COMMA)) {
			struct promql_token comma = take(p);
			if (at(p, PQT_RIGHT_PAREN) || at(p, PQT_COMMA)) {
				promql_perr(p, comma.pos, "trailing commas not allowed in function call args");
				goto done;
			}
			continue;
		}
		if (at(p, PQT_RIGHT_PAREN)) {
			take(p);
			break;
		}
		unexpected_expr(p);
		goto done;
	}
	ok = true;
done:
	if (ok) {
		*out = promql_arena_alloc(p->x, (cnt ? cnt : 1) * sizeof(*v));
		if (cnt)
			memcpy(*out, v, cnt * sizeof(*v));
		*n = cnt;
	}
	free(v);
	return ok && !p->failed;
}

static bool parse_agg_modifier(struct promql_parser *p, struct promql_node *agg)
{
	struct promql_token kw = take(p);

	agg->u.aggregate.without = kw.type == PQT_WITHOUT;
	return parse_grouping(p, &agg->u.aggregate.grouping, &agg->u.aggregate.ngrouping);
}

/* aggregate_expr, after deciding the operator token starts one. */
static struct promql_node *parse_aggregate(struct promql_parser *p)
{
	struct promql_token op = take(p);
	struct promql_node *agg = new_node(p, PROMQL_NODE_AGGREGATE, op.pos, op.pos);
	struct promql_node **args = NULL;
	size_t nargs = 0;
	bool modifier_first = false;
	size_t want;

	agg->u.aggregate.op = aggop_of(op.type);
	p->agg_depth++;
	if (at(p, PQT_BY) || at(p, PQT_WITHOUT)) {
		modifier_first = true;
		if (!parse_agg_modifier(p, agg))
			goto fail;
	}
	if (!at(p, PQT_LEFT_PAREN)) {
		unexpected(p, "aggregation", "");
		goto fail;
	}
	if (!parse_call_body(p, &args, &nargs))
		goto fail;
	if (!modifier_first && (at(p, PQT_BY) || at(p, PQT_WITHOUT))) {
		if (!parse_agg_modifier(p, agg))
			goto fail;
	}
	p->agg_depth--;
	if (p->failed)
		return NULL;
	/* newAggregateExpr */
	agg->pos.end = p->last_closing;
	if (nargs == 0) {
		promql_perr(p, agg->pos.start, "no arguments for aggregate expression provided");
		return NULL;
	}
	want = promql_aggop_has_param(agg->u.aggregate.op) ? 2 : 1;
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
fail:
	p->agg_depth--;
	return NULL;
}

static struct promql_node *parse_call(struct promql_parser *p)
{
	struct promql_token name = take(p);
	struct promql_node *call = new_node(p, PROMQL_NODE_CALL, name.pos, name.pos);

	if (!parse_call_body(p, &call->u.call.args, &call->u.call.nargs))
		return NULL;
	call->pos.end = p->last_closing;
	call->u.call.func = promql_function_lookup(name.val, name.len);
	if (!call->u.call.func) {
		struct buf q = BUF_INIT;
		go_quote(&q, name.val, name.len);
		promql_perr(p, name.pos, "unknown function with name %s", buf_str(&q));
		buf_release(&q);
		return NULL;
	}
	return call;
}

static struct promql_node *parse_primary(struct promql_parser *p)
{
	const struct promql_token *t = peek(p);
	struct promql_node *n;

	switch (t->type) {
	case PQT_NUMBER: {
		struct promql_token tok = take(p);
		n = new_node(p, PROMQL_NODE_NUMBER, tok.pos, tok.pos + (int)tok.len);
		n->u.number.val = promql_parse_number(p, &tok);
		return p->failed ? NULL : n;
	}
	case PQT_STRING: {
		struct promql_token tok = take(p);
		n = new_node(p, PROMQL_NODE_STRING, tok.pos, tok.pos + (int)tok.len);
		n->u.string.val = promql_unquote(p, &tok, &n->u.string.len);
		return n;
	}
	case PQT_LEFT_PAREN: {
		struct promql_token open = take(p);
		struct promql_node *inner = parse_expr(p, 0);
		if (!inner)
			return NULL;
		if (!at(p, PQT_RIGHT_PAREN))
			return unexpected_expr(p);
		n = new_node(p, PROMQL_NODE_PAREN, open.pos, take(p).pos + 1);
		n->u.paren.expr = inner;
		return n;
	}
	case PQT_LEFT_BRACE:
		return parse_vector_selector(p);
	case PQT_IDENTIFIER:
		/* IDENTIFIER "(" is a call; otherwise a metric name */
		if (peek2(p)->type == PQT_LEFT_PAREN)
			return parse_call(p);
		return parse_vector_selector(p);
	default:
		break;
	}
	if (is_aggregator(t->type)) {
		enum promql_tok next = peek2(p)->type;
		if (next == PQT_LEFT_PAREN || next == PQT_BY || next == PQT_WITHOUT)
			return parse_aggregate(p);
		return parse_vector_selector(p);
	}
	if (is_metric_identifier(t->type))
		return parse_vector_selector(p);
	return unexpected_expr(p);
}

/* addOffset of 2.42. */
static bool add_offset(struct promql_parser *p, struct promql_node *e, int64_t off)
{
	int64_t *orig;
	int *endp;

	switch (e->kind) {
	case PROMQL_NODE_VECTOR:
		orig = &e->u.vector.offset_ms;
		endp = &e->pos.end;
		break;
	case PROMQL_NODE_MATRIX:
		orig = &e->u.matrix.vs->u.vector.offset_ms;
		endp = &e->pos.end;
		break;
	case PROMQL_NODE_SUBQUERY:
		orig = &e->u.subquery.offset_ms;
		endp = &e->pos.end;
		break;
	default:
		promql_perr(p, e->pos.start, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
		return false;
	}
	if (*orig != 0) {
		promql_perr(p, e->pos.start, "offset may not be set multiple times");
		return false;
	}
	*orig = off;
	*endp = p->last_closing;
	return true;
}

/* getAtModifierVars + setTimestamp / setAtModifierPreprocessor of 2.42. */
static bool set_at(struct promql_parser *p, struct promql_node *e, const struct promql_at *a)
{
	struct promql_at *dst;
	int *endp = &e->pos.end;

	switch (e->kind) {
	case PROMQL_NODE_VECTOR:
		dst = &e->u.vector.at;
		break;
	case PROMQL_NODE_MATRIX:
		dst = &e->u.matrix.vs->u.vector.at;
		break;
	case PROMQL_NODE_SUBQUERY:
		dst = &e->u.subquery.at;
		break;
	default:
		promql_perr(p, e->pos.start, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
		return false;
	}
	if (dst->kind != PROMQL_AT_NONE) {
		promql_perr(p, e->pos.start, "@ <timestamp> may not be set multiple times");
		return false;
	}
	*dst = *a;
	*endp = p->last_closing;
	return true;
}

static bool parse_at(struct promql_parser *p, struct promql_node *e)
{
	struct promql_at a = { PROMQL_AT_NONE, 0 };
	const struct promql_token *t = peek(p);

	if (t->type == PQT_START || t->type == PQT_END) {
		a.kind = t->type == PQT_START ? PROMQL_AT_START : PROMQL_AT_END;
		take(p);
		if (!at(p, PQT_LEFT_PAREN))
			return unexpected(p, "@", "timestamp"), false;
		take(p);
		if (!at(p, PQT_RIGHT_PAREN))
			return unexpected(p, "@", "timestamp"), false;
		take(p);
	} else {
		double sign = 1, ts, ms;
		struct promql_token num;

		if (t->type == PQT_ADD || t->type == PQT_SUB) {
			sign = t->type == PQT_SUB ? -1 : 1;
			take(p);
		}
		if (!at(p, PQT_NUMBER))
			return unexpected(p, "@", "timestamp"), false;
		num = take(p);
		ts = sign * promql_parse_number(p, &num);
		if (p->failed)
			return false;
		if (isinf(ts) || isnan(ts) || ts >= 9223372036854775807.0 || ts <= -9223372036854775808.0) {
			struct buf b = BUF_INIT;
			if (isnan(ts))
				buf_adds(&b, "NaN");
			else if (isinf(ts))
				buf_adds(&b, ts > 0 ? "+Inf" : "-Inf");
			else
				buf_addf(&b, "%.6f", ts);
			promql_perr(p, e->pos.start, "timestamp out of bounds for @ modifier: %s", buf_str(&b));
			buf_release(&b);
			return false;
		}
		/* timestamp.FromFloatSeconds: int64(math.Round(ts*1000)); an
		 * out-of-range conversion gives MinInt64 on amd64 */
		ms = round(ts * 1000);
		a.kind = PROMQL_AT_TIMESTAMP;
		a.ts_ms = (ms >= 9223372036854775807.0 || ms < -9223372036854775808.0) ? INT64_MIN : (int64_t)ms;
	}
	return set_at(p, e, &a);
}

static struct promql_node *parse_brackets(struct promql_parser *p, struct promql_node *e)
{
	struct promql_token open = take(p), d;
	int64_t range, step = 0;
	struct promql_node *n;

	if (!at(p, PQT_DURATION))
		return unexpected(p, "subquery selector", "duration");
	d = take(p);
	if (!promql_parse_duration(p, &d, &range))
		return NULL;
	if (at(p, PQT_RIGHT_BRACKET)) {
		const char *msg = NULL;

		take(p);
		if (e->kind != PROMQL_NODE_VECTOR)
			msg = "ranges only allowed for vector selectors";
		else if (e->u.vector.offset_ms != 0)
			msg = "no offset modifiers allowed before range";
		else if (e->u.vector.at.kind == PROMQL_AT_TIMESTAMP)
			msg = "no @ modifiers allowed before range";
		if (msg) {
			promql_perr(p, open.pos, "%s", msg);
			return NULL;
		}
		n = new_node(p, PROMQL_NODE_MATRIX, e->pos.start, p->last_closing);
		n->u.matrix.vs = e;
		n->u.matrix.range_ms = range;
		return n;
	}
	if (!at(p, PQT_COLON))
		return unexpected(p, "subquery or range", "\":\" or \"]\"");
	take(p);
	if (at(p, PQT_DURATION)) {
		d = take(p);
		if (!promql_parse_duration(p, &d, &step))
			return NULL;
		if (!at(p, PQT_RIGHT_BRACKET))
			return unexpected(p, "subquery selector", "\"]\"");
	} else if (!at(p, PQT_RIGHT_BRACKET)) {
		return unexpected(p, "subquery selector", "duration or \"]\"");
	}
	n = new_node(p, PROMQL_NODE_SUBQUERY, e->pos.start, take(p).pos + 1);
	n->u.subquery.expr = e;
	n->u.subquery.range_ms = range;
	n->u.subquery.step_ms = step;
	return n;
}

/* offset, @ and [..] bind to the operand just parsed (they out-rank every
 * binary operator in 2.42's grammar; @ wins its conflicts by shifting). */
static struct promql_node *parse_postfix(struct promql_parser *p, struct promql_node *e)
{
	while (e) {
		const struct promql_token *t = peek(p);

		if (t->type == PQT_OFFSET) {
			struct promql_token d;
			bool neg = false;
			int64_t off;

			take(p);
			if (at(p, PQT_SUB)) {
				take(p);
				neg = true;
			}
			if (!at(p, PQT_DURATION))
				return unexpected(p, "offset", "duration");
			d = take(p);
			if (!promql_parse_duration(p, &d, &off) || !add_offset(p, e, neg ? -off : off))
				return NULL;
		} else if (t->type == PQT_AT) {
			take(p);
			if (!parse_at(p, e))
				return NULL;
		} else if (t->type == PQT_LEFT_BRACKET) {
			e = parse_brackets(p, e);
		} else {
			break;
		}
	}
	return e;
}

static struct promql_node *parse_unary(struct promql_parser *p)
{
	const struct promql_token *t = peek(p);

	if (t->type == PQT_ADD || t->type == PQT_SUB) {
		struct promql_token op = take(p);
		struct promql_node *e = parse_expr(p, UNARY_OPERAND_PREC), *n;

		if (!e)
			return NULL;
		if (e->kind == PROMQL_NODE_NUMBER) {
			/* 2.42 folds a sign into a number literal */
			if (op.type == PQT_SUB)
				e->u.number.val = -e->u.number.val;
			e->pos.start = op.pos;
			return e;
		}
		n = new_node(p, PROMQL_NODE_UNARY, op.pos, e->pos.end);
		n->u.unary.op = op.type == PQT_SUB ? PROMQL_OP_SUB : PROMQL_OP_ADD;
		n->u.unary.expr = e;
		return n;
	}
	return parse_postfix(p, parse_primary(p));
}

/* FIRST(expr): what may follow group_left/group_right without labels. */
static bool can_start_expr(enum promql_tok t)
{
	switch (t) {
	case PQT_NUMBER: case PQT_STRING: case PQT_LEFT_PAREN: case PQT_LEFT_BRACE:
	case PQT_ADD: case PQT_SUB:
		return true;
	default:
		return is_metric_identifier(t);
	}
}

static bool parse_bin_modifiers(struct promql_parser *p, struct promql_node *b)
{
	struct promql_vector_matching *vm = promql_arena_alloc(p->x, sizeof(*vm));

	b->u.binary.matching = vm;
	vm->card = PROMQL_CARD_ONE_TO_ONE;
	if (at(p, PQT_BOOL)) {
		take(p);
		b->u.binary.return_bool = true;
	}
	if (!at(p, PQT_ON) && !at(p, PQT_IGNORING))
		return true;
	vm->on = take(p).type == PQT_ON;
	if (!parse_grouping(p, &vm->matching_labels, &vm->nmatching_labels))
		return false;
	if (!at(p, PQT_GROUP_LEFT) && !at(p, PQT_GROUP_RIGHT))
		return true;
	vm->card = take(p).type == PQT_GROUP_LEFT ? PROMQL_CARD_MANY_TO_ONE : PROMQL_CARD_ONE_TO_MANY;
	if (at(p, PQT_LEFT_PAREN))
		return parse_grouping(p, &vm->include, &vm->ninclude);
	if (!can_start_expr(peek(p)->type)) {
		unexpected(p, "grouping opts", "\"(\"");
		return false;
	}
	return true;
}

static struct promql_node *parse_expr(struct promql_parser *p, int min_prec)
{
	struct promql_node *lhs;

	if (++p->depth > MAX_DEPTH) {
		promql_perr(p, peek(p)->pos, "expression nests too deeply");
		return NULL;
	}
	lhs = parse_unary(p);
	while (lhs) {
		int op = binop_of(peek(p)->type);
		struct promql_node *b, *rhs;

		if (op < 0 || binop_prec[op].prec < min_prec)
			break;
		take(p);
		b = new_node(p, PROMQL_NODE_BINARY, lhs->pos.start, lhs->pos.end);
		b->u.binary.op = (enum promql_binop)op;
		b->u.binary.lhs = lhs;
		if (!parse_bin_modifiers(p, b))
			return NULL;
		rhs = parse_expr(p, binop_prec[op].right ? binop_prec[op].prec : binop_prec[op].prec + 1);
		if (!rhs)
			return NULL;
		b->u.binary.rhs = rhs;
		b->pos.end = rhs->pos.end;
		lhs = b;
	}
	p->depth--;
	return lhs;
}

/* An expression, or (selector) what parser.ParseMetricSelector accepts. */
static int parse_input(struct promql_expr **out, const char *input, size_t len, bool selector, struct err *e)
{
	struct promql_parser p;
	struct promql_expr *x = xcalloc(1, sizeof(*x));
	struct promql_node *root = NULL;
	int rc = -1;

	arena_init(&x->arena, PROMQL_ARENA_CHUNK);
	memset(&p, 0, sizeof(p));
	p.x = x;
	p.input = input;
	p.len = len;
	buf_init(&p.err_msg);
	promql_lexer_init(&p.lex, input, len);

	if (selector) {
		/*
		 * START_METRIC_SELECTOR vector_selector, then EOF: anything else
		 * falls to the start rule's plain "unexpected X"; no checkAST.
		 */
		if (at(&p, PQT_LEFT_BRACE) || is_metric_identifier(peek(&p)->type))
			root = parse_vector_selector(&p);
		else
			unexpected(&p, "", "");
		if (root && !at(&p, PQT_EOF))
			unexpected(&p, "", "");
		if (p.failed)
			goto done;
		x->root = root;
		rc = 0;
		goto done;
	}
	if (at(&p, PQT_EOF)) {
		promql_perr(&p, 0, "no expression found in input");
		goto done;
	}
	root = parse_expr(&p, 0);
	if (root && !at(&p, PQT_EOF))
		unexpected_expr(&p);
	if (p.failed)
		goto done;
	promql_check(&p, root);
	if (p.failed)
		goto done;
	x->root = root;
	rc = 0;
done:
	if (rc < 0) {
		/* ParseErr.Error(): "line:col: parse error: msg", col in bytes */
		int line = 1, last_nl = -1;
		if (p.err_pos < 0 || (size_t)p.err_pos > len) {
			err_set(e, "invalid position: parse error: %s", buf_str(&p.err_msg));
		} else {
			for (int i = 0; i < p.err_pos; i++) {
				if (input[i] == '\n') {
					line++;
					last_nl = i;
				}
			}
			err_set(e, "%d:%d: parse error: %s", line, p.err_pos - last_nl, buf_str(&p.err_msg));
		}
		promql_expr_free(x);
		x = NULL;
	}
	promql_lexer_release(&p.lex);
	buf_release(&p.err_msg);
	*out = x;
	return rc;
}

int promql_parse(struct promql_expr **out, const char *input, size_t len, struct err *e)
{
	return parse_input(out, input, len, false, e);
}

int promql_parse_metric_selector(struct promql_expr **out, const char *input, size_t len, struct err *e)
{
	return parse_input(out, input, len, true, e);
}
