/*
 * push metrics' request: the WriteRequest protobuf encoded by hand and
 * one POST of it (see remote_write.h for what each part follows upstream).
 *
 * The messages (prompb/remote.proto, types.proto), proto3 as gogo's Marshal
 * writes them: fields in number order, zero scalars and empty strings left
 * out.
 *   WriteRequest   1: repeated TimeSeries  3: repeated MetricMetadata
 *   TimeSeries     1: repeated Label       2: repeated Sample
 *   Label          1: name                 2: value
 *   Sample         1: double value (fixed64 LE)  2: int64 timestamp (varint)
 *   MetricMetadata 1: type (enum)  2: metric_family_name  4: help
 * Example: "up 1 1000", no --label: one series {__name__="up"} 1 @ 1000 ms
 * and the family's metadata (untyped: type 0, left out):
 *   0a 1e                      TimeSeries, 30 bytes
 *     0a 0e                    Label, 14 bytes
 *       0a 08 "__name__"  12 02 "up"
 *     12 0c                    Sample, 12 bytes
 *       09 00 00 00 00 00 00 f0 3f   10 e8 07
 *   1a 04  12 02 "up"          MetricMetadata
 */
#include "5-query/remote_write.h"

#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "1-common/bytes.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "5-query/curl_dl.h"
#include "5-query/gourl.h"

/* ---- the request ---- */

struct kv {
	const char *name, *value;
};

struct series_ctx {
	struct buf *ts, *msg; /* scratch for one TimeSeries and one nested message */
	struct kv *sorted;
	size_t sorted_cap;
};

static void put_bytes_field(struct buf *b, unsigned field, const void *p, size_t n)
{
	if (!n)
		return;
	buf_put_uvarint(b, (uint64_t)field << 3 | 2);
	buf_put_uvarint(b, n);
	buf_add(b, p, n);
}

static void put_str_field(struct buf *b, unsigned field, const char *s)
{
	put_bytes_field(b, field, s, strlen(s));
}

/* a map[string]string set: replaces the value of a name already there */
static void kv_set(struct kv **arr, size_t *n, size_t *cap, const char *name, const char *value)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*arr)[i].name, name)) {
			(*arr)[i].value = value;
			return;
		}
	ALLOC_GROW(*arr, *n + 1, *cap);
	(*arr)[(*n)++] = (struct kv){ name, value };
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->name, ((const struct kv *)b)->name);
}

/* toTimeseries: one series of one sample, labels sorted by name */
static void put_series(struct buf *out, struct series_ctx *sc, const struct kv *ls, size_t n, int64_t ts, double v)
{
	ALLOC_GROW(sc->sorted, n, sc->sorted_cap);
	memcpy(sc->sorted, ls, n * sizeof(*ls));
	qsort(sc->sorted, n, sizeof(*sc->sorted), cmp_kv);
	buf_reset(sc->ts);
	for (size_t i = 0; i < n; i++) {
		buf_reset(sc->msg);
		put_str_field(sc->msg, 1, sc->sorted[i].name);
		put_str_field(sc->msg, 2, sc->sorted[i].value);
		buf_put_uvarint(sc->ts, 1 << 3 | 2);
		buf_put_uvarint(sc->ts, sc->msg->len);
		buf_add(sc->ts, sc->msg->data, sc->msg->len);
	}
	buf_reset(sc->msg);
	if (v != 0 || v != v) {
		uint64_t bits = double_bits(v);
		buf_addc(sc->msg, 1 << 3 | 1);
		for (int i = 0; i < 8; i++)
			buf_addc(sc->msg, (unsigned char)(bits >> (8 * i)));
	}
	if (ts) {
		buf_addc(sc->msg, 2 << 3);
		buf_put_uvarint(sc->msg, (uint64_t)ts);
	}
	buf_put_uvarint(sc->ts, 2 << 3 | 2);
	buf_put_uvarint(sc->ts, sc->msg->len);
	buf_add(sc->ts, sc->msg->data, sc->msg->len);
	put_bytes_field(out, 1, sc->ts->data, sc->ts->len);
}

/* MetricMetadataTypeValue[Type.String()]: 0 for UNTYPED and GAUGE_HISTOGRAM */
static int metadata_type(enum expfmt_type t)
{
	switch (t) {
	case EXPFMT_COUNTER: return 1;
	case EXPFMT_GAUGE: return 2;
	case EXPFMT_HISTOGRAM: return 3;
	case EXPFMT_SUMMARY: return 5;
	default: return 0;
	}
}

