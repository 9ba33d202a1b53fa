/*
 * Index format v2 -- tsdb/docs/format/index.md, every section in the order
 * 2.42's index.Writer emits them:
 *
 *     magic 0xBAAAD700 <4b> | version 2 <1b>
 *     Symbol Table   len <4b> | #symbols <4b> | (uvarint len, bytes)... | CRC32C <4b>
 *     Series         each 16-byte aligned:
 *                    len <uvarint> | #labels <uvarint> | (name ref, value ref) <uvarint>...
 *                    | #chunks <uvarint> | mint <varint> | maxt-mint <uvarint> | ref <uvarint>
 *                    | (mint-prev maxt <uvarint>, maxt-mint <uvarint>, ref delta <varint>)...
 *                    | CRC32C <4b>
 *     Label Indices  each 4-byte aligned: len <4b> | #names=1 <4b> | #values <4b>
 *                    | value symbol refs <4b>... | CRC32C <4b>   (one per label name)
 *     Postings       4-byte aligned: len <4b> | #refs <4b> | series refs <4b>... | CRC32C <4b>
 *                    first the all-series list ("" ""), then names and values sorted
 *     Label Offset Table    len <4b> | #entries <4b> | (1, name, offset <uvarint>)... | CRC32C
 *     Postings Offset Table len <4b> | #entries <4b> | (2, name, value, offset)... | CRC32C
 *     TOC            6 offsets <8b each> | CRC32C <4b>
 *
 * Symbol refs are positions in the sorted symbol list (v2), series refs are
 * byte offsets / 16.  The symbol list holds every label name and value of
 * the head plus "" (the head's all-postings key contributes it).  2.42
 * still writes the label indices and their offset table; 3.7 dropped both
 * (index_write_ex), its TOC then has LabelIndices = Postings = the end of
 * the series and LabelIndicesTable = PostingsTable.
 *
 * Worked example (series bar{} and foo_total{a="b"}):
 *     ba aa d7 00 02 | 00 00 00 20 00 00 00 06 00 08 5f 5f 6e 61 6d 65 5f 5f 01 61 ...
 * symbols "", "__name__", "a", "b", "bar", "foo_total"; the series at 0x30
 * is 09 01 01 04 01 e0 dd 7d 00 08 <crc>: 1 label (1=4), 1 chunk,
 * mint 1030000, length 0, ref 8.
 */
#include "3-tsdb/index_writer.h"

#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/bytes.h"
#include "1-common/crc32c.h"
#include "1-common/xalloc.h"

struct sym {
	const char *s;
	size_t len;
};

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

