/*
 * The WAL record types Prometheus added after 2.42, as a float-only reader
 * needs them (tsdb/record/record.go and tsdb/docs/format/wal.md at
 * v3.14.0): float samples of SamplesV2 decoded, native histogram samples
 * reduced to their series and timestamp, exemplars, metadata and m-map
 * markers only checked for framing so a malformed record is still an error.
 *
 * The decoders read one record's body (after the type byte) from a cursor
 * and report each sample through a callback; nothing is allocated.
 */
#ifndef TSDB_WAL_RECORDS_H
#define TSDB_WAL_RECORDS_H

#include <stdint.h>

#include "1-common/bytes.h"
#include "1-common/err.h"

enum wal_rec_type {
	WAL_REC_SERIES = 1,
	WAL_REC_SAMPLES = 2,
	WAL_REC_TOMBSTONES = 3,
	WAL_REC_EXEMPLARS = 4,
	WAL_REC_MMAP_MARKERS = 5,
	WAL_REC_METADATA = 6,
	WAL_REC_HISTOGRAMS = 7,
	WAL_REC_FLOAT_HISTOGRAMS = 8,
	WAL_REC_CB_HISTOGRAMS = 9,        /* custom buckets (NHCB) */
	WAL_REC_CB_FLOAT_HISTOGRAMS = 10,
	WAL_REC_SAMPLES_V2 = 11,          /* with start timestamps */
	WAL_REC_HISTOGRAMS_V2 = 12,
	WAL_REC_FLOAT_HISTOGRAMS_V2 = 13,
};

typedef void (*wal_float_fn)(void *arg, uint64_t ref, int64_t t, uint64_t vbits);
typedef void (*wal_hist_fn)(void *arg, uint64_t ref, int64_t t);

/* SamplesV2 (samplesV2 of record.go): first sample ref, t, st as varints,
 * later ones deltas to the previous ref and the first t, and an ST marker. */
int wal_decode_samples_v2(struct cursor *c, wal_float_fn fn, void *arg, struct err *e);
/* Record types 7-10, 12 and 13: every histogram sample's ref and t. */
int wal_decode_histograms(int type, struct cursor *c, wal_hist_fn fn, void *arg, struct err *e);
/* Types 4-6: checks the framing of every entry; the contents are dropped. */
int wal_check_record(int type, struct cursor *c, struct err *e);

#endif
