/*
 * A small C interface to RE2 (Debian's libre2, a C++ library), internal to
 * 2-model: 2-model/regex.c checks Go's syntax and hands the pattern here;
 * nothing outside 2-model includes this header.
 *
 * RE2 is the C++ original of Go's regexp: the same syntax (what Go's
 * checker accepts, RE2 reads the same way), leftmost-first submatches like
 * Go's, and matching in time linear in the subject with no backtracking
 * limit, so every match is decided.  Only compiling can fail (a program
 * over the memory budget, RE2_SHIM_MAX_MEM).
 *
 * re2_shim_compile() hands back a compiled pattern the caller owns and
 * frees with re2_shim_free() (NULL is fine).  A compiled pattern is never
 * changed by matching, so several threads may share it.  A struct
 * re2_shim_sub is per caller: scratch for submatches, reused from one
 * subject to the next, freed with re2_shim_sub_free().
 */
#ifndef MODEL_RE2_SHIM_H
#define MODEL_RE2_SHIM_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* RE2's budget for one pattern's program and its DFA caches (RE2's default
 * is 8 MB, which refuses \pL{1000}; Go accepts it). */
#define RE2_SHIM_MAX_MEM (32 << 20)

struct re2_shim;
struct re2_shim_sub;

/*
 * Compiles pat[0..len) (UTF-8; may hold NUL bytes) with Go's flags: Perl
 * syntax, ^ and $ at the ends of the text only, . not matching \n.  On
 * failure returns -1 with RE2's reason ("pattern too large - compile
 * failed") in err[0..errlen), NUL-terminated.
 */
int re2_shim_compile(struct re2_shim **out, const char *pat, size_t len, char *err, size_t errlen);
void re2_shim_free(struct re2_shim *re);

/* Whether re matches anywhere in s[0..len) (Go's MatchString: the pattern
 * carries its own anchors).  s must be valid UTF-8. */
bool re2_shim_match(const struct re2_shim *re, const char *s, size_t len);

/* The number of capturing groups; group i's name, or NULL if unnamed. */
int re2_shim_ngroups(const struct re2_shim *re);
const char *re2_shim_group_name(const struct re2_shim *re, int i);

/* Submatch scratch for re (which must outlive it). */
struct re2_shim_sub *re2_shim_sub_new(const struct re2_shim *re);
void re2_shim_sub_free(struct re2_shim_sub *sub);

/*
 * Go's FindStringSubmatchIndex on s[0..len) (valid UTF-8): on a match,
 * ov[2i] and ov[2i+1] (for i = 0..ngroups) get group i's byte offsets, or
 * SIZE_MAX for a group that did not take part.  ov has 2 * (ngroups + 1)
 * entries.
 */
bool re2_shim_submatch(struct re2_shim_sub *sub, const char *s, size_t len, size_t *ov);

/*
 * The length of the longest prefix of s[0..len) made of letters (Unicode
 * L), decimal digits (Nd) and '_': the name after a '$' in Go's
 * Regexp.Expand.  Bytes that are not valid UTF-8 end it.
 */
size_t re2_shim_name_len(const char *s, size_t len);

#ifdef __cplusplus
}
#endif

#endif
