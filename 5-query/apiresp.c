/*
 * The /api/v1/query_range response body, decoded as promtool 2.42 decodes
 * it.  Its client (client_golang v1.14, api/prometheus/v1) unmarshals with
 * json-iterator in encoding/json-compatible mode:
 *
 *   1. apiResponse {status, data (raw), errorType, error, warnings}, field
 *      names matched case-insensitively, unknown fields skipped;
 *   2. queryResult.UnmarshalJSON on the raw "data" bytes: resultType, then
 *      "result" as model.Matrix, model.Vector or model.Scalar;
 *   3. every sample pair [t, "v"] through client_golang's decoder:
 *      model.Time.UnmarshalJSON on the number's text (seconds, the fraction
 *      cut or padded to exactly 3 digits -- not a float conversion) and
 *      strconv.ParseFloat on the string (NaN with Go's bits).
 *
 * Errors carry json-iterator's wording and its "error found in #N byte of
 * ...|peek|..., bigger context ...|context|..." suffix (5-query/jsoniter.c),
 * where peek is the 10 bytes either side of the read position and context
 * the 50 either side.  Syntax errors follow its strict Skip() paths; they
 * match promtool for the common cases (not JSON at all, empty body, a stray
 * bracket, a body cut short) and are close for the rest.
 *
 * We decode by hand rather than with jansson because promtool's semantics
 * need the number text and byte offsets that a DOM library discards, and
 * because keeping only compact (t, v) arrays instead of a tree keeps memory
 * to a fraction of the response size.
 */
#include "5-query/apiresp.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "5-query/jsoniter.h"

void api_resp_init(struct api_resp *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->strings);
}

void api_resp_release(struct api_resp *r)
{
	free(r->status);
	free(r->error_type);
	free(r->error);
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	free(r->result_type);
	free(r->series);
	free(r->label_name);
	free(r->label_value);
	free(r->t);
	free(r->v);
	buf_release(&r->strings);
	api_resp_init(r);
}

static char *take_string(struct jit *it, int *failed)
{
	struct buf b = BUF_INIT;
	if (jit_read_string(it, &b) < 0) {
		*failed = 1;
		buf_release(&b);
		return NULL;
	}
	buf_grow(&b, 1);
	return buf_detach(&b, NULL);
}

static void drop_warnings(struct api_resp *r)
{
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	r->warnings = NULL;
	r->nwarnings = 0;
}

/* jsoniter's sliceDecoder: a second "warnings" replaces the first, null
 * makes it nil again. */
static int decode_warnings(struct api_resp *r, struct jit *it)
{
	int c = jit_next_token(it), failed = 0;
	size_t cap = 0;
	if (c == 'n') {
		drop_warnings(r);
		return jit_skip_literal(it, "ull", "skipThreeBytes");
	}
	if (c != '[') {
		jit_report(it, "decode slice", "expect [ or n, but found %s", JIT_CH(c));
		return -1;
	}
	drop_warnings(r);
	c = jit_next_token(it);
	if (c == ']') {
		/* present but empty is still non-nil for promtool's check */
		r->warnings = xmalloc(sizeof(*r->warnings));
		return 0;
	}
	jit_unread(it);
	do {
		char *w = take_string(it, &failed);
		if (failed)
			return -1;
		ALLOC_GROW(r->warnings, r->nwarnings + 1, cap);
		r->warnings[r->nwarnings++] = w;
		c = jit_next_token(it);
	} while (c == ',');
	if (c != ']') {
		jit_report(it, "decode slice", "expect ] in the end, but found %s", JIT_CH(c));
		return -1;
	}
	return 0;
}

