/*
 * Reading one promqltest file: the commands `clear`, `load <step>` (and
 * load_with_nhcb from 2.54), and `eval...` with their expected lines, as
 * the test framework of the chosen release parses them (2.42's
 * promql/test.go; promql/promqltest/test.go parse, parseLoad and parseEval
 * at 2.53.0, 3.5.0 and 3.14.0).  Each eval is run as soon as it is read.
 *
 * Upstream stops at the first malformed line of a file; so do we for an
 * unknown command, but a malformed eval or load line fails only its own
 * case (with category "syntax" or "load") so that one unsupported
 * notation does not hide the rest of the file.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "1-common/err.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "2-model/regex.h"
#include "4-promql/ast.h"
#include "4-promql/promql.h"
#include "tests/conformance/promqltest.h"

struct pqt_file {
	struct pqt_state *s;
	const char *name;
	char **lines;
	char **errs; /* errs[i]: a "# error: " comment just before line i */
	size_t n;
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\v' || *s == '\f')
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* parseNumber of test.go: ParseInt(s, 0, 64) then ParseFloat. */
static bool parse_number(const char *s, double *out)
{
	char *end;
	long long v;

	if (!*s)
		return false;
	v = strtoll(s, &end, 0);
	if (*end == '\0' && strncasecmp(s, "0x", 2) && (s[0] != '-' || strncasecmp(s + 1, "0x", 2))) {
		*out = (double)v;
		return true;
	}
	return go_parse_float(s, strlen(s), out) == 0;
}

/* The next whitespace-separated word of *p (advanced past it), or NULL. */
static char *next_word(char **p, char *save)
{
	char *w = *p, *e;

	while (*w == ' ' || *w == '\t')
		w++;
	if (!*w)
		return NULL;
	e = w + strcspn(w, " \t");
	*save = *e;
	*e = '\0';
	*p = e;
	return w;
}

static bool parse_dur(const char *s, int64_t *out)
{
	return s && prom_parse_duration(s, strlen(s), out) == 0;
}

/*
 * The labels of a series line whose values our series parser cannot read
 * (native histograms): the metric part is parsed alone with one value.
 */
static int series_labels(const char *line, struct labels *out)
{
	const char *p = line;
	char *txt;
	double *vals = NULL;
	bool *om = NULL;
	size_t nv = 0, cap = 0;
	struct err e = ERR_INIT;
	int rc;

	while (*p && *p != '{' && *p != ' ' && *p != '\t')
		p++;
	if (*p == '{' && p[1] != '{') {
		char q = 0;
		for (p++; *p; p++) {
			if (q) {
				if (*p == '\\' && p[1])
					p++;
				else if (*p == q)
					q = 0;
			} else if (*p == '"' || *p == '\'' || *p == '`') {
				q = *p;
			} else if (*p == '}') {
				p++;
				break;
			}
		}
	}
	txt = xasprintf("%.*s 0", (int)(p - line), line);
	rc = promql_parse_series_desc(txt, strlen(txt), out, &vals, &om, &nv, &cap, &e);
	free(txt);
	free(vals);
	free(om);
	err_release(&e);
	return rc;
}

struct def {
	struct labels ls;
	double *vals;
	bool *om;
	size_t nv, vcap;
	struct st_seq *st; /* the @st line before it, NULL if none */
};

/* A `metric@st` line's values (3.12's parseSTSequence): per position,
 * omitted or the start timestamp's offset from the sample's time (ms). */
struct st_seq {
	int64_t *off;
	bool *om;
	size_t n, cap;
};

static void st_seq_free(struct st_seq *q)
{
	if (!q)
		return;
	free(q->off);
	free(q->om);
	free(q);
}

static void st_seq_push(struct st_seq *q, bool om, int64_t off)
{
	size_t old = q->cap;

	ALLOC_GROW(q->off, q->n + 1, q->cap);
	if (q->cap != old)
		q->om = xreallocarray(q->om, q->cap, sizeof(*q->om));
	q->off[q->n] = off;
	q->om[q->n++] = om;
}

