/*
 * The PromQL evaluator: instant and range queries over a struct
 * promql_storage with Prometheus 2.42's float semantics (engine.go,
 * functions.go, quantile.go).  Native histograms are not supported.
 *
 * Ownership: a struct promql_result owns every label and sample it holds;
 * promql_result_release() frees them.  The expression and the storage are
 * only borrowed for the duration of the call.
 */
#ifndef PROMQL_EVAL_H
#define PROMQL_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/compat.h"
#include "1-common/err.h"
#include "2-model/labels.h"
#include "4-promql/annotations.h"
#include "4-promql/ast.h"
#include "4-promql/storage.h"

struct promql_engine_opts {
	/* Lookback delta; 0 means 2.42's default of 5m. */
	int64_t lookback_ms;
	/*
	 * Step of subqueries written without one ("[5m:]"), as the engine's
	 * NoStepSubqueryIntervalFn returns it: Prometheus uses the global
	 * evaluation interval (1m by default, which 0 stands for here).
	 */
	int64_t default_subquery_step_ms;
	/*
	 * 2.42's --query.max-samples (0: no limit): the query fails with
	 * "query processing would load too many samples into memory in query
	 * execution" when 2.42's count of the samples it holds would pass it.
	 */
	int64_t max_samples;
	/* --query.timeout in ms (0: none): "query timed out in expression
	 * evaluation", and the entry points return PROMQL_EVAL_TIMEOUT. */
	int64_t timeout_ms;
	/* Whose semantics (1-common/compat.h); borrowed, NULL: 2.42.0. */
	const struct compat *compat;
	/* For the callers that also parse the query (5-query): accept the
	 * release's experimental functions (struct promql_parse_opts). */
	bool experimental_functions;
	bool duration_expressions; /* --enable-feature=promql-duration-expr */
	bool binop_fill_modifiers; /* --enable-feature=promql-binop-fill-modifiers */
	bool extended_range_selectors; /* --enable-feature=promql-extended-range-selectors */
	/*
	 * EngineOpts.EnableDelayedNameRemoval (2.55's
	 * promql-delayed-name-removal; the 3.x test engine turns it on): the
	 * metric name is dropped when the result is made, not where a
	 * function or operator drops it (4-promql/eval_names.c).  Only from
	 * 2.55 (COMPAT_PROMQL_DELAYED_NAME_REMOVAL); false is 2.42's behaviour.
	 */
	bool delayed_name_removal;
	/*
	 * EngineOpts.UseStartTimestamps (3.12's use-start-timestamps; the
	 * test engine turns it on): rate, increase, irate and resets read
	 * the samples' start timestamps (struct promql_series.st).  Only
	 * from --compat=3.12.0 (gate PROMQL_START_TIMESTAMPS).
	 */
	bool start_timestamps;
	/*
	 * Range functions window by window at every step instead of swept
	 * over blocks of steps (4-promql/eval_sweep.c), and aggregation and
	 * histogram_quantile groups found by key at every step instead of
	 * carried over from the last step's input: the same results, slower;
	 * the reference those shortcuts are tested against.
	 */
	bool per_step_windows;
	/*
	 * For 5-query's local source over a data directory: about how many
	 * samples of a selection are read at once when the query's shape
	 * lets it be evaluated in batches of series (4-promql/eval_stream.h);
	 * 0: PROMQL_STREAM_BATCH_SAMPLES, SIZE_MAX: never in batches.  The
	 * results are the same whatever it is.
	 */
	size_t stream_batch_samples;
	/*
	 * Where the query's warnings and infos go (4-promql/annotations.h;
	 * borrowed, added to, never emptied here), from 2.48 on
	 * (COMPAT_PROMQL_ANNOTATIONS).  NULL: none are collected, at no cost,
	 * as promtool's rule backfill ignores them.
	 */
	struct promql_annotations *annotations;
};

/* What promql_eval_instant/range return when the query timed out. */
#define PROMQL_EVAL_TIMEOUT (-2)

/* One output series: labels sorted by name, points in time order. */
struct promql_result_series {
	struct label *labels;
	size_t nlabels;
	int64_t *t;
	double *v;
	size_t n;
};

/*
 * type is SCALAR (scalar/t), STRING (str), VECTOR (each series has one
 * point, at the evaluation time) or MATRIX (instant queries of range
 * vectors, and every range query).  Range query results are sorted by
 * labels as 2.42's query_range returns them.
 */
struct promql_result {
	enum promql_value_type type;
	double scalar;
	int64_t t;
	char *str;
	struct promql_result_series *series;
	size_t nseries;
	/* The highest sample count 2.42 would have reached (its stats'
	 * peakSamples), when max_samples or timeout_ms was set. */
	uint64_t peak_samples;
	/* Statistics for tests: the (call, step) pairs whose range-function
	 * values came from a sweep (4-promql/eval_sweep.c). */
	uint64_t swept;
	void *priv; /* storage for the labels */
};

void promql_result_init(struct promql_result *r);
void promql_result_release(struct promql_result *r);

/* An instant query at time t (ms).  On failure returns -1 with e set to
 * 2.42's message, e.g. "vector cannot contain metrics with the same
 * labelset". */
int promql_eval_instant(struct promql_result *out, const struct promql_storage *st,
			const struct promql_node *expr, int64_t t,
			const struct promql_engine_opts *opts, struct err *e);
/*
 * A range query over [start, end] at step (ms, step > 0), the query_range
 * API's semantics: a MATRIX with, per output series, the points at the
 * steps where it has a value.  Scalar results become one series with no
 * labels.  expr must not have a range-vector or string type ("invalid
 * expression type ... for range query, must be Scalar or instant Vector").
 */
int promql_eval_range(struct promql_result *out, const struct promql_storage *st,
		      const struct promql_node *expr, int64_t start, int64_t end,
		      int64_t step, const struct promql_engine_opts *opts, struct err *e);

#endif
