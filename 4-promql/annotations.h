/*
 * The warnings and infos of one query (upstream's util/annotations
 * Annotations, from 2.48): a set of messages, each a warning or an info,
 * kept once per text as upstream's map keyed by err.Error() keeps them.
 * Messages are upstream's texts without the position part (what Error()
 * gives before SetQuery, which is what promqltest compares).
 *
 * The evaluator fills one only when promql_engine_opts.annotations points
 * at it; nothing is collected (and nothing costs) otherwise.
 *
 * Ownership: the set owns its messages; promql_annotations_release() frees
 * them.
 */
#ifndef PROMQL_ANNOTATIONS_H
#define PROMQL_ANNOTATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum promql_annotation_kind { PROMQL_ANNOT_WARNING, PROMQL_ANNOT_INFO };

struct promql_annotation {
	enum promql_annotation_kind kind;
	char *msg; /* "PromQL warning: ..." or "PromQL info: ..." */
	uint64_t hash;
};

struct promql_annotations {
	struct promql_annotation *v;
	size_t n, cap;
	/* open addressing over v by hash: index + 1, 0 empty */
	size_t *slots;
	size_t nslots;
};

#define PROMQL_ANNOTATIONS_INIT { NULL, 0, 0, NULL, 0 }

void promql_annotations_init(struct promql_annotations *a);
void promql_annotations_release(struct promql_annotations *a);
/* Empties the set, keeping its memory. */
void promql_annotations_reset(struct promql_annotations *a);
/* Adds msg (copied; len bytes) unless the set has that text already. */
void promql_annotations_add(struct promql_annotations *a, enum promql_annotation_kind kind, const char *msg,
			    size_t len);
/* How many of the set are of kind. */
size_t promql_annotations_count(const struct promql_annotations *a, enum promql_annotation_kind kind);

#endif
