/*
 * 2.42's sample limit and query timeout for the evaluator (see
 * eval_limit.h for the idea).
 *
 * The model has one entry per syntax tree node, in pre-order (a parent
 * before its children, so a reverse walk sees children first: nothing here
 * recurses, however long an operator chain).  For each node 2.42 evaluates
 * on its own, the statistics over the steps of its evaluator give two
 * numbers, computed bottom-up at every check:
 *
 *   D  the samples the node leaves counted once it returns (its output for
 *      rangeEval and selectors; a range function also keeps its scalar
 *      arguments counted and releases its subquery's result);
 *   P  the highest count during its evaluation, above the count it started
 *      from.
 *
 * rangeEval (aggregations, binary operators, calls without a range
 * argument, literals) evaluates its arguments in order, then at each step
 * holds every argument's samples of the step plus everything output so
 * far: P = max(max_i(sum_{j<i} D_j + P_i), sum D + max_k(in_k + out_1..k)).
 * A range function over a matrix selector walks the series in order,
 * holding one window and the outputs of the series before:
 * P = D_args + max_i(sum_{j<i} out_j + max(max_k W_ik, W_i,last + out_i)).
 * Over a subquery the series come in map order, so only the lower bound
 * max(max W, sum out) is used.  A step-invariant sub-tree is evaluated at
 * one step, then its result repeated at every other step.
 *
 * Scalars are one sample per step, so a scalar node's total is known once
 * the step count of its evaluator is: a subquery of 60 million steps fails
 * at its first step, as 2.42's fails quickly, instead of after evaluating
 * them.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "1-common/xalloc.h"
#include "4-promql/eval_limit.h"

enum lim_kind {
	LIM_NONE,  /* not evaluated on its own (strings, selectors of range arguments) */
	LIM_PASS,  /* parentheses, unary operators: the child's counts */
	LIM_VS,    /* instant vector selector */
	LIM_RANGE, /* rangeEval */
	LIM_TSVS,  /* timestamp(selector): rangeEval reading the selector itself */
	LIM_MCALL, /* function with a range argument */
	LIM_MAT,   /* matrix selector as the whole (instant) query */
	LIM_SUBQ,  /* subquery as the whole (instant) query */
};

/* Evaluator numbers: the query's, the one-step evaluator of step-invariant
 * sub-trees, then one per subquery node. */
#define EVAL_TOP 0
#define EVAL_ONE 1

struct lim_node {
	const struct promql_node *node;
	uint8_t kind;
	bool once;    /* inside a step-invariant sub-tree: only its one step counts */
	bool si_root; /* 2.42 wraps it in a StepInvariantExpr */
	bool scalar;
	bool over_subq; /* LIM_MCALL whose first child is the subquery's expression */
	bool positional; /* LIM_MCALL over a matrix selector */
	uint32_t eval, dup_eval, sq_eval;
	uint32_t kid0, nkids; /* children 2.42 evaluates, in its order, in kids[] */
	uint64_t nsteps, last, first, total, dup, m;
	/* LIM_MCALL: per input series, by position in the selector's set,
	 * or for a subquery by labels hash through idx */
	struct lim_series *ser;
	size_t nser, sercap;
	struct hmap idx;
};