/* parseDurationPrefix: [+-]digits and unit letters (never x), in ms. */
static bool st_dur_prefix(const char *s, int64_t *out, const char **rest)
{
	size_t i = 0, start;
	bool neg = false, ok;
	char *d;

	if (s[i] == '-' || s[i] == '+')
		neg = s[i++] == '-';
	start = i;
	while (isdigit((unsigned char)s[i]))
		i++;
	if (i == start)
		return false;
	while (isalpha((unsigned char)s[i]) && s[i] != 'x')
		i++;
	d = xstrndup(s + start, i - start);
	ok = parse_dur(d, out);
	free(d);
	if (neg)
		*out = -*out;
	*rest = s + i;
	return ok;
}

/* strconv.ParseUint(s, 10, 64) of the whole of s. */
static bool st_count(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s) || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

/* One item of an @st sequence: _, _xN, d, dxN, d+dxN, d-dxN. */
static bool st_item(struct st_seq *q, const char *it)
{
	int64_t base, delta;
	uint64_t n;
	const char *rest;

	if (!strcmp(it, "_")) {
		st_seq_push(q, true, 0);
		return true;
	}
	if (!strncmp(it, "_x", 2)) {
		if (!st_count(it + 2, &n) || n == 0 || n > 1000000)
			return false;
		while (n--)
			st_seq_push(q, true, 0);
		return true;
	}
	if (!st_dur_prefix(it, &base, &rest))
		return false;
	if (!*rest) {
		st_seq_push(q, false, base);
		return true;
	}
	if (*rest == 'x') {
		if (!st_count(rest + 1, &n) || n >= 1000000)
			return false;
		for (uint64_t k = 0; k <= n; k++)
			st_seq_push(q, false, base);
		return true;
	}
	if (*rest != '+' && *rest != '-')
		return false;
	{
		bool neg = *rest == '-';
		const char *r2;
		if (!st_dur_prefix(rest + 1, &delta, &r2) || *r2 != 'x' || !st_count(r2 + 1, &n) || n >= 1000000)
			return false;
		if (neg)
			delta = -delta;
		for (uint64_t k = 0; k <= n; k++, base += delta)
			st_seq_push(q, false, base);
	}
	return true;
}

/* The values of an @st line (after its first word), or NULL. */
static struct st_seq *st_parse(const char *vals)
{
	struct st_seq *q = xcalloc(1, sizeof(*q));
	char *copy = xstrdup(vals), *save = NULL;
	bool ok = true;

	for (char *w = strtok_r(copy, " \t", &save); w && ok; w = strtok_r(NULL, " \t", &save))
		ok = st_item(q, w);
	free(copy);
	if (!ok) {
		st_seq_free(q);
		return NULL;
	}
	return q;
}

static void def_release(struct def *d)
{
	labels_release(&d->ls);
	free(d->vals);
	free(d->om);
	st_seq_free(d->st);
	d->st = NULL;
}

/*
 * convertnhcb's GetHistogramMetricBase of 3.x: a classic histogram's
 * _bucket (with a numeric le), _count or _sum series names the series
 * load_with_nhcb adds as a native histogram.
 */
static void nhcb_series(struct pqt_state *s, const struct def *d)
{
	const char *name = labels_get(d->ls.v, d->ls.n, "__name__");
	static const char *const suffixes[] = { "_bucket", "_count", "_sum" };
	struct labels base = LABELS_INIT;

	if (!name)
		return;
	for (size_t k = 0; k < 3; k++) {
		size_t nl = strlen(name), sl = strlen(suffixes[k]);
		char *bn;
		if (nl <= sl || strcmp(name + nl - sl, suffixes[k]))
			continue;
		if (k == 0) {
			const char *le = labels_get(d->ls.v, d->ls.n, "le");
			double v;
			if (!le || go_parse_float(le, strlen(le), &v) < 0 || isnan(v))
				return;
		}
		bn = xstrndup(name, nl - sl);
		labels_dup(&base, d->ls.v, d->ls.n);
		labels_del(&base, "le");
		labels_set_copy(&base, "__name__", bn);
		labels_sort(&base);
		pqt_seriesset_add(&s->hist, base.v, base.n);
		labels_release(&base);
		free(bn);
		return;
	}
}

