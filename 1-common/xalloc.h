/*
 * Allocation wrappers that abort on out-of-memory.
 *
 * Every allocation in the project goes through these; callers never check
 * for NULL.  Returned memory is owned by the caller and released with free().
 */
#ifndef COMMON_XALLOC_H
#define COMMON_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Reallocates p to hold nmemb elements of size bytes, checking the product. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a freshly allocated string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Grows *arr (of *cap elements) so that it can hold at least need elements.
 * Capacity doubles, so appends are amortised O(1).
 */
#define ALLOC_GROW(arr, need, cap)                                             \
	do {                                                                   \
		if ((size_t)(need) > (size_t)(cap)) {                          \
			size_t alloc_grow_n_ = (size_t)(cap) ? (size_t)(cap) * 2 : 8; \
			if (alloc_grow_n_ < (size_t)(need))                    \
				alloc_grow_n_ = (size_t)(need);                \
			(arr) = xreallocarray((arr), alloc_grow_n_, sizeof(*(arr))); \
			(cap) = alloc_grow_n_;                                 \
		}                                                              \
	} while (0)

#endif
