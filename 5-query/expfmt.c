/*
 * expfmt.TextParser (prometheus/common v0.44.0, expfmt/text_parse.go) as a
 * state machine over a byte buffer: one function per state of upstream's,
 * the same byte consumed at the same point, so errors name the same line
 * and an input ending without a newline after a sample is "unexpected end
 * of input stream", as upstream has it.
 *
 * Later common releases (3.x's quoted UTF-8 names) are not followed; see
 * COMPATIBILITY.md, "push metrics".
 */
#include "5-query/expfmt.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "1-common/utf8.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"

enum pstate { ST_NONE, ST_START_LINE, ST_COMMENT, ST_METRIC_NAME, ST_LABELS, ST_LABEL_NAME, ST_LABEL_VALUE,
	      ST_VALUE, ST_TIMESTAMP, ST_HELP, ST_TYPE };

struct parser {
	struct expfmt *x;
	const char *data;
	size_t len, pos;
	int cur;            /* the byte last read */
	bool eof;           /* the last read hit the end (Go's io.EOF in p.err) */
	bool failed;        /* e is set */
	struct err *e;
	int line;
	struct buf tok;
	struct expfmt_family *mf;
	struct expfmt_metric *m;      /* the metric being read; not in mf until its value */
	struct expfmt_metric pending; /* storage for a metric not yet placed */
	struct expfmt_label *pair;    /* the label being read, NULL when quantile/le */
	struct buf pair_name, pair_value;
	struct buf sig;               /* summaries/histograms: currentLabels */
	double quantile, bucket;
	bool is_sum, is_count;        /* the name ended in _sum/_count of a summary or histogram */
};

/* a buf's bytes as chars ("" when it never grew) */
static const char *bs(const struct buf *b)
{
	return b->data ? (const char *)b->data : "";
}

static bool blank(int b)
{
	return b == ' ' || b == '\t';
}

static bool lname_start(int b)
{
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_';
}

static bool lname_cont(int b)
{
	return lname_start(b) || (b >= '0' && b <= '9');
}

/* bufio.Reader.ReadByte: false (and eof) at the end */
static bool next(struct parser *p)
{
	if (p->pos >= p->len) {
		p->eof = true;
		return false;
	}
	p->cur = (unsigned char)p->data[p->pos++];
	return true;
}

static void perr(struct parser *p, const char *msg)
{
	err_set(p->e, "text format parsing error in line %d: %s", p->line, msg);
	p->failed = true;
}

static bool stopped(const struct parser *p)
{
	return p->eof || p->failed;
}

/* %q of a byte, as fmt prints a uint8: a quoted rune literal */
static void quote_byte(struct buf *out, int b)
{
	buf_addc(out, '\'');
	go_escape_rune(out, (int32_t)b, '\'');
	buf_addc(out, '\'');
}

static void skip_blank(struct parser *p)
{
	while (next(p) && blank(p->cur))
		;
}

static void skip_blank_if_blank(struct parser *p)
{
	if (blank(p->cur))
		skip_blank(p);
}

static void token_until_space(struct parser *p)
{
	buf_reset(&p->tok);
	while (!p->eof && !blank(p->cur) && p->cur != '\n') {
		buf_addc(&p->tok, (unsigned char)p->cur);
		next(p);
	}
}

static void token_until_newline(struct parser *p, bool escapes)
{
	bool escaped = false;

	buf_reset(&p->tok);
	while (!p->eof) {
		if (escapes && escaped) {
			if (p->cur == '\\') {
				buf_addc(&p->tok, '\\');
			} else if (p->cur == 'n') {
				buf_addc(&p->tok, '\n');
			} else {
				struct buf m = BUF_INIT;
				buf_addf(&m, "invalid escape sequence '\\%c'", p->cur);
				perr(p, buf_str(&m));
				buf_release(&m);
				return;
			}
			escaped = false;
		} else if (p->cur == '\n') {
			return;
		} else if (p->cur == '\\') {
			escaped = true;
		} else {
			buf_addc(&p->tok, (unsigned char)p->cur);
		}
		next(p);
	}
}

static void token_name(struct parser *p, bool metric)
{
	buf_reset(&p->tok);
	if (!(lname_start(p->cur) || (metric && p->cur == ':')))
		return;
	do {
		buf_addc(&p->tok, (unsigned char)p->cur);
	} while (next(p) && (lname_cont(p->cur) || (metric && p->cur == ':')));
}

