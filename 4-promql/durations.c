/*
 * Duration expressions once parsed (parse_duration.c builds them): their
 * value for a query, as the engine's durationVisitor works it out before
 * the query runs (promql/durations.go at 3.4-3.14: evaluateDurationExpr,
 * calculateDuration), and their text, as DurationExpr.String() prints it
 * (promql/parser/printer.go at the same tags).
 */
#include <math.h>
#include <stdint.h>

#include "1-common/compat.h"
#include "1-common/err.h"
#include "1-common/gotime.h"
#include "4-promql/functions.h"
#include "4-promql/internal.h"

bool promql_dur_uses_query(const struct promql_dur *d)
{
	if (!d)
		return false;
	if (d->op == PROMQL_DUR_STEP || d->op == PROMQL_DUR_RANGE)
		return true;
	return promql_dur_uses_query(d->lhs) || promql_dur_uses_query(d->rhs);
}

/* Go's math.Min / math.Max: an infinity wins over NaN, NaN over numbers,
 * and -0 is below +0. */
static double go_min(double x, double y)
{
	if (isinf(x) && x < 0)
		return x;
	if (isinf(y) && y < 0)
		return y;
	if (isnan(x) || isnan(y))
		return NAN;
	if (x == 0 && x == y)
		return signbit(x) ? x : y;
	return x < y ? x : y;
}

static double go_max(double x, double y)
{
	if (isinf(x) && x > 0)
		return x;
	if (isinf(y) && y > 0)
		return y;
	if (isnan(x) || isnan(y))
		return NAN;
	if (x == 0 && x == y)
		return signbit(x) ? y : x;
	return x > y ? x : y;
}

/* evaluateDurationExpr: seconds; operands left first, as upstream. */
static int dur_eval(const struct promql_dur *d, double step_s, double range_s, double *out, struct err *e)
{
	double l = 0, r = 0;

	if (d->op == PROMQL_DUR_NUMBER) {
		*out = d->val;
		return 0;
	}
	if (d->lhs && dur_eval(d->lhs, step_s, range_s, &l, e) < 0)
		return -1;
	if (d->rhs && dur_eval(d->rhs, step_s, range_s, &r, e) < 0)
		return -1;
	switch (d->op) {
	case PROMQL_DUR_STEP: *out = step_s; break;
	case PROMQL_DUR_RANGE: *out = range_s; break;
	case PROMQL_DUR_MIN: *out = go_min(l, r); break;
	case PROMQL_DUR_MAX: *out = go_max(l, r); break;
	case PROMQL_DUR_ADD: *out = d->lhs ? l + r : r; break;
	case PROMQL_DUR_SUB: *out = d->lhs ? l - r : -r; break;
	case PROMQL_DUR_MUL: *out = l * r; break;
	case PROMQL_DUR_DIV:
		if (r == 0)
			return err_set(e, "%d:%d: division by zero", d->pos.start, d->pos.end);
		*out = l / r;
		break;
	case PROMQL_DUR_MOD:
		if (r == 0)
			return err_set(e, "%d:%d: modulo by zero", d->pos.start, d->pos.end);
		*out = fmod(l, r);
		break;
	case PROMQL_DUR_POW: *out = pow(l, r); break;
	default: *out = 0; break;
	}
	return 0;
}

/* Go's float64 -> int64 on amd64: out of range (and NaN) is MinInt64. */
static int64_t go_int64(double x)
{
	return x > -9223372036854775808.0 && x < 9223372036854775808.0 ? (int64_t)x : INT64_MIN;
}

int promql_dur_ms(const struct promql_dur *d, int64_t step_ms, int64_t range_ms, bool negative,
		  const struct compat *c, int64_t *ms, struct err *e)
{
	bool strict = compat_on(c, COMPAT_PROMQL_DURATION_FUNCS_FLAG);
	/* 3.12 bounds seconds by MaxInt64 ns; before, by MaxInt64 itself */
	double bound = strict ? 9223372036.854775808 : 9223372036854775808.0;
	double v;
	uint64_t ns;

	*ms = 0;
	if (dur_eval(d, go_ms_seconds(step_ms), go_ms_seconds(range_ms), &v, e) < 0)
		return -1;
	if (strict && (isnan(v) || isinf(v)))
		return err_set(e, "%d:%d: duration is NaN or infinite", d->pos.start, d->pos.end);
	if (v <= 0 && !negative)
		return err_set(e, "%d:%d: duration must be greater than 0", d->pos.start, d->pos.end);
	if (v > bound || v < -bound)
		return err_set(e, "%d:%d: duration is out of range", d->pos.start, d->pos.end);
	/* time.Duration(v*1000) * time.Millisecond, wrapping as Go's int64
	 * does, then read back in ms by the engine */
	ns = (uint64_t)go_int64(v * 1000) * 1000000u;
	*ms = (int64_t)ns / 1000000;
	return 0;
}

