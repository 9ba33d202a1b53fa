/*
 * Explicit stacks for walking PromQL trees without native recursion.
 *
 * 2.42 accepts operator chains of hundreds of thousands of terms
 * ("a or b or c ..."), parenthesised or right-associative ones as deep as
 * they are long; a tree that deep would overflow the C stack if walked by
 * recursion.  The parser, the checker, the printer and the evaluator walk
 * such chains with a stack of frames they keep here instead.
 *
 * A stack starts in storage the caller provides (a small array in its own
 * frame, so ordinary expressions allocate nothing) and moves to the heap
 * when it outgrows it.  The caller owns the stack: nstack_release() frees
 * the heap block, if any.  Frames are of one fixed size, given at init;
 * pointers to them stay valid until the next push.
 */
#ifndef PROMQL_NSTACK_H
#define PROMQL_NSTACK_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/xalloc.h"

struct nstack {
	void *v;    /* the frames: inl or a heap block */
	void *inl;  /* the caller's storage */
	size_t n, cap, size;
};

/* A stack of frames of size bytes, first in inl[0..cap). */
static inline void nstack_init(struct nstack *s, void *inl, size_t cap, size_t size)
{
	s->v = s->inl = inl;
	s->n = 0;
	s->cap = cap;
	s->size = size;
}

static inline void nstack_release(struct nstack *s)
{
	if (s->v != s->inl)
		free(s->v);
	s->v = s->inl;
	s->n = 0;
}

/* A new frame on top (uninitialised). */
static inline void *nstack_push(struct nstack *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		void *v;

		if (cap < s->cap) /* cannot happen before memory runs out */
			abort();
		if (s->v == s->inl) {
			v = xreallocarray(NULL, cap, s->size);
			if (s->n)
				memcpy(v, s->v, s->n * s->size);
		} else {
			v = xreallocarray(s->v, cap, s->size);
		}
		s->v = v;
		s->cap = cap;
	}
	return (char *)s->v + s->n++ * s->size;
}

/* The top frame, or NULL when the stack is empty. */
static inline void *nstack_top(const struct nstack *s)
{
	return s->n ? (char *)s->v + (s->n - 1) * s->size : NULL;
}

static inline void nstack_pop(struct nstack *s)
{
	s->n--;
}

#endif
