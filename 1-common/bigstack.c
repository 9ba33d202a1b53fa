/*
 * bigstack.h: one joinable thread with a large stack per call.
 */
#include "1-common/bigstack.h"

#include <pthread.h>

struct call {
	int (*fn)(void *);
	void *arg;
	int ret;
};

static void *trampoline(void *p)
{
	struct call *c = p;

	c->ret = c->fn(c->arg);
	return NULL;
}

int bigstack_run(int (*fn)(void *), void *arg)
{
	struct call c = { fn, arg, 0 };
	pthread_attr_t attr;
	pthread_t th;
	int started;

	if (pthread_attr_init(&attr) != 0)
		return fn(arg);
	started = pthread_attr_setstacksize(&attr, BIGSTACK_SIZE) == 0 &&
		  pthread_create(&th, &attr, trampoline, &c) == 0;
	pthread_attr_destroy(&attr);
	if (!started)
		return fn(arg);
	pthread_join(th, NULL);
	return c.ret;
}
