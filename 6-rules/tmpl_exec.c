/*
 * Executing a parsed text/template (Go 1.19's text/template exec.go) over
 * Prometheus' alert template data, with option missingkey=zero, and the
 * Expander of 2.42's template.go around it.
 *
 * Go's reflection is replaced by the closed set of types alert templates
 * meet (tmpl_value.h); the walk, the evaluation of pipelines, commands,
 * fields and arguments, the argument checks and every error text follow
 * exec.go:
 *   template: __alert_x:1:125: executing "__alert_x" at <humanize "a">:
 *   error calling humanize: strconv.ParseFloat: parsing "a": invalid syntax
 * Errors unwind with longjmp, as exec.go's errorf panics up to Execute.
 */
#include "6-rules/tmpl_exec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/xalloc.h"

enum { CTL_NONE, CTL_BREAK, CTL_CONTINUE };
enum { MAX_EXEC_DEPTH = 100000 };

static const char DEFS[] = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}"
			   "{{$externalURL := .ExternalURL}}{{$value := .Value}}";

struct tmpl_compiled {
	struct tmpl_set *set;
	char *name;
};

/* ---- arena ------------------------------------------------------------- */

void *xs_alloc(struct xstate *s, size_t n)
{
	void *p = xcalloc(1, n ? n : 1);

	ALLOC_GROW(s->arena, s->narena + 1, s->arena_cap);
	s->arena[s->narena++] = p;
	return p;
}

const char *xs_strndup(struct xstate *s, const char *p, size_t n)
{
	char *q = xs_alloc(s, n + 1);

	memcpy(q, p, n);
	return q;
}

struct tval tv_string(struct xstate *s, const char *p, size_t n)
{
	struct tval v = { .k = TV_STRING, .s = xs_strndup(s, p, n), .n = n };
	return v;
}

/* ---- errors ------------------------------------------------------------ */

