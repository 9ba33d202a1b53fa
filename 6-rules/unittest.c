/*
 * `promtool test rules` as 2.42's cmd/promtool/unittest.go runs one test
 * file (see unittest.h):
 *
 *   decode the file (yaml.v2 strict); rule files relative to the test
 *   file, globbed ("  WARNING: no file match pattern ..." when none);
 *   evaluation_interval defaults to 1m; group_eval_order names must be
 *   unique; then for every test group:
 *     load the input series as promql.LazyLoader does ("load <interval>"
 *     and one "<series> <values>" line each, expanded by the series
 *     notation, samples at multiples of the interval);
 *     load the rule groups (the group interval is the test's interval),
 *     alerting rules marked restored;
 *     for ts = 0, evaluation_interval, ... up to the largest eval_time:
 *       append the input samples up to ts, evaluate every group at ts
 *       (group_eval_order first, the rest in file order), stop at the
 *       first timestamp where a rule failed; check the alert tests with
 *       ts <= eval_time < ts + evaluation_interval against the firing
 *       alerts;
 *     then evaluate each promql_expr_test at its eval_time.
 *
 * Where Go iterates a map (input series, groups without an explicit
 * order), file order is used: one of the orders promtool may pick.
 */
#include "6-rules/unittest.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/goerrno.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "4-promql/eval.h"
#include "4-promql/promql.h"
#include "4-promql/seriesdesc.h"
#include "4-promql/storage.h"
#include "6-rules/gopath.h"
#include "6-rules/manager.h"
#include "6-rules/rstore.h"
#include "6-rules/rulefmt.h"

/* os.ReadFile with Go's error words. */
static int read_file(const char *path, char **out, size_t *len, struct err *e)
{
	FILE *fp = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;

	if (!fp)
		return err_set(e, "open %s: %s", path, go_strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(fp)) {
		int en = errno;
		fclose(fp);
		buf_release(&b);
		return err_set(e, "read %s: %s", path, go_strerror(en));
	}
	fclose(fp);
	*out = buf_detach(&b, len);
	if (!*out)
		*out = xstrdup("");
	return 0;
}

static char *vstrdup(const char *s)
{
	return xstrdup(s ? s : "");
}

static void add_msg(char ***v, size_t *n, size_t *cap, char *m)
{
	ALLOC_GROW(*v, *n + 1, *cap);
	(*v)[(*n)++] = m;
}

static void add_error(struct ut_result *r, char *m)
{
	add_msg(&r->errors, &r->nerrors, &r->errors_cap, m);
}

void ut_result_release(struct ut_result *r)
{
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	for (size_t i = 0; i < r->nerrors; i++)
		free(r->errors[i]);
	free(r->warnings);
	free(r->errors);
	memset(r, 0, sizeof(*r));
}

/* ---- input series (promql.LazyLoader) ---------------------------------- */

struct input {
	struct labels ls;
	int64_t *t;
	double *v;
	size_t n, next; /* samples [next, n) not yet appended */
};

struct inputs {
	struct input *v;
	size_t n, cap;
};

static void inputs_release(struct inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		labels_release(&in->v[i].ls);
		free(in->v[i].t);
		free(in->v[i].v);
	}
	free(in->v);
	memset(in, 0, sizeof(*in));
}

