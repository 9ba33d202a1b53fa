/*
 * Index reader (upstream v2.42.0:tsdb/docs/format/index.md, both versions).
 *
 *   magic 0xBAAAD700 (4) | version 1|2 (1) | symbols | series | label indices
 *   | postings | label offset table | postings offset table | TOC
 *
 * A section is "len (be32) | content | CRC32C(content) (be32)"; a series is
 * "len (uvarint) | content | CRC32C(content)", 16-byte aligned in v2.  The
 * TOC is six be64 section offsets and their CRC32C, the file's last 52 bytes.
 *
 * Example: a v2 file starts "ba aa d7 00 02"; its symbol table at offset 5
 * "00 00 00 0b 00 00 00 02 03 66 6f 6f 03 62 61 72 <crc>" holds "foo", "bar".
 *
 * v1 differs in how references are resolved: a symbol reference is the
 * symbol's file offset and a series reference its byte offset, and the
 * postings offset table need not be sorted (2.42 keeps it in a map).
 */
#include "3-tsdb/index_reader.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/bytes.h"
#include "1-common/crc32c.h"
#include "1-common/xalloc.h"

void index_reader_init(struct index_reader *r)
{
	memset(r, 0, sizeof(*r));
	mmap_file_init(&r->file);
}

void index_reader_release(struct index_reader *r)
{
	mmap_file_release(&r->file);
	free(r->path);
	free(r->syms);
	free(r->sym_off);
	free(r->sym_arena);
	free(r->pe);
	free(r->pe_arena);
	free(r->name_first);
	index_reader_init(r);
}

int index_reader_section(const struct index_reader *r, uint64_t off, const char *what, struct cursor *c,
			 struct err *e)
{
	uint32_t n;

	if (off > r->len || r->len - off < 8)
		return err_set(e, "%s: %s at offset %" PRIu64 ": out of bounds (file size %zu)", r->path, what, off,
			       r->len);
	n = get_be32(r->data + off);
	if ((uint64_t)n > r->len - off - 8)
		return err_set(e, "%s: %s at offset %" PRIu64 ": length %" PRIu32 " exceeds file size %zu", r->path,
			       what, off, n, r->len);
	if (crc32c_mismatch(crc32c(r->data + off + 4, n), get_be32(r->data + off + 4 + n)))
		return err_set(e, "%s: %s at offset %" PRIu64 ": invalid checksum", r->path, what, off);
	cursor_init(c, r->data + off + 4, n);
	return 0;
}

static int read_toc(struct index_reader *r, struct err *e)
{
	const unsigned char *t;
	uint64_t *f = &r->toc.symbols;

	if (r->len < 5 + INDEX_TOC_LEN)
		return err_set(e, "%s: file too short for an index (%zu bytes)", r->path, r->len);
	t = r->data + r->len - INDEX_TOC_LEN;
	if (crc32c_mismatch(crc32c(t, INDEX_TOC_LEN - 4), get_be32(t + INDEX_TOC_LEN - 4)))
		return err_set(e, "%s: read TOC at offset %zu: invalid checksum", r->path, r->len - INDEX_TOC_LEN);
	r->toc.symbols = get_be64(t);
	r->toc.series = get_be64(t + 8);
	r->toc.label_indices = get_be64(t + 16);
	r->toc.label_indices_table = get_be64(t + 24);
	r->toc.postings = get_be64(t + 32);
	r->toc.postings_table = get_be64(t + 40);
	for (int i = 0; i < 6; i++)
		if (f[i] > r->len - INDEX_TOC_LEN)
			return err_set(e, "%s: TOC entry %d offset %" PRIu64 " beyond the end of the file", r->path,
				       i, f[i]);
	return 0;
}

/* Reads a uvarint-prefixed string from c; NULL on a short read. */
static const unsigned char *cursor_str(struct cursor *c, size_t *len)
{
	uint64_t n = cursor_uvarint(c);
	const unsigned char *p;
	if (c->err || n > cursor_left(c)) {
		c->err = true;
		return NULL;
	}
	p = cursor_bytes(c, (size_t)n);
	*len = (size_t)n;
	return p;
}