/* 3.12's isSTLine: the first word ends in "@st". */
static bool is_st_line(const char *l)
{
	size_t w = strcspn(l, " \t");
	return l[w] && w >= 3 && !strncmp(l + w - 3, "@st", 3);
}

/* load[_with_nhcb] <step> and its series lines; *i is left on the last. */
static void parse_load(struct pqt_file *f, size_t *i, bool nhcb, const char *arg)
{
	struct pqt_state *s = f->s;
	struct def *defs = NULL;
	size_t ndefs = 0, dcap = 0;
	struct labels st_ls = LABELS_INIT;
	struct st_seq *st_vals = NULL;
	bool st_pending = false;
	int64_t gap;

	if (!parse_dur(arg, &gap)) {
		pqt_report_line(s, f->name, (int)*i + 1, "load", "invalid step definition");
		while (*i + 1 < f->n && f->lines[*i + 1][0])
			(*i)++;
		return;
	}
	while (*i + 1 < f->n && f->lines[*i + 1][0]) {
		struct def nd = { LABELS_INIT, NULL, NULL, 0, 0, NULL };
		struct err e = ERR_INIT;
		const char *l = f->lines[++*i];
		size_t k;

		if (s->o->f.st_lines && is_st_line(l)) {
			/* Start timestamps, for the sample line that follows. */
			size_t w = strcspn(l, " \t");
			char *m = xstrndup(l, w - 3);
			labels_reset(&st_ls);
			st_seq_free(st_vals);
			st_vals = NULL;
			st_pending = false;
			if (series_labels(m, &st_ls) < 0)
				pqt_report_line(s, f->name, (int)*i + 1, "load", "invalid @st line");
			else if (!(st_vals = st_parse(l + w)))
				pqt_report_line(s, f->name, (int)*i + 1, "load", "invalid @st sequence");
			else
				st_pending = true;
			free(m);
			continue;
		}
		if (strstr(l, "{{")) {
			if (series_labels(l, &nd.ls) == 0) {
				pqt_seriesset_add(&s->hist, nd.ls.v, nd.ls.n);
				for (k = 0; k < ndefs; k++)
					if (labels_equal(defs[k].ls.v, defs[k].ls.n, nd.ls.v, nd.ls.n))
						defs[k].nv = 0;
			} else {
				pqt_report_line(s, f->name, (int)*i + 1, "load", "invalid histogram series line");
			}
			labels_release(&nd.ls);
			st_pending = false;
			continue;
		}
		if (promql_parse_series_desc(l, strlen(l), &nd.ls, &nd.vals, &nd.om, &nd.nv, &nd.vcap, &e) < 0) {
			pqt_report_line(s, f->name, (int)*i + 1, "load", err_msg(&e));
			err_release(&e);
			def_release(&nd);
			st_pending = false;
			continue;
		}
		if (st_pending) {
			if (!labels_equal(st_ls.v, st_ls.n, nd.ls.v, nd.ls.n)) {
				pqt_report_line(s, f->name, (int)*i, "load",
						"@st metric does not match the following sample line metric");
			} else if (st_vals->n != nd.nv) {
				char *msg = xasprintf("@st line has %zu values but sample line has %zu", st_vals->n, nd.nv);
				pqt_report_line(s, f->name, (int)*i, "load", msg);
				free(msg);
			} else {
				pqt_seriesset_add(&s->st, nd.ls.v, nd.ls.n);
				nd.st = st_vals;
				st_vals = NULL;
			}
			st_pending = false;
		}
		/* loadCmd.set keys definitions by series: a later line for the
		 * same series replaces the earlier one. */
		for (k = 0; k < ndefs; k++)
			if (labels_equal(defs[k].ls.v, defs[k].ls.n, nd.ls.v, nd.ls.n))
				break;
		if (k < ndefs) {
			def_release(&defs[k]);
		} else {
			ALLOC_GROW(defs, ndefs + 1, dcap);
			k = ndefs++;
		}
		defs[k] = nd;
	}
	if (st_pending)
		pqt_report_line(s, f->name, (int)*i + 1, "load", "@st line has no following sample line");
	for (size_t j = 0; j < ndefs; j++) {
		struct err e = ERR_INIT;
		for (size_t k = 0; k < defs[j].nv; k++) {
			if (defs[j].om[k])
				continue;
			int64_t t = (int64_t)k * gap, st = 0;
			/* loadCmd.set: ST = T + offset where the @st line has one */
			if (defs[j].st && !defs[j].st->om[k])
				st = t + defs[j].st->off[k];
			if (promql_memstore_append_st(&s->ms, defs[j].ls.v, defs[j].ls.n, t, st, defs[j].vals[k], &e) <
			    0) {
				pqt_report_line(s, f->name, (int)*i + 1, "load", err_msg(&e));
				break;
			}
		}
		err_release(&e);
		if (nhcb)
			nhcb_series(s, &defs[j]);
		def_release(&defs[j]);
	}
	free(defs);
	labels_release(&st_ls);
	st_seq_free(st_vals);
}

