/*
 * Range queries evaluated over a selection in bounded batches of series
 * (4-promql/eval_stream.c), so that a rule over 100k series never holds
 * every selected series' samples at once.
 *
 * The shapes rules have -- aggregations over selectors or per-series
 * functions of selectors, histogram_quantile over those, binary
 * operators between them -- compute each output series from a class of
 * input series that agree on a few labels (the aggregation's `by`
 * labels, for one).  Those classes are read and evaluated a batch at a
 * time, each batch by promql_eval_range() itself, and the outputs
 * merged: the same bytes as one evaluation over the whole selection.
 *
 * Ownership as promql_eval_range(): *out owns everything it holds; the
 * storage and the expression are borrowed for the call.
 */
#ifndef PROMQL_EVAL_STREAM_H
#define PROMQL_EVAL_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "4-promql/ast.h"
#include "4-promql/eval.h"
#include "4-promql/storage.h"

/* About how many samples of the selection a batch reads (16 bytes each
 * as selected, a few times that while evaluated). */
#define PROMQL_STREAM_BATCH_SAMPLES ((size_t)1 << 21)

/*
 * promql_eval_range() of expr, its selection read in batches of about
 * batch_samples samples (0: PROMQL_STREAM_BATCH_SAMPLES).  Returns 1 with
 * *out as promql_eval_range() would have set it (peak_samples is then an
 * upper bound of 2.42's count, below opts->max_samples); 0 when the query
 * is better or only evaluated in one piece -- a shape not streamed,
 * annotations asked for (opts->annotations), a
 * selection that fits one batch, any error or a sample count near the
 * limit (promql_eval_range() then gives the exact answer) -- with *out
 * untouched; PROMQL_EVAL_TIMEOUT with e set when the query timed out.
 */
int promql_eval_range_stream(struct promql_result *out, const struct promql_storage *st,
			     const struct promql_node *expr, int64_t start, int64_t end, int64_t step,
			     const struct promql_engine_opts *opts, size_t batch_samples, struct err *e);

#endif
