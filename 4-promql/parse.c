/*
 * The PromQL parser: builds the tree 2.42's goyacc grammar
 * (promql/parser/generated_parser.y) builds, by recursive descent with
 * precedence climbing (on an explicit stack: parse_expr.c), and reports
 * the FIRST error 2.42 would report, with its text and position.
 *
 * How 2.42's LALR error recovery is reproduced: a syntax error is caught
 * by the nearest grammar state with an `error` item.  Those are the states
 * inside label matchers, grouping labels, after offset / @ / "[", and the
 * state right after an aggregation operator -- which stays on the parser
 * stack while the aggregation's modifiers and arguments are parsed, so any
 * other syntax error inside an aggregation reads "... in aggregation".
 * Everything else falls back to the plain "unexpected X" of the start rule.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "1-common/gofmt.h"
#include "1-common/gotime.h"
#include "1-common/utf8.h"
#include "1-common/xalloc.h"
#include "4-promql/functions.h"
#include "4-promql/gostr.h"
#include "4-promql/internal.h"
#include "4-promql/nstack.h"

void promql_perr(struct promql_parser *p, int pos, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (p->failed)
		return;
	p->failed = true;
	p->err_pos = pos;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	buf_adds(&p->err_msg, msg ? msg : "out of memory");
	free(msg);
}

/* Lexes one token (skipping comments) the way 2.42's parser.Lex does. */
static void lex_one(struct promql_parser *p, struct promql_token *t)
{
	do
		promql_lexer_next(&p->lex, t);
	while (t->type == PQT_COMMENT);
	switch (t->type) {
	case PQT_ERROR:
		promql_perr(p, t->pos, "%.*s", (int)t->len, t->val);
		break;
	case PQT_RIGHT_BRACE:
	case PQT_RIGHT_PAREN:
	case PQT_RIGHT_BRACKET:
	case PQT_DURATION:
	case PQT_NUMBER:
		p->last_closing = t->pos + (int)t->len;
		break;
	default:
		break;
	}
}

static const struct promql_token *peek(struct promql_parser *p)
{
	if (p->ntoks == 0) {
		lex_one(p, &p->toks[0]);
		p->ntoks = 1;
	}
	return &p->toks[0];
}

static const struct promql_token *peek2(struct promql_parser *p)
{
	peek(p);
	if (p->ntoks == 1) {
		lex_one(p, &p->toks[1]);
		p->ntoks = 2;
	}
	return &p->toks[1];
}

static struct promql_token take(struct promql_parser *p)
{
	struct promql_token t = *peek(p);

	p->toks[0] = p->toks[1];
	p->ntoks--;
	return t;
}

static bool at(struct promql_parser *p, enum promql_tok t)
{
	return peek(p)->type == t;
}

/* 2.42's parser.unexpected(context, expected) at the lookahead token. */
static void *unexpected(struct promql_parser *p, const char *context, const char *expected)
{
	const struct promql_token *t = peek(p);
	struct buf b = BUF_INIT;

	if (t->type == PQT_ERROR || p->failed) {
		/* the lexer error is already recorded; 2.42 adds nothing */
		p->failed = true;
		return NULL;
	}
	buf_adds(&b, "unexpected ");
	promql_token_desc(&b, t);
	if (context && *context) {
		buf_adds(&b, " in ");
		buf_adds(&b, context);
	}
	if (expected && *expected) {
		buf_adds(&b, ", expected ");
		buf_adds(&b, expected);
	}
	promql_perr(p, t->pos, "%s", buf_str(&b));
	buf_release(&b);
	return NULL;
}

/* A syntax error not caught by a nearer rule (see the top comment). */
static void *unexpected_expr(struct promql_parser *p)
{
	return unexpected(p, p->agg_depth > 0 ? "aggregation" : "", "");
}

static struct promql_node *new_node(struct promql_parser *p, enum promql_node_kind k, int start, int end)
{
	struct promql_node *n = promql_arena_alloc(p->x, sizeof(*n));
	n->kind = k;
	n->pos.start = start;
	n->pos.end = end;
	return n;
}

