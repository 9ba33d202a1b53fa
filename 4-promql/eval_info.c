/*
 * info(v [, {selectors}]): the experimental function of 2.55 (promql/info.go;
 * behind promql-experimental-functions), with the changes of later
 * releases gated (1-common/compat_gates.h, the PROMQL_INFO_* rows).
 *
 * What upstream does, for the range it evaluates [S, E]: the info series are
 * those matching the second argument's matchers (target_info when none
 * names __name__) whose instance and job values are among those of the
 * first argument's series, selected over [S - lookback + 1ms - offset,
 * E - offset] (offset and `@` of the argument's first vector selector),
 * then read at every step with the lookback delta like a selector without
 * offset, keeping each sample's own time.  At each step every series of v
 * takes, from each info metric (name), the info series with its instance
 * and job (missing ones must be missing there too) and the newest sample
 * (two with the same time: an error), the labels it lacks, limited to the
 * labels the selectors name when they name any; "conflicting label: x"
 * when two info metrics give x different values.  A series matching no
 * info series is dropped when some data-label matcher does not match "".
 * Series of v that are themselves info series (by the __name__ matchers)
 * are returned as they are.
 *
 * We evaluate step by step (eval.c), so the instance and job values and
 * the set of info series are taken from the step's series of v rather
 * than from all the steps' (they differ only for the duplicate-series
 * error between info series no series of that step matches); inside a
 * subquery [S, E] is taken as [the inner start, the step].  The index
 * mix-ups of 2.55-3.6 (info series signatures by position, fixed in 3.7)
 * and 2.55-3.7 (base series by position, fixed in 3.8) are not reproduced:
 * those releases get 3.8's results where their positions disagreed.
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/xalloc.h"
#include "4-promql/eval_info.h"
#include "4-promql/nstack.h"

#define TARGET_INFO "target_info"

/* A __name__ matcher of upstream's: one of the selector's, or one it makes. */
enum { NM_REAL, NM_TARGET_INFO, NM_ANY_INFO /* =~".+_info" (3.12) */ };
struct name_matcher {
	int kind;
	const struct label_matcher *m; /* NM_REAL */
};

/* One info() call of the query: its matchers and its info series. */
struct info_call {
	const struct promql_node *node;
	const struct promql_node *first_vs; /* offset and @ come from it; may be NULL */
	const struct label_matcher **names; /* the selectors' __name__ matchers */
	size_t nnames;
	const struct label_matcher **data; /* the other selectors (data labels) */
	size_t ndata;
	bool invariant; /* PreprocessExpr wraps the call: evaluated at the start */
	bool selected;
	int64_t mint, maxt;
	struct promql_series_set set;
	ptrdiff_t *hint; /* per series of set: the last sample found */
};

struct ev_info {
	struct info_call *v;
	size_t n, cap;
};

/* One info sample of a step, chained by signature (name, instance, job). */
struct info_sample {
	size_t si; /* series of the selection */
	int64_t ot; /* the sample's own time */
	const char *name, *inst, *job; /* inst, job NULL when missing */
	size_t next; /* the next with the same signature hash, + 1 */
};

static int64_t wsub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

void ev_info_free(struct ev_info *info)
{
	if (!info)
		return;
	for (size_t i = 0; i < info->n; i++) {
		promql_series_set_release(&info->v[i].set);
		free(info->v[i].names);
		free(info->v[i].data);
		free(info->v[i].hint);
	}
	free(info->v);
	free(info);
}

/* The first vector selector of expr in parser.Inspect's order (pre-order,
 * children left to right), as infoSelectHints finds it. */
static const struct promql_node *first_selector(const struct promql_node *expr)
{
	const struct promql_node *inl[16], **top, *n, *found = NULL;
	struct nstack st;

	nstack_init(&st, inl, sizeof(inl) / sizeof(inl[0]), sizeof(inl[0]));
	*(const struct promql_node **)nstack_push(&st) = expr;
	while (!found && (top = nstack_top(&st))) {
		n = *top;
		nstack_pop(&st);
		switch (n->kind) {
		case PROMQL_NODE_VECTOR:
			found = n;
			break;
		case PROMQL_NODE_MATRIX:
			*(const struct promql_node **)nstack_push(&st) = n->u.matrix.vs;
			break;
		case PROMQL_NODE_SUBQUERY:
			*(const struct promql_node **)nstack_push(&st) = n->u.subquery.expr;
			break;
		case PROMQL_NODE_PAREN:
			*(const struct promql_node **)nstack_push(&st) = n->u.paren.expr;
			break;
		case PROMQL_NODE_UNARY:
			*(const struct promql_node **)nstack_push(&st) = n->u.unary.expr;
			break;
		case PROMQL_NODE_STEP_INVARIANT:
			*(const struct promql_node **)nstack_push(&st) = n->u.step_invariant.expr;
			break;
		case PROMQL_NODE_BINARY: /* pushed last first */
			*(const struct promql_node **)nstack_push(&st) = n->u.binary.rhs;
			*(const struct promql_node **)nstack_push(&st) = n->u.binary.lhs;
			break;
		case PROMQL_NODE_AGGREGATE:
			if (n->u.aggregate.param)
				*(const struct promql_node **)nstack_push(&st) = n->u.aggregate.param;
			*(const struct promql_node **)nstack_push(&st) = n->u.aggregate.expr;
			break;
		case PROMQL_NODE_CALL:
			for (size_t i = n->u.call.nargs; i-- > 0;)
				*(const struct promql_node **)nstack_push(&st) = n->u.call.args[i];
			break;
		default:
			break;
		}
	}
	nstack_release(&st);
	return found;
}

