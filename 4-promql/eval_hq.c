/*
 * histogram_quantile and histogram_fraction over classic buckets (2.42's
 * functions.go funcHistogramQuantile, quantile.go): the input series
 * grouped by their labels without `le`, each group's buckets sorted by
 * bound and coalesced, the quantile (or the fraction) of each group.
 *
 * A range query's steps mostly see the same input series in the same
 * order as the step before.  The node's memo (eval_cache.h) then knows
 * every series' group and bound; on top of that a layout records where
 * each series' bucket goes in one array of all the groups' buckets, each
 * group's already in the order the sort would leave them (the insertion
 * sort 2.42 uses for up to 12 buckets is stable, so placing them in that
 * order beforehand changes nothing it does).  Such a step writes each
 * bucket once into its place and works out the groups: no grouping, no
 * counting, no moves in the sort.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "4-promql/eval_annot.h"
#include "4-promql/eval_internal.h"

/* Groups of more buckets are sorted by go_sort, which is not stable. */
#define HQ_STABLE_MAX 12

struct hq_layout {
	size_t n;          /* inputs of the step it was made at */
	uint32_t *pos;     /* per input: its bucket's place, UINT32_MAX: none */
	size_t ng, total;  /* groups, buckets */
	struct lset *ls;   /* per group: its output labels */
	uint32_t *off, *cnt;
};

void ev_hq_layout_free(struct hq_layout *l)
{
	if (!l)
		return;
	free(l->pos);
	free(l->ls);
	free(l->off);
	free(l->cnt);
	free(l);
}

/* One group's value: its quantile q, or with fraction the share of its
 * observations in [fraction[0], fraction[1]]; b is reordered.  forced (or
 * NULL) tells whether the counts had to be made monotonic. */
static double group_value(const struct evaluator *ev, double q, const double *fraction, struct bucket *b, size_t n,
			  bool *forced)
{
	if (fraction)
		return func_bucket_fraction(fraction[0], fraction[1], b, n,
					    compat_on(ev->compat, COMPAT_PROMQL_HFRACTION_ZERO_BASE));
	return func_bucket_quantile_forced(q, b, n, compat_on(ev->compat, COMPAT_PROMQL_HQ_SMALL_DELTAS), forced);
}

/*
 * The layout of the step just grouped: input i in group gi[i] (SIZE_MAX:
 * none) with bound upper[i], ng groups numbered by first appearance.  No
 * layout (the last one dropped) when a group is too large for the stable
 * sort or has a NaN bound, which the sort does not order.
 */
static void hq_layout_build(struct node_memo *nm, const struct ev_vector *in, const size_t *gi,
			    const double *upper, size_t ng)
{
	struct hq_layout *l = nm->hq;
	size_t n = in->n, total = 0;
	uint32_t *fill, *mem;
	bool ok = true;

	if (!l)
		l = nm->hq = xcalloc(1, sizeof(*l));
	free(l->pos);
	free(l->ls);
	free(l->off);
	free(l->cnt);
	l->pos = xreallocarray(NULL, n ? n : 1, sizeof(*l->pos));
	l->ls = xreallocarray(NULL, ng ? ng : 1, sizeof(*l->ls));
	l->off = xcalloc(ng ? ng : 1, sizeof(*l->off));
	l->cnt = xcalloc(ng ? ng : 1, sizeof(*l->cnt));
	fill = xcalloc(ng ? ng : 1, sizeof(*fill));
	l->n = n;
	l->ng = ng;
	for (size_t i = 0; i < n; i++) {
		if (gi[i] == SIZE_MAX)
			continue;
		if (!l->cnt[gi[i]]++)
			l->ls[gi[i]] = nm->grp_key[i];
		ok &= !isnan(upper[i]);
	}
	for (size_t g = 0; g < ng; g++) {
		ok &= l->cnt[g] <= HQ_STABLE_MAX;
		l->off[g] = (uint32_t)total;
		total += l->cnt[g];
	}
	l->total = total;
	/* each group's members in input order (mem), then each placed as the
	 * stable sort by bound would: after those of smaller bound, and of
	 * equal bound that came first */
	mem = xreallocarray(NULL, total ? total : 1, sizeof(*mem));
	for (size_t i = 0; ok && i < n; i++) {
		l->pos[i] = UINT32_MAX;
		if (gi[i] != SIZE_MAX)
			mem[l->off[gi[i]] + fill[gi[i]]++] = (uint32_t)i;
	}
	for (size_t g = 0; ok && g < ng; g++) {
		const uint32_t *m = mem + l->off[g];
		for (size_t a = 0; a < l->cnt[g]; a++) {
			uint32_t rank = 0;
			for (size_t b = 0; b < l->cnt[g]; b++)
				rank += upper[m[b]] < upper[m[a]] || (upper[m[b]] == upper[m[a]] && b < a);
			l->pos[m[a]] = l->off[g] + rank;
		}
	}
	free(mem);
	free(fill);
	if (!ok) {
		ev_hq_layout_free(l);
		nm->hq = NULL;
	}
}