/* The token kinds that may name a metric (grammar rule metric_identifier). */
static bool is_metric_identifier(enum promql_tok t)
{
	switch (t) {
	case PQT_AVG: case PQT_BOTTOMK: case PQT_BY: case PQT_COUNT: case PQT_COUNT_VALUES:
	case PQT_GROUP: case PQT_IDENTIFIER: case PQT_LAND: case PQT_LOR: case PQT_LUNLESS:
	case PQT_MAX: case PQT_METRIC_IDENTIFIER: case PQT_MIN: case PQT_OFFSET:
	case PQT_QUANTILE: case PQT_STDDEV: case PQT_STDVAR: case PQT_SUM: case PQT_TOPK:
	case PQT_LIMITK: case PQT_LIMIT_RATIO: /* 2.54; the lexer makes them then only */
	case PQT_WITHOUT: case PQT_START: case PQT_END: case PQT_ANCHORED: case PQT_SMOOTHED:
		return true;
	default:
		return false;
	}
}

/* The token queue and helpers above, for parse_expr.c. */
const struct promql_token *promql_peek(struct promql_parser *p) { return peek(p); }
const struct promql_token *promql_peek2(struct promql_parser *p) { return peek2(p); }
struct promql_token promql_take(struct promql_parser *p) { return take(p); }
bool promql_at(struct promql_parser *p, enum promql_tok t) { return at(p, t); }
void *promql_unexpected(struct promql_parser *p, const char *context, const char *expected)
{
	return unexpected(p, context, expected);
}
void *promql_unexpected_expr(struct promql_parser *p) { return unexpected_expr(p); }
struct promql_node *promql_new_node(struct promql_parser *p, enum promql_node_kind k, int start, int end)
{
	return new_node(p, k, start, end);
}
bool promql_is_metric_identifier(enum promql_tok t) { return is_metric_identifier(t); }

/* 3.7.0 and 3.7.1 lex anchored and smoothed as keywords that name nothing
 * (3.7.2, 0fa1e00dad, adds them to metric_identifier and maybe_label). */
static bool ext_word_refused(const struct promql_parser *p, enum promql_tok t)
{
	return (t == PQT_ANCHORED || t == PQT_SMOOTHED) &&
	       !compat_on(p->opts->compat, COMPAT_PROMQL_EXTENDED_RANGE_NAMES);
}

/* Grammar rule maybe_label: words accepted as a grouping label. */
static bool is_maybe_label(enum promql_tok t)
{
	switch (t) {
	case PQT_AVG: case PQT_BOOL: case PQT_BOTTOMK: case PQT_BY: case PQT_COUNT:
	case PQT_COUNT_VALUES: case PQT_GROUP: case PQT_GROUP_LEFT: case PQT_GROUP_RIGHT:
	case PQT_IDENTIFIER: case PQT_IGNORING: case PQT_LAND: case PQT_LOR: case PQT_LUNLESS:
	case PQT_MAX: case PQT_METRIC_IDENTIFIER: case PQT_MIN: case PQT_OFFSET: case PQT_ON:
	case PQT_QUANTILE: case PQT_STDDEV: case PQT_STDVAR: case PQT_SUM: case PQT_TOPK:
	case PQT_LIMITK: case PQT_LIMIT_RATIO: /* 2.54; the lexer makes them then only */
	case PQT_START: case PQT_END: case PQT_ATAN2: case PQT_ANCHORED: case PQT_SMOOTHED:
		return true;
	default:
		return false;
	}
}

/*
 * grouping_labels: "(" [label {"," label} [","]] ")".  2.42 keeps an empty
 * list distinct from none only for printing group_left/right, where both
 * print "()".
 */
