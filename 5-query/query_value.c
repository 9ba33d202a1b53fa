/*
 * The values `promtool query` prints, and the two ways it prints them
 * (see 5-query/query_value.h).  What each format reproduces, from
 * prometheus/common v0.39 model/value.go, metric.go, labelset.go, time.go
 * and Go 1.19's fmt and encoding/json:
 *
 *   Metric.String()   name{a="1", b="2"}: the name first, the other
 *                     labels as "name=%q" strings sorted as strings (so
 *                     a0="y" sorts before a="x"); just the name when it
 *                     has no other labels; {} for no labels at all
 *   LabelSet.String() {__name__="up", a="1"}: every label that way
 *   Vector.String()   "<metric> => <value> @[<time>]" lines, in the
 *                     order the server sent them
 *   Matrix.String()   "<metric> =>" and then one "<value> @[<time>]" line
 *                     per sample, series sorted by LabelSet.Before (fewer
 *                     labels first, then the first differing pair over the
 *                     union of names)
 *   Scalar.String()   "scalar: <value> @[<time>]"
 *   numbers           strconv.FormatFloat(v, 'f', -1, 64): never an
 *                     exponent, NaN, +Inf, -Inf; times are milliseconds
 *                     / 1000 printed the same way
 *   JSON              Sample {"metric":{...},"value":[t,"v"]}, SampleStream
 *                     {"metric":{...},"values":[[t,"v"],...]}, Scalar
 *                     [t,"v"], maps with sorted keys, nil maps and slices
 *                     as null, strings HTML-escaped
 */
#include "5-query/query_value.h"

#include <stdlib.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "1-common/utf8.h"
#include "1-common/xalloc.h"

void query_value_init(struct query_value *qv, enum query_value_kind kind)
{
	memset(qv, 0, sizeof(*qv));
	qv->kind = kind;
	arena_init(&qv->arena, 16384);
}

void query_value_release(struct query_value *qv)
{
	free(qv->items);
	free(qv->strs);
	free(qv->t);
	free(qv->v);
	arena_release(&qv->arena);
	query_value_init(qv, qv->kind);
}

static int label_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct label *)a)->name, ((const struct label *)b)->name);
}

struct qv_item *query_value_add_item(struct query_value *qv, const struct label *labels, size_t n)
{
	struct label *ls = arena_array(&qv->arena, n ? n : 1, sizeof(*ls));
	struct qv_item *it;
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		ls[i].name = arena_strndup(&qv->arena, labels[i].name, strlen(labels[i].name));
		ls[i].value = arena_strndup(&qv->arena, labels[i].value, strlen(labels[i].value));
	}
	/* a name given twice keeps its last value (a Go map's decoding);
	 * drop the earlier pairs before sorting, since qsort is not stable */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (!strcmp(ls[i].name, ls[j].name))
				ls[i].name = NULL; /* a later pair overrides it */
	for (size_t i = 0; i < n; i++)
		if (ls[i].name)
			ls[w++] = ls[i];
	qsort(ls, w, sizeof(*ls), label_name_cmp);
	ALLOC_GROW(qv->items, qv->nitems + 1, qv->items_cap);
	it = &qv->items[qv->nitems++];
	memset(it, 0, sizeof(*it));
	it->labels = ls;
	it->nlabels = w;
	it->off = qv->nsamples;
	return it;
}

void query_value_add_sample(struct query_value *qv, int64_t t, double v)
{
	if (qv->nsamples == qv->samples_cap) {
		size_t cap = qv->samples_cap ? qv->samples_cap * 2 : 64;
		qv->t = xreallocarray(qv->t, cap, sizeof(*qv->t));
		qv->v = xreallocarray(qv->v, cap, sizeof(*qv->v));
		qv->samples_cap = cap;
	}
	qv->t[qv->nsamples] = t;
	qv->v[qv->nsamples] = v;
	qv->nsamples++;
	if (qv->nitems)
		qv->items[qv->nitems - 1].n++;
}

void query_value_add_string(struct query_value *qv, const char *s, size_t len)
{
	ALLOC_GROW(qv->strs, qv->nstrs + 1, qv->strs_cap);
	qv->strs[qv->nstrs++] = arena_strndup(&qv->arena, s, len);
}

/* ---- promql ------------------------------------------------------------ */

