/*
 * Aggregation operators with 2.42's algorithms (engine.go aggregation()):
 * sum by plain addition in input order, avg by the incremental mean with
 * its infinity guards, stddev/stdvar by Welford's method, topk/bottomk
 * through container/heap's exact sift order, quantile through quantile.go,
 * count_values labelling values with FormatFloat(v, 'f', -1).  Groups come
 * out in order of first appearance.  2.54's limitk keeps each group's first
 * k samples and limit_ratio a deterministic share of the series, both in
 * the heap order topk uses (engine.go aggregationK, HashRatioSampler).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
#include "4-promql/eval_annot.h"
#include "4-promql/eval_internal.h"

struct group {
	struct lset ls;
	double value, mean;
	double c;  /* Kahan compensation (sum from 2.54, avg from 2.55) */
	bool incr; /* avg (2.55): switched to the incremental mean on overflow */
	size_t count;
	struct ev_sample *heap; /* topk, bottomk, quantile */
	size_t nheap, capheap;
};

/* The heaps' Less: vectorByValueHeap (topk) or its reverse (bottomk). */
static bool heap_less(const struct ev_sample *h, size_t i, size_t j, bool reverse)
{
	if (isnan(h[i].v))
		return true;
	return reverse ? h[i].v > h[j].v : h[i].v < h[j].v;
}

static void heap_swap(struct ev_sample *h, size_t i, size_t j)
{
	struct ev_sample t = h[i];
	h[i] = h[j];
	h[j] = t;
}

/* container/heap's up() and down(). */
static void heap_up(struct ev_sample *h, size_t j, bool rev)
{
	while (j > 0) {
		size_t i = (j - 1) / 2;
		if (!heap_less(h, j, i, rev))
			break;
		heap_swap(h, i, j);
		j = i;
	}
}

static void heap_down(struct ev_sample *h, size_t i, size_t n, bool rev)
{
	for (;;) {
		size_t j1 = 2 * i + 1, j;
		if (j1 >= n)
			break;
		j = j1;
		if (j1 + 1 < n && heap_less(h, j1 + 1, j1, rev))
			j = j1 + 1;
		if (!heap_less(h, j, i, rev))
			break;
		heap_swap(h, i, j);
		i = j;
	}
}

static void group_append(struct arena *a, struct group *g, struct ev_sample s)
{
	if (g->nheap == g->capheap) {
		size_t nc = g->capheap ? g->capheap * 2 : 4;
		struct ev_sample *nh = arena_array(a, nc, sizeof(*nh));
		if (g->nheap)
			memcpy(nh, g->heap, g->nheap * sizeof(*nh));
		g->heap = nh;
		g->capheap = nc;
	}
	g->heap[g->nheap++] = s;
}

/* The k-element heap update of topk (rev false) and bottomk (rev true). */
static void heap_offer(struct arena *a, struct group *g, struct ev_sample s, int64_t k, bool rev,
		       const struct compat *cp)
{
	struct ev_sample *h = g->heap;
	bool better = rev ? h[0].v > s.v : h[0].v < s.v;

	if (compat_on(cp, COMPAT_PROMQL_TOPK_NAN_TIES) && (int64_t)g->nheap == k) {
		/* 2.44: a NaN top is replaced only by a number, in place (heap.Fix) */
		if (better || (isnan(h[0].v) && !isnan(s.v))) {
			h[0] = s;
			heap_down(h, 0, g->nheap, rev);
		}
		return;
	}
	if (!((int64_t)g->nheap < k || better || isnan(h[0].v)))
		return;
	if ((int64_t)g->nheap == k) {
		if (k == 1) {
			h[0] = s;
			return;
		}
		/* heap.Pop */
		heap_swap(h, 0, g->nheap - 1);
		heap_down(h, 0, g->nheap - 1, rev);
		g->nheap--;
	}
	group_append(a, g, s);
	heap_up(g->heap, g->nheap - 1, rev);
}

/*
 * One step of avg from 2.55 (#14413): a Kahan sum while it stays finite,
 * then the incremental mean (3.5, #16569: scaled by (n-1)/n, not by
 * subtracting mean/n; 2.55: with 2.42's infinity guards).
 */
