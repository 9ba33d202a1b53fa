/*
 * Checking flag and argument values the way kingpin v2.2.6's value types do
 * when promtool 2.42 parses its command line, with the same error text:
 * every message here is what the Go library prints (before kingpin.MustParse
 * appends ", try --help").
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/gofmt.h"
#include "1-common/goerrno.h"
#include "2-model/labels.h"
#include "5-query/gourl.h"
#include "8-promtool/cli_table.h"

/* strconv.Quote of s, as Go's errors print their input. */
static void quote(struct buf *out, const char *s)
{
	go_quote(out, s, strlen(s));
}

static int num_error(struct buf *msg, const char *fn, const char *s, bool range)
{
	buf_addf(msg, "strconv.%s: parsing ", fn);
	quote(msg, s);
	buf_adds(msg, range ? ": value out of range" : ": invalid syntax");
	return -1;
}

/*
 * strconv.ParseInt(s, 0, 64): optional sign, then a 0x/0o/0b/0 base prefix
 * or decimal; with base 0, underscores may separate digits (Go's
 * underscoreOK rules: only between digits or after the prefix).
 */
static int parse_int64(const char *s, int64_t *out)
{
	const char *p = s;
	bool neg = false;
	int base = 10;
	uint64_t v = 0, limit;
	bool any = false, overflow = false;
	char prev = '^'; /* '^' start, '0' digit or prefix, '_' underscore */

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		prev = '0';
	} else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		base = 8;
		p += 2;
		prev = '0';
	} else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		base = 2;
		p += 2;
		prev = '0';
	} else if (p[0] == '0' && p[1]) {
		base = 8;
		p++;
		prev = '0';
		any = true;
	}
	for (; *p; p++) {
		int d;
		if (*p == '_') {
			if (prev != '0')
				return -1;
			prev = '_';
			continue;
		}
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'z')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'Z')
			d = *p - 'A' + 10;
		else
			return -1;
		if (d >= base)
			return -1;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			overflow = true;
		else
			v = v * (uint64_t)base + (uint64_t)d;
		any = true;
		prev = '0';
	}
	if (!any || prev == '_')
		return -1;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	if (overflow || v > limit)
		return -2;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/*
 * The time package's own quoting in its errors: like %q for printable
 * ASCII, but every byte outside it becomes \xNN.
 */
static void time_quote(struct buf *out, const char *s, size_t n)
{
	size_t i;

	buf_addc(out, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 || c < ' ')
			buf_addf(out, "\\x%02x", c);
		else if (c == '"' || c == '\\')
			buf_addf(out, "\\%c", c);
		else
			buf_addc(out, c);
	}
	buf_addc(out, '"');
}

/*
 * The error time.ParseDuration returns for s, which go_parse_duration has
 * rejected: Go reports a missing or unknown unit specially, anything else
 * as "invalid duration".
 */
static int duration_error(struct buf *msg, const char *s)
{
	static const char *const units[] = { "ns", "us", "\xc2\xb5s", "\xce\xbcs", "ms", "s", "m", "h" };
	const char *p = s;

	if (*p == '-' || *p == '+')
		p++;
	while (*p) {
		const char *start = p, *u;
		size_t ulen, i;
		bool known = false;

		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (p == start || (p == start + 1 && *start == '.'))
			break; /* no digits: invalid */
		u = p;
		while (*p && *p != '.' && !(*p >= '0' && *p <= '9'))
			p++;
		ulen = (size_t)(p - u);
		if (ulen == 0) {
			buf_adds(msg, "time: missing unit in duration ");
			time_quote(msg, s, strlen(s));
			return -1;
		}
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i]) == ulen && !memcmp(units[i], u, ulen))
				known = true;
		if (!known) {
			buf_adds(msg, "time: unknown unit ");
			time_quote(msg, u, ulen);
			buf_adds(msg, " in duration ");
			time_quote(msg, s, strlen(s));
			return -1;
		}
	}
	buf_adds(msg, "time: invalid duration ");
	time_quote(msg, s, strlen(s));
	return -1;
}

/* Go's os.basename: the last element, ignoring trailing slashes. */
static const char *go_basename(const char *path, size_t *len)
{
	size_t n = strlen(path), i;

	while (n > 1 && path[n - 1] == '/')
		n--;
	for (i = n; i > 0; i--)
		if (path[i - 1] == '/')
			break;
	if (n == 1 && path[0] == '/')
		i = 0;
	*len = n - i;
	return path + i;
}

static int existing_file(const char *s, struct buf *msg)
{
	struct stat st;
	const char *base;
	size_t blen;

	if (stat(s, &st) < 0) {
		if (errno == ENOENT) {
			buf_addf(msg, "path '%s' does not exist", s);
			return -1;
		}
		buf_addf(msg, "stat %s: %s", s, go_strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		base = go_basename(s, &blen);
		buf_addf(msg, "'%.*s' is a directory", (int)blen, base);
		return -1;
	}
	return 0;
}

int cli_value_check(enum cli_type type, const char *const *enums, const char *s, struct buf *msg)
{
	double d;
	int64_t i;
	int rc;

	switch (type) {
	case CLI_BOOL:
	case CLI_STRING:
		return 0;
	case CLI_INT:
		rc = go_parse_float(s, strlen(s), &d);
		return rc == 0 ? 0 : num_error(msg, "ParseFloat", s, rc == -2);
	case CLI_INT64:
		rc = parse_int64(s, &i);
		return rc == 0 ? 0 : num_error(msg, "ParseInt", s, rc == -2);
	case CLI_DURATION:
		if (go_parse_duration(s, strlen(s), &i) == 0)
			return 0;
		return duration_error(msg, s);
	case CLI_URL: {
		struct go_url u;
		struct err e = ERR_INIT;
		rc = go_url_parse(&u, s, &e);
		if (rc < 0)
			buf_addf(msg, "invalid URL: %s", err_msg(&e));
		else
			go_url_release(&u);
		err_release(&e);
		return rc;
	}
	case CLI_ENUM: {
		const char *const *e;
		for (e = enums; *e; e++)
			if (!strcmp(*e, s))
				return 0;
		buf_adds(msg, "enum value must be one of ");
		for (e = enums; *e; e++)
			buf_addf(msg, "%s%s", e == enums ? "" : ",", *e);
		buf_addf(msg, ", got '%s'", s);
		return -1;
	}
	case CLI_EXISTING_FILE:
		return existing_file(s, msg);
	case CLI_STRING_MAP:
		if (strpbrk(s, ":="))
			return 0;
		buf_addf(msg, "expected KEY=VALUE got '%s'", s);
		return -1;
	}
	return 0;
}

int64_t cli_value_int(enum cli_type type, const char *s)
{
	double d;
	int64_t i = 0;

	if (type == CLI_INT) {
		/* kingpin converts the float with Go's int(): truncation. */
		if (go_parse_float(s, strlen(s), &d) < 0 || d != d)
			return 0;
		if (d >= 9223372036854775807.0)
			return INT64_MIN; /* what amd64's conversion yields */
		if (d < -9223372036854775808.0)
			return INT64_MIN;
		return (int64_t)d;
	}
	if (type == CLI_DURATION) {
		if (go_parse_duration(s, strlen(s), &i) < 0)
			return 0;
		return i;
	}
	if (parse_int64(s, &i) < 0)
		return 0;
	return i;
}
