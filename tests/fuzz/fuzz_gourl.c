/*
 * Fuzz target: --url as Go's url.Parse reads it (5-query/gourl.c).  Any
 * input parses or fails with url.Error's text; a parsed URL prints (with
 * and without the password redacted) and what it prints parses again.
 * The endpoint path is joined to it as the API client does, and the input
 * is query-escaped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "1-common/xalloc.h"
#include "5-query/gourl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct go_url u, v;
	struct err e = ERR_INIT;
	struct buf a = BUF_INIT, b = BUF_INIT;

	if (memchr(data, '\0', size))
		goto out; /* a C string flag value cannot hold NUL */
	if (go_url_parse(&u, s, &e) < 0) {
		if (!err_isset(&e))
			abort();
		goto out;
	}
	go_url_format(&a, &u, false);
	go_url_format(&b, &u, true);
	if (go_url_parse(&v, buf_str(&a), &e) == 0)
		go_url_release(&v);
	err_release(&e);
	free(go_path_join(u.path ? u.path : "", "/api/v1/query_range"));
	go_url_release(&u);
out:
	buf_reset(&a);
	go_query_escape(&a, s);
	err_release(&e);
	buf_release(&a);
	buf_release(&b);
	free(s);
	return 0;
}
