/*
 * Running one eval command of a promqltest file the way the chosen
 * release's test framework runs it (execInstantEval / runInstantQuery /
 * execRangeEval and compareResult of promql/promqltest/test.go at 2.53.0,
 * 3.5.0 and 3.14.0; 2.42's promql/test.go for the 2.42 profile):
 *
 *  - an instant eval runs at its time, then, unless the expression calls a
 *    function in AtModifierUnsafeFunctions, with `@ <t>` put on every
 *    selector and subquery outside subqueries at -10t, 0, t/5, t, 10t
 *    (-1s, 0, 1s when t is 0); each of those is also run as a range query
 *    over [t-1m, t+1m] step 1m whose result must be sorted by labels and
 *    whose middle step must give the same result (not for ordered evals;
 *    from 3.7 not for `expect range vector|string`; from 3.12 not when the
 *    text calls start(), end(), range() or step());
 *  - a range eval runs once and compares the matrix point by point;
 *  - values compare with relative epsilon 1e-6 (2.42's almostEqual, from
 *    2.53 util/almost.Equal; from 2.55 a StaleNaN equals only a StaleNaN).
 *
 * Annotations are checked as checkAnnotations does (eval_warn, eval_info,
 * expect warn|info|no_warn|no_info), for the instant queries and the range
 * eval, not for the range-mode rerun; a failure is category "annotations".
 * A query our parser rejects counts
 * as the expected failure (3.9's creation errors) only when the eval names
 * the error and it matches: upstream's own parse of the file accepted it.
 */
#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/bytes.h"
#include "1-common/err.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "2-model/regex.h"
#include "4-promql/ast.h"
#include "4-promql/eval.h"
#include "4-promql/functions.h"
#include "4-promql/promql.h"
#include "tests/conformance/promqltest.h"

/* Why a case failed: a category (for grouping) and the details. */
struct outcome {
	const char *cat;
	struct buf why;
};

static int fail_with(struct outcome *o, const char *cat)
{
	if (!o->cat)
		o->cat = cat;
	return -1;
}

static bool is_stale(double v)
{
	return double_bits(v) == 0x7FF0000000000002ULL;
}

/* 2.42's almostEqual, or util/almost.Equal from 2.53. */
static bool almost_equal(const struct pqt_state *s, double a, double b)
{
	const double eps = 0.000001, min_normal = 2.2250738585072014e-308;
	double diff, abs_sum;

	if (s->o->f.stale_eq && (is_stale(a) || is_stale(b)))
		return is_stale(a) && is_stale(b);
	if (isnan(a) && isnan(b))
		return true;
	if (s->exact)
		return double_bits(a) == double_bits(b);
	if (a == b)
		return true;
	diff = fabs(a - b);
	if (!s->o->f.almost_pkg) {
		if (a == 0 || b == 0 || diff < min_normal)
			return diff < eps * min_normal;
		return diff / (fabs(a) + fabs(b)) < eps;
	}
	abs_sum = fabs(a) + fabs(b);
	if (a == 0 || b == 0 || abs_sum < min_normal)
		return diff < eps * min_normal;
	return diff / fmin(abs_sum, DBL_MAX) < eps;
}

/* AtModifierUnsafeFunctions (start/end/range/step are 3.12's). */
static const char *const unsafe_funcs[] = {
	"days_in_month", "day_of_month", "day_of_week", "day_of_year", "end", "hour", "minute",
	"month", "year", "predict_linear", "range", "start", "step", "time", "timestamp",
};

static int find_unsafe(const struct promql_node *n, void *arg)
{
	(void)arg;
	if (n->kind == PROMQL_NODE_CALL)
		for (size_t i = 0; i < sizeof(unsafe_funcs) / sizeof(*unsafe_funcs); i++)
			if (!strcmp(n->u.call.func->name, unsafe_funcs[i]))
				return 1;
	return 0;
}

/* Whether a selector of the tree matches a series of the set. */
static int find_series(const struct promql_node *n, void *arg)
{
	const struct pqt_seriesset *set = arg;

	if (n->kind != PROMQL_NODE_VECTOR)
		return 0;
	for (size_t i = 0; i < set->n; i++) {
		size_t k;
		for (k = 0; k < n->u.vector.nmatchers; k++) {
			const struct label_matcher *m = &n->u.vector.matchers[k];
			if (!label_matcher_matches(m, labels_get(set->v[i].v, set->v[i].n, m->name)))
				break;
		}
		if (k == n->u.vector.nmatchers)
			return 1;
	}
	return 0;
}

