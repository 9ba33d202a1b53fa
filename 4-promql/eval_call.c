/*
 * Function calls (2.42's functions.go): the range-vector functions, applied
 * per series to the window of a matrix selector or subquery, and the
 * instant-vector and scalar functions, applied to evaluated arguments.
 * String arguments are read from the literals, as 2.42's stringFromArg.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "4-promql/eval_annot.h"
#include "4-promql/eval_info.h"
#include "4-promql/eval_internal.h"
#include "4-promql/eval_limit.h"
#include "4-promql/gostr.h"
#include "4-promql/internal.h"

static const char *string_arg(const struct promql_node *n)
{
	n = ev_unwrap(n);
	return n->kind == PROMQL_NODE_STRING ? n->u.string.val : "";
}

/* createLabelsForAbsentFunction: the labels matched by exactly one
 * equality matcher of a selector argument. */
static struct lset absent_labels(struct arena *a, const struct promql_node *arg)
{
	const struct promql_node *vs = NULL;
	struct lset ls = { NULL, 0 };
	const char **seen;
	size_t nseen = 0;

	while (arg->kind == PROMQL_NODE_PAREN)
		arg = arg->u.paren.expr;
	if (arg->kind == PROMQL_NODE_VECTOR)
		vs = arg;
	else if (arg->kind == PROMQL_NODE_MATRIX)
		vs = arg->u.matrix.vs;
	if (!vs)
		return ls;
	seen = arena_array(a, vs->u.vector.nmatchers + 1, sizeof(*seen));
	for (size_t i = 0; i < vs->u.vector.nmatchers; i++) {
		const struct label_matcher *m = &vs->u.vector.matchers[i];
		bool has = false;
		if (!strcmp(m->name, "__name__"))
			continue;
		for (size_t j = 0; j < nseen; j++)
			has |= !strcmp(seen[j], m->name);
		if (m->type == LABEL_MATCH_EQUAL && !has) {
			ls = lset_set(a, ls, m->name, m->value);
			seen[nseen++] = m->name;
		} else {
			ls = lset_set(a, ls, m->name, "");
		}
	}
	return ls;
}

/*
 * call_range()'s loop when the call's values at ts come from a sweep
 * (eval_sweep.c): the same outputs, statistics and duplicate-labels records
 * as the per-step path below, series by series in the selection's order.
 */
static int call_range_swept(struct evaluator *ev, const struct promql_node *n, const struct sel_cache *sc,
			    const struct ev_sweep_cells *cells, int64_t ts, struct ev_value *out)
{
	enum promql_func_id id = n->u.call.func->id;
	size_t nser = sc->set.n;
	struct lim_node *ln = ev_limit_call(ev, n);
	struct lim_series *lser = NULL;
	struct node_memo *nm;
	uint64_t lstamp = 0;
	bool any = false;

	out->type = PROMQL_TYPE_VECTOR;
	if (nser) {
		out->vec.v = arena_array(&ev->arena, nser, sizeof(*out->vec.v));
		out->vec.cap = nser;
	}
	if (ln && !(lser = ev_limit_series(ln, nser, &lstamp)))
		ln = NULL;
	nm = ev_node_memo(ev, n);
	for (size_t i = 0; i < nser; i++) {
		uint32_t w = cells->w[i];
		bool ok = cells->ok[i];

		if (!w)
			continue;
		any = true;
		if (lser)
			ev_limit_series_note(&lser[i], lstamp, w, ok);
		if (!ok || id == PROMQL_FN_ABSENT_OVER_TIME)
			continue;
		if (!cells->made[i]) {
			/* The output labels of an input series, and the
			 * duplicate-labels record of the pair: once per query. */
			const struct promql_series *s = &sc->set.v[i];
			struct lset ls = { s->labels, s->nlabels, sc->hash[i] };
			bool fresh;
			struct memo_entry *me = ev_memo_at(nm, i, nser, &fresh);
			if (fresh) {
				struct lset ol = id == PROMQL_FN_LAST_OVER_TIME || id == PROMQL_FN_FIRST_OVER_TIME
							 ? ls : ev_drop_name(ev, ls);
				me->a = lset_dup(&ev->qarena, ol);
				ev_annot_counter(ev, n, ls);
			}
			if (!me->noted) {
				if (ev_note_output(ev, n, me->a, ls) < 0)
					return -1;
				me->noted = true;
			}
			cells->ols[i] = me->a;
			cells->made[i] = 1;
		}
		/* at most one sample per series: the room is there */
		out->vec.v[out->vec.n++] = (struct ev_sample){ cells->ols[i], cells->val[i], ts };
	}
	if (id == PROMQL_FN_ABSENT_OVER_TIME && !any)
		vec_push(&ev->arena, &out->vec, absent_labels(&ev->arena, n->u.call.args[0]), 1, ts);
	else
		out->unique = id != PROMQL_FN_ABSENT_OVER_TIME;
	return 0;
}

