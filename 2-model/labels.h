/*
 * Label sets as Prometheus' model/labels: name/value pairs sorted by name.
 *
 * A struct labels does not own the strings it points to unless built with
 * labels_add_copy()/labels_dup(), which intern them in the set's own storage;
 * labels_release() frees whatever the set owns.  labels_init() does not
 * allocate.
 */
#ifndef MODEL_LABELS_H
#define MODEL_LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"

struct label {
	const char *name;
	const char *value;
};

struct labels {
	struct label *v;
	size_t n, cap;
	char **owned; /* strings this set allocated */
	size_t nowned, owned_cap;
};

#define LABELS_INIT { NULL, 0, 0, NULL, 0, 0 }

void labels_init(struct labels *ls);
void labels_release(struct labels *ls);
void labels_reset(struct labels *ls);
/* Appends a pair pointing at the caller's strings (not copied). */
void labels_add(struct labels *ls, const char *name, const char *value);
/* Appends a pair with copies owned by ls. */
void labels_add_copy(struct labels *ls, const char *name, const char *value);
/* Sets name to value (copied), replacing an existing pair; keeps order
 * only if labels_sort() is called afterwards. */
void labels_set_copy(struct labels *ls, const char *name, const char *value);
void labels_del(struct labels *ls, const char *name);
/* Sorts by name (byte order), as labels.New does. */
void labels_sort(struct labels *ls);
/* Deep copy into dst (which must be initialised and is reset). */
void labels_dup(struct labels *dst, const struct label *src, size_t n);
const char *labels_get(const struct label *ls, size_t n, const char *name);
/* labels.Compare: by name then value, pairwise; shorter set first. */
int labels_cmp(const struct label *a, size_t an, const struct label *b, size_t bn);
bool labels_equal(const struct label *a, size_t an, const struct label *b, size_t bn);
/*
 * labels.Labels.Hash() of 2.42: xxhash64 (seed 0) of name 0xff value 0xff
 * for every pair in order.
 */
uint64_t labels_hash(const struct label *ls, size_t n);
/* model.LabelName.IsValid of prometheus/common v0.39: [a-zA-Z_][a-zA-Z0-9_]*. */
bool labels_valid_name(const char *s);
/* model.IsValidMetricName: [a-zA-Z_:][a-zA-Z0-9_:]*. */
bool labels_valid_metric_name(const char *s);
/* labels.Labels.String(): {a="b", c="d"} with values quoted as Go's %q. */
void labels_format(struct buf *out, const struct label *ls, size_t n);

/* strconv.Quote: "..." with Go's escapes (\a \b \f \n \r \t \v \\ \" \xNN,
 * invalid UTF-8 as \xNN, other non-printables as \u/\U). */
void go_quote(struct buf *out, const char *s, size_t len);
/* strconv's escaping of one valid rune inside quote ('"' or '\''): the
 * quote and backslash escaped, printables as is, the rest as \n, \xNN,
 * \uNNNN or \UNNNNNNNN.  Shared by go_quote and %q of a rune. */
void go_escape_rune(struct buf *out, int32_t r, char quote);

#endif