bool promql_parse_grouping(struct promql_parser *p, const char ***out, size_t *n)
{
	const char **v = NULL;
	size_t cnt = 0, cap = 0;
	bool ok = false;

	if (!at(p, PQT_LEFT_PAREN)) {
		unexpected(p, "grouping opts", "\"(\"");
		return false;
	}
	take(p);
	if (at(p, PQT_RIGHT_PAREN)) {
		take(p);
		ok = true;
		goto done;
	}
	for (;;) {
		const struct promql_token *t = peek(p);
		if (t->type == PQT_STRING && compat_on(p->opts->compat, COMPAT_UTF8_NAMES)) {
			/* 3.0 (#14705): a quoted label name, any non-empty UTF-8 */
			struct promql_token tok = take(p);
			size_t len;
			const char *name = promql_unquote(p, &tok, &len);
			if (p->failed)
				goto done;
			if (!len || !go_utf8_valid(name, len)) {
				struct buf q = BUF_INIT;
				go_quote(&q, name, len);
				promql_perr(p, tok.pos, "invalid label name for grouping: %s", buf_str(&q));
				buf_release(&q);
				goto done;
			}
			ALLOC_GROW(v, cnt + 1, cap);
			v[cnt++] = name;
			goto next;
		}
		if (!is_maybe_label(t->type) || ext_word_refused(p, t->type)) {
			unexpected(p, "grouping opts", "label");
			goto done;
		}
		if (t->type == PQT_METRIC_IDENTIFIER) {
			/* not a valid label name (isLabel) */
			unexpected(p, "grouping opts", "label");
			goto done;
		}
		ALLOC_GROW(v, cnt + 1, cap);
		v[cnt++] = promql_arena_strndup(p->x, t->val, t->len);
		take(p);
next:
		if (at(p, PQT_COMMA)) {
			take(p);
			if (at(p, PQT_RIGHT_PAREN)) {
				take(p);
				break;
			}
			continue;
		}
		if (at(p, PQT_RIGHT_PAREN)) {
			take(p);
			break;
		}
		unexpected(p, "grouping opts", "\",\" or \")\"");
		goto done;
	}
	ok = true;
done:
	if (ok) {
		*out = promql_arena_alloc(p->x, (cnt ? cnt : 1) * sizeof(char *));
		if (cnt)
			memcpy(*out, v, cnt * sizeof(char *));
		*n = cnt;
	}
	free(v);
	return ok && !p->failed;
}

/* label_matchers: "{" [matcher {"," matcher} [","]] "}" into vs. */
static bool parse_label_matchers(struct promql_parser *p, struct promql_node *vs)
{
	struct label_matcher *v = NULL;
	size_t cnt = 0, cap = 0;
	bool ok = false;

	take(p); /* "{" */
	if (at(p, PQT_RIGHT_BRACE))
		goto close;
	for (;;) {
		struct promql_token name, op, val;
		struct label_matcher *m;
		const char *qname = NULL; /* a quoted name, unquoted (3.0+) */
		size_t qlen = 0;

		if (at(p, PQT_STRING) && compat_on(p->opts->compat, COMPAT_UTF8_NAMES)) {
			/* 3.0 (#14705): "name" op "value", or "name" alone for __name__ */
			name = take(p);
			qname = promql_unquote(p, &name, &qlen);
			if (p->failed)
				goto done;
			if (at(p, PQT_COMMA) || at(p, PQT_RIGHT_BRACE)) {
				ALLOC_GROW(v, cnt + 1, cap);
				m = &v[cnt++];
				memset(m, 0, sizeof(*m));
				m->name = "__name__";
				m->value = qname;
				m->value_len = qlen;
				m->type = LABEL_MATCH_EQUAL;
				goto matched;
			}
		} else if (!at(p, PQT_IDENTIFIER)) {
			unexpected(p, "label matching", "identifier or \"}\"");
			goto done;
		} else {
			name = take(p);
		}
		switch (peek(p)->type) {
		case PQT_EQL: case PQT_NEQ: case PQT_EQL_REGEX: case PQT_NEQ_REGEX:
			break;
		default:
			unexpected(p, "label matching", "label matching operator");
			goto done;
		}
		op = take(p);
		if (!at(p, PQT_STRING)) {
			unexpected(p, "label matching", "string");
			goto done;
		}
		val = take(p);
		ALLOC_GROW(v, cnt + 1, cap);
		m = &v[cnt++];
		memset(m, 0, sizeof(*m));
		m->name = qname ? qname : promql_arena_strndup(p->x, name.val, name.len);
		m->value = promql_unquote(p, &val, &m->value_len);
		m->type = op.type == PQT_EQL ? LABEL_MATCH_EQUAL :
			  op.type == PQT_NEQ ? LABEL_MATCH_NOT_EQUAL :
			  op.type == PQT_EQL_REGEX ? LABEL_MATCH_REGEXP : LABEL_MATCH_NOT_REGEXP;
		if (m->type == LABEL_MATCH_REGEXP || m->type == LABEL_MATCH_NOT_REGEXP) {
			struct buf msg = BUF_INIT;
			/* 3.0 (#14505): `.` matches a newline too */
			unsigned fl = compat_on(p->opts->compat, COMPAT_PROMQL_REGEX_DOTALL) ? LABEL_REGEX_DOTALL : 0;
			/* 2.52: the error quotes the bare pattern */
			if (compat_on(p->opts->compat, COMPAT_PROMQL_REGEX_BARE_ERROR))
				fl |= LABEL_REGEX_BARE_ERRORS;
			if (label_regex_compile_flags(&m->re, m->value, m->value_len, fl, &msg) < 0) {
				promql_perr(p, name.pos, "%s", buf_str(&msg));
				buf_release(&msg);
				goto done;
			}
			buf_release(&msg);
			ALLOC_GROW(p->x->regexes, p->x->nregexes + 1, p->x->regexes_cap);
			p->x->regexes[p->x->nregexes++] = m->re;
		}
matched:
		if (at(p, PQT_COMMA)) {
			take(p);
			if (at(p, PQT_RIGHT_BRACE))
				break;
			continue;
		}
		if (at(p, PQT_RIGHT_BRACE))
			break;
		unexpected(p, "label matching", "\",\" or \"}\"");
		goto done;
	}
close:
	vs->pos.end = take(p).pos + 1;
	ok = true;
done:
	/* room for the __name__ matcher assembleVectorSelector appends */
	vs->u.vector.matchers = promql_arena_alloc(p->x, (cnt + 1) * sizeof(*v));
	if (cnt)
		memcpy(vs->u.vector.matchers, v, cnt * sizeof(*v));
	vs->u.vector.nmatchers = cnt;
	free(v);
	return ok && !p->failed;
}

