/*
 * Label sets and values of the evaluator: internal to 4-promql (eval*.c,
 * func_*.c); no other layer includes it.
 *
 * Everything an evaluation step produces (label sets, vectors, matrices)
 * is allocated from the evaluator's arena and dies when the arena is
 * released after the step's result has been copied out.  Label sets point
 * either into the arena, into the storage's series set or into the AST,
 * all of which outlive a step.
 */
#ifndef PROMQL_EVAL_VALUES_H
#define PROMQL_EVAL_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/arena.h"
#include "2-model/labels.h"
#include "4-promql/ast.h"

/* ---- label sets (eval_util.c) ---- */
struct lset {
	const struct label *v;
	size_t n;
	/* lset_hash() of the set when its producer knew it (computed once per
	 * query for stored series and memoised derived sets), 0 if unknown.
	 * Every constructor leaves it 0, so a changed set never keeps it. */
	uint64_t h;
	/*
	 * Delayed name removal (promql_engine_opts.delayed_name_removal, the
	 * Sample.DropName of 2.55+): the name and metadata labels are still
	 * here but go when the query's result is made (eval_names.c).  Not
	 * part of the hash or of any comparison; constructors leave it false.
	 */
	bool drop;
};
uint64_t lset_hash_slow(struct lset ls);
static inline uint64_t lset_hash(struct lset ls)
{
	return ls.h ? ls.h : lset_hash_slow(ls);
}
/* ls with its hash filled in. */
static inline struct lset lset_hashed(struct lset ls)
{
	ls.h = lset_hash(ls);
	return ls;
}
/* Copies of ls without the named labels (del) or with only them (keep);
 * names need not be sorted. */
struct lset lset_without(struct arena *a, struct lset ls, const char *const *names, size_t nn, bool and_name);
struct lset lset_keep(struct arena *a, struct lset ls, const char *const *names, size_t nn);
struct lset lset_drop_name(struct arena *a, struct lset ls);
/* The same for release cp (NULL: 2.42.0): from 3.5 __type__ and __unit__
 * go with the name. */
struct compat;
struct lset lset_drop_name_at(struct arena *a, struct lset ls, const struct compat *cp);
/* ls with name set to value (value "" deletes it), as labels.Builder.Set. */
struct lset lset_set(struct arena *a, struct lset ls, const char *name, const char *value);
const char *lset_get(struct lset ls, const char *name);
/* A deep copy of ls (labels and strings) in a, hash kept or computed. */
struct lset lset_dup(struct arena *a, struct lset ls);

/* ---- values ---- */
struct ev_sample {
	struct lset ls;
	double v;
	int64_t t; /* the sample's own time: only timestamp() reads it */
};
struct ev_vector {
	struct ev_sample *v;
	size_t n, cap;
};
/* Doubles vec's capacity (vec_push's slow path). */
void vec_grow(struct arena *a, struct ev_vector *vec);
static inline void vec_push(struct arena *a, struct ev_vector *vec, struct lset ls, double v, int64_t t)
{
	if (vec->n == vec->cap)
		vec_grow(a, vec);
	vec->v[vec->n++] = (struct ev_sample){ ls, v, t };
}

struct ev_point {
	int64_t t;
	double v;
};
struct ev_mseries {
	struct lset ls;
	struct ev_point *p;
	size_t n;
	/* The points' start timestamps (0: none), when the series has them and
	 * use-start-timestamps is on; NULL otherwise (subqueries never). */
	const int64_t *st;
};
struct ev_matrix {
	struct ev_mseries *s;
	size_t n, cap;
};
/* Appends series ls with points p[0..n) (not copied) to m (eval_select.c). */
void ev_mat_push(struct arena *a, struct ev_matrix *m, struct lset ls, struct ev_point *p, size_t n);

struct ev_value {
	enum promql_value_type type;
	double scalar;
	const char *str;
	struct ev_vector vec;
	struct ev_matrix mat;
	/*
	 * Set by a range-vector call whose every output went through
	 * ev_note_output() for the call: two equal output label sets would
	 * have come from the same input series, and a window holds each
	 * series once, so the duplicate-labels check cannot fail.
	 */
	bool unique;
};

#endif