struct ev_limit {
	struct lim_node *n;
	size_t nn;
	uint32_t *kids;
	/* node pointer -> index + 1, open addressing */
	const struct promql_node **hkeys;
	uint32_t *hvals;
	size_t hcap;
	uint64_t *steps; /* per evaluator; 0 while unknown */
	size_t nevals;
	uint64_t *d, *p, *t; /* check scratch */
	uint64_t max_samples; /* 0: no limit */
	uint64_t events, next_check, cost;
	int64_t cur_end; /* the end of the 2.42 evaluator being modelled */
	struct timespec deadline;
	bool has_deadline, timed_out;
	unsigned calls;
};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static uint64_t umax(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static size_t hslot(const struct ev_limit *l, const struct promql_node *k)
{
	return (size_t)(((uintptr_t)k >> 4) * 0x9E3779B97F4A7C15ULL >> 20) & (l->hcap - 1);
}

static struct lim_node *lookup(const struct ev_limit *l, const struct promql_node *k)
{
	for (size_t i = hslot(l, k);; i = (i + 1) & (l->hcap - 1)) {
		if (l->hkeys[i] == k)
			return &l->n[l->hvals[i] - 1];
		if (!l->hkeys[i])
			return NULL;
	}
}

static void hput(struct ev_limit *l, const struct promql_node *k, uint32_t idx)
{
	size_t i = hslot(l, k);

	while (l->hkeys[i])
		i = (i + 1) & (l->hcap - 1);
	l->hkeys[i] = k;
	l->hvals[i] = idx + 1;
}

/* ---- the model ---- */

struct walk {
	const struct promql_node **node;
	uint32_t *parent;
	size_t n, cap;
};

/* The children of n in 2.42's order; returns their count (at most 8 kept). */
static size_t children(const struct promql_node *n, const struct promql_node **c, size_t cap)
{
	size_t k = 0;

#define PUSH(x)                                                                \
	do {                                                                   \
		if ((x) && k < cap)                                            \
			c[k++] = (x);                                          \
	} while (0)
	switch (n->kind) {
	case PROMQL_NODE_AGGREGATE:
		PUSH(n->u.aggregate.param);
		PUSH(n->u.aggregate.expr);
		break;
	case PROMQL_NODE_BINARY:
		PUSH(n->u.binary.lhs);
		PUSH(n->u.binary.rhs);
		break;
	case PROMQL_NODE_CALL:
		for (size_t i = 0; i < n->u.call.nargs; i++)
			PUSH(n->u.call.args[i]);
		break;
	case PROMQL_NODE_MATRIX:
		PUSH(n->u.matrix.vs);
		break;
	case PROMQL_NODE_SUBQUERY:
		PUSH(n->u.subquery.expr);
		break;
	case PROMQL_NODE_PAREN:
		PUSH(n->u.paren.expr);
		break;
	case PROMQL_NODE_UNARY:
		PUSH(n->u.unary.expr);
		break;
	case PROMQL_NODE_STEP_INVARIANT:
		PUSH(n->u.step_invariant.expr);
		break;
	default:
		break;
	}
#undef PUSH
	return k;
}

static size_t nchildren(const struct promql_node *n)
{
	if (n->kind == PROMQL_NODE_CALL)
		return n->u.call.nargs;
	return children(n, (const struct promql_node *[2]){ 0 }, 2);
}

static const struct promql_node *child_at(const struct promql_node *n, size_t i)
{
	const struct promql_node *c[2];

	if (n->kind == PROMQL_NODE_CALL)
		return n->u.call.args[i];
	children(n, c, 2);
	return c[i];
}

/* Pre-order with an explicit stack. */
static void preorder(struct walk *w, const struct promql_node *root)
{
	struct item {
		const struct promql_node *n;
		uint32_t parent;
	} *stack = NULL;
	size_t ns = 0, scap = 0;

	ALLOC_GROW(stack, 1, scap);
	stack[ns++] = (struct item){ root, UINT32_MAX };
	while (ns) {
		struct item it = stack[--ns];
		size_t k = nchildren(it.n), self = w->n;

		ALLOC_GROW(w->node, w->n + 1, w->cap);
		w->parent = xreallocarray(w->parent, w->cap, sizeof(*w->parent));
		w->node[w->n] = it.n;
		w->parent[w->n++] = it.parent;
		ALLOC_GROW(stack, ns + k, scap);
		for (size_t i = k; i-- > 0;) /* first child on top */
			stack[ns++] = (struct item){ child_at(it.n, i), (uint32_t)self };
	}
	free(stack);
}

static const struct promql_node *unparen(const struct promql_node *n)
{
	while (n->kind == PROMQL_NODE_PAREN || n->kind == PROMQL_NODE_STEP_INVARIANT)
		n = n->kind == PROMQL_NODE_PAREN ? n->u.paren.expr : n->u.step_invariant.expr;
	return n;
}

/* AtModifierUnsafeFunctions of 2.42. */
static bool at_unsafe(const char *name)
{
	static const char *const names[] = {
		"days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute",
		"month", "year", "predict_linear", "time", "timestamp",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* Index of the range argument 2.42's call evaluation picks, or -1. */
static ptrdiff_t matrix_arg(const struct promql_node *n)
{
	for (size_t i = 0; i < n->u.call.nargs; i++) {
		const struct promql_node *a = unparen(n->u.call.args[i]);
		if (a->kind == PROMQL_NODE_MATRIX || a->kind == PROMQL_NODE_SUBQUERY)
			return (ptrdiff_t)i;
	}
	return -1;
}

struct build {
	struct walk w;
	bool *inv, *visited, *wrapped, *scalar;
};

static void build_model(struct ev_limit *l, const struct promql_node *root)
{
	struct build b = { 0 };
	size_t n, nk = 0, kcap = 0;
	uint32_t nsq = 2;
	uint32_t *kidpos; /* per node: its rank among its parent's children */
	uint32_t **kidsof; /* per node: the walk indices of its children */
	size_t *nkidsof;

	preorder(&b.w, root);
	n = b.w.n;
	l->nn = n;
	l->n = xcalloc(n, sizeof(*l->n));
	b.inv = xcalloc(n, sizeof(bool));
	b.visited = xcalloc(n, sizeof(bool));
	b.wrapped = xcalloc(n, sizeof(bool));
	b.scalar = xcalloc(n, sizeof(bool));
	kidpos = xcalloc(n, sizeof(*kidpos));
	kidsof = xcalloc(n, sizeof(*kidsof));
	nkidsof = xcalloc(n, sizeof(*nkidsof));
	/* Children lists by index, in order: pre-order meets them in order. */
	for (size_t i = 1; i < n; i++) {
		uint32_t p = b.w.parent[i];
		if (!kidsof[p])
			kidsof[p] = xcalloc(nchildren(b.w.node[p]), sizeof(**kidsof));
		kidpos[i] = (uint32_t)nkidsof[p];
		kidsof[p][nkidsof[p]++] = (uint32_t)i;
	}

	/* Bottom-up: preprocessExprHelper's step invariance, and scalar types. */
	for (size_t i = n; i-- > 0;) {
		const struct promql_node *x = b.w.node[i];
		uint32_t *k = kidsof[i];
		bool inv = true;

		switch (x->kind) {
		case PROMQL_NODE_VECTOR:
			inv = x->u.vector.at.kind != PROMQL_AT_NONE;
			break;
		case PROMQL_NODE_SUBQUERY:
			inv = x->u.subquery.at.kind != PROMQL_AT_NONE;
			break;
		case PROMQL_NODE_MATRIX:
		case PROMQL_NODE_PAREN:
		case PROMQL_NODE_UNARY:
		case PROMQL_NODE_STEP_INVARIANT:
			inv = b.inv[k[0]];
			b.scalar[i] = b.scalar[k[0]];
			break;
		case PROMQL_NODE_AGGREGATE:
			inv = b.inv[k[nkidsof[i] - 1]]; /* the expression, not the parameter */
			break;
		case PROMQL_NODE_BINARY:
			inv = b.inv[k[0]] && b.inv[k[1]];
			b.scalar[i] = b.scalar[k[0]] && b.scalar[k[1]];
			break;
		case PROMQL_NODE_CALL:
			inv = !at_unsafe(x->u.call.func->name);
			for (size_t j = 0; j < nkidsof[i]; j++)
				inv = inv && b.inv[k[j]];
			b.scalar[i] = x->u.call.func->return_type == PROMQL_TYPE_SCALAR;
			break;
		case PROMQL_NODE_NUMBER:
			b.scalar[i] = true;
			break;
		default:
			break;
		}
		b.inv[i] = inv;
	}

	/* Top-down: where PreprocessExpr wraps (it does not look into an
	 * aggregation's parameter), and each node's evaluator. */
	b.visited[0] = true;
	b.wrapped[0] = b.inv[0];
	for (size_t i = 0; i < n; i++) {
		const struct promql_node *x = b.w.node[i];
		struct lim_node *ln = &l->n[i];
		uint32_t p = b.w.parent[i];

		ln->node = x;
		ln->scalar = b.scalar[i];
		if (i) {
			const struct promql_node *px = b.w.node[p];
			struct lim_node *pn = &l->n[p];
			bool wraps = false;
			b.visited[i] = b.visited[p] &&
				       !(px->kind == PROMQL_NODE_AGGREGATE && px->u.aggregate.param && kidpos[i] == 0);
			if (b.visited[p]) {
				if (px->kind == PROMQL_NODE_BINARY || px->kind == PROMQL_NODE_CALL)
					wraps = !b.inv[p];
				else if (px->kind == PROMQL_NODE_SUBQUERY)
					wraps = true;
			}
			b.wrapped[i] = wraps && b.visited[i] && b.inv[i];
			ln->once = (pn->si_root || pn->once) && px->kind != PROMQL_NODE_SUBQUERY;
			if (px->kind == PROMQL_NODE_SUBQUERY)
				ln->eval = pn->sq_eval;
			else if (pn->si_root || pn->once)
				ln->eval = EVAL_ONE;
			else
				ln->eval = pn->eval;
		} else {
			ln->eval = EVAL_TOP;
		}
		if (b.wrapped[i] && x->kind != PROMQL_NODE_NUMBER && x->kind != PROMQL_NODE_STRING) {
			const struct promql_node *u = unparen(x);
			ln->si_root = u->kind != PROMQL_NODE_MATRIX && u->kind != PROMQL_NODE_SUBQUERY;
			ln->dup_eval = ln->eval;
		}
		if (x->kind == PROMQL_NODE_SUBQUERY)
			ln->sq_eval = nsq++;
	}

	/* Kinds and the children 2.42 evaluates. */
	for (size_t i = 0; i < n; i++) {
		const struct promql_node *x = b.w.node[i];
		struct lim_node *ln = &l->n[i];
		uint32_t *k = kidsof[i];
		const struct promql_node *px = i ? b.w.node[b.w.parent[i]] : NULL;
		size_t first = nk;

		switch (x->kind) {
		case PROMQL_NODE_VECTOR:
			ln->kind = LIM_VS;
			if (px && px->kind == PROMQL_NODE_MATRIX)
				ln->kind = LIM_NONE;
			break;
		case PROMQL_NODE_MATRIX:
			ln->kind = i ? LIM_NONE : LIM_MAT;
			break;
		case PROMQL_NODE_SUBQUERY:
			ln->kind = i ? LIM_NONE : LIM_SUBQ;
			if (!i) {
				ALLOC_GROW(l->kids, nk + 1, kcap);
				l->kids[nk++] = k[0];
			}
			break;
		case PROMQL_NODE_PAREN:
		case PROMQL_NODE_UNARY:
		case PROMQL_NODE_STEP_INVARIANT:
			ln->kind = LIM_PASS;
			ALLOC_GROW(l->kids, nk + 1, kcap);
			l->kids[nk++] = k[0];
			break;
		case PROMQL_NODE_NUMBER:
			ln->kind = LIM_RANGE;
			break;
		case PROMQL_NODE_AGGREGATE:
		case PROMQL_NODE_BINARY:
			ln->kind = LIM_RANGE;
			for (size_t j = 0; j < nkidsof[i]; j++) {
				if (x->kind == PROMQL_NODE_AGGREGATE && j == 0 && x->u.aggregate.param &&
				    unparen(x->u.aggregate.param)->kind == PROMQL_NODE_STRING)
					continue; /* count_values' label: not evaluated */
				ALLOC_GROW(l->kids, nk + 1, kcap);
				l->kids[nk++] = k[j];
			}
			break;
		case PROMQL_NODE_CALL: {
			ptrdiff_t mi = matrix_arg(x);
			if (mi >= 0) {
				const struct promql_node *a = unparen(x->u.call.args[mi]);
				ln->kind = LIM_MCALL;
				if (a->kind == PROMQL_NODE_SUBQUERY) {
					/* the subquery's expression: the walk index after the subquery */
					size_t at = k[mi];
					while (b.w.node[at] != a)
						at++;
					ALLOC_GROW(l->kids, nk + 1, kcap);
					l->kids[nk++] = (uint32_t)(at + 1);
					ln->over_subq = true;
				}
				for (size_t j = 0; j < nkidsof[i]; j++) {
					if ((ptrdiff_t)j == mi)
						continue;
					ALLOC_GROW(l->kids, nk + 1, kcap);
					l->kids[nk++] = k[j];
				}
			} else if (x->u.call.func->id == PROMQL_FN_TIMESTAMP && x->u.call.nargs == 1 &&
				   unparen(x->u.call.args[0])->kind == PROMQL_NODE_VECTOR) {
				ln->kind = LIM_TSVS;
			} else {
				ln->kind = LIM_RANGE;
				for (size_t j = 0; j < nkidsof[i]; j++) {
					if (b.w.node[k[j]]->kind == PROMQL_NODE_STRING ||
					    (unparen(b.w.node[k[j]])->kind == PROMQL_NODE_STRING))
						continue;
					ALLOC_GROW(l->kids, nk + 1, kcap);
					l->kids[nk++] = k[j];
				}
			}
			break;
		}
		default:
			ln->kind = LIM_NONE;
			break;
		}
		ln->kid0 = (uint32_t)first;
		ln->nkids = (uint32_t)(nk - first);
	}
	/* A selector under timestamp() is read by the call, not on its own. */
	for (size_t i = 0; i < n; i++) {
		size_t at = i + 1;
		if (l->n[i].kind != LIM_TSVS)
			continue;
		while (b.w.node[at]->kind != PROMQL_NODE_VECTOR)
			at++;
		l->n[at].kind = LIM_NONE;
	}
	l->nevals = nsq;
	l->steps = xcalloc(nsq, sizeof(*l->steps));
	l->hcap = 16;
	while (l->hcap < 2 * n)
		l->hcap *= 2;
	l->hkeys = xcalloc(l->hcap, sizeof(*l->hkeys));
	l->hvals = xcalloc(l->hcap, sizeof(*l->hvals));
	for (size_t i = 0; i < n; i++)
		hput(l, l->n[i].node, (uint32_t)i);
	l->d = xcalloc(n, sizeof(*l->d));
	l->p = xcalloc(n, sizeof(*l->p));
	l->t = xcalloc(n, sizeof(*l->t));
	l->cost = n;

	for (size_t i = 0; i < n; i++)
		free(kidsof[i]);
	free(kidsof);
	free(nkidsof);
	free(kidpos);
	free(b.inv);
	free(b.visited);
	free(b.wrapped);
	free(b.scalar);
	free(b.w.node);
	free(b.w.parent);
}

/* ---- the count ---- */

/*
 * The peak of the series phase of a range function: series i holds its
 * window (at most maxw) and then, with its last window, its output, above
 * the outputs of the series before it.  Over a subquery the order is Go's
 * map order, unknown: the bound below holds for every order (any series
 * may come last, after all the others' outputs).
 */
static uint64_t series_peak(const struct lim_node *ln, uint64_t *total)
{
	uint64_t prefix = 0, best = 0, last = UINT64_MAX;
	bool ordered = ln->positional;

	for (size_t i = 0; i < ln->nser; i++) {
		const struct lim_series *s = &ln->ser[i];
		uint64_t lastw = s->stamp + 1 == ln->nsteps ? s->lastw : 0;
		uint64_t c = umax(s->maxw, sat_add(lastw, s->outs));
		best = umax(best, sat_add(ordered ? prefix : 0, c));
		prefix = sat_add(prefix, s->outs);
		if (!ordered && c - s->outs < last) /* c >= outs */
			last = c - s->outs;
	}
	if (!ordered && ln->nser)
		best = umax(best, sat_add(prefix, last));
	*total = prefix;
	return best;
}

/*
 * The whole query's peak count from the statistics so far.  Per node, d is
 * D, p is P (see the top of the file) and t the node's output summed over
 * all the steps of its evaluator (what a subquery over it holds).
 */
static uint64_t peak(struct ev_limit *l)
{
	l->cost = l->nn;
	for (size_t i = l->nn; i-- > 0;) {
		struct lim_node *ln = &l->n[i];
		const uint32_t *k = l->kids ? l->kids + ln->kid0 : NULL; /* no NULL + 0 */
		uint64_t d = 0, p = 0, b = 0, t = 0;

		switch (ln->kind) {
		case LIM_PASS:
		case LIM_SUBQ:
			d = l->d[k[0]];
			p = l->p[k[0]];
			t = l->t[k[0]];
			break;
		case LIM_VS:
		case LIM_MAT:
			d = p = t = ln->total;
			break;
		case LIM_RANGE:
		case LIM_TSVS:
			for (uint32_t j = 0; j < ln->nkids; j++) {
				p = umax(p, sat_add(b, l->p[k[j]]));
				b = sat_add(b, l->d[k[j]]);
			}
			t = ln->total;
			/* one sample per step: the total is known from the step count */
			if (ln->scalar && !ln->once && !ln->si_root)
				t = umax(t, l->steps[ln->eval]);
			p = umax(p, sat_add(b, umax(ln->m, t)));
			d = t;
			break;
		case LIM_MCALL:
			for (uint32_t j = 0; j < ln->nkids; j++) {
				p = umax(p, sat_add(b, l->p[k[j]]));
				b = sat_add(b, l->d[k[j]]);
			}
			p = umax(p, sat_add(b, series_peak(ln, &t)));
			d = sat_add(b, t);
			/* the subquery's result is released when the call returns */
			if (ln->over_subq)
				d -= l->t[k[0]] < d ? l->t[k[0]] : d;
			l->cost += ln->nser;
			break;
		default:
			break;
		}
		if (ln->si_root && ln->nsteps) {
			/* the one step's result, repeated at every other step */
			uint64_t dup = ln->dup, s = l->steps[ln->dup_eval];
			if (s > 1)
				dup = umax(dup, sat_mul(s - 1, ln->first));
			d = sat_add(d, dup);
			p = umax(p, d);
			t = sat_add(ln->first, dup);
		}
		l->d[i] = d;
		l->p[i] = p;
		l->t[i] = t;
	}
	return l->p[0];
}

static int too_many(struct evaluator *ev)
{
	return err_set(ev->e, "query processing would load too many samples into memory in query execution");
}

static int check(struct evaluator *ev)
{
	struct ev_limit *l = ev->lim;
	uint64_t pk = peak(l);

	l->next_check = sat_add(l->events, umax(1u << 20, 16 * l->cost));
	if (l->max_samples && pk > l->max_samples)
		return too_many(ev);
	return 0;
}

static int check_clock(struct evaluator *ev)
{
	struct ev_limit *l = ev->lim;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > l->deadline.tv_sec || (now.tv_sec == l->deadline.tv_sec && now.tv_nsec >= l->deadline.tv_nsec)) {
		l->timed_out = true;
		return err_set(ev->e, "query timed out in expression evaluation");
	}
	return 0;
}

void ev_limit_init(struct evaluator *ev, const struct promql_node *root, int64_t end, int64_t nsteps,
		   const struct promql_engine_opts *o)
{
	struct ev_limit *l;

	ev->lim = NULL;
	if (!o || (o->max_samples <= 0 && o->timeout_ms <= 0))
		return;
	l = xcalloc(1, sizeof(*l));
	l->max_samples = o->max_samples > 0 ? (uint64_t)o->max_samples : 0;
	if (o->timeout_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &l->deadline);
		l->deadline.tv_sec += o->timeout_ms / 1000;
		l->deadline.tv_nsec += (o->timeout_ms % 1000) * 1000000;
		if (l->deadline.tv_nsec >= 1000000000) {
			l->deadline.tv_sec++;
			l->deadline.tv_nsec -= 1000000000;
		}
		l->has_deadline = true;
	}
	l->cur_end = end;
	build_model(l, root);
	l->steps[EVAL_TOP] = nsteps > 0 ? (uint64_t)nsteps : 0;
	l->steps[EVAL_ONE] = 1;
	l->next_check = umax(1u << 20, 16 * l->cost);
	ev->lim = l;
}

void ev_limit_free(struct ev_limit *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nn; i++) {
		free(l->n[i].ser);
		hmap_release(&l->n[i].idx);
	}
	free(l->n);
	free(l->kids);
	free(l->hkeys);
	free(l->hvals);
	free(l->steps);
	free(l->d);
	free(l->p);
	free(l->t);
	free(l);
}

