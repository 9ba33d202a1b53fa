/*
 * The backfill logger (7-backfill/log.h).
 *
 * logfmt values follow go-logfmt as go-kit/log 0.2 uses it in promtool
 * 2.42: a value is written bare unless it holds a byte <= ' ', '=', '"'
 * or invalid UTF-8; quoted values escape '\\', '"', \n, \r, \t and other
 * control bytes as \u00XX, and every invalid UTF-8 byte as \ufffd.
 *
 * The status line lives at the bottom of the terminal: "\r" + text +
 * ESC[K (erase to the end of the line) draws it in place; a log line first
 * erases it ("\r" ESC[K), is written, and the status is drawn again.
 */
#include "7-backfill/log.h"

#include <string.h>

void bf_log_init(struct bf_log *l, FILE *out)
{
	l->out = out;
	pthread_mutex_init(&l->mu, NULL);
	l->status_enabled = false;
	buf_init(&l->status);
}

void bf_log_release(struct bf_log *l)
{
	bf_log_status(l, NULL);
	buf_release(&l->status);
	pthread_mutex_destroy(&l->mu);
}

void bf_log_enable_status(struct bf_log *l)
{
	l->status_enabled = true;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;

	if (!len || len > n || s[0] < 0xC2 || s[0] > 0xF4)
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;
	return len;
}

static bool needs_quotes(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		if (s[i] < 0x80) {
			if (s[i] <= ' ' || s[i] == '=' || s[i] == '"')
				return true;
			i++;
			continue;
		}
		size_t len = utf8_len(s + i, n - i);
		if (!len)
			return true;
		i += len;
	}
	return false;
}

void bf_logfmt_value(struct buf *out, const char *v)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v);

	if (!needs_quotes(s, n)) {
		buf_add(out, v, n);
		return;
	}
	buf_addc(out, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c >= 0x80) {
			size_t len = utf8_len(s + i, n - i);
			if (!len) {
				buf_adds(out, "\\ufffd");
				i++;
			} else {
				buf_add(out, s + i, len);
				i += len;
			}
			continue;
		}
		if (c == '\\' || c == '"') {
			buf_addc(out, '\\');
			buf_addc(out, c);
		} else if (c == '\n') {
			buf_adds(out, "\\n");
		} else if (c == '\r') {
			buf_adds(out, "\\r");
		} else if (c == '\t') {
			buf_adds(out, "\\t");
		} else if (c < 0x20) {
			buf_adds(out, "\\u00");
			buf_addc(out, (unsigned char)hex[c >> 4]);
			buf_addc(out, (unsigned char)hex[c & 15]);
		} else {
			buf_addc(out, c);
		}
		i++;
	}
	buf_addc(out, '"');
}

void bf_logfmt_line(struct buf *out, const char *level, const char *const *kv, size_t n)
{
	buf_addf(out, "level=%s", level);
	for (size_t i = 0; i + 1 < n; i += 2) {
		buf_addf(out, " %s=", kv[i]);
		bf_logfmt_value(out, kv[i + 1]);
	}
	buf_addc(out, '\n');
}

/* Called with the mutex held. */
static void write_locked(struct bf_log *l, const char *text, size_t len)
{
	bool shown = l->status.len > 0;

	if (shown)
		fputs("\r\033[K", l->out);
	fwrite(text, 1, len, l->out);
	if (shown) {
		fputc('\r', l->out);
		fwrite(l->status.data, 1, l->status.len, l->out);
		fputs("\033[K", l->out);
	}
	fflush(l->out);
}

void bf_log_text(struct bf_log *l, const char *text, size_t len)
{
	pthread_mutex_lock(&l->mu);
	write_locked(l, text, len);
	pthread_mutex_unlock(&l->mu);
}

void bf_log_kv(struct bf_log *l, const char *level, const char *const *kv, size_t n)
{
	struct buf b = BUF_INIT;

	bf_logfmt_line(&b, level, kv, n);
	bf_log_text(l, (const char *)b.data, b.len);
	buf_release(&b);
}

void bf_log_status(struct bf_log *l, const char *line)
{
	if (!l->status_enabled)
		return;
	pthread_mutex_lock(&l->mu);
	if (!line || !*line) {
		if (l->status.len)
			fputs("\r\033[K", l->out);
		buf_reset(&l->status);
	} else {
		buf_reset(&l->status);
		buf_adds(&l->status, line);
		fputc('\r', l->out);
		fwrite(l->status.data, 1, l->status.len, l->out);
		fputs("\033[K", l->out);
	}
	fflush(l->out);
	pthread_mutex_unlock(&l->mu);
}

void bf_log_status_keep(struct bf_log *l)
{
	pthread_mutex_lock(&l->mu);
	if (l->status.len) {
		fputc('\n', l->out);
		fflush(l->out);
	}
	buf_reset(&l->status);
	pthread_mutex_unlock(&l->mu);
}