static void avg_kahan_step(const struct compat *cp, struct group *g, double v)
{
	double n = (double)g->count;

	if (!g->incr) {
		double sum = g->value, c = g->c;
		kahan_inc_at(cp, v, &sum, &c);
		if (!isinf(sum)) {
			g->value = sum;
			g->c = c;
			return;
		}
		g->incr = true;
		g->mean = g->value / (n - 1);
		g->c /= n - 1;
	}
	if (compat_on(cp, COMPAT_PROMQL_AVG_OVER_TIME_KAHAN)) {
		double q = (n - 1) / n, m = q * g->mean, c = q * g->c;
		kahan_inc_at(cp, v / n, &m, &c);
		g->mean = m;
		g->c = c;
		return;
	}
	if (isinf(g->mean)) {
		if (isinf(v) && (g->mean > 0) == (v > 0))
			return;
		if (!isinf(v) && !isnan(v))
			return;
	}
	kahan_inc_at(cp, v / n - (g->mean + g->c) / n, &g->mean, &g->c);
}

/*
 * HashRatioSampler.AddRatioSample: the sample's offset in [0, 1] is its
 * labels' Hash() (as the release's official build computes it) over
 * MaxUint64; a ratio r >= 0 takes offsets below r, a negative one those
 * at or above 1 + r, so that r and -(1 - r) split the series.
 */
static bool ratio_sample_in(const struct evaluator *ev, struct lset ls, double r)
{
	double off = (double)labels_hash_build(ev->compat, ls.v, ls.n) / (double)UINT64_MAX;

	return (r >= 0 && off < r) || (r < 0 && off >= 1.0 + r);
}

/* heap.Push onto a vectorByValueHeap, as limitk and limit_ratio keep them. */
static void heap_push(struct arena *a, struct group *g, struct ev_sample s)
{
	group_append(a, g, s);
	heap_up(g->heap, g->nheap - 1, false);
}

/* The group key of input si with labels metric: for all but count_values
 * computed (and hashed) once per query, as an input series' grouping
 * labels never change. */
static struct lset group_key(struct evaluator *ev, struct node_memo *nm, size_t si, struct lset metric,
			     enum promql_aggop op, bool without, const char **grp, size_t ngroup)
{
	struct memo_entry *me;
	bool fresh;

	if (op == PROMQL_AGG_COUNT_VALUES)
		return without ? lset_without(&ev->arena, metric, grp, ngroup, true)
			       : lset_keep(&ev->arena, metric, grp, ngroup);
	me = ev_memo(nm, si, metric, &fresh);
	if (fresh)
		me->a = lset_dup(&ev->qarena, without ? lset_without(&ev->arena, metric, grp, ngroup, true)
						 : lset_keep(&ev->arena, metric, grp, ngroup));
	return me->a;
}

/*
 * sum when every input is the one the memo recorded at its position and
 * the groups come up in the order it numbered them -- a range query's
 * usual step: the general loop's result without its per-sample lookups.
 * Returns false (nothing written) when the input is not that; the caller
 * goes the general way.
 */
static bool sum_steady(struct evaluator *ev, const struct node_memo *nm, const struct ev_vector *in, int64_t ts,
		       struct ev_vector *out)
{
	bool kahan = compat_on(ev->compat, COMPAT_PROMQL_SUM_KAHAN);
	size_t n = in->n, ng = 0;
	double *val, *comp;
	struct ev_sample *o;

	if (!n || n != nm->ngrp || n >= UINT32_MAX)
		return false;
	o = arena_array(&ev->arena, n, sizeof(*o));
	val = arena_array(&ev->arena, n, sizeof(*val));
	comp = kahan ? arena_array(&ev->arena, n, sizeof(*comp)) : NULL;
	for (size_t si = 0; si < n; si++) {
		const struct ev_sample *s = &in->v[si];
		uint32_t gi = nm->grp[si];

		if (nm->grp_in[si] != lset_hash(s->ls) || gi > ng)
			return false; /* the arena's scratch is dropped with the step */
		if (gi == ng) {
			/* 2.55+: a group drops the name if any member does */
			o[ng] = (struct ev_sample){ nm->grp_key[si], 0, ts };
			o[ng].ls.drop = s->ls.drop;
			val[ng] = s->v;
			if (kahan)
				comp[ng] = 0;
			ng++;
			continue;
		}
		o[gi].ls.drop |= s->ls.drop;
		if (kahan)
			kahan_inc_at(ev->compat, s->v, &val[gi], &comp[gi]);
		else
			val[gi] += s->v;
	}
	for (size_t g = 0; g < ng; g++)
		o[g].v = kahan ? val[g] + comp[g] : val[g]; /* 2.54: no infinity guard (c is 0 then) */
	out->v = o;
	out->n = ng;
	out->cap = n;
	return true;
}