/* 3.12's reQueryContextFuncs, `(start|end|range|step)\(\)`, on the text. */
static bool has_ctx_funcs(const char *s)
{
	return strstr(s, "start()") || strstr(s, "end()") || strstr(s, "range()") || strstr(s, "step()");
}

/*
 * atModifierTestCases: sets `@ ts` on selectors and subqueries that have
 * none and are not inside a subquery.  The tree belongs to this case's own
 * parse of the expression, so changing it in place is safe.
 */
static void set_at(struct promql_node *n, int64_t ts)
{
	switch (n->kind) {
	case PROMQL_NODE_VECTOR:
		if (n->u.vector.at.kind != PROMQL_AT_TIMESTAMP)
			n->u.vector.at = (struct promql_at){ PROMQL_AT_TIMESTAMP, ts };
		break;
	case PROMQL_NODE_MATRIX:
		set_at(n->u.matrix.vs, ts);
		break;
	case PROMQL_NODE_SUBQUERY:
		if (n->u.subquery.at.kind != PROMQL_AT_TIMESTAMP)
			n->u.subquery.at = (struct promql_at){ PROMQL_AT_TIMESTAMP, ts };
		break; /* nothing inside a subquery with @ changes */
	case PROMQL_NODE_AGGREGATE:
		set_at(n->u.aggregate.expr, ts);
		if (n->u.aggregate.param)
			set_at(n->u.aggregate.param, ts);
		break;
	case PROMQL_NODE_BINARY:
		set_at(n->u.binary.lhs, ts);
		set_at(n->u.binary.rhs, ts);
		break;
	case PROMQL_NODE_CALL:
		for (size_t i = 0; i < n->u.call.nargs; i++)
			set_at(n->u.call.args[i], ts);
		break;
	case PROMQL_NODE_PAREN:
		set_at(n->u.paren.expr, ts);
		break;
	case PROMQL_NODE_UNARY:
		set_at(n->u.unary.expr, ts);
		break;
	default:
		break;
	}
}

static void add_labels(struct buf *b, const struct label *ls, size_t n)
{
	labels_format(b, ls, n);
}

static int check_sorted(const struct promql_result *r, struct outcome *o, const char *cat)
{
	for (size_t i = 0; i + 1 < r->nseries; i++) {
		if (labels_cmp(r->series[i].labels, r->series[i].nlabels, r->series[i + 1].labels,
			       r->series[i + 1].nlabels) > 0) {
			buf_adds(&o->why, "matrix results should always be sorted by labels");
			return fail_with(o, cat);
		}
	}
	return 0;
}

static const struct pqt_expected *find_expected(const struct pqt_eval *c, const struct label *ls, size_t n)
{
	for (size_t j = 0; j < c->nexp; j++)
		if (labels_equal(c->exp[j].ls.v, c->exp[j].ls.n, ls, n))
			return &c->exp[j];
	return NULL;
}

static bool find_series_in(const struct promql_result *r, const struct pqt_expected *x)
{
	for (size_t i = 0; i < r->nseries; i++)
		if (labels_equal(x->ls.v, x->ls.n, r->series[i].labels, r->series[i].nlabels))
			return true;
	return false;
}