/* model.Time.String(): seconds, FormatFloat(float64(t)/1000, 'f', -1, 64). */
static void put_time(struct buf *out, int64_t t)
{
	go_fmt_f(out, (double)t / 1000.0);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The "name=%q" strings of ls (all of them, or all but __name__), sorted
 * as strings and joined with ", ".
 */
static void put_pairs(struct buf *out, const struct label *ls, size_t n, bool skip_name)
{
	struct buf tmp = BUF_INIT;
	size_t *off = xcalloc(n ? n : 1, sizeof(*off));
	const char **strs = xcalloc(n ? n : 1, sizeof(*strs));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (skip_name && !strcmp(ls[i].name, "__name__"))
			continue;
		off[k++] = tmp.len;
		buf_adds(&tmp, ls[i].name);
		buf_addc(&tmp, '=');
		go_quote(&tmp, ls[i].value, strlen(ls[i].value));
		buf_addc(&tmp, '\0');
	}
	for (size_t i = 0; i < k; i++)
		strs[i] = (const char *)tmp.data + off[i];
	qsort(strs, k, sizeof(*strs), str_cmp);
	for (size_t i = 0; i < k; i++) {
		if (i)
			buf_adds(out, ", ");
		buf_adds(out, strs[i]);
	}
	free(strs);
	free(off);
	buf_release(&tmp);
}

static void put_metric(struct buf *out, const struct qv_item *it)
{
	const char *name = labels_get(it->labels, it->nlabels, "__name__");
	size_t others = it->nlabels - (name ? 1 : 0);

	if (!others) {
		buf_adds(out, name ? name : "{}");
		return;
	}
	buf_adds(out, name ? name : "");
	buf_addc(out, '{');
	put_pairs(out, it->labels, it->nlabels, true);
	buf_addc(out, '}');
}

static void put_pair_text(struct buf *out, int64_t t, double v)
{
	go_fmt_f(out, v);
	buf_adds(out, " @[");
	put_time(out, t);
	buf_addc(out, ']');
}

/* LabelSet.Before(o) over sorted label arrays. */
static bool labelset_before(const struct qv_item *a, const struct qv_item *b)
{
	size_t i = 0, j = 0;

	if (a->nlabels != b->nlabels)
		return a->nlabels < b->nlabels;
	while (i < a->nlabels && j < b->nlabels) {
		int c = strcmp(a->labels[i].name, b->labels[j].name);
		if (c < 0)
			return false; /* the smallest name is missing from b */
		if (c > 0)
			return true;  /* ... from a */
		c = strcmp(a->labels[i].value, b->labels[j].value);
		if (c)
			return c < 0;
		i++;
		j++;
	}
	return false;
}

static int item_before_cmp(const void *x, const void *y)
{
	const struct qv_item *a = *(const struct qv_item *const *)x, *b = *(const struct qv_item *const *)y;

	return labelset_before(a, b) ? -1 : labelset_before(b, a) ? 1 : 0;
}

void query_value_format_promql(struct buf *out, const struct query_value *qv)
{
	switch (qv->kind) {
	case QV_SCALAR:
		buf_adds(out, "scalar: ");
		if (qv->nsamples)
			go_fmt_f(out, qv->v[0]);
		buf_adds(out, " @[");
		put_time(out, qv->nsamples ? qv->t[0] : 0);
		buf_adds(out, "]\n");
		return;
	case QV_VECTOR:
		for (size_t i = 0; i < qv->nitems; i++) {
			const struct qv_item *it = &qv->items[i];
			if (i)
				buf_addc(out, '\n');
			put_metric(out, it);
			buf_adds(out, " => ");
			put_pair_text(out, it->n ? qv->t[it->off] : 0, it->n ? qv->v[it->off] : 0);
		}
		buf_addc(out, '\n');
		return;
	case QV_MATRIX: {
		const struct qv_item **sorted = xcalloc(qv->nitems ? qv->nitems : 1, sizeof(*sorted));
		for (size_t i = 0; i < qv->nitems; i++)
			sorted[i] = &qv->items[i];
		qsort(sorted, qv->nitems, sizeof(*sorted), item_before_cmp);
		for (size_t i = 0; i < qv->nitems; i++) {
			const struct qv_item *it = sorted[i];
			if (i)
				buf_addc(out, '\n');
			put_metric(out, it);
			buf_adds(out, " =>\n");
			for (size_t j = 0; j < it->n; j++) {
				if (j)
					buf_addc(out, '\n');
				put_pair_text(out, qv->t[it->off + j], qv->v[it->off + j]);
			}
		}
		buf_addc(out, '\n');
		free(sorted);
		return;
	}
	case QV_LABELSETS:
		for (size_t i = 0; i < qv->nitems; i++) {
			buf_addc(out, '{');
			put_pairs(out, qv->items[i].labels, qv->items[i].nlabels, false);
			buf_adds(out, "}\n");
		}
		return;
	case QV_STRINGS:
		for (size_t i = 0; i < qv->nstrs; i++) {
			buf_adds(out, qv->strs[i]);
			buf_addc(out, '\n');
		}
		return;
	}
}

