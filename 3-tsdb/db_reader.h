/*
 * Read-only access to a Prometheus data directory -- its blocks and its
 * head -- and the querier over it, with 2.42's semantics (tsdb.DBReadOnly,
 * DB.Querier, storage.NewMergeQuerier with ChainedSeriesMerge):
 *
 *   struct tsdb_db db;
 *   tsdb_db_open(&db, "data/", maxt, &e);
 *   tsdb_db_select(&db, matchers, n, mint, maxt, &set, &e);
 *   while ((r = tsdb_series_set_next(set, &e)) > 0) {
 *       ls = tsdb_series_set_labels(set, &nls);
 *       while ((r = tsdb_series_set_sample(set, &t, &v, &e)) > 0) ...
 *   }
 *   tsdb_series_set_free(set);
 *   tsdb_db_release(&db);
 *
 * Series come sorted by labels whenever more than one source (block or head)
 * takes part, as the merge querier sorts them; a lone head yields its series
 * in reference order, as 2.42 does.  Samples come in time order; samples of
 * one series that several sources hold at the same timestamp are reported
 * once, picked as 2.42's chainSampleIterator picks them.
 *
 * struct tsdb_db owns its blocks and head.  A series set borrows the db
 * (which must outlive it) and owns its buffers; labels and samples it
 * returns stay valid until the next call on it.
 */
#ifndef TSDB_DB_READER_H
#define TSDB_DB_READER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "2-model/labels.h"
#include "2-model/matcher.h"
#include "3-tsdb/block_reader.h"
#include "3-tsdb/head_reader.h"

struct tsdb_db {
	char *dir;
	struct tsdb_block *blocks; /* sorted by minTime */
	size_t nblocks;
	/*
	 * The block directories left out because their meta.json does not
	 * read, one message each: "skipping block '<dir>': <why>" (2.42
	 * skips them too, logging only to a logger promtool does not have).
	 */
	char **skipped;
	size_t nskipped;
	struct tsdb_head head;
	bool head_loaded;
	/* series skipped for holding native histograms (labels hashes; see
	 * tsdb_db_note_histogram_series), shared by concurrent queries */
	pthread_mutex_t hist_mu;
	uint64_t *hist_seen;
	size_t nhist_seen, hist_seen_cap;
};

void tsdb_db_init(struct tsdb_db *db);
/*
 * Opens every block of dir (2.42's DBReadOnly.Blocks: ULID-named
 * directories, a block that fails to open is "corrupted block <ulid>: ...").
 */
int tsdb_db_open_blocks(struct tsdb_db *db, const char *dir, struct err *e);
/*
 * Opens blocks, then loads the head when queries up to maxt reach past the
 * last block, as DBReadOnly.loadDataAsQueryable decides.
 */
int tsdb_db_open(struct tsdb_db *db, const char *dir, int64_t maxt, struct err *e);
void tsdb_db_release(struct tsdb_db *db);

struct tsdb_series_set;

/*
 * Series matching all matchers (a missing label matches as ""), with the
 * samples in [mint, maxt] (inclusive) minus deleted ranges.  Series without
 * any such chunk are skipped.
 */
int tsdb_db_select(struct tsdb_db *db, const struct label_matcher *m, size_t nm, int64_t mint, int64_t maxt,
		   struct tsdb_series_set **out, struct err *e);
/*
 * The same, of the series filter accepts: it sees each series' labels
 * (sorted; once per block or head holding it, always the same labels for
 * the same series) and est, an estimate of its samples in range (120 per
 * block chunk overlapping it, as 2.42 cuts them), before any of its chunks
 * is read; the chunks of a rejected series are never read (nor checked).
 */
int tsdb_db_select_filtered(struct tsdb_db *db, const struct label_matcher *m, size_t nm, int64_t mint, int64_t maxt,
			    bool (*filter)(void *arg, const struct label *ls, size_t n, size_t est), void *arg,
			    struct tsdb_series_set **out, struct err *e);
/*
 * The union of several matcher groups (3.x's repeated --match): a series is
 * selected when any group matches it; series always come sorted by labels.
 */
int tsdb_db_select_union(struct tsdb_db *db, const struct label_matcher *const *m, const size_t *nm, size_t ng,
			 int64_t mint, int64_t maxt, struct tsdb_series_set **out, struct err *e);
/* Advances to the next series: 1, 0 at the end, -1 on error. */
int tsdb_series_set_next(struct tsdb_series_set *s, struct err *e);
const struct label *tsdb_series_set_labels(const struct tsdb_series_set *s, size_t *n);
/* Next sample of the current series: 1, 0 at its end, -1 on error.
 * Iteration stops at the first non-float chunk, as promtool's dump loop
 * stops at the first non-float sample. */
int tsdb_series_set_sample(struct tsdb_series_set *s, int64_t *t, double *v, struct err *e);
/*
 * The same in bulk: the next samples of the current series into
 * t[0..cap) and v[0..cap), *n of them.  Returns 1 when it filled cap (call
 * again for the rest), 0 when the series has no more, -1 on error.
 */
int tsdb_series_set_read(struct tsdb_series_set *s, int64_t *t, double *v, size_t cap, size_t *n,
			 struct err *e);
/* At least as many samples as the current series yields (from its chunks'
 * headers), for sizing what tsdb_series_set_read() fills. */
size_t tsdb_series_set_max_samples(const struct tsdb_series_set *s);
void tsdb_series_set_free(struct tsdb_series_set *s);
/* Whether the current series' samples stopped at a native histogram sample
 * (a chunk of encoding 2 or 3, or a histogram record of the WAL): a float
 * reader then knows the series is not all floats.  Valid once its samples
 * were read to the end. */
bool tsdb_series_set_histograms(const struct tsdb_series_set *s);
/* Records series ls as one that float evaluation skipped for holding
 * native histograms; returns how many distinct series are recorded. */
size_t tsdb_db_note_histogram_series(struct tsdb_db *db, const struct label *ls, size_t n);
size_t tsdb_db_histogram_series(struct tsdb_db *db);

/* Whether a value satisfies a matcher (fast path for "(?s:.*)"). */
bool tsdb_matcher_matches(const struct label_matcher *m, const char *v);

#endif