int api_resp_decode_envelope(struct api_resp *r, const char *body, size_t len, struct err *e)
{
	struct jit it;
	int c, failed = 0;

	jit_init(&it, body, len);
	c = jit_next_token(&it);
	if (c == 'n') {
		if (jit_skip_literal(&it, "ull", "skipThreeBytes") < 0)
			goto fail;
		goto end;
	}
	if (c != '{') {
		jit_report(&it, "readObjectStart", "expect { or n, but found %s", JIT_CH(c));
		goto fail;
	}
	c = jit_next_token(&it);
	if (c == '}')
		goto end;
	jit_unread(&it);
	/*
	 * jsoniter's generalStructDecoder (the case-insensitive config uses
	 * it): fields while a ',' follows; an error inside a field gets the
	 * type's prefix, a missing '}' afterwards does not.  Only the first
	 * error is kept, so decoding stops there.
	 */
	do {
		struct buf key = BUF_INIT;
		if (jit_read_string(&it, &key) < 0) {
			buf_release(&key);
			break;
		}
		c = jit_next_token(&it);
		if (c != ':') {
			/* the field's decoder still runs (and prefixes the error) */
			static const char *const known[][2] = {
				{ "status", "Status" }, { "errorType", "ErrorType" }, { "error", "Error" },
				{ "data", "Data" }, { "warnings", "Warnings" },
			};
			jit_report(&it, "ReadObject", "expect : after object field, but found %s", JIT_CH(c));
			for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
				if (!strcasecmp(buf_str(&key), known[i][0])) {
					if (i == 4)
						jit_wrap(&it, "[]string");
					jit_wrap(&it, known[i][1]);
				}
			buf_release(&key);
			break;
		}
		/* encoding/json-compatible: field names match case-insensitively. */
		if (!strcasecmp(buf_str(&key), "status")) {
			free(r->status);
			r->status = take_string(&it, &failed);
			jit_wrap(&it, "Status");
		} else if (!strcasecmp(buf_str(&key), "errorType")) {
			free(r->error_type);
			r->error_type = take_string(&it, &failed);
			jit_wrap(&it, "ErrorType");
		} else if (!strcasecmp(buf_str(&key), "error")) {
			free(r->error);
			r->error = take_string(&it, &failed);
			jit_wrap(&it, "Error");
		} else if (!strcasecmp(buf_str(&key), "data")) {
			size_t start;
			c = jit_next_token(&it);
			jit_unread(&it);
			start = it.head;
			if (c == 'n' && it.tail - it.head >= 4 && !memcmp(it.buf + it.head, "null", 4)) {
				it.head += 4;
				r->has_data = false;
			} else {
				failed = jit_skip(&it) < 0;
				r->data = body + start;
				r->data_len = it.head - start;
				r->has_data = true;
			}
			jit_wrap(&it, "Data");
		} else if (!strcasecmp(buf_str(&key), "warnings")) {
			failed = decode_warnings(r, &it) < 0;
			jit_wrap(&it, "[]string");
			jit_wrap(&it, "Warnings");
		} else {
			failed = jit_skip(&it) < 0;
		}
		buf_release(&key);
		if (failed || it.error)
			break;
		c = jit_next_token(&it);
	} while (c == ',');
	jit_wrap_type(&it, "v1.apiResponse");
	if (!it.error && c != '}')
		jit_report(&it, "struct Decode", "expect }, but found %s", JIT_CH(c));
	if (it.error)
		goto fail;
end:
	if (jit_next_token(&it) != 0) {
		jit_report(&it, "Unmarshal", "there are bytes left after unmarshal");
		goto fail;
	}
	return 0;
fail:
	err_set(e, "%s", it.error ? it.error : "malformed response");
	free(it.error);
	return -1;
}

/* --- the result ------------------------------------------------------- */

/*
 * model.Time.UnmarshalJSON on the number text: "<sec>[.<frac>]" with the
 * fraction cut or zero-padded to 3 digits; a leading '-' negates the sum
 * when it came out positive (upstream's way of keeping "-0.1" negative).
 */