static void token_label_value(struct parser *p)
{
	bool escaped = false;

	buf_reset(&p->tok);
	for (;;) {
		if (!next(p))
			return;
		if (escaped) {
			if (p->cur == '"' || p->cur == '\\') {
				buf_addc(&p->tok, (unsigned char)p->cur);
			} else if (p->cur == 'n') {
				buf_addc(&p->tok, '\n');
			} else {
				struct buf m = BUF_INIT;
				buf_addf(&m, "invalid escape sequence '\\%c'", p->cur);
				perr(p, buf_str(&m));
				buf_release(&m);
				return;
			}
			escaped = false;
			continue;
		}
		if (p->cur == '"')
			return;
		if (p->cur == '\n') {
			struct buf m = BUF_INIT;
			buf_adds(&m, "label value ");
			go_quote(&m, bs(&p->tok), p->tok.len);
			buf_adds(&m, " contains unescaped new-line");
			perr(p, buf_str(&m));
			buf_release(&m);
			return;
		}
		if (p->cur == '\\')
			escaped = true;
		else
			buf_addc(&p->tok, (unsigned char)p->cur);
	}
}

/* ---- families ---- */

static uint64_t hash_name(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

static struct expfmt_family *find_family(const struct expfmt *x, const char *s, size_t n)
{
	if (!x->nslots)
		return NULL;
	for (size_t i = hash_name(s, n) & (x->nslots - 1);; i = (i + 1) & (x->nslots - 1)) {
		size_t k = x->slots[i];
		if (!k)
			return NULL;
		if (strlen(x->families[k - 1].name) == n && !memcmp(x->families[k - 1].name, s, n))
			return &x->families[k - 1];
	}
}

static void rehash(struct expfmt *x)
{
	free(x->slots);
	x->nslots = x->nslots ? x->nslots * 2 : 64;
	x->slots = xcalloc(x->nslots, sizeof(*x->slots));
	for (size_t k = 0; k < x->nfamilies; k++) {
		const char *nm = x->families[k].name;
		size_t i = hash_name(nm, strlen(nm)) & (x->nslots - 1);
		while (x->slots[i])
			i = (i + 1) & (x->nslots - 1);
		x->slots[i] = k + 1;
	}
}

static struct expfmt_family *add_family(struct expfmt *x, const char *s, size_t n)
{
	struct expfmt_family *f;

	ALLOC_GROW(x->families, x->nfamilies + 1, x->families_cap);
	f = &x->families[x->nfamilies++];
	memset(f, 0, sizeof(*f));
	f->name = xstrndup(s, n);
	if (x->nfamilies * 2 > x->nslots)
		rehash(x);
	else {
		size_t i = hash_name(s, n) & (x->nslots - 1);
		while (x->slots[i])
			i = (i + 1) & (x->nslots - 1);
		x->slots[i] = x->nfamilies;
	}
	return f;
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n > k && !memcmp(s + n - k, suf, k);
}

/* setOrCreateCurrentMF; the family pointer stays valid until the next add */
static void set_family(struct parser *p)
{
	const char *s = bs(&p->tok);
	size_t n = p->tok.len;
	struct expfmt_family *f;

	p->is_sum = p->is_count = false;
	if ((p->mf = find_family(p->x, s, n)))
		return;
	{
		bool c = ends_with(s, n, "_count"), sm = ends_with(s, n, "_sum"), b = ends_with(s, n, "_bucket");
		size_t base = c ? n - 6 : sm ? n - 4 : n;
		f = find_family(p->x, s, base);
		if (f && f->has_type && f->type == EXPFMT_SUMMARY) {
			p->mf = f;
			p->is_count = c;
			p->is_sum = sm;
			return;
		}
		base = c ? n - 6 : sm ? n - 4 : b ? n - 7 : n;
		f = find_family(p->x, s, base);
		if (f && f->has_type && f->type == EXPFMT_HISTOGRAM) {
			p->mf = f;
			p->is_count = c;
			p->is_sum = sm;
			return;
		}
	}
	p->mf = add_family(p->x, s, n);
}

static bool is_agg(const struct expfmt_family *f)
{
	return f->has_type && (f->type == EXPFMT_SUMMARY || f->type == EXPFMT_HISTOGRAM);
}

static void metric_release(struct expfmt_metric *m)
{
	for (size_t i = 0; i < m->nlabels; i++) {
		free(m->labels[i].name);
		free(m->labels[i].value);
	}
	free(m->labels);
	free(m->points);
	free(m->sig);
	memset(m, 0, sizeof(*m));
}

/* ---- states ---- */

static enum pstate st_start_line(struct parser *p)
{
	p->line++;
	skip_blank(p);
	if (p->eof) {
		p->eof = false; /* the one place the end is not an error */
		return ST_NONE;
	}
	if (p->cur == '#')
		return ST_COMMENT;
	if (p->cur == '\n')
		return ST_START_LINE;
	return ST_METRIC_NAME;
}

static enum pstate st_comment(struct parser *p)
{
	bool help;

	skip_blank(p);
	if (stopped(p))
		return ST_NONE;
	if (p->cur == '\n')
		return ST_START_LINE;
	token_until_space(p);
	if (stopped(p))
		return ST_NONE;
	if (p->cur == '\n')
		return ST_START_LINE;
	if (strcmp(buf_str(&p->tok), "HELP") && strcmp(buf_str(&p->tok), "TYPE")) {
		while (p->cur != '\n')
			if (!next(p))
				return ST_NONE;
		return ST_START_LINE;
	}
	help = !strcmp(buf_str(&p->tok), "HELP");
	skip_blank(p);
	if (stopped(p))
		return ST_NONE;
	token_name(p, true);
	if (stopped(p))
		return ST_NONE;
	if (p->cur == '\n')
		return ST_START_LINE;
	if (!blank(p->cur)) {
		perr(p, "invalid metric name in comment");
		return ST_NONE;
	}
	set_family(p);
	skip_blank(p);
	if (stopped(p))
		return ST_NONE;
	if (p->cur == '\n')
		return ST_START_LINE;
	return help ? ST_HELP : ST_TYPE;
}

static enum pstate st_metric_name(struct parser *p)
{
	token_name(p, true);
	if (stopped(p))
		return ST_NONE;
	if (!p->tok.len) {
		perr(p, "invalid metric name");
		return ST_NONE;
	}
	set_family(p);
	if (!p->mf->has_type) {
		p->mf->has_type = true;
		p->mf->type = EXPFMT_UNTYPED;
	}
	metric_release(&p->pending);
	p->m = &p->pending;
	skip_blank_if_blank(p);
	if (stopped(p))
		return ST_NONE;
	return ST_LABELS;
}

static enum pstate st_labels(struct parser *p)
{
	if (is_agg(p->mf)) {
		buf_reset(&p->sig);
		p->quantile = p->bucket = NAN;
	}
	return p->cur == '{' ? ST_LABEL_NAME : ST_VALUE;
}

static enum pstate st_label_name(struct parser *p)
{
	struct buf m = BUF_INIT;
	enum pstate next_state = ST_NONE;
	bool special;

	skip_blank(p);
	if (stopped(p))
		goto done;
	if (p->cur == '}') {
		skip_blank(p);
		if (!stopped(p))
			next_state = ST_VALUE;
		goto done;
	}
	token_name(p, false);
	if (stopped(p))
		goto done;
	if (!p->tok.len) {
		buf_adds(&m, "invalid label name for metric ");
		go_quote(&m, p->mf->name, strlen(p->mf->name));
		perr(p, buf_str(&m));
		goto done;
	}
	buf_reset(&p->pair_name);
	buf_add(&p->pair_name, p->tok.data, p->tok.len);
	if (!strcmp(buf_str(&p->pair_name), "__name__")) {
		perr(p, "label name \"__name__\" is reserved");
		goto done;
	}
	special = p->mf->has_type && ((p->mf->type == EXPFMT_SUMMARY && !strcmp(buf_str(&p->pair_name), "quantile")) ||
				      (p->mf->type == EXPFMT_HISTOGRAM && !strcmp(buf_str(&p->pair_name), "le")));
	p->pair = NULL;
	if (!special) {
		ALLOC_GROW(p->m->labels, p->m->nlabels + 1, p->m->labels_cap);
		p->pair = &p->m->labels[p->m->nlabels++];
		p->pair->name = xstrdup(buf_str(&p->pair_name));
		p->pair->value = NULL;
	}
	skip_blank_if_blank(p);
	if (stopped(p))
		goto done;
	if (p->cur != '=') {
		buf_adds(&m, "expected '=' after label name, found ");
		quote_byte(&m, p->cur);
		perr(p, buf_str(&m));
		goto done;
	}
	for (size_t i = 0; i < p->m->nlabels; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(p->m->labels[i].name, p->m->labels[j].name)) {
				buf_adds(&m, "duplicate label names for metric ");
				go_quote(&m, p->mf->name, strlen(p->mf->name));
				perr(p, buf_str(&m));
				goto done;
			}
	next_state = ST_LABEL_VALUE;
done:
	buf_release(&m);
	return next_state;
}

/* parseFloat of text_parse.go: no 'p', 'P' or '_', then strconv.ParseFloat */
static int parse_float(const struct buf *s, double *out)
{
	const char *d = bs(s);
	if (strpbrk(d, "pP_") || memchr(d, 0, s->len))
		return -1;
	return go_parse_float(d, s->len, out) ? -1 : 0;
}

static enum pstate st_label_value(struct parser *p)
{
	struct buf m = BUF_INIT;
	enum pstate next_state = ST_NONE;
	const char *name = buf_str(&p->pair_name);

	skip_blank(p);
	if (stopped(p))
		goto done;
	if (p->cur != '"') {
		buf_adds(&m, "expected '\"' at start of label value, found ");
		quote_byte(&m, p->cur);
		perr(p, buf_str(&m));
		goto done;
	}
	token_label_value(p);
	if (stopped(p))
		goto done;
	buf_reset(&p->pair_value);
	buf_add(&p->pair_value, p->tok.data, p->tok.len);
	if (!go_utf8_valid(p->pair_value.data, p->pair_value.len)) {
		buf_adds(&m, "invalid label value ");
		go_quote(&m, bs(&p->pair_value), p->pair_value.len);
		perr(p, buf_str(&m));
		goto done;
	}
	if (p->pair)
		p->pair->value = xstrdup(buf_str(&p->pair_value));
	if (is_agg(p->mf)) {
		bool summary = p->mf->type == EXPFMT_SUMMARY;
		if (!strcmp(name, summary ? "quantile" : "le")) {
			double v;
			if (parse_float(&p->pair_value, &v)) {
				buf_addf(&m, "expected float as value for '%s' label, got ", name);
				go_quote(&m, bs(&p->pair_value), p->pair_value.len);
				perr(p, buf_str(&m));
				goto done;
			}
			if (summary)
				p->quantile = v;
			else
				p->bucket = v;
		} else {
			/* currentLabels: a later same name overwrites, as the map does */
			buf_adds(&p->sig, name);
			buf_addc(&p->sig, 0);
			buf_add(&p->sig, p->pair_value.data, p->pair_value.len);
			buf_addc(&p->sig, 0);
		}
	}
	skip_blank(p);
	if (stopped(p))
		goto done;
	if (p->cur == ',') {
		next_state = ST_LABEL_NAME;
	} else if (p->cur == '}') {
		skip_blank(p);
		if (!stopped(p))
			next_state = ST_VALUE;
	} else {
		buf_adds(&m, "unexpected end of label value ");
		go_quote(&m, bs(&p->pair_value), p->pair_value.len);
		perr(p, buf_str(&m));
	}
done:
	buf_release(&m);
	return next_state;
}

/*
 * LabelsToSignature's equality: the label set as a sorted name/value list
 * (a repeated name keeps its last value, as the map does).
 */
static char *signature(const struct buf *sig, size_t *out_len)
{
	struct pair {
		const char *n, *v;
		size_t vl;
	} *ps = NULL;
	size_t np = 0, cap = 0;
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < sig->len;) {
		const char *n = bs(sig) + i, *v = n + strlen(n) + 1;
		size_t vl = strlen(v), k;
		i = (size_t)(v - bs(sig)) + vl + 1;
		for (k = 0; k < np && strcmp(ps[k].n, n); k++)
			;
		if (k == np) {
			ALLOC_GROW(ps, np + 1, cap);
			np++;
		}
		ps[k] = (struct pair){ n, v, vl };
	}
	for (size_t i = 1; i < np; i++)
		for (size_t j = i; j > 0 && strcmp(ps[j - 1].n, ps[j].n) > 0; j--) {
			struct pair t = ps[j];
			ps[j] = ps[j - 1];
			ps[j - 1] = t;
		}
	for (size_t i = 0; i < np; i++) {
		buf_adds(&out, ps[i].n);
		buf_addc(&out, 0xff);
		buf_add(&out, ps[i].v, ps[i].vl);
		buf_addc(&out, 0xff);
	}
	free(ps);
	return buf_detach(&out, out_len);
}

