/*
 * The evaluator's plumbing: label-set operations in the style of
 * labels.Builder, and a small uint64-keyed hash map.
 */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "1-common/xalloc.h"
#include "4-promql/eval_internal.h"

uint64_t lset_hash_slow(struct lset ls)
{
	/* labels_hash()'s byte stream hashed in one call: the same value,
	 * without the streaming state's set-up for every label set. */
	unsigned char buf[1024];
	size_t len = 0;

	for (size_t i = 0; i < ls.n; i++) {
		size_t nl = strlen(ls.v[i].name), vl = strlen(ls.v[i].value);
		if (len + nl + vl + 2 > sizeof(buf))
			return labels_hash(ls.v, ls.n);
		memcpy(buf + len, ls.v[i].name, nl);
		len += nl;
		buf[len++] = 0xff;
		memcpy(buf + len, ls.v[i].value, vl);
		len += vl;
		buf[len++] = 0xff;
	}
	return XXH64(buf, len, 0);
}

const char *lset_get(struct lset ls, const char *name)
{
	return labels_get(ls.v, ls.n, name);
}

static bool in_names(const char *name, const char *const *names, size_t nn)
{
	for (size_t i = 0; i < nn; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

struct lset lset_without(struct arena *a, struct lset ls, const char *const *names, size_t nn, bool and_name)
{
	struct label *v = arena_array(a, ls.n, sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < ls.n; i++) {
		if (and_name && !strcmp(ls.v[i].name, "__name__"))
			continue;
		if (in_names(ls.v[i].name, names, nn))
			continue;
		v[k++] = ls.v[i];
	}
	return (struct lset){ v, k };
}

struct lset lset_keep(struct arena *a, struct lset ls, const char *const *names, size_t nn)
{
	struct label *v = arena_array(a, ls.n, sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < ls.n; i++)
		if (in_names(ls.v[i].name, names, nn))
			v[k++] = ls.v[i];
	return (struct lset){ v, k };
}

struct lset lset_drop_name(struct arena *a, struct lset ls)
{
	if (!lset_get(ls, "__name__"))
		return ls;
	return lset_without(a, ls, NULL, 0, true);
}

struct lset lset_drop_name_at(struct arena *a, struct lset ls, const struct compat *cp)
{
	static const char *const meta[] = { "__type__", "__unit__" };

	ls = lset_drop_name(a, ls);
	/* 3.5: DropReserved(schema.IsMetadataLabel) also drops type and unit */
	if (compat_on(cp, COMPAT_PROMQL_DROP_TYPE_UNIT) && (lset_get(ls, meta[0]) || lset_get(ls, meta[1])))
		ls = lset_without(a, ls, meta, 2, false);
	return ls;
}

struct lset lset_set(struct arena *a, struct lset ls, const char *name, const char *value)
{
	struct label *v = arena_array(a, ls.n + 1, sizeof(*v));
	size_t k = 0;
	bool done = !*value;

	for (size_t i = 0; i < ls.n; i++) {
		int c = strcmp(ls.v[i].name, name);
		if (c == 0)
			continue;
		if (c > 0 && !done) {
			v[k++] = (struct label){ name, value };
			done = true;
		}
		v[k++] = ls.v[i];
	}
	if (!done)
		v[k++] = (struct label){ name, value };
	return (struct lset){ v, k };
}

void vec_grow(struct arena *a, struct ev_vector *vec)
{
	size_t ncap = vec->cap ? vec->cap * 2 : 8;
	struct ev_sample *nv = arena_array(a, ncap, sizeof(*nv));

	if (vec->n)
		memcpy(nv, vec->v, vec->n * sizeof(*nv));
	vec->v = nv;
	vec->cap = ncap;
}

void hmap_release(struct hmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static size_t *hmap_find(struct hmap *m, uint64_t key, bool *found)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)(key ^ (key >> 29)) & mask;

	while (m->vals[i]) {
		if (m->keys[i] == key) {
			*found = true;
			return &m->vals[i];
		}
		i = (i + 1) & mask;
	}
	*found = false;
	m->keys[i] = key;
	return &m->vals[i];
}

size_t *hmap_slot(struct hmap *m, uint64_t key, bool *found)
{
	size_t *slot;

	if (2 * (m->n + 1) > m->cap) {
		struct hmap old = *m;
		size_t ncap = m->cap ? m->cap * 2 : 16;
		m->keys = xcalloc(ncap, sizeof(*m->keys));
		m->vals = xcalloc(ncap, sizeof(*m->vals));
		m->cap = ncap;
		for (size_t i = 0; i < old.cap; i++) {
			if (old.vals[i]) {
				bool f;
				*hmap_find(m, old.keys[i], &f) = old.vals[i];
			}
		}
		free(old.keys);
		free(old.vals);
	}
	slot = hmap_find(m, key, found);
	if (!*found) {
		m->n++;
		/* Mark occupied; callers store value + 1. */
		*slot = (size_t)-1;
	}
	return slot;
}

bool hmap_get(const struct hmap *m, uint64_t key, size_t *out)
{
	size_t mask, i;

	if (!m->cap)
		return false;
	mask = m->cap - 1;
	for (i = (size_t)(key ^ (key >> 29)) & mask; m->vals[i]; i = (i + 1) & mask) {
		if (m->keys[i] == key) {
			*out = m->vals[i];
			return true;
		}
	}
	return false;
}

struct lset lset_dup(struct arena *a, struct lset ls)
{
	struct label *v = arena_array(a, ls.n ? ls.n : 1, sizeof(*v));

	for (size_t i = 0; i < ls.n; i++) {
		v[i].name = arena_strndup(a, ls.v[i].name, strlen(ls.v[i].name));
		v[i].value = arena_strndup(a, ls.v[i].value, strlen(ls.v[i].value));
	}
	return (struct lset){ v, ls.n, lset_hash(ls), ls.drop };
}

/* Arrays up to this long are scanned rather than indexed. */
#define NODE_SCAN 8

static const struct promql_node *entry_node(const void *base, size_t i, size_t stride)
{
	const struct promql_node *node;

	memcpy(&node, (const char *)base + i * stride, sizeof(node));
	return node;
}

static uint64_t node_key(int arr, const struct promql_node *node)
{
	return ((uint64_t)(uintptr_t)node << 2 | (uint64_t)arr) * 0x9E3779B97F4A7C15ULL;
}

size_t ev_node_find(struct evaluator *ev, int arr, const void *base, size_t n, size_t stride,
		    const struct promql_node *node)
{
	size_t v;

	if (n <= NODE_SCAN) {
		for (size_t i = 0; i < n; i++)
			if (entry_node(base, i, stride) == node)
				return i;
		return n;
	}
	return hmap_get(&ev->node_index, node_key(arr, node), &v) ? v - 1 : n;
}

void ev_node_added(struct evaluator *ev, int arr, const void *base, size_t n, size_t stride)
{
	bool found;

	if (n <= NODE_SCAN)
		return;
	/* the array just outgrew scanning: index what it held */
	for (size_t i = n == NODE_SCAN + 1 ? 0 : n - 1; i < n; i++)
		*hmap_slot(&ev->node_index, node_key(arr, entry_node(base, i, stride)), &found) = i + 1;
}

struct node_memo *ev_node_memo(struct evaluator *ev, const struct promql_node *node)
{
	struct node_memo *m;
	size_t i;

	if (ev->last_memo < ev->nmemos && ev->memos[ev->last_memo].node == node)
		return &ev->memos[ev->last_memo];
	i = ev_node_find(ev, EV_MEMOS, ev->memos, ev->nmemos, sizeof(*ev->memos), node);
	if (i < ev->nmemos) {
		ev->last_memo = i;
		return &ev->memos[i];
	}
	ALLOC_GROW(ev->memos, ev->nmemos + 1, ev->memocap);
	m = &ev->memos[ev->nmemos];
	memset(m, 0, sizeof(*m));
	m->node = node;
	ev->last_memo = ev->nmemos++;
	ev_node_added(ev, EV_MEMOS, ev->memos, ev->nmemos, sizeof(*ev->memos));
	return m;
}

struct memo_entry *ev_memo_at(struct node_memo *m, size_t i, size_t nser, bool *fresh)
{

	if (!m->pos) {
		m->pos = xcalloc(nser ? nser : 1, sizeof(*m->pos));
		m->pos_used = xcalloc(nser ? nser : 1, sizeof(*m->pos_used));
		m->npos = nser;
	}
	if (i >= m->npos)
		abort(); /* positions come from the one series set of the node */
	*fresh = !m->pos_used[i];
	m->pos_used[i] = true;
	return &m->pos[i];
}

void ev_memo_group_note(struct node_memo *m, size_t i, uint64_t in, uint32_t g, struct lset key, double d)
{
	if (i >= m->grpcap) {
		ALLOC_GROW(m->grp_in, i + 1, m->grpcap);
		m->grp = xreallocarray(m->grp, m->grpcap, sizeof(*m->grp));
		m->grp_key = xreallocarray(m->grp_key, m->grpcap, sizeof(*m->grp_key));
		m->grp_d = xreallocarray(m->grp_d, m->grpcap, sizeof(*m->grp_d));
	}
	m->grp_d[i] = d;
	m->grp_in[i] = in;
	m->grp[i] = g;
	m->grp_key[i] = key;
}

struct memo_entry *ev_memo(struct node_memo *m, size_t pos, struct lset in, bool *fresh)
{
	uint64_t h = lset_hash(in);
	size_t *slot, k;
	bool found;

	if (pos < m->nseq && m->seq[pos] && m->e[m->seq[pos] - 1].in == h) {
		*fresh = false;
		return &m->e[m->seq[pos] - 1];
	}
	slot = hmap_slot(&m->idx, h, &found);
	*fresh = !found;
	if (!found) {
		ALLOC_GROW(m->e, m->n + 1, m->cap);
		memset(&m->e[m->n], 0, sizeof(m->e[m->n]));
		m->e[m->n].in = h;
		*slot = ++m->n;
	}
	k = *slot;
	if (pos >= m->nseq) {
		size_t nn = m->nseq ? m->nseq : 64;
		while (nn <= pos)
			nn *= 2;
		m->seq = xreallocarray(m->seq, nn, sizeof(*m->seq));
		memset(m->seq + m->nseq, 0, (nn - m->nseq) * sizeof(*m->seq));
		m->nseq = nn;
	}
	m->seq[pos] = k;
	return &m->e[k - 1];
}

void smap_begin(struct smap *m, size_t n)
{
	size_t need = 16;

	while (need < 2 * n + 2)
		need *= 2;
	if (need > m->cap) {
		free(m->keys);
		free(m->vals);
		free(m->stamp);
		m->keys = xcalloc(need, sizeof(*m->keys));
		m->vals = xcalloc(need, sizeof(*m->vals));
		m->stamp = xcalloc(need, sizeof(*m->stamp));
		m->cap = need;
		m->gen = 0;
	}
	if (++m->gen == 0) {
		memset(m->stamp, 0, m->cap * sizeof(*m->stamp));
		m->gen = 1;
	}
}

size_t *smap_slot(struct smap *m, uint64_t key, bool *found)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)(key ^ (key >> 29)) & mask;

	while (m->stamp[i] == m->gen) {
		if (m->keys[i] == key) {
			*found = true;
			return &m->vals[i];
		}
		i = (i + 1) & mask;
	}
	*found = false;
	m->stamp[i] = m->gen;
	m->keys[i] = key;
	m->vals[i] = 0;
	return &m->vals[i];
}

void smap_release(struct smap *m)
{
	free(m->keys);
	free(m->vals);
	free(m->stamp);
	memset(m, 0, sizeof(*m));
}
