/*
 * The parts of Go's net/url (Go 1.19) that promtool's --url goes through:
 * url.Parse (scheme, opaque, authority with its userinfo and host rules,
 * port check, percent escapes per component), URL.String() with Go's
 * escaping, net/http's password stripping, path.Join and QueryEscape.
 *
 * Strings hold what url.Parse stores: user, password, host and path
 * decoded.  A decoded %00 ends the C string early; Go would keep it.
 */
#include "5-query/gourl.h"

#include <stdlib.h>
#include <string.h>

#include "1-common/gopath.h"
#include "1-common/gostrconv.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"

/* Go's url.encoding: which component a string is escaped for. */
enum enc { ENC_PATH, ENC_HOST, ENC_ZONE, ENC_USERPASS, ENC_QUERY, ENC_FRAGMENT };

static int url_fail(struct err *e, const char *raw, size_t rawlen, const char *msg)
{
	struct buf q = BUF_INIT;
	go_quote(&q, raw, rawlen);
	err_set(e, "parse %s: %s", buf_str(&q), msg);
	buf_release(&q);
	return -1;
}

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* url.shouldEscape */
static bool should_escape(unsigned char c, enum enc mode)
{
	if (is_alnum(c))
		return false;
	if ((mode == ENC_HOST || mode == ENC_ZONE) && strchr("!$&'()*+,;=:[]<>\"", c) && c)
		return false;
	switch (c) {
	case '-': case '_': case '.': case '~':
		return false;
	case '$': case '&': case '+': case ',': case '/': case ':': case ';': case '=': case '?': case '@':
		switch (mode) {
		case ENC_PATH:
			return c == '?';
		case ENC_USERPASS:
			return c == '@' || c == '/' || c == '?' || c == ':';
		case ENC_QUERY:
			return true;
		case ENC_FRAGMENT:
			return false;
		default:
			break;
		}
		break;
	default:
		break;
	}
	if (mode == ENC_FRAGMENT && (c == '!' || c == '(' || c == ')' || c == '*'))
		return false;
	return true;
}

/*
 * url.unescape: checks every escape of s[0..len) for its component, then
 * decodes.  On failure writes Go's error text (EscapeError or
 * InvalidHostError) to why.
 */
static int unescape(char **out, const char *s, size_t len, enum enc mode, struct buf *why)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= len || go_unhex(s[i + 1]) < 0 || go_unhex(s[i + 2]) < 0) {
				size_t n = len - i < 3 ? len - i : 3;
				buf_adds(why, "invalid URL escape ");
				go_quote(why, s + i, n);
				return -1;
			}
			if (mode == ENC_HOST && go_unhex(s[i + 1]) < 8 && strncmp(s + i, "%25", 3)) {
				buf_adds(why, "invalid URL escape ");
				go_quote(why, s + i, 3);
				return -1;
			}
			if (mode == ENC_ZONE) {
				unsigned char v = (unsigned char)(go_unhex(s[i + 1]) << 4 | go_unhex(s[i + 2]));
				if (strncmp(s + i, "%25", 3) && v != ' ' && should_escape(v, ENC_HOST)) {
					buf_adds(why, "invalid URL escape ");
					go_quote(why, s + i, 3);
					return -1;
				}
			}
			i += 3;
		} else {
			if ((mode == ENC_HOST || mode == ENC_ZONE) && c < 0x80 && should_escape(c, mode)) {
				buf_adds(why, "invalid character ");
				go_quote(why, s + i, 1);
				buf_adds(why, " in host name");
				return -1;
			}
			i++;
		}
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%') {
			buf_addc(&b, (unsigned char)(go_unhex(s[i + 1]) << 4 | go_unhex(s[i + 2])));
			i += 2;
		} else if (s[i] == '+' && mode == ENC_QUERY) {
			buf_addc(&b, ' ');
		} else {
			buf_addc(&b, (unsigned char)s[i]);
		}
	}
	*out = buf_detach(&b, NULL);
	return 0;
}

/* url.escape */
static void escape(struct buf *out, const char *s, enum enc mode)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' && mode == ENC_QUERY)
			buf_addc(out, '+');
		else if (should_escape(c, mode))
			buf_addf(out, "%%%02X", c);
		else
			buf_addc(out, c);
	}
}

/* url.validEncoded */
static bool valid_encoded(const char *s, enum enc mode)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (strchr("!$&'()*+,;=:@[]%", c) && c)
			continue;
		if (should_escape(c, mode))
			return false;
	}
	return true;
}

/* url.validUserinfo: RFC 3986 userinfo characters only (no non-ASCII). */
static bool valid_userinfo(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!is_alnum(c) && !(strchr("-._:~!$&'()*+,;=%@", c) && c))
			return false;
	}
	return true;
}

