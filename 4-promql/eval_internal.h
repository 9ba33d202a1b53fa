/*
 * Internals shared by promql/eval*.c and promql/func_*.c.
 *
 * Everything an evaluation step produces (label sets, vectors, matrices)
 * is allocated from the evaluator's arena and dies when the arena is reset
 * after the step's result has been copied out.  Label sets point either
 * into the arena, into the storage's series set or into the AST, all of
 * which outlive a step.
 */
#ifndef PROMQL_EVAL_INTERNAL_H
#define PROMQL_EVAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "2-model/labels.h"
#include "4-promql/ast.h"
#include "4-promql/eval.h"
#include "4-promql/functions.h"
#include "4-promql/storage.h"

/* ---- arena ---- */
struct arena_chunk;
struct arena {
	struct arena_chunk *head;
};
void *arena_alloc(struct arena *a, size_t n);
void *arena_array(struct arena *a, size_t nmemb, size_t size);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_reset(struct arena *a);
/* A point in a's allocations; arena_release() frees everything allocated
 * after it (what the point was taken in stays). */
struct arena_mark {
	struct arena_chunk *head;
	size_t used;
};
struct arena_mark arena_mark(const struct arena *a);
void arena_release(struct arena *a, struct arena_mark m);

/* ---- label sets ---- */
struct lset {
	const struct label *v;
	size_t n;
	/* lset_hash() of the set when its producer knew it (computed once per
	 * query for stored series and memoised derived sets), 0 if unknown.
	 * Every constructor leaves it 0, so a changed set never keeps it. */
	uint64_t h;
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
/* ls with name set to value (value "" deletes it), as labels.Builder.Set. */
struct lset lset_set(struct arena *a, struct lset ls, const char *name, const char *value);
const char *lset_get(struct lset ls, const char *name);

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
};
struct ev_matrix {
	struct ev_mseries *s;
	size_t n, cap;
};

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

/* ---- uint64 -> size_t hash map (malloc'd) ---- */
struct hmap {
	uint64_t *keys;
	size_t *vals; /* value + 1; 0 marks an empty slot */
	size_t cap, n;
};
void hmap_release(struct hmap *m);
/* Returns the slot's value pointer; *found tells whether it existed (a new
 * slot is created holding 0). */
size_t *hmap_slot(struct hmap *m, uint64_t key, bool *found);
bool hmap_get(const struct hmap *m, uint64_t key, size_t *out);

/*
 * A uint64 -> size_t map reused from step to step: smap_begin() empties it
 * in O(1) by moving to a new generation (no clearing, no re-growing).
 */
struct smap {
	uint64_t *keys;
	size_t *vals;
	uint32_t *stamp; /* slot in use iff stamp == gen */
	size_t cap;
	uint32_t gen;
};
/* Empties m, sized for n keys. */
void smap_begin(struct smap *m, size_t n);
/* The value slot of key (created when absent, *found false). */
size_t *smap_slot(struct smap *m, uint64_t key, bool *found);
void smap_release(struct smap *m);

/* ---- the evaluator ---- */
struct sel_cache {
	const struct promql_node *node;
	struct promql_series_set set;
	uint64_t *hash; /* lset_hash of each series, computed at selection */
	/* Per series, where the last window's end and start were found: steps
	 * mostly advance, so the next search starts there (hints only). */
	ptrdiff_t *cur_hi, *cur_lo;
};

/*
 * Output label sets a matrix-argument call or a unary minus has produced
 * during the whole query, with the input series each came from: 2.42
 * evaluates these nodes over all steps at once and rejects two input series
 * mapping to the same output labels even at different steps.
 */
struct dup_reg {
	const struct promql_node *node;
	struct hmap seen; /* output labels hash -> input labels hash */
};

/*
 * Inner results of a subquery by inner timestamp.  Inner timestamps are
 * multiples of the subquery's step, so consecutive outer steps of a range
 * query (and nested subqueries) revisit them; the value at a timestamp
 * never changes within a query, so it is computed once.  Entries are
 * sorted by t; each sample is the number of its label set in the cache's
 * table (label sets are kept once, not at every inner step) and its value,
 * both in the entry's one block sid.
 */
