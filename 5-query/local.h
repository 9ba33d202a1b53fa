/*
 * The evaluator as a query source (5-query/source.h) for the rules backfill's
 * --source-dir: range queries answered locally, with the timestamps, checks
 * and error words of a Prometheus 2.42 server's /api/v1/query_range as
 * promtool's API client would see them.
 *
 * promql_engine_source_new() returns a source the caller owns and frees
 * with query_source_free(); it borrows st, which must outlive it.
 * promql_engine_source_open_dir() opens a data directory itself and owns it.
 */
#ifndef QUERY_LOCAL_H
#define QUERY_LOCAL_H

#include <stdint.h>

#include "1-common/err.h"
#include "4-promql/eval.h"
#include "4-promql/storage.h"
#include "5-query/source.h"

struct tsdb_db;

/* The storage interface over an opened data directory (the db is
 * borrowed). */
struct promql_storage promql_tsdb_storage(struct tsdb_db *db);

/* opts may be NULL (5m lookback, 1m default subquery step); a zero
 * max_samples or timeout_ms gets a 2.42 server's default (50M, 2m). */
int promql_engine_source_new(struct query_source **out, const struct promql_storage *st,
			     const struct promql_engine_opts *opts, struct err *e);
/* Opens dir's blocks and head (tsdb_db_open) and serves queries from them. */
int promql_engine_source_open_dir(struct query_source **out, const char *dir,
				  const struct promql_engine_opts *opts, struct err *e);

/* The messages for the block directories of the data dir left out (see
 * struct tsdb_db's skipped); src must come from ..._open_dir(). */
char *const *promql_engine_source_skipped(const struct query_source *src, size_t *n);

/* Shared selections (see local.c) read from the keep (hits) and read
 * from the data (misses) by a source from ..._open_dir(); 0 and 0 for
 * others or without a plan. */
void promql_engine_source_cache_stats(struct query_source *src, uint64_t *hits, uint64_t *misses);

/*
 * The milliseconds a 2.42 server evaluates at for a time promtool sends:
 * the client formats Unix seconds as a float, the server rounds the
 * fraction to milliseconds (web/api/v1 parseTime).
 */
int64_t promql_api_time_ms(int64_t ns);
/* The step in milliseconds for a step promtool sends (float seconds,
 * parsed back to nanoseconds, then truncated). */
int64_t promql_api_step_ms(int64_t step_ns);

#endif