/* validOptionalPort */
static bool valid_port(const char *p, size_t len)
{
	if (!len)
		return true;
	if (p[0] != ':')
		return false;
	for (size_t i = 1; i < len; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static const char *last_byte(const char *s, size_t len, char c)
{
	for (size_t i = len; i > 0; i--)
		if (s[i - 1] == c)
			return s + i - 1;
	return NULL;
}

static int bad_port(struct buf *why, const char *p, size_t len)
{
	buf_adds(why, "invalid port ");
	go_quote(why, p, len);
	buf_adds(why, " after host");
	return -1;
}

/* url.parseHost */
static int parse_host(char **out, const char *h, size_t len, struct buf *why)
{
	if (len && h[0] == '[') {
		const char *rb = last_byte(h, len, ']'), *zone = NULL;
		size_t inner;
		if (!rb) {
			buf_adds(why, "missing ']' in host");
			return -1;
		}
		if (!valid_port(rb + 1, (size_t)(h + len - rb - 1)))
			return bad_port(why, rb + 1, (size_t)(h + len - rb - 1));
		inner = (size_t)(rb - h);
		for (size_t i = 0; i + 3 <= inner; i++)
			if (!strncmp(h + i, "%25", 3)) {
				zone = h + i;
				break;
			}
		if (zone) {
			char *p1 = NULL, *p2 = NULL, *p3 = NULL;
			int rc = -1;
			if (!unescape(&p1, h, (size_t)(zone - h), ENC_HOST, why) &&
			    !unescape(&p2, zone, (size_t)(rb - zone), ENC_ZONE, why) &&
			    !unescape(&p3, rb, (size_t)(h + len - rb), ENC_HOST, why)) {
				*out = xasprintf("%s%s%s", p1, p2, p3);
				rc = 0;
			}
			free(p1);
			free(p2);
			free(p3);
			return rc;
		}
	} else {
		const char *colon = last_byte(h, len, ':');
		if (colon && !valid_port(colon, (size_t)(h + len - colon)))
			return bad_port(why, colon, (size_t)(h + len - colon));
	}
	return unescape(out, h, len, ENC_HOST, why);
}

/* url.parseAuthority */
static int parse_authority(struct go_url *u, const char *a, size_t len, struct buf *why)
{
	const char *at = last_byte(a, len, '@'), *colon;
	const char *host = at ? at + 1 : a;

	if (parse_host(&u->host, host, (size_t)(a + len - host), why))
		return -1;
	if (!at)
		return 0;
	if (!valid_userinfo(a, (size_t)(at - a))) {
		buf_adds(why, "net/url: invalid userinfo");
		return -1;
	}
	colon = memchr(a, ':', (size_t)(at - a));
	if (unescape(&u->user, a, (size_t)((colon ? colon : at) - a), ENC_USERPASS, why))
		return -1;
	if (colon && unescape(&u->password, colon + 1, (size_t)(at - colon - 1), ENC_USERPASS, why))
		return -1;
	return 0;
}

/* url.parse(rawURL, false) of s[0..len); the reason goes to why. */
static int parse(struct go_url *u, const char *s, size_t len, struct buf *why)
{
	const char *rest = s, *end = s + len, *q;

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			buf_adds(why, "net/url: invalid control character in URL");
			return -1;
		}
	if (len == 1 && s[0] == '*') {
		u->path = xstrdup("*");
		return 0;
	}
	/* getScheme */
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
			if (i == 0)
				break;
			continue;
		}
		if (c == ':') {
			if (i == 0) {
				buf_adds(why, "missing protocol scheme");
				return -1;
			}
			u->scheme = xstrndup(s, i);
			for (char *p = u->scheme; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
			rest = s + i + 1;
		}
		break;
	}
	q = memchr(rest, '?', (size_t)(end - rest));
	if (q && q == end - 1) {
		u->force_query = true;
		end = q;
	} else if (q) {
		u->raw_query = xstrndup(q + 1, (size_t)(end - q - 1));
		end = q;
	}
	if (rest == end || rest[0] != '/') {
		const char *slash;
		if (u->scheme) {
			/* an empty Opaque is no Opaque at all to Go */
			if (rest != end)
				u->opaque = xstrndup(rest, (size_t)(end - rest));
			return 0;
		}
		slash = memchr(rest, '/', (size_t)(end - rest));
		if (memchr(rest, ':', (size_t)((slash ? slash : end) - rest))) {
			buf_adds(why, "first path segment in URL cannot contain colon");
			return -1;
		}
	}
	if ((u->scheme || !(end - rest >= 3 && !strncmp(rest, "///", 3))) && end - rest >= 2 &&
	    !strncmp(rest, "//", 2)) {
		const char *a = rest + 2, *slash = memchr(a, '/', (size_t)(end - a));
		if (parse_authority(u, a, (size_t)((slash ? slash : end) - a), why))
			return -1;
		rest = slash ? slash : end;
	} else if (u->scheme && rest < end && rest[0] == '/') {
		u->omit_host = true;
	}
	if (unescape(&u->path, rest, (size_t)(end - rest), ENC_PATH, why))
		return -1;
	if (rest != end)
		u->raw_path = xstrndup(rest, (size_t)(end - rest));
	return 0;
}