/* strings.TrimSpace (ASCII and the Unicode spaces Go knows). */
static void trim_space(const char **s, size_t *n)
{
	static const char *const wide[] = { "\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80", "\xe2\x80\xa8", "\xe2\x80\xa9",
					    "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80", NULL };
	bool changed = true;

	while (changed && *n) {
		changed = false;
		if (strchr(" \t\n\v\f\r", (*s)[0])) {
			(*s)++, (*n)--, changed = true;
			continue;
		}
		if (strchr(" \t\n\v\f\r", (*s)[*n - 1])) {
			(*n)--, changed = true;
			continue;
		}
		for (size_t k = 0; wide[k] && !changed; k++) {
			size_t wl = strlen(wide[k]);
			if (*n >= wl && !memcmp(*s, wide[k], wl)) {
				*s += wl, *n -= wl, changed = true;
			} else if (*n >= wl && !memcmp(*s + *n - wl, wide[k], wl)) {
				*n -= wl, changed = true;
			}
		}
		/* U+2000..U+200A */
		if (!changed && *n >= 3 && (unsigned char)(*s)[0] == 0xe2 && (unsigned char)(*s)[1] == 0x80 &&
		    (unsigned char)(*s)[2] >= 0x80 && (unsigned char)(*s)[2] <= 0x8a)
			*s += 3, *n -= 3, changed = true;
		if (!changed && *n >= 3 && (unsigned char)(*s)[*n - 3] == 0xe2 && (unsigned char)(*s)[*n - 2] == 0x80 &&
		    (unsigned char)(*s)[*n - 1] >= 0x80 && (unsigned char)(*s)[*n - 1] <= 0x8a)
			*n -= 3, changed = true;
	}
}

/*
 * NewLazyLoader(seriesLoadingString()): the first non-empty line is the
 * load command; its series lines end at the first empty one.
 */
static int load_inputs(struct inputs *in, const struct ut_group *tg, struct err *e)
{
	struct buf text = BUF_INIT, d = BUF_INIT;
	const char *p, *end;
	bool in_load = false;
	int rc = 0;

	prom_fmt_duration(&d, tg->interval_ms);
	buf_addf(&text, "load %s\n", buf_str(&d));
	for (size_t i = 0; i < tg->nseries; i++)
		buf_addf(&text, "  %s %s\n", tg->series[i].series ? tg->series[i].series : "",
			 tg->series[i].values ? tg->series[i].values : "");
	p = (const char *)text.data;
	end = p + text.len;
	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line = p;
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct labels ls = LABELS_INIT;
		double *vals = NULL;
		bool *omitted = NULL;
		size_t nv = 0, cap = 0;

		p = nl ? nl + 1 : end + 1;
		trim_space(&line, &n);
		if (n && line[0] == '#')
			n = 0;
		if (!in_load) {
			if (n == 0)
				continue;
			in_load = true; /* "load <interval>", always well-formed here */
			continue;
		}
		if (n == 0)
			break;
		if (promql_series_desc_parse(line, n, &ls, &vals, &omitted, &nv, &cap, e) < 0) {
			labels_release(&ls);
			free(vals);
			free(omitted);
			rc = -1;
			break;
		}
		{
			/* loadCmd.set: one entry per label set, the last definition wins */
			struct input *t = NULL;
			size_t k = 0;
			for (size_t j = 0; j < in->n; j++)
				if (labels_equal(in->v[j].ls.v, in->v[j].ls.n, ls.v, ls.n))
					t = &in->v[j];
			if (!t) {
				ALLOC_GROW(in->v, in->n + 1, in->cap);
				t = &in->v[in->n++];
				memset(t, 0, sizeof(*t));
				labels_init(&t->ls);
				labels_dup(&t->ls, ls.v, ls.n);
			}
			free(t->t);
			free(t->v);
			t->t = xcalloc(nv ? nv : 1, sizeof(*t->t));
			t->v = xcalloc(nv ? nv : 1, sizeof(*t->v));
			for (size_t j = 0; j < nv; j++)
				if (!omitted[j]) {
					t->t[k] = (int64_t)j * tg->interval_ms;
					t->v[k++] = vals[j];
				}
			t->n = k;
			t->next = 0;
		}
		labels_release(&ls);
		free(vals);
		free(omitted);
	}
	buf_release(&text);
	buf_release(&d);
	return rc;
}

/*
 * appendTill(ts): the series' samples up to ts in one appender.  An append
 * error (a series without labels, say) returns before the commit: nothing
 * is appended, and the samples of series handled before it are lost, as
 * the lazy loader has already dropped them from its list.
 */
static int append_till(struct inputs *in, struct rstore *st, int64_t ts_ms, struct err *e)
{
	for (size_t i = 0; i < in->n; i++) {
		struct input *s = &in->v[i];
		while (s->next < s->n && s->t[s->next] <= ts_ms) {
			if (rstore_append(st, s->ls.v, s->ls.n, s->t[s->next], s->v[s->next], e) < 0) {
				rstore_rollback(st);
				return -1;
			}
			s->next++;
		}
	}
	rstore_commit(st);
	return 0;
}

