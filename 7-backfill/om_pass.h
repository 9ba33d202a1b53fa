/*
 * Internal to the OpenMetrics importer (om_import.c): the one pass over the
 * input.
 *
 * The file is cut at line starts into shares, parsed in parallel, one thread
 * each.  A share validates every entry exactly as 2.42's parser does (its
 * first error is the one a sequential pass meets first in that share) and
 * appends each sample to the block writer of the window holding its
 * timestamp, following backfill.go's per-window rules: samples in input
 * order, a commit after every max_samples samples of that window, the window
 * stopped at its first append error.  Those rules depend only on the order
 * of a window's own samples, so every window comes out as its own pass over
 * the whole file would have made it -- provided the share that built it is
 * the first one holding samples of it.  When an earlier share holds some
 * too, om_window_replay() appends the later share's samples of that window
 * (re-read from the regions of the file that hold them) after the earlier
 * share's.  In an input written scrape by scrape that is one window per
 * share boundary, and only its first few regions.
 *
 * Finished chunks of every window go to an unlinked file in the output
 * directory (when the filesystem offers O_TMPFILE) as soon as a window holds
 * more than 64 KiB of them, and are read back when its block is written, so
 * memory holds little more than the open chunk of each series per window.
 *
 * A share owns its windows (and their block writers), series texts,
 * regions, spill file and error; om_share_release() frees them, after the
 * windows taken from it.  Windows are handed
 * over by pointer: a caller that takes one sets its slot to NULL and frees
 * it with om_window_free().
 */
#ifndef BACKFILL_OM_PASS_H
#define BACKFILL_OM_PASS_H

#include <stdbool.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "2-model/labels.h"
#include "3-tsdb/block_writer.h"
#include "3-tsdb/head.h"

/* A stretch of whole entries (about 1 MiB) and the timestamps it holds. */
struct om_region {
	uint64_t start, end;
	int64_t min_ts, max_ts;
	bool has_samples;
};

/* One block window [k * bd, (k + 1) * bd) and the writer filling it. */
struct om_window {
	int64_t k;
	int64_t lo, hi;           /* inclusive bounds, saturated at int64's */
	struct block_writer *w;   /* NULL once failed */
	int samples;              /* appended since the last commit */
	bool failed;
	struct err e;             /* the window's error ("add sample: ...") */
};

/* Series texts as written ("name{a=\"b\"}") -> what a pass knows of them. */
struct om_series {
	uint64_t hash;
	uint64_t off;             /* the text in names.arena */
	uint32_t len;
	uint32_t next;            /* the series that followed it last time */
	uint32_t last_win;        /* window of its last sample, or UINT32_MAX */
	uint32_t last_ref;        /* its reference in that window's writer */
	struct label *ls;         /* owned */
	size_t nls;
};

struct om_names {
	struct om_series *s;
	size_t n, cap;
	uint32_t *table;          /* open addressing: index + 1 */
	size_t table_cap;
	struct buf arena;
};

struct om_share {
	/* set by the caller */
	int fd;
	uint64_t from, to;        /* entries starting in [from, to) */
	int64_t bd;               /* block duration */
	int max_samples;
	const char *output_dir;

	/* results */
	int rc;                   /* 0, or -1 with e: the share's first parse error */
	struct err e;
	int64_t lo, hi;           /* min and max timestamp; INT64_MAX/MIN if none */
	struct om_region *regions;
	size_t nregions, regions_cap;
	struct om_window **wins;
	size_t nwins, wins_cap;

	/* private to the pass */
	struct head_spill spill;  /* an unlinked file in output_dir, or fd -1 */
	struct om_names names;
	uint32_t *wtab;           /* window k -> index + 1 */
	size_t wtab_cap;
	struct om_window *cur;
	uint32_t cur_idx;
};

void om_share_init(struct om_share *sh);
void om_share_release(struct om_share *sh);
/* Runs the pass over one share (a pthread start routine). */
void *om_share_scan(void *sh);
/*
 * Appends the samples of window w that share `from` holds, in input order,
 * continuing w's commit count.  A failure is w's (failed, e), as in the
 * pass.  fd is the input.
 */
void om_window_replay(struct om_window *w, const struct om_share *from, int fd, int max_samples);
void om_window_free(struct om_window *w);

#endif
