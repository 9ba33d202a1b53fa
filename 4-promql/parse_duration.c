/*
 * What goes where a PromQL duration goes, per release (--compat): 2.42's
 * duration tokens, 2.54's numbers of seconds (#9138, #12821), 3.4's
 * duration expressions (generated_parser.y duration_expr, promql/
 * durations.go) and 3.5's rounding of literals.  For the parser only
 * (declared in 4-promql/internal.h); errors are recorded with promql_perr.
 */
#include <math.h>
#include <stdint.h>

#include "1-common/compat.h"
#include "1-common/gotime.h"
#include "4-promql/internal.h"

/* Go's float64 -> int64 on amd64: out of range (and NaN) is MinInt64. */
static int64_t go_int64(double x)
{
	return x > -9223372036854775808.0 && x < 9223372036854775808.0 ? (int64_t)x : INT64_MIN;
}

double promql_duration_seconds(int64_t ms)
{
	return go_ms_seconds(ms);
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
			*ms = literal_ms(p, promql_duration_seconds(*ms));
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
 * 3.4's duration_expr (generated_parser.y, promql/durations.go): literals
 * (numbers and durations, in seconds), unary signs binding like `*`,
 * + - * / % ^ with PromQL's precedence, parentheses; the value is worked
 * out here (before 3.12 nothing in it depends on the query).  *lit: it is a
 * single literal (a NumberLiteral upstream), which needs no feature flag.
 */
struct dur_val {
	double v;
	bool lit;
	int pos;
};

static bool dur_binary(struct promql_parser *p, int min_prec, struct dur_val *out);

static void dur_experimental(struct promql_parser *p, int pos)
{
	if (!p->opts->duration_expressions)
		promql_perr(p, pos, "experimental duration expression is not enabled");
}

static bool dur_literal(struct promql_parser *p, struct dur_val *out)
{
	struct promql_token t = promql_take(p);

	out->pos = t.pos;
	out->lit = true;
	if (t.type == PQT_DURATION) {
		int64_t ms;
		if (!promql_parse_duration_zero(p, &t, &ms, true))
			return false;
		out->v = promql_duration_seconds(ms);
	} else {
		out->v = promql_parse_number(p, &t);
		if (p->failed)
			return false;
	}
	if (out->v > 9223372036.854775807 || out->v < -9223372036.854775808) {
		promql_perr(p, t.pos, "duration out of range");
		return false;
	}
	return true;
}

static bool dur_primary(struct promql_parser *p, struct dur_val *out)
{
	const struct promql_token *t = promql_peek(p);

	if (t->type == PQT_ADD || t->type == PQT_SUB) {
		bool neg = t->type == PQT_SUB;
		int pos = promql_take(p).pos;
		if (!dur_binary(p, 3, out)) /* unary_op duration_expr %prec MUL */
			return false;
		if (neg)
			out->v = -out->v;
		out->pos = pos;
		return true;
	}
	if (t->type == PQT_NUMBER || t->type == PQT_DURATION)
		return dur_literal(p, out);
	if (t->type == PQT_LEFT_PAREN) {
		int pos = promql_take(p).pos;
		if (!dur_binary(p, 0, out))
			return false;
		if (!promql_at(p, PQT_RIGHT_PAREN))
			return promql_unexpected(p, "duration expression", "\")\""), false;
		promql_take(p);
		dur_experimental(p, pos + 1);
		out->pos = pos;
		return !p->failed;
	}
	return promql_unexpected(p, "subquery selector", "number or duration"), false;
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

static bool dur_binary(struct promql_parser *p, int min_prec, struct dur_val *out)
{
	if (!dur_primary(p, out))
		return false;
	for (;;) {
		enum promql_tok op = promql_peek(p)->type;
		int prec = dur_prec(op), op_pos;
		struct dur_val r;

		if (prec < 0 || prec < min_prec)
			return true;
		op_pos = promql_take(p).pos;
		/* ^ is right-associative, the others left */
		if (!dur_binary(p, op == PQT_POW ? prec : prec + 1, &r))
			return false;
		dur_experimental(p, out->pos);
		if ((op == PQT_DIV || op == PQT_MOD) && r.lit && r.v == 0) {
			promql_perr(p, op_pos, op == PQT_DIV ? "division by zero" : "modulo by zero");
			return false;
		}
		if (p->failed)
			return false;
		switch (op) {
		case PQT_ADD: out->v += r.v; break;
		case PQT_SUB: out->v -= r.v; break;
		case PQT_MUL: out->v *= r.v; break;
		case PQT_DIV: out->v /= r.v; break;
		case PQT_MOD: out->v = fmod(out->v, r.v); break;
		default: out->v = pow(out->v, r.v); break;
		}
		out->lit = false;
	}
}

/* calculateDuration of durations.go: ms from seconds, > 0 unless offset. */
static bool dur_ms(struct promql_parser *p, const struct dur_val *d, bool positive, int64_t *ms)
{
	if (positive && d->v <= 0) {
		promql_perr(p, d->pos, "duration must be greater than 0");
		return false;
	}
	/* a literal as the grammar converts it, an expression as calculateDuration */
	*ms = d->lit ? literal_ms(p, d->v) : go_int64(d->v * 1000);
	return true;
}

/* A range or step in [...] of 3.4 (positive_duration_expr). */
bool promql_bracket_duration(struct promql_parser *p, int64_t *ms)
{
	struct dur_val d;

	return dur_binary(p, 0, &d) && dur_ms(p, &d, true, ms);
}

/* 3.4's offset_duration_expr: [sign] literal, or [sign] (duration_expr). */
bool promql_offset_duration(struct promql_parser *p, int64_t *ms)
{
	struct dur_val d;
	bool neg = false;

	if (promql_at(p, PQT_ADD) || promql_at(p, PQT_SUB))
		neg = promql_take(p).type == PQT_SUB;
	if (promql_at(p, PQT_LEFT_PAREN)) {
		if (!dur_primary(p, &d))
			return false;
	} else if (promql_at(p, PQT_NUMBER) || promql_at(p, PQT_DURATION)) {
		if (!dur_literal(p, &d))
			return false;
	} else {
		return promql_unexpected(p, "offset", "number or duration"), false;
	}
	if (neg)
		d.v = -d.v;
	return dur_ms(p, &d, false, ms);
}