/* Appends the pending metric to its family, or finds the summary/histogram it adds to. */
static struct expfmt_metric *place_metric(struct parser *p)
{
	struct expfmt_family *f = p->mf;

	if (is_agg(f)) {
		size_t sl;
		char *sig = signature(&p->sig, &sl);
		for (size_t i = 0; i < f->nmetrics; i++)
			if (!strcmp(f->metrics[i].sig, sig)) {
				free(sig);
				metric_release(&p->pending);
				return &f->metrics[i];
			}
		p->pending.sig = sig;
	}
	ALLOC_GROW(f->metrics, f->nmetrics + 1, f->metrics_cap);
	f->metrics[f->nmetrics] = p->pending;
	memset(&p->pending, 0, sizeof(p->pending));
	return &f->metrics[f->nmetrics++];
}

static enum pstate st_value(struct parser *p)
{
	struct expfmt_metric *m = place_metric(p);
	double v;

	p->m = m;
	token_until_space(p);
	if (stopped(p))
		return ST_NONE;
	if (parse_float(&p->tok, &v)) {
		struct buf msg = BUF_INIT;
		buf_adds(&msg, "expected float as value, got ");
		go_quote(&msg, bs(&p->tok), p->tok.len);
		perr(p, buf_str(&msg));
		buf_release(&msg);
		return ST_NONE;
	}
	switch (p->mf->type) {
	case EXPFMT_COUNTER:
	case EXPFMT_GAUGE:
	case EXPFMT_UNTYPED:
		m->has_value = true;
		m->value = v;
		break;
	case EXPFMT_SUMMARY:
	case EXPFMT_HISTOGRAM: {
		double at = p->mf->type == EXPFMT_SUMMARY ? p->quantile : p->bucket;
		m->has_agg = true;
		if (p->is_count) {
			/* uint64(value) as Go compiles it on amd64: signed
			 * truncation below 2^63, 2^63 for NaN and out of range */
			if (v > -9223372036854775808.0 && v < 9223372036854775808.0)
				m->count = (uint64_t)(int64_t)v;
			else if (v >= 9223372036854775808.0 && v < 18446744073709551616.0)
				m->count = (uint64_t)v;
			else
				m->count = UINT64_C(1) << 63;
		} else if (p->is_sum) {
			m->sum = v;
		} else if (!isnan(at)) {
			ALLOC_GROW(m->points, m->npoints + 1, m->points_cap);
			m->points[m->npoints++] = (struct expfmt_point){ at, v };
		}
		break;
	}
	default: {
		struct buf msg = BUF_INIT;
		go_quote(&msg, p->mf->name, strlen(p->mf->name));
		err_set(p->e, "unexpected type for metric name %s", buf_str(&msg));
		p->failed = true;
		buf_release(&msg);
		return ST_NONE;
	}
	}
	return p->cur == '\n' ? ST_START_LINE : ST_TIMESTAMP;
}