struct subq_entry {
	int64_t t;
	uint32_t *sid;
	double *v;
	size_t n;
};

struct subq_cache {
	const struct promql_node *node;
	struct subq_entry *e; /* e[head..n) are live; only non-empty results */
	size_t head, n, cap;
	struct lset *ls; /* label set table: deep copies in lsmem, hashes set */
	size_t nls, lscap;
	struct hmap lsidx; /* labels hash -> table index + 1 */
	struct arena lsmem;
	/* Every inner time in [lo, hi] was computed (computed set), and those
	 * without an entry gave nothing. */
	bool computed;
	int64_t lo, hi;
};

/*
 * Per-node work that depends only on an input label set, done once per
 * query instead of at every step: keyed by the input's lset_hash (label
 * sets are identified by hash throughout, as 2.42 does), entries and the
 * label sets in them (deep copies) live in the query arena.
 */
struct memo_entry {
	struct lset a, b; /* derived label sets, hashes filled in */
	uint64_t k;       /* a derived hash */
	double d;         /* a parsed value */
	uint64_t in;      /* the input's hash (ev_memo entries) */
	bool ok, noted;
};
struct evaluator;
struct node_memo {
	const struct promql_node *node;
	struct hmap idx; /* input labels hash -> entry index + 1 */
	struct memo_entry *e;
	size_t n, cap;
	/* Entry index + 1 of the input at each position of the last vector
	 * seen: inputs mostly arrive in the same order at every step. */
	size_t *seq;
	size_t nseq;
	/* By position in a selector's series set (ev_memo_at), if used. */
	struct memo_entry *pos;
	bool *pos_used;
	size_t npos;
};
/* The memo entry of node for input labels in, element pos of the node's
 * input vector; *fresh tells whether it was just created (zeroed). The
 * pointer is valid until the next call. */
struct memo_entry *ev_memo(struct node_memo *m, size_t pos, struct lset in, bool *fresh);
/* The memo of node (created empty on first use); valid until the next call. */
struct node_memo *ev_node_memo(struct evaluator *ev, const struct promql_node *node);
/* The same for input series number i of the nser series of the selector
 * node's range argument reads (positions never change within a query). */
struct memo_entry *ev_memo_at(struct node_memo *m, size_t i, size_t nser, bool *fresh);
/* A deep copy of ls (labels and strings) in a, hash kept or computed. */
struct lset lset_dup(struct arena *a, struct lset ls);

struct evaluator {
	const struct promql_storage *st;
	struct arena qarena; /* lives for the whole query (memo entries) */
	struct node_memo *memos;
	size_t nmemos, memocap, last_memo;
	struct smap dup_scratch; /* ev_check_dup_labels' */
	struct smap agg_scratch; /* ev_aggregate's groups (no evaluation nests in its use) */
	struct smap hq_scratch;  /* histogram_quantile's groups (likewise) */
	int64_t query_start, query_end; /* for @ start() / end() */
	int64_t lookback;
	int64_t subquery_step;
	struct arena arena;
	struct sel_cache *sels;
	size_t nsels, selcap;
	struct dup_reg *regs;
	size_t nregs, regcap;
	struct subq_cache *subqs;
	size_t nsubqs, subqcap;
	/*
	 * The start of the evaluator 2.42 would be running at this point: the
	 * query start, or inside a subquery its aligned inner start.  Calls
	 * evaluated over several steps (see moving) shift `@` windows by
	 * ts - cur_start.
	 */
	int64_t cur_start;
	/*
	 * Subquery offsets 2.42 leaves in the `@` offsets of selectors below
	 * a subquery whose inner start equals its parent's (setOffsetForAtModifier
	 * is then not re-run for it): `@ t` reads at t - offset + skip_off.
	 */
	int64_t skip_off;
	const struct promql_node **moving; /* calls whose @ windows move */
	size_t nmoving, movingcap;
	struct ev_limit *lim; /* eval_limit.h; NULL without limits */
	struct err *e;
};

int ev_eval(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_value *out);
/* Selects the series of every selector of the tree (eval_select.c). */
int ev_prepare(struct evaluator *ev, const struct promql_node *root);
/* Frees the selections and subquery caches. */
void ev_select_release(struct evaluator *ev);
/* Whether call n is one whose `@`-pinned range argument 2.42 reads with a
 * window that moves with the step (see eval_select.c). */