static int read_symbols(struct index_reader *r, struct err *e)
{
	struct cursor c;
	uint32_t cnt;
	size_t arena_len, ap = 0;

	if (index_reader_section(r, r->toc.symbols, "symbols", &c, e) < 0)
		return err_wrap(e, "read symbols");
	cnt = cursor_be32(&c);
	/* every symbol takes at least one byte, which bounds the allocation */
	if (c.err || cnt > cursor_left(&c))
		return err_set(e, "%s: symbols at offset %" PRIu64 ": count %" PRIu32 " exceeds section size",
			       r->path, r->toc.symbols, cnt);
	arena_len = cursor_left(&c) + cnt; /* strings plus a NUL each */
	r->syms = xreallocarray(NULL, cnt ? cnt : 1, sizeof(*r->syms));
	r->sym_off = xreallocarray(NULL, cnt ? cnt : 1, sizeof(*r->sym_off));
	r->sym_arena = xmalloc(arena_len ? arena_len : 1);
	for (uint32_t i = 0; i < cnt; i++) {
		size_t at = c.pos, n;
		const unsigned char *s = cursor_str(&c, &n);
		if (!s)
			return err_set(e, "%s: read symbols: symbol %" PRIu32 " at offset %zu: invalid size", r->path,
				       i, (size_t)(r->toc.symbols + 4 + at));
		r->sym_off[i] = (uint32_t)(r->toc.symbols + 4 + at);
		memcpy(r->sym_arena + ap, s, n);
		r->sym_arena[ap + n] = '\0';
		r->syms[i] = r->sym_arena + ap;
		ap += n + 1;
	}
	r->nsyms = cnt;
	return 0;
}