static int call_range(struct evaluator *ev, const struct promql_node *n, size_t mi, int64_t ts,
		      struct ev_value *out)
{
	enum promql_func_id id = n->u.call.func->id;
	struct range_ctx c = { .ts = ts, .compat = ev->compat };
	struct ev_matrix m;
	double scal[3] = { 0, 0, 0 };
	size_t ns = 0;
	bool any = false, positional;
	struct node_memo *nm;
	struct lim_node *ln = ev_limit_call(ev, n);
	struct lim_series *lser = NULL;
	uint64_t lstamp = 0;
	enum promql_ext ext;

	for (size_t i = 0; i < n->u.call.nargs; i++) {
		struct ev_value v;
		if (i == mi)
			continue;
		if (ev_eval(ev, n->u.call.args[i], ts, &v) < 0)
			return -1;
		if (ns < 3)
			scal[ns++] = v.scalar;
	}
	c.arg = scal[0];
	c.arg2 = scal[1];
	if (ev_extended_check(ev, n, n->u.call.args[mi]) < 0)
		return -1;
	ext = ev_unwrap(n->u.call.args[mi])->kind == PROMQL_NODE_MATRIX
		      ? ev_unwrap(n->u.call.args[mi])->u.matrix.vs->u.vector.ext : PROMQL_EXT_NONE;
	{
		const struct promql_node *a = ev_unwrap(n->u.call.args[mi]);
		struct sel_cache *sc;
		struct ev_sweep_cells cells;
		int sr;

		/* windows with start timestamps are not swept */
		if (a->kind == PROMQL_NODE_MATRIX && (sc = ev_selected(ev, a->u.matrix.vs)) &&
		    !(sc->has_st && func_uses_st(id)) &&
		    (sr = ev_sweep_step(ev, n, a, sc, ts, c.arg, c.arg2, &cells)) != 0) {
			if (sr < 0 || call_range_swept(ev, n, sc, &cells, ts, out) < 0)
				return -1;
			ev_annot_range_call(ev, n, c.arg, out);
			return 0;
		}
	}
	if (ev_range_arg(ev, n->u.call.args[mi], ts, ev_call_moves(ev, n), &m, &c.range_start, &c.range_end,
			 &c.range_ms) < 0)
		return -1;
	out->type = PROMQL_TYPE_VECTOR;
	if (m.n) {
		out->vec.v = arena_array(&ev->arena, m.n, sizeof(*out->vec.v));
		out->vec.cap = m.n;
	}
	/* A matrix selector hands back every series of its set, in order. */
	positional = ev_unwrap(n->u.call.args[mi])->kind == PROMQL_NODE_MATRIX;
	if (ln && positional && !(lser = ev_limit_series(ln, m.n, &lstamp)))
		ln = NULL;
	nm = ev_node_memo(ev, n);
	for (size_t i = 0; i < m.n; i++) {
		struct memo_entry *me;
		bool fresh;
		double v;
		int rc;
		if (!m.s[i].n)
			continue;
		any = true;
		if (id == PROMQL_FN_ABSENT_OVER_TIME) {
			rc = 1; /* 2.42 outputs a point per window, then replaces them */
		} else {
			c.st = m.s[i].st;
			rc = ext != PROMQL_EXT_NONE ? func_range_extended(id, ext, m.s[i].p, m.s[i].n, &c, &v, ev->e)
						    : func_range(id, m.s[i].p, m.s[i].n, &c, &v, ev->e);
			if (rc < 0)
				return -1;
			if (c.st)
				ev_annot_st_overlap(ev, n, &m.s[i]);
		}
		if (lser)
			ev_limit_series_note(&lser[i], lstamp, m.s[i].n, rc == 1);
		else if (ln)
			ev_limit_window(ln, lset_hash(m.s[i].ls), m.s[i].n, rc == 1);
		if (rc == 0 || id == PROMQL_FN_ABSENT_OVER_TIME)
			continue;
		/* The output labels of an input series, and the duplicate-labels
		 * record of the pair, are the same at every step: done once. */
		me = positional ? ev_memo_at(nm, i, m.n, &fresh) : ev_memo(nm, i, m.s[i].ls, &fresh);
		if (fresh) {
			struct lset ol = id == PROMQL_FN_LAST_OVER_TIME || id == PROMQL_FN_FIRST_OVER_TIME
						 ? m.s[i].ls : ev_drop_name(ev, m.s[i].ls);
			me->a = lset_dup(&ev->qarena, ol);
			ev_annot_counter(ev, n, m.s[i].ls);
		}
		vec_push(&ev->arena, &out->vec, me->a, v, ts);
		if (!me->noted) {
			if (ev_note_output(ev, n, me->a, m.s[i].ls) < 0)
				return -1;
			me->noted = true;
		}
	}
	if (id == PROMQL_FN_ABSENT_OVER_TIME && !any)
		vec_push(&ev->arena, &out->vec, absent_labels(&ev->arena, n->u.call.args[mi]), 1, ts);
	else
		out->unique = id != PROMQL_FN_ABSENT_OVER_TIME;
	ev_annot_range_call(ev, n, c.arg, out);
	return 0;
}