static enum pstate st_timestamp(struct parser *p)
{
	struct buf msg = BUF_INIT;
	enum pstate next_state = ST_NONE;
	char *end;
	long long ts;

	skip_blank(p);
	if (stopped(p))
		goto done;
	token_until_space(p);
	if (stopped(p))
		goto done;
	/* strconv.ParseInt(s, 10, 64): optional sign, decimal digits only */
	{
		const char *s = buf_str(&p->tok);
		const char *d = *s == '+' || *s == '-' ? s + 1 : s;
		bool ok = *d != 0;
		for (const char *q = d; *q; q++)
			ok = ok && *q >= '0' && *q <= '9';
		errno = 0;
		ts = ok ? strtoll(s, &end, 10) : 0;
		if (!ok || errno || *end || strlen(s) != p->tok.len) {
			buf_adds(&msg, "expected integer as timestamp, got ");
			go_quote(&msg, bs(&p->tok), p->tok.len);
			perr(p, buf_str(&msg));
			goto done;
		}
	}
	p->m->has_ts = true;
	p->m->ts_ms = ts;
	token_until_newline(p, false);
	if (stopped(p))
		goto done;
	if (p->tok.len) {
		buf_adds(&msg, "spurious string after timestamp: ");
		go_quote(&msg, bs(&p->tok), p->tok.len);
		perr(p, buf_str(&msg));
		goto done;
	}
	next_state = ST_START_LINE;
done:
	buf_release(&msg);
	return next_state;
}