static int query_node(const struct promql_node *n, void *arg)
{
	(void)arg;
	switch (n->kind) {
	case PROMQL_NODE_VECTOR:
		return n->u.vector.at.kind == PROMQL_AT_START || n->u.vector.at.kind == PROMQL_AT_END ||
		       promql_dur_uses_query(n->u.vector.offset_expr);
	case PROMQL_NODE_MATRIX:
		return promql_dur_uses_query(n->u.matrix.range_expr);
	case PROMQL_NODE_SUBQUERY:
		return n->u.subquery.at.kind == PROMQL_AT_START || n->u.subquery.at.kind == PROMQL_AT_END ||
		       promql_dur_uses_query(n->u.subquery.range_expr) ||
		       promql_dur_uses_query(n->u.subquery.step_expr) || promql_dur_uses_query(n->u.subquery.offset_expr);
	case PROMQL_NODE_CALL:
		switch (n->u.call.func->id) {
		case PROMQL_FN_START:
		case PROMQL_FN_END:
		case PROMQL_FN_RANGE:
		case PROMQL_FN_STEP:
			return 1;
		default:
			return 0;
		}
	default:
		return 0;
	}
}

bool promql_reads_query(const struct promql_node *root)
{
	return promql_walk(root, query_node, NULL) != 0;
}

struct resolve {
	int64_t step_ms, range_ms;
	const struct compat *c;
	struct err *e;
};

/*
 * The documented exception to a read-only tree (ast.h).  A field is
 * written only when its value changes: an expression that reads nothing
 * from the query has its value from parsing, so trees evaluated by several
 * threads (the backfill's --concurrency) see no writes for those.
 */
static int resolve_one(const struct resolve *r, const struct promql_dur *d, bool negative, const int64_t *field)
{
	int64_t ms;

	if (!d)
		return 0;
	if (promql_dur_ms(d, r->step_ms, r->range_ms, negative, r->c, &ms, r->e) < 0)
		return -1;
	if (*field != ms)
		*(int64_t *)field = ms;
	return 0;
}

/* durationVisitor.Visit: offset, then step, then range, as upstream. */
static int resolve_node(const struct promql_node *n, void *arg)
{
	const struct resolve *r = arg;

	switch (n->kind) {
	case PROMQL_NODE_VECTOR:
		return resolve_one(r, n->u.vector.offset_expr, true, &n->u.vector.offset_ms);
	case PROMQL_NODE_MATRIX:
		return resolve_one(r, n->u.matrix.range_expr, false, &n->u.matrix.range_ms);
	case PROMQL_NODE_SUBQUERY:
		if (resolve_one(r, n->u.subquery.offset_expr, true, &n->u.subquery.offset_ms) < 0 ||
		    resolve_one(r, n->u.subquery.step_expr, false, &n->u.subquery.step_ms) < 0)
			return -1;
		return resolve_one(r, n->u.subquery.range_expr, false, &n->u.subquery.range_ms);
	default:
		return 0;
	}
}

int promql_resolve_durations(const struct promql_node *root, int64_t step_ms, int64_t range_ms,
			     const struct compat *c, struct err *e)
{
	struct resolve r = { step_ms, range_ms, c, e };

	if (!compat_on(c, COMPAT_PROMQL_DURATION_EXPR))
		return 0;
	return promql_walk(root, resolve_node, &r) ? -1 : 0;
}

static const char *dur_op_text(enum promql_dur_op op)
{
	switch (op) {
	case PROMQL_DUR_ADD: return "+";
	case PROMQL_DUR_SUB: return "-";
	case PROMQL_DUR_MUL: return "*";
	case PROMQL_DUR_DIV: return "/";
	case PROMQL_DUR_MOD: return "%";
	default: return "^";
	}
}

/*
 * DurationExpr.String(): operands of a binary operator with one space
 * around it, a unary minus glued to its operand (3.6 prints a unary plus
 * as nothing; before 3.6 the parser never kept one), step(), range(),
 * min(a, b) / max(a, b) (min_of, max_of from 3.13), parentheses only where
 * the expression was written in them (a literal in parentheses loses
 * them in the parser).
 */
void promql_print_dur(struct buf *out, const struct promql_dur *d, const struct compat *c)
{
	bool of = compat_on(c, COMPAT_PROMQL_DURATION_MIN_OF);

	if (d->op == PROMQL_DUR_NUMBER) {
		promql_print_number(out, d->val, d->duration, c);
		return;
	}
	if (d->wrapped)
		buf_addc(out, '(');
	switch (d->op) {
	case PROMQL_DUR_STEP:
		buf_adds(out, "step()");
		break;
	case PROMQL_DUR_RANGE:
		buf_adds(out, "range()");
		break;
	case PROMQL_DUR_MIN:
	case PROMQL_DUR_MAX:
		buf_adds(out, d->op == PROMQL_DUR_MIN ? (of ? "min_of(" : "min(") : (of ? "max_of(" : "max("));
		promql_print_dur(out, d->lhs, c);
		buf_adds(out, ", ");
		promql_print_dur(out, d->rhs, c);
		buf_addc(out, ')');
		break;
	default:
		if (!d->lhs) {
			if (d->op == PROMQL_DUR_SUB || !compat_on(c, COMPAT_PROMQL_DURATION_STEP))
				buf_adds(out, dur_op_text(d->op));
			promql_print_dur(out, d->rhs, c);
			break;
		}
		promql_print_dur(out, d->lhs, c);
		buf_addc(out, ' ');
		buf_adds(out, dur_op_text(d->op));
		buf_addc(out, ' ');
		promql_print_dur(out, d->rhs, c);
		break;
	}
	if (d->wrapped)
		buf_addc(out, ')');
}