/*
 * histogram_quantiles(v, "label", q1, ...) of 3.11: histogram_quantile for
 * each q in turn, labelled with FormatOpenMetricsFloat(q).  (Go reuses each
 * group's bucket slice as the previous q left it, which differs from
 * gathering the buckets afresh only when a group repeats an `le`.)
 */
static int histogram_quantiles(struct evaluator *ev, const struct promql_node *n, const struct ev_vector *in,
			       int64_t ts, struct ev_vector *out)
{
	const char *label = string_arg(n->u.call.args[1]);
	struct buf b = BUF_INIT;
	struct ev_vector one;

	memset(&one, 0, sizeof(one));
	for (size_t i = 2; i < n->u.call.nargs; i++) {
		struct ev_value q;
		if (ev_eval(ev, n->u.call.args[i], ts, &q) < 0) {
			buf_release(&b);
			return -1;
		}
		memset(&one, 0, sizeof(one));
		if (ev_histogram_quantile(ev, n, q.scalar, in, ts, &one, NULL) < 0) {
			buf_release(&b);
			return -1;
		}
		/* labels.FormatOpenMetricsFloat */
		buf_reset(&b);
		if (q.scalar == 0) {
			buf_adds(&b, "0.0");
		} else {
			go_fmt_g(&b, q.scalar);
			if (!isinf(q.scalar) && !isnan(q.scalar) && !strpbrk(buf_str(&b), ".e"))
				buf_adds(&b, ".0");
		}
		for (size_t k = 0; k < one.n; k++) {
			struct lset ls = lset_set(&ev->arena, one.v[k].ls, label,
						  arena_strndup(&ev->arena, buf_str(&b), b.len));
			ls.drop = one.v[k].ls.drop;
			vec_push(&ev->arena, out, ls, one.v[k].v, ts);
		}
	}
	buf_release(&b);
	return 0;
}