int go_url_parse(struct go_url *out, const char *s, struct err *e)
{
	const char *hash = strchr(s, '#');
	size_t len = hash ? (size_t)(hash - s) : strlen(s);
	struct buf why = BUF_INIT;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (parse(out, s, len, &why)) {
		url_fail(e, s, len, buf_str(&why));
		goto done;
	}
	if (hash && hash[1]) {
		char *frag = NULL;
		/* setFragment: a bad escape there quotes the whole input */
		if (unescape(&frag, hash + 1, strlen(hash + 1), ENC_FRAGMENT, &why)) {
			url_fail(e, s, strlen(s), buf_str(&why));
			goto done;
		}
		free(frag);
		out->fragment = xstrdup(hash + 1);
	}
	rc = 0;
done:
	buf_release(&why);
	if (rc)
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
	free(u->raw_path);
	free(u->raw_query);
	free(u->fragment);
	memset(u, 0, sizeof(*u));
}

/* URL.EscapedPath: the path as written when it still spells u->path. */
static void escaped_path(struct buf *out, const struct go_url *u)
{
	const char *path = u->path ? u->path : "";
	if (u->raw_path && valid_encoded(u->raw_path, ENC_PATH)) {
		struct buf why = BUF_INIT;
		char *p = NULL;
		bool same = !unescape(&p, u->raw_path, strlen(u->raw_path), ENC_PATH, &why) && !strcmp(p, path);
		free(p);
		buf_release(&why);
		if (same) {
			buf_adds(out, u->raw_path);
			return;
		}
	}
	if (!strcmp(path, "*")) {
		buf_adds(out, "*");
		return;
	}
	escape(out, path, ENC_PATH);
}

/* URL.String() */
static void format(struct buf *out, const struct go_url *u)
{
	const char *host = u->host ? u->host : "";
	size_t start = out->len;

	if (u->scheme) {
		buf_adds(out, u->scheme);
		buf_addc(out, ':');
	}
	if (u->opaque && *u->opaque) {
		buf_adds(out, u->opaque);
	} else {
		struct buf path = BUF_INIT;
		escaped_path(&path, u);
		if ((u->scheme || *host || u->user) && !(u->omit_host && !*host && !u->user)) {
			if (*host || (u->path && *u->path) || u->user)
				buf_adds(out, "//");
			if (u->user) {
				escape(out, u->user, ENC_USERPASS);
				if (u->password) {
					buf_addc(out, ':');
					escape(out, u->password, ENC_USERPASS);
				}
				buf_addc(out, '@');
			}
			escape(out, host, ENC_HOST);
		}
		if (path.len && path.data[0] != '/' && *host)
			buf_addc(out, '/');
		if (out->len == start) {
			const char *slash = strchr(buf_str(&path), '/');
			size_t seg = slash ? (size_t)(slash - buf_str(&path)) : path.len;
			if (memchr(buf_str(&path), ':', seg))
				buf_adds(out, "./");
		}
		buf_add(out, path.data, path.len);
		buf_release(&path);
	}
	if (u->force_query || (u->raw_query && *u->raw_query)) {
		buf_addc(out, '?');
		if (u->raw_query)
			buf_adds(out, u->raw_query);
	}
	if (u->fragment && *u->fragment) {
		buf_addc(out, '#');
		if (valid_encoded(u->fragment, ENC_FRAGMENT)) {
			buf_adds(out, u->fragment);
		} else {
			struct buf why = BUF_INIT;
			char *f = NULL;
			if (!unescape(&f, u->fragment, strlen(u->fragment), ENC_FRAGMENT, &why))
				escape(out, f, ENC_FRAGMENT);
			free(f);
			buf_release(&why);
		}
	}
}

void go_url_format(struct buf *out, const struct go_url *u, bool redact_password)
{
	struct buf s = BUF_INIT, ui = BUF_INIT;
	const char *hit;

	format(&s, u);
	if (!redact_password || !u->user || !u->password) {
		buf_add(out, s.data, s.len);
		buf_release(&s);
		return;
	}
	/* stripPassword: the first "<User.String()>@" becomes "<user>:***@" */
	escape(&ui, u->user, ENC_USERPASS);
	buf_addc(&ui, ':');
	escape(&ui, u->password, ENC_USERPASS);
	buf_addc(&ui, '@');
	hit = strstr(buf_str(&s), buf_str(&ui));
	if (hit) {
		buf_add(out, s.data, (size_t)(hit - buf_str(&s)));
		buf_adds(out, u->user);
		buf_adds(out, ":***@");
		buf_adds(out, hit + ui.len);
	} else {
		buf_add(out, s.data, s.len);
	}
	buf_release(&s);
	buf_release(&ui);
}

char *go_path_join(const char *a, const char *b)
{
	char *joined, *clean;
	if (!*a && !*b)
		return xstrdup("");
	joined = *a ? xasprintf("%s/%s", a, b) : xstrdup(b);
	clean = go_path_clean(joined);
	free(joined);
	return clean;
}

void go_query_escape(struct buf *out, const char *s)
{
	escape(out, s, ENC_QUERY);
}
