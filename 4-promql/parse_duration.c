/*
 * What goes where a PromQL duration goes, per release (--compat): 2.42's
 * duration tokens, 2.54's numbers of seconds (#9138, #12821), 3.4's
 * duration expressions (generated_parser.y duration_expr and, from 3.5,
 * offset_duration_expr), 3.5's rounding of literals, 3.6's step() and
 * min(a, b)/max(a, b), 3.10's range(), 3.13's min_of/max_of.  An expression
 * becomes a struct promql_dur tree, worked out when the query runs
 * (durations.c, as the engine's durationVisitor); the parser keeps only its
 * literal checks.  For the parser only (declared in 4-promql/internal.h);
 * errors are recorded with promql_perr.
 */
#include <math.h>
#include <stdint.h>

#include <string.h>

#include "1-common/compat.h"
#include "1-common/gotime.h"
#include "4-promql/internal.h"

/* Go's float64 -> int64 on amd64: out of range (and NaN) is MinInt64. */
static int64_t go_int64(double x)
{
	return x > -9223372036854775808.0 && x < 9223372036854775808.0 ? (int64_t)x : INT64_MIN;
}

/*
 * A NumberLiteral of seconds where a duration goes, in ms: 2.54 takes
 * time.Duration(val * 1000) * time.Millisecond (so [1001ms], 1.001 s,
 * is 1000 ms); 3.5 rounds: time.Duration(math.Round(val * 1e9)) ns,
 * truncated to ms where the engine reads it.
 */
static int64_t literal_ms(const struct promql_parser *p, double v)
{
	if (compat_on(p->opts->compat, COMPAT_PROMQL_DURATION_ROUND)) {
		int64_t ns = go_int64(round(v * 1e9));
		return ns / 1000000;
	}
	return go_int64(v * 1000);
}

/*
 * 2.54's number_duration_literal (#9138, #12821): a number of seconds, or
 * a duration read as its seconds, where a duration goes.  Returns false
 * with the error recorded.
 */
bool promql_number_or_duration(struct promql_parser *p, const struct promql_token *t, int64_t *ms)
{
	double v;

	if (t->type == PQT_DURATION) {
		if (!promql_parse_duration(p, t, ms))
			return false;
		if (compat_on(p->opts->compat, COMPAT_PROMQL_FLOAT_DURATIONS))
			*ms = literal_ms(p, go_ms_seconds(*ms));
		return true;
	}
	v = promql_parse_number(p, t);
	if (p->failed)
		return false;
	*ms = literal_ms(p, v);
	return true;
}

/* Where a duration goes: also a number from 2.54. */
bool promql_at_duration(struct promql_parser *p)
{
	return promql_at(p, PQT_DURATION) ||
	       (promql_at(p, PQT_NUMBER) && compat_on(p->opts->compat, COMPAT_PROMQL_FLOAT_DURATIONS));
}

/* The "expected ..." of the duration slots: 2.54 takes numbers too. */
const char *promql_duration_word(struct promql_parser *p)
{
	return compat_on(p->opts->compat, COMPAT_PROMQL_FLOAT_DURATIONS) ? "number or duration" : "duration";
}

/*
 * The duration expression grammar of 3.4-3.14.  A slot is where the
 * expression stands, for the words of a syntax error: yacc's error
 * recovery pops back to the rule after "[", ":" or "offset", whatever the
 * depth the error happened at.
 */
enum dur_slot { SLOT_RANGE, SLOT_STEP, SLOT_OFFSET };

struct dur_parse {
	struct promql_parser *p;
	enum dur_slot slot;
};

/* The duration keywords of the release (lex.go durationKeywordTokens). */
enum dur_kw { KW_NONE, KW_STEP, KW_RANGE, KW_MIN, KW_MAX };

static enum dur_kw dur_keyword(const struct promql_parser *p, const struct promql_token *t)
{
	const struct compat *c = p->opts->compat;
	bool of = compat_on(c, COMPAT_PROMQL_DURATION_MIN_OF);

	if (!compat_on(c, COMPAT_PROMQL_DURATION_STEP))
		return KW_NONE;
	/* min and max are aggregators outside brackets; inside, the lexer
	 * gives every duration keyword as an identifier */
	if (t->type == PQT_MIN || t->type == PQT_MAX)
		return of ? KW_NONE : t->type == PQT_MIN ? KW_MIN : KW_MAX;
	if (t->type != PQT_IDENTIFIER)
		return KW_NONE;
#define KW_IS(w) (t->len == sizeof(w) - 1 && !strncasecmp(t->val, w, t->len))
	if (KW_IS("step"))
		return KW_STEP;
	if (KW_IS("range") && compat_on(c, COMPAT_PROMQL_DURATION_RANGE))
		return KW_RANGE;
	if (of && KW_IS("min_of"))
		return KW_MIN;
	if (of && KW_IS("max_of"))
		return KW_MAX;
	if (!of && KW_IS("min"))
		return KW_MIN;
	if (!of && KW_IS("max"))
		return KW_MAX;
#undef KW_IS
	return KW_NONE;
}

