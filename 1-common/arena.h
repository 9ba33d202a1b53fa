/*
 * A bump allocator: many small allocations that all die together.
 *
 * struct arena owns every block it hands out; arena_release() frees them all
 * at once (there is no per-allocation free) and leaves the arena empty and
 * usable again.  arena_init() does not allocate.  Memory comes in chunks of
 * at least the size given to arena_init(); a request larger than that gets
 * a chunk of its own.  Every pointer returned is aligned for any type
 * (max_align_t) and never NULL: allocation aborts on OOM, like xalloc.h.
 *
 * Everything but taking a new chunk is inline: the PromQL evaluator
 * allocates every sample vector and label set here.
 */
#ifndef COMMON_ARENA_H
#define COMMON_ARENA_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN _Alignof(max_align_t)

struct arena_chunk;

struct arena {
	unsigned char *cur; /* free space of the newest chunk: cur[0..avail) */
	size_t avail;
	struct arena_chunk *chunks;
	size_t chunk_size;  /* of the next chunk */
	size_t chunk_max;   /* chunk sizes double up to this; 0: fixed */
	size_t chunk_first; /* chunk_size after arena_release() */
	struct arena_chunk *spare; /* chunks arena_clear() kept for reuse */
};

#define ARENA_INIT(chunk_size) { NULL, 0, NULL, (chunk_size), 0, (chunk_size), NULL }

void arena_init(struct arena *a, size_t chunk_size);
/* Chunks of first bytes, then twice as large each time up to max: many
 * arenas that mostly stay small (one per parsed rule) waste little. */
void arena_init_growing(struct arena *a, size_t first, size_t max);
/* Bytes held (chunk capacities), for memory tests. */
size_t arena_bytes(const struct arena *a);
void arena_release(struct arena *a);
/*
 * Everything handed out is dead, as after arena_release(), but the chunks
 * stay to be handed out again: an arena cleared after each of many like
 * rounds (the evaluator's steps) takes no memory from malloc once warm.
 * Chunks the last round left unused are freed, so what it keeps is at
 * most what the last round used.
 */
void arena_clear(struct arena *a);
/*
 * A point in an arena's allocations: arena_rewind(a, m) frees everything
 * allocated after arena_mark(a) returned m (chunks taken since are freed;
 * what was allocated before stays valid).  Marks nest; a mark is only good
 * while nothing allocated before it has been released.
 */
struct arena_mark {
	struct arena_chunk *chunks;
	unsigned char *cur;
	size_t avail;
};
static inline struct arena_mark arena_mark(const struct arena *a)
{
	return (struct arena_mark){ a->chunks, a->cur, a->avail };
}
void arena_rewind(struct arena *a, struct arena_mark m);

/* The slow path of arena_alloc(): a new chunk for n (already rounded) bytes. */
void *arena_alloc_chunk(struct arena *a, size_t n);

/* n uninitialised bytes (a zero-size request still gets a unique pointer). */
static inline void *arena_alloc(struct arena *a, size_t n)
{
	void *p;

	if (n > SIZE_MAX / 2)
		abort(); /* no allocation can satisfy it */
	n = n ? (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1) : ARENA_ALIGN;
	if (a->avail < n)
		return arena_alloc_chunk(a, n);
	p = a->cur;
	a->cur += n;
	a->avail -= n;
	return p;
}

/* n zeroed bytes. */
static inline void *arena_calloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	memset(p, 0, n);
	return p;
}

/* Room for nmemb elements of size bytes, uninitialised; the product is
 * checked for overflow (abort, like xreallocarray). */
static inline void *arena_array(struct arena *a, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / 2 / size)
		abort();
	return arena_alloc(a, nmemb * size);
}

/* A NUL-terminated copy of s[0..n). */
static inline char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

#endif
