/*
 * The query API of a Prometheus server, as client_golang v1.14's httpAPI
 * calls it for promtool 2.42 (api/prometheus/v1/api.go):
 *
 *   Query        POST /api/v1/query        query, time     (GET fallback)
 *   QueryRange   POST /api/v1/query_range  query, start, end, step
 *   Series       GET  /api/v1/series       match[]..., start, end
 *   LabelValues  GET  /api/v1/label/<name>/values  start, end, match[]...
 *
 * Times go as strconv.FormatFloat(sec + nsec/1e9, 'f', -1, 64), the step
 * as Duration.Seconds() the same way.  The "data" of the answer is then
 * decoded as the client decodes it with json-iterator: queryResult
 * (5-query/apiresp.c checks it and decodes matrices; vectors and scalars
 * are read here), []model.LabelSet (label names checked as
 * LabelSet.UnmarshalJSON does), model.LabelValues.  Malformed data gets
 * json-iterator's message for the common cases (the wrong JSON type at the
 * top, nothing at all); deeper damage is reported at the right place with
 * a message of the same form, not necessarily the same words.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "5-query/api_client.h"
#include "5-query/apiresp.h"
#include "5-query/jsoniter.h"
#include "5-query/query_api.h"

struct remote_api {
	struct query_api base;
	struct api_client *client;
};

void query_answer_init(struct query_answer *a)
{
	memset(a, 0, sizeof(*a));
	query_value_init(&a->value, QV_SCALAR);
}

void query_answer_release(struct query_answer *a)
{
	query_value_release(&a->value);
	for (size_t i = 0; i < a->nwarnings; i++)
		free(a->warnings[i]);
	free(a->warnings);
	free(a->detail);
	query_answer_init(a);
}

/* formatTime(t) */
static char *fmt_time(const struct go_time *t)
{
	struct buf b = BUF_INIT;

	go_fmt_f(&b, (double)t->sec + (double)t->nsec / 1e9);
	return buf_detach(&b, NULL);
}

/* ---- decoding the data ------------------------------------------------- */

static int fail_at(struct jit *it, struct err *e)
{
	err_set(e, "%s", it->error ? it->error : "malformed response");
	free(it->error);
	it->error = NULL;
	return -1;
}

struct offsets {
	size_t **offs, *n, *cap;
};

static void add_pair(void *arg, size_t key, size_t value)
{
	struct offsets *o = arg;

	ALLOC_GROW(*o->offs, *o->n + 2, *o->cap);
	(*o->offs)[(*o->n)++] = key;
	(*o->offs)[(*o->n)++] = value;
}

/* A JSON object of strings into labels: text in strs, offsets in *offs. */
static int read_map(struct jit *it, struct buf *strs, size_t **offs, size_t *n, size_t *cap, bool *nil)
{
	struct offsets o = { offs, n, cap };

	return jit_read_string_map(it, strs, add_pair, &o, nil);
}

/* Adds an item with the labels read_map() collected. */
static struct qv_item *add_map_item(struct query_value *qv, const struct buf *strs, const size_t *offs, size_t n)
{
	struct label *ls = xcalloc(n / 2 + 1, sizeof(*ls));
	struct qv_item *item;

	for (size_t i = 0; i < n / 2; i++) {
		ls[i].name = (const char *)strs->data + offs[2 * i];
		ls[i].value = (const char *)strs->data + offs[2 * i + 1];
	}
	item = query_value_add_item(qv, ls, n / 2);
	free(ls);
	return item;
}

