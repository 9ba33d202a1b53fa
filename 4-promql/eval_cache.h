/*
 * What the evaluator keeps for a whole query rather than a step: selected
 * series, the duplicate-labels register, subquery results and per-node
 * memos.  Internal to 4-promql (eval*.c).
 *
 * struct evaluator owns them all; ev_select_release() (selections,
 * subqueries) and the evaluator's release free them.  Memo entries and the
 * label sets in them live in the query arena (evaluator.qarena).
 */
#ifndef PROMQL_EVAL_CACHE_H
#define PROMQL_EVAL_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "4-promql/ast.h"
#include "4-promql/eval_map.h"
#include "4-promql/eval_values.h"
#include "4-promql/storage.h"

struct sel_cache {
	const struct promql_node *node;
	/* The selection: set's series for these matchers over [mint, maxt];
	 * shared (not owned: set.release is NULL) when an earlier selector
	 * of the query selected the same. */
	struct promql_series_set set;
	int64_t mint, maxt;
	uint64_t *hash; /* lset_hash of each series, computed at selection */
	bool has_st; /* a series has start timestamps (storage.h) */
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
 * sorted by t; a sample is the number of its label set in the cache's
 * table and its value (12 bytes, where a deep copy of its labels at every
 * inner step cost ~150), both in the entry's one allocation v.  Label sets
 * are kept once per query, keyed by hash (and the delayed-name-removal
 * mark, which is not part of it), as 2.42's rangeEval keys series.
 */
struct subq_entry {
	int64_t t;
	double *v;     /* v[0..n), then sid[0..n) in the same block */
	uint32_t *sid; /* index into the cache's ls */
	size_t n;
};

struct subq_cache {
	const struct promql_node *node;
	struct subq_entry *e; /* e[head..n) are live; only non-empty results */
	size_t head, n, cap;
	struct lset *ls; /* the label set table: deep copies in lsmem, hashed */
	size_t nls, lscap;
	struct hmap lsidx; /* set key (see subq_store) -> ls index + 1 */
	struct arena lsmem;
	/* Collecting a window (subq_collect): set number -> its series in the
	 * matrix being made + 1, valid where ser_gen equals gen. */
	size_t *ser;
	uint32_t *ser_gen;
	size_t sercap;
	uint32_t gen;
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
	/*
	 * The grouping of the last step's input (aggregations,
	 * histogram_quantile): per position, the input's labels hash and the
	 * number of its group in order of first appearance (UINT32_MAX: in
	 * none).  While a step's input repeats the last one's hashes from the
	 * start, its groups are those numbers: no hashing of group keys.
	 */
	uint64_t *grp_in;
	uint32_t *grp;
	struct lset *grp_key; /* the group's labels (in the query arena) */
	double *grp_d;        /* a parsed value (histogram_quantile's bound) */
	size_t ngrp, grpcap;
	struct hq_layout *hq; /* histogram_quantile's, or NULL (eval_hq.c) */
};
/* Records position i's input hash, group, group labels and value for the
 * next step. */
void ev_memo_group_note(struct node_memo *m, size_t i, uint64_t in, uint32_t g, struct lset key, double d);
/* The memo entry of node for input labels in, element pos of the node's
 * input vector; *fresh tells whether it was just created (zeroed). The
 * pointer is valid until the next call. */
struct memo_entry *ev_memo(struct node_memo *m, size_t pos, struct lset in, bool *fresh);
/* The memo of node (created empty on first use); valid until the next call. */
struct node_memo *ev_node_memo(struct evaluator *ev, const struct promql_node *node);
/* The same for input series number i of the nser series of the selector
 * node's range argument reads (positions never change within a query). */
struct memo_entry *ev_memo_at(struct node_memo *m, size_t i, size_t nser, bool *fresh);

#endif
