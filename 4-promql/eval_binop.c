/*
 * Binary operators: scalar/scalar, vector/scalar and vector/vector with
 * on/ignoring matching, group_left/group_right and the set operators,
 * following 2.42's VectorBinop, VectorscalarBinop, VectorAnd/Or/Unless and
 * resultMetric (engine.go), including their error messages.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/xalloc.h"
#include "4-promql/eval_internal.h"

static bool drops_name(enum promql_binop op, const struct compat *cp)
{
	switch (op) {
	case PROMQL_OP_ADD: case PROMQL_OP_SUB: case PROMQL_OP_MUL:
	case PROMQL_OP_DIV: case PROMQL_OP_POW: case PROMQL_OP_MOD:
		return true;
	case PROMQL_OP_ATAN2: /* 2.47 (#12579) */
		return compat_on(cp, COMPAT_PROMQL_ATAN2_DROPS_NAME);
	default:
		return false;
	}
}

/* vectorElemBinop for floats: the value and whether to keep it. */
static double elem_binop(enum promql_binop op, double l, double r, bool *keep)
{
	*keep = true;
	switch (op) {
	case PROMQL_OP_ADD: return l + r;
	case PROMQL_OP_SUB: return l - r;
	case PROMQL_OP_MUL: return l * r;
	case PROMQL_OP_DIV: return l / r;
	case PROMQL_OP_POW: return go_pow(l, r);
	case PROMQL_OP_MOD: return go_mod(l, r);
	case PROMQL_OP_ATAN2: return go_atan2(l, r);
	case PROMQL_OP_EQLC: *keep = l == r; return l;
	case PROMQL_OP_NEQ: *keep = l != r; return l;
	case PROMQL_OP_GTR: *keep = l > r; return l;
	case PROMQL_OP_LSS: *keep = l < r; return l;
	case PROMQL_OP_GTE: *keep = l >= r; return l;
	case PROMQL_OP_LTE: *keep = l <= r; return l;
	default: *keep = false; return 0;
	}
}

/* scalarBinop: comparisons yield 0 or 1. */
static double scalar_binop(enum promql_binop op, double l, double r)
{
	bool keep;
	double v = elem_binop(op, l, r, &keep);

	if (promql_binop_is_comparison(op))
		return keep ? 1 : 0;
	return v;
}

/* The labels a sample is matched on (signatureFunc): the `on` labels, or
 * all but the `ignoring` labels and the metric name. */
static struct lset match_labels(struct arena *a, const struct promql_vector_matching *m, struct lset ls)
{
	if (m->on)
		return lset_keep(a, ls, m->matching_labels, m->nmatching_labels);
	return lset_without(a, ls, m->matching_labels, m->nmatching_labels, true);
}

static uint64_t *signatures(struct arena *a, const struct promql_vector_matching *m, const struct ev_vector *v)
{
	uint64_t *s = arena_array(a, v->n ? v->n : 1, sizeof(*s));

	for (size_t i = 0; i < v->n; i++)
		s[i] = lset_hash(match_labels(a, m, v->v[i].ls));
	return s;
}

static int set_op(struct evaluator *ev, enum promql_binop op, const struct promql_vector_matching *m,
		  const struct ev_vector *l, const struct ev_vector *r, struct ev_vector *out)
{
	struct hmap sigs = { 0 };
	uint64_t *ls, *rs;
	bool found;

	if (op == PROMQL_OP_LAND && (!l->n || !r->n))
		return 0;
	if (op == PROMQL_OP_LUNLESS && (!l->n || !r->n)) {
		*out = *l;
		return 0;
	}
	if (op == PROMQL_OP_LOR && (!l->n || !r->n)) {
		*out = l->n ? *l : *r;
		return 0;
	}
	ls = signatures(&ev->arena, m, l);
	rs = signatures(&ev->arena, m, r);
	if (op == PROMQL_OP_LOR) {
		for (size_t i = 0; i < l->n; i++) {
			*hmap_slot(&sigs, ls[i], &found) = 1;
			vec_push(&ev->arena, out, l->v[i].ls, l->v[i].v, l->v[i].t);
		}
		for (size_t j = 0; j < r->n; j++) {
			size_t dummy;
			if (!hmap_get(&sigs, rs[j], &dummy))
				vec_push(&ev->arena, out, r->v[j].ls, r->v[j].v, r->v[j].t);
		}
	} else {
		for (size_t j = 0; j < r->n; j++)
			*hmap_slot(&sigs, rs[j], &found) = 1;
		for (size_t i = 0; i < l->n; i++) {
			size_t dummy;
			bool in = hmap_get(&sigs, ls[i], &dummy);
			if (in == (op == PROMQL_OP_LAND))
				vec_push(&ev->arena, out, l->v[i].ls, l->v[i].v, l->v[i].t);
		}
	}
	hmap_release(&sigs);
	return 0;
}

