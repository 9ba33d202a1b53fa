/*
 * The parts of Go's net/url (Go 1.19) that promtool's --url goes through:
 * url.Parse (scheme, opaque, authority, port check, percent escapes),
 * URL.String(), path.Join and QueryEscape.  Paths are kept in their escaped
 * form, which is what URL.String() prints back for ordinary input.
 */
#include "5-query/gourl.h"

#include <stdlib.h>
#include <string.h>

#include "1-common/gostrconv.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"

static int url_fail(struct err *e, const char *raw, const char *msg)
{
	struct buf q = BUF_INIT;
	go_quote(&q, raw, strlen(raw));
	err_set(e, "parse %s: %s", buf_str(&q), msg);
	buf_release(&q);
	return -1;
}

/* url.unescape: %XX sequences; a bad one is an EscapeError naming it. */
static int unescape(char **out, const char *s, size_t len, char *bad, size_t badlen)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len || go_unhex((unsigned char)s[i + 1]) < 0 ||
			    go_unhex((unsigned char)s[i + 2]) < 0) {
				size_t n = len - i < 3 ? len - i : 3;
				if (n >= badlen)
					n = badlen - 1;
				memcpy(bad, s + i, n);
				bad[n] = '\0';
				buf_release(&b);
				return -1;
			}
			buf_addc(&b, (unsigned char)(go_unhex((unsigned char)s[i + 1]) << 4 |
						     go_unhex((unsigned char)s[i + 2])));
			i += 2;
		} else {
			buf_addc(&b, (unsigned char)s[i]);
		}
	}
	buf_grow(&b, 1);
	*out = buf_detach(&b, NULL);
	return 0;
}

static int escape_fail(struct err *e, const char *raw, const char *bad)
{
	struct buf m = BUF_INIT;
	int rc;
	buf_adds(&m, "invalid URL escape ");
	go_quote(&m, bad, strlen(bad));
	rc = url_fail(e, raw, buf_str(&m));
	buf_release(&m);
	return rc;
}

static int parse_authority(struct go_url *u, const char *raw, const char *a, size_t len, struct err *e)
{
	const char *at = NULL, *host;
	size_t hlen;
	char bad[4];

	for (size_t i = 0; i < len; i++)
		if (a[i] == '@')
			at = a + i;
	host = at ? at + 1 : a;
	hlen = (size_t)(a + len - host);
	if (hlen && host[0] == '[') {
		const char *rb = memchr(host, ']', hlen);
		if (!rb)
			return url_fail(e, raw, "missing ']' in host");
		if (rb + 1 < host + hlen) {
			const char *p = rb + 1;
			if (*p != ':')
				goto badport;
			for (p++; p < host + hlen; p++)
				if (*p < '0' || *p > '9')
					goto badport;
		}
	} else {
		const char *colon = NULL;
		for (size_t i = 0; i < hlen; i++)
			if (host[i] == ':')
				colon = host + i;
		if (colon)
			for (const char *p = colon + 1; p < host + hlen; p++)
				if (*p < '0' || *p > '9')
					goto badport;
	}
	u->host = xstrndup(host, hlen);
	if (at) {
		const char *ui = a, *colon = memchr(a, ':', (size_t)(at - a));
		size_t ulen = (size_t)((colon ? colon : at) - ui);
		if (unescape(&u->user, ui, ulen, bad, sizeof(bad)) < 0)
			return escape_fail(e, raw, bad);
		if (colon && unescape(&u->password, colon + 1, (size_t)(at - colon - 1), bad, sizeof(bad)) < 0)
			return escape_fail(e, raw, bad);
	}
	return 0;

badport: {
	const char *colon = NULL;
	struct buf m = BUF_INIT;
	int rc;
	for (size_t i = 0; i < hlen; i++)
		if (host[i] == ':')
			colon = host + i;
	if (host[0] == '[') {
		const char *rb = memchr(host, ']', hlen);
		colon = rb + 1;
	}
	buf_adds(&m, "invalid port ");
	go_quote(&m, colon, (size_t)(host + hlen - colon));
	buf_adds(&m, " after host");
	rc = url_fail(e, raw, buf_str(&m));
	buf_release(&m);
	return rc;
}
}