/* compareResult for a matrix over [start, end] at step. */
static int compare_matrix(const struct pqt_state *s, const struct pqt_eval *c, const struct promql_result *r,
			  int64_t start, int64_t end, int64_t step, struct outcome *o, const char *cat)
{
	size_t seen = 0;

	if (c->ordered) {
		buf_adds(&o->why, "expected ordered result, but query returned a matrix");
		return fail_with(o, cat);
	}
	if (c->expect_scalar) {
		buf_adds(&o->why, "expected scalar result, but got matrix");
		return fail_with(o, cat);
	}
	if (check_sorted(r, o, cat) < 0)
		return -1;
	for (size_t i = 0; i < r->nseries; i++) {
		const struct promql_result_series *rs = &r->series[i];
		const struct pqt_expected *x = find_expected(c, rs->labels, rs->nlabels);
		size_t np = 0;

		if (!x) {
			buf_adds(&o->why, "unexpected metric ");
			add_labels(&o->why, rs->labels, rs->nlabels);
			buf_addf(&o->why, " in result, has %zu points", rs->n);
			return fail_with(o, cat);
		}
		seen++;
		for (size_t k = 0; k < x->n; k++) {
			int64_t ts = start + (int64_t)k * step;
			if (ts > end) {
				buf_addf(&o->why, "expected %zu points for ", x->n);
				add_labels(&o->why, x->ls.v, x->ls.n);
				buf_adds(&o->why, ", but query time range cannot return this many points");
				return fail_with(o, cat);
			}
			if (x->om[k])
				continue;
			if (np >= rs->n || rs->t[np] != ts || !almost_equal(s, x->v[k], rs->v[np])) {
				buf_adds(&o->why, "for ");
				add_labels(&o->why, x->ls.v, x->ls.n);
				if (np >= rs->n) {
					buf_addf(&o->why, " expected a point at %lld, got only %zu points", (long long)ts, rs->n);
				} else {
					buf_addf(&o->why, " expected %lld:", (long long)ts);
					go_fmt_g(&o->why, x->v[k]);
					buf_addf(&o->why, " but got %lld:", (long long)rs->t[np]);
					go_fmt_g(&o->why, rs->v[np]);
				}
				return fail_with(o, cat);
			}
			np++;
		}
		if (np != rs->n) {
			buf_addf(&o->why, "expected %zu float points for ", np);
			add_labels(&o->why, x->ls.v, x->ls.n);
			buf_addf(&o->why, ", but got %zu", rs->n);
			return fail_with(o, cat);
		}
	}
	if (seen != c->nexp) {
		for (size_t j = 0; j < c->nexp; j++) {
			if (find_series_in(r, &c->exp[j]))
				continue;
			buf_adds(&o->why, "expected metric ");
			add_labels(&o->why, c->exp[j].ls.v, c->exp[j].ls.n);
			buf_adds(&o->why, " not found");
			break;
		}
		return fail_with(o, cat);
	}
	return 0;
}

/* compareResult for an instant vector. */
static int compare_vector(const struct pqt_state *s, const struct pqt_eval *c, const struct promql_result *r,
			  struct outcome *o, const char *cat)
{
	if (c->expect_scalar) {
		buf_adds(&o->why, "expected scalar result, but got vector");
		return fail_with(o, cat);
	}
	for (size_t i = 0; i < r->nseries; i++) {
		const struct promql_result_series *rs = &r->series[i];
		const struct pqt_expected *x = find_expected(c, rs->labels, rs->nlabels);

		if (!x) {
			buf_adds(&o->why, "unexpected metric ");
			add_labels(&o->why, rs->labels, rs->nlabels);
			buf_adds(&o->why, " in result, has value ");
			go_fmt_g(&o->why, rs->v[0]);
			return fail_with(o, cat);
		}
		if (c->ordered && x->pos != (int)i + 1) {
			buf_adds(&o->why, "expected metric ");
			add_labels(&o->why, rs->labels, rs->nlabels);
			buf_addf(&o->why, " at position %d but was at %zu", x->pos, i + 1);
			return fail_with(o, cat);
		}
		if (!almost_equal(s, x->v[0], rs->v[0])) {
			buf_adds(&o->why, "expected ");
			go_fmt_g(&o->why, x->v[0]);
			buf_adds(&o->why, " for ");
			add_labels(&o->why, rs->labels, rs->nlabels);
			buf_adds(&o->why, " but got ");
			go_fmt_g(&o->why, rs->v[0]);
			return fail_with(o, cat);
		}
	}
	for (size_t j = 0; j < c->nexp; j++) {
		if (!find_series_in(r, &c->exp[j])) {
			buf_adds(&o->why, "expected metric ");
			add_labels(&o->why, c->exp[j].ls.v, c->exp[j].ls.n);
			buf_adds(&o->why, " not found");
			return fail_with(o, cat);
		}
	}
	return 0;
}

