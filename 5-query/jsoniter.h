/*
 * Internal to query/: a json-iterator (jsoniter) style reader over one byte
 * buffer, so that the API response decoder (5-query/apiresp.c) fails where
 * promtool's client fails and with its words: "<op>: <msg>, error found in
 * #N byte of ...|peek|..., bigger context ...|context|...".
 *
 * struct jit borrows its buffer; the first error is kept in jit.error,
 * owned by the iterator and freed by whoever takes it (free()).
 */
#ifndef QUERY_JSONITER_H
#define QUERY_JSONITER_H

#include <stdbool.h>
#include <stddef.h>

#include "1-common/buf.h"

/*
 * Go prints the byte it found even when it is NUL (at the end of input).
 * A C string cannot hold that, so messages carry it as C0 80 (the overlong
 * encoding "modified UTF-8" uses for NUL, never valid UTF-8 itself);
 * promtool/ turns it back into a NUL byte when printing.
 */
#define JIT_NUL_MARK "\xC0\x80"

struct jit {
	const char *buf;
	size_t head, tail;
	char *error; /* first error only, as Iterator.ReportError keeps it */
	/* A read hit the end (Go's io.EOF in Iterator.Error): from then on
	 * jit_unread() does not step back, as unreadByte does not. */
	bool eof;
};

/* The text for a found byte c in a message (NUL as JIT_NUL_MARK). */
const char *jit_ch(int c, char *tmp);
#define JIT_CH(c) jit_ch((c), (char[2]){ 0, 0 })

void jit_init(struct jit *it, const char *buf, size_t len);
/* Iterator.ReportError at the current position; the first error wins. */
void jit_report(struct jit *it, const char *op, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "<prefix>: <error>", as jsoniter's field and slice decoders wrap. */
/* "<type>.<error>", as a struct decoder prefixes errors from inside it. */
void jit_wrap_type(struct jit *it, const char *type);
void jit_wrap(struct jit *it, const char *prefix);
/* The next non-space byte (consumed), or 0 at the end. */
int jit_next_token(struct jit *it);
void jit_unread(struct jit *it);
/* ReadString after the opening quote; appends the text to out if not NULL. */
int jit_read_string_body(struct jit *it, struct buf *out);
/* ReadString: a string or null. */
int jit_read_string(struct jit *it, struct buf *out);
/*
 * ReadMapCB over a map[string]string (a series' labels): each key and value
 * is appended to strs with a NUL after it and pair(arg, key, value) gets
 * their offsets in strs, in the order of the input.  null is no entries,
 * with *nil set (nil may be NULL).
 */
int jit_read_string_map(struct jit *it, struct buf *strs, void (*pair)(void *arg, size_t key, size_t value),
			void *arg, bool *nil);
/* Skip (strict): one value of any kind. */
int jit_skip(struct jit *it);
int jit_skip_literal(struct jit *it, const char *rest, const char *op);
/* The bytes jsoniter reads as part of a number. */
int jit_is_num_char(char c);

#endif