/* An unanchored Go regexp (MatchString) through the label regexp engine. */
static int compile_unanchored(struct pqt_errmatch *m, const char *pat, struct buf *why)
{
	char *full = xasprintf("(?s:.*)(?:%s)(?s:.*)", pat);
	int rc = label_regex_compile(&m->re, full, strlen(full), why);

	free(full);
	m->src = xstrdup(pat);
	return rc;
}

/* strconv.Unquote, as PromQL reads a string literal. */
static int unquote(const char *s, char **out)
{
	struct promql_expr *x = NULL;
	struct err e = ERR_INIT;
	const struct promql_node *n;
	int rc = -1;

	if (*s != '"' && *s != '\'' && *s != '`')
		goto done;
	if (promql_parse(&x, s, strlen(s), &e) < 0)
		goto done;
	n = promql_expr_root(x);
	if (n->kind != PROMQL_NODE_STRING)
		goto done;
	*out = xstrndup(n->u.string.val, n->u.string.len);
	rc = 0;
done:
	promql_expr_free(x);
	err_release(&e);
	return rc;
}

static void set_bad(struct pqt_eval *c, int line, const char *fmt, const char *arg)
{
	if (c->bad)
		return;
	c->bad = xasprintf(fmt, arg);
	c->bad_line = line;
}