static uint32_t sym_lookup(const struct sym *syms, size_t n, const char *s)
{
	struct sym key = { s, strlen(s) };
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = sym_cmp(&syms[mid], &key);
		if (c == 0)
			return (uint32_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return UINT32_MAX; /* not reached: every label was added */
}

/* One (name, value, series) triple for building postings. */
struct posting {
	uint32_t name, value, series_ref;
};

static int posting_cmp(const void *a, const void *b)
{
	const struct posting *x = a, *y = b;

	if (x->name != y->name)
		return x->name < y->name ? -1 : 1;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return (x->series_ref > y->series_ref) - (x->series_ref < y->series_ref);
}

/* Writes len <4b> | body | CRC32C(body). */
static void write_section(struct wio *out, const struct buf *body)
{
	wio_be32(out, (uint32_t)body->len);
	wio_write(out, body->data, body->len);
	wio_be32(out, crc32c(body->data, body->len));
}

static void put_str(struct buf *b, const char *s, size_t len)
{
	buf_put_uvarint(b, len);
	buf_add(b, s, len);
}

int index_write(struct wio *out, const struct index_series *series, size_t n, struct err *e)
{
	return index_write_ex(out, series, n, true, e);
}

int index_write_ex(struct wio *out, const struct index_series *series, size_t n, bool label_indices,
		   struct err *e)
{
	struct sym *syms = NULL;
	size_t nsyms = 0, syms_cap = 0;
	struct posting *post = NULL;
	size_t npost = 0, post_cap = 0;
	uint32_t *series_refs = NULL;
	struct buf b = BUF_INIT, lt = BUF_INIT, pt = BUF_INIT;
	uint64_t toc[6];
	size_t nlabel_idx = 0, npostings_entries = 0;
	int ret = -1;

	/* Symbols: "" plus every name and value, sorted, unique. */
	ALLOC_GROW(syms, 1, syms_cap);
	syms[nsyms++] = (struct sym){ "", 0 };
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < series[i].nls; j++) {
			ALLOC_GROW(syms, nsyms + 2, syms_cap);
			syms[nsyms++] = (struct sym){ series[i].ls[j].name, strlen(series[i].ls[j].name) };
			syms[nsyms++] = (struct sym){ series[i].ls[j].value, strlen(series[i].ls[j].value) };
		}
	}
	qsort(syms, nsyms, sizeof(*syms), sym_cmp);
	{
		size_t k = 0;
		for (size_t i = 0; i < nsyms; i++)
			if (k == 0 || sym_cmp(&syms[k - 1], &syms[i]) != 0)
				syms[k++] = syms[i];
		nsyms = k;
	}

	/* Header. */
	wio_be32(out, INDEX_MAGIC);
	wio_byte(out, INDEX_FORMAT_V2);

	/* Symbol table. */
	toc[0] = out->pos;
	buf_put_be32(&b, (uint32_t)nsyms);
	for (size_t i = 0; i < nsyms; i++)
		put_str(&b, syms[i].s, syms[i].len);
	write_section(out, &b);

	/* Series; the TOC points before the first series' padding. */
	toc[1] = out->pos;
	series_refs = xcalloc(n ? n : 1, sizeof(*series_refs));
	for (size_t i = 0; i < n; i++) {
		const struct index_series *s = &series[i];
		unsigned char lenb[UVARINT_MAX_LEN];

		wio_pad(out, 16);
		if (out->pos / 16 > UINT32_MAX) {
			err_set(e, "series offset %llu exceeds 4 bytes", (unsigned long long)(out->pos / 16));
			goto done;
		}
		series_refs[i] = (uint32_t)(out->pos / 16);
		buf_reset(&b);
		buf_put_uvarint(&b, s->nls);
		for (size_t j = 0; j < s->nls; j++) {
			uint32_t name = sym_lookup(syms, nsyms, s->ls[j].name);
			uint32_t value = sym_lookup(syms, nsyms, s->ls[j].value);
			buf_put_uvarint(&b, name);
			buf_put_uvarint(&b, value);
			ALLOC_GROW(post, npost + 1, post_cap);
			post[npost++] = (struct posting){ name, value, series_refs[i] };
		}
		buf_put_uvarint(&b, s->nchks);
		if (s->nchks > 0) {
			const struct chunk_desc *c = &s->chks[0];
			int64_t t0 = c->maxt;
			int64_t ref0 = (int64_t)c->ref;

			buf_put_varint(&b, c->mint);
			buf_put_uvarint(&b, (uint64_t)(c->maxt - c->mint));
			buf_put_uvarint(&b, c->ref);
			for (size_t k = 1; k < s->nchks; k++) {
				c = &s->chks[k];
				buf_put_uvarint(&b, (uint64_t)(c->mint - t0));
				buf_put_uvarint(&b, (uint64_t)(c->maxt - c->mint));
				t0 = c->maxt;
				buf_put_varint(&b, (int64_t)c->ref - ref0);
				ref0 = (int64_t)c->ref;
			}
		}
		wio_write(out, lenb, put_uvarint(lenb, b.len));
		wio_write(out, b.data, b.len);
		wio_be32(out, crc32c(b.data, b.len));
	}
	qsort(post, npost, sizeof(*post), posting_cmp);

	/* Label indices: one per name, its values' symbol refs. */
	toc[2] = out->pos;
	buf_reset(&lt);
	for (size_t i = 0; label_indices && i < npost;) {
		size_t j = i, nvals = 0;

		wio_pad(out, 4);
		buf_put_uvarint(&lt, 1);
		put_str(&lt, syms[post[i].name].s, syms[post[i].name].len);
		buf_put_uvarint(&lt, out->pos);
		nlabel_idx++;
		buf_reset(&b);
		buf_put_be32(&b, 1);
		buf_put_be32(&b, 0); /* patched below */
		while (j < npost && post[j].name == post[i].name) {
			uint32_t v = post[j].value;
			buf_put_be32(&b, v);
			nvals++;
			while (j < npost && post[j].name == post[i].name && post[j].value == v)
				j++;
		}
		put_be32(b.data + 4, (uint32_t)nvals);
		write_section(out, &b);
		i = j;
	}

	/* Postings: all series first, then each name/value pair.  The TOC
	 * entry is taken before the padding, the offsets after it. */
	toc[4] = out->pos;
	wio_pad(out, 4);
	buf_reset(&pt);
	buf_reset(&b);
	buf_put_be32(&b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		buf_put_be32(&b, series_refs[i]);
	buf_put_uvarint(&pt, 2);
	put_str(&pt, "", 0);
	put_str(&pt, "", 0);
	buf_put_uvarint(&pt, out->pos);
	npostings_entries++;
	write_section(out, &b);
	for (size_t i = 0; i < npost;) {
		size_t j = i;

		buf_reset(&b);
		buf_put_be32(&b, 0);
		while (j < npost && post[j].name == post[i].name && post[j].value == post[i].value)
			buf_put_be32(&b, post[j++].series_ref);
		put_be32(b.data, (uint32_t)(j - i));
		wio_pad(out, 4);
		buf_put_uvarint(&pt, 2);
		put_str(&pt, syms[post[i].name].s, syms[post[i].name].len);
		put_str(&pt, syms[post[i].value].s, syms[post[i].value].len);
		buf_put_uvarint(&pt, out->pos);
		npostings_entries++;
		write_section(out, &b);
		i = j;
	}

	/* Label offset table (3.7+: none, tsdb/index/index.go ensureStage). */
	toc[3] = out->pos;
	if (label_indices) {
		buf_reset(&b);
		buf_put_be32(&b, (uint32_t)nlabel_idx);
		buf_add(&b, lt.data, lt.len);
		write_section(out, &b);
	}

	/* Postings offset table. */
	toc[5] = out->pos;
	buf_reset(&b);
	buf_put_be32(&b, (uint32_t)npostings_entries);
	buf_add(&b, pt.data, pt.len);
	write_section(out, &b);

	/* TOC. */
	buf_reset(&b);
	for (int i = 0; i < 6; i++)
		buf_put_be64(&b, toc[i]);
	wio_write(out, b.data, b.len);
	wio_be32(out, crc32c(b.data, b.len));
	ret = 0;
done:
	free(syms);
	free(post);
	free(series_refs);
	buf_release(&b);
	buf_release(&lt);
	buf_release(&pt);
	return ret;
}