int ev_aggregate(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_value *out)
{
	enum promql_aggop op = n->u.aggregate.op;
	const char **grouping = n->u.aggregate.grouping;
	size_t ngroup = n->u.aggregate.ngrouping;
	bool without = n->u.aggregate.without;
	struct ev_value in, pv;
	struct group *groups = NULL;
	size_t ngroups = 0;
	struct smap *idx = &ev->agg_scratch;
	struct node_memo *nm;
	int64_t k = 0;
	double q = 0, ratio = 0;
	const char *value_label = NULL;
	const char **grp = NULL;
	bool prefix;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->type = PROMQL_TYPE_VECTOR;
	if (n->u.aggregate.param && ev_eval(ev, n->u.aggregate.param, ts, &pv) < 0)
		return -1;
	if (ev_eval(ev, n->u.aggregate.expr, ts, &in) < 0)
		return -1;
	if ((op == PROMQL_AGG_TOPK || op == PROMQL_AGG_BOTTOMK || op == PROMQL_AGG_LIMITK) &&
	    compat_on(ev->compat, COMPAT_PROMQL_TOPK_PARAM_NAN)) {
		/* 3.6 (44ee5e2ad6): k < 1 gives nothing before any check; NaN has its own words */
		double f = pv.scalar;
		if (f < 1)
			return 0;
		if (isnan(f))
			return err_set(ev->e, "Parameter value is NaN");
	}
	if (op == PROMQL_AGG_LIMIT_RATIO) {
		/* 3.6 (44ee5e2ad6, with topk's) drops the value from the words */
		double f = pv.scalar;
		if (isnan(f))
			return err_set(ev->e, compat_on(ev->compat, COMPAT_PROMQL_TOPK_PARAM_NAN) ? "Ratio value is NaN"
												   : "Ratio value NaN is NaN");
		if (f == 0)
			return 0;
		ev_annot_ratio(ev, f);
		ratio = f < -1.0 ? -1.0 : f > 1.0 ? 1.0 : f;
	}
	if (op == PROMQL_AGG_TOPK || op == PROMQL_AGG_BOTTOMK || op == PROMQL_AGG_LIMITK) {
		double f = pv.scalar;
		if (!(f <= 9223372036854775807.0 && f >= -9223372036854775808.0)) {
			struct buf b = BUF_INIT;
			go_fmt_g(&b, f);
			err_set(ev->e, "Scalar value %s overflows int64", buf_str(&b));
			buf_release(&b);
			return -1;
		}
		k = go_f2i(f);
		if (k < 1)
			return 0;
	}
	if (op == PROMQL_AGG_QUANTILE) {
		q = pv.scalar;
		ev_annot_quantile(ev, q);
	}
	grp = arena_array(&ev->arena, ngroup + 1, sizeof(*grp));
	if (ngroup)
		memcpy(grp, grouping, ngroup * sizeof(*grp));
	if (op == PROMQL_AGG_COUNT_VALUES) {
		value_label = pv.str;
		if (!labels_valid_name(value_label)) {
			struct buf b = BUF_INIT;
			go_quote(&b, value_label, strlen(value_label));
			err_set(ev->e, "invalid label name %s", buf_str(&b));
			buf_release(&b);
			return -1;
		}
		if (!without)
			grp[ngroup++] = value_label;
	}
	nm = ev_node_memo(ev, n);
	prefix = op != PROMQL_AGG_COUNT_VALUES && in.vec.n < UINT32_MAX && !ev->no_sweep;
	if (prefix && op == PROMQL_AGG_SUM && sum_steady(ev, nm, &in.vec, ts, &out->vec))
		return 0;
	smap_begin(idx, in.vec.n);
	/* At most one group per input sample: no regrowing. */
	groups = arena_array(&ev->arena, in.vec.n ? in.vec.n : 1, sizeof(*groups));
	for (size_t si = 0; si < in.vec.n; si++) {
		struct ev_sample s = in.vec.v[si];
		struct lset metric = s.ls, kbuf;
		const struct lset *key = NULL; /* the memo's, or kbuf */
		struct group *g;
		size_t gi;
		uint64_t ih = 0;
		bool found = false;

		if (op == PROMQL_AGG_COUNT_VALUES) {
			struct buf b = BUF_INIT;
			go_fmt_f(&b, s.v);
			metric = lset_set(&ev->arena, metric, value_label,
					  arena_strndup(&ev->arena, buf_str(&b), b.len));
			buf_release(&b);
		} else {
			ih = lset_hash(metric);
			if (prefix && si < nm->ngrp && nm->grp_in[si] == ih && nm->grp[si] <= ngroups) {
				/* the same input as the last step's so far: the same group */
				gi = nm->grp[si];
				found = gi < ngroups;
				key = &nm->grp_key[si];
				goto grouped;
			}
			if (prefix) {
				/* from here on by key: the groups so far into the index */
				prefix = false;
				for (size_t j = 0; j < ngroups; j++) {
					size_t *sl = smap_slot(idx, (!without && !ngroup) ? 0 : lset_hash(groups[j].ls), &found);
					*sl = j + 1;
				}
				found = false;
			}
		}
		{
			size_t *slot;
			kbuf = group_key(ev, nm, si, metric, op, without, grp, ngroup);
			key = &kbuf;
			slot = smap_slot(idx, (!without && !ngroup) ? 0 : lset_hash(kbuf), &found);
			if (!found)
				*slot = ngroups + 1;
			gi = *slot - 1;
		}
	grouped:
		if (op != PROMQL_AGG_COUNT_VALUES && !prefix)
			ev_memo_group_note(nm, si, ih, (uint32_t)gi, *key, 0);
		if (!found) {
			g = &groups[ngroups++];
			/* field by field: a memset of the struct is a `rep stos`
			 * here, slow for its size, once per group and step */
			g->ls = *key;
			g->value = g->mean = s.v;
			g->c = 0;
			g->incr = false;
			g->count = 1;
			g->heap = NULL;
			g->nheap = g->capheap = 0;
			/* 2.55+: a group drops the name if any member does
			 * (count_values' groups never: aggregationCountValues) */
			g->ls.drop = s.ls.drop && op != PROMQL_AGG_COUNT_VALUES;
			switch (op) {
			case PROMQL_AGG_STDVAR:
			case PROMQL_AGG_STDDEV:
				/* 3.0 (#14941): a group starting with NaN or Inf is NaN */
				g->value = (isnan(s.v) || isinf(s.v)) && compat_on(ev->compat, COMPAT_PROMQL_STDDEV_NAN_START)
						   ? go_nan()
						   : 0;
				break;
			case PROMQL_AGG_TOPK:
			case PROMQL_AGG_BOTTOMK:
			case PROMQL_AGG_QUANTILE:
			case PROMQL_AGG_LIMITK:
				group_append(&ev->arena, g, (struct ev_sample){ s.ls, s.v, s.t });
				break;
			case PROMQL_AGG_LIMIT_RATIO:
				/* the group is seen even when its first sample is not taken */
				if (ratio_sample_in(ev, s.ls, ratio))
					heap_push(&ev->arena, g, s);
				break;
			case PROMQL_AGG_GROUP:
				g->value = 1;
				break;
			default:
				break;
			}
			continue;
		}
		g = &groups[gi];
		g->ls.drop |= s.ls.drop && op != PROMQL_AGG_COUNT_VALUES;
		switch (op) {
		case PROMQL_AGG_SUM:
			if (compat_on(ev->compat, COMPAT_PROMQL_SUM_KAHAN))
				kahan_inc_at(ev->compat, s.v, &g->value, &g->c);
			else
				g->value += s.v;
			break;
		case PROMQL_AGG_AVG:
			g->count++;
			if (compat_on(ev->compat, COMPAT_PROMQL_AVG_KAHAN)) {
				avg_kahan_step(ev->compat, g, s.v);
				break;
			}
			if (isinf(g->mean)) {
				if (isinf(s.v) && (g->mean > 0) == (s.v > 0))
					break;
				if (!isinf(s.v) && !isnan(s.v))
					break;
			}
			/* Each side divided by the count to avoid overflow. */
			g->mean += s.v / (double)g->count - g->mean / (double)g->count;
			break;
		case PROMQL_AGG_GROUP:
			break;
		case PROMQL_AGG_MAX:
			if (g->value < s.v || isnan(g->value))
				g->value = s.v;
			break;
		case PROMQL_AGG_MIN:
			if (g->value > s.v || isnan(g->value))
				g->value = s.v;
			break;
		case PROMQL_AGG_COUNT:
		case PROMQL_AGG_COUNT_VALUES:
			g->count++;
			break;
		case PROMQL_AGG_STDVAR:
		case PROMQL_AGG_STDDEV: {
			double delta;
			g->count++;
			delta = s.v - g->mean;
			g->mean += delta / (double)g->count;
			g->value += delta * (s.v - g->mean);
			break;
		}
		case PROMQL_AGG_TOPK:
			heap_offer(&ev->arena, g, s, k, false, ev->compat);
			break;
		case PROMQL_AGG_BOTTOMK:
			heap_offer(&ev->arena, g, s, k, true, ev->compat);
			break;
		case PROMQL_AGG_QUANTILE:
			group_append(&ev->arena, g, s);
			break;
		case PROMQL_AGG_LIMITK:
			if ((int64_t)g->nheap < k)
				heap_push(&ev->arena, g, s);
			break;
		case PROMQL_AGG_LIMIT_RATIO:
			if (ratio_sample_in(ev, s.ls, ratio))
				heap_push(&ev->arena, g, s);
			break;
		}
	}
	if (op != PROMQL_AGG_COUNT_VALUES)
		nm->ngrp = in.vec.n;
	if (op != PROMQL_AGG_TOPK && op != PROMQL_AGG_BOTTOMK && op != PROMQL_AGG_LIMITK &&
	    op != PROMQL_AGG_LIMIT_RATIO && ngroups) {
		out->vec.v = arena_array(&ev->arena, ngroups, sizeof(*out->vec.v));
		out->vec.cap = ngroups;
	}
	for (size_t i = 0; i < ngroups; i++) {
		struct group *g = &groups[i];
		double v = g->value;

		switch (op) {
		case PROMQL_AGG_SUM:
			if (compat_on(ev->compat, COMPAT_PROMQL_SUM_KAHAN))
				v = g->value + g->c; /* 2.54: no infinity guard (c is 0 then) */
			break;
		case PROMQL_AGG_AVG:
			v = g->mean;
			if (!compat_on(ev->compat, COMPAT_PROMQL_AVG_KAHAN) || g->incr)
				v = g->incr ? g->mean + g->c : g->mean;
			else if (compat_on(ev->compat, COMPAT_PROMQL_AVG_OVER_TIME_KAHAN))
				v = g->value / (double)g->count + g->c / (double)g->count; /* 3.5 */
			else
				v = (g->value + g->c) / (double)g->count; /* 2.55 */
			break;
		case PROMQL_AGG_COUNT:
		case PROMQL_AGG_COUNT_VALUES:
			v = (double)g->count;
			break;
		case PROMQL_AGG_STDVAR:
			v = g->value / (double)g->count;
			break;
		case PROMQL_AGG_STDDEV:
			v = sqrt(g->value / (double)g->count);
			break;
		case PROMQL_AGG_TOPK:
		case PROMQL_AGG_BOTTOMK:
			if (g->nheap > 1)
				sort_vector_by_value(g->heap, g->nheap, op == PROMQL_AGG_TOPK);
			for (size_t j = 0; j < g->nheap; j++)
				vec_push(&ev->arena, &out->vec, g->heap[j].ls, g->heap[j].v, ts);
			continue;
		case PROMQL_AGG_LIMITK:
		case PROMQL_AGG_LIMIT_RATIO:
			for (size_t j = 0; j < g->nheap; j++)
				vec_push(&ev->arena, &out->vec, g->heap[j].ls, g->heap[j].v, ts);
			continue;
		case PROMQL_AGG_QUANTILE: {
			double *vals = xmalloc((g->nheap ? g->nheap : 1) * sizeof(*vals));
			for (size_t j = 0; j < g->nheap; j++)
				vals[j] = g->heap[j].v;
			v = func_quantile(q, vals, g->nheap);
			free(vals);
			break;
		}
		default:
			break;
		}
		vec_push(&ev->arena, &out->vec, g->ls, v, ts);
	}
	rc = 0;
	return rc;
}