/* ---- formatting --------------------------------------------------------- */

/* strconv.FormatFloat(v, 'E', -1, 64) */
static void fmt_E(struct buf *out, double v)
{
	size_t start = out->len;

	if (isnan(v)) {
		buf_adds(out, "NaN");
		return;
	}
	if (isinf(v)) {
		buf_adds(out, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	go_fmt_e(out, v);
	for (size_t i = start; i < out->len; i++)
		if (out->data[i] == 'e')
			out->data[i] = 'E';
}

/* labels.Labels.String() */
static void fmt_labels(struct buf *out, const struct label *ls, size_t n)
{
	labels_format(out, ls, n);
}

/* ---- one test group ----------------------------------------------------- */

struct tctx {
	const struct ut_file *f;
	const struct ut_group *tg;
	int64_t eval_ms;
	struct rulefmt_file **files;
	size_t nfiles;
	const struct compat *compat; /* the engine's release */
};

struct galert {
	struct labels labels, annotations;
};

static int cmp_galert(const void *a, const void *b)
{
	const struct galert *x = a, *y = b;
	int c = labels_cmp(x->labels.v, x->labels.n, y->labels.v, y->labels.n);
	return c ? c : labels_cmp(x->annotations.v, x->annotations.n, y->annotations.v, y->annotations.n);
}

/* labelsAndAnnotations.String(), then indentLines(..., indent) */
static void fmt_alerts(struct buf *out, const struct galert *v, size_t n)
{
	if (n == 0) {
		buf_adds(out, "[]");
		return;
	}
	buf_adds(out, "[");
	for (size_t i = 0; i < n; i++) {
		const char *ind = "            ";
		buf_addf(out, "%s\n%s%zu:\n%s  Labels:", i ? "," : "", ind, i, ind);
		fmt_labels(out, v[i].labels.v, v[i].labels.n);
		buf_addf(out, "\n%s  Annotations:", ind);
		fmt_labels(out, v[i].annotations.v, v[i].annotations.n);
	}
	buf_adds(out, "\n            ]");
}

static void galerts_release(struct galert *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		labels_release(&v[i].labels);
		labels_release(&v[i].annotations);
	}
	free(v);
}

static void check_alerts(struct ut_result *res, const struct tctx *c, const struct rule_manager *m,
			 const size_t *order, int64_t t)
{
	const struct ut_group *tg = c->tg;

	for (size_t ai = 0; ai < tg->nalerts; ai++) {
		const struct ut_alert_test *at = &tg->alerts[ai];
		struct galert *got = NULL, *exp = NULL;
		size_t ngot = 0, gcap = 0, nexp = at->nexp;
		bool equal;

		if (at->eval_time_ms != t)
			continue;
		for (size_t gi = 0; gi < rule_manager_ngroups(m); gi++) {
			size_t g = order[gi];
			for (size_t r = 0; r < rule_manager_nrules(m, g); r++) {
				struct rm_alert_view *v;
				size_t nv;
				if (!rule_manager_rule_alerting(m, g, r) ||
				    strcmp(rule_manager_rule_name(m, g, r), at->alertname ? at->alertname : ""))
					continue;
				nv = rule_manager_firing_alerts(m, g, r, &v);
				for (size_t k = 0; k < nv; k++) {
					ALLOC_GROW(got, ngot + 1, gcap);
					labels_init(&got[ngot].labels);
					labels_init(&got[ngot].annotations);
					labels_dup(&got[ngot].labels, v[k].labels, v[k].nlabels);
					labels_dup(&got[ngot].annotations, v[k].annotations, v[k].nannotations);
					ngot++;
				}
			}
		}
		exp = xcalloc(nexp + 1, sizeof(*exp));
		for (size_t k = 0; k < nexp; k++) {
			const struct ut_alert *ea = &at->exp[k];
			labels_init(&exp[k].labels);
			labels_init(&exp[k].annotations);
			for (size_t j = 0; j < ea->exp_labels.n; j++)
				if (strcmp(ea->exp_labels.v[j].name, "alertname"))
					labels_add_copy(&exp[k].labels, ea->exp_labels.v[j].name, ea->exp_labels.v[j].value);
			labels_add_copy(&exp[k].labels, "alertname", at->alertname ? at->alertname : "");
			labels_sort(&exp[k].labels);
			labels_dup(&exp[k].annotations, ea->exp_annotations.v, ea->exp_annotations.n);
			labels_sort(&exp[k].annotations);
		}
		if (ngot > 1)
			qsort(got, ngot, sizeof(*got), cmp_galert);
		if (nexp > 1)
			qsort(exp, nexp, sizeof(*exp), cmp_galert);
		equal = ngot == nexp;
		for (size_t k = 0; equal && k < nexp; k++)
			equal = cmp_galert(&got[k], &exp[k]) == 0;
		if (!equal) {
			struct buf b = BUF_INIT, d = BUF_INIT;
			if (tg->name && *tg->name)
				buf_addf(&b, "    name: %s,\n", tg->name);
			prom_fmt_duration(&d, at->eval_time_ms);
			buf_addf(&b, "    alertname: %s, time: %s, \n        exp:", at->alertname ? at->alertname : "",
				 buf_str(&d));
			fmt_alerts(&b, exp, nexp);
			buf_adds(&b, ", \n        got:");
			fmt_alerts(&b, got, ngot);
			add_error(res, buf_detach(&b, NULL));
			buf_release(&d);
		}
		galerts_release(got, ngot);
		galerts_release(exp, nexp);
	}
}

struct psample {
	struct labels ls;
	double v;
};

static int cmp_psample(const void *a, const void *b)
{
	const struct psample *x = a, *y = b;
	return labels_cmp(x->ls.v, x->ls.n, y->ls.v, y->ls.n);
}

/*
 * sort.Slice(v, func(i, j) { return labels.Compare(v[i], v[j]) <= 0 }) as
 * Go 1.19 runs it on short slices (insertion sort): with "<=" equal
 * samples trade places, so their order depends on the algorithm.  Longer
 * slices of distinct samples sort the same whatever the algorithm.
 */
static void go_sort_psamples(struct psample *v, size_t n)
{
	if (n > 12) {
		qsort(v, n, sizeof(*v), cmp_psample);
		return;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && cmp_psample(&v[j], &v[j - 1]) <= 0; j--) {
			struct psample t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/* parsedSamplesString */
static void fmt_psamples(struct buf *out, const struct psample *v, size_t n)
{
	if (!n) {
		buf_adds(out, "nil");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_adds(out, ", ");
		fmt_labels(out, v[i].ls.v, v[i].ls.n);
		buf_addc(out, ' ');
		fmt_E(out, v[i].v);
	}
}

static void psamples_release(struct psample *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		labels_release(&v[i].ls);
	free(v);
}

/* parser.ParseMetric */
static int parse_metric(struct labels *out, const char *s, struct err *e)
{
	return promql_metric_parse(s, strlen(s), out, e);
}

static void check_exprs(struct ut_result *res, const struct tctx *c, struct rstore *st)
{
	const struct ut_group *tg = c->tg;
	struct promql_storage storage = rstore_storage(st);
	struct promql_engine_opts opts = { 0, c->eval_ms, .compat = c->compat };
	struct promql_parse_opts po = { c->compat, false };

	for (size_t i = 0; i < tg->nexprs; i++) {
		const struct ut_expr_test *pt = &tg->exprs[i];
		struct promql_expr *x = NULL;
		struct promql_result r;
		struct err e = ERR_INIT;
		struct psample *got = NULL, *exp = NULL;
		size_t ngot = 0, gcap = 0, nexp = 0;
		struct buf q = BUF_INIT, d = BUF_INIT, b = BUF_INIT;
		const char *expr = pt->expr ? pt->expr : "";
		bool equal;

		promql_result_init(&r);
		go_quote(&q, expr, strlen(expr));
		prom_fmt_duration(&d, pt->eval_time_ms);
		if (promql_parse_with(&x, expr, strlen(expr), &po, &e) < 0 ||
		    promql_eval_instant(&r, &storage, promql_expr_root(x), pt->eval_time_ms, &opts, &e) < 0 ||
		    (r.type != PROMQL_TYPE_VECTOR && r.type != PROMQL_TYPE_SCALAR &&
		     err_set(&e, "rule result is not a vector or scalar") < 0)) {
			buf_addf(&b, "    expr: %s, time: %s, err: %s", buf_str(&q), buf_str(&d), err_msg(&e));
			add_error(res, buf_detach(&b, NULL));
			goto next;
		}
		if (r.type == PROMQL_TYPE_SCALAR) {
			got = xcalloc(1, sizeof(*got));
			labels_init(&got[0].ls);
			got[0].v = r.scalar;
			ngot = 1;
		} else {
			for (size_t k = 0; k < r.nseries; k++) {
				if (!r.series[k].n)
					continue;
				ALLOC_GROW(got, ngot + 1, gcap);
				labels_init(&got[ngot].ls);
				labels_dup(&got[ngot].ls, r.series[k].labels, r.series[k].nlabels);
				got[ngot++].v = r.series[k].v[0];
			}
		}
		exp = xcalloc(pt->nexp + 1, sizeof(*exp));
		for (size_t k = 0; k < pt->nexp; k++) {
			const char *ls = pt->exp[k].labels ? pt->exp[k].labels : "";
			labels_init(&exp[k].ls);
			nexp++;
			if (parse_metric(&exp[k].ls, ls, &e) < 0) {
				struct buf lq = BUF_INIT;
				go_quote(&lq, ls, strlen(ls));
				buf_addf(&b, "    expr: %s, time: %s, err: labels %s: %s", buf_str(&q), buf_str(&d),
					 buf_str(&lq), err_msg(&e));
				add_error(res, buf_detach(&b, NULL));
				buf_release(&lq);
				goto next;
			}
			exp[k].v = pt->exp[k].value;
		}
		go_sort_psamples(exp, nexp);
		go_sort_psamples(got, ngot);
		/* reflect.DeepEqual: floats by == (NaN is never equal) */
		equal = ngot == nexp;
		for (size_t k = 0; equal && k < nexp; k++)
			equal = labels_equal(got[k].ls.v, got[k].ls.n, exp[k].ls.v, exp[k].ls.n) && got[k].v == exp[k].v;
		if (!equal) {
			buf_addf(&b, "    expr: %s, time: %s,\n        exp: ", buf_str(&q), buf_str(&d));
			fmt_psamples(&b, exp, nexp);
			buf_adds(&b, "\n        got: ");
			fmt_psamples(&b, got, ngot);
			add_error(res, buf_detach(&b, NULL));
		}
next:
		psamples_release(got, ngot);
		psamples_release(exp, nexp);
		promql_result_release(&r);
		promql_expr_free(x);
		err_release(&e);
		buf_release(&q);
		buf_release(&d);
		buf_release(&b);
	}
}

static int64_t group_order(const struct ut_file *f, const char *name)
{
	for (size_t i = 0; i < f->ngroup_eval_order; i++)
		if (!strcmp(f->group_eval_order[i] ? f->group_eval_order[i] : "", name))
			return (int64_t)i;
	return 0;
}

static void test_group(struct ut_result *res, const struct ut_file *f, const struct ut_group *tg,
		       int64_t eval_ms, char *const *rule_files, size_t nrule_files, const struct compat *compat)
{
	struct inputs in = { 0 };
	struct rulefmt_file **files = xcalloc(nrule_files + 1, sizeof(*files));
	struct rstore *st = NULL;
	struct rule_manager *m = NULL;
	struct rm_opts o;
	struct err e = ERR_INIT;
	size_t *order = NULL, ngroups, ngroups_now;
	int64_t maxt = 0, *times = NULL;
	size_t ntimes = 0, curr = 0;
	struct tctx c = { f, tg, eval_ms, files, nrule_files, compat };

	if (load_inputs(&in, tg, &e) < 0) {
		add_error(res, xstrdup(err_msg(&e)));
		goto done;
	}
	for (size_t i = 0; i < nrule_files; i++) {
		struct rulefmt_errors errs;
		rulefmt_errors_init(&errs);
		/* the release's rule files (3.0: group labels merged into each rule) */
		struct rulefmt_opts ro = { compat, false, NULL };
		if (rulefmt_load_file_with(&files[i], rule_files[i], &ro, &errs) < 0) {
			for (size_t k = 0; k < errs.n; k++)
				add_error(res, xstrdup(errs.v[k]));
			rulefmt_errors_release(&errs);
			goto done;
		}
		rulefmt_errors_release(&errs);
	}
	st = rstore_new(NULL, false);
	memset(&o, 0, sizeof(o));
	o.external_labels = tg->external_labels.v;
	o.nexternal_labels = tg->external_labels.n;
	o.external_url = tg->external_url ? tg->external_url : "";
	o.engine.default_subquery_step_ms = eval_ms;
	o.engine.compat = compat;
	o.restored = true;
	rule_manager_new(&m, &o, st, &e);
	for (size_t i = 0; i < nrule_files; i++)
		for (size_t g = 0; g < files[i]->ngroups; g++) {
			/* GroupKey collisions: the later group replaces the earlier */
			bool dup = false;
			for (size_t k = 0; k < rule_manager_ngroups(m); k++)
				if (!strcmp(rule_manager_group_file(m, k), rule_files[i]) &&
				    !strcmp(rule_manager_group_name(m, k), files[i]->groups[g].name))
					dup = true;
			if (!dup)
				rule_manager_add_group(m, rule_files[i], &files[i]->groups[g], tg->interval_ms * 1000000);
		}
	/* orderedGroups: by group_eval_order position (unlisted: 0) */
	ngroups = rule_manager_ngroups(m);
	order = xcalloc(ngroups + 1, sizeof(*order));
	for (size_t i = 0; i < ngroups; i++)
		order[i] = i;
	for (size_t i = 1; i < ngroups; i++)
		for (size_t j = i; j > 0 && group_order(f, rule_manager_group_name(m, order[j - 1])) >
					    group_order(f, rule_manager_group_name(m, order[j])); j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	/* maxEvalTime and the alert test times */
	times = xcalloc(tg->nalerts + 1, sizeof(*times));
	for (size_t i = 0; i < tg->nalerts; i++) {
		const struct ut_alert_test *at = &tg->alerts[i];
		bool seen = false;
		if (!at->alertname || !*at->alertname) {
			struct buf d = BUF_INIT, b = BUF_INIT;
			prom_fmt_duration(&d, at->eval_time_ms);
			buf_addf(&b, "an item under alert_rule_test misses required attribute alertname at eval_time %s",
				 buf_str(&d));
			if (tg->name && *tg->name)
				buf_addf(&b, " (in TestGroup %s)", tg->name);
			add_error(res, buf_detach(&b, NULL));
			buf_release(&d);
			goto done;
		}
		if (at->eval_time_ms > maxt)
			maxt = at->eval_time_ms;
		for (size_t k = 0; k < ntimes; k++)
			seen |= times[k] == at->eval_time_ms;
		if (!seen)
			times[ntimes++] = at->eval_time_ms;
	}
	for (size_t i = 0; i < tg->nexprs; i++)
		if (tg->exprs[i].eval_time_ms > maxt)
			maxt = tg->exprs[i].eval_time_ms;
	for (size_t i = 1; i < ntimes; i++)
		for (size_t j = i; j > 0 && times[j - 1] > times[j]; j--) {
			int64_t t = times[j];
			times[j] = times[j - 1];
			times[j - 1] = t;
		}
	for (int64_t ts = 0; ts <= maxt; ts += eval_ms) {
		bool failed = false;
		struct err ae = ERR_INIT;
		if (append_till(&in, st, ts, &ae) < 0) {
			add_error(res, xstrdup(err_msg(&ae)));
			err_release(&ae);
			ngroups_now = 0;
		} else {
			ngroups_now = ngroups;
		}
		for (size_t gi = 0; gi < ngroups_now; gi++) {
			size_t g = order[gi];
			rule_manager_eval(m, g, ts * 1000000);
			for (size_t r = 0; r < rule_manager_nrules(m, g); r++) {
				const char *err = rule_manager_rule_error(m, g, r);
				struct buf b = BUF_INIT, d = BUF_INIT;
				if (!err)
					continue;
				go_fmt_duration(&d, ts * 1000000);
				buf_addf(&b, "    rule: %s, time: %s, err: %s", rule_manager_rule_name(m, g, r),
					 buf_str(&d), err);
				add_error(res, buf_detach(&b, NULL));
				buf_release(&d);
				failed = true;
			}
		}
		if (failed)
			goto done;
		while (curr < ntimes && ts <= times[curr] && times[curr] < ts + eval_ms) {
			check_alerts(res, &c, m, order, times[curr]);
			curr++;
		}
		if (eval_ms <= 0 || ts > INT64_MAX - eval_ms)
			break;
	}
	check_exprs(res, &c, st);
done:
	rule_manager_free(m);
	rstore_free(st);
	for (size_t i = 0; i < nrule_files; i++)
		rulefmt_file_free(files[i]);
	free(files);
	free(order);
	free(times);
	inputs_release(&in);
	err_release(&e);
}

bool rules_unittest_run(const char *filename, struct ut_result *res)
{
	return rules_unittest_run_with(filename, NULL, res);
}

bool rules_unittest_run_with(const char *filename, const struct compat *compat, struct ut_result *res)
{
	struct ut_file f;
	struct err e = ERR_INIT;
	char *data = NULL, *dir = NULL;
	size_t len = 0;
	char **globbed = NULL;
	size_t nglobbed = 0;
	int64_t eval_ms;

	memset(res, 0, sizeof(*res));
	memset(&f, 0, sizeof(f));
	if (read_file(filename, &data, &len, &e) < 0) {
		add_error(res, xstrdup(err_msg(&e)));
		goto done;
	}
	if (ut_file_decode(&f, data, len, &e) < 0) {
		add_error(res, xstrdup(err_msg(&e)));
		goto done;
	}
	/* resolveAndGlobFilepaths */
	dir = go_filepath_dir(filename);
	for (size_t i = 0; i < f.nrule_files; i++) {
		char *rf = f.rule_files[i] ? f.rule_files[i] : "";
		char *path = *rf && !go_filepath_is_abs(rf) ? go_filepath_join(dir, rf) : vstrdup(rf);
		size_t before = nglobbed;
		if (go_filepath_glob(path, &globbed, &nglobbed, &e) < 0) {
			free(path);
			add_error(res, xstrdup(err_msg(&e)));
			goto done;
		}
		if (nglobbed == before)
			add_msg(&res->warnings, &res->nwarnings, &res->warnings_cap,
				xasprintf("  WARNING: no file match pattern %s", path));
		free(path);
	}
	eval_ms = f.evaluation_interval_ms ? f.evaluation_interval_ms : 60000;
	for (size_t i = 0; i < f.ngroup_eval_order; i++)
		for (size_t k = 0; k < i; k++)
			if (!strcmp(f.group_eval_order[i] ? f.group_eval_order[i] : "",
				    f.group_eval_order[k] ? f.group_eval_order[k] : "")) {
				add_error(res, xasprintf("group name repeated in evaluation order: %s",
							 f.group_eval_order[i] ? f.group_eval_order[i] : ""));
				goto done;
			}
	for (size_t i = 0; i < f.ntests; i++)
		test_group(res, &f, &f.tests[i], eval_ms, globbed, nglobbed, compat);
done:
	for (size_t i = 0; i < nglobbed; i++)
		free(globbed[i]);
	free(globbed);
	free(dir);
	free(data);
	ut_file_release(&f);
	err_release(&e);
	return res->nerrors == 0;
}