int go_url_parse(struct go_url *out, const char *s, struct err *e)
{
	const char *hash = strchr(s, '#');
	size_t len = hash ? (size_t)(hash - s) : strlen(s);
	char *raw = xstrndup(s, len);
	const char *rest = raw;
	size_t rlen;
	const char *q;
	char bad[4];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)raw[i] < 0x20 || raw[i] == 0x7f) {
			url_fail(e, raw, "net/url: invalid control character in URL");
			goto done;
		}
	/* getScheme */
	for (size_t i = 0; i < len; i++) {
		char c = raw[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
			if (i == 0)
				break;
			continue;
		}
		if (c == ':') {
			if (i == 0) {
				url_fail(e, raw, "missing protocol scheme");
				goto done;
			}
			out->scheme = xstrndup(raw, i);
			for (char *p = out->scheme; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
			rest = raw + i + 1;
		}
		break;
	}
	rlen = strlen(rest);
	q = memchr(rest, '?', rlen);
	if (q) {
		out->raw_query = xstrdup(q + 1);
		rlen = (size_t)(q - rest);
	}
	if (!rlen || rest[0] != '/') {
		const char *slash = memchr(rest, '/', rlen);
		size_t seg = slash ? (size_t)(slash - rest) : rlen;
		if (out->scheme) {
			/* an empty Opaque is no Opaque at all to Go */
			if (rlen)
				out->opaque = xstrndup(rest, rlen);
			rc = 0;
			goto done;
		}
		if (memchr(rest, ':', seg)) {
			url_fail(e, raw, "first path segment in URL cannot contain colon");
			goto done;
		}
	}
	if ((out->scheme || !(rlen >= 3 && !strncmp(rest, "///", 3))) && rlen >= 2 && !strncmp(rest, "//", 2)) {
		const char *a = rest + 2, *slash = memchr(a, '/', rlen - 2);
		size_t alen = slash ? (size_t)(slash - a) : rlen - 2;
		if (parse_authority(out, raw, a, alen, e) < 0)
			goto done;
		rlen -= 2 + alen;
		rest = a + alen;
	} else if (out->scheme && rlen && rest[0] == '/') {
		out->omit_host = true;
	}
	{
		char *decoded = NULL;
		if (unescape(&decoded, rest, rlen, bad, sizeof(bad)) < 0) {
			escape_fail(e, raw, bad);
			goto done;
		}
		free(decoded);
		out->path = xstrndup(rest, rlen);
	}
	if (hash)
		out->fragment = xstrdup(hash + 1);
	rc = 0;
done:
	free(raw);
	if (rc < 0)
		go_url_release(out);
	return rc;
}

void go_url_release(struct go_url *u)
{
	free(u->scheme);
	free(u->opaque);
	free(u->user);
	free(u->password);
	free(u->host);
	free(u->path);
	free(u->raw_query);
	free(u->fragment);
	memset(u, 0, sizeof(*u));
}

/* shouldEscape(c, encodeUserPassword) */
static void escape_userinfo(struct buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-_.~$&+,;=!*'()", c))
			buf_addc(out, c);
		else
			buf_addf(out, "%%%02X", c);
	}
}

void go_url_format(struct buf *out, const struct go_url *u, bool redact_password)
{
	const char *path = u->path ? u->path : "";
	if (u->scheme) {
		buf_adds(out, u->scheme);
		buf_addc(out, ':');
	}
	if (u->opaque) {
		buf_adds(out, u->opaque);
	} else {
		if ((u->scheme || (u->host && *u->host) || u->user) &&
		    !(u->omit_host && !(u->host && *u->host) && !u->user)) {
			if ((u->host && *u->host) || *path || u->user)
				buf_adds(out, "//");
			if (u->user) {
				escape_userinfo(out, u->user);
				if (u->password) {
					buf_addc(out, ':');
					if (redact_password)
						buf_adds(out, "***");
					else
						escape_userinfo(out, u->password);
				}
				buf_addc(out, '@');
			}
			if (u->host)
				buf_adds(out, u->host);
		}
		if (*path && path[0] != '/' && u->host && *u->host)
			buf_addc(out, '/');
		buf_adds(out, path);
	}
	if (u->raw_query && *u->raw_query) {
		buf_addc(out, '?');
		buf_adds(out, u->raw_query);
	}
	if (u->fragment && *u->fragment) {
		buf_addc(out, '#');
		buf_adds(out, u->fragment);
	}
}

/* path.Clean of a rooted or relative path (lexical, as Go's). */
static char *path_clean(const char *p)
{
	size_t n = strlen(p), w = 0, r = 0, dotdot = 0;
	int rooted = n && p[0] == '/';
	char *out = xmalloc(n + 2);

	if (!n) {
		strcpy(out, ".");
		return out;
	}
	if (rooted) {
		out[w++] = '/';
		r = dotdot = 1;
	}
	while (r < n) {
		if (p[r] == '/') {
			r++;
		} else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
			r++;
		} else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && p[r] != '/'; r++)
				out[w++] = p[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

char *go_path_join(const char *a, const char *b)
{
	char *joined, *clean;
	if (!*a && !*b)
		return xstrdup("");
	joined = *a ? xasprintf("%s/%s", a, b) : xstrdup(b);
	clean = path_clean(joined);
	free(joined);
	return clean;
}

void go_query_escape(struct buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '_' || c == '.' || c == '~')
			buf_addc(out, c);
		else if (c == ' ')
			buf_addc(out, '+');
		else
			buf_addf(out, "%%%02X", c);
	}
}
