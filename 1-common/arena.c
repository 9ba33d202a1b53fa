/*
 * The bump allocator of arena.h: a list of chunks, newest first, carved from
 * the front.  When a request does not fit, a new chunk becomes the current
 * one and what was left of the old one is not used again.  arena_clear()
 * moves the chunks to a spare list, from which new chunks are taken first.
 */
#include "1-common/arena.h"

#include <stdlib.h>

#include "1-common/xalloc.h"

#define DEFAULT_CHUNK_SIZE 65536

struct arena_chunk {
	struct arena_chunk *next;
	size_t cap;
	_Alignas(max_align_t) unsigned char data[];
};

void arena_init(struct arena *a, size_t chunk_size)
{
	a->cur = NULL;
	a->avail = 0;
	a->chunks = NULL;
	a->chunk_size = chunk_size;
	a->chunk_max = 0;
	a->chunk_first = chunk_size;
	a->spare = NULL;
}

void arena_init_growing(struct arena *a, size_t first, size_t max)
{
	arena_init(a, first);
	a->chunk_max = max;
}

size_t arena_bytes(const struct arena *a)
{
	size_t n = 0;

	for (const struct arena_chunk *c = a->chunks; c; c = c->next)
		n += c->cap;
	for (const struct arena_chunk *c = a->spare; c; c = c->next)
		n += c->cap;
	return n;
}

static void free_chunks(struct arena_chunk *c)
{
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
}

void arena_release(struct arena *a)
{
	free_chunks(a->chunks);
	free_chunks(a->spare);
	a->chunks = a->spare = NULL;
	a->cur = NULL;
	a->avail = 0;
	a->chunk_size = a->chunk_first;
}

void arena_clear(struct arena *a)
{
	free_chunks(a->spare);
	a->spare = NULL;
	/* oldest first: a like round takes them in the order this one did */
	while (a->chunks) {
		struct arena_chunk *c = a->chunks;
		a->chunks = c->next;
		c->next = a->spare;
		a->spare = c;
	}
	a->cur = NULL;
	a->avail = 0;
}

void arena_rewind(struct arena *a, struct arena_mark m)
{
	while (a->chunks != m.chunks) {
		struct arena_chunk *next = a->chunks->next;
		free(a->chunks);
		a->chunks = next;
	}
	a->cur = m.cur;
	a->avail = m.avail;
}

void *arena_alloc_chunk(struct arena *a, size_t n)
{
	size_t cap = a->chunk_size ? a->chunk_size : DEFAULT_CHUNK_SIZE;
	struct arena_chunk *c, **sp;

	for (sp = &a->spare; *sp; sp = &(*sp)->next) {
		if ((*sp)->cap >= n) {
			/* a kept chunk that holds it: no malloc, no size growth */
			c = *sp;
			*sp = c->next;
			c->next = a->chunks;
			a->chunks = c;
			a->cur = c->data + n;
			a->avail = c->cap - n;
			return c->data;
		}
	}
	if (cap < n)
		cap = n;
	c = xmalloc(sizeof(*c) + cap);
	c->cap = cap;
	c->next = a->chunks;
	a->chunks = c;
	a->cur = c->data + n;
	a->avail = cap - n;
	if (a->chunk_max && a->chunk_size < a->chunk_max)
		a->chunk_size = a->chunk_size * 2 < a->chunk_max ? a->chunk_size * 2 : a->chunk_max;
	return c->data;
}
