/*
 * A json-iterator Iterator (github.com/json-iterator/go, the decoder
 * client_golang v1.14 uses) as far as promtool's response decoding walks
 * it: tokens, strings, strict Skip(), and ReportError's message format.
 * See 5-query/jsoniter.h.
 */
#include "5-query/jsoniter.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/gostrconv.h"
#include "1-common/utf8.h"
#include "1-common/xalloc.h"

/*
 * Go prints the byte it found even when it is NUL (at the end of input).
 * A C string cannot hold that, so messages carry it as C0 80 (the overlong
 * encoding "modified UTF-8" uses for NUL, never valid UTF-8 itself);
 * promtool/ turns it back into a NUL byte when printing.
 */
const char *jit_ch(int c, char *tmp)
{
	if (c == 0)
		return JIT_NUL_MARK;
	tmp[0] = (char)c;
	tmp[1] = '\0';
	return tmp;
}

/* Raw input bytes into a message, NULs marked as above. */
static void add_raw(struct buf *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i])
			buf_addc(b, (unsigned char)p[i]);
		else
			buf_adds(b, JIT_NUL_MARK);
	}
}

void jit_init(struct jit *it, const char *buf, size_t len)
{
	it->buf = buf;
	it->head = 0;
	it->tail = len;
	it->error = NULL;
	it->eof = false;
}

/* Iterator.ReportError: the first error wins. */
void jit_report(struct jit *it, const char *op, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	char *msg;
	size_t ps, pe, cs, ce;
	va_list ap;

	if (it->error)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	ps = it->head >= 10 ? it->head - 10 : 0;
	pe = it->head + 10 < it->tail ? it->head + 10 : it->tail;
	cs = it->head >= 50 ? it->head - 50 : 0;
	ce = it->head + 50 < it->tail ? it->head + 50 : it->tail;
	buf_addf(&b, "%s: %s, error found in #%zu byte of ...|", op, msg ? msg : "", it->head - ps);
	add_raw(&b, it->buf + ps, pe - ps);
	buf_adds(&b, "|..., bigger context ...|");
	add_raw(&b, it->buf + cs, ce - cs);
	buf_adds(&b, "|...");
	free(msg);
	it->error = buf_detach(&b, NULL);
}

/* "<type>.<error>": how a struct decoder prefixes an error from inside. */
void jit_wrap_type(struct jit *it, const char *type)
{
	if (it->error) {
		char *w = xasprintf("%s.%s", type, it->error);
		free(it->error);
		it->error = w;
	}
}

/* Prefixes the recorded error the way jsoniter's wrapping decoders do. */
void jit_wrap(struct jit *it, const char *prefix)
{
	if (it->error) {
		char *w = xasprintf("%s: %s", prefix, it->error);
		free(it->error);
		it->error = w;
	}
}

int jit_next_token(struct jit *it)
{
	while (it->head < it->tail) {
		char c = it->buf[it->head++];
		if (c != ' ' && c != '\n' && c != '\t' && c != '\r')
			return (unsigned char)c;
	}
	it->eof = true;
	return 0;
}

/* Iterator.unreadByte: nothing once an error or the end was met (else a
 * '[' at the end would be read again forever). */
void jit_unread(struct jit *it)
{
	if (!it->error && !it->eof && it->head > 0)
		it->head--;
}

