/*
 * libcurl, loaded when a command first needs HTTP instead of when the
 * program starts.  libcurl and the TLS, Kerberos, LDAP and SSH libraries
 * it brings cost every process about 7 ms of dynamic linking, most of a
 * `check rules` and several per cent of a local backfill, which never
 * speaks HTTP.
 *
 * The program is not linked with libcurl: this file defines the few entry
 * points 5-query uses, with curl.h's prototypes, and forwards each to the
 * library opened (by its soname, RTLD_LOCAL) on the first call.  The
 * variadic ones pass their one argument on by the type its option number
 * encodes (CURLOPTTYPE_*, CURLINFO_TYPEMASK), as libcurl reads it (their
 * names in parentheses: curl.h makes them type-checking macros).  When
 * the library cannot be opened, curl_dl_handle() (the callers' one way
 * to a handle) says why.
 */
#include "5-query/curl_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static struct {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} fn;
static bool loaded;
static char why[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	void *h = dlopen(CURL_DL_SONAME, RTLD_NOW | RTLD_LOCAL);
	struct {
		const char *name;
		void **slot;
	} syms[] = {
		{ "curl_global_init", (void **)&fn.global_init },
		{ "curl_easy_init", (void **)&fn.easy_init },
		{ "curl_easy_setopt", (void **)&fn.easy_setopt },
		{ "curl_easy_perform", (void **)&fn.easy_perform },
		{ "curl_easy_getinfo", (void **)&fn.easy_getinfo },
		{ "curl_easy_cleanup", (void **)&fn.easy_cleanup },
		{ "curl_easy_reset", (void **)&fn.easy_reset },
		{ "curl_easy_strerror", (void **)&fn.easy_strerror },
		{ "curl_slist_append", (void **)&fn.slist_append },
		{ "curl_slist_free_all", (void **)&fn.slist_free_all },
	};

	if (!h) {
		snprintf(why, sizeof(why), "%s", dlerror());
		return;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		if (!(*syms[i].slot = dlsym(h, syms[i].name))) {
			snprintf(why, sizeof(why), "%s: no %s", CURL_DL_SONAME, syms[i].name);
			return;
		}
	}
	loaded = true;
}

static bool ready(void)
{
	pthread_once(&once, load);
	return loaded;
}

CURL *curl_dl_handle(struct err *e)
{
	CURL *c = NULL;

	if (!ready())
		err_set(e, "cannot initialise libcurl: %s", why);
	else if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(c = curl_easy_init()))
		err_set(e, "cannot initialise libcurl");
	return c;
}

CURLcode curl_global_init(long flags)
{
	return ready() ? fn.global_init(flags) : CURLE_FAILED_INIT;
}

/* The rest are only reached after curl_global_init() succeeded (a handle
 * or list exists); the checks keep a stray call harmless. */
CURL *curl_easy_init(void)
{
	return ready() ? fn.easy_init() : NULL;
}

CURLcode (curl_easy_setopt)(CURL *c, CURLoption opt, ...)
{
	va_list ap;
	CURLcode rc;

	if (!ready())
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = fn.easy_setopt(c, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = fn.easy_setopt(c, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = fn.easy_setopt(c, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = fn.easy_setopt(c, opt, va_arg(ap, curl_off_t));
	else
		rc = fn.easy_setopt(c, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode curl_easy_perform(CURL *c)
{
	return ready() ? fn.easy_perform(c) : CURLE_FAILED_INIT;
}

CURLcode (curl_easy_getinfo)(CURL *c, CURLINFO info, ...)
{
	va_list ap;
	void *out;

	if (!ready())
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	out = va_arg(ap, void *); /* every kind of info is written through a pointer */
	va_end(ap);
	return fn.easy_getinfo(c, info, out);
}

void curl_easy_cleanup(CURL *c)
{
	if (ready())
		fn.easy_cleanup(c);
}

void curl_easy_reset(CURL *c)
{
	if (ready())
		fn.easy_reset(c);
}

const char *curl_easy_strerror(CURLcode code)
{
	return ready() ? fn.easy_strerror(code) : "libcurl is not loaded";
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
	return ready() ? fn.slist_append(l, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *l)
{
	if (ready())
		fn.slist_free_all(l);
}