/* 3.4's `expect <kind> [msg:<text>|regex:<re>]`. */
static void parse_expect(struct pqt_eval *c, char *l, int line)
{
	static const char *const kinds[] = { "ordered", "fail", "warn", "no_warn", "info", "no_info" };
	char *p = l + 6, save, *w, *rest;
	size_t k;

	w = next_word(&p, &save);
	for (k = 0; w && k < sizeof(kinds) / sizeof(*kinds); k++)
		if (!strcmp(w, kinds[k]))
			break;
	if (!w || k == sizeof(kinds) / sizeof(*kinds)) {
		set_bad(c, line, "invalid expect statement %s", l);
		return;
	}
	*p = save;
	rest = trim(p);
	if (*rest && strncmp(rest, "msg:", 4) && strncmp(rest, "regex:", 6)) {
		set_bad(c, line, "invalid expect statement %s", l);
		return;
	}
	switch ((enum pqt_expect_kind)k) {
	case PQT_X_ORDERED:
		c->ordered = true;
		break;
	case PQT_X_FAIL:
		c->fail = true;
		if (c->nerr >= 2) {
			set_bad(c, line, "invalid expect lines, too many expected errors%s", "");
			break;
		}
		if (!strncmp(rest, "msg:", 4)) {
			c->err[c->nerr++].msg = xstrdup(trim(rest + 4));
		} else if (!strncmp(rest, "regex:", 6)) {
			struct buf why = BUF_INIT;
			if (compile_unanchored(&c->err[c->nerr++], trim(rest + 6), &why) < 0)
				set_bad(c, line, "invalid regex: %s", buf_str(&why));
			buf_release(&why);
		}
		break;
	case PQT_X_WARN:
	case PQT_X_INFO: {
		int kind = k == PQT_X_WARN ? 0 : 1;
		struct pqt_errmatch *m;
		ALLOC_GROW(c->xanno[kind], c->nxanno[kind] + 1, c->capxanno[kind]);
		m = &c->xanno[kind][c->nxanno[kind]++];
		memset(m, 0, sizeof(*m));
		if (!strncmp(rest, "msg:", 4)) {
			m->msg = xstrdup(trim(rest + 4));
		} else if (!strncmp(rest, "regex:", 6)) {
			struct buf why = BUF_INIT;
			if (compile_unanchored(m, trim(rest + 6), &why) < 0)
				set_bad(c, line, "invalid regex %s", buf_str(&why));
			buf_release(&why);
		}
		break;
	}
	case PQT_X_NO_WARN:
		c->no_warn = true;
		break;
	case PQT_X_NO_INFO:
		c->no_info = true;
		break;
	}
	if ((c->nxanno[0] && c->no_warn) || (c->nxanno[1] && c->no_info))
		set_bad(c, line, "invalid expect lines, %s cannot be used together",
			c->nxanno[0] && c->no_warn ? "warn and no_warn" : "info and no_info");
}

/* `expect range vector from <d> to <d> step <d>` (3.7). */
static void parse_expect_range(struct pqt_eval *c, char *l, int line)
{
	char *p = l + strlen("expect range vector"), save, *w;
	int64_t v[3];
	static const char *const kw[] = { "from", "to", "step" };

	for (int k = 0; k < 3; k++) {
		w = next_word(&p, &save);
		if (!w || strcmp(w, kw[k])) {
			set_bad(c, line, "invalid range vector definition %s", l);
			return;
		}
		*p = save;
		w = next_word(&p, &save);
		if (!parse_dur(w, &v[k])) {
			set_bad(c, line, "invalid range vector definition %s", l);
			return;
		}
		*p = save;
	}
	if (v[1] < v[0]) {
		set_bad(c, line, "%s: end timestamp is before start timestamp", l);
		return;
	}
	c->start = v[0];
	c->end = v[1];
	c->step = v[2];
	c->eval_t = v[1];
	c->range_vector = true;
	c->exclude_range = true;
}

