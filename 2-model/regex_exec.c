/*
 * Matching label-matcher regexps (2-model/regex.h) as Go's regexp does,
 * with RE2 (2-model/re2_shim.h) underneath: MatchString for matchers,
 * FindStringSubmatchIndex and ExpandString for label_replace().
 *
 * RE2 decides every match in time linear in the subject: there is no
 * backtracking limit that could turn into a wrong "no match".
 *
 * Go reads a subject's invalid UTF-8 as U+FFFD, one per bad byte (so "."
 * matches "\xff" and [^a] matches it too); RE2 never matches inside
 * invalid sequences.  Such subjects (rare: label values are UTF-8 almost
 * always) are matched as a copy with each bad byte replaced by U+FFFD, and
 * submatch offsets are mapped back to the subject's bytes.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/utf8.h"
#include "1-common/xalloc.h"
#include "2-model/re2_shim.h"
#include "2-model/regex.h"

/* The offset of the first byte Go reads as an invalid-UTF-8 U+FFFD, or len. */
static size_t first_invalid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		int32_t r;
		size_t w;
		uint64_t word;

		/* ASCII, the common case, eight bytes at a time */
		if (len - i >= 8 && (memcpy(&word, s + i, 8), !(word & 0x8080808080808080ull))) {
			i += 8;
			continue;
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		w = go_decode_rune(s + i, len - i, &r);
		if (r == 0xFFFD && w == 1)
			return i;
		i += w;
	}
	return len;
}

/*
 * Writes s[0..len) to out (room for 3 * len bytes) with each invalid byte
 * from offset bad on replaced by U+FFFD; when orig is not NULL, orig[k]
 * gets the offset in s of out[k] (and orig[result] = len).  Returns the
 * bytes written.
 */
static size_t rewrite_invalid(const unsigned char *s, size_t len, size_t bad, unsigned char *out, size_t *orig)
{
	size_t i = bad, n = bad;

	memcpy(out, s, bad);
	for (size_t k = 0; orig && k < bad; k++)
		orig[k] = k;
	while (i < len) {
		int32_t r;
		size_t w = go_decode_rune(s + i, len - i, &r), at = n;

		if (r == 0xFFFD && w == 1) {
			memcpy(out + n, "\xef\xbf\xbd", 3);
			n += 3;
		} else {
			memcpy(out + n, s + i, w);
			n += w;
		}
		for (size_t k = at; orig && k < n; k++)
			orig[k] = i;
		i += w;
	}
	if (orig)
		orig[n] = len;
	return n;
}

bool label_regex_match(const void *re, const char *v, size_t len)
{
	const unsigned char *s = (const unsigned char *)v;
	unsigned char small[768], *fixed;
	size_t bad, n;
	bool ok;

	assert(re);
	bad = first_invalid(s, len);
	if (bad == len)
		return re2_shim_match(re, v, len);
	/* the copy lives on the stack when it is small: no allocation */
	fixed = len <= sizeof(small) / 3 ? small : xreallocarray(NULL, len, 3);
	n = rewrite_invalid(s, len, bad, fixed, NULL);
	ok = re2_shim_match(re, (const char *)fixed, n);
	if (fixed != small)
		free(fixed);
	return ok;
}

bool label_regex_matches_empty(const void *re)
{
	return label_regex_match(re, "", 0);
}

void label_regex_sub_init(struct label_regex_sub *s, const void *re)
{
	memset(s, 0, sizeof(*s));
	s->re = re;
}

void label_regex_sub_release(struct label_regex_sub *s)
{
	re2_shim_sub_free(s->sub);
	free(s->ov);
	free(s->fixed);
	free(s->orig);
	label_regex_sub_init(s, NULL);
}

bool label_regex_submatch(struct label_regex_sub *s, const char *v, size_t len)
{
	const unsigned char *u = (const unsigned char *)v;
	size_t bad, n, nov;

	assert(s->re);
	if (!s->sub) {
		s->sub = re2_shim_sub_new(s->re);
		s->ngroups = re2_shim_ngroups(s->re);
		s->ov = xreallocarray(NULL, (size_t)s->ngroups + 1, 2 * sizeof(*s->ov));
	}
	nov = 2 * ((size_t)s->ngroups + 1);
	bad = first_invalid(u, len);
	if (bad == len)
		return re2_shim_submatch(s->sub, v, len, s->ov);
	if (len > (SIZE_MAX - 1) / 3)
		abort(); /* cannot be: the subject is in memory */
	ALLOC_GROW(s->fixed, 3 * len, s->fixed_cap);
	ALLOC_GROW(s->orig, 3 * len + 1, s->orig_cap);
	n = rewrite_invalid(u, len, bad, s->fixed, s->orig);
	if (!re2_shim_submatch(s->sub, (const char *)s->fixed, n, s->ov))
		return false;
	for (size_t k = 0; k < nov; k++)
		if (s->ov[k] != SIZE_MAX)
			s->ov[k] = s->orig[s->ov[k]];
	return true;
}

/* Appends group g's text of the last match, if it took part. */
static void add_group(struct buf *out, const struct label_regex_sub *s, size_t g, const char *src)
{
	if (g <= (size_t)s->ngroups && s->ov[2 * g] != SIZE_MAX)
		buf_add(out, src + s->ov[2 * g], s->ov[2 * g + 1] - s->ov[2 * g]);
}

/*
 * Go's Regexp.expand and extract: after '$' comes "$" (a dollar), or a
 * name of letters, digits and '_', optionally in braces; a name that is a
 * number without leading zeros (below 1e8) is a group number, any other
 * name is looked up among the named groups, the first one by position that
 * took part in the match winning.  Anything else leaves the '$' as text.
 */
void label_regex_expand(struct buf *out, const struct label_regex_sub *s, const char *tmpl, size_t tlen,
			const char *src)
{
	size_t i = 0;

	while (i < tlen) {
		const char *d = memchr(tmpl + i, '$', tlen - i);
		size_t at, nl;
		bool brace = false;
		long num = 0;

		if (!d)
			break;
		buf_add(out, tmpl + i, (size_t)(d - (tmpl + i)));
		i = (size_t)(d - tmpl) + 1;
		if (i < tlen && tmpl[i] == '$') {
			buf_addc(out, '$');
			i++;
			continue;
		}
		at = i;
		if (at < tlen && tmpl[at] == '{') {
			brace = true;
			at++;
		}
		nl = re2_shim_name_len(tmpl + at, tlen - at);
		if (nl == 0 || (brace && (at + nl >= tlen || tmpl[at + nl] != '}'))) {
			buf_addc(out, '$'); /* malformed: the '$' is text */
			continue;
		}
		i = at + nl + (brace ? 1 : 0);
		for (size_t k = 0; k < nl; k++) {
			char c = tmpl[at + k];
			if (c < '0' || c > '9' || num >= 100000000) {
				num = -1;
				break;
			}
			num = num * 10 + (c - '0');
		}
		if (tmpl[at] == '0' && nl > 1)
			num = -1;
		if (num >= 0) {
			add_group(out, s, (size_t)num, src);
			continue;
		}
		for (int g = 1; g <= s->ngroups; g++) {
			const char *name = re2_shim_group_name(s->re, g);
			if (name && strlen(name) == nl && !memcmp(name, tmpl + at, nl) && s->ov[2 * g] != SIZE_MAX) {
				add_group(out, s, (size_t)g, src);
				break;
			}
		}
	}
	if (i < tlen)
		buf_add(out, tmpl + i, tlen - i);
}