/* vector_selector: [metric_identifier] [label_matchers]. */
static struct promql_node *parse_vector_selector(struct promql_parser *p)
{
	struct promql_node *vs;
	const struct promql_token *t = peek(p);
	int start = t->pos;

	vs = new_node(p, PROMQL_NODE_VECTOR, start, start);
	vs->u.vector.name = "";
	if (t->type != PQT_LEFT_BRACE) {
		struct promql_token name = take(p);
		vs->u.vector.name = promql_arena_strndup(p->x, name.val, name.len);
		vs->pos.end = name.pos + (int)name.len;
		if (!at(p, PQT_LEFT_BRACE)) {
			vs->u.vector.matchers = promql_arena_alloc(p->x, sizeof(struct label_matcher));
			goto name;
		}
	}
	if (!parse_label_matchers(p, vs))
		return NULL;
	if (!*vs->u.vector.name)
		return vs;
name:
	{
		/* assembleVectorSelector: __name__="name" goes last */
		struct label_matcher *m = &vs->u.vector.matchers[vs->u.vector.nmatchers++];
		m->type = LABEL_MATCH_EQUAL;
		m->name = "__name__";
		m->value = vs->u.vector.name;
		m->value_len = strlen(vs->u.vector.name);
	}
	return vs;
}

struct promql_node *promql_parse_primary(struct promql_parser *p)
{
	const struct promql_token *t = peek(p);
	struct promql_node *n;

