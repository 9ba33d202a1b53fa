/*
 * Label matchers, as Prometheus' model/labels Matcher: a label name, a
 * match type and a value; regexp matchers carry the compiled
 * "^(?:value)$" (2-model/regex.h).
 *
 * A struct label_matcher owns nothing: its strings and its compiled
 * regexp belong to whoever built it (a parsed PromQL expression's arena, a
 * --match selector), which frees them.  The functions here only read.
 */
#ifndef MODEL_MATCHER_H
#define MODEL_MATCHER_H

#include <stdbool.h>
#include <stddef.h>

#include "2-model/labels.h"

/* Match types, as labels.MatchType.  X(ID, text) */
#define LABEL_MATCH_TYPES(X)                                                   \
	X(EQUAL, "=")                                                          \
	X(NOT_EQUAL, "!=")                                                     \
	X(REGEXP, "=~")                                                        \
	X(NOT_REGEXP, "!~")

enum label_match_type {
#define LABEL_X_(id, s) LABEL_MATCH_##id,
	LABEL_MATCH_TYPES(LABEL_X_)
#undef LABEL_X_
};

/*
 * One label matcher.  value is NUL-terminated but may also contain NUL
 * bytes (a "\x00" escape), so value_len is authoritative.  For regexp
 * matchers re is the compiled "^(?:value)$" (2-model/regex.h), as
 * labels.NewMatcher compiles it, never NULL.
 */
struct label_matcher {
	enum label_match_type type;
	const char *name;
	const char *value;
	size_t value_len;
	void *re;
};

/* Whether v[0..len) satisfies the matcher, as labels.Matcher.Matches. */
bool label_matcher_match_value(const struct label_matcher *m, const char *v, size_t len);
/* The same for a NUL-terminated value; NULL means the label is absent,
 * which matches as "". */
bool label_matcher_matches(const struct label_matcher *m, const char *v);
/* Whether a label set satisfies all nm matchers. */
bool label_matchers_match(const struct label_matcher *m, size_t nm, const struct label *ls, size_t n);

#endif