/* vsnprintf into a string from xmalloc (NULL on a format error). */
static char *format_va(const char *fmt, va_list ap)
{
	va_list aq;
	char one[1];
	int n;
	char *s;

	va_copy(aq, ap);
	n = vsnprintf(one, sizeof(one), fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static void xerrorf(struct xstate *s, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void xerrorf(struct xstate *s, const char *fmt, ...)
{
	va_list ap;
	char *m = NULL;

	buf_reset(&s->msg);
	if (!s->node) {
		buf_addf(&s->msg, "template: %s: ", s->name);
	} else {
		/* Tree.ErrorContext: name:line:byte-in-line, and node.String() */
		size_t pos = s->node->pos, last = SIZE_MAX;
		int line = 1;
		struct buf ctx = BUF_INIT;
		for (size_t i = 0; i < pos && i < s->set->text_len; i++)
			if (s->set->text[i] == '\n') {
				line++;
				last = i;
			}
		buf_addf(&s->msg, "template: %s:%d:%zu: executing ", s->set->parse_name, line,
			 last == SIZE_MAX ? pos : pos - (last + 1));
		go_quote(&s->msg, s->name, strlen(s->name));
		tnode_string(&ctx, s->node);
		buf_adds(&s->msg, " at <");
		buf_add(&s->msg, ctx.data, ctx.len);
		buf_adds(&s->msg, ">: ");
		buf_release(&ctx);
	}
	va_start(ap, fmt);
	if ((m = format_va(fmt, ap)) != NULL)
		buf_adds(&s->msg, m);
	va_end(ap);
	free(m);
	longjmp(s->fail, 1);
}

static void at(struct xstate *s, const struct tnode *n)
{
	s->node = n;
}

/* %s of a node in a message */
static const char *node_str(struct xstate *s, const struct tnode *n)
{
	struct buf b = BUF_INIT;
	const char *r;

	tnode_string(&b, n);
	r = xs_strndup(s, b.data ? (const char *)b.data : "", b.len);
	buf_release(&b);
	return r;
}

/* %v of a value in a message */
static const char *val_str(struct xstate *s, const struct tval *v)
{
	struct buf b = BUF_INIT;
	const char *r;

	tv_sprint(&b, v, 1);
	r = xs_strndup(s, b.data ? (const char *)b.data : "", b.len);
	buf_release(&b);
	return r;
}

static const char *type_str(struct xstate *s, const struct tval *v)
{
	struct buf b = BUF_INIT;
	const char *r;

	tv_type_name(&b, v);
	r = xs_strndup(s, (const char *)b.data, b.len);
	buf_release(&b);
	return r;
}

static const char *ptype_name(enum ptype t)
{
	switch (t) {
	case P_STRING: return "string";
	case P_IFACE: return "interface {}";
	case P_RVALUE: return "reflect.Value";
	case P_QRESULT: return "template.queryResult";
	case P_SAMPLE: return "*template.sample";
	}
	return "?";
}

/* ---- variables --------------------------------------------------------- */

static void push(struct xstate *s, const char *name, struct tval v)
{
	ALLOC_GROW(s->vars, s->nvars + 1, s->vars_cap);
	s->vars[s->nvars].name = name;
	s->vars[s->nvars++].v = v;
}

static void set_var(struct xstate *s, const char *name, struct tval v)
{
	for (size_t i = s->nvars; i-- > 0;)
		if (!strcmp(s->vars[i].name, name)) {
			s->vars[i].v = v;
			return;
		}
	xerrorf(s, "undefined variable: %s", name);
}

static struct tval var_value(struct xstate *s, const char *name)
{
	for (size_t i = s->nvars; i-- > 0;)
		if (!strcmp(s->vars[i].name, name))
			return s->vars[i].v;
	xerrorf(s, "undefined variable: %s", name);
}

/* ---- truth ------------------------------------------------------------- */

bool tv_is_true(const struct tval *v, bool *ok)
{
	*ok = true;
	switch (v->k) {
	case TV_INVALID: return false;
	case TV_BOOL: return v->b;
	case TV_INT: return v->i != 0;
	case TV_FLOAT: return v->f != 0;
	case TV_COMPLEX: return v->f != 0 || v->im != 0;
	case TV_STRING: case TV_HTML: return v->n > 0;
	case TV_MAP_SS: return v->p && ((const struct tmap_ss *)v->p)->n > 0;
	case TV_MAP_SI: return v->p && ((const struct tmap_si *)v->p)->n > 0;
	case TV_QRESULT: return v->p && ((const struct tqres *)v->p)->n > 0;
	case TV_SAMPLE: case TV_TIME: return v->p != NULL;
	case TV_DATA: return true;
	}
	*ok = false;
	return false;
}

/* ---- evaluation -------------------------------------------------------- */

struct final {
	bool present;
	struct tval v;
};

static const struct final NO_FINAL = { false, { 0 } };

static struct tval eval_pipeline(struct xstate *s, struct tval dot, const struct tnode *pipe);
static struct tval eval_arg(struct xstate *s, struct tval dot, const enum ptype *typ, const struct tnode *n);
static void walk(struct xstate *s, struct tval dot, const struct tnode *n);

static void not_a_function(struct xstate *s, const struct tnode *const *args, size_t nargs, const struct final *final)
{
	if (nargs > 1 || final->present)
		xerrorf(s, "can't give argument to non-function %s", node_str(s, args[0]));
}

/* idealConstant: a number literal without a type context. */
static struct tval ideal_constant(struct xstate *s, const struct tnode *c)
{
	struct tval v = { 0 };
	bool hexint = c->text_len > 2 && c->text[0] == '0' && (c->text[1] == 'x' || c->text[1] == 'X') &&
		      !strpbrk(c->text, "pP");
	bool runeint = c->text_len > 0 && c->text[0] == '\'';

	at(s, c);
	if (c->is_complex) {
		v.k = TV_COMPLEX;
		v.f = c->re;
		v.im = c->im;
	} else if (c->is_float && !hexint && !runeint && strpbrk(c->text, ".eEpP")) {
		v.k = TV_FLOAT;
		v.f = c->f;
	} else if (c->is_int) {
		v.k = TV_INT;
		v.i = c->i;
	} else if (c->is_uint) {
		xerrorf(s, "%s overflows int", c->text);
	}
	return v;
}

static const char *const data_fields[] = { "Labels", "ExternalLabels", "ExternalURL", "Value" };

/* evalField: one .Name step on receiver. */
static struct tval eval_field(struct xstate *s, struct tval dot, const char *name, const struct tnode *node,
			      const struct tnode *const *args, size_t nargs, const struct final *final,
			      struct tval recv)
{
	bool has_args = nargs > 1 || final->present;
	struct tval r = { 0 };
	const char *typ;

	(void)dot;
	(void)node;
	if (recv.k == TV_INVALID)
		return r; /* missingkey=zero: no error */
	typ = type_str(s, &recv);
	switch (recv.k) {
	case TV_DATA: {
		const struct tdata *d = recv.p;
		for (size_t i = 0; i < 4; i++)
			if (!strcmp(name, data_fields[i])) {
				if (has_args)
					xerrorf(s, "%s has arguments but cannot be invoked as function", name);
				switch (i) {
				case 0: r.k = TV_MAP_SS; r.p = d->labels; break;
				case 1: r.k = TV_MAP_SS; r.p = d->external_labels; break;
				case 2: r.k = TV_STRING; r.s = d->external_url; r.n = strlen(d->external_url); break;
				default: r.k = TV_FLOAT; r.f = d->value;
				}
				return r;
			}
		break;
	}
	case TV_SAMPLE: {
		const struct tsample *smp = recv.p;
		bool known = !strcmp(name, "Labels") || !strcmp(name, "Value");
		if (!known)
			break;
		if (!smp)
			xerrorf(s, "nil pointer evaluating %s.%s", typ, name);
		if (has_args)
			xerrorf(s, "%s has arguments but cannot be invoked as function", name);
		if (name[0] == 'L') {
			r.k = TV_MAP_SS;
			r.p = &smp->labels;
		} else {
			r.k = TV_FLOAT;
			r.f = smp->value;
		}
		return r;
	}
	case TV_MAP_SS: {
		const char *v;
		if (has_args)
			xerrorf(s, "%s is not a method but has arguments", name);
		v = tmap_ss_get(recv.p, name, strlen(name));
		r.k = TV_STRING;
		r.s = v ? v : "";
		r.n = strlen(r.s);
		return r;
	}
	case TV_MAP_SI: {
		const struct tmap_si *m = recv.p;
		if (has_args)
			xerrorf(s, "%s is not a method but has arguments", name);
		for (size_t i = 0; m && i < m->n; i++)
			if (!strcmp(m->k[i], name))
				return m->v[i];
		return r; /* the zero interface{} */
	}
	case TV_TIME: {
		const int64_t *ns = recv.p;
		if (!strcmp(name, "Unix") || !strcmp(name, "UnixMilli") || !strcmp(name, "UnixNano")) {
			if (nargs > 1 || final->present)
				xerrorf(s, "wrong number of args for %s: want 0 got %zu", name,
					nargs - 1 + (final->present ? 1 : 0));
			if (!ns)
				xerrorf(s, "error calling %s: runtime error: invalid memory address or nil pointer dereference", name);
			r.k = TV_INT; /* int64 prints as an int */
			r.i = name[4] == 0 ? (*ns >= 0 ? *ns / 1000000000 : -((-*ns + 999999999) / 1000000000))
			      : name[4] == 'M' ? *ns / 1000000 : *ns;
			return r;
		}
		break;
	}
	default:
		break;
	}
	xerrorf(s, "can't evaluate field %s in type %s", name, typ);
}

static struct tval eval_field_chain(struct xstate *s, struct tval dot, struct tval recv, const struct tnode *node,
				    char *const *ident, size_t nident, const struct tnode *const *args, size_t nargs,
				    const struct final *final)
{
	for (size_t i = 0; i + 1 < nident; i++)
		recv = eval_field(s, dot, ident[i], node, NULL, 0, &NO_FINAL, recv);
	return eval_field(s, dot, ident[nident - 1], node, args, nargs, final, recv);
}

static struct tval eval_field_node(struct xstate *s, struct tval dot, const struct tnode *field,
				   const struct tnode *const *args, size_t nargs, const struct final *final)
{
	at(s, field);
	return eval_field_chain(s, dot, dot, field, field->ident, field->nident, args, nargs, final);
}

static struct tval eval_chain_node(struct xstate *s, struct tval dot, const struct tnode *chain,
				   const struct tnode *const *args, size_t nargs, const struct final *final)
{
	struct tval pipe;

	at(s, chain);
	if (chain->nident == 0)
		xerrorf(s, "internal error: no fields in evalChainNode");
	if (chain->node->kind == TN_NIL)
		xerrorf(s, "indirection through explicit nil in %s", node_str(s, chain));
	pipe = eval_arg(s, dot, NULL, chain->node);
	return eval_field_chain(s, dot, pipe, chain, chain->ident, chain->nident, args, nargs, final);
}

static struct tval eval_variable_node(struct xstate *s, struct tval dot, const struct tnode *v,
				      const struct tnode *const *args, size_t nargs, const struct final *final)
{
	struct tval value;

	at(s, v);
	value = var_value(s, v->ident[0]);
	if (v->nident == 1) {
		if (args)
			not_a_function(s, args, nargs, final);
		return value;
	}
	return eval_field_chain(s, dot, value, v, v->ident + 1, v->nident - 1, args, nargs, final);
}

/* validateType: value must be assignable to typ (NULL: any). */
static struct tval validate_type(struct xstate *s, struct tval v, const enum ptype *typ)
{
	struct tval zero = { 0 };

	if (!typ || *typ == P_RVALUE || *typ == P_IFACE)
		return v;
	if (v.k == TV_INVALID) {
		switch (*typ) {
		case P_QRESULT: zero.k = TV_QRESULT; return zero; /* nil slice */
		case P_SAMPLE: zero.k = TV_SAMPLE; return zero;   /* nil pointer */
		default: xerrorf(s, "invalid value; expected %s", ptype_name(*typ));
		}
	}
	switch (*typ) {
	case P_STRING:
		if (v.k == TV_STRING)
			return v;
		break;
	case P_QRESULT:
		if (v.k == TV_QRESULT)
			return v;
		break;
	case P_SAMPLE:
		if (v.k == TV_SAMPLE)
			return v;
		break;
	default:
		return v;
	}
	xerrorf(s, "wrong type for value; expected %s; got %s", ptype_name(*typ), type_str(s, &v));
}

static struct tval eval_function(struct xstate *s, struct tval dot, const struct tnode *node,
				 const struct tnode *cmd, const struct tnode *const *args, size_t nargs,
				 const struct final *final);

static struct tval eval_empty_interface(struct xstate *s, struct tval dot, const struct tnode *n)
{
	struct tval v = { 0 };

	at(s, n);
	switch (n->kind) {
	case TN_BOOL: v.k = TV_BOOL; v.b = n->b; return v;
	case TN_NUMBER: return ideal_constant(s, n);
	case TN_STRING: v.k = TV_STRING; v.s = n->text; v.n = n->text_len; return v;
	default: xerrorf(s, "can't handle assignment of %s to empty interface argument", node_str(s, n));
	}
}

static struct tval eval_arg(struct xstate *s, struct tval dot, const enum ptype *typ, const struct tnode *n)
{
	struct tval v = { 0 };

	at(s, n);
	switch (n->kind) {
	case TN_DOT:
		return validate_type(s, dot, typ);
	case TN_NIL:
		if (!typ || *typ != P_STRING) {
			if (typ && *typ == P_QRESULT)
				v.k = TV_QRESULT;
			else if (typ && *typ == P_SAMPLE)
				v.k = TV_SAMPLE;
			return v;
		}
		xerrorf(s, "cannot assign nil to %s", ptype_name(*typ));
	case TN_FIELD:
		return validate_type(s, eval_field_node(s, dot, n, &n, 1, &NO_FINAL), typ);
	case TN_VARIABLE:
		return validate_type(s, eval_variable_node(s, dot, n, NULL, 0, &NO_FINAL), typ);
	case TN_PIPE:
		return validate_type(s, eval_pipeline(s, dot, n), typ);
	case TN_IDENT:
		return validate_type(s, eval_function(s, dot, n, n, NULL, 0, &NO_FINAL), typ);
	case TN_CHAIN:
		return validate_type(s, eval_chain_node(s, dot, n, NULL, 0, &NO_FINAL), typ);
	default:
		break;
	}
	if (!typ)
		xerrorf(s, "can't handle %s for arg of type <nil>", node_str(s, n));
	switch (*typ) {
	case P_IFACE:
	case P_RVALUE:
		return eval_empty_interface(s, dot, n);
	case P_STRING:
		at(s, n);
		if (n->kind == TN_STRING) {
			v.k = TV_STRING;
			v.s = n->text;
			v.n = n->text_len;
			return v;
		}
		xerrorf(s, "expected string; found %s", node_str(s, n));
	default:
		xerrorf(s, "can't handle %s for arg of type %s", node_str(s, n), ptype_name(*typ));
	}
}

/* and/or: short-circuit over reflect.Value arguments (Go 1.18+). */
static struct tval eval_and_or(struct xstate *s, struct tval dot, bool is_or, const struct tnode *const *args,
			       size_t nargs, const struct final *final)
{
	static const enum ptype rv = P_RVALUE;
	struct tval v = { 0 };

	for (size_t i = 0; i < nargs; i++) {
		bool ok;
		v = eval_arg(s, dot, &rv, args[i]);
		if (tv_is_true(&v, &ok) == is_or)
			return v;
	}
	if (final->present)
		v = final->v;
	return v;
}

/* evalCall: arity checks, arguments, the call, "error calling". */
static struct tval eval_call(struct xstate *s, struct tval dot, const struct tfunc *fn, const struct tnode *node,
			     const char *name, const struct tnode *const *args, size_t nargs,
			     const struct final *final)
{
	size_t num_in, num_fixed, i = 0;
	struct tval argv[64], *av = argv, out = { 0 };
	struct buf err = BUF_INIT;

	if (args) {
		args++; /* args[0] is the function itself */
		nargs--;
	}
	num_in = nargs + (final->present ? 1 : 0);
	num_fixed = nargs;
	if (fn->variadic) {
		num_fixed = (size_t)fn->nin - 1;
		if (num_in < num_fixed)
			xerrorf(s, "wrong number of args for %s: want at least %d got %zu", name, fn->nin - 1, nargs);
	} else if (num_in != (size_t)fn->nin) {
		xerrorf(s, "wrong number of args for %s: want %d got %zu", name, fn->nin, num_in);
	}
	if (!strcmp(name, "and") || !strcmp(name, "or"))
		return eval_and_or(s, dot, name[0] == 'o', args, nargs, final);
	if (num_in > sizeof(argv) / sizeof(argv[0]))
		av = xs_alloc(s, num_in * sizeof(*av));
	for (; i < num_fixed && i < nargs; i++)
		av[i] = eval_arg(s, dot, &fn->in[i], args[i]);
	if (fn->variadic)
		for (; i < nargs; i++)
			av[i] = eval_arg(s, dot, &fn->in[fn->nin - 1], args[i]);
	if (final->present) {
		const enum ptype *t = &fn->in[fn->nin - 1];
		if (fn->variadic && num_in - 1 < num_fixed)
			t = &fn->in[num_in - 1];
		av[i] = validate_type(s, final->v, t);
	}
	if (fn->fn(s, av, num_in, &out, &err) < 0) {
		char *m = buf_detach(&err, NULL);
		at(s, node);
		{
			const char *mm = xs_strndup(s, m ? m : "", m ? strlen(m) : 0);
			free(m);
			xerrorf(s, "error calling %s: %s", name, mm);
		}
	}
	buf_release(&err);
	return out;
}

static struct tval eval_function(struct xstate *s, struct tval dot, const struct tnode *node,
				 const struct tnode *cmd, const struct tnode *const *args, size_t nargs,
				 const struct final *final)
{
	const struct tfunc *fn;

	at(s, node);
	fn = tmpl_find_func(node->text, node->text_len);
	if (!fn)
		xerrorf(s, "\"%s\" is not a defined function", node->text);
	return eval_call(s, dot, fn, cmd, node->text, args, nargs, final);
}

static struct tval eval_command(struct xstate *s, struct tval dot, const struct tnode *cmd, const struct final *final)
{
	const struct tnode *first = cmd->kids[0];
	const struct tnode *const *args = (const struct tnode *const *)cmd->kids;
	size_t nargs = cmd->nkids;
	struct tval v = { 0 };

	switch (first->kind) {
	case TN_FIELD:
		return eval_field_node(s, dot, first, args, nargs, final);
	case TN_CHAIN:
		return eval_chain_node(s, dot, first, args, nargs, final);
	case TN_IDENT:
		return eval_function(s, dot, first, cmd, args, nargs, final);
	case TN_PIPE:
		not_a_function(s, args, nargs, final);
		return eval_pipeline(s, dot, first);
	case TN_VARIABLE:
		return eval_variable_node(s, dot, first, args, nargs, final);
	default:
		break;
	}
	at(s, first);
	not_a_function(s, args, nargs, final);
	switch (first->kind) {
	case TN_BOOL:
		v.k = TV_BOOL;
		v.b = first->b;
		return v;
	case TN_DOT:
		return dot;
	case TN_NIL:
		xerrorf(s, "nil is not a command");
	case TN_NUMBER:
		return ideal_constant(s, first);
	case TN_STRING:
		v.k = TV_STRING;
		v.s = first->text;
		v.n = first->text_len;
		return v;
	default: {
		struct buf q = BUF_INIT;
		const char *str = node_str(s, first);
		go_quote(&q, str, strlen(str));
		str = xs_strndup(s, (const char *)q.data, q.len);
		buf_release(&q);
		xerrorf(s, "can't evaluate command %s", str);
	}
	}
}

static struct tval eval_pipeline(struct xstate *s, struct tval dot, const struct tnode *pipe)
{
	struct final value = { false, { 0 } };

	if (!pipe)
		return value.v;
	at(s, pipe);
	for (size_t i = 0; i < pipe->nkids; i++) {
		value.v = eval_command(s, dot, pipe->kids[i], &value);
		value.present = true;
	}
	for (size_t i = 0; i < pipe->ndecl; i++) {
		if (pipe->is_assign)
			set_var(s, pipe->decl[i]->ident[0], value.v);
		else
			push(s, pipe->decl[i]->ident[0], value.v);
	}
	return value.v;
}

/* printValue: fmt.Fprint of the (indirected) value; "<no value>" for none. */
static void print_action_value(struct xstate *s, const struct tnode *n, struct tval v)
{
	at(s, n);
	if (v.k == TV_INVALID) {
		buf_adds(s->out, "<no value>");
		return;
	}
	if (v.k == TV_SAMPLE && v.p) {
		/* indirect: the struct, not "&{...}" */
		struct tval args[1] = { v };
		struct buf b = BUF_INIT;
		tv_sprint(&b, args, 1);
		buf_add(s->out, b.data + 1, b.len - 1);
		buf_release(&b);
		return;
	}
	tv_sprint(s->out, &v, 1);
}

static void walk_range(struct xstate *s, struct tval dot, const struct tnode *r)
{
	size_t mark0 = s->nvars, mark;
	struct tval val;
	size_t n = 0;

	at(s, r);
	val = eval_pipeline(s, dot, r->pipe);
	mark = s->nvars;
	switch (val.k) {
	case TV_QRESULT:
	case TV_MAP_SS:
	case TV_MAP_SI:
		if (val.k == TV_QRESULT)
			n = val.p ? ((const struct tqres *)val.p)->n : 0;
		else if (val.k == TV_MAP_SS)
			n = val.p ? ((const struct tmap_ss *)val.p)->n : 0;
		else
			n = val.p ? ((const struct tmap_si *)val.p)->n : 0;
		for (size_t i = 0; i < n; i++) {
			struct tval index = { 0 }, elem = { 0 };
			if (val.k == TV_QRESULT) {
				index.k = TV_INT;
				index.i = (int64_t)i;
				elem.k = TV_SAMPLE;
				elem.p = ((const struct tqres *)val.p)->v[i];
			} else if (val.k == TV_MAP_SS) {
				const struct tmap_ss *m = val.p;
				index.k = elem.k = TV_STRING;
				index.s = m->k[i];
				index.n = strlen(m->k[i]);
				elem.s = m->v[i];
				elem.n = strlen(m->v[i]);
			} else {
				const struct tmap_si *m = val.p;
				index.k = TV_STRING;
				index.s = m->k[i];
				index.n = strlen(m->k[i]);
				elem = m->v[i];
			}
			if (r->pipe->ndecl > 0)
				s->vars[s->nvars - 1].v = elem;
			if (r->pipe->ndecl > 1)
				s->vars[s->nvars - 2].v = index;
			walk(s, elem, r->list);
			s->nvars = mark;
			if (s->ctl == CTL_CONTINUE)
				s->ctl = CTL_NONE;
			if (s->ctl == CTL_BREAK) {
				s->ctl = CTL_NONE;
				s->nvars = mark0;
				return;
			}
		}
		if (n) {
			s->nvars = mark0;
			return;
		}
		break;
	case TV_INVALID:
		break;
	default:
		xerrorf(s, "range can't iterate over %s", val_str(s, &val));
	}
	if (r->else_list)
		walk(s, dot, r->else_list);
	s->nvars = mark0;
}

static void walk(struct xstate *s, struct tval dot, const struct tnode *n)
{
	at(s, n);
	switch (n->kind) {
	case TN_ACTION: {
		struct tval v = eval_pipeline(s, dot, n->pipe);
		if (n->pipe->ndecl == 0)
			print_action_value(s, n, v);
		break;
	}
	case TN_IF:
	case TN_WITH: {
		size_t mark = s->nvars;
		struct tval v = eval_pipeline(s, dot, n->pipe);
		bool ok, truth = tv_is_true(&v, &ok);
		if (!ok)
			xerrorf(s, "if/with can't use %s", val_str(s, &v));
		if (truth)
			walk(s, n->kind == TN_WITH ? v : dot, n->list);
		else if (n->else_list)
			walk(s, dot, n->else_list);
		s->nvars = mark;
		break;
	}
	case TN_LIST:
		for (size_t i = 0; i < n->nkids && s->ctl == CTL_NONE; i++)
			walk(s, dot, n->kids[i]);
		break;
	case TN_RANGE:
		walk_range(s, dot, n);
		break;
	case TN_TEMPLATE: {
		const struct tmpl_tree *t = tmpl_set_lookup(s->set, n->text, n->text_len);
		struct tval ndot;
		struct xvar *saved_vars;
		size_t saved_n, saved_cap;
		const char *saved_name;
		if (!t) {
			struct buf q = BUF_INIT;
			const char *qs;
			go_quote(&q, n->text, n->text_len);
			qs = xs_strndup(s, (const char *)q.data, q.len);
			buf_release(&q);
			xerrorf(s, "template %s not defined", qs);
		}
		if (s->depth == MAX_EXEC_DEPTH)
			xerrorf(s, "exceeded maximum template depth (%d)", MAX_EXEC_DEPTH);
		ndot = eval_pipeline(s, dot, n->pipe);
		saved_vars = s->vars;
		saved_n = s->nvars;
		saved_cap = s->vars_cap;
		saved_name = s->name;
		s->vars = NULL;
		s->nvars = s->vars_cap = 0;
		s->name = t->name;
		s->depth++;
		push(s, "$", ndot);
		walk(s, ndot, t->root);
		free(s->vars);
		s->depth--;
		s->vars = saved_vars;
		s->nvars = saved_n;
		s->vars_cap = saved_cap;
		s->name = saved_name;
		break;
	}
	case TN_TEXT:
		buf_add(s->out, n->text, n->text_len);
		break;
	case TN_BREAK:
		s->ctl = CTL_BREAK;
		break;
	case TN_CONTINUE:
		s->ctl = CTL_CONTINUE;
		break;
	default:
		xerrorf(s, "unknown node: %s", node_str(s, n));
	}
}

/* ---- public ------------------------------------------------------------ */

int tmpl_compile(struct tmpl_compiled **out, const char *name, const char *text, size_t len, struct err *e)
{
	struct buf full = BUF_INIT, msg = BUF_INIT;
	struct tmpl_set *set = NULL;
	int rc = 0;

	*out = NULL;
	buf_adds(&full, DEFS);
	buf_add(&full, text, len);
	if (tmpl_set_parse(&set, name, (const char *)full.data, full.len, NULL, 0, &msg) < 0) {
		rc = err_set(e, "error parsing template %s: %s", name, buf_str(&msg));
	} else {
		*out = xcalloc(1, sizeof(**out));
		(*out)->set = set;
		(*out)->name = xstrdup(name);
	}
	buf_release(&full);
	buf_release(&msg);
	return rc;
}

void tmpl_free(struct tmpl_compiled *t)
{
	if (!t)
		return;
	tmpl_set_free(t->set);
	free(t->name);
	free(t);
}

static void map_from_labels(struct xstate *s, struct tmap_ss *m, const struct label *ls, size_t n)
{
	m->n = n;
	m->k = xs_alloc(s, (n ? n : 1) * sizeof(*m->k));
	m->v = xs_alloc(s, (n ? n : 1) * sizeof(*m->v));
	for (size_t i = 0; i < n; i++) {
		m->k[i] = ls[i].name;
		m->v[i] = ls[i].value;
	}
}

int tmpl_execute(const struct tmpl_compiled *t, const struct tmpl_env *env, struct buf *out, struct err *e)
{
	struct xstate *s = xcalloc(1, sizeof(*s));
	struct tval dot = { 0 };
	int rc = 0;

	s->set = t->set;
	s->env = env;
	s->name = t->name;
	s->out = out;
	map_from_labels(s, &s->labels, env->labels, env->nlabels);
	map_from_labels(s, &s->external_labels, env->external_labels, env->nexternal_labels);
	s->data.labels = &s->labels;
	s->data.external_labels = &s->external_labels;
	s->data.external_url = env->external_url_field ? env->external_url_field : "";
	s->data.value = env->value;
	dot.k = TV_DATA;
	dot.p = &s->data;
	if (setjmp(s->fail) == 0) {
		const struct tmpl_tree *tree = &t->set->trees[0];
		push(s, "$", dot);
		if (!tree->root)
			xerrorf(s, "\"%s\" is an incomplete or empty template", t->name);
		walk(s, dot, tree->root);
	} else {
		rc = err_set(e, "error executing template %s: %s", t->name, buf_str(&s->msg));
	}
	for (size_t i = 0; i < s->narena; i++)
		free(s->arena[i]);
	free(s->arena);
	free(s->vars);
	buf_release(&s->msg);
	free(s);
	return rc;
}

void tmpl_expand_alert(struct buf *out, const char *alertname, const char *text, const struct tmpl_env *env,
		       struct tmpl_compiled **cache)
{
	struct tmpl_compiled *t = cache ? *cache : NULL;
	struct err e = ERR_INIT;
	struct buf res = BUF_INIT;
	char *name = xasprintf("__alert_%s", alertname);

	if (!t && tmpl_compile(&t, name, text, strlen(text), &e) < 0)
		goto fail;
	if (cache)
		*cache = t;
	if (tmpl_execute(t, env, &res, &e) < 0)
		goto fail;
	buf_add(out, res.data, res.len);
	goto done;
fail:
	buf_addf(out, "<error expanding template: %s>", err_msg(&e));
done:
	if (!cache)
		tmpl_free(t);
	buf_release(&res);
	err_release(&e);
	free(name);
}