static struct info_call *info_call(struct evaluator *ev, const struct promql_node *n)
{
	struct ev_info *info = ev->info;
	struct info_call *c;

	if (!info)
		info = ev->info = xcalloc(1, sizeof(*info));
	for (size_t i = 0; i < info->n; i++)
		if (info->v[i].node == n)
			return &info->v[i];
	ALLOC_GROW(info->v, info->n + 1, info->cap);
	c = &info->v[info->n++];
	memset(c, 0, sizeof(*c));
	c->node = n;
	c->first_vs = first_selector(n->u.call.args[0]);
	c->invariant = ev_step_invariant(n);
	if (n->u.call.nargs > 1) {
		const struct promql_node *ls = ev_unwrap(n->u.call.args[1]);
		size_t nm = ls->kind == PROMQL_NODE_VECTOR ? ls->u.vector.nmatchers : 0;
		c->names = xcalloc(nm ? nm : 1, sizeof(*c->names));
		c->data = xcalloc(nm ? nm : 1, sizeof(*c->data));
		for (size_t i = 0; i < nm; i++) {
			const struct label_matcher *m = &ls->u.vector.matchers[i];
			if (!strcmp(m->name, "__name__"))
				c->names[c->nnames++] = m;
			else
				c->data[c->ndata++] = m;
		}
	}
	return c;
}

static bool nm_matches(const struct name_matcher *m, const char *name)
{
	size_t n = strlen(name);

	switch (m->kind) {
	case NM_TARGET_INFO:
		return !strcmp(name, TARGET_INFO);
	case NM_ANY_INFO: /* ^(?s:.+_info)$: a rune, any, before "_info" */
		return n > 5 && !strcmp(name + n - 5, "_info");
	default:
		return label_matcher_matches(m->m, name);
	}
}

static bool positive(const struct label_matcher *m)
{
	return m->type == LABEL_MATCH_EQUAL || m->type == LABEL_MATCH_REGEXP;
}

/*
 * Whether a series of v named name is left alone as an info series: 2.55
 * when any of the __name__ matchers (target_info without a second
 * argument, none with one that names no __name__) matches; 3.11 when they
 * all do; 3.12 when all of effectiveInfoNameMatchers do (the default
 * target_info, or .+_info in front of negated ones alone).
 */
static bool is_info_series(const struct evaluator *ev, const struct info_call *c, const char *name)
{
	struct name_matcher def = { NM_TARGET_INFO, NULL }, any = { NM_ANY_INFO, NULL };
	bool use_default = c->node->u.call.nargs < 2, has_pos = false;

	if (use_default)
		return nm_matches(&def, name);
	if (compat_on(ev->compat, COMPAT_PROMQL_INFO_NAME_NEGATED)) {
		for (size_t i = 0; i < c->nnames; i++)
			has_pos = has_pos || positive(c->names[i]);
		if (!c->nnames)
			return nm_matches(&def, name);
		if (!has_pos && !nm_matches(&any, name))
			return false;
	} else if (!compat_on(ev->compat, COMPAT_PROMQL_INFO_NAME_AND)) {
		for (size_t i = 0; i < c->nnames; i++)
			if (label_matcher_matches(c->names[i], name))
				return true;
		return false;
	} else if (!c->nnames) {
		return false;
	}
	for (size_t i = 0; i < c->nnames; i++)
		if (!label_matcher_matches(c->names[i], name))
			return false;
	return true;
}