/* What the slot's error rule expects, per release. */
static void *dur_unexpected(struct dur_parse *d)
{
	const struct compat *c = d->p->opts->compat;
	int v = compat_on(c, COMPAT_PROMQL_DURATION_RANGE) ? 2 : compat_on(c, COMPAT_PROMQL_DURATION_STEP) ? 1 : 0;
	static const char *const off[] = { "number or duration", "number, duration, or step()",
					   "number, duration, step(), or range()" };
	static const char *const step[] = { "number or duration or \"]\"", "number, duration, or step() or \"]\"",
					    "number, duration, step(), range(), or \"]\"" };

	if (d->slot == SLOT_OFFSET)
		return promql_unexpected(d->p, "offset", off[v]);
	if (d->slot == SLOT_STEP)
		return promql_unexpected(d->p, "subquery selector", step[v]);
	return promql_unexpected(d->p, v ? "subquery or range selector" : "subquery selector", off[v]);
}

static struct promql_dur *dur_new(struct promql_parser *p, enum promql_dur_op op, int start, int end)
{
	struct promql_dur *n = promql_arena_alloc(p->x, sizeof(*n));

	n->op = op;
	n->pos.start = start;
	n->pos.end = end;
	return n;
}

/* experimentalDurationExpr: the flag, or an error at the node's start. */
static bool dur_experimental(struct promql_parser *p, const struct promql_dur *n)
{
	if (!p->opts->duration_expressions)
		promql_perr(p, n->pos.start, "experimental duration expression is not enabled");
	return !p->failed;
}

static bool dur_out_of_range(double v)
{
	return v > 9223372036.854775807 || v < -9223372036.854775808;
}

/* number_duration_literal; check: duration_expr's range check (the
 * offset's sign-and-literal rule checks after the sign instead). */
static struct promql_dur *dur_literal(struct promql_parser *p, bool check)
{
	struct promql_token t = promql_take(p);
	struct promql_dur *n = dur_new(p, PROMQL_DUR_NUMBER, t.pos, t.pos + (int)t.len);

	if (t.type == PQT_DURATION) {
		int64_t ms;
		if (!promql_parse_duration_zero(p, &t, &ms, true))
			return NULL;
		n->val = go_ms_seconds(ms);
		n->duration = true;
	} else {
		n->val = promql_parse_number(p, &t);
		if (p->failed)
			return NULL;
	}
	if (check && dur_out_of_range(n->val)) {
		promql_perr(p, t.pos, "duration out of range");
		return NULL;
	}
	return n;
}

/* applyUnaryOpToDurationExpr: a sign folds into a literal, a minus wraps
 * an expression, a plus is nothing. */
static struct promql_dur *dur_unary(struct promql_parser *p, const struct promql_token *op, struct promql_dur *e)
{
	struct promql_dur *n;

	if (e->op == PROMQL_DUR_NUMBER) {
		if (op->type == PQT_SUB)
			e->val = -e->val;
		if (dur_out_of_range(e->val)) {
			promql_perr(p, op->pos, "duration out of range");
			return NULL;
		}
		e->pos.start = op->pos;
		return e;
	}
	if (op->type == PQT_ADD)
		return e;
	n = dur_new(p, PROMQL_DUR_SUB, op->pos, e->pos.end);
	n->rhs = e;
	return n;
}

/*
 * The offset's `unary_op STEP ( )` and `unary_op max_of_min_of (...)`
 * rules (3.6): a signed node even for a plus, starting at the sign, the
 * flag checked on it (3.12).
 */
static struct promql_dur *dur_signed(struct promql_parser *p, const struct promql_token *op, struct promql_dur *e,
				     bool call)
{
	struct promql_dur *n;

	if (!call)
		return dur_unary(p, op, e);
	n = dur_new(p, op->type == PQT_SUB ? PROMQL_DUR_SUB : PROMQL_DUR_ADD, op->pos, e->pos.end);
	n->rhs = e;
	if (compat_on(p->opts->compat, COMPAT_PROMQL_DURATION_FUNCS_FLAG) && !dur_experimental(p, n))
		return NULL;
	return n;
}

static struct promql_dur *dur_binary(struct dur_parse *d, int min_prec);

