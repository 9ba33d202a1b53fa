/*
 * Internal to the template executor: the execution state shared by
 * tmpl_exec.c (text/template's exec.go) and tmpl_funcs.c (the function
 * map: Prometheus' functions and text/template's builtins).
 *
 * Every value created during one execution lives in the state's arena,
 * freed when the execution ends.
 */
#ifndef RULES_TMPL_EXEC_H
#define RULES_TMPL_EXEC_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

#include "1-common/buf.h"
#include "6-rules/tmpl.h"
#include "6-rules/tmpl_node.h"
#include "6-rules/tmpl_value.h"

struct xvar {
	const char *name;
	struct tval v;
};

struct xstate {
	const struct tmpl_set *set;
	const struct tmpl_env *env;
	const char *name; /* the executing template's name */
	struct buf *out;
	struct xvar *vars;
	size_t nvars, vars_cap;
	const struct tnode *node; /* current node, for errors */
	int depth;
	int ctl; /* pending {{break}} / {{continue}} */
	jmp_buf fail;
	struct buf msg;
	void **arena;
	size_t narena, arena_cap;
	struct tdata data;
	struct tmap_ss labels, external_labels;
};

/* Parameter types of the functions (reflect types they are declared with). */
enum ptype { P_STRING, P_IFACE, P_RVALUE, P_QRESULT, P_SAMPLE };

/*
 * A function of the map.  fn returns 0 with *out set, or -1 with the
 * error (or recovered panic) text in err; the executor then fails with
 * "error calling <name>: <err>".
 */
struct tfunc {
	const char *name;
	int nin;       /* parameters, the variadic one included */
	bool variadic; /* the last parameter is ...T */
	enum ptype in[3];
	int (*fn)(struct xstate *s, const struct tval *args, size_t n, struct tval *out, struct buf *err);
};

const struct tfunc *tmpl_find_func(const char *name, size_t len);
/* text/template's builtins (tmpl_builtins.c). */
extern const struct tfunc tmpl_builtins[];
extern const size_t tmpl_nbuiltins;

/* Arena helpers. */
void *xs_alloc(struct xstate *s, size_t n);
const char *xs_strndup(struct xstate *s, const char *p, size_t n);
struct tval tv_string(struct xstate *s, const char *p, size_t n);
/* isTrue(); false in *ok for values without a truth. */
bool tv_is_true(const struct tval *v, bool *ok);

#endif