static uint64_t value_size(const struct ev_value *v)
{
	uint64_t c = 0;

	switch (v->type) {
	case PROMQL_TYPE_SCALAR:
		return 1;
	case PROMQL_TYPE_VECTOR:
		return v->vec.n;
	case PROMQL_TYPE_MATRIX:
		for (size_t i = 0; i < v->mat.n; i++)
			c += v->mat.s[i].n;
		return c;
	default:
		return 0;
	}
}

int ev_limit_note(struct evaluator *ev, const struct promql_node *n, const struct ev_value *v)
{
	struct ev_limit *l = ev->lim;
	struct lim_node *ln = lookup(l, n);
	uint64_t cnt;
	bool first;

	if (l->has_deadline && (++l->calls & 255) == 0 && check_clock(ev) < 0)
		return -1;
	if (!ln || ln->kind == LIM_NONE)
		return 0;
	cnt = value_size(v);
	ln->last = cnt;
	l->events += cnt + 1;
	if (ln->kind == LIM_PASS && !ln->si_root)
		goto tick;
	if (ln->nsteps && (ln->once || ln->si_root)) {
		if (ln->si_root && !ln->once)
			ln->dup += cnt;
		goto tick;
	}
	first = !ln->nsteps;
	ln->nsteps++;
	if (first)
		ln->first = cnt;
	if (ln->kind != LIM_MCALL)
		ln->total += cnt;
	if (ln->kind == LIM_RANGE || ln->kind == LIM_TSVS) {
		uint64_t in = 0;
		if (ln->kind == LIM_TSVS)
			in = cnt;
		for (uint32_t j = 0; j < ln->nkids; j++)
			in += l->n[l->kids[ln->kid0 + j]].last;
		ln->m = umax(ln->m, in + ln->total);
	}
	if (first && ln->si_root)
		return check(ev);
tick:
	if (l->events >= l->next_check)
		return check(ev);
	return 0;
}

