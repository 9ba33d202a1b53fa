/*
 * Decoding a Prometheus HTTP API response body (/api/v1/query_range) the
 * way promtool 2.42's client does: client_golang v1.14's apiResponse and
 * queryResult decoded with json-iterator in its encoding/json-compatible
 * mode, samples through prometheus/common v0.39's model.Time parsing.
 *
 * Internal to query/: used by the remote source (5-query/remote.c) and the
 * query commands' decoder (5-query/query_decode.c).
 * Messages hold a NUL byte Go would print (at end of input) as the two
 * bytes C0 80, which valid UTF-8 never contains.
 *
 * struct api_resp owns everything it holds, including the decoded series;
 * api_resp_release() frees it.
 */
#ifndef QUERY_APIRESP_H
#define QUERY_APIRESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "2-model/labels.h"

struct api_series {
	size_t label_off, nlabels;   /* into api_resp.labels */
	size_t sample_off, nsamples; /* into api_resp.t / .v */
};

struct api_resp {
	/* the envelope */
	char *status, *error_type, *error;
	char **warnings;
	size_t nwarnings;
	const char *data;   /* raw bytes of "data" inside the body (not owned) */
	size_t data_len;
	bool has_data;
	/* the result */
	char *result_type;
	struct api_series *series;
	size_t nseries, series_cap;
	size_t *label_name, *label_value; /* offsets into strings */
	size_t nlabels, labels_cap;
	struct buf strings;
	int64_t *t;
	double *v;
	size_t nsamples, samples_cap;
};

void api_resp_init(struct api_resp *r);
void api_resp_release(struct api_resp *r);

/*
 * Decodes the envelope of body[0..len) (status, errorType, error,
 * warnings, and where "data" lies).  On malformed JSON sets e to the text
 * json-iterator reports (e.g. "readObjectStart: expect { or n, but found <,
 * error found in #1 byte of ...|<html>|..., bigger context ...|<html>|...")
 * and returns -1.  body must outlive r.
 */
int api_resp_decode_envelope(struct api_resp *r, const char *body, size_t len, struct err *e);

/*
 * Decodes r->data as a queryResult: resultType, and for "matrix" every
 * series.  Errors are those QueryRange returns ("unmarshalerDecoder:
 * unexpected value type \"string\", error found in ...").
 */
int api_resp_decode_result(struct api_resp *r, struct err *e);

/*
 * model.Time.UnmarshalJSON on a number's text s[0..len) (seconds; the
 * fraction cut or zero-padded to 3 digits): milliseconds in *out, or -1
 * with Go's message appended to errmsg.
 */
int api_parse_model_time(const char *s, size_t len, int64_t *out, struct buf *errmsg);

/* The labels of series i, pointing into r (valid until r changes). */
void api_resp_series_labels(const struct api_resp *r, size_t i, struct labels *out);

#endif