/* compareResult of an instant query's result. */
static int compare(const struct pqt_state *s, const struct pqt_eval *c, const struct promql_result *r,
		   struct outcome *o, const char *cat)
{
	switch (r->type) {
	case PROMQL_TYPE_MATRIX:
		if (!s->o->f.matrix_compare) {
			buf_adds(&o->why, "received range result on instant evaluation");
			return fail_with(o, cat);
		}
		/* Without `expect range vector` an instant eval has no end
		 * time: any expected point is one too many, as upstream. */
		return compare_matrix(s, c, r, c->start, c->range_vector ? c->end : INT64_MIN,
				      c->range_vector ? c->step : 0, o, cat);
	case PROMQL_TYPE_VECTOR:
		return compare_vector(s, c, r, o, cat);
	case PROMQL_TYPE_SCALAR:
		if (!c->expect_scalar) {
			buf_adds(&o->why, "expected vector or matrix result, but got scalar ");
			go_fmt_g(&o->why, r->scalar);
			return fail_with(o, cat);
		}
		if (!almost_equal(s, c->scalar_v, r->scalar)) {
			buf_adds(&o->why, "expected scalar ");
			go_fmt_g(&o->why, c->scalar_v);
			buf_adds(&o->why, " but got ");
			go_fmt_g(&o->why, r->scalar);
			return fail_with(o, cat);
		}
		return 0;
	case PROMQL_TYPE_STRING:
		if (s->o->f.expect_range && !strcmp(c->string ? c->string : "", r->str ? r->str : ""))
			return 0;
		buf_addf(&o->why, "expected string \"%s\" but got \"%s\"", c->string ? c->string : "",
			 r->str ? r->str : "");
		return fail_with(o, cat);
	default:
		buf_adds(&o->why, "unexpected result type");
		return fail_with(o, cat);
	}
}

/* The range query's middle step as an instant result (borrowing rr). */
static void middle_step(const struct promql_result *rr, int64_t t, bool scalar, struct promql_result *out)
{
	promql_result_init(out);
	out->type = scalar ? PROMQL_TYPE_SCALAR : PROMQL_TYPE_VECTOR;
	out->series = xcalloc(rr->nseries + 1, sizeof(*out->series));
	for (size_t i = 0; i < rr->nseries; i++) {
		for (size_t j = 0; j < rr->series[i].n; j++) {
			if (rr->series[i].t[j] != t)
				continue;
			if (scalar && !out->nseries)
				out->scalar = rr->series[i].v[j];
			out->series[out->nseries] = rr->series[i];
			out->series[out->nseries].t = &rr->series[i].t[j];
			out->series[out->nseries].v = &rr->series[i].v[j];
			out->series[out->nseries].n = 1;
			out->nseries++;
			break;
		}
	}
}

/* checkExpectedFailure: the error must match every message and regexp given. */
static int check_failure(const struct pqt_eval *c, const char *msg, struct outcome *o)
{
	for (int k = 0; k < c->nerr; k++) {
		const struct pqt_errmatch *m = &c->err[k];
		if (m->msg ? !strcmp(m->msg, msg) : label_regex_match(m->re, msg, strlen(msg)))
			continue;
		buf_addf(&o->why, "expected error %s\"%s\", but got: %s", m->msg ? "" : "matching ",
			 m->msg ? m->msg : m->src, msg);
		return fail_with(o, "error-message");
	}
	return 0;
}

static void engine_opts(const struct pqt_state *s, struct promql_engine_opts *opts)
{
	/* The test engine: MaxSamples 10000, Timeout 100s, subquery step 1m,
	 * the default lookback (5m). */
	*opts = (struct promql_engine_opts){ .default_subquery_step_ms = 60000, .max_samples = 10000,
					     .timeout_ms = 100000, .compat = &s->o->compat,
					     .delayed_name_removal = s->o->f.name_removal,
					     .start_timestamps = s->o->f.st_lines };
}

static bool anno_matches(const struct pqt_errmatch *m, const char *msg)
{
	if (m->msg)
		return !strcmp(m->msg, msg);
	return !m->re || label_regex_match(m->re, msg, strlen(msg));
}

static void list_annotations(struct buf *b, const struct promql_annotations *an)
{
	buf_adds(b, "[");
	for (size_t i = 0; i < an->n; i++)
		buf_addf(b, "%s%s", i ? " " : "", an->v[i].msg);
	buf_adds(b, "]");
}