static int pe_cmp(const void *a, const void *b)
{
	const struct index_postings_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

static int read_postings_table(struct index_reader *r, struct err *e)
{
	struct cursor c;
	uint32_t cnt;
	size_t ap = 0, arena_len;

	if (index_reader_section(r, r->toc.postings_table, "postings offset table", &c, e) < 0)
		return err_wrap(e, "read postings table");
	cnt = cursor_be32(&c);
	/* an entry takes at least four bytes */
	if (c.err || cnt > cursor_left(&c) / 4)
		return err_set(e, "%s: postings offset table at offset %" PRIu64 ": count %" PRIu32
			       " exceeds section size", r->path, r->toc.postings_table, cnt);
	arena_len = cursor_left(&c) + 2 * (size_t)cnt;
	r->pe = xreallocarray(NULL, cnt ? cnt : 1, sizeof(*r->pe));
	r->pe_arena = xmalloc(arena_len ? arena_len : 1);
	for (uint32_t i = 0; i < cnt; i++) {
		size_t at = c.pos, nl = 0, vl = 0;
		uint64_t keys = cursor_uvarint(&c);
		const unsigned char *n = cursor_str(&c, &nl);
		const unsigned char *v = cursor_str(&c, &vl);
		uint64_t off = cursor_uvarint(&c);
		if (c.err || keys != 2)
			return err_set(e, "%s: read postings table: entry %" PRIu32 " at offset %zu: %s", r->path, i,
				       (size_t)(r->toc.postings_table + 4 + at),
				       c.err ? "invalid size" : "unexpected number of keys");
		memcpy(r->pe_arena + ap, n, nl);
		r->pe_arena[ap + nl] = '\0';
		r->pe[i].name = r->pe_arena + ap;
		ap += nl + 1;
		memcpy(r->pe_arena + ap, v, vl);
		r->pe_arena[ap + vl] = '\0';
		r->pe[i].value = r->pe_arena + ap;
		ap += vl + 1;
		r->pe[i].off = off;
	}
	r->npe = cnt;
	if (r->version == 1)
		qsort(r->pe, r->npe, sizeof(*r->pe), pe_cmp);
	/* group rows by name; "" is the all-postings key, not a label name */
	r->name_first = xreallocarray(NULL, r->npe + 1, sizeof(*r->name_first));
	for (size_t i = 0; i < r->npe; i++) {
		if (!r->pe[i].name[0])
			continue;
		if (r->nnames && !strcmp(r->pe[r->name_first[r->nnames - 1]].name, r->pe[i].name))
			continue;
		r->name_first[r->nnames++] = i;
	}
	/* the end of the last group: the first row after it with another name */
	{
		size_t end = r->npe;
		if (r->nnames) {
			size_t last = r->name_first[r->nnames - 1];
			end = last;
			while (end < r->npe && !strcmp(r->pe[end].name, r->pe[last].name))
				end++;
		}
		r->name_first[r->nnames] = end;
	}
	return 0;
}

static int open_common(struct index_reader *r, struct err *e)
{
	uint32_t magic;

	if (r->len < 5)
		return err_set(e, "%s: index header: invalid size", r->path);
	magic = get_be32(r->data);
	if (magic != INDEX_MAGIC)
		return err_set(e, "%s: invalid magic number %" PRIx32, r->path, magic);
	r->version = r->data[4];
	if (r->version != 1 && r->version != 2)
		return err_set(e, "%s: unknown index file version %d", r->path, r->version);
	if (read_toc(r, e) < 0 || read_symbols(r, e) < 0 || read_postings_table(r, e) < 0)
		return -1;
	return 0;
}

int index_reader_open(struct index_reader *r, const char *path, struct err *e)
{
	index_reader_init(r);
	r->path = xstrdup(path);
	if (mmap_file_open(&r->file, path, e) < 0)
		return -1;
	r->data = r->file.data;
	r->len = r->file.len;
	return open_common(r, e);
}

int index_reader_open_mem(struct index_reader *r, const void *data, size_t len, const char *name, struct err *e)
{
	index_reader_init(r);
	r->path = xstrdup(name);
	r->data = data;
	r->len = len;
	return open_common(r, e);
}

int index_reader_symbol(const struct index_reader *r, uint32_t ref, const char **out, struct err *e)
{
	if (r->version == 2) {
		if (ref >= r->nsyms)
			return err_set(e, "%s: unknown symbol offset %" PRIu32, r->path, ref);
		*out = r->syms[ref];
		return 0;
	}
	/* v1: a file offset, which must be the start of one of the symbols */
	{
		size_t lo = 0, hi = r->nsyms;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (r->sym_off[mid] < ref)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == r->nsyms || r->sym_off[lo] != ref)
			return err_set(e, "%s: unknown symbol offset %" PRIu32, r->path, ref);
		*out = r->syms[lo];
	}
	return 0;
}

int index_reader_postings_at(const struct index_reader *r, uint64_t off, struct index_postings *out,
			     struct err *e)
{
	struct cursor c;
	uint32_t n;

	if (index_reader_section(r, off, "postings list", &c, e) < 0)
		return -1;
	n = cursor_be32(&c);
	if (c.err || n > cursor_left(&c) / 4)
		return err_set(e, "%s: postings list at offset %" PRIu64 ": count %" PRIu32 " exceeds its size",
			       r->path, off, n);
	out->p = c.buf + c.pos;
	out->n = n;
	return 0;
}