/* The window info series are read in at step ts (infoSelectHints). */
static void info_window(const struct evaluator *ev, const struct info_call *c, int64_t ts, int64_t *ws, int64_t *we)
{
	int64_t s, e, off = c->first_vs ? c->first_vs->u.vector.offset_ms : 0;
	const struct promql_at *at = c->first_vs ? &c->first_vs->u.vector.at : NULL;

	if (at && at->kind == PROMQL_AT_TIMESTAMP) {
		s = e = at->ts_ms;
	} else if (at && at->kind == PROMQL_AT_START) {
		s = e = ev->query_start;
	} else if (at && at->kind == PROMQL_AT_END) {
		s = e = ev->query_end;
	} else if (c->invariant) { /* its evaluator's range is the start alone */
		s = e = ts;
	} else if (!ev->subq_depth) {
		s = ev->query_start;
		e = ev->query_end;
	} else {
		s = ev->cur_start;
		e = ts;
	}
	*ws = wsub(wsub(s, wsub(ev->lookback, 1)), off);
	*we = wsub(e, off);
}

/* Selects the info series over at least [ws, we] (once per query, unless a
 * later step needs more). */
static int info_select(struct evaluator *ev, struct info_call *c, int64_t ws, int64_t we)
{
	struct label_matcher *ms = NULL, def = { LABEL_MATCH_EQUAL, "__name__", TARGET_INFO, strlen(TARGET_INFO), NULL };
	size_t nm = 0;
	int rc = -1;

	if (c->selected && ws >= c->mint && we <= c->maxt)
		return 0;
	if (c->selected) {
		ws = ws < c->mint ? ws : c->mint;
		we = we > c->maxt ? we : c->maxt;
		promql_series_set_release(&c->set);
		free(c->hint);
		c->hint = NULL;
	} else if (!c->first_vs || c->first_vs->u.vector.at.kind == PROMQL_AT_NONE) {
		/* a subquery's later steps read later: select up to the end once */
		int64_t end = wsub(ev->query_end, c->first_vs ? c->first_vs->u.vector.offset_ms : 0);
		we = we > end ? we : end;
	}
	c->selected = false;
	/* the identifying labels are matched here, not by the storage: the
	 * same series as their =~"v1|v2" matchers select */
	ms = xcalloc(c->ndata + c->nnames + 1, sizeof(*ms));
	for (size_t i = 0; i < c->ndata; i++)
		ms[nm++] = *c->data[i];
	for (size_t i = 0; i < c->nnames; i++)
		ms[nm++] = *c->names[i];
	if (!c->nnames)
		ms[nm++] = def;
	if (ev->st->select(ev->st->ctx, ms, nm, ws, we, &c->set, ev->e) < 0)
		goto done;
	c->hint = xcalloc(c->set.n ? c->set.n : 1, sizeof(*c->hint));
	for (size_t i = 0; i < c->set.n; i++)
		c->hint[i] = -1;
	c->selected = true;
	c->mint = ws;
	c->maxt = we;
	rc = 0;
done:
	free(ms);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, without repeats. */
static size_t uniq(const char **v, size_t n)
{
	size_t k = 0;

	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (!k || strcmp(v[k - 1], v[i]))
			v[k++] = v[i];
	return k;
}

static bool in_set(const char *const *v, size_t n, const char *s)
{
	return s && bsearch(&s, v, n, sizeof(*v), cmp_str);
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	if (!s)
		return (h ^ 0x01) * 0x100000001b3ULL;
	h = (h ^ 0x02) * 0x100000001b3ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

static uint64_t sig_hash(const char *name, const char *inst, const char *job)
{
	return fnv_str(fnv_str(fnv_str(0xcbf29ce484222325ULL, name), inst), job);
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The newest sample at or before ts among those in [ws, we], if within the
 * lookback delta and not a staleness marker (vectorSelectorSingle). */
static bool info_sample_at(const struct evaluator *ev, const struct promql_series *s, ptrdiff_t *hint, int64_t ts,
			   int64_t ws, int64_t we, int64_t *t)
{
	int64_t ref = ts < we ? ts : we;
	ptrdiff_t h = *hint;
	uint64_t bits;

	if (h >= (ptrdiff_t)s->n)
		h = (ptrdiff_t)s->n - 1;
	while (h + 1 < (ptrdiff_t)s->n && s->t[h + 1] <= ref)
		h++;
	while (h >= 0 && s->t[h] > ref)
		h--;
	*hint = h;
	if (h < 0 || s->t[h] < ws)
		return false;
	if (s->t[h] < wsub(ts, ev->lookback) ||
	    (s->t[h] == wsub(ts, ev->lookback) && compat_on(ev->compat, COMPAT_PROMQL_LEFT_OPEN)))
		return false;
	memcpy(&bits, &s->v[h], sizeof(bits));
	if (bits == 0x7FF0000000000002ULL)
		return false;
	*t = s->t[h];
	return true;
}

static void fmt_series(struct buf *b, const struct promql_series *s)
{
	labels_format(b, s->labels, s->nlabels);
}

/*
 * The info samples of step ts, one per signature (the newest; two of the
 * same time are an error), chained from map by signature hash.  inst and
 * job are the identifying values of the step's series of v.
 */
static int info_vector(struct evaluator *ev, struct info_call *c, int64_t ts, const char *const *inst, size_t ninst,
		       const char *const *job, size_t njob, struct info_sample **out, size_t *nout, struct hmap *map)
{
	struct name_matcher any = { NM_ANY_INFO, NULL };
	bool need_any = false;
	int64_t ws, we;
	size_t n = 0;
	struct info_sample *v;

	info_window(ev, c, ts, &ws, &we);
	if (info_select(ev, c, ws, we) < 0)
		return -1;
	if (compat_on(ev->compat, COMPAT_PROMQL_INFO_NAME_NEGATED) && c->nnames) {
		need_any = true;
		for (size_t i = 0; i < c->nnames; i++)
			need_any = need_any && !positive(c->names[i]);
	}
	v = arena_array(&ev->arena, c->set.n ? c->set.n : 1, sizeof(*v));
	for (size_t i = 0; i < c->set.n; i++) {
		const struct promql_series *s = &c->set.v[i];
		struct lset ls = { s->labels, s->nlabels, 0 };
		const char *name = lset_get(ls, "__name__"), *in = lset_get(ls, "instance"), *jb = lset_get(ls, "job");
		struct info_sample *x = &v[n];
		uint64_t h;
		bool found;
		size_t *slot;

		if (!name)
			name = "";
		if ((need_any && !nm_matches(&any, name)) || (ninst && !in_set(inst, ninst, in)) ||
		    (njob && !in_set(job, njob, jb)))
			continue;
		if (!info_sample_at(ev, s, &c->hint[i], ts, ws, we, &x->ot))
			continue;
		x->si = i;
		x->name = name;
		x->inst = in;
		x->job = jb;
		x->next = 0;
		h = sig_hash(name, in, jb);
		slot = hmap_slot(map, h, &found);
		for (size_t k = found ? *slot : 0; k; k = v[k - 1].next) {
			struct info_sample *y = &v[k - 1];
			struct buf a = BUF_INIT, b = BUF_INIT;
			if (!str_eq(y->name, name) || !str_eq(y->inst, in) || !str_eq(y->job, jb))
				continue;
			if (y->ot < x->ot) {
				y->si = x->si;
				y->ot = x->ot;
			} else if (y->ot == x->ot) {
				if (!compat_on(ev->compat, COMPAT_PROMQL_INFO_DUP_MESSAGE))
					return err_set(ev->e, "found duplicate series for info metric %s", name);
				fmt_series(&a, &c->set.v[y->si]);
				fmt_series(&b, s);
				err_set(ev->e, "found duplicate series for info metric: existing %s @ %lld, new %s @ %lld",
					buf_str(&a), (long long)y->ot, buf_str(&b), (long long)x->ot);
				buf_release(&a);
				buf_release(&b);
				return -1;
			}
			goto next;
		}
		x->next = found ? *slot : 0;
		*slot = ++n;
	next:;
	}
	*out = v;
	*nout = n;
	return 0;
}

/* The label set of base sample ls enriched from the step's info samples;
 * *matched tells whether any matched, *added how many labels it took. */
static int enrich(struct evaluator *ev, struct info_call *c, struct lset ls, const struct info_sample *v,
		  const struct hmap *map, const char *const *names, size_t nnames, struct lset *out, bool *matched,
		  size_t *added)
{
	const char *in = lset_get(ls, "instance"), *jb = lset_get(ls, "job");
	struct lset add = { NULL, 0, 0 };

	*matched = false;
	for (size_t i = 0; i < nnames; i++) {
		const struct promql_series *s;
		size_t k = 0;
		if (!hmap_get(map, sig_hash(names[i], in, jb), &k))
			continue;
		for (; k; k = v[k - 1].next)
			if (str_eq(v[k - 1].name, names[i]) && str_eq(v[k - 1].inst, in) && str_eq(v[k - 1].job, jb))
				break;
		if (!k)
			continue;
		*matched = true;
		s = &c->set.v[v[k - 1].si];
		for (size_t j = 0; j < s->nlabels; j++) {
			const struct label *l = &s->labels[j];
			const char *have;
			bool named = !c->ndata;
			if (!strcmp(l->name, "__name__"))
				continue;
			for (size_t d = 0; d < c->ndata && !named; d++)
				named = !strcmp(c->data[d]->name, l->name);
			if (!named)
				continue; /* not among the data labels selected */
			have = lset_get(add, l->name);
			if (have && *have && strcmp(have, l->value))
				return err_set(ev->e, "conflicting label: %s", l->name);
			if (lset_get(ls, l->name))
				continue;
			add = lset_set(&ev->arena, add, l->name, l->value);
		}
	}
	*added = add.n;
	for (size_t j = 0; j < add.n; j++)
		ls = lset_set(&ev->arena, ls, add.v[j].name, add.v[j].value);
	*out = ls;
	return 0;
}

int ev_info(struct evaluator *ev, const struct promql_node *n, int64_t ts, struct ev_value *out)
{
	struct info_call *c = info_call(ev, n);
	struct ev_value base;
	struct info_sample *iv = NULL;
	struct hmap map = { 0 };
	const char **inst, **job, **names = NULL;
	size_t ninst = 0, njob = 0, niv = 0, nnames = 0, left = 0;
	int64_t at = ts;
	bool *skip, all_empty = true;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->type = PROMQL_TYPE_VECTOR;
	/* A step-invariant call (all its arguments pinned by @) runs once, at
	 * the start, and its value is repeated: its info series are read then. */
	if (c->invariant)
		at = ev->subq_depth ? ev->cur_start : ev->query_start;
	if (ev_eval(ev, n->u.call.args[0], at, &base) < 0)
		return -1;
	if (!base.vec.n)
		return 0;
	skip = arena_array(&ev->arena, base.vec.n, sizeof(*skip));
	inst = arena_array(&ev->arena, base.vec.n, sizeof(*inst));
	job = arena_array(&ev->arena, base.vec.n, sizeof(*job));
	for (size_t i = 0; i < base.vec.n; i++) {
		struct lset ls = base.vec.v[i].ls;
		const char *name = lset_get(ls, "__name__"), *v;
		skip[i] = is_info_series(ev, c, name ? name : "");
		if (skip[i])
			continue;
		if ((v = lset_get(ls, "instance")) && *v)
			inst[ninst++] = v;
		if ((v = lset_get(ls, "job")) && *v)
			job[njob++] = v;
	}
	ninst = uniq(inst, ninst);
	njob = uniq(job, njob);
	if (!ninst && !njob) {
		/* No series to enrich: no info series.  Before 3.10 the __name__
		 * matchers stay among the data-label matchers here (3.10 takes
		 * out the first, 3.11 all). */
		if (!compat_on(ev->compat, COMPAT_PROMQL_INFO_NO_ID_KEEPS))
			left = c->nnames;
		else if (!compat_on(ev->compat, COMPAT_PROMQL_INFO_NAME_AND))
			left = c->nnames ? c->nnames - 1 : 0;
	} else {
		/* Before 3.11 a second __name__ matcher is read after
		 * slices.Delete zeroed it: a nil dereference, which the engine
		 * turns into this error. */
		if (c->nnames > 1 && !compat_on(ev->compat, COMPAT_PROMQL_INFO_NAME_AND))
			return err_set(ev->e, "unexpected error: runtime error: invalid memory address or nil pointer dereference");
		if (info_vector(ev, c, at, inst, ninst, job, njob, &iv, &niv, &map) < 0)
			goto done;
		names = arena_array(&ev->arena, niv ? niv : 1, sizeof(*names));
		for (size_t i = 0; i < niv; i++)
			names[nnames++] = iv[i].name;
		nnames = uniq(names, nnames);
	}
	for (size_t i = 0; i < c->ndata && all_empty; i++)
		all_empty = label_matcher_matches(c->data[i], "");
	for (size_t i = c->nnames - left; i < c->nnames && all_empty; i++)
		all_empty = label_matcher_matches(c->names[i], "");
	for (size_t i = 0; i < base.vec.n; i++) {
		struct ev_sample *s = &base.vec.v[i];
		struct lset ls = s->ls;
		size_t added = 0;
		bool matched = false;
		if (!skip[i]) {
			if (enrich(ev, c, s->ls, iv, &map, names, nnames, &ls, &matched, &added) < 0)
				goto done;
			/* 3.10 (#17817): a series that matched keeps, labels or not */
			if (!all_empty && !(compat_on(ev->compat, COMPAT_PROMQL_INFO_MATCHED_KEEPS) ? matched : added))
				continue;
		}
		vec_push(&ev->arena, &out->vec, ls, s->v, ts);
	}
	rc = 0;
done:
	hmap_release(&map);
	return rc;
}
