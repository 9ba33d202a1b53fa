/*
 * uint64-keyed hash maps of the evaluator: internal to 4-promql (eval*.c).
 * Keys are label-set hashes; values are indexes.  Each map owns its arrays
 * (malloc'd); *_release() frees them.  Implemented in eval_util.c.
 */
#ifndef PROMQL_EVAL_MAP_H
#define PROMQL_EVAL_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- uint64 -> size_t hash map ---- */
struct hmap {
	uint64_t *keys;
	size_t *vals; /* value + 1; 0 marks an empty slot */
	size_t cap, n;
};
void hmap_release(struct hmap *m);
/* Returns the slot's value pointer; *found tells whether it existed (a new
 * slot is created holding 0). */
size_t *hmap_slot(struct hmap *m, uint64_t key, bool *found);
bool hmap_get(const struct hmap *m, uint64_t key, size_t *out);

/*
 * A uint64 -> size_t map reused from step to step: smap_begin() empties it
 * in O(1) by moving to a new generation (no clearing, no re-growing).
 */
struct smap {
	uint64_t *keys;
	size_t *vals;
	uint32_t *stamp; /* slot in use iff stamp == gen */
	size_t cap;
	uint32_t gen;
};
/* Empties m, sized for n keys. */
void smap_begin(struct smap *m, size_t n);
/* The value slot of key (created when absent, *found false). */
size_t *smap_slot(struct smap *m, uint64_t key, bool *found);
void smap_release(struct smap *m);

#endif