static enum pstate st_help(struct parser *p)
{
	if (p->mf->has_help) {
		struct buf m = BUF_INIT;
		buf_adds(&m, "second HELP line for metric name ");
		go_quote(&m, p->mf->name, strlen(p->mf->name));
		perr(p, buf_str(&m));
		buf_release(&m);
		return ST_NONE;
	}
	token_until_newline(p, true);
	if (stopped(p))
		return ST_NONE;
	p->mf->has_help = true;
	p->mf->help = xstrdup(buf_str(&p->tok));
	return ST_START_LINE;
}

static enum pstate st_type(struct parser *p)
{
	static const char *const names[] = { "COUNTER", "GAUGE", "SUMMARY", "UNTYPED", "HISTOGRAM",
					     "GAUGE_HISTOGRAM" };
	struct buf m = BUF_INIT;
	const char *t;

	if (p->mf->has_type) {
		buf_adds(&m, "second TYPE line for metric name ");
		go_quote(&m, p->mf->name, strlen(p->mf->name));
		buf_adds(&m, ", or TYPE reported after samples");
		perr(p, buf_str(&m));
		goto fail;
	}
	token_until_newline(p, false);
	if (stopped(p))
		goto fail;
	t = buf_str(&p->tok);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		/* strings.ToUpper on ASCII names: a case-blind match, but only
		 * of ASCII letters (ToUpper maps no other byte into them) */
		if (strlen(t) == strlen(names[i]) && !strcasecmp(t, names[i])) {
			p->mf->has_type = true;
			p->mf->type = (enum expfmt_type)i;
			buf_release(&m);
			return ST_START_LINE;
		}
	}
	buf_adds(&m, "unknown metric type ");
	go_quote(&m, bs(&p->tok), p->tok.len);
	perr(p, buf_str(&m));
