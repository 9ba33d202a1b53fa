/*
 * Delayed name removal (promql-delayed-name-removal, 2.55+; the test
 * engine of 3.x runs with it): while a query is evaluated, the functions
 * and operators that drop the metric name only mark the label set
 * (lset.drop, set by ev_drop_name); the names, with __type__ and __unit__
 * from 3.5, go when the result is made, and only then are equal label
 * sets an error (engine.go cleanupMetricLabels at v3.5.0 and v3.14.0).
 * The marks travel with the samples: a group of an aggregation drops the
 * name if any of its members does, label_replace and label_join writing
 * __name__ clear it, a comparison between vectors keeps it only with bool.
 */
#include "4-promql/eval_internal.h"
#include "4-promql/eval_names.h"

int ev_names_finish(struct evaluator *ev, struct ev_vector *v, uint64_t **orig)
{
	bool any = false;

	if (orig)
		*orig = v->n ? arena_array(&ev->arena, v->n, sizeof(**orig)) : NULL;
	for (size_t i = 0; i < v->n; i++) {
		if (orig)
			(*orig)[i] = lset_hash(v->v[i].ls);
		if (!v->v[i].ls.drop)
			continue;
		v->v[i].ls = lset_drop_name_at(&ev->arena, v->v[i].ls, ev->compat);
		any = true;
	}
	if (!any || v->n < 2)
		return 0;
	smap_begin(&ev->dup_scratch, v->n);
	for (size_t i = 0; i < v->n; i++) {
		bool found;
		size_t *slot = smap_slot(&ev->dup_scratch, lset_hash(v->v[i].ls), &found);
		if (found)
			return err_set(ev->e, "vector cannot contain metrics with the same labelset");
		*slot = i + 1;
	}
	return 0;
}

int ev_names_result(struct evaluator *ev, struct ev_value *v)
{
	if (!ev->delayed_names)
		return 0;
	if (v->type == PROMQL_TYPE_VECTOR)
		return ev_names_finish(ev, &v->vec, NULL);
	if (v->type == PROMQL_TYPE_MATRIX)
		return ev_names_finish_matrix(ev, &v->mat);
	return 0;
}

int ev_names_finish_matrix(struct evaluator *ev, struct ev_matrix *m)
{
	bool any = false;

	for (size_t i = 0; i < m->n; i++) {
		if (!m->s[i].ls.drop)
			continue;
		m->s[i].ls = lset_drop_name_at(&ev->arena, m->s[i].ls, ev->compat);
		any = true;
	}
	if (!any || m->n < 2)
		return 0;
	smap_begin(&ev->dup_scratch, m->n);
	for (size_t i = 0; i < m->n; i++) {
		bool found;
		size_t *slot = smap_slot(&ev->dup_scratch, lset_hash(m->s[i].ls), &found);
		if (found)
			return err_set(ev->e, "vector cannot contain metrics with the same labelset");
		*slot = i + 1;
	}
	return 0;
}