int api_parse_model_time(const char *s, size_t len, int64_t *out, struct buf *errmsg)
{
	const char *dot = memchr(s, '.', len);
	char ip[32], fp[16];
	size_t il = dot ? (size_t)(dot - s) : len;
	char *end;
	long long v, va;

	if (dot && memchr(dot + 1, '.', len - il - 1)) {
		struct buf q = BUF_INIT;
		buf_add(&q, s, len);
		buf_addf(errmsg, "invalid time \"%s\"", buf_str(&q));
		buf_release(&q);
		return -1;
	}
	if (il >= sizeof(ip) || il == 0)
		goto bad_int;
	memcpy(ip, s, il);
	ip[il] = '\0';
	errno = 0;
	v = strtoll(ip, &end, 10);
	if (*end || (ip[0] == '+' && il == 1) || (ip[0] == '-' && il == 1))
		goto bad_int;
	if (errno == ERANGE) {
		buf_addf(errmsg, "strconv.ParseInt: parsing \"%s\": value out of range", ip);
		return -1;
	}
	/* Go's int64 v * second wraps */
	v = (long long)((unsigned long long)v * 1000u);
	if (!dot) {
		*out = v;
		return 0;
	}
	{
		size_t fl = len - il - 1;
		if (fl > 3)
			fl = 3;
		memcpy(fp, dot + 1, fl);
		while (fl < 3)
			fp[fl++] = '0';
		fp[3] = '\0';
		va = strtoll(fp, &end, 10);
		if (*end) {
			buf_addf(errmsg, "strconv.ParseInt: parsing \"%s\": invalid syntax", fp);
			return -1;
		}
	}
	/* Time(v+va) * -1, wrapping as Go's int64 does */
	v = (long long)((unsigned long long)v + (unsigned long long)va);
	if (ip[0] == '-' && v > 0)
		*out = (int64_t)(0 - (unsigned long long)v);
	else
		*out = v;
	return 0;
bad_int: {
	struct buf q = BUF_INIT;
	buf_add(&q, s, il);
	buf_addf(errmsg, "strconv.ParseInt: parsing \"%s\": invalid syntax", buf_str(&q));
	buf_release(&q);
	return -1;
}
}

static void add_sample(struct api_resp *r, int64_t t, double v)
{
	if (r->nsamples == r->samples_cap) {
		size_t cap = r->samples_cap ? r->samples_cap * 2 : 1024;
		r->t = xreallocarray(r->t, cap, sizeof(*r->t));
		r->v = xreallocarray(r->v, cap, sizeof(*r->v));
		r->samples_cap = cap;
	}
	r->t[r->nsamples] = t;
	r->v[r->nsamples] = v;
	r->nsamples++;
}

/* client_golang's unMarshalPointJSON: [<number>, "<float>"]. */
static int decode_pair(struct api_resp *r, struct jit *it)
{
	struct buf s = BUF_INIT, msg = BUF_INIT;
	size_t start;
	int64_t t;
	double v;
	int c = jit_next_token(it), rc = -1;

	if (c != '[') {
		jit_report(it, "unmarshal model.SamplePair", "SamplePair must be [timestamp, value]");
		goto done;
	}
	c = jit_next_token(it);
	if (!(c == '-' || (c >= '0' && c <= '9'))) {
		jit_report(it, "ReadNumber", "expect number, but found %s", JIT_CH(c));
		goto done;
	}
	start = it->head - 1;
	while (it->head < it->tail && jit_is_num_char(it->buf[it->head]))
		it->head++;
	if (api_parse_model_time(it->buf + start, it->head - start, &t, &msg) < 0) {
		jit_report(it, "unmarshal model.SamplePair", "%s", buf_str(&msg));
		goto done;
	}
	if (jit_next_token(it) != ',') {
		jit_report(it, "unmarshal model.SamplePair", "SamplePair missing value");
		goto done;
	}
	if (jit_read_string(it, &s) < 0)
		goto done;
	if (go_parse_float((const char *)s.data ? buf_str(&s) : "", s.len, &v) < 0) {
		struct buf q = BUF_INIT;
		go_quote(&q, buf_str(&s), s.len);
		jit_report(it, "unmarshal model.SamplePair", "strconv.ParseFloat: parsing %s: %s", buf_str(&q),
		       go_parse_float(buf_str(&s), s.len, &v) == -2 ? "value out of range" : "invalid syntax");
		buf_release(&q);
		goto done;
	}
	c = jit_next_token(it);
	if (c != ']') {
		jit_report(it, "unmarshal model.SamplePair", "SamplePair has too many values, must be [timestamp, value]");
		goto done;
	}
	add_sample(r, t, v);
	rc = 0;
done:
	buf_release(&s);
	buf_release(&msg);
	return rc;
}

