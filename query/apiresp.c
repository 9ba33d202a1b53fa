/*
 * The /api/v1/query_range response body, decoded as promtool 2.42 decodes
 * it.  Its client (client_golang v1.14, api/prometheus/v1) unmarshals with
 * json-iterator in encoding/json-compatible mode:
 *
 *   1. apiResponse {status, data (raw), errorType, error, warnings}, field
 *      names matched case-insensitively, unknown fields skipped;
 *   2. queryResult.UnmarshalJSON on the raw "data" bytes: resultType, then
 *      "result" as model.Matrix, model.Vector or model.Scalar;
 *   3. every sample pair [t, "v"] through client_golang's decoder:
 *      model.Time.UnmarshalJSON on the number's text (seconds, the fraction
 *      cut or padded to exactly 3 digits -- not a float conversion) and
 *      strconv.ParseFloat on the string (NaN with Go's bits).
 *
 * Errors carry json-iterator's wording and its "error found in #N byte of
 * ...|peek|..., bigger context ...|context|..." suffix, where peek is the 10
 * bytes either side of the read position and context the 50 either side.
 * Syntax errors follow its strict Skip() paths; they match promtool for the
 * common cases (not JSON at all, empty body, a stray bracket, a body cut
 * short) and are close for the rest.
 *
 * We decode by hand rather than with jansson because promtool's semantics
 * need the number text and byte offsets that a DOM library discards, and
 * because keeping only compact (t, v) arrays instead of a tree keeps memory
 * to a fraction of the response size.
 */
#include "query/apiresp.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/gofmt.h"
#include "common/xalloc.h"

/*
 * Go prints the byte it found even when it is NUL (at the end of input).
 * A C string cannot hold that, so messages carry it as C0 80 (the overlong
 * encoding "modified UTF-8" uses for NUL, never valid UTF-8 itself);
 * promtool/ turns it back into a NUL byte when printing.
 */
#define NUL_MARK "\xC0\x80"

static const char *ch_str(int c, char *tmp)
{
	if (c == 0)
		return NUL_MARK;
	tmp[0] = (char)c;
	tmp[1] = '\0';
	return tmp;
}
#define CH(c) ch_str((c), (char[2]){ 0, 0 })

/* Raw input bytes into a message, NULs marked as above. */
static void add_raw(struct buf *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i])
			buf_addc(b, (unsigned char)p[i]);
		else
			buf_adds(b, NUL_MARK);
	}
}

/* A json-iterator Iterator over one byte buffer. */
struct it {
	const char *buf;
	size_t head, tail;
	char *error; /* first error only, as Iterator.ReportError keeps it */
};

static void it_init(struct it *it, const char *buf, size_t len)
{
	it->buf = buf;
	it->head = 0;
	it->tail = len;
	it->error = NULL;
}

/* Iterator.ReportError: the first error wins. */
static void report(struct it *it, const char *op, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report(struct it *it, const char *op, const char *fmt, ...)
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

/* Prefixes the recorded error the way jsoniter's wrapping decoders do. */
static void wrap(struct it *it, const char *prefix)
{
	if (it->error) {
		char *w = xasprintf("%s: %s", prefix, it->error);
		free(it->error);
		it->error = w;
	}
}

static int next_token(struct it *it)
{
	while (it->head < it->tail) {
		char c = it->buf[it->head++];
		if (c != ' ' && c != '\n' && c != '\t' && c != '\r')
			return (unsigned char)c;
	}
	return 0;
}

static void unread(struct it *it)
{
	if (it->head > 0)
		it->head--;
}

static void put_utf8(struct buf *b, uint32_t r)
{
	if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	if (r < 0x80) {
		buf_addc(b, (unsigned char)r);
	} else if (r < 0x800) {
		buf_addc(b, (unsigned char)(0xC0 | r >> 6));
		buf_addc(b, (unsigned char)(0x80 | (r & 0x3F)));
	} else if (r < 0x10000) {
		buf_addc(b, (unsigned char)(0xE0 | r >> 12));
		buf_addc(b, (unsigned char)(0x80 | (r >> 6 & 0x3F)));
		buf_addc(b, (unsigned char)(0x80 | (r & 0x3F)));
	} else {
		buf_addc(b, (unsigned char)(0xF0 | r >> 18));
		buf_addc(b, (unsigned char)(0x80 | (r >> 12 & 0x3F)));
		buf_addc(b, (unsigned char)(0x80 | (r >> 6 & 0x3F)));
		buf_addc(b, (unsigned char)(0x80 | (r & 0x3F)));
	}
}

static int read_hex4(struct it *it, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c;
		if (it->head >= it->tail) {
			report(it, "readU4", "unexpected end of input");
			return -1;
		}
		c = it->buf[it->head++];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else {
			report(it, "readU4", "expects 0~9 or a~f, but found %s", CH(c));
			return -1;
		}
	}
	*out = v;
	return 0;
}

