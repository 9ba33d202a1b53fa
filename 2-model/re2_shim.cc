/*
 * The C interface to RE2 (2-model/re2_shim.h): the only C++ in the tree.
 *
 * Go's regexp is a port of RE2, so RE2 with these options reads what Go's
 * syntax checker (2-model/regex.c) accepts as Go does: Perl syntax
 * (RE2::Options' default, Go's syntax.Perl: ^ and $ match at the ends of
 * the text only, classes like [^a] match \n, . does not), leftmost-first
 * matching, UTF-8.  RE2 runs a DFA where it can and its NFA (or one-pass /
 * bit-state matcher) otherwise; when a DFA cache fills up it falls back to
 * the NFA, so every search ends with an answer, in time linear in the text.
 *
 * No C++ exception may cross into C: RE2 reports errors by status, and the
 * only exception left, std::bad_alloc, ends the process with the message
 * 1-common/xalloc.c gives for the same failure.
 */
#include "2-model/re2_shim.h"

#include <re2/re2.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

extern "C" {
#include "1-common/xalloc.h"
}

struct re2_shim {
	RE2 re;
	/* group i's name, or NULL; empty when no group is named */
	std::vector<const char *> names;

	re2_shim(const char *pat, size_t len, const RE2::Options &o) : re(re2::StringPiece(pat, len), o) {}
};

struct re2_shim_sub {
	const re2_shim *re;
	int n; /* groups + 1 */
	re2::StringPiece *sp;
};

[[noreturn]] static void die_oom(void)
{
	fputs("fatal: out of memory in RE2\n", stderr);
	abort();
}

/* A subject pointer RE2 can tell from an unset group's NULL. */
static const char *subject(const char *s)
{
	return s ? s : "";
}

int re2_shim_compile(struct re2_shim **out, const char *pat, size_t len, char *err, size_t errlen)
{
	*out = NULL;
	try {
		RE2::Options o;
		o.set_log_errors(false); /* errors go to the caller, not to stderr */
		o.set_max_mem(RE2_SHIM_MAX_MEM);
		re2_shim *r = new re2_shim(subject(pat), len, o);
		if (!r->re.ok()) {
			snprintf(err, errlen, "%s", r->re.error().c_str());
			delete r;
			return -1;
		}
		const std::map<int, std::string> &names = r->re.CapturingGroupNames();
		if (!names.empty()) {
			r->names.assign((size_t)r->re.NumberOfCapturingGroups() + 1, nullptr);
			for (const auto &kv : names)
				r->names[(size_t)kv.first] = kv.second.c_str();
		}
		*out = r;
		return 0;
	} catch (const std::bad_alloc &) {
		die_oom();
	}
}

void re2_shim_free(struct re2_shim *re)
{
	delete re;
}

bool re2_shim_match(const struct re2_shim *re, const char *s, size_t len)
{
	try {
		return re->re.Match(re2::StringPiece(subject(s), len), 0, len, RE2::UNANCHORED, NULL, 0);
	} catch (const std::bad_alloc &) {
		die_oom();
	}
}

int re2_shim_ngroups(const struct re2_shim *re)
{
	return re->re.NumberOfCapturingGroups();
}

const char *re2_shim_group_name(const struct re2_shim *re, int i)
{
	if (i < 0 || (size_t)i >= re->names.size())
		return NULL;
	return re->names[(size_t)i];
}

struct re2_shim_sub *re2_shim_sub_new(const struct re2_shim *re)
{
	re2_shim_sub *sub = static_cast<re2_shim_sub *>(xmalloc(sizeof(*sub)));

	sub->re = re;
	sub->n = re->re.NumberOfCapturingGroups() + 1;
	sub->sp = static_cast<re2::StringPiece *>(xreallocarray(NULL, (size_t)sub->n, sizeof(*sub->sp)));
	for (int i = 0; i < sub->n; i++)
		new (&sub->sp[i]) re2::StringPiece();
	return sub;
}

void re2_shim_sub_free(struct re2_shim_sub *sub)
{
	if (!sub)
		return;
	free(sub->sp); /* StringPiece is trivially destructible */
	free(sub);
}

bool re2_shim_submatch(struct re2_shim_sub *sub, const char *s, size_t len, size_t *ov)
{
	const char *text = subject(s);

	try {
		if (!sub->re->re.Match(re2::StringPiece(text, len), 0, len, RE2::UNANCHORED, sub->sp, sub->n))
			return false;
	} catch (const std::bad_alloc &) {
		die_oom();
	}
	for (int i = 0; i < sub->n; i++) {
		const re2::StringPiece &g = sub->sp[i];
		if (g.data() == NULL) {
			ov[2 * i] = ov[2 * i + 1] = SIZE_MAX;
		} else {
			ov[2 * i] = (size_t)(g.data() - text);
			ov[2 * i + 1] = ov[2 * i] + g.size();
		}
	}
	return true;
}

size_t re2_shim_name_len(const char *s, size_t len)
{
	try {
		/* compiled once, never changed: safe to share between threads */
		static const RE2 name_re("[\\pL\\p{Nd}_]*");
		re2::StringPiece m;

		if (!name_re.Match(re2::StringPiece(subject(s), len), 0, len, RE2::ANCHOR_START, &m, 1))
			return 0;
		return m.size();
	} catch (const std::bad_alloc &) {
		die_oom();
	}
}