/*
 * Before 3.4 (test.go at v2.54.0, v3.0.0, v3.1.0; checkAnnotations at
 * v3.2.0 and v3.3.0): the counts alone, an unexpected warning (from 3.1 an
 * unexpected info too) failing the eval.
 */
static int check_counts(const struct pqt_state *s, const struct pqt_eval *c, const char *expr, bool range,
			size_t nw, size_t ni, const struct promql_annotations *an, struct outcome *o)
{
	const struct pqt_features *f = &s->o->f;

	if (f->anno_ordered && c->ordered)
		return 0;
	if (!c->warn && nw)
		buf_addf(&o->why, "unexpected warnings evaluating query \"%s\" (line %d): ", expr, c->line);
	else if (c->warn && !nw)
		buf_addf(&o->why, "expected warnings evaluating query \"%s\" (line %d) but got none", expr, c->line);
	else if (f->info_strict && !c->info && ni)
		buf_addf(&o->why, "unexpected info annotations evaluating query \"%s\" (line %d): ", expr, c->line);
	else if (c->info && !ni && (f->info_strict || !range))
		buf_addf(&o->why, "expected info annotations evaluating query \"%s\" (line %d) but got none", expr,
			 c->line);
	else
		return 0;
	if (nw + ni && o->why.len && o->why.data[o->why.len - 1] == ' ')
		list_annotations(&o->why, an);
	return fail_with(o, "annotations");
}

/* checkAnnotations (promqltest/test.go, 3.5 and 3.14 alike). */
static int check_annotations(const struct pqt_state *s, const struct pqt_eval *c, const char *expr, bool range,
			     const struct promql_annotations *an, struct outcome *o)
{
	static const char *const kind_name[2] = { "warn", "info" };
	size_t nw = promql_annotations_count(an, PROMQL_ANNOT_WARNING);
	size_t ni = promql_annotations_count(an, PROMQL_ANNOT_INFO);

	if (s->o->f.warn_strict)
		return check_counts(s, c, expr, range, nw, ni, an, o);

	if (c->warn && !nw) {
		buf_addf(&o->why, "expected warnings evaluating query \"%s\" (line %d) but got none", expr, c->line);
		return fail_with(o, "annotations");
	}
	if (c->info && !ni) {
		buf_addf(&o->why, "expected info annotations evaluating query \"%s\" (line %d) but got none", expr,
			 c->line);
		return fail_with(o, "annotations");
	}
	for (int k = 0; k < 2; k++) {
		if (!c->nxanno[k])
			continue;
		if (!(k ? ni : nw)) {
			buf_addf(&o->why, "expected %s annotations but none were found for query \"%s\" (line %d)",
				 kind_name[k], expr, c->line);
			return fail_with(o, "annotations");
		}
		for (size_t j = 0; j < c->nxanno[k]; j++) {
			const struct pqt_errmatch *m = &c->xanno[k][j];
			size_t i;
			for (i = 0; i < an->n; i++)
				if ((int)an->v[i].kind == k && anno_matches(m, an->v[i].msg))
					break;
			if (i < an->n)
				continue;
			buf_addf(&o->why, "expected %s annotation matching %s \"%s\" but no matching annotation was found, "
					  "found: ", kind_name[k], m->msg ? "message" : "pattern",
				 m->msg ? m->msg : m->src ? m->src : "^.*$");
			list_annotations(&o->why, an);
			return fail_with(o, "annotations");
		}
		for (size_t i = 0; i < an->n; i++) {
			size_t j;
			if ((int)an->v[i].kind != k)
				continue;
			for (j = 0; j < c->nxanno[k]; j++)
				if (anno_matches(&c->xanno[k][j], an->v[i].msg))
					break;
			if (j < c->nxanno[k])
				continue;
			buf_addf(&o->why, "unexpected %s annotation \"%s\" found for query %s (line %d)", kind_name[k],
				 an->v[i].msg, expr, c->line);
			return fail_with(o, "annotations");
		}
	}
	if ((c->no_warn && nw) || (c->no_info && ni)) {
		buf_addf(&o->why, "unexpected %s annotations evaluating query \"%s\" (line %d): ",
			 c->no_warn && nw ? "warning" : "info", expr, c->line);
		list_annotations(&o->why, an);
		return fail_with(o, "annotations");
	}
	return 0;
}

