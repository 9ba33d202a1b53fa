/*
 * A streaming OpenMetrics text parser with the exact behaviour of
 * Prometheus 2.42's model/textparse OpenMetricsParser (openmetricsparse.go
 * with the golex lexer of openmetricslex.l): same tokens, same entries, same
 * error messages ("expected equal, got \"EOF\"", "data does not end with
 * # EOF", ...).  Exemplars are validated and then ignored.
 *
 * The parser borrows the input bytes (typically an mmap of the file; only
 * the current line is ever touched) and owns its scratch buffers;
 * om_parser_release() frees them.  Labels returned by om_parser_metric()
 * live until the next om_parser_next() call.
 */
#ifndef BACKFILL_OPENMETRICS_H
#define BACKFILL_OPENMETRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "2-model/labels.h"

enum om_entry {
	OM_ENTRY_INVALID = -1,
	OM_ENTRY_TYPE,
	OM_ENTRY_HELP,
	OM_ENTRY_SERIES,
	OM_ENTRY_COMMENT,
	OM_ENTRY_UNIT,
};

struct om_parser {
	const unsigned char *b;
	size_t len;
	size_t i, start; /* lexer position and current token start */
	int state;       /* lexer start condition */
	bool final;      /* b ends where the input ends */
	bool hit_end;    /* the current entry touched the end of b */
	bool skip_values; /* validate sample values without computing them
			   * where that is cheaper (val is then 0) */

	/* the current series: name is b[start..name_end) */
	size_t series_start, name_end, series_end;
	size_t *offsets; /* label name start/end, value start/end, per label */
	size_t noffsets, offsets_cap;
	double val;
	int64_t ts;
	bool has_ts;
	/* meta entries: metric name span and text */
	size_t meta_name_start, meta_name_end;
	const unsigned char *text;
	size_t text_len;

	/* Metric() output */
	struct buf scratch;
	struct label *ls;
	size_t nls, ls_cap;
};

/* Parses data[0..len), the whole input. */
void om_parser_init(struct om_parser *p, const void *data, size_t len);
/*
 * Streaming: data[0..len) is a window of the input and parsing resumes at
 * pos, which must be an entry start.  When final is false the input goes on
 * after len, and om_parser_next() returns 2 ("need more") instead of parsing
 * an entry that reaches len; the caller then supplies a buffer starting at
 * (or before) that entry and calls again.
 */
void om_parser_set_buffer(struct om_parser *p, const void *data, size_t len, size_t pos, bool final);
void om_parser_release(struct om_parser *p);
/*
 * Parses the next entry.  Returns 0 with *out set, 1 at the end of input
 * ("# EOF" then nothing: Go's io.EOF), 2 when a streaming buffer needs more
 * data, or -1 with the message Next() of 2.42 returns.
 */
int om_parser_next(struct om_parser *p, enum om_entry *out, struct err *e);
/* Metric(): __name__ and the labels of the current series, unescaped
 * (\" \\ \n), sorted by name. */
void om_parser_metric(struct om_parser *p, const struct label **ls, size_t *n);
/* Byte offset where the next entry starts (for skipping regions). */
static inline size_t om_parser_pos(const struct om_parser *p) { return p->i; }
/* textparse.parseFloat (no error text): 0, or -1 when invalid. */
int om_parse_float(const unsigned char *s, size_t len, double *out);
/* Go's int64(f) on amd64 (timestamps are int64(seconds * 1000)). */
int64_t om_float_to_int64(double f);
/* Continues from pos, which must be the start of an entry. */
void om_parser_seek(struct om_parser *p, size_t pos);

#endif