/*
 * Iterator.ReadString after the opening quote has been consumed; appends
 * the decoded text to out (when out is not NULL).
 */
static int read_string_body(struct it *it, struct buf *out)
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
			if (read_hex4(it, &r))
				return -1;
			if (r >= 0xD800 && r < 0xDC00 && it->head + 1 < it->tail && it->buf[it->head] == '\\' &&
			    it->buf[it->head + 1] == 'u') {
				it->head += 2;
				if (read_hex4(it, &r2))
					return -1;
				if (r2 >= 0xDC00 && r2 < 0xE000) {
					r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
				} else {
					if (out)
						put_utf8(out, 0xFFFD);
					r = r2;
				}
			}
			if (out)
				put_utf8(out, r);
			break;
		}
		default:
			report(it, "readEscapedChar", "invalid escape char after \\");
			return -1;
		}
	}
	report(it, "readStringSlowPath", "unexpected end of input");
	return -1;
}

/* ReadString: a string or null (""). */
static int read_string(struct it *it, struct buf *out)
{
	int c = next_token(it);
	if (c == '"')
		return read_string_body(it, out);
	if (c == 'n' && it->tail - it->head >= 3 && !memcmp(it->buf + it->head, "ull", 3)) {
		it->head += 3;
		return 0;
	}
	report(it, "ReadString", "expects \" or n, but found %s", CH(c));
	return -1;
}

static int skip(struct it *it);

static int skip_literal(struct it *it, const char *rest, const char *op)
{
	size_t n = strlen(rest);
	for (size_t i = 0; i < n; i++) {
		if (it->head >= it->tail || it->buf[it->head++] != rest[i]) {
			report(it, op, "expect %s", rest);
			return -1;
		}
	}
	return 0;
}

/* The bytes jsoniter accepts as part of a number before validating it. */
static int is_num_char(char c)
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

static int skip_number(struct it *it, size_t *start_out)
{
	size_t start = it->head - 1;
	while (it->head < it->tail && is_num_char(it->buf[it->head]))
		it->head++;
	if (start_out)
		*start_out = start;
	if (!number_ok(it->buf + start, it->head - start)) {
		report(it, "ReadFloat64", "unexpected character");
		return -1;
	}
	return 0;
}

/* ReadArrayCB with Skip as the callback (jsoniter's strict skipArray). */
static int skip_array_body(struct it *it)
{
	int c = next_token(it);
	if (c == ']')
		return 0;
	unread(it);
	if (skip(it))
		return -1;
	for (c = next_token(it); c == ','; c = next_token(it))
		if (skip(it))
			return -1;
	if (c != ']') {
		report(it, "ReadArrayCB", "expect ] in the end, but found %s", CH(c));
		return -1;
	}
	return 0;
}

static int skip_object_body(struct it *it)
{
	int c = next_token(it);
	if (c == '}')
		return 0;
	if (c != '"') {
		report(it, "ReadObjectCB", "expect \" after {, but found %s", CH(c));
		return -1;
	}
	unread(it);
	for (;;) {
		if (read_string(it, NULL))
			return -1;
		c = next_token(it);
		if (c != ':') {
			report(it, "ReadObject", "expect : after object field, but found %s", CH(c));
			return -1;
		}
		if (skip(it))
			return -1;
		c = next_token(it);
		if (c != ',')
			break;
	}
	if (c != '}') {
		report(it, "ReadObjectCB", "object not ended with }");
		return -1;
	}
	return 0;
}

/* Iterator.Skip (strict). */
static int skip(struct it *it)
{
	int c = next_token(it);
	switch (c) {
	case '"':
		return read_string_body(it, NULL);
	case 'n':
		return skip_literal(it, "ull", "skipThreeBytes");
	case 't':
		return skip_literal(it, "rue", "skipThreeBytes");
	case 'f':
		return skip_literal(it, "alse", "skipFourBytes");
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return skip_number(it, NULL);
	case '[':
		return skip_array_body(it);
	case '{':
		return skip_object_body(it);
	default:
		report(it, "Skip", "do not know how to skip: %d", c);
		return -1;
	}
}