/* A parse error where upstream's file parse succeeded: a failure unless
 * it is the named error a fail eval expects (3.9). */
static int parse_failed(const struct pqt_state *s, const struct pqt_eval *c, const char *msg, struct outcome *o)
{
	if (c->fail && s->o->f.create_fail && c->nerr > 0 && check_failure(c, msg, o) == 0)
		return 0;
	buf_reset(&o->why);
	o->cat = NULL;
	buf_addf(&o->why, "parse error: %s", msg);
	return fail_with(o, strstr(msg, "unknown function") ? "function" : "parse");
}

/* runInstantQuery for one variant (at_variant: the @ copy at time t). */
static int run_instant(struct pqt_state *s, const struct pqt_eval *c, int64_t t, bool at_variant,
		       struct outcome *o)
{
	struct promql_expr *x = NULL;
	struct promql_result r, rr, mid;
	struct promql_engine_opts opts;
	struct promql_annotations an = PROMQL_ANNOTATIONS_INIT;
	struct err e = ERR_INIT;
	struct buf text = BUF_INIT;
	const char *cat = at_variant ? "at-variant" : "result";
	int rc = -1;

	engine_opts(s, &opts);
	opts.annotations = &an;
	promql_result_init(&r);
	promql_result_init(&rr);
	promql_result_init(&mid);
	if (promql_parse_with(&x, c->expr, strlen(c->expr), &s->o->popts, &e) < 0) {
		rc = parse_failed(s, c, err_msg(&e), o);
		goto done;
	}
	if (at_variant)
		set_at((struct promql_node *)promql_expr_root(x), c->eval_t);
	if (promql_eval_instant(&r, &s->ms_storage, promql_expr_root(x), t, &opts, &e) < 0) {
		if (c->fail && s->exact && c->want_err && strcmp(c->want_err, err_msg(&e))) {
			buf_addf(&o->why, "error \"%s\", want \"%s\"", err_msg(&e), c->want_err);
			fail_with(o, "error-message");
			goto done;
		}
		if (c->fail) {
			rc = check_failure(c, err_msg(&e), o);
			goto done;
		}
		buf_addf(&o->why, "error evaluating query at %lld%s: %s", (long long)t,
			 at_variant ? " (@ variant)" : "", err_msg(&e));
		fail_with(o, "eval-error");
		goto done;
	}
	if (c->fail) {
		buf_addf(&o->why, "expected error evaluating query at %lld%s but got none", (long long)t,
			 at_variant ? " (@ variant)" : "");
		fail_with(o, "no-error");
		goto done;
	}
	promql_print_node_with(&text, promql_expr_root(x), &s->o->compat);
	if (check_annotations(s, c, at_variant ? buf_str(&text) : c->expr, false, &an, o) < 0) {
		buf_addf(&o->why, " (instant at %lld%s)", (long long)t, at_variant ? ", @ variant" : "");
		goto done;
	}
	opts.annotations = NULL; /* the range-mode rerun's are not checked */
	if (compare(s, c, &r, o, cat) < 0) {
		buf_addf(&o->why, " (instant at %lld%s)", (long long)t, at_variant ? ", @ variant" : "");
		goto done;
	}
	rc = 0;
	if (s->o->f.expect_range && c->exclude_range)
		goto done;
	if (s->o->f.ctx_funcs && has_ctx_funcs(at_variant ? buf_str(&text) : c->expr))
		goto done;
	if (promql_eval_range(&rr, &s->ms_storage, promql_expr_root(x), t - 60000, t + 60000, 60000, &opts, &e) < 0) {
		buf_addf(&o->why, "error evaluating query in range mode at %lld%s: %s", (long long)t,
			 at_variant ? " (@ variant)" : "", err_msg(&e));
		rc = fail_with(o, "range-mode");
		goto done;
	}
	if (c->ordered)
		goto done;
	if (s->o->f.matrix_compare && check_sorted(&rr, o, "range-mode") < 0) {
		rc = -1;
		goto done;
	}
	middle_step(&rr, t, r.type == PROMQL_TYPE_SCALAR, &mid);
	rc = compare(s, c, &mid, o, at_variant ? "at-variant" : "range-mode");
	if (rc < 0)
		buf_addf(&o->why, " (range mode at %lld%s)", (long long)t, at_variant ? ", @ variant" : "");
	free(mid.series);
done:
	promql_annotations_release(&an);
	buf_release(&text);
	promql_result_release(&r);
	promql_result_release(&rr);
	promql_expr_free(x);
	err_release(&e);
	return rc;
}