static size_t pe_lower_bound(const struct index_reader *r, const char *name, const char *value)
{
	size_t lo = 0, hi = r->npe;
	struct index_postings_entry key = { name, value, 0 };
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pe_cmp(&r->pe[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int index_reader_postings(const struct index_reader *r, const char *name, const char *value,
			  struct index_postings *out, struct err *e)
{
	size_t i = pe_lower_bound(r, name, value);

	out->p = NULL;
	out->n = 0;
	if (i == r->npe || strcmp(r->pe[i].name, name) || strcmp(r->pe[i].value, value))
		return 0;
	return index_reader_postings_at(r, r->pe[i].off, out, e);
}

const struct index_postings_entry *index_reader_label_values(const struct index_reader *r, const char *name,
							      size_t *n)
{
	size_t lo = 0, hi = r->nnames;

	*n = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(r->pe[r->name_first[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == r->nnames || strcmp(r->pe[r->name_first[lo]].name, name))
		return NULL;
	*n = r->name_first[lo + 1] - r->name_first[lo];
	return &r->pe[r->name_first[lo]];
}

void index_series_init(struct index_series *s)
{
	memset(s, 0, sizeof(*s));
}

void index_series_release(struct index_series *s)
{
	free(s->lbls);
	free(s->chks);
	index_series_init(s);
}

int index_reader_series(const struct index_reader *r, uint64_t ref, struct index_series *s, struct err *e)
{
	uint64_t off = index_series_offset(r, ref), len, k;
	int vn;
	struct cursor c;
	int64_t t0;
	uint64_t ref0;

	s->nlbls = s->nchks = 0;
	if ((r->version == 2 && ref > UINT64_MAX / 16) || off >= r->len)
		return err_set(e, "%s: series %" PRIu64 ": offset out of bounds", r->path, ref);
	vn = get_uvarint(r->data + off, r->len - off, &len);
	if (vn <= 0 || len > r->len - off - (size_t)vn || r->len - off - (size_t)vn - len < 4)
		return err_set(e, "%s: series at offset %" PRIu64 ": invalid size", r->path, off);
	cursor_init(&c, r->data + off + vn, (size_t)len);
	if (crc32c_mismatch(crc32c(c.buf, c.len), get_be32(c.buf + c.len)))
		return err_set(e, "%s: series at offset %" PRIu64 ": invalid checksum", r->path, off);

	k = cursor_uvarint(&c);
	if (c.err || k > cursor_left(&c) / 2)
		return err_set(e, "%s: series at offset %" PRIu64 ": invalid label count", r->path, off);
	ALLOC_GROW(s->lbls, k, s->lcap);
	for (uint64_t i = 0; i < k; i++) {
		uint64_t n = cursor_uvarint(&c), v = cursor_uvarint(&c);
		if (c.err || n > UINT32_MAX || v > UINT32_MAX)
			return err_set(e, "%s: series at offset %" PRIu64 ": read series label offsets", r->path, off);
		if (index_reader_symbol(r, (uint32_t)n, &s->lbls[i].name, e) < 0 ||
		    index_reader_symbol(r, (uint32_t)v, &s->lbls[i].value, e) < 0)
			return err_wrap(e, "series at offset %" PRIu64, off);
	}
	s->nlbls = (size_t)k;

	k = cursor_uvarint(&c);
	if (c.err || k > cursor_left(&c) / 3)
		return err_set(e, "%s: series at offset %" PRIu64 ": invalid chunk count", r->path, off);
	if (k == 0)
		return 0;
	ALLOC_GROW(s->chks, k, s->ccap);
	t0 = cursor_varint(&c);
	s->chks[0].mint = t0;
	s->chks[0].maxt = (int64_t)((uint64_t)t0 + cursor_uvarint(&c));
	ref0 = cursor_uvarint(&c);
	s->chks[0].ref = ref0;
	t0 = s->chks[0].maxt;
	for (uint64_t i = 1; i < k; i++) {
		int64_t mint = (int64_t)((uint64_t)t0 + cursor_uvarint(&c));
		int64_t maxt = (int64_t)((uint64_t)mint + cursor_uvarint(&c));
		ref0 += (uint64_t)cursor_varint(&c); /* Go: int64 adds wrap */
		s->chks[i].mint = mint;
		s->chks[i].maxt = maxt;
		s->chks[i].ref = ref0;
		t0 = maxt;
	}
	if (c.err)
		return err_set(e, "%s: series at offset %" PRIu64 ": read chunk meta: invalid size", r->path, off);
	s->nchks = (size_t)k;
	return 0;
}
