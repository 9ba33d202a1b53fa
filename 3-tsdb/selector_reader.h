/*
 * A metric selector parser for the TSDB commands' --match flags
 * (`name{l="v", l2=~'re'}`, as parser.ParseMetricSelector accepts), giving
 * label_matcher values the reader applies.
 *
 * struct tsdb_selector owns its matchers, their strings and compiled
 * regexes; tsdb_selector_release() frees them.
 */
#ifndef TSDB_SELECTOR_READER_H
#define TSDB_SELECTOR_READER_H

#include <stddef.h>

#include "1-common/err.h"
#include "2-model/matcher.h"

struct tsdb_selector {
	struct label_matcher *m;
	size_t n, cap;
	char **owned;
	size_t nowned, owned_cap;
};

void tsdb_selector_init(struct tsdb_selector *s);
void tsdb_selector_release(struct tsdb_selector *s);
/* Parses s; errors read like 2.42's "1:5: parse error: ..." where we can. */
int tsdb_selector_parse(struct tsdb_selector *out, const char *s, struct err *e);
/* labels.NewMatcher's regexp: "^(?:re)$" checked with Go's RE2 syntax and
 * compiled by 2-model/regex.h; the caller frees *out with label_regex_free. */
int tsdb_regex_compile(void **out, const char *re, size_t len, struct err *e);

#endif