/* execRangeEval. */
static int run_range(struct pqt_state *s, const struct pqt_eval *c, struct outcome *o)
{
	struct promql_expr *x = NULL;
	struct promql_result r;
	struct promql_engine_opts opts;
	struct promql_annotations an = PROMQL_ANNOTATIONS_INIT;
	struct err e = ERR_INIT;
	int rc = -1;

	engine_opts(s, &opts);
	opts.annotations = &an;
	promql_result_init(&r);
	if (promql_parse_with(&x, c->expr, strlen(c->expr), &s->o->popts, &e) < 0) {
		rc = parse_failed(s, c, err_msg(&e), o);
		goto done;
	}
	if (c->step <= 0 ||
	    promql_eval_range(&r, &s->ms_storage, promql_expr_root(x), c->start, c->end, c->step, &opts, &e) < 0) {
		const char *msg = c->step <= 0 ? "zero or negative query resolution step widths are not accepted. "
						 "Try a positive integer" : err_msg(&e);
		if (c->fail) {
			rc = check_failure(c, msg, o);
			goto done;
		}
		buf_addf(&o->why, "error evaluating range query: %s", msg);
		fail_with(o, "eval-error");
		goto done;
	}
	if (c->fail) {
		buf_adds(&o->why, "expected error evaluating range query but got none");
		fail_with(o, "no-error");
		goto done;
	}
	if (check_annotations(s, c, c->expr, true, &an, o) < 0)
		goto done;
	rc = compare_matrix(s, c, &r, c->start, c->end, c->step, o, "range");
done:
	promql_annotations_release(&an);
	promql_result_release(&r);
	promql_expr_free(x);
	err_release(&e);
	return rc;
}

/*
 * For a query our parser rejects: whether it names a series of the set,
 * as a whole word of the text (a metric name is what a query that does
 * not parse shows of the series it reads).
 */
static bool names_series(const char *q, const struct pqt_seriesset *set)
{
	for (size_t i = 0; i < set->n; i++) {
		const char *name = labels_get(set->v[i].v, set->v[i].n, "__name__");
		size_t nl = name ? strlen(name) : 0;
		for (const char *p = nl ? strstr(q, name) : NULL; p; p = strstr(p + 1, name)) {
			bool before = p > q && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == ':');
			bool after = isalnum((unsigned char)p[nl]) || p[nl] == '_' || p[nl] == ':';
			if (!before && !after)
				return true;
		}
	}
	return false;
}

/* Parses the case's expression for the checks done before running it. */
static void inspect(const struct pqt_state *s, const struct pqt_eval *c, bool *hist, bool *st, bool *unsafe)
{
	struct promql_expr *x = NULL;
	struct err e = ERR_INIT;

	*hist = *st = *unsafe = false;
	if (promql_parse_with(&x, c->expr, strlen(c->expr), &s->o->popts, &e) == 0) {
		const struct promql_node *root = promql_expr_root(x);
		*hist = promql_walk(root, find_series, (void *)&s->hist) != 0;
		*st = promql_walk(root, find_series, (void *)&s->st) != 0;
		*unsafe = promql_walk(root, find_unsafe, NULL) != 0;
	} else {
		*hist = names_series(c->expr, &s->hist);
		*st = names_series(c->expr, &s->st);
	}
	promql_expr_free(x);
	err_release(&e);
}

/*
 * The category of a query our parser rejects, named after the upstream
 * feature it needs (the work queue groups failures by it): a function we
 * lack is "function:<name>", the others by the syntax in the message.
 */