/* resultMetric of 2.42. */
static struct lset result_metric(struct arena *a, const struct compat *cp, struct lset l, struct lset r,
				 enum promql_binop op,
				 const struct promql_vector_matching *m)
{
	struct lset out = l;

	if (drops_name(op, cp))
		out = lset_drop_name_at(a, out, cp);
	if (m->card == PROMQL_CARD_ONE_TO_ONE) {
		if (m->on)
			out = lset_keep(a, out, m->matching_labels, m->nmatching_labels);
		else
			out = lset_without(a, out, m->matching_labels, m->nmatching_labels, false);
	}
	for (size_t i = 0; i < m->ninclude; i++) {
		const char *v = lset_get(r, m->include[i]);
		out = lset_set(a, out, m->include[i], v ? v : "");
	}
	return out;
}

struct binop_state {
	struct evaluator *ev;
	const struct promql_vector_matching *m;
	enum promql_binop op;
	bool rbool, swap, match_all;
	struct hmap matched, inserted, any_inserted;
	struct ev_vector *out;
};

/*
 * One matched pair of VectorBinop's doBinOp (l from the side iterated,
 * r from the other, before any swap back), sig their match signature.
 * Returns -1 with the error set.
 */
static int binop_pair(struct binop_state *b, struct lset ll, double vl, int64_t tl, struct lset rl, double vr,
		      uint64_t sig)
{
	struct evaluator *ev = b->ev;
	double value;
	bool keep, found;
	struct lset metric;

	if (b->swap) {
		double t = vl;
		vl = vr;
		vr = t;
	}
	value = elem_binop(b->op, vl, vr, &keep);
	if (b->rbool)
		value = keep ? 1 : 0;
	else if (!keep && !b->match_all)
		return 0;
	metric = result_metric(&ev->arena, ev->compat, ll, rl, b->op, b->m);
	if (b->rbool)
		metric = ev_drop_name(ev, metric);
	else
		metric.drop = false; /* VectorBinop: DropName is returnBool (2.55+) */
	if (b->m->card == PROMQL_CARD_ONE_TO_ONE) {
		hmap_slot(&b->matched, sig, &found);
		if (found)
			return err_set(ev->e, "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
	} else {
		/* Key on (match signature, result labels). */
		uint64_t key = sig * 0x9E3779B97F4A7C15ULL ^ lset_hash(metric);
		hmap_slot(&b->inserted, key, &found);
		if (found)
			return err_set(ev->e, "multiple matches for labels: grouping labels must ensure unique matches");
		hmap_slot(&b->any_inserted, sig, &found);
	}
	if (!keep && !b->rbool)
		return 0; /* 3.9: filtered out after its matching was checked */
	vec_push(&ev->arena, b->out, metric, value, tl);
	return 0;
}

static int vector_binop(struct evaluator *ev, const struct promql_node *n,
			const struct ev_vector *lhs, const struct ev_vector *rhs, struct ev_vector *out)
{
	const struct promql_vector_matching *m = n->u.binary.matching;
	struct binop_state b = { ev, m, n->u.binary.op, n->u.binary.return_bool, m->card == PROMQL_CARD_ONE_TO_MANY,
				 /* 3.9 (4cad87cae8): a filtering comparison checks the
				  * matching of the samples it drops too */
				 compat_on(ev->compat, COMPAT_PROMQL_CMP_MANY_TO_ONE), { 0 }, { 0 }, { 0 }, out };
	/* 3.10 (af3277f832): fill values for a side's missing samples; as
	 * upstream, they name the sides after group_right's swap */
	bool fill_r = m->fill_rhs, fill_l = m->fill_lhs;
	double fill_rv = m->fill_rhs_v, fill_lv = m->fill_lhs_v;
	struct hmap right = { 0 };
	uint64_t *ls, *rs;
	int rc = -1;

	if ((!lhs->n && !rhs->n) || ((!lhs->n || !rhs->n) && !m->fill_lhs && !m->fill_rhs))
		return 0;
	if (b.swap) {
		const struct ev_vector *t = lhs;
		lhs = rhs;
		rhs = t;
	}
	ls = signatures(&ev->arena, m, lhs);
	rs = signatures(&ev->arena, m, rhs);
	for (size_t j = 0; j < rhs->n; j++) {
		bool found;
		size_t *slot = hmap_slot(&right, rs[j], &found);
		if (found) {
			struct buf e = BUF_INIT;
			struct lset ml = m->on ? lset_keep(&ev->arena, rhs->v[j].ls, m->matching_labels, m->nmatching_labels)
					       : lset_without(&ev->arena, rhs->v[j].ls, m->matching_labels, m->nmatching_labels, true);
			buf_adds(&e, "found duplicate series for the match group ");
			labels_format(&e, ml.v, ml.n);
			buf_addf(&e, " on the %s hand-side of the operation: [", b.swap ? "left" : "right");
			labels_format(&e, rhs->v[j].ls.v, rhs->v[j].ls.n);
			buf_adds(&e, ", ");
			labels_format(&e, rhs->v[*slot - 1].ls.v, rhs->v[*slot - 1].ls.n);
			buf_adds(&e, "];many-to-many matching not allowed: matching labels must be unique on one side");
			err_set(ev->e, "%s", buf_str(&e));
			buf_release(&e);
			goto done;
		}
		*slot = j + 1;
	}
	for (size_t i = 0; i < lhs->n; i++) {
		size_t k;

		if (hmap_get(&right, ls[i], &k)) {
			k--;
			if (binop_pair(&b, lhs->v[i].ls, lhs->v[i].v, lhs->v[i].t, rhs->v[k].ls, rhs->v[k].v, ls[i]) < 0)
				goto done;
		} else if (fill_r) {
			if (binop_pair(&b, lhs->v[i].ls, lhs->v[i].v, lhs->v[i].t, match_labels(&ev->arena, m, lhs->v[i].ls),
				       fill_rv, ls[i]) < 0)
				goto done;
		}
	}
	for (size_t j = 0; fill_l && j < rhs->n; j++) {
		size_t dummy;
		if (hmap_get(m->card == PROMQL_CARD_ONE_TO_ONE ? &b.matched : &b.any_inserted, rs[j], &dummy))
			continue; /* already matched */
		/* the filled sample has the other side's matching labels */
		if (binop_pair(&b, match_labels(&ev->arena, m, rhs->v[j].ls), fill_lv, rhs->v[j].t, rhs->v[j].ls,
			       rhs->v[j].v, rs[j]) < 0)
			goto done;
	}
	rc = 0;
done:
	hmap_release(&right);
	hmap_release(&b.matched);
	hmap_release(&b.inserted);
	hmap_release(&b.any_inserted);
	return rc;
}

static void vector_scalar(struct evaluator *ev, enum promql_binop op, const struct ev_vector *v,
			  double s, bool swap, bool rbool, struct ev_vector *out)
{
	for (size_t i = 0; i < v->n; i++) {
		double lv = v->v[i].v, rv = s, value;
		bool keep;
		struct lset ls = v->v[i].ls;

		if (swap) {
			lv = s;
			rv = v->v[i].v;
		}
		value = elem_binop(op, lv, rv, &keep);
		/* A comparison keeps the vector's value even on the right. */
		if (promql_binop_is_comparison(op) && swap)
			value = rv;
		if (rbool) {
			value = keep ? 1 : 0;
			keep = true;
		}
		if (!keep)
			continue;
		if (drops_name(op, ev->compat) || rbool)
			ls = ev_drop_name(ev, ls);
		vec_push(&ev->arena, out, ls, value, v->v[i].t);
	}
}

int ev_binary(struct evaluator *ev, const struct promql_node *n, struct ev_value *l, struct ev_value *r,
	      struct ev_value *out)
{
	enum promql_binop op = n->u.binary.op;

	memset(out, 0, sizeof(*out));
	if (l->type == PROMQL_TYPE_SCALAR && r->type == PROMQL_TYPE_SCALAR) {
		out->type = PROMQL_TYPE_SCALAR;
		out->scalar = scalar_binop(op, l->scalar, r->scalar);
		return 0;
	}
	out->type = PROMQL_TYPE_VECTOR;
	if (l->type == PROMQL_TYPE_VECTOR && r->type == PROMQL_TYPE_VECTOR) {
		if (!n->u.binary.matching)
			return err_set(ev->e, "internal error: vector operation without matching");
		if (promql_binop_is_set(op))
			return set_op(ev, op, n->u.binary.matching, &l->vec, &r->vec, &out->vec);
		return vector_binop(ev, n, &l->vec, &r->vec, &out->vec);
	}
	if (l->type == PROMQL_TYPE_VECTOR && r->type == PROMQL_TYPE_SCALAR) {
		vector_scalar(ev, op, &l->vec, r->scalar, false, n->u.binary.return_bool, &out->vec);
		return 0;
	}
	if (l->type == PROMQL_TYPE_SCALAR && r->type == PROMQL_TYPE_VECTOR) {
		vector_scalar(ev, op, &r->vec, l->scalar, true, n->u.binary.return_bool, &out->vec);
		return 0;
	}
	return err_set(ev->e, "operator \"%s\" not allowed for these operand types", promql_binop_name(op));
}