/*
 * label_replace()'s regexp for call node n: "^(?:rs)$" compiled on the
 * first step and kept for the query (a Go syntax error gives 2.42's
 * message, a pattern RE2 cannot compile says so).
 */
static int replace_regex(struct evaluator *ev, const struct promql_node *n, const char *rs, struct ev_regex **out)
{
	struct buf msg = BUF_INIT;
	struct ev_regex *x;
	void *re = NULL;
	int rc;

	for (size_t i = 0; i < ev->nrxs; i++) {
		if (ev->rxs[i].call == n) {
			*out = &ev->rxs[i];
			return 0;
		}
	}
	/* 3.0 (#14505): "^(?s:rs)$" */
	rc = label_regex_compile_flags(&re, rs, strlen(rs),
				       compat_on(ev->compat, COMPAT_PROMQL_REGEX_DOTALL) ? LABEL_REGEX_DOTALL : 0, &msg);
	if (rc == LABEL_REGEX_ESYNTAX)
		rc = err_set(ev->e, "invalid regular expression in label_replace(): %s", rs);
	else if (rc < 0)
		rc = err_set(ev->e, "label_replace(): %s", buf_str(&msg));
	buf_release(&msg);
	if (rc < 0)
		return rc;
	ALLOC_GROW(ev->rxs, ev->nrxs + 1, ev->rxcap);
	x = &ev->rxs[ev->nrxs++];
	x->call = n;
	x->re = re;
	label_regex_sub_init(&x->sub, re);
	*out = x;
	return 0;
}

/*
 * 2.42's funcLabelReplace: for each series whose src label matches the
 * regexp, FindStringSubmatchIndex and ExpandString of repl give dst
 * (2-model/regex.h).
 */
static int label_replace(struct evaluator *ev, const struct promql_node *n, const struct ev_vector *in,
			 struct ev_vector *out)
{
	const char *dst = string_arg(n->u.call.args[1]), *repl = string_arg(n->u.call.args[2]);
	const char *src = string_arg(n->u.call.args[3]), *rs = string_arg(n->u.call.args[4]);
	size_t repl_len = strlen(repl);
	struct ev_regex *x;
	struct buf b = BUF_INIT;

	if (replace_regex(ev, n, rs, &x) < 0)
		return -1;
	if (!labels_valid_name(dst))
		return err_set(ev->e, "invalid destination label name in label_replace(): %s", dst);
	for (size_t i = 0; i < in->n; i++) {
		const char *sv = lset_get(in->v[i].ls, src);
		struct lset ls = in->v[i].ls;

		if (!sv)
			sv = "";
		if (label_regex_submatch(&x->sub, sv, strlen(sv))) {
			buf_reset(&b);
			label_regex_expand(&b, &x->sub, repl, repl_len, sv);
			ls = lset_set(&ev->arena, ls, dst, arena_strndup(&ev->arena, buf_str(&b), b.len));
			/* a name written here stays (evalLabelReplace, 2.55+) */
			ls.drop = in->v[i].ls.drop && strcmp(dst, "__name__");
		}
		vec_push(&ev->arena, out, ls, in->v[i].v, in->v[i].t);
	}
	buf_release(&b);
	return 0;
}

static int label_join(struct evaluator *ev, const struct promql_node *n, const struct ev_vector *in,
		      struct ev_vector *out)
{
	const char *dst = string_arg(n->u.call.args[1]), *sep = string_arg(n->u.call.args[2]);
	struct buf b = BUF_INIT;