void remote_write_request(struct buf *out, const struct expfmt *x, const struct rhttp_header *extra, size_t nextra,
			  int64_t now_ms)
{
	const struct expfmt_family **fams = expfmt_sorted(x);
	struct buf meta = BUF_INIT, one = BUF_INIT, tsb = BUF_INIT, msg = BUF_INIT, names = BUF_INIT;
	struct series_ctx sc = { &tsb, &msg, NULL, 0 };
	struct kv *ls = NULL;
	size_t nls = 0, cap = 0;
	char at[GO_FMT_G_MAX + 1];

	for (size_t fi = 0; fi < x->nfamilies; fi++) {
		const struct expfmt_family *f = fams[fi];
		int mt = metadata_type(f->type);

		buf_reset(&one);
		if (mt) {
			buf_addc(&one, 1 << 3);
			buf_put_uvarint(&one, (uint64_t)mt);
		}
		put_str_field(&one, 2, f->name);
		if (f->help)
			put_str_field(&one, 4, f->help);
		buf_put_uvarint(&meta, 3 << 3 | 2);
		buf_put_uvarint(&meta, one.len);
		buf_add(&meta, one.data, one.len);

		for (size_t mi = 0; mi < f->nmetrics; mi++) {
			const struct expfmt_metric *m = &f->metrics[mi];
			int64_t ts = m->has_ts && m->ts_ms ? m->ts_ms : now_ms;
			const char *name;
			size_t base;

			/* makeLabelsMap */
			nls = 0;
			kv_set(&ls, &nls, &cap, "__name__", f->name);
			for (size_t i = 0; i < nextra; i++)
				kv_set(&ls, &nls, &cap, extra[i].name, extra[i].value);
			for (size_t i = 0; i < m->nlabels; i++)
				kv_set(&ls, &nls, &cap, strcmp(m->labels[i].name, "job") ? m->labels[i].name : "exported_job",
				       m->labels[i].value ? m->labels[i].value : "");
			if (m->has_value) {
				put_series(out, &sc, ls, nls, ts, m->value);
				continue;
			}
			if (!m->has_agg)
				continue;
			/* the quantile/bucket series: a copy of the labels plus quantile or le */
			name = ls[0].value; /* __name__ is always the first set */
			base = nls;
			for (size_t pi = 0; pi < m->npoints; pi++) {
				size_t k = go_fmt_g_to(at, m->points[pi].at);
				at[k] = 0;
				nls = base;
				if (f->type == EXPFMT_SUMMARY) {
					kv_set(&ls, &nls, &cap, "quantile", at);
					put_series(out, &sc, ls, nls, ts, m->points[pi].value);
				} else {
					/* bucketLabels[__name__] = metricName + "_bucket";
					 * the _sum and _count below set it again */
					buf_reset(&names);
					buf_adds(&names, name);
					buf_adds(&names, "_bucket");
					kv_set(&ls, &nls, &cap, "__name__", buf_str(&names));
					kv_set(&ls, &nls, &cap, "le", at);
					put_series(out, &sc, ls, nls, ts, m->points[pi].value);
				}
			}
			nls = base;
			{
				/* labels[__name__] = metricName + "_sum" / "_count" */
				char *s = xasprintf("%s_sum", name), *c = xasprintf("%s_count", name);
				kv_set(&ls, &nls, &cap, "__name__", s);
				put_series(out, &sc, ls, nls, ts, m->sum);
				kv_set(&ls, &nls, &cap, "__name__", c);
				put_series(out, &sc, ls, nls, ts, (double)m->count);
				free(s);
				free(c);
			}
		}
	}
	buf_add(out, meta.data, meta.len);
	free(ls);
	free(sc.sorted);
	free(fams);
	buf_release(&meta);
	buf_release(&one);
	buf_release(&tsb);
	buf_release(&msg);
	buf_release(&names);
}

/* ---- the POST ---- */

