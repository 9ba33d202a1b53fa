/*
 * Series descriptions and metrics as 2.42's promql/parser reads them for
 * tests (ParseSeriesDesc, ParseMetric; see seriesdesc.h).
 *
 * The lexer is lex.go's state machine in series-description mode:
 * lexStatements for the metric, lexInsideBraces for labels, and after the
 * closing brace (or a metric name not followed by "{") lexValueSequence,
 * which emits SPACE, BLANK "_", TIMES "x", ADD, SUB, NUMBER and
 * identifiers ("stale"; "inf"/"nan" are numbers).
 *
 * The parser is the LR automaton goyacc builds from generated_parser.y's
 * rules start, series_description, metric, metric_identifier, label_set,
 * label_set_list, label_set_item, series_values, series_item,
 * series_value, number, signed_number and uint, driven as goyacc's parser
 * is: states that only reduce do so without reading ahead; other states
 * reduce by default when no shift applies, except the states that can
 * shift `error` (they check their lookahead); on a syntax error the stack
 * is popped to a state that shifts `error`, whose rule's action reports
 * "unexpected <token> in <context>", and up to three following tokens are
 * discarded silently.  That reproduces where and how an error is reported:
 *   "1+ 2"   -> unexpected " " in series values
 *   "_+1x2"  -> unexpected <op:+>      (after a complete item, the rule
 *                                       `start: error` reports it)
 */
#include "4-promql/seriesdesc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "1-common/utf8.h"
#include "1-common/xalloc.h"
#include "4-promql/gostr.h"
#include "4-promql/seriesdesc_lex.h"

/* ---- the automaton ----------------------------------------------------- */

enum st {
	S0, S_START, S_SEOF, S_E0, S1, S1M, S_SD, S_MM, S_MID, S_MI, S_MILS, S_LSONLY,
	S_LB, S_LBRB, S_ELSI, S_LSI1, S_ID, S_EID, S_EQL, S_STR, S_EEQL, S_LSL, S_RB, S_ELSL,
	S_COMMA, S_CRB, S_LSI3, S_METRIC, S_ESV, S_SV, S_SPACE, S_ITEM, S_BLANK, S_BTIMES, S_UINT,
	S_BTUINT, S_IDENTV, S_NUM, S_SVNUM, S_SVSN, S_ADD, S_ADDNUM, S_SUB, S_SUBNUM, S_SVAL,
	S_VTIMES, S_VTUINT, S_VSN, S_VSNT, S_VSNTUINT,
};

enum nt { N_START, N_SD, N_METRIC, N_MI, N_LS, N_LSL, N_LSI, N_SV, N_ITEM, N_SVAL, N_NUMBER, N_SN, N_UINT };

/* A value-stack entry. */
struct sval {
	enum st s;
	struct token tok;
	double f;
	uint64_t u;
	size_t vstart, vcount; /* ITEM: expanded values appended at the end */
};

struct parser {
	struct lexer l;
	struct token la;     /* lval.item: the last token read */
	bool have_la;
	int la_code;         /* token as goyacc sees it (TK_END after an ERROR) */
	struct sval *stack;
	size_t n, cap;
	struct buf errs;     /* the first of the ParseErrors */
	const char *input;
	struct labels set;   /* the label set being built */
	struct labels metric;
	bool got_result;
	double *vals;
	bool *omitted;
	size_t nvals, vcap;
	int errflag;
	bool eof_sent; /* Lex injects $end after the EOF item */
};

/* addParseErr; ParseErrors.Error() prints only the first, so only the
 * first is kept. */
static void perr(struct parser *p, size_t pos, const char *msg)
{
	if (p->errs.len)
		return;
	buf_addf(&p->errs, "1:%zu: parse error: %s", pos + 1, msg);
}

/* parser.unexpected(context, expected) */
static void unexpected(struct parser *p, const char *context, const char *expected)
{
	struct buf b = BUF_INIT;

	if (p->la.t == TK_ERROR)
		return;
	buf_adds(&b, "unexpected ");
	sd_token_desc(&b, &p->la);
	if (*context)
		buf_addf(&b, " in %s", context);
	if (*expected)
		buf_addf(&b, ", expected %s", expected);
	perr(p, p->la.pos, buf_str(&b));
	buf_release(&b);
}