static int decode_values(struct api_resp *r, struct jit *it)
{
	int c = jit_next_token(it);
	if (c == 'n')
		return jit_skip_literal(it, "ull", "skipThreeBytes");
	if (c != '[') {
		jit_report(it, "decode slice", "expect [ or n, but found %s", JIT_CH(c));
		return -1;
	}
	c = jit_next_token(it);
	if (c == ']')
		return 0;
	jit_unread(it);
	do {
		if (decode_pair(r, it) < 0)
			return -1;
		c = jit_next_token(it);
	} while (c == ',');
	if (c != ']') {
		jit_report(it, "decode slice", "expect ] in the end, but found %s", JIT_CH(c));
		return -1;
	}
	return 0;
}

struct metric_arg {
	struct api_resp *r;
	size_t *nlabels;
};

static void add_label(void *arg, size_t key, size_t value)
{
	struct metric_arg *m = arg;
	struct api_resp *r = m->r;

	if (r->nlabels == r->labels_cap) {
		size_t cap = r->labels_cap ? r->labels_cap * 2 : 64;
		r->label_name = xreallocarray(r->label_name, cap, sizeof(size_t));
		r->label_value = xreallocarray(r->label_value, cap, sizeof(size_t));
		r->labels_cap = cap;
	}
	r->label_name[r->nlabels] = key;
	r->label_value[r->nlabels] = value;
	r->nlabels++;
	(*m->nlabels)++;
}

/* A series' "metric": its labels' text straight into r->strings. */
static int decode_metric(struct api_resp *r, struct jit *it, size_t *nlabels)
{
	struct metric_arg m = { r, nlabels };

	return jit_read_string_map(it, &r->strings, add_label, &m, NULL);
}

/* model.Matrix: [{"metric": {...}, "values": [[t, "v"], ...]}, ...] */
static int decode_matrix(struct api_resp *r, struct jit *it)
{
	int c = jit_next_token(it);
	if (c == 'n')
		return jit_skip_literal(it, "ull", "skipThreeBytes");
	if (c != '[') {
		jit_report(it, "decode slice", "expect [ or n, but found %s", JIT_CH(c));
		jit_wrap(it, "model.Matrix");
		return -1;
	}
	c = jit_next_token(it);
	if (c == ']')
		return 0;
	jit_unread(it);
	do {
		struct api_series s = { r->nlabels, 0, r->nsamples, 0 };
		c = jit_next_token(it);
		if (c != '{') {
			jit_report(it, "readObjectStart", "expect { or n, but found %s", JIT_CH(c));
			goto fail;
		}
		c = jit_next_token(it);
		if (c != '}') {
			jit_unread(it);
			do {
				struct buf key = BUF_INIT;
				int bad;
				if (jit_read_string(it, &key) < 0 || jit_next_token(it) != ':') {
					buf_release(&key);
					if (!it->error)
						jit_report(it, "readFieldHash", "expect :, but found %s", JIT_CH(it->buf[it->head - 1]));
					goto fail;
				}
				if (!strcasecmp(buf_str(&key), "metric")) {
					bad = decode_metric(r, it, &s.nlabels);
					jit_wrap(it, "model.SampleStream.Metric");
				} else if (!strcasecmp(buf_str(&key), "values")) {
					bad = decode_values(r, it);
					jit_wrap(it, "[]model.SamplePair");
					jit_wrap(it, "model.SampleStream.Values");
				} else {
					bad = jit_skip(it);
				}
				buf_release(&key);
				if (bad)
					goto fail;
				c = jit_next_token(it);
			} while (c == ',');
			if (c != '}') {
				jit_report(it, "struct Decode", "expect }, but found %s", JIT_CH(c));
				goto fail;
			}
		}
		s.nsamples = r->nsamples - s.sample_off;
		ALLOC_GROW(r->series, r->nseries + 1, r->series_cap);
		r->series[r->nseries++] = s;
		c = jit_next_token(it);
	} while (c == ',');
	if (c != ']') {
		jit_report(it, "decode slice", "expect ] in the end, but found %s", JIT_CH(c));
		goto fail;
	}
	return 0;
fail:
	jit_wrap(it, "model.Matrix");
	return -1;
}