static void parse_category(struct buf *out, const char *cat, const char *expr, const char *why)
{
	const char *p = strstr(why, "unknown function with name \"");

	if (p) {
		size_t n;
		p += strlen("unknown function with name \"");
		n = strcspn(p, "\"");
		if ((n == 4 && !strncmp(p, "fill", 4)) || (n == 9 && !strncmp(p, "fill_left", 9)) ||
		    (n == 10 && !strncmp(p, "fill_right", 10)))
			buf_adds(out, "binop-fill-modifiers");
		else
			buf_addf(out, "function:%.*s", (int)n, p);
	} else if (has_ctx_funcs(expr) && strstr(why, "unexpected \"(\"")) {
		buf_adds(out, "function:start-end-range-step");
	} else if (strstr(expr, "anchored") || strstr(expr, "smoothed")) {
		buf_adds(out, "extended-range-selectors");
	} else if (strstr(why, " in subquery or range") || strstr(why, "bad duration syntax") ||
		   (strstr(why, " in offset") && !strstr(why, "unexpected number"))) {
		buf_adds(out, "duration-expressions");
	} else if (strstr(why, "unexpected number") || strstr(why, "missing unit character") ||
		   strstr(why, "in @, expected timestamp") || strstr(why, "unexpected duration")) {
		buf_adds(out, "float-durations");
	} else if (strstr(why, "<op:/>") && (strstr(expr, "</") || strstr(expr, ">/"))) {
		buf_adds(out, "histogram-trim-operators");
	} else {
		buf_adds(out, cat);
	}
}

void pqt_run_eval(struct pqt_state *s, struct pqt_eval *c)
{
	struct outcome o = { NULL, BUF_INIT };
	struct buf cat = BUF_INIT;
	bool hist, st, unsafe;
	int failed;

	if (c->bad) {
		buf_addf(&o.why, "line %d: %s", c->bad_line, c->bad);
		pqt_report(s, "FAIL", c, "syntax", buf_str(&o.why));
		goto done;
	}
	if (c->skip) {
		pqt_report(s, "SKIP", c, "native-histograms", "expected values are native histograms");
		goto done;
	}
	inspect(s, c, &hist, &st, &unsafe);
	if (hist) {
		pqt_report(s, "SKIP", c, "native-histograms", "the query reads a native histogram series");
		goto done;
	}
	if (c->is_range) {
		failed = run_range(s, c, &o) < 0;
	} else {
		failed = run_instant(s, c, c->eval_t, false, &o) < 0;
		if (!failed && !unsafe) {
			int64_t ts = c->eval_t;
			int64_t times0[] = { -1000, 0, 1000 }, times[] = { -10 * ts, 0, ts / 5, ts, 10 * ts };
			int64_t *tv = ts == 0 ? times0 : times;
			size_t nt = ts == 0 ? 3 : 5;
			for (size_t i = 0; i < nt && !failed; i++)
				failed = run_instant(s, c, tv[i], true, &o) < 0;
		}
	}
	if (failed && st && (!o.cat || strcmp(o.cat, "annotations"))) {
		buf_adds(&o.why, " (the query reads series with start timestamps)");
		o.cat = "start-timestamps";
	}
	if (failed && o.cat && (!strcmp(o.cat, "parse") || !strcmp(o.cat, "function")))
		parse_category(&cat, o.cat, c->expr, buf_str(&o.why));
	else
		buf_adds(&cat, o.cat ? o.cat : "");
	pqt_report(s, failed ? "FAIL" : "PASS", c, buf_str(&cat), buf_str(&o.why));
done:
	buf_release(&cat);
	buf_release(&o.why);
}

void pqt_eval_release(struct pqt_eval *c)
{
	for (size_t i = 0; i < c->nexp; i++) {
		labels_release(&c->exp[i].ls);
		free(c->exp[i].v);
		free(c->exp[i].om);
	}
	for (int k = 0; k < c->nerr; k++) {
		free(c->err[k].msg);
		free(c->err[k].src);
		label_regex_free(c->err[k].re);
	}
	for (int k = 0; k < 2; k++) {
		for (size_t j = 0; j < c->nxanno[k]; j++) {
			free(c->xanno[k][j].msg);
			free(c->xanno[k][j].src);
			label_regex_free(c->xanno[k][j].re);
		}
		free(c->xanno[k]);
	}
	free(c->exp);
	free(c->expr);
	free(c->string);
	free(c->bad);
	memset(c, 0, sizeof(*c));
}
