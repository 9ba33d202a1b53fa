/*
 * Label-matcher regular expressions with Go's regexp semantics: the syntax
 * check and error words of Go's regexp/syntax, matching as Go matches
 * (invalid UTF-8 in a subject reads as U+FFFD).
 *
 * label_regex_compile() hands back a compiled pattern the caller owns and
 * frees with label_regex_free() (which accepts NULL).  Messages are
 * appended to a buffer the caller owns.
 */
#ifndef MODEL_REGEX_H
#define MODEL_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#include "1-common/buf.h"

/*
 * labels.NewMatcher for a regexp: checks value with Go's regexp syntax
 * (RE2) and compiles "^(?:value)$".  On a syntax error returns -1 with Go's
 * message ("error parsing regexp: missing closing ): `...`") in msg.
 * *out_re is NULL when the pattern is valid RE2 but could not be compiled
 * for matching.
 */
int label_regex_compile(void **out_re, const char *value, size_t len, struct buf *msg);
void label_regex_free(void *re);
/* Whether the compiled matcher regexp matches the empty string. */
bool label_regex_matches_empty(void *re, const char *value, size_t len);
/* Whether a compiled matcher regexp matches all of v[0..len). */
bool label_regex_match(void *re, const char *v, size_t len);

/*
 * regexp.Compile's syntax check of a whole pattern: 0 with the pattern
 * rewritten for PCRE2 (UTF, DOLLAR_ENDONLY: Go's default flags) appended
 * to out, or -1 with Go's message in msg.
 */
int go_regexp_translate(struct buf *out, const char *pattern, size_t len, struct buf *msg);

#endif