	switch (t->type) {
	case PQT_NUMBER: {
		struct promql_token tok = take(p);
		n = new_node(p, PROMQL_NODE_NUMBER, tok.pos, tok.pos + (int)tok.len);
		n->u.number.val = promql_parse_number(p, &tok);
		return p->failed ? NULL : n;
	}
	case PQT_DURATION:
		if (compat_on(p->opts->compat, COMPAT_PROMQL_FLOAT_DURATIONS)) {
			/* 2.54: a duration is a number of seconds (`time() - 5m`) */
			struct promql_token tok = take(p);
			int64_t d;
			n = new_node(p, PROMQL_NODE_NUMBER, tok.pos, tok.pos + (int)tok.len);
			if (!promql_parse_duration_zero(p, &tok, &d, compat_on(p->opts->compat, COMPAT_PROMQL_DURATION_EXPR)))
				return NULL;
			n->u.number.val = go_ms_seconds(d);
			n->u.number.duration = true; /* NumberLiteral.Duration */
			return n;
		}
		break;
	case PQT_STRING: {
		struct promql_token tok = take(p);
		n = new_node(p, PROMQL_NODE_STRING, tok.pos, tok.pos + (int)tok.len);
		n->u.string.val = promql_unquote(p, &tok, &n->u.string.len);
		return n;
	}
	case PQT_LEFT_BRACE:
	case PQT_IDENTIFIER: /* not followed by "(": calls are parse_expr.c's */
		return parse_vector_selector(p);
	default:
		break;
	}
	if (is_metric_identifier(t->type) && !ext_word_refused(p, t->type)) /* aggregators too, unless they start one */
		return parse_vector_selector(p);
	return unexpected_expr(p);
}

