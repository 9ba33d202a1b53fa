/*
 * Label-matcher regular expressions with Go's regexp semantics: the syntax
 * check and error words of Go's regexp/syntax (2-model/regex.c), matching
 * as Go matches (2-model/regex_exec.c: RE2, linear time, every match
 * decided; invalid UTF-8 in a subject reads as U+FFFD).
 *
 * label_regex_compile() hands back a compiled pattern the caller owns and
 * frees with label_regex_free() (which accepts NULL).  A compiled pattern
 * is never changed by matching.  Messages are appended to a buffer the
 * caller owns.  struct label_regex_sub is the caller's: scratch for
 * submatches, released with label_regex_sub_release().
 */
#ifndef MODEL_REGEX_H
#define MODEL_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#include "1-common/buf.h"

/* label_regex_compile()'s failures. */
#define LABEL_REGEX_ESYNTAX (-1) /* Go rejects it: Go's message */
#define LABEL_REGEX_ELIMIT (-2)  /* Go accepts it; beyond RE2's memory budget */

/*
 * labels.NewMatcher for a regexp: checks value with Go's regexp syntax
 * (RE2) and compiles "^(?:value)$".  On a syntax error returns
 * LABEL_REGEX_ESYNTAX with Go's message ("error parsing regexp: missing
 * closing ): `...`") in msg; on a pattern Go accepts but RE2 cannot
 * compile, LABEL_REGEX_ELIMIT with "cannot compile regexp: <why>: `...`".
 * On success *out_re is never NULL.
 */
int label_regex_compile(void **out_re, const char *value, size_t len, struct buf *msg);
/* Flags of label_regex_compile_flags(). */
#define LABEL_REGEX_DOTALL 1u /* "^(?s:value)$": `.` matches \n (Prometheus 3.0's matchers) */
/* A syntax error quotes value alone, as 2.52's syntax.Parse(value) does
 * (2.42 quotes the "^(?:value)$" it compiles). */
#define LABEL_REGEX_BARE_ERRORS 2u
/* label_regex_compile() with flags (0: the same). */
int label_regex_compile_flags(void **out_re, const char *value, size_t len, unsigned flags, struct buf *msg);
void label_regex_free(void *re);
/* Whether the compiled matcher regexp matches the empty string. */
bool label_regex_matches_empty(const void *re);
/* Whether a compiled matcher regexp matches v[0..len) (Go's MatchString). */
bool label_regex_match(const void *re, const char *v, size_t len);

struct re2_shim_sub;

/* Submatches of one regexp, for subject after subject. */
struct label_regex_sub {
	const void *re;
	struct re2_shim_sub *sub;
	int ngroups;
	size_t *ov;       /* 2 * (ngroups + 1) offsets of the last match; SIZE_MAX: unset */
	unsigned char *fixed; /* the subject with invalid UTF-8 as U+FFFD */
	size_t *orig;         /* offset in the subject of each offset in fixed */
	size_t fixed_cap, orig_cap;
};

void label_regex_sub_init(struct label_regex_sub *s, const void *re);
void label_regex_sub_release(struct label_regex_sub *s);
/*
 * Go's FindStringSubmatchIndex(v): whether re matches v[0..len); on a match
 * s->ov holds each group's byte offsets in v.
 */
bool label_regex_submatch(struct label_regex_sub *s, const char *v, size_t len);
/*
 * Go's Regexp.ExpandString(out, tmpl, src, match) after a match of src by
 * label_regex_submatch(s, src, ...): appends tmpl[0..tlen) to out with $1,
 * ${1}, $name and ${name} replaced by that group's text ("" when it did not
 * take part or does not exist) and $$ by $.
 */
void label_regex_expand(struct buf *out, const struct label_regex_sub *s, const char *tmpl, size_t tlen,
			const char *src);

/*
 * regexp.Compile's syntax check of a whole pattern: 0 with the pattern
 * rewritten for PCRE2 (UTF, DOLLAR_ENDONLY: Go's default flags) appended
 * to out, or -1 with Go's message in msg.
 */
int go_regexp_translate(struct buf *out, const char *pattern, size_t len, struct buf *msg);

#endif
