#include "1-common/err.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "1-common/xalloc.h"

void err_init(struct err *e)
{
	e->msg = NULL;
}

void err_release(struct err *e)
{
	free(e->msg);
	e->msg = NULL;
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

int err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	assert(!e->msg && "error message set twice");
	free(e->msg);
	va_start(ap, fmt);
	e->msg = vformat(fmt, ap);
	va_end(ap);
	return -1;
}

int err_wrap(struct err *e, const char *fmt, ...)
{
	va_list ap;
	char *prefix, *s;

	if (!e)
		return -1;
	va_start(ap, fmt);
	prefix = vformat(fmt, ap);
	va_end(ap);
	s = xasprintf("%s: %s", prefix, e->msg ? e->msg : "");
	free(prefix);
	free(e->msg);
	e->msg = s;
	return -1;
}

bool err_isset(const struct err *e)
{
	return e && e->msg;
}

const char *err_msg(const struct err *e)
{
	return e && e->msg ? e->msg : "";
}

void err_move(struct err *dst, struct err *src)
{
	assert(!dst->msg);
	dst->msg = src->msg;
	src->msg = NULL;
}