	for (size_t i = 3; i < n->u.call.nargs; i++)
		if (!labels_valid_name(string_arg(n->u.call.args[i])))
			return err_set(ev->e, "invalid source label name in label_join(): %s", string_arg(n->u.call.args[i]));
	if (!labels_valid_name(dst))
		return err_set(ev->e, "invalid destination label name in label_join(): %s", dst);
	for (size_t i = 0; i < in->n; i++) {
		struct lset ls;
		buf_reset(&b);
		for (size_t j = 3; j < n->u.call.nargs; j++) {
			const char *v = lset_get(in->v[i].ls, string_arg(n->u.call.args[j]));
			if (j > 3)
				buf_adds(&b, sep);
			buf_adds(&b, v ? v : "");
		}
		ls = lset_set(&ev->arena, in->v[i].ls, dst, arena_strndup(&ev->arena, buf_str(&b), b.len));
		ls.drop = in->v[i].ls.drop && strcmp(dst, "__name__");
		vec_push(&ev->arena, out, ls, in->v[i].v, in->v[i].t);
	}
	buf_release(&b);
	return 0;
}

/*
 * facette/natsort's Compare, which sort_by_label uses: whether a sorts
 * before b, comparing runs of digits as integers (strconv.Atoi; a run too
 * long for it compares as text) and other runs as bytes.
 */
static size_t nat_chunk(const char *s, bool *digits)
{
	size_t k = 0;

	*digits = s[0] >= '0' && s[0] <= '9';
	while (s[k] && (s[k] >= '0' && s[k] <= '9') == *digits)
		k++;
	return k;
}

static bool nat_atoi(const char *s, size_t n, long long *out)
{
	long long v = 0;

	if (n > 18)
		return false; /* beyond what a 64-bit Atoi surely takes: as text */
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	*out = v;
	return true;
}

static bool natsort_less(const char *a, const char *b)
{
	for (;;) {
		bool da, db;
		size_t na = nat_chunk(a, &da), nb = nat_chunk(b, &db);
		long long ia, ib;
		int c;

		if (!na)
			return false; /* a's chunks ran out first, with every one equal */
		if (!nb)
			return false;
		if (da && db && nat_atoi(a, na, &ia) && nat_atoi(b, nb, &ib)) {
			if (ia != ib)
				return ia < ib;
		} else {
			c = memcmp(a, b, na < nb ? na : nb);
			if (c || na != nb)
				return c ? c < 0 : na < nb;
		}
		/* an equal chunk: the last one of a decides for a (a <= b) */
		if (!a[na])
			return true;
		if (!b[nb])
			return false;
		a += na;
		b += nb;
	}
}

struct sbl_ctx {
	const char **names;
	size_t n;
	bool desc;
	bool natural; /* 2.50: natsort (2.49: byte order) */
	bool total;   /* 3.0: ties by labels (before: equal) */
};

static int sbl_cmp(const void *px, const void *py, void *arg)
{
	const struct ev_sample *x = px, *y = py;
	const struct sbl_ctx *c = arg;
	int r;

	for (size_t i = 0; i < c->n; i++) {
		const char *a = lset_get(x->ls, c->names[i]), *b = lset_get(y->ls, c->names[i]);
		a = a ? a : "";
		b = b ? b : "";
		if (!strcmp(a, b))
			continue;
		if (!c->natural)
			return (strcmp(a, b) < 0) != c->desc ? -1 : 1;
		return natsort_less(a, b) != c->desc ? -1 : 1;
	}
	if (!c->total)
		return 0;
	r = labels_cmp(x->ls.v, x->ls.n, y->ls.v, y->ls.n);
	return c->desc ? -r : r;
}

/*
 * sort_by_label(_desc) as 3.0 sorts: by the named labels' values in natural
 * order, ties by the whole label set -- a total order, so any sort gives
 * Go's result.  2.49-2.55 sort by value first (sort, sort_desc) and leave
 * ties where pdqsort puts them: an insertion sort, stable, up to 12
 * samples, which is what this does for any length.
 */