void api_resp_init(struct api_resp *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->strings);
}

void api_resp_release(struct api_resp *r)
{
	free(r->status);
	free(r->error_type);
	free(r->error);
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	free(r->result_type);
	free(r->series);
	free(r->label_name);
	free(r->label_value);
	free(r->t);
	free(r->v);
	buf_release(&r->strings);
	api_resp_init(r);
}

static char *take_string(struct it *it, int *failed)
{
	struct buf b = BUF_INIT;
	if (read_string(it, &b)) {
		*failed = 1;
		buf_release(&b);
		return NULL;
	}
	buf_grow(&b, 1);
	return buf_detach(&b, NULL);
}

static int decode_warnings(struct api_resp *r, struct it *it)
{
	int c = next_token(it), failed = 0;
	size_t cap = 0;
	if (c == 'n')
		return skip_literal(it, "ull", "skipThreeBytes");
	if (c != '[') {
		report(it, "decode slice", "expect [ or n, but found %s", CH(c));
		return -1;
	}
	c = next_token(it);
	if (c == ']') {
		/* present but empty is still non-nil for promtool's check */
		r->warnings = xmalloc(sizeof(*r->warnings));
		return 0;
	}
	unread(it);
	do {
		char *w = take_string(it, &failed);
		if (failed)
			return -1;
		ALLOC_GROW(r->warnings, r->nwarnings + 1, cap);
		r->warnings[r->nwarnings++] = w;
		c = next_token(it);
	} while (c == ',');
	if (c != ']') {
		report(it, "decode slice", "expect ] in the end, but found %s", CH(c));
		return -1;
	}
	return 0;
}

int api_resp_decode_envelope(struct api_resp *r, const char *body, size_t len, struct err *e)
{
	struct it it;
	int c, failed = 0;

	it_init(&it, body, len);
	c = next_token(&it);
	if (c == 'n') {
		if (skip_literal(&it, "ull", "skipThreeBytes"))
			goto fail;
		goto end;
	}
	if (c != '{') {
		report(&it, "readObjectStart", "expect { or n, but found %s", CH(c));
		goto fail;
	}
	c = next_token(&it);
	if (c == '}')
		goto end;
	unread(&it);
	for (;;) {
		struct buf key = BUF_INIT;
		c = next_token(&it);
		if (c != '"') {
			report(&it, "readFieldHash", "expect \", but found %s", CH(c));
			goto fail;
		}
		if (read_string_body(&it, &key)) {
			buf_release(&key);
			goto fail;
		}
		c = next_token(&it);
		if (c != ':') {
			buf_release(&key);
			report(&it, "readFieldHash", "expect :, but found %s", CH(c));
			goto fail;
		}
		/* encoding/json-compatible: field names match case-insensitively. */
		if (!strcasecmp(buf_str(&key), "status")) {
			free(r->status);
			r->status = take_string(&it, &failed);
			wrap(&it, "v1.apiResponse.Status");
		} else if (!strcasecmp(buf_str(&key), "errorType")) {
			free(r->error_type);
			r->error_type = take_string(&it, &failed);
			wrap(&it, "v1.apiResponse.ErrorType");
		} else if (!strcasecmp(buf_str(&key), "error")) {
			free(r->error);
			r->error = take_string(&it, &failed);
			wrap(&it, "v1.apiResponse.Error");
		} else if (!strcasecmp(buf_str(&key), "data")) {
			size_t start;
			c = next_token(&it);
			unread(&it);
			start = it.head;
			if (c == 'n' && it.tail - it.head >= 4 && !memcmp(it.buf + it.head, "null", 4)) {
				it.head += 4;
				r->has_data = false;
			} else {
				failed = skip(&it) != 0;
				r->data = body + start;
				r->data_len = it.head - start;
				r->has_data = true;
			}
			wrap(&it, "v1.apiResponse.Data");
		} else if (!strcasecmp(buf_str(&key), "warnings")) {
			failed = decode_warnings(r, &it) != 0;
			wrap(&it, "v1.apiResponse.Warnings");
		} else {
			failed = skip(&it) != 0;
		}
		buf_release(&key);
		if (failed || it.error)
			goto fail;
		c = next_token(&it);
		if (c == '}')
			break;
		if (c != ',') {
			report(&it, "ReadObjectCB", "object not ended with }");
			goto fail;
		}
	}
end:
	if (next_token(&it) != 0) {
		report(&it, "Unmarshal", "there are bytes left after unmarshal");
		goto fail;
	}
	return 0;
fail:
	err_set(e, "%s", it.error ? it.error : "malformed response");
	free(it.error);
	return -1;
}