static void read_la(struct parser *p)
{
	if (p->have_la)
		return;
	p->have_la = true;
	if (p->eof_sent) {
		p->la_code = TK_END; /* lval still holds the EOF item */
		return;
	}
	sd_lex(&p->l, &p->la);
	p->eof_sent = p->la.t == TK_EOF;
	p->have_la = true;
	p->la_code = p->la.t == TK_ERROR ? TK_END : (int)p->la.t;
	if (p->la.t == TK_ERROR)
		perr(p, p->l.start, p->la.val);
}

static void push(struct parser *p, enum st s)
{
	ALLOC_GROW(p->stack, p->n + 1, p->cap);
	memset(&p->stack[p->n], 0, sizeof(p->stack[p->n]));
	p->stack[p->n++].s = s;
}

static void add_value(struct parser *p, double v, bool omitted)
{
	size_t cap = p->vcap;

	ALLOC_GROW(p->vals, p->nvals + 1, p->vcap);
	/* resized with vals only: a realloc per value copies under ASan */
	if (p->vcap != cap || !p->omitted)
		p->omitted = xreallocarray(p->omitted, p->vcap, sizeof(*p->omitted));
	p->vals[p->nvals] = v;
	p->omitted[p->nvals++] = omitted;
}

/* strconv.ParseInt(s, 0, 64) for the digit strings the lexer makes. */
static bool parse_int0(const char *s, size_t n, double *out)
{
	unsigned base = 10;
	size_t i = 0;
	uint64_t v = 0;

	if (n > 1 && s[0] == '0') {
		base = 8;
		i = 1;
	}
	if (n == 0)
		return false;
	for (; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (s[i] < '0' || s[i] > '9' || d >= base)
			return false;
		if (v > ((uint64_t)INT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = (double)v;
	return true;
}

/* parser.number(): ParseInt(val, 0, 64), else ParseFloat. */
static double number(struct parser *p, const struct token *t)
{
	double f;
	int rc;

	if (parse_int0(t->val, t->len, &f))
		return f;
	rc = go_parse_float(t->val, t->len, &f);
	if (rc == -1 || rc == -2) {
		struct buf b = BUF_INIT;
		buf_adds(&b, "error parsing number: strconv.ParseFloat: parsing ");
		go_quote(&b, t->val, t->len);
		buf_adds(&b, rc == -1 ? ": invalid syntax" : ": value out of range");
		perr(p, p->la.pos, buf_str(&b));
		buf_release(&b);
		if (rc == -1)
			f = 0;
	}
	return f;
}

/* strutil.Unquote of a STRING token the lexer accepted. */
static char *unquote(const struct token *t)
{
	struct buf b = BUF_INIT;
	const char *s = t->val;
	size_t n = t->len;

	if (s[0] == '`') {
		buf_add(&b, s + 1, n - 2);
		return buf_detach(&b, NULL); /* never NULL, "" for `` */
	}
	for (size_t i = 1; i + 1 < n; i++) {
		unsigned long r = 0;
		int nd = 0, base = 16;
		if (s[i] != '\\') {
			buf_addc(&b, (unsigned char)s[i]);
			continue;
		}
		i++;
		switch (s[i]) {
		case 'a': buf_addc(&b, 7); continue;
		case 'b': buf_addc(&b, 8); continue;
		case 'f': buf_addc(&b, 12); continue;
		case 'n': buf_addc(&b, 10); continue;
		case 'r': buf_addc(&b, 13); continue;
		case 't': buf_addc(&b, 9); continue;
		case 'v': buf_addc(&b, 11); continue;
		case 'x': nd = 2; i++; break;
		case 'u': nd = 4; i++; break;
		case 'U': nd = 8; i++; break;
		default:
			if (s[i] >= '0' && s[i] <= '7') {
				nd = 3;
				base = 8;
				break;
			}
			buf_addc(&b, (unsigned char)s[i]);
			continue;
		}
		for (int k = 0; k < nd; k++, i++) {
			char c = s[i];
			r = r * (unsigned long)base + (unsigned long)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
		}
		i--;
		if (base == 8 || nd == 2)
			buf_addc(&b, (unsigned char)r);
		else
			go_put_rune(&b, (int32_t)r);
	}
	{
		char *out = buf_detach(&b, NULL);
		return out ? out : xstrdup("");
	}
}

static enum st goto_state(enum st s, enum nt n)
{
	switch (n) {
	case N_START: return S_START;
	case N_SD: return S_SD;
	case N_METRIC: return s == S1 ? S_METRIC : S_MM;
	case N_MI: return S_MI;
	case N_LS: return s == S_MI ? S_MILS : S_LSONLY;
	case N_LSL: return S_LSL;
	case N_LSI: return s == S_LB ? S_LSI1 : S_LSI3;
	case N_SV: return S_SV;
	case N_ITEM: return S_ITEM;
	case N_SVAL: return S_SVAL;
	case N_NUMBER: return s == S_SPACE ? S_SVNUM : s == S_ADD ? S_ADDNUM : S_SUBNUM;
	case N_SN: return s == S_SPACE ? S_SVSN : S_VSN;
	case N_UINT: return s == S_BTIMES ? S_BTUINT : s == S_VTIMES ? S_VTUINT : S_VSNTUINT;
	}
	return S0;
}

/* Pops len entries, pushes the goto of lhs; returns the new entry. */
static struct sval *reduce(struct parser *p, size_t len, enum nt lhs)
{
	enum st s;
	struct sval save[4];

	memcpy(save, p->stack + p->n - len, len * sizeof(*save));
	p->n -= len;
	s = goto_state(p->stack[p->n - 1].s, lhs);
	push(p, s);
	(void)save;
	return &p->stack[p->n - 1];
}

/* uint: strconv.ParseUint(val, 10, 64) */
static uint64_t parse_uint(struct parser *p, const struct token *t)
{
	uint64_t v = 0;
	bool range = false, bad = t->len == 0;

	for (size_t i = 0; i < t->len; i++) {
		if (t->val[i] < '0' || t->val[i] > '9') {
			bad = true;
			break;
		}
		if (v > (UINT64_MAX - (uint64_t)(t->val[i] - '0')) / 10)
			range = true;
		else
			v = v * 10 + (uint64_t)(t->val[i] - '0');
	}
	if (bad || range) {
		struct buf b = BUF_INIT;
		buf_adds(&b, "invalid repetition in series values: strconv.ParseUint: parsing ");
		go_quote(&b, t->val, t->len);
		buf_adds(&b, bad ? ": invalid syntax" : ": value out of range");
		perr(p, t->pos, buf_str(&b));
		buf_release(&b);
		return bad ? 0 : UINT64_MAX;
	}
	return v;
}

static void expand(struct parser *p, double v, double inc, bool has_inc, uint64_t times, bool omitted, bool plus_one)
{
	uint64_t k = plus_one ? times + 1 : times;

	if (k > PROMQL_SERIES_DESC_MAX_VALUES || p->nvals + k > PROMQL_SERIES_DESC_MAX_VALUES) {
		if (!strstr(buf_str(&p->errs), "too many values"))
			perr(p, p->la.pos, "too many values in series description");
		return;
	}
	for (uint64_t i = 0; i < k; i++) {
		add_value(p, v, omitted);
		if (has_inc)
			v += inc;
	}
}

/* One reduction by the state's rule (the states that reduce). */
static bool do_reduce(struct parser *p, enum st s)
{
	struct sval *top = &p->stack[p->n - 1], *r;

	switch (s) {
	case S_E0: reduce(p, 1, N_START); unexpected(p, "", ""); return true;
	case S_SEOF: reduce(p, 2, N_START); return true;
	case S_SD: reduce(p, 2, N_START); return true;
	case S_MM:
		reduce(p, 2, N_START);
		p->got_result = true;
		return true;
	case S_MID: {
		struct token t = top->tok;
		r = reduce(p, 1, N_MI);
		r->tok = t;
		return true;
	}
	case S_MILS: {
		struct token t = p->stack[p->n - 2].tok;
		char *name = xstrndup(t.val, t.len);
		/* labels.Builder.Set(__name__, name) over the label set */
		labels_set_copy(&p->set, "__name__", name);
		free(name);
		labels_sort(&p->set);
		reduce(p, 2, N_METRIC);
		labels_release(&p->metric);
		p->metric = p->set;
		labels_init(&p->set);
		return true;
	}
	case S_LSONLY:
		reduce(p, 1, N_METRIC);
		labels_release(&p->metric);
		p->metric = p->set;
		labels_init(&p->set);
		return true;
	case S_LBRB: reduce(p, 2, N_LS); labels_reset(&p->set); return true;
	case S_RB: reduce(p, 3, N_LS); labels_sort(&p->set); return true;
	case S_CRB: reduce(p, 4, N_LS); labels_sort(&p->set); return true;
	case S_ELSI: reduce(p, 1, N_LSI); unexpected(p, "label set", "identifier or \"}\""); return true;
	case S_EID: reduce(p, 2, N_LSI); unexpected(p, "label set", "\"=\""); return true;
	case S_EEQL: reduce(p, 3, N_LSI); unexpected(p, "label set", "string"); return true;
	case S_ELSL: reduce(p, 2, N_LSL); unexpected(p, "label set", "\",\" or \"}\""); return true;
	case S_STR: {
		struct token name = p->stack[p->n - 3].tok, val = top->tok;
		char *k = xstrndup(name.val, name.len), *v = unquote(&val);
		labels_add_copy(&p->set, k, v);
		free(k);
		free(v);
		reduce(p, 3, N_LSI);
		return true;
	}
	case S_LSI1: reduce(p, 1, N_LSL); return true;
	case S_LSI3: reduce(p, 3, N_LSL); return true;
	case S_ESV: reduce(p, 1, N_SV); unexpected(p, "series values", ""); return true;
	case S_ITEM: reduce(p, 3, N_SV); return true;
	case S_UINT: {
		struct token t = top->tok;
		r = reduce(p, 1, N_UINT);
		r->u = parse_uint(p, &t);
		return true;
	}
	case S_BTUINT: {
		uint64_t u = top->u;
		reduce(p, 3, N_ITEM);
		expand(p, 0, 0, false, u, true, false);
		return true;
	}
	case S_IDENTV: {
		struct token t = top->tok;
		if (!(t.len == 5 && !memcmp(t.val, "stale", 5)))
			unexpected(p, "series values", "number or \"stale\"");
		r = reduce(p, 1, N_SVAL);
		r->f = prom_stale_nan();
		return true;
	}
	case S_NUM: {
		struct token t = top->tok;
		double f = number(p, &t);
		/* number: NUMBER -- the goto depends on the state below */
		r = reduce(p, 1, N_NUMBER);
		r->f = f;
		return true;
	}
	case S_SVNUM:
	case S_SVSN: {
		double f = top->f;
		r = reduce(p, 1, N_SVAL);
		r->f = f;
		return true;
	}
	case S_ADDNUM:
	case S_SUBNUM: {
		double f = s == S_ADDNUM ? top->f : -top->f;
		r = reduce(p, 2, N_SN);
		r->f = f;
		return true;
	}
	case S_VTUINT: {
		double v = p->stack[p->n - 3].f;
		uint64_t u = top->u;
		reduce(p, 3, N_ITEM);
		expand(p, v, 0, false, u, false, true);
		return true;
	}
	case S_VSNTUINT: {
		double v = p->stack[p->n - 4].f, inc = p->stack[p->n - 3].f;
		uint64_t u = top->u;
		reduce(p, 4, N_ITEM);
		expand(p, v, inc, true, u, false, true);
		return true;
	}
	default:
		return false;
	}
}

/* Simple states: reduce without reading ahead. */
static bool simple(enum st s)
{
	switch (s) {
	case S_E0: case S_SEOF: case S_SD: case S_MM: case S_MID: case S_MILS: case S_LSONLY: case S_LBRB:
	case S_RB: case S_CRB: case S_ELSI: case S_EID: case S_EEQL: case S_ELSL: case S_STR: case S_LSI1:
	case S_LSI3: case S_ESV: case S_ITEM: case S_UINT: case S_BTUINT: case S_IDENTV: case S_NUM:
	case S_SVNUM: case S_SVSN: case S_ADDNUM: case S_SUBNUM: case S_VTUINT: case S_VSNTUINT:
		return true;
	default:
		return false;
	}
}

/* The state shifted on `error` from s, or -1. */
static int error_shift(enum st s)
{
	switch (s) {
	case S0: return S_E0;
	case S_LB: case S_COMMA: return S_ELSI;
	case S_ID: return S_EID;
	case S_EQL: return S_EEQL;
	case S_LSL: return S_ELSL;
	case S_METRIC: return S_ESV;
	default: return -1;
	}
}

enum act { A_ERROR, A_SHIFT, A_REDUCE, A_ACCEPT };

/* The action of non-simple state s on token tk: shift target in *to. */
static enum act action(const struct parser *p, enum st s, int tk, enum st *to)
{
	const struct token *la = &p->la;
	bool mi = tk != TK_END && la->metric_ident &&
		  (tk == TK_IDENT || tk == TK_METRIC_IDENT || tk == TK_AGGR || tk == TK_KEYWORD || tk == TK_PREPROC ||
		   tk == TK_OP);

	switch (s) {
	case S0:
		if (tk == TK_START_SD) { *to = S1; return A_SHIFT; }
		if (tk == TK_START_METRIC) { *to = S1M; return A_SHIFT; }
		return A_ERROR;
	case S_START:
		if (tk == TK_EOF) { *to = S_SEOF; return A_SHIFT; }
		return tk == TK_END ? A_ACCEPT : A_ERROR;
	case S1:
	case S1M:
		if (mi) { *to = S_MID; return A_SHIFT; }
		if (tk == TK_LBRACE) { *to = S_LB; return A_SHIFT; }
		return A_REDUCE; /* label_set: empty */
	case S_MI:
		if (tk == TK_LBRACE) { *to = S_LB; return A_SHIFT; }
		return A_REDUCE;
	case S_LB:
		if (tk == TK_RBRACE) { *to = S_LBRB; return A_SHIFT; }
		if (tk == TK_IDENT) { *to = S_ID; return A_SHIFT; }
		return A_ERROR;
	case S_ID:
		if (tk == TK_EQL) { *to = S_EQL; return A_SHIFT; }
		return A_ERROR;
	case S_EQL:
		if (tk == TK_STRING) { *to = S_STR; return A_SHIFT; }
		return A_ERROR;
	case S_LSL:
		if (tk == TK_RBRACE) { *to = S_RB; return A_SHIFT; }
		if (tk == TK_COMMA) { *to = S_COMMA; return A_SHIFT; }
		return A_ERROR;
	case S_COMMA:
		if (tk == TK_RBRACE) { *to = S_CRB; return A_SHIFT; }
		if (tk == TK_IDENT) { *to = S_ID; return A_SHIFT; }
		return A_ERROR;
	case S_METRIC:
		/* an error-shifting state: the empty series_values only on its lookahead */
		return tk == TK_SPACE || tk == TK_EOF || tk == TK_END ? A_REDUCE : A_ERROR;
	case S_SV:
		if (tk == TK_SPACE) { *to = S_SPACE; return A_SHIFT; }
		return A_REDUCE;
	case S_SPACE:
		switch (tk) {
		case TK_BLANK: *to = S_BLANK; return A_SHIFT;
		case TK_IDENT: *to = S_IDENTV; return A_SHIFT;
		case TK_NUMBER: *to = S_NUM; return A_SHIFT;
		case TK_ADD: *to = S_ADD; return A_SHIFT;
		case TK_SUB: *to = S_SUB; return A_SHIFT;
		default: return A_REDUCE;
		}
	case S_BLANK:
		if (tk == TK_TIMES) { *to = S_BTIMES; return A_SHIFT; }
		return A_REDUCE;
	case S_BTIMES:
	case S_VTIMES:
	case S_VSNT:
		if (tk == TK_NUMBER) { *to = S_UINT; return A_SHIFT; }
		return A_ERROR;
	case S_ADD:
	case S_SUB:
		if (tk == TK_NUMBER) { *to = S_NUM; return A_SHIFT; }
		return A_ERROR;
	case S_SVAL:
		if (tk == TK_TIMES) { *to = S_VTIMES; return A_SHIFT; }
		if (tk == TK_ADD) { *to = S_ADD; return A_SHIFT; }
		if (tk == TK_SUB) { *to = S_SUB; return A_SHIFT; }
		return A_REDUCE;
	case S_VSN:
		if (tk == TK_TIMES) { *to = S_VSNT; return A_SHIFT; }
		return A_ERROR;
	default:
		return A_ERROR;
	}
}

/* The default reduction of non-simple states. */
static void reduce_default(struct parser *p, enum st s)
{
	switch (s) {
	case S1: case S1M: case S_MI:
		reduce(p, 0, N_LS);
		labels_reset(&p->set);
		break;
	case S_METRIC: reduce(p, 0, N_SV); break;
	case S_SV: reduce(p, 2, N_SD); p->got_result = true; break;
	case S_SPACE: reduce(p, 2, N_SV); break;
	case S_BLANK: reduce(p, 1, N_ITEM); expand(p, 0, 0, false, 1, true, false); break;
	case S_SVAL: {
		double v = p->stack[p->n - 1].f;
		reduce(p, 1, N_ITEM);
		expand(p, v, 0, false, 0, false, true);
		break;
	}
	default:
		break;
	}
}

/* goyacc's driver; the start token is injected first. */
static void run(struct parser *p, enum tk start)
{
	bool injected = false;

	push(p, S0);
	for (;;) {
		enum st s = p->stack[p->n - 1].s, to;
		enum act a;
		int tk;

		if (simple(s)) {
			do_reduce(p, s);
			continue;
		}
		if (!injected) {
			p->la_code = start;
			memset(&p->la, 0, sizeof(p->la));
			p->have_la = true;
			injected = true;
		}
		read_la(p);
		tk = p->la_code;
		a = action(p, s, tk, &to);
		if (a == A_ACCEPT)
			return;
		if (a == A_SHIFT) {
			push(p, to);
			p->stack[p->n - 1].tok = p->la;
			p->have_la = false;
			if (p->errflag > 0)
				p->errflag--;
			continue;
		}
		if (a == A_REDUCE) {
			reduce_default(p, s);
			continue;
		}
		/* syntax error */
		if (p->errflag < 3) {
			p->errflag = 3;
			while (p->n > 0) {
				int es = error_shift(p->stack[p->n - 1].s);
				if (es >= 0) {
					push(p, (enum st)es);
					break;
				}
				p->n--;
			}
			if (p->n == 0)
				return; /* abort */
			continue;
		}
		if (tk == TK_END)
			return;
		p->have_la = false; /* discard the token */
	}
}

static void parser_init(struct parser *p, const char *s, size_t len, bool series)
{
	memset(p, 0, sizeof(*p));
	p->l.in = s;
	p->l.len = len;
	p->l.series = series;
	p->input = s;
	labels_init(&p->set);
	labels_init(&p->metric);
}

static void parser_release(struct parser *p)
{
	free(p->stack);
	buf_release(&p->errs);
	buf_release(&p->l.msg);
	labels_release(&p->set);
	labels_release(&p->metric);
	free(p->vals);
	free(p->omitted);
}

int promql_series_desc_parse(const char *s, size_t len, struct labels *ls, double **vals, bool **omitted,
			     size_t *n, size_t *cap, struct err *e)
{
	struct parser p;
	int rc = 0;

	parser_init(&p, s, len, true);
	run(&p, TK_START_SD);
	if (p.errs.len) {
		rc = err_set(e, "%s", buf_str(&p.errs));
	} else {
		for (size_t i = 0; i < p.metric.n; i++)
			labels_set_copy(ls, p.metric.v[i].name, p.metric.v[i].value);
		labels_sort(ls);
		for (size_t i = 0; i < p.nvals; i++) {
			size_t had = *cap;
			ALLOC_GROW(*vals, *n + 1, *cap);
			if (*cap != had || !*omitted)
				*omitted = xreallocarray(*omitted, *cap, sizeof(**omitted));
			(*vals)[*n] = p.vals[i];
			(*omitted)[(*n)++] = p.omitted[i];
		}
	}
	parser_release(&p);
	return rc;
}

int promql_metric_parse(const char *s, size_t len, struct labels *ls, struct err *e)
{
	struct parser p;
	int rc = 0;

	parser_init(&p, s, len, false);
	run(&p, TK_START_METRIC);
	if (p.errs.len) {
		rc = err_set(e, "%s", buf_str(&p.errs));
	} else {
		for (size_t i = 0; i < p.metric.n; i++)
			labels_add_copy(ls, p.metric.v[i].name, p.metric.v[i].value);
		labels_sort(ls);
	}
	parser_release(&p);
	return rc;
}