int ev_limit_tick(struct evaluator *ev)
{
	return ev->lim->has_deadline ? check_clock(ev) : 0;
}

struct lim_node *ev_limit_call(struct evaluator *ev, const struct promql_node *n)
{
	struct lim_node *ln;

	if (!ev->lim || !(ln = lookup(ev->lim, n)) || ln->kind != LIM_MCALL)
		return NULL;
	if (ln->nsteps && (ln->once || ln->si_root))
		return NULL; /* only its first step counts */
	return ln;
}

struct lim_series *ev_limit_series(struct lim_node *ln, size_t npos, uint64_t *stamp)
{
	if (!ln->ser) {
		ln->nser = ln->sercap = npos;
		ln->ser = xcalloc(npos ? npos : 1, sizeof(*ln->ser));
		ln->positional = true;
	}
	*stamp = ln->nsteps;
	return npos == ln->nser ? ln->ser : NULL; /* positions are fixed: cannot differ */
}

void ev_limit_window(struct lim_node *ln, uint64_t key, size_t w, bool output)
{
	bool found;
	size_t *slot = hmap_slot(&ln->idx, key, &found);

	if (!found) {
		ALLOC_GROW(ln->ser, ln->nser + 1, ln->sercap);
		memset(&ln->ser[ln->nser], 0, sizeof(*ln->ser));
		*slot = ++ln->nser;
	}
	ev_limit_series_note(&ln->ser[*slot - 1], ln->nsteps, w, output);
}