/* step() and range() (3.6, 3.10), min(a, b) and max(a, b) (3.6; 3.13
 * min_of, max_of); 3.12 puts them behind the feature flag (check: here;
 * the offset's signed forms check the signed node instead). */
static struct promql_dur *dur_call(struct dur_parse *d, enum dur_kw kw, bool check)
{
	struct promql_parser *p = d->p;
	struct promql_token name = promql_take(p);
	struct promql_dur *n, *a = NULL, *b = NULL;
	int end;

	if (!promql_at(p, PQT_LEFT_PAREN))
		return dur_unexpected(d);
	promql_take(p);
	if (kw == KW_MIN || kw == KW_MAX) {
		if (!(a = dur_binary(d, 0)))
			return NULL;
		if (!promql_at(p, PQT_COMMA))
			return dur_unexpected(d);
		promql_take(p);
		if (!(b = dur_binary(d, 0)))
			return NULL;
	}
	if (!promql_at(p, PQT_RIGHT_PAREN))
		return dur_unexpected(d);
	end = promql_take(p).pos + 1;
	n = dur_new(p, kw == KW_STEP ? PROMQL_DUR_STEP : kw == KW_RANGE ? PROMQL_DUR_RANGE
			: kw == KW_MIN ? PROMQL_DUR_MIN : PROMQL_DUR_MAX, name.pos, end);
	if (a) {
		/* PositionRange() of a node with operands: theirs merged */
		n->lhs = a;
		n->rhs = b;
		n->pos.start = a->pos.start;
		n->pos.end = b->pos.end;
	}
	if (check && compat_on(p->opts->compat, COMPAT_PROMQL_DURATION_FUNCS_FLAG) && !dur_experimental(p, n))
		return NULL;
	return n;
}

/* paren_duration_expr: a literal inside stays a literal.  check: the
 * flag check (not in 3.6's offset rule for a sign and parentheses). */
static struct promql_dur *dur_paren(struct dur_parse *d, bool check)
{
	struct promql_parser *p = d->p;
	struct promql_dur *e;

	promql_take(p);
	if (!(e = dur_binary(d, 0)))
		return NULL;
	if (!promql_at(p, PQT_RIGHT_PAREN))
		return dur_unexpected(d);
	promql_take(p);
	if (check && !dur_experimental(p, e))
		return NULL;
	if (e->op != PROMQL_DUR_NUMBER)
		e->wrapped = true;
	return e;
}

static struct promql_dur *dur_primary(struct dur_parse *d)
{
	struct promql_parser *p = d->p;
	const struct promql_token *t = promql_peek(p);
	enum dur_kw kw;

	if (t->type == PQT_ADD || t->type == PQT_SUB) {
		struct promql_token op = promql_take(p);
		struct promql_dur *e = dur_binary(d, 3); /* unary_op duration_expr %prec MUL */
		return e ? dur_unary(p, &op, e) : NULL;
	}
	if (t->type == PQT_NUMBER || t->type == PQT_DURATION)
		return dur_literal(p, true);
	if (t->type == PQT_LEFT_PAREN)
		return dur_paren(d, true);
	if ((kw = dur_keyword(p, t)) != KW_NONE)
		return dur_call(d, kw, true);
	return dur_unexpected(d);
}

static int dur_prec(enum promql_tok t)
{
	switch (t) {
	case PQT_ADD: case PQT_SUB: return 1;
	case PQT_MUL: case PQT_DIV: case PQT_MOD: return 2;
	case PQT_POW: return 3;
	default: return -1;
	}
}

static enum promql_dur_op dur_op(enum promql_tok t)
{
	switch (t) {
	case PQT_ADD: return PROMQL_DUR_ADD;
	case PQT_SUB: return PROMQL_DUR_SUB;
	case PQT_MUL: return PROMQL_DUR_MUL;
	case PQT_DIV: return PROMQL_DUR_DIV;
	case PQT_MOD: return PROMQL_DUR_MOD;
	default: return PROMQL_DUR_POW;
	}
}

/* The binary operators after lhs, precedence climbing. */
static struct promql_dur *dur_climb(struct dur_parse *d, struct promql_dur *lhs, int min_prec)
{
	struct promql_parser *p = d->p;

	while (lhs) {
		enum promql_tok op = promql_peek(p)->type;
		int prec = dur_prec(op), op_pos;
		struct promql_dur *r, *n;

		if (prec < 0 || prec < min_prec)
			return lhs;
		op_pos = promql_take(p).pos;
		/* ^ is right-associative, the others left */
		if (!(r = dur_binary(d, op == PQT_POW ? prec : prec + 1)))
			return NULL;
		if (!dur_experimental(p, lhs))
			return NULL;
		if ((op == PQT_DIV || op == PQT_MOD) && r->op == PROMQL_DUR_NUMBER && r->val == 0) {
			promql_perr(p, op_pos, op == PQT_DIV ? "division by zero" : "modulo by zero");
			return NULL;
		}
		n = dur_new(p, dur_op(op), lhs->pos.start, r->pos.end);
		n->lhs = lhs;
		n->rhs = r;
		lhs = n;
	}
	return NULL;
}