/* --- the result ------------------------------------------------------- */

/*
 * model.Time.UnmarshalJSON on the number text: "<sec>[.<frac>]" with the
 * fraction cut or zero-padded to 3 digits; a leading '-' negates the sum
 * when it came out positive (upstream's way of keeping "-0.1" negative).
 */
static int parse_model_time(const char *s, size_t len, int64_t *out, struct buf *errmsg)
{
	const char *dot = memchr(s, '.', len);
	char ip[32], fp[16];
	size_t il = dot ? (size_t)(dot - s) : len;
	char *end;
	long long v, va;

	if (dot && memchr(dot + 1, '.', len - il - 1)) {
		struct buf q = BUF_INIT;
		buf_add(&q, s, len);
		buf_addf(errmsg, "invalid time \"%s\"", buf_str(&q));
		buf_release(&q);
		return -1;
	}
	if (il >= sizeof(ip) || il == 0)
		goto bad_int;
	memcpy(ip, s, il);
	ip[il] = '\0';
	v = strtoll(ip, &end, 10);
	if (*end || (ip[0] == '+' && il == 1) || (ip[0] == '-' && il == 1))
		goto bad_int;
	v *= 1000;
	if (!dot) {
		*out = v;
		return 0;
	}
	{
		size_t fl = len - il - 1;
		if (fl > 3)
			fl = 3;
		memcpy(fp, dot + 1, fl);
		while (fl < 3)
			fp[fl++] = '0';
		fp[3] = '\0';
		va = strtoll(fp, &end, 10);
		if (*end) {
			buf_addf(errmsg, "strconv.ParseInt: parsing \"%s\": invalid syntax", fp);
			return -1;
		}
	}
	if (ip[0] == '-' && v + va > 0)
		*out = -(v + va);
	else
		*out = v + va;
	return 0;
bad_int: {
	struct buf q = BUF_INIT;
	buf_add(&q, s, il);
	buf_addf(errmsg, "strconv.ParseInt: parsing \"%s\": invalid syntax", buf_str(&q));
	buf_release(&q);
	return -1;
}
}

static void add_sample(struct api_resp *r, int64_t t, double v)
{
	if (r->nsamples == r->samples_cap) {
		size_t cap = r->samples_cap ? r->samples_cap * 2 : 1024;
		r->t = xreallocarray(r->t, cap, sizeof(*r->t));
		r->v = xreallocarray(r->v, cap, sizeof(*r->v));
		r->samples_cap = cap;
	}
	r->t[r->nsamples] = t;
	r->v[r->nsamples] = v;
	r->nsamples++;
}

/* client_golang's unMarshalPointJSON: [<number>, "<float>"]. */
static int decode_pair(struct api_resp *r, struct it *it)
{
	struct buf s = BUF_INIT, msg = BUF_INIT;
	size_t start;
	int64_t t;
	double v;
	int c = next_token(it), rc = -1;

	if (c != '[') {
		report(it, "unmarshal model.SamplePair", "SamplePair must be [timestamp, value]");
		goto done;
	}
	c = next_token(it);
	if (!(c == '-' || (c >= '0' && c <= '9'))) {
		report(it, "ReadNumber", "expect number, but found %s", CH(c));
		goto done;
	}
	start = it->head - 1;
	while (it->head < it->tail && is_num_char(it->buf[it->head]))
		it->head++;
	if (parse_model_time(it->buf + start, it->head - start, &t, &msg)) {
		report(it, "unmarshal model.SamplePair", "%s", buf_str(&msg));
		goto done;
	}
	if (next_token(it) != ',') {
		report(it, "unmarshal model.SamplePair", "SamplePair missing value");
		goto done;
	}
	if (read_string(it, &s))
		goto done;
	if (go_parse_float((const char *)s.data ? buf_str(&s) : "", s.len, &v) != 0) {
		struct buf q = BUF_INIT;
		go_quote(&q, buf_str(&s), s.len);
		report(it, "unmarshal model.SamplePair", "strconv.ParseFloat: parsing %s: %s", buf_str(&q),
		       go_parse_float(buf_str(&s), s.len, &v) == -2 ? "value out of range" : "invalid syntax");
		buf_release(&q);
		goto done;
	}
	c = next_token(it);
	if (c != ']') {
		report(it, "unmarshal model.SamplePair", "SamplePair has too many values, must be [timestamp, value]");
		goto done;
	}
	add_sample(r, t, v);
	rc = 0;
done:
	buf_release(&s);
	buf_release(&msg);
	return rc;
}