/* The eval line: eval[_mod] instant at <t> <expr> | range from ... step <d> <expr>. */
static void parse_eval_line(struct pqt_file *f, struct pqt_eval *c, char *l, int line)
{
	const char *orig = f->lines[line - 1];
	const struct pqt_features *ft = &f->s->o->f;
	char *p = l + 4, save, *w, *mod = NULL;
	int64_t v[3];

	if (*p == '_') {
		mod = ++p;
		p += strcspn(p, " \t");
		if (!*p)
			goto bad;
		*p++ = '\0';
	}
	w = next_word(&p, &save);
	if (!w)
		goto bad;
	if (!strcmp(w, "instant")) {
		*p = save;
		w = next_word(&p, &save);
		if (!w || strcmp(w, "at"))
			goto bad;
		*p = save;
		w = next_word(&p, &save);
		if (!w || !parse_dur(w, &c->eval_t))
			goto bad;
		c->start = c->eval_t;
	} else if (!strcmp(w, "range") && ft->eval_range) {
		static const char *const kw[] = { "from", "to", "step" };
		*p = save;
		for (int k = 0; k < 3; k++) {
			w = next_word(&p, &save);
			if (!w || strcmp(w, kw[k]))
				goto bad;
			*p = save;
			w = next_word(&p, &save);
			if (!parse_dur(w, &v[k]))
				goto bad;
			*p = save;
		}
		if (v[1] < v[0])
			goto bad;
		c->is_range = true;
		c->start = v[0];
		c->end = v[1];
		c->step = v[2];
	} else {
		goto bad;
	}
	*p = save;
	p = trim(p);
	if (!*p)
		goto bad;
	c->expr = xstrdup(p);
	if (!mod)
		return;
	if (!strcmp(mod, "fail"))
		c->fail = true;
	else if (!strcmp(mod, "ordered") && !c->is_range)
		c->ordered = true;
	else if (!strcmp(mod, "warn") && ft->eval_warn)
		c->warn = true;
	else if (!strcmp(mod, "info") && ft->eval_info)
		c->info = true;
	else
		goto bad;
	return;
bad:
	if (!c->expr)
		c->expr = xstrdup(orig);
	set_bad(c, line, "invalid evaluation command%s", "");
}

/* One expected line of an eval; returns 1 when the block ends here. */
static int parse_expected(struct pqt_file *f, struct pqt_eval *c, char *l, int line, int *j)
{
	const struct pqt_features *ft = &f->s->o->f;
	struct pqt_expected *x;
	struct err e = ERR_INIT;
	double num;
	size_t k;
	struct labels ls = LABELS_INIT;
	double *vals = NULL;
	bool *om = NULL;
	size_t nv = 0, vcap = 0;

	if (ft->fail_message && c->fail && c->nerr < 2 && !strncmp(l, "expected_fail_message", 21)) {
		c->err[c->nerr++].msg = xstrdup(trim(l + 21));
		return 1;
	}
	if (ft->fail_message && c->fail && c->nerr < 2 && !strncmp(l, "expected_fail_regexp", 20)) {
		struct buf why = BUF_INIT;
		if (compile_unanchored(&c->err[c->nerr++], trim(l + 20), &why) < 0)
			set_bad(c, line, "invalid regexp for expected_fail_regexp: %s", buf_str(&why));
		buf_release(&why);
		return 1;
	}
	if (ft->expect_range && !strncmp(l, "expect range vector", 19)) {
		parse_expect_range(c, l, line);
		return 0;
	}
	if (ft->expect_range && !strncmp(l, "expect string", 13)) {
		free(c->string);
		c->string = NULL;
		if (strncmp(l, "expect string ", 14) || unquote(l + 14, &c->string) < 0)
			set_bad(c, line, "expected string literal not valid%s", "");
		c->expect_string = true;
		c->exclude_range = true;
		return 0;
	}
	if (ft->expect && !strncmp(l, "expect", 6) && (l[6] == ' ' || !l[6])) {
		parse_expect(c, l, line);
		(*j)--;
		return 0;
	}
	if (parse_number(l, &num)) {
		c->expect_scalar = true;
		c->scalar_v = num;
		return 1;
	}
	if (strstr(l, "{{")) {
		c->skip = "native histograms";
		return 0;
	}
	if (promql_parse_series_desc(l, strlen(l), &ls, &vals, &om, &nv, &vcap, &e) < 0) {
		set_bad(c, line, "bad expected series: %s", err_msg(&e));
		goto done;
	}
	if (nv > 1 && !c->is_range && !c->range_vector) {
		set_bad(c, line, "expecting multiple values in instant evaluation not allowed%s", "");
		goto done;
	}
	c->expect_scalar = false;
	for (k = 0; k < c->nexp; k++)
		if (labels_equal(c->exp[k].ls.v, c->exp[k].ls.n, ls.v, ls.n))
			break;
	if (k == c->nexp) {
		ALLOC_GROW(c->exp, c->nexp + 1, c->cap);
		c->nexp++;
	} else {
		labels_release(&c->exp[k].ls);
		free(c->exp[k].v);
		free(c->exp[k].om);
	}
	x = &c->exp[k];
	x->ls = ls;
	x->v = vals;
	x->om = om;
	x->n = nv;
	x->pos = *j;
	return 0;
done:
	labels_release(&ls);
	free(vals);
	free(om);
	err_release(&e);
	return 0;
}