/* textproto.CanonicalMIMEHeaderKey, which Header.Set applies */
static char *canonical_key(const char *k)
{
	char *out = xstrdup(k);
	bool upper = true;

	for (const char *p = k; *p; p++)
		if (*p == ' ' || (unsigned char)*p >= 0x80 || strchr("\"(),/:;<=>?@[\\]{}", *p) || *p < 0x21)
			return out; /* not a token: left as it is */
	for (char *p = out; *p; p++) {
		if (upper && *p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		else if (!upper && *p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		upper = *p == '-';
	}
	return out;
}

int remote_write_store(const struct remote_write_opts *o, const void *req, size_t len, struct err *e)
{
	static const char *const fixed[][2] = {
		{ "Content-Encoding", "snappy" },
		{ "Content-Type", "application/x-protobuf" },
		{ "User-Agent", NULL },
		{ "X-Prometheus-Remote-Write-Version", "0.1.0" },
	};
	struct go_url u;
	bool have_u = false;
	struct buf wire = BUF_INIT, shown = BUF_INIT, body = BUF_INIT, line = BUF_INIT;
	struct rhttp_header *hs = NULL;
	size_t nhs = 0, hcap = 0;
	struct http_config cfg;
	bool have_cfg = false;
	struct rhttp h;
	struct rhttp_result res;
	char *auth = NULL, *comp = NULL;
	size_t clen;
	int ret = -1;

	memset(&h, 0, sizeof(h));
	if (go_url_parse(&u, o->url, e))
		goto done;
	have_u = true;
	go_url_format(&shown, &u, true);
	{
		struct go_url w = u;
		w.user = w.password = w.fragment = NULL;
		go_url_format(&wire, &w, false);
	}
	if (len > snappy_max_compressed_length(len) || snappy_max_compressed_length(len) > SIZE_MAX / 2) {
		err_set(e, "remote write request of %zu bytes is too large", len);
		goto done;
	}
	clen = snappy_max_compressed_length(len);
	comp = xmalloc(clen ? clen : 1);
	if (snappy_compress(req, len, comp, &clen) != SNAPPY_OK) {
		err_set(e, "snappy: cannot compress the remote write request");
		goto done;
	}

	/* Store's headers, then setHeadersTransport's Header.Set of --header */
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		ALLOC_GROW(hs, nhs + 1, hcap);
		hs[nhs].name = xstrdup(fixed[i][0]);
		hs[nhs++].value = xstrdup(fixed[i][1] ? fixed[i][1] : o->user_agent);
	}
	for (size_t i = 0; i < o->nheaders; i++) {
		char *k = canonical_key(o->headers[i].name);
		size_t j;
		for (j = 0; j < nhs && strcmp(hs[j].name, k); j++)
			;
		if (j == nhs) {
			ALLOC_GROW(hs, nhs + 1, hcap);
			hs[nhs].name = k;
			hs[nhs++].value = xstrdup(o->headers[i].value);
		} else {
			free(k);
			free(hs[j].value);
			hs[j].value = xstrdup(o->headers[i].value);
		}
	}

	/* the URL's user info is http.Client's Basic header, set before the
	 * config's round trippers, which then leave Authorization alone */
	if (u.user) {
		http_config_init(&cfg);
		have_cfg = true;
		cfg.has_basic = true;
		cfg.basic_user = xstrdup(u.user);
		cfg.basic_password = xstrdup(u.password ? u.password : "");
	} else if (o->http) {
		http_config_copy(&cfg, o->http);
		have_cfg = true;
	}
	if (have_cfg && http_config_authorization(&cfg, &auth, e)) {
		err_wrap(e, "Post \"%s\"", buf_str(&shown));
		goto done;
	}

	if (!(h.curl = curl_dl_handle(e)))
		goto done;
	h.scheme = u.scheme ? u.scheme : "";
	h.host = u.host ? u.host : "";
	h.cfg = o->http;
	h.headers = hs;
	h.nheaders = nhs;
	if (rhttp_post(&h, buf_str(&wire), buf_str(&shown), comp, clen, auth,
		       o->timeout_ns > 0 ? rhttp_now_ns() + o->timeout_ns : rhttp_now_ns(), &body, &res, e))
		goto done;
	if (res.code / 100 != 2) {
		/* bufio.Scanner's first line of at most 1024 bytes, CR dropped */
		size_t n = body.len < 1024 ? body.len : 1024;
		const char *bd = body.data ? (const char *)body.data : "";
		const char *nl = memchr(bd, '\n', n);
		size_t l = nl ? (size_t)(nl - bd) : n;
		if (nl && l && body.data[l - 1] == '\r')
			l--;
		buf_add(&line, body.data, l);
		err_set(e, "server returned HTTP status %s: %s", res.status, buf_str(&line));
		goto done;
	}
	ret = 0;
done:
	if (h.curl)
		curl_easy_cleanup(h.curl);
	if (auth) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	if (have_cfg)
		http_config_release(&cfg);
	for (size_t i = 0; i < nhs; i++) {
		free(hs[i].name);
		free(hs[i].value);
	}
	free(hs);
	free(comp);
	if (have_u)
		go_url_release(&u);
	buf_release(&wire);
	buf_release(&shown);
	buf_release(&body);
	buf_release(&line);
	return ret;
}