/* ---- json -------------------------------------------------------------- */

void go_json_quote(struct buf *out, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, start = 0;

	buf_addc(out, '"');
	while (i < len) {
		unsigned char b = s[i];
		int32_t r;
		size_t size;

		if (b < 0x80) {
			if (b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&') {
				i++;
				continue;
			}
			buf_add(out, s + start, i - start);
			buf_addc(out, '\\');
			switch (b) {
			case '\\':
			case '"':
				buf_addc(out, b);
				break;
			case '\n':
				buf_addc(out, 'n');
				break;
			case '\r':
				buf_addc(out, 'r');
				break;
			case '\t':
				buf_addc(out, 't');
				break;
			default:
				/* Go 1.19 writes \b and \f this way too */
				buf_adds(out, "u00");
				buf_addc(out, (unsigned char)hex[b >> 4]);
				buf_addc(out, (unsigned char)hex[b & 0xF]);
			}
			start = ++i;
			continue;
		}
		size = go_decode_rune(s + i, len - i, &r);
		if (r == 0xFFFD && size == 1) {
			buf_add(out, s + start, i - start);
			buf_adds(out, "\\ufffd");
			start = ++i;
			continue;
		}
		if (r == 0x2028 || r == 0x2029) {
			buf_add(out, s + start, i - start);
			buf_adds(out, "\\u202");
			buf_addc(out, (unsigned char)hex[r & 0xF]);
			i += size;
			start = i;
			continue;
		}
		i += size;
	}
	buf_add(out, s + start, len - start);
	buf_addc(out, '"');
}

static void put_json_map(struct buf *out, const struct qv_item *it)
{
	if (it->labels_nil) {
		buf_adds(out, "null");
		return;
	}
	buf_addc(out, '{');
	for (size_t i = 0; i < it->nlabels; i++) {
		if (i)
			buf_addc(out, ',');
		go_json_quote(out, it->labels[i].name, strlen(it->labels[i].name));
		buf_addc(out, ':');
		go_json_quote(out, it->labels[i].value, strlen(it->labels[i].value));
	}
	buf_addc(out, '}');
}

/* SamplePair.MarshalJSON: [<Time.String()>,"<SampleValue.String()>"]. */
static void put_json_pair(struct buf *out, int64_t t, double v)
{
	buf_addc(out, '[');
	put_time(out, t);
	buf_adds(out, ",\"");
	go_fmt_f(out, v);
	buf_adds(out, "\"]");
}

void query_value_format_json(struct buf *out, const struct query_value *qv)
{
	if (qv->nil) {
		buf_adds(out, "null\n");
		return;
	}
	if (qv->kind == QV_SCALAR) {
		put_json_pair(out, qv->nsamples ? qv->t[0] : 0, qv->nsamples ? qv->v[0] : 0);
		buf_addc(out, '\n');
		return;
	}
	buf_addc(out, '[');
	if (qv->kind == QV_STRINGS) {
		for (size_t i = 0; i < qv->nstrs; i++) {
			if (i)
				buf_addc(out, ',');
			go_json_quote(out, qv->strs[i], strlen(qv->strs[i]));
		}
	}
	for (size_t i = 0; qv->kind != QV_STRINGS && i < qv->nitems; i++) {
		const struct qv_item *it = &qv->items[i];
		if (i)
			buf_addc(out, ',');
		if (qv->kind == QV_LABELSETS) {
			put_json_map(out, it);
			continue;
		}
		buf_adds(out, "{\"metric\":");
		put_json_map(out, it);
		if (qv->kind == QV_VECTOR) {
			buf_adds(out, ",\"value\":");
			put_json_pair(out, it->n ? qv->t[it->off] : 0, it->n ? qv->v[it->off] : 0);
		} else if (it->values_nil) {
			buf_adds(out, ",\"values\":null");
		} else {
			buf_adds(out, ",\"values\":[");
			for (size_t j = 0; j < it->n; j++) {
				if (j)
					buf_addc(out, ',');
				put_json_pair(out, qv->t[it->off + j], qv->v[it->off + j]);
			}
			buf_addc(out, ']');
		}
		buf_addc(out, '}');
	}
	buf_adds(out, "]\n");
}
