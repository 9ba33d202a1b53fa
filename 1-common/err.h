/*
 * Error messages.
 *
 * A failing function returns a negative int and sets the message once, where
 * the failure happens, with context (file, line, offset, series).  Callers
 * pass it up unchanged, or add context in front with err_wrap() the way Go
 * code wraps with fmt.Errorf("ctx: %w", err) -- this is how promtool's
 * "block creation: process blocks: ..." chains are reproduced.  Only
 * promtool/ prints messages and chooses exit codes.
 *
 * struct err owns its message; err_release() frees it.  err_init() does not
 * allocate.
 */
#ifndef COMMON_ERR_H
#define COMMON_ERR_H

#include <stdbool.h>

struct err {
	char *msg;
};

#define ERR_INIT { NULL }

void err_init(struct err *e);
void err_release(struct err *e);
/*
 * Sets the message and returns -1, so failures read `return err_set(e, ...)`.
 * Setting an already-set error is a bug (assert): the first message wins.
 * e may be NULL when the caller does not want the text.
 */
int err_set(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prepends "<prefix>: " to the message; returns -1. */
int err_wrap(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool err_isset(const struct err *e);
/* The message, or "" when none is set. */
const char *err_msg(const struct err *e);
/* Moves the message from src into dst (which must be empty). */
void err_move(struct err *dst, struct err *src);

#endif
