/*
 * Applying label matchers (labels.Matcher.Matches of 2.42), for the
 * evaluator's storages and the TSDB querier alike.
 */
#include <string.h>

#include "2-model/matcher.h"
#include "2-model/regex.h"

bool label_matcher_match_value(const struct label_matcher *m, const char *v, size_t len)
{
	switch (m->type) {
	case LABEL_MATCH_EQUAL:
		return len == m->value_len && !memcmp(v, m->value, len);
	case LABEL_MATCH_NOT_EQUAL:
		return !(len == m->value_len && !memcmp(v, m->value, len));
	case LABEL_MATCH_REGEXP:
		return label_regex_match(m->re, v, len);
	case LABEL_MATCH_NOT_REGEXP:
		return !label_regex_match(m->re, v, len);
	}
	return false;
}

bool label_matcher_matches(const struct label_matcher *m, const char *v)
{
	if (!v)
		v = "";
	return label_matcher_match_value(m, v, strlen(v));
}

bool label_matchers_match(const struct label_matcher *m, size_t nm, const struct label *ls, size_t n)
{
	for (size_t i = 0; i < nm; i++)
		if (!label_matcher_matches(&m[i], labels_get(ls, n, m[i].name)))
			return false;
	return true;
}