/* A step whose input has the layout's series at the same places: the
 * groups' values from it.  False when not (nothing written). */
static bool hq_steady(struct evaluator *ev, const struct node_memo *nm, double q, const struct ev_vector *in,
		      int64_t ts, struct ev_vector *out, const double *fraction)
{
	const struct hq_layout *l = nm->hq;
	struct bucket *all;

	if (!l || !in->n || in->n != l->n || in->n != nm->ngrp)
		return false;
	for (size_t i = 0; i < in->n; i++)
		if (nm->grp_in[i] != lset_hash(in->v[i].ls))
			return false;
	all = arena_array(&ev->arena, l->total ? l->total : 1, sizeof(*all));
	for (size_t i = 0; i < in->n; i++)
		if (l->pos[i] != UINT32_MAX)
			all[l->pos[i]] = (struct bucket){ nm->grp_d[i], in->v[i].v };
	for (size_t g = 0; g < l->ng; g++) {
		struct bucket *b = all + l->off[g];
		vec_push(&ev->arena, out, l->ls[g], group_value(ev, q, fraction, b, l->cnt[g], NULL), ts);
	}
	return true;
}

/* A series' bucket bound and group for histogram_quantile: the same at
 * every step, so parsed and hashed once per query.  Valid until the next
 * call. */
static struct memo_entry *bucket_memo(struct evaluator *ev, struct node_memo *nm, size_t i, struct lset ls)
{
	static const char *le[] = { "le" }, *le_name[] = { "le", "__name__" };
	bool fresh;
	struct memo_entry *me = ev_memo(nm, i, ls, &fresh);

	if (fresh) {
		const char *lev = lset_get(ls, "le");
		me->ok = lev && go_parse_float(lev, strlen(lev), &me->d) == 0;
		if (me->ok) {
			me->k = lset_hash(lset_without(&ev->arena, ls, le, 1, false));
			me->a = lset_dup(&ev->qarena, ev_drop_name(ev, lset_without(&ev->arena, ls, le_name,
										 ev->delayed_names ? 1 : 2, false)));
		}
	}
	return me;
}

/* histogram_quantile over classic buckets: series grouped by their labels
 * without `le`, output labels without `le` and the metric name. */