static int read_hex4(struct jit *it, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c;
		int d;

		if (it->head >= it->tail) {
			jit_report(it, "readU4", "unexpected end of input");
			return -1;
		}
		c = it->buf[it->head++];
		d = go_unhex((unsigned char)c);
		if (d < 0) {
			jit_report(it, "readU4", "expects 0~9 or a~f, but found %s", JIT_CH(c));
			return -1;
		}
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/*
 * Iterator.ReadString after the opening quote has been consumed; appends
 * the decoded text to out (when out is not NULL).
 */
int jit_read_string_body(struct jit *it, struct buf *out)
{
	while (it->head < it->tail) {
		unsigned char c;
		/* copy the plain run up to the next quote or escape in one go */
		size_t run = it->head;
		while (run < it->tail && it->buf[run] != '"' && it->buf[run] != '\\')
			run++;
		if (out && run > it->head)
			buf_add(out, it->buf + it->head, run - it->head);
		it->head = run;
		if (it->head >= it->tail)
			break;
		c = (unsigned char)it->buf[it->head++];
		if (c == '"')
			return 0;
		if (it->head >= it->tail)
			break;
		c = (unsigned char)it->buf[it->head++];
		switch (c) {
		case '"': case '\\': case '/':
			if (out)
				buf_addc(out, c);
			break;
		case 'b': if (out) buf_addc(out, '\b'); break;
		case 'f': if (out) buf_addc(out, '\f'); break;
		case 'n': if (out) buf_addc(out, '\n'); break;
		case 'r': if (out) buf_addc(out, '\r'); break;
		case 't': if (out) buf_addc(out, '\t'); break;
		case 'u': {
			uint32_t r, r2;
			if (read_hex4(it, &r) < 0)
				return -1;
			if (r >= 0xD800 && r < 0xDC00 && it->head + 1 < it->tail && it->buf[it->head] == '\\' &&
			    it->buf[it->head + 1] == 'u') {
				it->head += 2;
				if (read_hex4(it, &r2) < 0)
					return -1;
				if (r2 >= 0xDC00 && r2 < 0xE000) {
					r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
				} else {
					if (out)
						go_put_rune(out, 0xFFFD);
					r = r2;
				}
			}
			if (out)
				go_put_rune(out, (int32_t)r);
			break;
		}
		default:
			jit_report(it, "readEscapedChar", "invalid escape char after \\");
			return -1;
		}
	}
	jit_report(it, "readStringSlowPath", "unexpected end of input");
	return -1;
}

/* ReadString: a string or null (""). */
int jit_read_string(struct jit *it, struct buf *out)
{
	int c = jit_next_token(it);
	if (c == '"')
		return jit_read_string_body(it, out);
	if (c == 'n')
		return jit_skip_literal(it, "ull", "skipThreeBytes");
	jit_report(it, "ReadString", "expects \" or n, but found %s", JIT_CH(c));
	return -1;
}


int jit_read_string_map(struct jit *it, struct buf *strs, void (*pair)(void *arg, size_t key, size_t value),
			void *arg, bool *nil)
{
	int c = jit_next_token(it);

	if (nil)
		*nil = c == 'n';
	if (c == 'n')
		return jit_skip_literal(it, "ull", "skipThreeBytes");
	if (c != '{') {
		jit_report(it, "ReadMapCB", "expect { or n, but found %s", JIT_CH(c));
		return -1;
	}
	c = jit_next_token(it);
	if (c == '}')
		return 0;
	jit_unread(it);
	do {
		size_t k = strs->len, v;
		if (jit_read_string(it, strs) < 0)
			return -1;
		buf_addc(strs, '\0');
		if (jit_next_token(it) != ':') {
			jit_report(it, "ReadMapCB", "expect : after object field, but found %s",
				   JIT_CH(it->buf[it->head - 1]));
			return -1;
		}
		v = strs->len;
		if (jit_read_string(it, strs) < 0)
			return -1;
		buf_addc(strs, '\0');
		pair(arg, k, v);
		c = jit_next_token(it);
	} while (c == ',');
	if (c != '}') {
		jit_report(it, "ReadMapCB", "object not ended with }");
		return -1;
	}
	return 0;
}

int jit_skip_literal(struct jit *it, const char *rest, const char *op)
{
	size_t n = strlen(rest);
	for (size_t i = 0; i < n; i++) {
		if (it->head >= it->tail || it->buf[it->head++] != rest[i]) {
			jit_report(it, op, "expect %s", rest);
			return -1;
		}
	}
	return 0;
}

/* The bytes jsoniter accepts as part of a number before validating it. */
int jit_is_num_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/*
 * A JSON number's grammar, checked without converting it (the decoders
 * that need the value parse it themselves).
 */
static int number_ok(const char *p, size_t n)
{
	size_t i = 0;
	if (i < n && p[i] == '-')
		i++;
	if (i >= n || p[i] < '0' || p[i] > '9')
		return 0;
	if (p[i] == '0')
		i++;
	else
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	if (i < n && p[i] == '.') {
		size_t d = ++i;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		size_t d;
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		d = i;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	return i == n;
}

static int skip_number(struct jit *it, size_t *start_out)
{
	size_t start = it->head - 1;
	while (it->head < it->tail && jit_is_num_char(it->buf[it->head]))
		it->head++;
	if (start_out)
		*start_out = start;
	if (!number_ok(it->buf + start, it->head - start)) {
		jit_report(it, "ReadFloat64", "unexpected character");
		return -1;
	}
	return 0;
}

/* ReadArrayCB with Skip as the callback (jsoniter's strict skipArray). */
static int skip_array_body(struct jit *it)
{
	int c = jit_next_token(it);
	if (c == ']')
		return 0;
	jit_unread(it);
	if (jit_skip(it) < 0)
		return -1;
	for (c = jit_next_token(it); c == ','; c = jit_next_token(it))
		if (jit_skip(it) < 0)
			return -1;
	if (c != ']') {
		jit_report(it, "ReadArrayCB", "expect ] in the end, but found %s", JIT_CH(c));
		return -1;
	}
	return 0;
}

static int skip_object_body(struct jit *it)
{
	int c = jit_next_token(it);
	if (c == '}')
		return 0;
	if (c != '"') {
		jit_report(it, "ReadObjectCB", "expect \" after {, but found %s", JIT_CH(c));
		return -1;
	}
	jit_unread(it);
	for (;;) {
		if (jit_read_string(it, NULL) < 0)
			return -1;
		c = jit_next_token(it);
		if (c != ':') {
			jit_report(it, "ReadObject", "expect : after object field, but found %s", JIT_CH(c));
			return -1;
		}
		if (jit_skip(it) < 0)
			return -1;
		c = jit_next_token(it);
		if (c != ',')
			break;
	}
	if (c != '}') {
		jit_report(it, "ReadObjectCB", "object not ended with }");
		return -1;
	}
	return 0;
}

/* Iterator.Skip (strict). */
int jit_skip(struct jit *it)
{
	int c = jit_next_token(it);
	switch (c) {
	case '"':
		return jit_read_string_body(it, NULL);
	case 'n':
		return jit_skip_literal(it, "ull", "skipThreeBytes");
	case 't':
		return jit_skip_literal(it, "rue", "skipThreeBytes");
	case 'f':
		return jit_skip_literal(it, "alse", "skipFourBytes");
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return skip_number(it, NULL);
	case '[':
		return skip_array_body(it);
	case '{':
		return skip_object_body(it);
	default:
		jit_report(it, "Skip", "do not know how to skip: %d", c);
		return -1;
	}
}

