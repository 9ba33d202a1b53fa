/*
 * Running a deeply recursive function on a stack as large as Go gives a
 * goroutine (Go's limit is 1 GB; ours is BIGSTACK_SIZE), so input that Go's
 * recursive parsers accept does not overflow our 8 MB main stack.  The
 * stack is a thread's, mapped lazily: only what the recursion touches
 * costs memory.
 *
 * Nothing is shared: fn runs to completion on the new thread while the
 * caller waits; fn's own setjmp/longjmp stay within that thread.
 */
#ifndef COMMON_BIGSTACK_H
#define COMMON_BIGSTACK_H

#include <stddef.h>

#define BIGSTACK_SIZE ((size_t)512 << 20)

/* fn(arg) on a BIGSTACK_SIZE stack, its result returned; when no thread
 * can be made, fn runs on the caller's stack. */
int bigstack_run(int (*fn)(void *), void *arg);

#endif