bool ev_call_moves(const struct evaluator *ev, const struct promql_node *n);
/* timestamp(selector): samples keep their own timestamps. */
int ev_timestamp_selector(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_vector *out);
void ev_mat_push(struct arena *a, struct ev_matrix *m, struct lset ls, struct ev_point *p, size_t n);
/* The instant vector of selector n at ts; keep_t keeps the samples' own
 * timestamps (for timestamp()). */
int ev_vector_selector(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_vector *out);
/* The range-vector argument of a function at ts: a matrix selector or a
 * subquery; range_start and range_end receive the window (for rate()). */
int ev_range_arg(struct evaluator *ev, const struct promql_node *n, int64_t ts, bool moving,
		 struct ev_matrix *out, int64_t *range_start, int64_t *range_end, int64_t *range_ms);
int ev_binary(struct evaluator *ev, const struct promql_node *n, struct ev_value *l, struct ev_value *r, struct ev_value *out);
int ev_aggregate(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_value *out);
int ev_call(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_value *out);
/* 2.42's Vector.ContainsSameLabelset check; sets the error. */
int ev_check_dup_labels(struct evaluator *ev, const struct ev_vector *v);
const struct promql_node *ev_unwrap(const struct promql_node *n);
/* Records that node produced labels out from input series in; fails with
 * "vector cannot contain metrics with the same labelset" when another input
 * series of the query produced the same labels. */
int ev_note_output(struct evaluator *ev, const struct promql_node *node, struct lset out, struct lset in);

/* ---- numeric helpers with Go's semantics (func_math.c) ---- */
double go_max(double a, double b); /* math.Max */
double go_min(double a, double b); /* math.Min */
double go_mod(double x, double y);
/* Go 1.19's math functions on amd64, bit for bit (func_gomath.c). */
double go_exp(double x);
double go_log(double x);
double go_log2(double x);
double go_log10(double x);
double go_pow(double x, double y);
double go_sin(double x);
double go_cos(double x);
double go_tan(double x);
double go_asin(double x);
double go_acos(double x);
double go_atan(double x);
double go_atan2(double y, double x);
double go_sinh(double x);
double go_cosh(double x);
double go_tanh(double x);
double go_asinh(double x);
double go_acosh(double x);
double go_atanh(double x);
/* Go's float64 -> int64 conversion on amd64 (CVTTSD2SQ). */
int64_t go_f2i(double v);
void kahan_inc(double inc, double *sum, double *c);
/* The unary function of math-style calls (abs, ln, ...), or NULL. */
typedef double (*unary_fn)(double);
unary_fn func_unary(enum promql_func_id id);
/* Date functions on a Unix time in seconds; id one of DAYS_IN_MONTH .. YEAR. */
double func_date(enum promql_func_id id, double unix_seconds);
bool func_is_date(enum promql_func_id id);

/* ---- sorting with Go's sort.Sort order on small inputs (func_quantile.c) ---- */
/* Vector sort by value as funcSort (desc=false) / funcSortDesc. */
void sort_vector_by_value(struct ev_sample *v, size_t n, bool desc);
/* quantile() of quantile.go over values (reordered in place). */
double func_quantile(double q, double *values, size_t n);
struct bucket {
	double upper;
	double count;
};
/* bucketQuantile of quantile.go; buckets reordered in place. */
double func_bucket_quantile(double q, struct bucket *b, size_t n);

/* ---- range-vector functions (func_range.c) ---- */
struct range_ctx {
	int64_t ts;          /* evaluation time (enh.Ts) */
	int64_t range_start; /* window start, for extrapolation */
	int64_t range_end;
	int64_t range_ms;    /* the selector's range */
	double arg;          /* the scalar argument, if any */
	double arg2;
};
/*
 * Computes function id over points p[0..n) (n >= 1).  Returns 1 with *out
 * set, 0 when the function yields no sample, -1 with e set on error
 * (holt_winters' factor checks).
 */
int func_range(enum promql_func_id id, const struct ev_point *p, size_t n,
	       const struct range_ctx *c, double *out, struct err *e);
bool func_is_range(enum promql_func_id id);

#endif