static void sort_by_label(const struct compat *cp, struct arena *a, struct ev_vector *v,
			  const struct promql_node *n, bool desc)
{
	struct sbl_ctx c = { NULL, 0, desc, compat_on(cp, COMPAT_PROMQL_SORT_BY_LABEL_NATURAL),
			     compat_on(cp, COMPAT_PROMQL_SORT_BY_LABEL_TOTAL) };

	c.names = arena_array(a, n->u.call.nargs ? n->u.call.nargs : 1, sizeof(*c.names));
	for (size_t j = 1; j < n->u.call.nargs; j++)
		c.names[c.n++] = string_arg(n->u.call.args[j]);
	if (v->n < 2)
		return;
	if (c.total) {
		qsort_r(v->v, v->n, sizeof(*v->v), sbl_cmp, &c);
		return;
	}
	sort_vector_by_value(v->v, v->n, desc);
	for (size_t i = 1; i < v->n; i++) {
		struct ev_sample s = v->v[i];
		size_t j = i;
		for (; j > 0 && sbl_cmp(&s, &v->v[j - 1], &c) < 0; j--)
			v->v[j] = v->v[j - 1];
		v->v[j] = s;
	}
}

int ev_call(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_value *out)
{
	enum promql_func_id id = n->u.call.func->id;
	struct ev_value args[8];
	struct ev_vector *in, *o = &out->vec;
	unary_fn un;
	size_t na = n->u.call.nargs < 8 ? n->u.call.nargs : 8;

	if (id == PROMQL_FN_INFO) /* its second argument is not evaluated */
		return ev_info(ev, n, ts, out);
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n->u.call.nargs; i++) {
		const struct promql_node *a = ev_unwrap(n->u.call.args[i]);
		if (a->kind == PROMQL_NODE_MATRIX || a->kind == PROMQL_NODE_SUBQUERY)
			return call_range(ev, n, i, ts, out);
	}
	for (size_t i = 0; i < na; i++) {
		if (promql_node_type(n->u.call.args[i]) == PROMQL_TYPE_STRING) {
			memset(&args[i], 0, sizeof(args[i]));
			args[i].type = PROMQL_TYPE_STRING;
			continue;
		}
		if (ev_eval(ev, n->u.call.args[i], ts, &args[i]) < 0)
			return -1;
	}
	in = na ? &args[0].vec : NULL;
	out->type = n->u.call.func->return_type;
	if ((un = func_unary(id))) {
		for (size_t i = 0; i < in->n; i++)
			vec_push(&ev->arena, o, ev_drop_name(ev, in->v[i].ls), un(in->v[i].v), ts);
		return 0;
	}
	if (func_is_date(id)) {
		if (!na) {
			vec_push(&ev->arena, o, (struct lset){ NULL, 0 }, func_date(id, (double)(ts / 1000)), ts);
			return 0;
		}
		for (size_t i = 0; i < in->n; i++)
			vec_push(&ev->arena, o, ev_drop_name(ev, in->v[i].ls), func_date(id, in->v[i].v), ts);
		return 0;
	}
	switch (id) {
	case PROMQL_FN_TIME:
		out->scalar = (double)ts / 1000;
		return 0;
	case PROMQL_FN_PI:
		out->scalar = M_PI;
		return 0;
	/* 3.12 (engine.go foldQueryContextFunctions): the query's times */
	case PROMQL_FN_START:
		out->scalar = (double)ev->query_start / 1000;
		return 0;
	case PROMQL_FN_END:
		out->scalar = (double)ev->query_end / 1000;
		return 0;
	case PROMQL_FN_RANGE:
		out->scalar = (double)((uint64_t)ev->query_end - (uint64_t)ev->query_start) / 1000;
		return 0;
	case PROMQL_FN_STEP:
		out->scalar = ev->query_start == ev->query_end ? 0 : (double)ev->query_step / 1000;
		return 0;
	case PROMQL_FN_MIN_OF:
		out->scalar = go_min(args[0].scalar, args[1].scalar);
		return 0;
	case PROMQL_FN_MAX_OF:
		out->scalar = go_max(args[0].scalar, args[1].scalar);
		return 0;
	case PROMQL_FN_SCALAR:
		out->scalar = in->n == 1 ? in->v[0].v : go_nan();
		return 0;
	case PROMQL_FN_VECTOR:
		vec_push(&ev->arena, o, (struct lset){ NULL, 0 }, args[0].scalar, ts);
		return 0;
	case PROMQL_FN_CLAMP: {
		double lo = args[1].scalar, hi = args[2].scalar;
		if (hi < lo)
			return 0;
		for (size_t i = 0; i < in->n; i++)
			vec_push(&ev->arena, o, ev_drop_name(ev, in->v[i].ls),
				 go_max(lo, go_min(hi, in->v[i].v)), ts);
		return 0;
	}
	case PROMQL_FN_CLAMP_MAX:
	case PROMQL_FN_CLAMP_MIN:
		for (size_t i = 0; i < in->n; i++)
			vec_push(&ev->arena, o, ev_drop_name(ev, in->v[i].ls),
				 id == PROMQL_FN_CLAMP_MAX ? go_min(args[1].scalar, in->v[i].v)
							   : go_max(args[1].scalar, in->v[i].v), ts);
		return 0;
	case PROMQL_FN_ROUND: {
		/* Rounds half up to a multiple of to_nearest, via its inverse. */
		double inv = 1.0 / (na >= 2 ? args[1].scalar : 1.0);
		for (size_t i = 0; i < in->n; i++)
			vec_push(&ev->arena, o, ev_drop_name(ev, in->v[i].ls),
				 floor(in->v[i].v * inv + 0.5) / inv, ts);
		return 0;
	}
	case PROMQL_FN_SORT:
	case PROMQL_FN_SORT_DESC:
		ev_annot_sort(ev);
		*o = *in;
		sort_vector_by_value(o->v, o->n, id == PROMQL_FN_SORT_DESC);
		return 0;
	case PROMQL_FN_TIMESTAMP:
		for (size_t i = 0; i < in->n; i++)
			vec_push(&ev->arena, o, ev_drop_name(ev, in->v[i].ls), (double)in->v[i].t / 1000, ts);
		return 0;
	case PROMQL_FN_ABSENT:
		if (!in->n)
			vec_push(&ev->arena, o, absent_labels(&ev->arena, n->u.call.args[0]), 1, ts);
		return 0;
	case PROMQL_FN_HISTOGRAM_QUANTILE:
		return ev_histogram_quantile(ev, n, args[0].scalar, &args[1].vec, ts, o, NULL);
	case PROMQL_FN_HISTOGRAM_QUANTILES:
		return histogram_quantiles(ev, n, &args[0].vec, ts, o);
	case PROMQL_FN_SORT_BY_LABEL:
	case PROMQL_FN_SORT_BY_LABEL_DESC:
		ev_annot_sort(ev);
		*o = *in;
		sort_by_label(ev->compat, &ev->arena, o, n, id == PROMQL_FN_SORT_BY_LABEL_DESC);
		return 0;
	case PROMQL_FN_HISTOGRAM_FRACTION:
		/* 3.4 (#16095): classic buckets too */
		if (compat_on(ev->compat, COMPAT_PROMQL_HFRACTION_CLASSIC)) {
			double lu[2] = { args[0].scalar, args[1].scalar };
			return ev_histogram_quantile(ev, n, 0, &args[2].vec, ts, o, lu);
		}
		return 0;
	case PROMQL_FN_HISTOGRAM_COUNT:
	case PROMQL_FN_HISTOGRAM_SUM:
	case PROMQL_FN_HISTOGRAM_AVG:
	case PROMQL_FN_HISTOGRAM_STDDEV:
	case PROMQL_FN_HISTOGRAM_STDVAR:
		/* Native histograms only: float samples are skipped. */
		return 0;
	case PROMQL_FN_LABEL_REPLACE:
		return label_replace(ev, n, in, o);
	case PROMQL_FN_LABEL_JOIN:
		return label_join(ev, n, in, o);
	default:
		return err_set(ev->e, "function \"%s\" is not implemented", n->u.call.func->name);
	}
}