static int decode_values(struct api_resp *r, struct it *it)
{
	int c = next_token(it);
	if (c == 'n')
		return skip_literal(it, "ull", "skipThreeBytes");
	if (c != '[') {
		report(it, "decode slice", "expect [ or n, but found %s", CH(c));
		return -1;
	}
	c = next_token(it);
	if (c == ']')
		return 0;
	unread(it);
	do {
		if (decode_pair(r, it))
			return -1;
		c = next_token(it);
	} while (c == ',');
	if (c != ']') {
		report(it, "decode slice", "expect ] in the end, but found %s", CH(c));
		return -1;
	}
	return 0;
}

static size_t add_str(struct api_resp *r, const struct buf *s)
{
	size_t off = r->strings.len;
	buf_add(&r->strings, s->data ? s->data : (const unsigned char *)"", s->len);
	buf_addc(&r->strings, '\0');
	return off;
}

static int decode_metric(struct api_resp *r, struct it *it, size_t *nlabels)
{
	int c = next_token(it);
	if (c == 'n')
		return skip_literal(it, "ull", "skipThreeBytes");
	if (c != '{') {
		report(it, "ReadMapCB", "expect { or n, but found %s", CH(c));
		return -1;
	}
	c = next_token(it);
	if (c == '}')
		return 0;
	unread(it);
	do {
		struct buf name = BUF_INIT, value = BUF_INIT;
		if (read_string(it, &name) || next_token(it) != ':' || read_string(it, &value)) {
			if (!it->error)
				report(it, "ReadMapCB", "expect : after object field, but found %s", CH(it->buf[it->head - 1]));
			buf_release(&name);
			buf_release(&value);
			return -1;
		}
		if (r->nlabels == r->labels_cap) {
			size_t cap = r->labels_cap ? r->labels_cap * 2 : 64;
			r->label_name = xreallocarray(r->label_name, cap, sizeof(size_t));
			r->label_value = xreallocarray(r->label_value, cap, sizeof(size_t));
			r->labels_cap = cap;
		}
		r->label_name[r->nlabels] = add_str(r, &name);
		r->label_value[r->nlabels] = add_str(r, &value);
		r->nlabels++;
		(*nlabels)++;
		buf_release(&name);
		buf_release(&value);
		c = next_token(it);
	} while (c == ',');
	if (c != '}') {
		report(it, "ReadMapCB", "object not ended with }");
		return -1;
	}
	return 0;
}

/* model.Matrix: [{"metric": {...}, "values": [[t, "v"], ...]}, ...] */
static int decode_matrix(struct api_resp *r, struct it *it)
{
	int c = next_token(it);
	if (c == 'n')
		return skip_literal(it, "ull", "skipThreeBytes");
	if (c != '[') {
		report(it, "decode slice", "expect [ or n, but found %s", CH(c));
		wrap(it, "model.Matrix");
		return -1;
	}
	c = next_token(it);
	if (c == ']')
		return 0;
	unread(it);
	do {
		struct api_series s = { r->nlabels, 0, r->nsamples, 0 };
		c = next_token(it);
		if (c != '{') {
			report(it, "readObjectStart", "expect { or n, but found %s", CH(c));
			goto fail;
		}
		c = next_token(it);
		if (c != '}') {
			unread(it);
			do {
				struct buf key = BUF_INIT;
				int bad;
				if (read_string(it, &key) || next_token(it) != ':') {
					buf_release(&key);
					if (!it->error)
						report(it, "readFieldHash", "expect :, but found %s", CH(it->buf[it->head - 1]));
					goto fail;
				}
				if (!strcasecmp(buf_str(&key), "metric")) {
					bad = decode_metric(r, it, &s.nlabels);
					wrap(it, "model.SampleStream.Metric");
				} else if (!strcasecmp(buf_str(&key), "values")) {
					bad = decode_values(r, it);
					wrap(it, "[]model.SamplePair");
					wrap(it, "model.SampleStream.Values");
				} else {
					bad = skip(it);
				}
				buf_release(&key);
				if (bad)
					goto fail;
				c = next_token(it);
			} while (c == ',');
			if (c != '}') {
				report(it, "struct Decode", "expect }, but found %s", CH(c));
				goto fail;
			}
		}
		s.nsamples = r->nsamples - s.sample_off;
		ALLOC_GROW(r->series, r->nseries + 1, r->series_cap);
		r->series[r->nseries++] = s;
		c = next_token(it);
	} while (c == ',');
	if (c != ']') {
		report(it, "decode slice", "expect ] in the end, but found %s", CH(c));
		goto fail;
	}
	return 0;
fail:
	wrap(it, "model.Matrix");
	return -1;
}