static void do_eval(struct pqt_file *f, size_t *i)
{
	struct pqt_eval c = { 0 };
	char *l = xstrdup(f->lines[*i]);

	c.file = f->name;
	c.line = (int)*i + 1;
	c.want_err = f->errs[*i];
	parse_eval_line(f, &c, l, c.line);
	for (int j = 1; *i + 1 < f->n && f->lines[*i + 1][0]; j++) {
		char *d = f->lines[++*i];
		if (c.bad && c.bad_line == c.line)
			continue; /* the eval line itself is bad: its block goes with it */
		if (parse_expected(f, &c, d, (int)*i + 1, &j))
			break;
	}
	pqt_run_eval(f->s, &c);
	pqt_eval_release(&c);
	free(l);
}

static void clear_store(struct pqt_state *s)
{
	promql_memstore_clear(&s->ms);
	pqt_seriesset_clear(&s->hist);
	pqt_seriesset_clear(&s->st);
}

void pqt_run_file(struct pqt_state *s, const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "r");
	struct pqt_file f = { s, name, NULL, NULL, 0 };
	size_t cap = 0, ecap = 0, lcap = 0;
	char *line = NULL;
	bool saved = s->exact;

	clear_store(s);
	if (!fp) {
		pqt_report_line(s, name, 0, "file", "cannot open");
		free(path);
		return;
	}
	/* regen.sh of testdata/promql-eval puts results that depend on
	 * series order in files named *unstable*: epsilon there. */
	if (strstr(name, "unstable"))
		s->exact = false;
	while (getline(&line, &lcap, fp) >= 0) {
		char *l = trim(line);
		ALLOC_GROW(f.lines, f.n + 1, cap);
		ALLOC_GROW(f.errs, f.n + 2, ecap);
		if (f.n == 0)
			f.errs[0] = NULL;
		f.errs[f.n + 1] = NULL;
		/* regen.sh writes 2.42's error message before an eval_fail */
		if (!strncmp(l, "# error: ", 9))
			f.errs[f.n + 1] = xstrdup(l + 9);
		f.lines[f.n++] = xstrdup(l[0] == '#' ? "" : l);
	}
	fclose(fp);
	free(line);

	for (size_t i = 0; i < f.n; i++) {
		char *l = f.lines[i], word[32];
		size_t wl = strcspn(l, " \t");

		if (!*l)
			continue;
		snprintf(word, sizeof(word), "%.*s", (int)(wl < 31 ? wl : 31), l);
		for (char *p = word; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!strcmp(word, "clear")) {
			clear_store(s);
		} else if (!strcmp(word, "load") || (s->o->f.load_nhcb && !strcmp(word, "load_with_nhcb"))) {
			char *arg = xstrdup(l + wl);
			parse_load(&f, &i, word[4] == '_', trim(arg));
			free(arg);
		} else if (!strncmp(word, "eval", 4)) {
			do_eval(&f, &i);
		} else {
			pqt_report_line(s, name, (int)i + 1, "syntax", "invalid command");
			break;
		}
	}
	for (size_t i = 0; i < f.n; i++) {
		free(f.lines[i]);
		free(f.errs[i]);
	}
	if (f.n)
		free(f.errs[f.n]);
	free(f.lines);
	free(f.errs);
	s->exact = saved;
	free(path);
}