fail:
	buf_release(&m);
	return ST_NONE;
}

void expfmt_init(struct expfmt *x)
{
	memset(x, 0, sizeof(*x));
}

void expfmt_release(struct expfmt *x)
{
	for (size_t i = 0; i < x->nfamilies; i++) {
		struct expfmt_family *f = &x->families[i];
		for (size_t k = 0; k < f->nmetrics; k++)
			metric_release(&f->metrics[k]);
		free(f->metrics);
		free(f->name);
		free(f->help);
	}
	free(x->families);
	free(x->slots);
	memset(x, 0, sizeof(*x));
}

int expfmt_parse(struct expfmt *x, const char *data, size_t len, struct err *e)
{
	struct parser p;
	enum pstate s = ST_START_LINE;
	size_t kept = 0;

	memset(&p, 0, sizeof(p));
	p.x = x;
	p.data = data;
	p.len = len;
	p.e = e;
	p.quantile = p.bucket = NAN;
	while (s != ST_NONE) {
		switch (s) {
		case ST_START_LINE: s = st_start_line(&p); break;
		case ST_COMMENT: s = st_comment(&p); break;
		case ST_METRIC_NAME: s = st_metric_name(&p); break;
		case ST_LABELS: s = st_labels(&p); break;
		case ST_LABEL_NAME: s = st_label_name(&p); break;
		case ST_LABEL_VALUE: s = st_label_value(&p); break;
		case ST_VALUE: s = st_value(&p); break;
		case ST_TIMESTAMP: s = st_timestamp(&p); break;
		case ST_HELP: s = st_help(&p); break;
		case ST_TYPE: s = st_type(&p); break;
		case ST_NONE: break;
		}
	}
	if (p.eof && !p.failed)
		perr(&p, "unexpected end of input stream");
	metric_release(&p.pending);
	buf_release(&p.tok);
	buf_release(&p.pair_name);
	buf_release(&p.pair_value);
	buf_release(&p.sig);
	/* drop the families without metrics */
	for (size_t i = 0; i < x->nfamilies; i++) {
		if (x->families[i].nmetrics) {
			x->families[kept++] = x->families[i];
			continue;
		}
		free(x->families[i].metrics);
		free(x->families[i].name);
		free(x->families[i].help);
	}
	x->nfamilies = kept;
	free(x->slots);
	x->slots = NULL;
	x->nslots = 0;
	return p.failed ? -1 : 0;
}

static int cmp_family(const void *a, const void *b)
{
	return strcmp((*(const struct expfmt_family *const *)a)->name, (*(const struct expfmt_family *const *)b)->name);
}

const struct expfmt_family **expfmt_sorted(const struct expfmt *x)
{
	const struct expfmt_family **out = xcalloc(x->nfamilies + 1, sizeof(*out));
	for (size_t i = 0; i < x->nfamilies; i++)
		out[i] = &x->families[i];
	qsort(out, x->nfamilies, sizeof(*out), cmp_family);
	return out;
}