static struct promql_dur *dur_binary(struct dur_parse *d, int min_prec)
{
	return dur_climb(d, dur_primary(d), min_prec);
}

/* time.Duration(math.Round(v * 1e9)) ns of 3.5, or 2.54's truncation, in ms. */
static bool dur_literal_ms(struct promql_parser *p, const struct promql_dur *n, bool positive, int64_t *ms)
{
	if (positive && n->val <= 0) {
		promql_perr(p, n->pos.start, "duration must be greater than 0");
		return false;
	}
	*ms = literal_ms(p, n->val);
	return true;
}

/*
 * What the slot holds: a literal's ms (*expr NULL), or an expression in
 * *expr with, when it needs nothing from the query and is valid, its value
 * in *ms (0 otherwise), for the users of the tree that look at ranges and
 * offsets before a query runs.
 */
static bool dur_result(struct promql_parser *p, struct promql_dur *n, bool positive, int64_t *ms,
		       const struct promql_dur **expr)
{
	struct err e = ERR_INIT;

	*expr = NULL;
	*ms = 0;
	if (!n)
		return false;
	if (n->op == PROMQL_DUR_NUMBER)
		return dur_literal_ms(p, n, positive, ms);
	*expr = n;
	if (!promql_dur_uses_query(n) && promql_dur_ms(n, 0, 0, !positive, p->opts->compat, ms, &e) < 0)
		*ms = 0;
	err_release(&e);
	return true;
}

/* A range or step in [...] of 3.4 (positive_duration_expr). */
bool promql_bracket_duration(struct promql_parser *p, bool step, int64_t *ms, const struct promql_dur **expr)
{
	struct dur_parse d = { p, step ? SLOT_STEP : SLOT_RANGE };

	return dur_result(p, dur_binary(&d, 0), true, ms, expr);
}

/*
 * After offset: 3.4 takes one operand (its offset rule out-ranks every
 * operator); 3.5's offset_duration_expr stops after [sign] literal, 3.6's
 * also after [sign] step(), range(), min/max(...) and sign (...) -- yacc
 * picks those rules over duration_expr's -- and anything else is a whole
 * duration_expr, which goes on through the operators after it.
 */
bool promql_offset_duration(struct promql_parser *p, int64_t *ms, const struct promql_dur **expr)
{
	struct dur_parse d = { p, SLOT_OFFSET };
	const struct compat *c = p->opts->compat;
	const struct promql_token *t = promql_peek(p), *t2;
	struct promql_dur *n;
	bool sign = t->type == PQT_ADD || t->type == PQT_SUB;

	if (!compat_on(c, COMPAT_PROMQL_DURATION_OFFSET_EXPR))
		return dur_result(p, dur_primary(&d), false, ms, expr);
	t2 = sign ? promql_peek2(p) : t;
	if (t2->type == PQT_NUMBER || t2->type == PQT_DURATION || dur_keyword(p, t2) != KW_NONE ||
	    (sign && t2->type == PQT_LEFT_PAREN && compat_on(c, COMPAT_PROMQL_DURATION_STEP))) {
		struct promql_token op;
		bool call = false;
		if (sign)
			op = promql_take(p);
		if (t2->type == PQT_LEFT_PAREN) {
			n = dur_paren(&d, false);
			if (n && n->op == PROMQL_DUR_NUMBER && !compat_on(c, COMPAT_PROMQL_DURATION_SIGNED_LITERAL)) {
				/* 3.6-3.12's rule asserts a DurationExpr: the parser
				 * panics, its recover() answers errUnexpected */
				promql_perr(p, 0, "unexpected error");
				p->err_raw = true;
				return false;
			}
		} else if (t2->type == PQT_NUMBER || t2->type == PQT_DURATION) {
			n = dur_literal(p, !sign);
		} else {
			n = dur_call(&d, dur_keyword(p, promql_peek(p)), !sign);
			call = true;
		}
		if (n && sign)
			n = dur_signed(p, &op, n, call);
		return dur_result(p, n, false, ms, expr);
	}
	if (!sign && t->type != PQT_LEFT_PAREN)
		return dur_unexpected(&d), false;
	return dur_result(p, dur_binary(&d, 0), false, ms, expr);
}
