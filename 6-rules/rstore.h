/*
 * The rule manager's storage: an in-memory series store that answers
 * queries as a Prometheus 2.42 head does and takes appends with the head
 * appender's checks, optionally layered over a read-only base storage (a
 * TSDB data directory for the rules backfill).
 *
 * What the rules write goes here, so that a later rule of the same
 * evaluation, a later group, the `query` template function and
 * `promtool test rules`' own queries see it, as they do in a live server.
 *
 * Series order: a head returns its series in creation order, so this store
 * does too.  Over a base, select() returns the base's series in the base's
 * order, samples of a stored series with the same labels merged into it
 * (equal timestamps reported once), then the stored series the base does
 * not have, in creation order; if the base is "sorted" (blocks take part,
 * 2.42's merge querier sorts), everything comes sorted by labels.
 *
 * Ownership: struct rstore owns its series; it borrows the base storage,
 * which must outlive it.  Series sets returned through rstore_storage()
 * point into the store and stay valid until the next append.
 */
#ifndef RULES_RSTORE_H
#define RULES_RSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "2-model/labels.h"
#include "4-promql/storage.h"

struct rstore;

/* base may be NULL. */
struct rstore *rstore_new(const struct promql_storage *base, bool base_sorted);
void rstore_free(struct rstore *s);

/*
 * Appends to the current batch, checked against committed samples as
 * 2.42's headAppender.Append does: a sample older than the series' last
 * is "out of order sample", one at the same time with other value bits is
 * "duplicate sample for timestamp", an identical one is accepted and
 * dropped.  Samples of the batch that do not advance their series are
 * dropped silently on commit, as memSeries.append drops them.  ls must be
 * sorted by name; it is copied.
 */
int rstore_append(struct rstore *s, const struct label *ls, size_t n, int64_t t, double v, struct err *e);
void rstore_commit(struct rstore *s);
/* The same, calling fn for every sample that was kept (in append order);
 * fn's non-zero return is passed on (the commit still completes). */
int rstore_commit_cb(struct rstore *s,
		     int (*fn)(void *arg, const struct label *ls, size_t n, int64_t t, double v, struct err *e),
		     void *arg, struct err *e);
/* Drops the uncommitted batch. */
void rstore_rollback(struct rstore *s);

/* The storage interface over this store (and its base). */
struct promql_storage rstore_storage(struct rstore *s);

/* Number of stored series and their labels, in creation order. */
size_t rstore_nseries(const struct rstore *s);
const struct label *rstore_series_labels(const struct rstore *s, size_t i, size_t *n);
/* The committed samples of series i. */
void rstore_series_samples(const struct rstore *s, size_t i, const int64_t **t, const double **v, size_t *n);
/*
 * Forgets committed samples older than t (all series), keeping at least
 * the last sample of each series so that append checks still hold.
 */
void rstore_trim(struct rstore *s, int64_t t);

#endif