int ev_limit_subquery_enter(struct evaluator *ev, const struct promql_node *sq, int64_t inner_start, int64_t end,
			    int64_t ts, bool moves, int64_t step, int64_t *saved)
{
	struct ev_limit *l = ev->lim;
	struct lim_node *ln = lookup(l, sq);
	int64_t go_end = end;

	*saved = l->cur_end;
	if (moves)
		go_end = (int64_t)((uint64_t)end + ((uint64_t)l->cur_end - (uint64_t)ts));
	l->cur_end = go_end;
	if (!ln || l->steps[ln->sq_eval] || step <= 0)
		return 0;
	l->steps[ln->sq_eval] = go_end >= inner_start ? ((uint64_t)go_end - (uint64_t)inner_start) / (uint64_t)step + 1 : 0;
	return check(ev);
}

void ev_limit_subquery_leave(struct evaluator *ev, int64_t saved)
{
	ev->lim->cur_end = saved;
}

int ev_limit_finish(struct evaluator *ev, uint64_t *out)
{
	struct ev_limit *l = ev->lim;
	uint64_t pk;

	*out = 0;
	if (!l)
		return 0;
	pk = peak(l);
	*out = pk;
	if (l->max_samples && pk > l->max_samples)
		return too_many(ev);
	return 0;
}

bool ev_limit_timed_out(const struct evaluator *ev)
{
	return ev->lim && ev->lim->timed_out;
}