/* ... and with fraction ([lower, upper]) histogram_fraction's BucketFraction. */
int ev_histogram_quantile(struct evaluator *ev, const struct promql_node *n, double q, const struct ev_vector *in,
			  int64_t ts, struct ev_vector *out, const double *fraction)
{
	struct smap *idx = &ev->hq_scratch;
	struct node_memo *nm;
	struct hb {
		struct lset ls;
		struct bucket *b;
		size_t n;
	} *groups;
	size_t ng = 0, *gi, off = 0;
	double *upper;
	struct bucket *all;
	bool prefix, layout;

	if (!fraction)
		ev_annot_quantile(ev, q);
	if (!in->n)
		return 0;
	/* Two passes over the input, the buckets of each group in input order
	 * in one array: no allocation per group. */
	groups = arena_array(&ev->arena, in->n, sizeof(*groups));
	gi = arena_array(&ev->arena, in->n, sizeof(*gi));
	upper = arena_array(&ev->arena, in->n, sizeof(*upper));
	nm = ev_node_memo(ev, n);
	prefix = in->n < UINT32_MAX && !ev->no_sweep;
	layout = prefix && !ev->annots; /* prefix changes below */
	if (layout && hq_steady(ev, nm, q, in, ts, out, fraction))
		return 0;
	smap_begin(idx, in->n);
	for (size_t i = 0; i < in->n; i++) {
		bool found;
		size_t *slot;
		uint64_t ih = lset_hash(in->v[i].ls);
		struct memo_entry *me;

		if (prefix && i < nm->ngrp && nm->grp_in[i] == ih &&
		    (nm->grp[i] == UINT32_MAX || nm->grp[i] <= ng)) {
			/* the same input as the last step's so far: the same groups */
			gi[i] = nm->grp[i] == UINT32_MAX ? SIZE_MAX : nm->grp[i];
			if (gi[i] == SIZE_MAX)
				continue;
			if (gi[i] == ng)
				groups[ng++] = (struct hb){ nm->grp_key[i], NULL, 0 };
			upper[i] = nm->grp_d[i];
			groups[gi[i]].n++;
			continue;
		}
		if (prefix) {
			/* from here on by key: the groups so far into the index */
			prefix = false;
			for (size_t j = 0; j < i; j++) {
				if (gi[j] == SIZE_MAX)
					continue;
				slot = smap_slot(idx, bucket_memo(ev, nm, j, in->v[j].ls)->k, &found);
				*slot = gi[j] + 1;
			}
		}
		me = bucket_memo(ev, nm, i, in->v[i].ls);
		gi[i] = SIZE_MAX;
		if (!me->ok) {
			ev_annot_bad_bucket(ev, in->v[i].ls);
			ev_memo_group_note(nm, i, ih, UINT32_MAX, me->a, 0);
			continue; /* no bucket label or a malformed one */
		}
		slot = smap_slot(idx, me->k, &found);
		if (!found) {
			groups[ng] = (struct hb){ me->a, NULL, 0 };
			*slot = ++ng;
		}
		gi[i] = *slot - 1;
		upper[i] = me->d;
		groups[gi[i]].n++;
		ev_memo_group_note(nm, i, ih, (uint32_t)gi[i], me->a, me->d);
	}
	nm->ngrp = in->n;
	all = arena_array(&ev->arena, in->n, sizeof(*all));
	for (size_t g = 0; g < ng; g++) {
		groups[g].b = all + off;
		off += groups[g].n;
		groups[g].n = 0;
	}
	if (layout)
		hq_layout_build(nm, in, gi, upper, ng);
	for (size_t i = 0; i < in->n; i++) {
		struct hb *g;
		if (gi[i] == SIZE_MAX)
			continue;
		g = &groups[gi[i]];
		g->b[g->n++] = (struct bucket){ upper[i], in->v[i].v };
	}
	for (size_t i = 0; i < ng; i++) {
		bool forced = false;
		double v = group_value(ev, q, fraction, groups[i].b, groups[i].n, ev->annots ? &forced : NULL);
		if (forced) /* named after the group's first input series */
			for (size_t j = 0; j < in->n; j++)
				if (gi[j] == i) {
					ev_annot_monotonic(ev, in->v[j].ls);
					break;
				}
		vec_push(&ev->arena, out, groups[i].ls, v, ts);
	}
	return 0;
}