/* [<time>, "<value>"]: model.Time.UnmarshalJSON and ParseFloat. */
static int read_pair(struct jit *it, const char *op, int64_t *t, double *v)
{
	struct buf s = BUF_INIT, msg = BUF_INIT;
	size_t start;
	int c = jit_next_token(it), rc = -1;

	if (c != '[') {
		jit_report(it, op, "sample must be [timestamp, value]");
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
	if (api_parse_model_time(it->buf + start, it->head - start, t, &msg) < 0) {
		jit_report(it, op, "%s", buf_str(&msg));
		goto done;
	}
	if (jit_next_token(it) != ',') {
		jit_report(it, op, "sample missing value");
		goto done;
	}
	if (jit_read_string(it, &s) < 0)
		goto done;
	if (go_parse_float(buf_str(&s), s.len, v) < 0) {
		struct buf q = BUF_INIT;
		go_quote(&q, buf_str(&s), s.len);
		jit_report(it, op, "strconv.ParseFloat: parsing %s: invalid syntax", buf_str(&q));
		buf_release(&q);
		goto done;
	}
	if (jit_next_token(it) != ']') {
		jit_report(it, op, "sample has too many values, must be [timestamp, value]");
		goto done;
	}
	rc = 0;
done:
	buf_release(&s);
	buf_release(&msg);
	return rc;
}

/* model.Vector: [{"metric": {...}, "value": [t, "v"]}, ...] */
static int decode_vector(struct query_value *qv, struct jit *it)
{
	struct buf strs = BUF_INIT;
	size_t *offs = NULL, noffs = 0, cap = 0;
	int c = jit_next_token(it), rc = -1;

	if (c == 'n') {
		qv->nil = true;
		return jit_skip_literal(it, "ull", "skipThreeBytes");
	}
	if (c != '[') {
		jit_report(it, "decode slice", "expect [ or n, but found %s", JIT_CH(c));
		return -1;
	}
	if ((c = jit_next_token(it)) == ']')
		return 0;
	jit_unread(it);
	do {
		int64_t t = 0;
		double v = 0;
		bool nil = true;
		struct qv_item *item;

		buf_reset(&strs);
		noffs = 0;
		if (jit_next_token(it) != '{') {
			jit_report(it, "unmarshalerDecoder", "expect { for a sample");
			goto done;
		}
		if ((c = jit_next_token(it)) != '}') {
			jit_unread(it);
			do {
				struct buf key = BUF_INIT;
				int bad;
				if (jit_read_string(it, &key) < 0 || jit_next_token(it) != ':') {
					buf_release(&key);
					if (!it->error)
						jit_report(it, "unmarshalerDecoder", "expect : after object field");
					goto done;
				}
				if (!strcasecmp(buf_str(&key), "metric"))
					bad = read_map(it, &strs, &offs, &noffs, &cap, &nil);
				else if (!strcasecmp(buf_str(&key), "value"))
					bad = read_pair(it, "unmarshalerDecoder", &t, &v);
				else
					bad = jit_skip(it);
				buf_release(&key);
				if (bad)
					goto done;
				c = jit_next_token(it);
			} while (c == ',');
			if (c != '}') {
				jit_report(it, "unmarshalerDecoder", "expect } after a sample");
				goto done;
			}
		}
		item = add_map_item(qv, &strs, offs, noffs);
		item->labels_nil = nil;
		query_value_add_sample(qv, t, v);
		c = jit_next_token(it);
	} while (c == ',');
	if (c != ']') {
		jit_report(it, "decode slice", "expect ] in the end, but found %s", JIT_CH(c));
		goto done;
	}
	rc = 0;
done:
	buf_release(&strs);
	free(offs);
	return rc;
}

/* The raw bytes of the "result" field of the queryResult in data. */
static void find_result(const struct api_resp *r, const char **out, size_t *len)
{
	struct jit it;
	int c;

	*out = NULL;
	*len = 0;
	jit_init(&it, r->data, r->data_len);
	if (jit_next_token(&it) != '{' || jit_next_token(&it) == '}')
		return;
	jit_unread(&it);
	do {
		struct buf key = BUF_INIT;
		if (jit_read_string(&it, &key) < 0 || jit_next_token(&it) != ':') {
			buf_release(&key);
			break;
		}
		jit_next_token(&it);
		jit_unread(&it);
		if (!strcasecmp(buf_str(&key), "result")) {
			*out = it.buf + it.head;
			if (jit_skip(&it) == 0)
				*len = (size_t)(it.buf + it.head - *out);
		} else {
			jit_skip(&it);
		}
		buf_release(&key);
		c = jit_next_token(&it);
	} while (!it.error && c == ',');
	free(it.error);
}

/* queryResult: Query's and QueryRange's answer. */
static int decode_query_result(struct query_value *qv, struct api_resp *r, struct err *e)
{
	const char *res;
	size_t len;
	struct jit it;

	if (api_resp_decode_result(r, e) < 0)
		return -1;
	find_result(r, &res, &len);
	if (!strcmp(r->result_type, "matrix")) {
		struct labels ls = LABELS_INIT;
		qv->kind = QV_MATRIX;
		for (size_t i = 0; i < r->nseries; i++) {
			api_resp_series_labels(r, i, &ls);
			query_value_add_item(qv, ls.v, ls.n);
			for (size_t j = 0; j < r->series[i].nsamples; j++)
				query_value_add_sample(qv, r->t[r->series[i].sample_off + j],
						       r->v[r->series[i].sample_off + j]);
		}
		labels_release(&ls);
		if (len == 4 && !memcmp(res, "null", 4))
			qv->nil = true;
		return 0;
	}
	jit_init(&it, res ? res : "", len);
	if (!strcmp(r->result_type, "vector")) {
		qv->kind = QV_VECTOR;
		if (decode_vector(qv, &it) < 0) {
			jit_wrap(&it, "model.Vector");
			return fail_at(&it, e);
		}
		return 0;
	}
	/* "scalar": [t, "v"] through Scalar.UnmarshalJSON */
	qv->kind = QV_SCALAR;
	{
		int64_t t = 0;
		double v = 0;
		if (read_pair(&it, "unmarshalerDecoder", &t, &v) < 0)
			return fail_at(&it, e);
		query_value_add_sample(qv, t, v);
	}
	return 0;
}

/* The data as []model.LabelSet (Series). */
static int decode_labelsets(struct query_value *qv, const struct api_resp *r, struct err *e)
{
	struct jit it;
	struct buf strs = BUF_INIT;
	size_t *offs = NULL, noffs = 0, cap = 0;
	int c, rc = -1;

	qv->kind = QV_LABELSETS;
	jit_init(&it, r->has_data ? r->data : "", r->has_data ? r->data_len : 0);
	c = jit_next_token(&it);
	if (c == 'n') {
		qv->nil = true;
		if (jit_skip_literal(&it, "ull", "skipThreeBytes") < 0)
			goto fail;
		return 0;
	}
	if (c != '[') {
		jit_report(&it, "decode slice", "expect [ or n, but found %s", JIT_CH(c));
		goto fail;
	}
	if ((c = jit_next_token(&it)) != ']') {
		jit_unread(&it);
		do {
			bool nil;
			struct qv_item *item;
			buf_reset(&strs);
			noffs = 0;
			if (read_map(&it, &strs, &offs, &noffs, &cap, &nil) < 0) {
				jit_wrap(&it, "unmarshalerDecoder");
				goto fail;
			}
			for (size_t i = 0; i < noffs; i += 2) {
				const char *name = (const char *)strs.data + offs[i];
				if (!labels_valid_name(name)) {
					struct buf q = BUF_INIT;
					go_quote(&q, name, strlen(name));
					jit_report(&it, "unmarshalerDecoder", "%s is not a valid label name", buf_str(&q));
					buf_release(&q);
					goto fail;
				}
			}
			item = add_map_item(qv, &strs, offs, noffs);
			item->labels_nil = nil;
			c = jit_next_token(&it);
		} while (c == ',');
		if (c != ']') {
			jit_report(&it, "decode slice", "expect ] in the end, but found %s", JIT_CH(c));
			goto fail;
		}
	}
	rc = 0;
	goto done;
fail:
	jit_wrap(&it, "[]model.LabelSet");
	fail_at(&it, e);
done:
	buf_release(&strs);
	free(offs);
	return rc;
}

/* The data as model.LabelValues (LabelValues). */
static int decode_strings(struct query_value *qv, const struct api_resp *r, struct err *e)
{
	struct jit it;
	struct buf s = BUF_INIT;
	int c;

	qv->kind = QV_STRINGS;
	jit_init(&it, r->has_data ? r->data : "", r->has_data ? r->data_len : 0);
	c = jit_next_token(&it);
	if (c == 'n') {
		qv->nil = true;
		if (jit_skip_literal(&it, "ull", "skipThreeBytes") < 0)
			goto fail;
		return 0;
	}
	if (c != '[') {
		jit_report(&it, "decode slice", "expect [ or n, but found %s", JIT_CH(c));
		goto fail;
	}
	if ((c = jit_next_token(&it)) != ']') {
		jit_unread(&it);
		do {
			buf_reset(&s);
			if (jit_read_string(&it, &s) < 0)
				goto fail;
			query_value_add_string(qv, buf_str(&s), s.len);
			c = jit_next_token(&it);
		} while (c == ',');
		if (c != ']') {
			jit_report(&it, "decode slice", "expect ] in the end, but found %s", JIT_CH(c));
			goto fail;
		}
	}
	buf_release(&s);
	return 0;
fail:
	buf_release(&s);
	jit_wrap(&it, "model.LabelValues");
	return fail_at(&it, e);
}

/* ---- the calls ----------------------------------------------------------- */

enum decoder { DEC_QUERY, DEC_LABELSETS, DEC_STRINGS };

static int call(struct query_api *api, const char *endpoint, const char *name_arg, const struct api_param *p,
		size_t n, bool post, enum decoder dec, struct query_answer *out, struct err *e)
{
	struct remote_api *r = (struct remote_api *)api;
	struct api_reply reply;
	int rc = -1;

	api_reply_init(&reply);
	if (api_client_call(r->client, endpoint, name_arg, p, n, post, &reply, e) == 0) {
		if (dec == DEC_QUERY)
			rc = decode_query_result(&out->value, &reply.resp, e);
		else if (dec == DEC_LABELSETS)
			rc = decode_labelsets(&out->value, &reply.resp, e);
		else
			rc = decode_strings(&out->value, &reply.resp, e);
	}
	if (reply.resp.nwarnings) {
		out->warnings = reply.resp.warnings;
		out->nwarnings = reply.resp.nwarnings;
		reply.resp.warnings = NULL;
		reply.resp.nwarnings = 0;
	}
	out->detail = reply.detail;
	reply.detail = NULL;
	api_reply_release(&reply);
	return rc;
}

static int remote_instant(struct query_api *api, const char *expr, const struct go_time *t, struct query_answer *out,
			  struct err *e)
{
	char *ts = fmt_time(t);
	struct api_param p[] = { { "query", expr, false }, { "time", ts, false } };
	int rc = call(api, "/api/v1/query", NULL, p, 2, true, DEC_QUERY, out, e);

	free(ts);
	return rc;
}

static int remote_range(struct query_api *api, const char *expr, const struct go_time *start,
			const struct go_time *end, int64_t step_ns, struct query_answer *out, struct err *e)
{
	char *s = fmt_time(start), *en = fmt_time(end);
	struct buf step = BUF_INIT;
	int rc;

	/* Duration.Seconds(): whole seconds plus the nanosecond remainder */
	go_fmt_f(&step, (double)(step_ns / 1000000000) + (double)(step_ns % 1000000000) / 1e9);
	{
		struct api_param p[] = {
			{ "query", expr, false }, { "start", s, false }, { "end", en, false },
			{ "step", buf_str(&step), false },
		};
		rc = call(api, "/api/v1/query_range", NULL, p, 4, true, DEC_QUERY, out, e);
	}
	free(s);
	free(en);
	buf_release(&step);
	return rc;
}

/* Series and LabelValues: match[] and the times, in each one's order. */
static int remote_list(struct query_api *api, const char *name, const char *const *match, size_t nmatch,
		       const struct go_time *start, const struct go_time *end, struct query_answer *out,
		       struct err *e)
{
	struct api_param *p = xcalloc(nmatch + 2, sizeof(*p));
	char *s = fmt_time(start), *en = fmt_time(end);
	size_t n = 0;
	int rc;

	if (name) {
		/* LabelValues sets start and end first, then adds match[] */
		p[n++] = (struct api_param){ "start", s, false };
		p[n++] = (struct api_param){ "end", en, false };
	}
	for (size_t i = 0; i < nmatch; i++)
		p[n++] = (struct api_param){ "match[]", match[i], true };
	if (!name) {
		p[n++] = (struct api_param){ "start", s, false };
		p[n++] = (struct api_param){ "end", en, false };
		rc = call(api, "/api/v1/series", NULL, p, n, false, DEC_LABELSETS, out, e);
	} else {
		rc = call(api, "/api/v1/label/:name/values", name, p, n, false, DEC_STRINGS, out, e);
	}
	free(p);
	free(s);
	free(en);
	return rc;
}

static int remote_series(struct query_api *api, const char *const *match, size_t nmatch, const struct go_time *start,
			 const struct go_time *end, struct query_answer *out, struct err *e)
{
	return remote_list(api, NULL, match, nmatch, start, end, out, e);
}

static int remote_label_values(struct query_api *api, const char *name, const char *const *match, size_t nmatch,
			       const struct go_time *start, const struct go_time *end, struct query_answer *out,
			       struct err *e)
{
	return remote_list(api, name, match, nmatch, start, end, out, e);
}

static void remote_free(struct query_api *api)
{
	struct remote_api *r = (struct remote_api *)api;

	api_client_free(r->client);
	free(r);
}

static const struct query_api_ops remote_ops = {
	remote_instant, remote_range, remote_series, remote_label_values, remote_free,
};

int query_api_remote_new(struct query_api **out, const char *address, const char *const *keys,
			 const char *const *values, size_t n, struct err *e)
{
	struct remote_api *r = xcalloc(1, sizeof(*r));

	*out = NULL;
	r->base.ops = &remote_ops;
	if (api_client_new(&r->client, address, e) < 0) {
		free(r);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		api_client_add_header(r->client, keys[i], values[i]);
	*out = &r->base;
	return 0;
}
