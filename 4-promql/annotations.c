/*
 * The per-query annotation set (annotations.h): messages in the order
 * they were first added, found again by an FNV-1a hash of their text so
 * that an annotation raised at every step and for every series costs a
 * hash and a compare, not a scan.
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/xalloc.h"
#include "4-promql/annotations.h"

void promql_annotations_init(struct promql_annotations *a)
{
	memset(a, 0, sizeof(*a));
}

void promql_annotations_release(struct promql_annotations *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i].msg);
	free(a->v);
	free(a->slots);
	promql_annotations_init(a);
}

void promql_annotations_reset(struct promql_annotations *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i].msg);
	a->n = 0;
	if (a->slots)
		memset(a->slots, 0, a->nslots * sizeof(*a->slots));
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The slot holding an entry with text msg, or the empty slot it would take. */
static size_t *find_slot(const struct promql_annotations *a, uint64_t h, const char *msg, size_t len)
{
	size_t mask = a->nslots - 1;

	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		const struct promql_annotation *x;
		if (!a->slots[i])
			return &a->slots[i];
		x = &a->v[a->slots[i] - 1];
		if (x->hash == h && strlen(x->msg) == len && !memcmp(x->msg, msg, len))
			return &a->slots[i];
	}
}

static void rehash(struct promql_annotations *a)
{
	size_t n = a->nslots ? a->nslots * 2 : 16;

	free(a->slots);
	a->slots = xcalloc(n, sizeof(*a->slots));
	a->nslots = n;
	for (size_t i = 0; i < a->n; i++)
		*find_slot(a, a->v[i].hash, a->v[i].msg, strlen(a->v[i].msg)) = i + 1;
}

void promql_annotations_add(struct promql_annotations *a, enum promql_annotation_kind kind, const char *msg,
			    size_t len)
{
	uint64_t h = fnv1a(msg, len);
	size_t *slot;

	/* load at most one half: a probe always ends at an empty slot */
	if ((a->n + 1) * 2 > a->nslots)
		rehash(a);
	slot = find_slot(a, h, msg, len);
	if (*slot)
		return;
	ALLOC_GROW(a->v, a->n + 1, a->cap);
	a->v[a->n] = (struct promql_annotation){ kind, xstrndup(msg, len), h };
	*slot = ++a->n;
}

size_t promql_annotations_count(const struct promql_annotations *a, enum promql_annotation_kind kind)
{
	size_t k = 0;

	for (size_t i = 0; i < a->n; i++)
		k += a->v[i].kind == kind;
	return k;
}
