#include "1-common/gounicode.h"
#include "2-model/labels.h"

#include <stdlib.h>
#include <string.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "1-common/utf8.h"
#include "1-common/xalloc.h"

void labels_init(struct labels *ls)
{
	memset(ls, 0, sizeof(*ls));
}

void labels_reset(struct labels *ls)
{
	for (size_t i = 0; i < ls->nowned; i++)
		free(ls->owned[i]);
	ls->nowned = 0;
	ls->n = 0;
}

void labels_release(struct labels *ls)
{
	labels_reset(ls);
	free(ls->owned);
	free(ls->v);
	labels_init(ls);
}

void labels_add(struct labels *ls, const char *name, const char *value)
{
	ALLOC_GROW(ls->v, ls->n + 1, ls->cap);
	ls->v[ls->n].name = name;
	ls->v[ls->n].value = value;
	ls->n++;
}

static const char *own(struct labels *ls, const char *s)
{
	char *c = xstrdup(s);
	ALLOC_GROW(ls->owned, ls->nowned + 1, ls->owned_cap);
	ls->owned[ls->nowned++] = c;
	return c;
}

void labels_add_copy(struct labels *ls, const char *name, const char *value)
{
	const char *n = own(ls, name);
	labels_add(ls, n, own(ls, value));
}

void labels_set_copy(struct labels *ls, const char *name, const char *value)
{
	for (size_t i = 0; i < ls->n; i++) {
		if (!strcmp(ls->v[i].name, name)) {
			ls->v[i].value = own(ls, value);
			return;
		}
	}
	labels_add_copy(ls, name, value);
}

void labels_del(struct labels *ls, const char *name)
{
	for (size_t i = 0; i < ls->n; i++) {
		if (!strcmp(ls->v[i].name, name)) {
			memmove(ls->v + i, ls->v + i + 1, (ls->n - i - 1) * sizeof(ls->v[0]));
			ls->n--;
			return;
		}
	}
}

static int cmp_name(const void *a, const void *b)
{
	const struct label *x = a, *y = b;
	return strcmp(x->name, y->name);
}

void labels_sort(struct labels *ls)
{
	/* Insertion sort: label sets are small and often nearly sorted; qsort
	 * is kept for the rare large set. */
	if (ls->n > 32) {
		qsort(ls->v, ls->n, sizeof(ls->v[0]), cmp_name);
		return;
	}
	for (size_t i = 1; i < ls->n; i++) {
		struct label t = ls->v[i];
		size_t j = i;
		while (j > 0 && strcmp(ls->v[j - 1].name, t.name) > 0) {
			ls->v[j] = ls->v[j - 1];
			j--;
		}
		ls->v[j] = t;
	}
}

void labels_dup(struct labels *dst, const struct label *src, size_t n)
{
	labels_reset(dst);
	for (size_t i = 0; i < n; i++)
		labels_add_copy(dst, src[i].name, src[i].value);
}

const char *labels_get(const struct label *ls, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ls[i].name, name))
			return ls[i].value;
	return NULL;
}

int labels_cmp(const struct label *a, size_t an, const struct label *b, size_t bn)
{
	size_t l = an < bn ? an : bn;
	for (size_t i = 0; i < l; i++) {
		int d = strcmp(a[i].name, b[i].name);
		if (d)
			return d < 0 ? -1 : 1;
		d = strcmp(a[i].value, b[i].value);
		if (d)
			return d < 0 ? -1 : 1;
	}
	return an < bn ? -1 : an > bn ? 1 : 0;
}

bool labels_equal(const struct label *a, size_t an, const struct label *b, size_t bn)
{
	return labels_cmp(a, an, b, bn) == 0;
}

uint64_t labels_hash(const struct label *ls, size_t n)
{
	static const unsigned char sep = 0xff;
	XXH64_state_t st;

	XXH64_reset(&st, 0);
	for (size_t i = 0; i < n; i++) {
		XXH64_update(&st, ls[i].name, strlen(ls[i].name));
		XXH64_update(&st, &sep, 1);
		XXH64_update(&st, ls[i].value, strlen(ls[i].value));
		XXH64_update(&st, &sep, 1);
	}
	return XXH64_digest(&st);
}

/* The name rules of model (LabelName.IsValid, IsValidMetricName): ASCII
 * letters, '_', digits after the first byte, ':' too in metric names. */
static bool valid_name(const char *s, bool colon)
{
	if (!*s)
		return false;
	for (size_t i = 0; s[i]; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
		      (i > 0 && c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

bool labels_valid_name(const char *s)
{
	return valid_name(s, false);
}

bool labels_valid_metric_name(const char *s)
{
	return valid_name(s, true);
}

void labels_format(struct buf *out, const struct label *ls, size_t n)
{
	buf_addc(out, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_adds(out, ", ");
		buf_adds(out, ls[i].name);
		buf_addc(out, '=');
		go_quote(out, ls[i].value, strlen(ls[i].value));
	}
	buf_addc(out, '}');
}

/* Go's strconv.IsPrint (table in 1-common/gounicode.c). */
static bool go_isprint(uint32_t r)
{
	return go_unicode_isprint(r);
}

void go_escape_rune(struct buf *out, int32_t r, char quote)
{
	static const char hex[] = "0123456789abcdef";

	if (r == quote || r == '\\') {
		buf_addc(out, '\\');
		buf_addc(out, (unsigned char)r);
		return;
	}
	if (go_isprint((uint32_t)r)) {
		go_put_rune(out, r);
		return;
	}
	switch (r) {
	case '\a': buf_adds(out, "\\a"); break;
	case '\b': buf_adds(out, "\\b"); break;
	case '\f': buf_adds(out, "\\f"); break;
	case '\n': buf_adds(out, "\\n"); break;
	case '\r': buf_adds(out, "\\r"); break;
	case '\t': buf_adds(out, "\\t"); break;
	case '\v': buf_adds(out, "\\v"); break;
	default:
		if (r < ' ' || r == 0x7f)
			buf_addf(out, "\\x%c%c", hex[r >> 4], hex[r & 15]);
		else if (r < 0x10000)
			buf_addf(out, "\\u%04x", (unsigned)r);
		else
			buf_addf(out, "\\U%08x", (unsigned)r);
	}
}

void go_quote(struct buf *out, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	buf_addc(out, '"');
	while (i < len) {
		int32_t rr;
		size_t n = go_decode_rune(s + i, len - i, &rr);
		uint32_t r = (uint32_t)rr;
		/* strconv.Quote: a width-1 RuneError is an invalid byte */
		if (n == 1 && rr == 0xFFFD) {
			buf_adds(out, "\\x");
			buf_addc(out, (unsigned char)hex[s[i] >> 4]);
			buf_addc(out, (unsigned char)hex[s[i] & 15]);
			i++;
			continue;
		}
		if (r == '"' || r == '\\' || !go_isprint(r))
			go_escape_rune(out, (int32_t)r, '"');
		else
			buf_add(out, s + i, n);
		i += n;
	}
	buf_addc(out, '"');
}