/* addOffset of 2.42, and 3.4's addOffsetExpr when expr is not NULL. */
static bool add_offset(struct promql_parser *p, struct promql_node *e, int64_t off, const struct promql_dur *expr)
{
	int64_t *orig;
	const struct promql_dur **orig_expr;
	int *endp;

	switch (e->kind) {
	case PROMQL_NODE_VECTOR:
		orig = &e->u.vector.offset_ms;
		orig_expr = &e->u.vector.offset_expr;
		endp = &e->pos.end;
		break;
	case PROMQL_NODE_MATRIX:
		orig = &e->u.matrix.vs->u.vector.offset_ms;
		orig_expr = &e->u.matrix.vs->u.vector.offset_expr;
		endp = &e->pos.end;
		break;
	case PROMQL_NODE_SUBQUERY:
		orig = &e->u.subquery.offset_ms;
		orig_expr = &e->u.subquery.offset_expr;
		endp = &e->pos.end;
		break;
	default:
		promql_perr(p, e->pos.start, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
		return false;
	}
	if (*orig != 0 || *orig_expr) {
		promql_perr(p, e->pos.start, "offset may not be set multiple times");
		return false;
	}
	*orig = off;
	*orig_expr = expr;
	*endp = p->last_closing;
	return true;
}

/* getAtModifierVars + setTimestamp / setAtModifierPreprocessor of 2.42. */
static bool set_at(struct promql_parser *p, struct promql_node *e, const struct promql_at *a)
{
	struct promql_at *dst;
	int *endp = &e->pos.end;

	switch (e->kind) {
	case PROMQL_NODE_VECTOR:
		dst = &e->u.vector.at;
		break;
	case PROMQL_NODE_MATRIX:
		dst = &e->u.matrix.vs->u.vector.at;
		break;
	case PROMQL_NODE_SUBQUERY:
		dst = &e->u.subquery.at;
		break;
	default:
		promql_perr(p, e->pos.start, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
		return false;
	}
	if (dst->kind != PROMQL_AT_NONE) {
		promql_perr(p, e->pos.start, "@ <timestamp> may not be set multiple times");
		return false;
	}
	*dst = *a;
	*endp = p->last_closing;
	return true;
}

/* setAnchored / setSmoothed of 3.7 (parse.go): the modifier applies to
 * the selector just parsed, whatever else was written. */
static bool set_ext(struct promql_parser *p, struct promql_node *e, enum promql_tok tok)
{
	enum promql_ext want = tok == PQT_ANCHORED ? PROMQL_EXT_ANCHORED : PROMQL_EXT_SMOOTHED;
	const char *word = tok == PQT_ANCHORED ? "anchored" : "smoothed";
	enum promql_ext *dst;

	if (!p->opts->extended_range_selectors) {
		promql_perr(p, e->pos.start, "%s modifier is experimental and not enabled", word);
		return false;
	}
	switch (e->kind) {
	case PROMQL_NODE_VECTOR:
		dst = &e->u.vector.ext;
		break;
	case PROMQL_NODE_MATRIX:
		dst = &e->u.matrix.vs->u.vector.ext;
		break;
	case PROMQL_NODE_SUBQUERY:
		promql_perr(p, e->pos.start, "%s modifier is not supported for subqueries", word);
		return false;
	default:
		promql_perr(p, e->pos.start, "%s modifier not implemented", word);
		return false;
	}
	if (*dst != PROMQL_EXT_NONE && *dst != want) {
		promql_perr(p, e->pos.start, "anchored and smoothed modifiers cannot be used together");
		return false;
	}
	*dst = want;
	return true;
}

static bool parse_at(struct promql_parser *p, struct promql_node *e)
{
	struct promql_at a = { PROMQL_AT_NONE, 0 };
	const struct promql_token *t = peek(p);

	if (t->type == PQT_START || t->type == PQT_END) {
		a.kind = t->type == PQT_START ? PROMQL_AT_START : PROMQL_AT_END;
		take(p);
		if (!at(p, PQT_LEFT_PAREN))
			return unexpected(p, "@", "timestamp"), false;
		take(p);
		if (!at(p, PQT_RIGHT_PAREN))
			return unexpected(p, "@", "timestamp"), false;
		take(p);
	} else {
		double sign = 1, ts, ms;
		struct promql_token num;

		if (t->type == PQT_ADD || t->type == PQT_SUB) {
			sign = t->type == PQT_SUB ? -1 : 1;
			take(p);
		}
		if (at(p, PQT_DURATION) && compat_on(p->opts->compat, COMPAT_PROMQL_FLOAT_DURATIONS)) {
			/* 2.54: `@ 100s`, a duration in seconds */
			int64_t d;
			num = take(p);
			if (!promql_parse_duration_zero(p, &num, &d, compat_on(p->opts->compat, COMPAT_PROMQL_DURATION_EXPR)))
				return false;
			ts = sign * go_ms_seconds(d);
		} else {
			if (!at(p, PQT_NUMBER))
				return unexpected(p, "@", "timestamp"), false;
			num = take(p);
			ts = sign * promql_parse_number(p, &num);
		}
		if (p->failed)
			return false;
		if (isinf(ts) || isnan(ts) || ts >= 9223372036854775807.0 || ts <= -9223372036854775808.0) {
			struct buf b = BUF_INIT;
			if (isnan(ts))
				buf_adds(&b, "NaN");
			else if (isinf(ts))
				buf_adds(&b, ts > 0 ? "+Inf" : "-Inf");
			else
				buf_addf(&b, "%.6f", ts);
			promql_perr(p, e->pos.start, "timestamp out of bounds for @ modifier: %s", buf_str(&b));
			buf_release(&b);
			return false;
		}
		/* timestamp.FromFloatSeconds: int64(math.Round(ts*1000)); an
		 * out-of-range conversion gives MinInt64 on amd64 */
		ms = round(ts * 1000);
		a.kind = PROMQL_AT_TIMESTAMP;
		a.ts_ms = (ms >= 9223372036854775807.0 || ms < -9223372036854775808.0) ? INT64_MIN : (int64_t)ms;
	}
	return set_at(p, e, &a);
}

static struct promql_node *parse_brackets(struct promql_parser *p, struct promql_node *e)
{
	struct promql_token open = take(p), d;
	int64_t range, step = 0;
	const struct promql_dur *range_expr = NULL, *step_expr = NULL;
	struct promql_node *n;
	bool dexpr = compat_on(p->opts->compat, COMPAT_PROMQL_DURATION_EXPR);

	if (dexpr) {
		if (!promql_bracket_duration(p, false, &range, &range_expr))
			return NULL;
	} else if (!promql_at_duration(p))
		return unexpected(p, "subquery selector", promql_duration_word(p));
	else if (d = take(p), !promql_number_or_duration(p, &d, &range))
		return NULL;
	if (at(p, PQT_RIGHT_BRACKET)) {
		const char *msg = NULL;

		take(p);
		if (e->kind != PROMQL_NODE_VECTOR)
			msg = "ranges only allowed for vector selectors";
		else if (e->u.vector.offset_ms != 0 && !e->u.vector.offset_expr)
			/* OriginalOffset: 0 beside an offset expression (3.4) */
			msg = "no offset modifiers allowed before range";
		else if (e->u.vector.at.kind == PROMQL_AT_TIMESTAMP)
			msg = "no @ modifiers allowed before range";
		if (msg) {
			promql_perr(p, open.pos, "%s", msg);
			return NULL;
		}
		n = new_node(p, PROMQL_NODE_MATRIX, e->pos.start, p->last_closing);
		n->u.matrix.vs = e;
		n->u.matrix.range_ms = range;
		n->u.matrix.range_expr = range_expr;
		return n;
	}
	if (!at(p, PQT_COLON))
		return unexpected(p, "subquery or range", "\":\" or \"]\"");
	take(p);
	if (dexpr && !at(p, PQT_RIGHT_BRACKET)) {
		if (!promql_bracket_duration(p, true, &step, &step_expr))
			return NULL;
		if (!at(p, PQT_RIGHT_BRACKET))
			return unexpected(p, "subquery selector", "\"]\"");
	} else if (promql_at_duration(p)) {
		d = take(p);
		if (!promql_number_or_duration(p, &d, &step))
			return NULL;
		if (!at(p, PQT_RIGHT_BRACKET))
			return unexpected(p, "subquery selector", "\"]\"");
	} else if (!at(p, PQT_RIGHT_BRACKET)) {
		return unexpected(p, "subquery selector", compat_on(p->opts->compat, COMPAT_PROMQL_FLOAT_DURATIONS)
								  ? "number or duration or \"]\""
								  : "duration or \"]\"");
	}
	n = new_node(p, PROMQL_NODE_SUBQUERY, e->pos.start, take(p).pos + 1);
	n->u.subquery.expr = e;
	n->u.subquery.range_ms = range;
	n->u.subquery.step_ms = step;
	n->u.subquery.range_expr = range_expr;
	n->u.subquery.step_expr = step_expr;
	return n;
}

/* offset, @ and [..] bind to the operand just parsed (they out-rank every
 * binary operator in 2.42's grammar; @ wins its conflicts by shifting), and
 * so do 3.7's anchored and smoothed (no precedence: shifted). */
struct promql_node *promql_parse_postfix(struct promql_parser *p, struct promql_node *e)
{
	while (e) {
		const struct promql_token *t = peek(p);

		if (t->type == PQT_OFFSET) {
			struct promql_token d;
			bool neg = false;
			int64_t off;
			const struct promql_dur *off_expr;

			take(p);
			if (compat_on(p->opts->compat, COMPAT_PROMQL_DURATION_EXPR)) {
				if (!promql_offset_duration(p, &off, &off_expr) || !add_offset(p, e, off, off_expr))
					return NULL;
				continue;
			}
			if (at(p, PQT_SUB)) {
				take(p);
				neg = true;
			}
			if (!promql_at_duration(p))
				return unexpected(p, "offset", promql_duration_word(p));
			d = take(p);
			if (!promql_number_or_duration(p, &d, &off) || !add_offset(p, e, neg ? -off : off, NULL))
				return NULL;
		} else if (t->type == PQT_AT) {
			take(p);
			if (!parse_at(p, e))
				return NULL;
		} else if (t->type == PQT_LEFT_BRACKET) {
			e = parse_brackets(p, e);
		} else if (t->type == PQT_ANCHORED || t->type == PQT_SMOOTHED) {
			/* 3.7: anchored_expr / smoothed_expr, `expr ANCHORED` */
			if (!set_ext(p, e, take(p).type))
				return NULL;
		} else {
			break;
		}
	}
	return e;
}

/* ParseErr.Error(): "line:col: parse error: msg", col in bytes. */
static void set_error(struct err *e, const struct promql_parser *p, const char *input, size_t len)
{
	int line = 1, last_nl = -1;

	if (p->err_raw) {
		err_set(e, "%s", buf_str(&p->err_msg));
		return;
	}
	if (p->err_pos < 0 || (size_t)p->err_pos > len) {
		err_set(e, "invalid position: parse error: %s", buf_str(&p->err_msg));
		return;
	}
	for (int i = 0; i < p->err_pos; i++) {
		if (input[i] == '\n') {
			line++;
			last_nl = i;
		}
	}
	err_set(e, "%d:%d: parse error: %s", line, p->err_pos - last_nl, buf_str(&p->err_msg));
}

/* An expression, or (selector) what parser.ParseMetricSelector accepts. */
static int parse_input(struct promql_expr **out, const char *input, size_t len, bool selector,
		       const struct promql_parse_opts *o, struct err *e)
{
	static const struct promql_parse_opts v2_42 = { 0 };
	struct promql_parser p;
	struct promql_expr *x = xcalloc(1, sizeof(*x));
	struct promql_node *root = NULL;
	int rc = -1;

	arena_init_growing(&x->arena, PROMQL_ARENA_FIRST, PROMQL_ARENA_MAX);
	memset(&p, 0, sizeof(p));
	p.x = x;
	p.input = input;
	p.len = len;
	p.opts = o ? o : &v2_42;
	buf_init(&p.err_msg);
	promql_lexer_init(&p.lex, input, len);
	p.lex.float_durations = compat_on(p.opts->compat, COMPAT_PROMQL_FLOAT_DURATIONS);
	p.lex.duration_exprs = compat_on(p.opts->compat, COMPAT_PROMQL_DURATION_EXPR);
	p.lex.ext_keywords = compat_on(p.opts->compat, COMPAT_PROMQL_EXTENDED_RANGE);
	p.lex.limitk = compat_on(p.opts->compat, COMPAT_PROMQL_LIMITK);
	if (compat_on(p.opts->compat, COMPAT_PROMQL_DURATION_STEP))
		p.lex.dur_keywords = LEX_DUR_STEP |
				     (compat_on(p.opts->compat, COMPAT_PROMQL_DURATION_RANGE) ? LEX_DUR_RANGE : 0) |
				     (compat_on(p.opts->compat, COMPAT_PROMQL_DURATION_MIN_OF) ? LEX_DUR_MIN_MAX_OF
											   : LEX_DUR_MIN_MAX);

	if (selector) {
		/*
		 * START_METRIC_SELECTOR vector_selector, then EOF: anything else
		 * falls to the start rule's plain "unexpected X"; no checkAST.
		 */
		if (at(&p, PQT_LEFT_BRACE) || (is_metric_identifier(peek(&p)->type) && !ext_word_refused(&p, peek(&p)->type)))
			root = parse_vector_selector(&p);
		else
			unexpected(&p, "", "");
		if (root && !at(&p, PQT_EOF))
			unexpected(&p, "", "");
		if (p.failed)
			goto done;
		x->root = root;
		rc = 0;
		goto done;
	}
	if (at(&p, PQT_EOF)) {
		promql_perr(&p, 0, "no expression found in input");
		goto done;
	}
	root = promql_parse_expr(&p, 0);
	if (root && !at(&p, PQT_EOF))
		unexpected_expr(&p);
	if (p.failed)
		goto done;
	promql_check(&p, root);
	if (p.failed)
		goto done;
	x->root = root;
	rc = 0;
done:
	if (rc < 0) {
		set_error(e, &p, input, len);
		promql_expr_free(x);
		x = NULL;
	}
	promql_lexer_release(&p.lex);
	buf_release(&p.err_msg);
	*out = x;
	return rc;
}

int promql_parse(struct promql_expr **out, const char *input, size_t len, struct err *e)
{
	return parse_input(out, input, len, false, NULL, e);
}

int promql_parse_with(struct promql_expr **out, const char *input, size_t len, const struct promql_parse_opts *o,
		      struct err *e)
{
	return parse_input(out, input, len, false, o, e);
}

int promql_parse_metric_selector(struct promql_expr **out, const char *input, size_t len, struct err *e)
{
	return parse_input(out, input, len, true, NULL, e);
}

int promql_parse_metric_selector_with(struct promql_expr **out, const char *input, size_t len,
				      const struct promql_parse_opts *o, struct err *e)
{
	return parse_input(out, input, len, true, o, e);
}