/*
 * queryResult.UnmarshalJSON.  Every failure inside it comes back out of
 * jsoniter's unmarshalerDecoder, which reports it again at the end of the
 * "data" bytes.
 */
int api_resp_decode_result(struct api_resp *r, struct err *e)
{
	struct it outer, it;
	const char *result = NULL;
	size_t result_len = 0;
	int c, found_result = 0;
	char *inner = NULL;

	it_init(&outer, r->has_data ? r->data : "", r->has_data ? r->data_len : 0);
	if (!r->has_data || r->data_len == 0) {
		/* Unmarshal of empty bytes: Skip finds nothing. */
		report(&outer, "Skip", "do not know how to skip: %d", 0);
		goto fail;
	}
	/* Pass 1: the anonymous {resultType, result} struct. */
	it_init(&it, r->data, r->data_len);
	c = next_token(&it);
	if (c == 'n') {
		skip_literal(&it, "ull", "skipThreeBytes");
	} else if (c != '{') {
		report(&it, "readObjectStart", "expect { or n, but found %s", CH(c));
	} else if ((c = next_token(&it)) != '}') {
		unread(&it);
		do {
			struct buf key = BUF_INIT;
			if (read_string(&it, &key) || next_token(&it) != ':') {
				if (!it.error)
					report(&it, "readFieldHash", "expect :, but found %s", CH(it.buf[it.head - 1]));
				buf_release(&key);
				break;
			}
			if (!strcasecmp(buf_str(&key), "resultType")) {
				struct buf t = BUF_INIT;
				if (!read_string(&it, &t)) {
					free(r->result_type);
					buf_grow(&t, 1);
					r->result_type = buf_detach(&t, NULL);
				}
				buf_release(&t);
			} else if (!strcasecmp(buf_str(&key), "result")) {
				size_t start;
				next_token(&it);
				unread(&it);
				start = it.head;
				if (!skip(&it)) {
					result = r->data + start;
					result_len = it.head - start;
					found_result = 1;
				}
			} else {
				skip(&it);
			}
			buf_release(&key);
			if (it.error)
				break;
			c = next_token(&it);
		} while (c == ',');
		if (!it.error && c != '}')
			report(&it, "struct Decode", "expect }, but found %s", CH(c));
	}
	if (it.error) {
		inner = it.error;
		goto inner_fail;
	}
	if (!r->result_type)
		r->result_type = xstrdup("");
	if (!strcmp(r->result_type, "matrix")) {
		struct it rit;
		if (!found_result)
			return 0; /* a nil matrix: no series */
		it_init(&rit, result, result_len);
		if (decode_matrix(r, &rit) || (next_token(&rit) != 0 && (report(&rit, "Unmarshal", "there are bytes left after unmarshal"), 1))) {
			inner = rit.error;
			goto inner_fail;
		}
		return 0;
	}
	if (!strcmp(r->result_type, "vector") || !strcmp(r->result_type, "scalar")) {
		/* Decoded by promtool and then rejected as the wrong type; the
		 * contents do not matter beyond being JSON, which Skip checked. */
		return 0;
	}
	{
		struct buf q = BUF_INIT;
		go_quote(&q, r->result_type, strlen(r->result_type));
		inner = xasprintf("unexpected value type %s", buf_str(&q));
		buf_release(&q);
	}
inner_fail:
	outer.head = outer.tail;
	report(&outer, "unmarshalerDecoder", "%s", inner ? inner : "malformed result");
	free(inner);
fail:
	err_set(e, "%s", outer.error);
	free(outer.error);
	return -1;
}

void api_resp_series_labels(const struct api_resp *r, size_t i, struct labels *out)
{
	const struct api_series *s = &r->series[i];
	const char *base = (const char *)r->strings.data;
	labels_reset(out);
	for (size_t j = 0; j < s->nlabels; j++)
		labels_add(out, base + r->label_name[s->label_off + j], base + r->label_value[s->label_off + j]);
}