/*
 * queryResult.UnmarshalJSON.  Every failure inside it comes back out of
 * jsoniter's unmarshalerDecoder, which reports it again at the end of the
 * "data" bytes.
 */
int api_resp_decode_result(struct api_resp *r, struct err *e)
{
	struct jit outer, it;
	const char *result = NULL;
	size_t result_len = 0;
	int c, found_result = 0;
	char *inner = NULL;

	jit_init(&outer, r->has_data ? r->data : "", r->has_data ? r->data_len : 0);
	if (!r->has_data || r->data_len == 0) {
		/* Unmarshal of empty bytes: Skip finds nothing. */
		jit_report(&outer, "Skip", "do not know how to skip: %d", 0);
		goto fail;
	}
	/* Pass 1: the anonymous {resultType, result} struct. */
	jit_init(&it, r->data, r->data_len);
	c = jit_next_token(&it);
	if (c == 'n') {
		jit_skip_literal(&it, "ull", "skipThreeBytes");
	} else if (c != '{') {
		jit_report(&it, "readObjectStart", "expect { or n, but found %s", JIT_CH(c));
	} else if ((c = jit_next_token(&it)) != '}') {
		jit_unread(&it);
		do {
			struct buf key = BUF_INIT;
			if (jit_read_string(&it, &key) < 0 || jit_next_token(&it) != ':') {
				if (!it.error)
					jit_report(&it, "readFieldHash", "expect :, but found %s", JIT_CH(it.buf[it.head - 1]));
				buf_release(&key);
				break;
			}
			if (!strcasecmp(buf_str(&key), "resultType")) {
				struct buf t = BUF_INIT;
				if (jit_read_string(&it, &t) == 0) {
					free(r->result_type);
					buf_grow(&t, 1);
					r->result_type = buf_detach(&t, NULL);
				}
				buf_release(&t);
			} else if (!strcasecmp(buf_str(&key), "result")) {
				size_t start;
				jit_next_token(&it);
				jit_unread(&it);
				start = it.head;
				if (jit_skip(&it) == 0) {
					result = r->data + start;
					result_len = it.head - start;
					found_result = 1;
				}
			} else {
				jit_skip(&it);
			}
			buf_release(&key);
			if (it.error)
				break;
			c = jit_next_token(&it);
		} while (c == ',');
		if (!it.error && c != '}')
			jit_report(&it, "struct Decode", "expect }, but found %s", JIT_CH(c));
	}
	if (it.error) {
		inner = it.error;
		goto inner_fail;
	}
	if (!r->result_type)
		r->result_type = xstrdup("");
	if (!strcmp(r->result_type, "matrix")) {
		struct jit rit;
		if (!found_result)
			return 0; /* a nil matrix: no series */
		jit_init(&rit, result, result_len);
		if (decode_matrix(r, &rit) < 0 || (jit_next_token(&rit) != 0 && (jit_report(&rit, "Unmarshal", "there are bytes left after unmarshal"), 1))) {
			inner = rit.error;
			goto inner_fail;
		}
		return 0;
	}
	if (!strcmp(r->result_type, "vector") || !strcmp(r->result_type, "scalar")) {
		/* Decoded by promtool and then rejected as the wrong type; the
		 * contents do not matter beyond being JSON, which Skip checked. */
		return 0;
	}
	{
		struct buf q = BUF_INIT;
		go_quote(&q, r->result_type, strlen(r->result_type));
		inner = xasprintf("unexpected value type %s", buf_str(&q));
		buf_release(&q);
	}
inner_fail:
	outer.head = outer.tail;
	jit_report(&outer, "unmarshalerDecoder", "%s", inner ? inner : "malformed result");
	free(inner);
fail:
	err_set(e, "%s", outer.error);
	free(outer.error);
	return -1;
}

void api_resp_series_labels(const struct api_resp *r, size_t i, struct labels *out)
{
	const struct api_series *s = &r->series[i];
	const char *base = (const char *)r->strings.data;
	labels_reset(out);
	for (size_t j = 0; j < s->nlabels; j++)
		labels_add(out, base + r->label_name[s->label_off + j], base + r->label_value[s->label_off + j]);
}
