/*
 * The four questions `promtool query instant|range|series|labels` asks,
 * answered either by a Prometheus server through client_golang v1.14's v1
 * API calls (Query, QueryRange, Series, LabelValues: 5-query/query_remote.c)
 * or by our engine over a TSDB data directory, worded as a 2.42 server and
 * that client would answer (5-query/query_local.c).
 *
 * A struct query_api is owned by its creator and freed with
 * query_api_free() (accepts NULL).  A struct query_answer owns its value,
 * warnings and detail; query_answer_release() frees them.  Times are
 * promtool's time.Time values (sec, nsec); the step is in nanoseconds.
 */
#ifndef QUERY_QUERY_API_H
#define QUERY_QUERY_API_H

#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "1-common/gotime.h"
#include "5-query/query_value.h"

struct promql_engine_opts;

struct query_answer {
	struct query_value value;
	char **warnings; /* the answer's warnings, also when the call failed */
	size_t nwarnings;
	char *detail;    /* v1.Error.Detail of a failed call, or NULL */
};

void query_answer_init(struct query_answer *a);
void query_answer_release(struct query_answer *a);

struct query_api;

/*
 * Each returns 0 with the value in out, or -1 with e set to the text of
 * the error the v1 client returns (promtool prints it after "query
 * error: "), e.g. `bad_data: invalid parameter "query": 1:5: parse error:
 * unclosed left parenthesis`.
 */
struct query_api_ops {
	int (*instant)(struct query_api *api, const char *expr, const struct go_time *t, struct query_answer *out,
		       struct err *e);
	int (*range)(struct query_api *api, const char *expr, const struct go_time *start, const struct go_time *end,
		     int64_t step_ns, struct query_answer *out, struct err *e);
	int (*series)(struct query_api *api, const char *const *match, size_t nmatch, const struct go_time *start,
		      const struct go_time *end, struct query_answer *out, struct err *e);
	int (*label_values)(struct query_api *api, const char *name, const char *const *match, size_t nmatch,
			    const struct go_time *start, const struct go_time *end, struct query_answer *out,
			    struct err *e);
	void (*free)(struct query_api *api);
};

struct query_api {
	const struct query_api_ops *ops;
};

/*
 * A server at address (api.Config.Address: promtool's URL with "http"
 * put in for a missing scheme); every request carries the n extra headers
 * (Header.Add(keys[i], values[i])).  Fails as api.NewClient fails.
 */
int query_api_remote_new(struct query_api **out, const char *address, const char *const *keys,
			 const char *const *values, size_t n, struct err *e);
/* Our engine over the blocks and head of the data directory dir; opts
 * (may be NULL) as promql_engine_source_new() takes them. */
int query_api_local_open(struct query_api **out, const char *dir, const struct promql_engine_opts *opts,
			 struct err *e);

static inline void query_api_free(struct query_api *api)
{
	if (api)
		api->ops->free(api);
}

#endif
