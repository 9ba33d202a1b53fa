/*
 * Parse-checking Go text/template text as 2.42's testTemplateParsing does
 * for the labels and annotations of alerting rules:
 *
 *   text/template.New("__alert_<name>").Funcs(<Prometheus funcs>).Parse(
 *       "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}"
 *       "{{$externalURL := .ExternalURL}}{{$value := .Value}}" + text)
 *
 * This is a parser of that language as the Go 1.19 toolchain promtool 2.42
 * is built with (lexer states, three-token lookahead, variable scopes,
 * {{define}}/{{block}} trees, number literal checks), reporting the first
 * error with text/template's words and line:
 *   template: __alert_x:1: function "foo" not defined
 *   template: __alert_x:2: unclosed action started at __alert_x:1
 * Only whether and how parsing fails matters; no tree is kept.  The four
 * definitions are declared up front instead of being parsed (they hold no
 * newline, so line numbers are unchanged).
 */
#include "6-rules/validate.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "6-rules/tmpl_lex.h"

static const char *const functions[] = {
	"query", "first", "label", "value", "strvalue", "args", "reReplaceAll", "safeHtml", "match",
	"title", "toUpper", "toLower", "graphLink", "tableLink", "sortByLabel", "stripPort",
	"stripDomain", "humanize", "humanize1024", "humanizeDuration", "humanizePercentage",
	"humanizeTimestamp", "toTime", "pathPrefix", "externalURL", "parseDuration",
	"and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
	"println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
};

struct var {
	const char *s;
	size_t n;
};

struct tctx {
	const char *parse_name;
	struct buf msg;
	struct buf q, u;   /* scratch for quoting in messages (freed once) */
	struct buf name;   /* the last template name read */
	struct var *vars;  /* every tree's variables, as nested stacks */
	size_t nvars, vars_cap;
	jmp_buf fail;
	char **defined; /* names of non-empty templates, for "multiple definition" */
	size_t ndefined, defined_cap;
};

/* ---- parser ------------------------------------------------------------ */

struct tree {
	struct tctx *c;
	struct tmpl_lexer *lex;
	struct item token[3];
	int peek_count;
	size_t base; /* this tree's variables: c->vars[base..c->nvars) */
	int range_depth;
	int action_line;
	bool nonempty; /* IsEmptyTree() is false */
};

/* Node kinds the parser needs to tell apart. */
enum nkind { N_OTHER, N_END, N_ELSE, N_TEXT_SPACE, N_BOOL, N_DOT, N_NIL, N_NUMBER, N_STRING, N_FIELD,
	     N_VARIABLE, N_PIPE, N_IDENT, N_CHAIN };

static void terrorf(struct tree *t, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void terrorf(struct tree *t, const char *fmt, ...)
{
	va_list ap;

	buf_addf(&t->c->msg, "template: %s:%d: ", t->c->parse_name, t->token[0].line);
	va_start(ap, fmt);
	{
		char tmp[1];
		va_list aq;
		int n;
		va_copy(aq, ap);
		n = vsnprintf(tmp, sizeof(tmp), fmt, aq);
		va_end(aq);
		if (n > 0) {
			char *s = xmalloc((size_t)n + 1);
			vsnprintf(s, (size_t)n + 1, fmt, ap);
			buf_adds(&t->c->msg, s);
			free(s);
		}
	}
	va_end(ap);
	longjmp(t->c->fail, 1);
}

/* item.String() */
static void item_str(struct buf *b, const struct tmpl_lexer *l, const struct item *it)
{
	if (it->type == IT_EOF) {
		buf_adds(b, "EOF");
	} else if (it->type == IT_ERROR) {
		buf_adds(b, it->msg);
	} else if (it->type > IT_KEYWORD) {
		buf_addf(b, "<%.*s>", (int)it->len, l->in + it->pos);
	} else {
		/* %.10q: at most 10 runes, then "..." */
		size_t n = 0, runes = 0;
		while (n < it->len && runes < 10) {
			size_t w;
			tmpl_rune_at(l, it->pos + n, &w);
			n += w ? w : 1;
			runes++;
		}
		go_quote(b, l->in + it->pos, n);
		if (n < it->len)
			buf_adds(b, "...");
	}
}

static struct item tnext(struct tree *t)
{
	if (t->peek_count > 0)
		t->peek_count--;
	else
		t->token[0] = tmpl_lex_item(t->lex);
	return t->token[t->peek_count];
}

static void tbackup(struct tree *t)
{
	t->peek_count++;
}

static void tbackup2(struct tree *t, struct item t1)
{
	t->token[1] = t1;
	t->peek_count = 2;
}

static void tbackup3(struct tree *t, struct item t2, struct item t1)
{
	t->token[1] = t1;
	t->token[2] = t2;
	t->peek_count = 3;
}

static struct item tpeek(struct tree *t)
{
	if (t->peek_count > 0)
		return t->token[t->peek_count - 1];
	t->peek_count = 1;
	t->token[0] = tmpl_lex_item(t->lex);
	return t->token[0];
}

static struct item next_non_space(struct tree *t)
{
	struct item it;
	do
		it = tnext(t);
	while (it.type == IT_SPACE);
	return it;
}

static struct item peek_non_space(struct tree *t)
{
	struct item it = next_non_space(t);
	tbackup(t);
	return it;
}

static void unexpected(struct tree *t, struct item tok, const char *context) __attribute__((noreturn));

static void unexpected(struct tree *t, struct item tok, const char *context)
{
	struct buf b_unused = BUF_INIT, *bp = &t->c->u;
#define b (*bp)
	(void)b_unused;
	buf_reset(bp);

	if (tok.type == IT_ERROR) {
		buf_adds(&b, tok.msg);
		if (t->action_line != 0 && t->action_line != tok.line) {
			size_t ml = strlen(tok.msg);
			/* avoid "action in action" */
			if (ml >= 7 && !strcmp(tok.msg + ml - 7, " action"))
				buf_addf(&b, " started at %s:%d", t->c->parse_name, t->action_line);
			else
				buf_addf(&b, " in action started at %s:%d", t->c->parse_name, t->action_line);
		}
	} else {
		buf_adds(&b, "unexpected ");
		item_str(&b, t->lex, &tok);
		buf_addf(&b, " in %s", context);
	}
	terrorf(t, "%s", buf_str(&b));
#undef b
}

static struct item expect(struct tree *t, enum itype want, const char *context)
{
	struct item tok = next_non_space(t);
	if (tok.type != want)
		unexpected(t, tok, context);
	return tok;
}

static void push_var(struct tree *t, const char *s, size_t n)
{
	struct tctx *c = t->c;
	ALLOC_GROW(c->vars, c->nvars + 1, c->vars_cap);
	c->vars[c->nvars].s = s;
	c->vars[c->nvars++].n = n;
}

static bool has_function(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
		if (strlen(functions[i]) == n && !memcmp(functions[i], s, n))
			return true;
	return false;
}

/* strconv.Unquote / UnquoteChar validity; returns the bytes consumed of one
 * (possibly escaped) character, 0 on ErrSyntax. */
static void check_number(struct tree *t, const struct item *tok)
{
	const char *s = t->lex->in + tok->pos;
	size_t n = tok->len;
	struct buf *q = &t->c->q;
	double f;

	if (tok->type == IT_CHARCONST) {
		size_t k = tmpl_unquote_char(s + 1, n - 1, '\'');
		if (!k)
			terrorf(t, "invalid syntax");
		if (!(1 + k + 1 == n && s[n - 1] == '\''))
			terrorf(t, "malformed character constant: %.*s", (int)n, s);
		return;
	}
	if (tok->type == IT_COMPLEX)
		return; /* fmt.Sscan of complex literals: the lexer's shape is enough */
	if (n > 0 && s[n - 1] == 'i' && go_parse_float(s, n - 1, &f) == 0 && tmpl_underscore_ok(s, n - 1))
		return;
	if (tmpl_parse_int_ok(s, n))
		return;
	if (go_parse_float(s, n, &f) == 0 && tmpl_underscore_ok(s, n)) {
		bool has_exp = false;
		for (size_t i = 0; i < n; i++)
			has_exp |= strchr(".eEpP", s[i]) != NULL;
		if (has_exp)
			return;
		buf_reset(q);
		go_quote(q, s, n);
		terrorf(t, "integer overflow: %s", buf_str(q));
	}
	buf_reset(q);
	go_quote(q, s, n);
	terrorf(t, "illegal number syntax: %s", buf_str(q));
}

static enum nkind pipeline(struct tree *t, const char *context, enum itype end);
static enum nkind item_list(struct tree *t);

static enum nkind term(struct tree *t)
{
	struct item tok = next_non_space(t);
	const char *s = t->lex->in + tok.pos;

	switch (tok.type) {
	case IT_IDENT:
		if (!has_function(s, tok.len))
			terrorf(t, "function \"%.*s\" not defined", (int)tok.len, s);
		return N_IDENT;
	case IT_DOT: return N_DOT;
	case IT_NIL: return N_NIL;
	case IT_VARIABLE: {
		for (size_t i = t->base; i < t->c->nvars; i++)
			if (t->c->vars[i].n == tok.len && !memcmp(t->c->vars[i].s, s, tok.len))
				return N_VARIABLE;
		buf_reset(&t->c->q);
		go_quote(&t->c->q, s, tok.len);
		terrorf(t, "undefined variable %s", buf_str(&t->c->q));
	}
	case IT_FIELD: return N_FIELD;
	case IT_BOOL: return N_BOOL;
	case IT_CHARCONST:
	case IT_COMPLEX:
	case IT_NUMBER:
		check_number(t, &tok);
		return N_NUMBER;
	case IT_LPAREN:
		pipeline(t, "parenthesized pipeline", IT_RPAREN);
		return N_PIPE;
	case IT_STRING:
	case IT_RAWSTRING:
		if (!tmpl_unquote_ok(s, tok.len))
			terrorf(t, "invalid syntax");
		return N_STRING;
	default:
		tbackup(t);
		return N_OTHER;
	}
}

/* operand: term .Field*; N_OTHER when there is none. */
static enum nkind operand(struct tree *t, struct item *first)
{
	enum nkind k;

	*first = peek_non_space(t);
	k = term(t);
	if (k == N_OTHER)
		return k;
	if (tpeek(t).type == IT_FIELD) {
		while (tpeek(t).type == IT_FIELD)
			tnext(t);
		switch (k) {
		case N_FIELD: case N_VARIABLE:
			break;
		case N_BOOL: case N_STRING: case N_NUMBER: case N_NIL: case N_DOT: {
			struct buf *q = &t->c->q;
			const char *s = t->lex->in + first->pos;
			buf_reset(q);
			if (k == N_NIL)
				go_quote(q, "nil", 3);
			else if (k == N_DOT)
				go_quote(q, ".", 1);
			else
				go_quote(q, s, first->len);
			terrorf(t, "unexpected . after term %s", buf_str(q));
		}
		default:
			k = N_CHAIN;
		}
	}
	return k;
}

/* command: operand (space operand)*; returns the kind of its first operand. */
static enum nkind command(struct tree *t)
{
	enum nkind first = N_OTHER;
	int nargs = 0;

	peek_non_space(t);
	for (;;) {
		struct item ftok, tok;
		enum nkind k;

		peek_non_space(t);
		k = operand(t, &ftok);
		if (k != N_OTHER) {
			if (nargs++ == 0)
				first = k;
		}
		tok = tnext(t);
		if (tok.type == IT_SPACE)
			continue;
		if (tok.type == IT_RDELIM || tok.type == IT_RPAREN)
			tbackup(t);
		else if (tok.type != IT_PIPE)
			unexpected(t, tok, "operand");
		break;
	}
	if (nargs == 0)
		terrorf(t, "empty command");
	return first;
}

static enum nkind pipeline(struct tree *t, const char *context, enum itype end)
{
	size_t ncmds = 0;
	int stage = 1, bad_stage = 0;
	struct item v;

	peek_non_space(t);
	for (int ndecl = 0;;) {
		struct item after, next;

		v = peek_non_space(t);
		if (v.type != IT_VARIABLE)
			break;
		tnext(t);
		after = tpeek(t);
		next = peek_non_space(t);
		if (next.type == IT_ASSIGN || next.type == IT_DECLARE) {
			next_non_space(t);
			push_var(t, t->lex->in + v.pos, v.len);
			break;
		} else if (next.type == IT_CHAR && next.len == 1 && t->lex->in[next.pos] == ',') {
			next_non_space(t);
			push_var(t, t->lex->in + v.pos, v.len);
			ndecl++;
			if (!strcmp(context, "range") && ndecl < 2) {
				enum itype p = peek_non_space(t).type;
				if (p == IT_VARIABLE || p == IT_RDELIM || p == IT_RPAREN)
					continue;
				terrorf(t, "range can only initialize variables");
			}
			terrorf(t, "too many declarations in %s", context);
		} else if (after.type == IT_SPACE) {
			tbackup3(t, v, after);
		} else {
			tbackup2(t, v);
		}
		break;
	}
	for (;;) {
		struct item tok = next_non_space(t);

		if (tok.type == end) {
			/* checkPipeline */
			if (ncmds == 0)
				terrorf(t, "missing value for %s", context);
			if (bad_stage)
				terrorf(t, "non executable command in pipeline stage %d", bad_stage);
			return N_PIPE;
		}
		switch (tok.type) {
		case IT_BOOL: case IT_CHARCONST: case IT_COMPLEX: case IT_DOT: case IT_FIELD: case IT_IDENT:
		case IT_NUMBER: case IT_NIL: case IT_RAWSTRING: case IT_STRING: case IT_VARIABLE: case IT_LPAREN: {
			enum nkind k;
			tbackup(t);
			k = command(t);
			if (ncmds > 0) {
				stage++;
				/* reported once the pipeline ends, as checkPipeline does */
				if (!bad_stage && (k == N_BOOL || k == N_DOT || k == N_NIL || k == N_NUMBER || k == N_STRING))
					bad_stage = stage;
			}
			ncmds++;
			break;
		}
		default:
			unexpected(t, tok, context);
		}
	}
}

static void tree_init(struct tree *t, struct tctx *c, struct tmpl_lexer *lex)
{
	memset(t, 0, sizeof(*t));
	t->c = c;
	t->lex = lex;
	t->base = c->nvars;
	push_var(t, "$", 1);
}

/* Tree.add(): a second non-empty template of the same name is an error. */
static void tree_add(struct tree *t, const char *name, size_t n)
{
	struct tctx *c = t->c;

	if (!name)
		name = ""; /* an empty name's buffer may hold nothing */

	for (size_t i = 0; i < c->ndefined; i++)
		if (strlen(c->defined[i]) == n && !memcmp(c->defined[i], name, n)) {
			if (t->nonempty) {
				buf_reset(&c->q);
				go_quote(&c->q, name, n);
				terrorf(t, "template: multiple definition of template %s", buf_str(&c->q));
			}
			return;
		}
	if (!t->nonempty)
		return;
	ALLOC_GROW(c->defined, c->ndefined + 1, c->defined_cap);
	c->defined[c->ndefined++] = xstrndup(name, n);
}

static enum nkind text_or_action(struct tree *t);

/* Reads text and actions up to {{end}} or {{else}}, returned. */
static enum nkind item_list(struct tree *t)
{
	while (peek_non_space(t).type != IT_EOF) {
		enum nkind k = text_or_action(t);
		if (k == N_END || k == N_ELSE)
			return k;
		if (k != N_TEXT_SPACE)
			t->nonempty = true;
	}
	terrorf(t, "unexpected EOF");
}

/* if/range/with: pipeline, list, optional else list (else-if for "if"). */
static void parse_control(struct tree *t, bool allow_else_if, const char *context)
{
	size_t nvars = t->c->nvars;
	bool is_range = !strcmp(context, "range");
	enum nkind next;

	pipeline(t, context, IT_RDELIM);
	if (is_range)
		t->range_depth++;
	next = item_list(t);
	if (is_range)
		t->range_depth--;
	if (next == N_ELSE) {
		if (allow_else_if && tpeek(t).type == IT_IF) {
			tnext(t);
			parse_control(t, true, "if");
		} else {
			next = item_list(t);
			if (next != N_END)
				terrorf(t, "expected end; found {{else}}");
		}
	}
	t->c->nvars = nvars;
}

/* strconv.Unquote of a literal already checked by tmpl_unquote_ok(). */
static void parse_template_name(struct tree *t, struct item tok, const char *context, const char **name, size_t *n)
{
	if (tok.type != IT_STRING && tok.type != IT_RAWSTRING)
		unexpected(t, tok, context);
	if (!tmpl_unquote_ok(t->lex->in + tok.pos, tok.len))
		terrorf(t, "invalid syntax");
	tmpl_unquote_to(&t->c->name, t->lex->in + tok.pos, tok.len);
	*name = (const char *)t->c->name.data;
	*n = t->c->name.len;
}

static enum nkind action(struct tree *t)
{
	struct item tok = next_non_space(t);
	const char *name;
	size_t n;

	switch (tok.type) {
	case IT_BLOCK: {
		struct tree sub;
		tok = next_non_space(t);
		parse_template_name(t, tok, "block clause", &name, &n);
		pipeline(t, "block clause", IT_RDELIM);
		tree_init(&sub, t->c, t->lex);
		if (item_list(&sub) != N_END)
			terrorf(t, "unexpected {{else}} in block clause");
		/* names inside the body may have replaced c->name: read it again */
		tmpl_unquote_to(&t->c->name, t->lex->in + tok.pos, tok.len);
		tree_add(&sub, (const char *)t->c->name.data, t->c->name.len);
		t->c->nvars = sub.base;
		return N_OTHER;
	}
	case IT_BREAK:
	case IT_CONTINUE: {
		const char *word = tok.type == IT_BREAK ? "break" : "continue";
		char ctx[16];
		snprintf(ctx, sizeof(ctx), "{{%s}}", word);
		tok = next_non_space(t);
		if (tok.type != IT_RDELIM)
			unexpected(t, tok, ctx);
		if (t->range_depth == 0)
			terrorf(t, "{{%s}} outside {{range}}", word);
		return N_OTHER;
	}
	case IT_ELSE:
		if (peek_non_space(t).type != IT_IF)
			expect(t, IT_RDELIM, "else");
		return N_ELSE;
	case IT_END:
		expect(t, IT_RDELIM, "end");
		return N_END;
	case IT_IF:
		parse_control(t, true, "if");
		return N_OTHER;
	case IT_RANGE:
		parse_control(t, false, "range");
		return N_OTHER;
	case IT_WITH:
		parse_control(t, false, "with");
		return N_OTHER;
	case IT_TEMPLATE:
		tok = next_non_space(t);
		parse_template_name(t, tok, "template clause", &name, &n);
		if (next_non_space(t).type != IT_RDELIM) {
			tbackup(t);
			pipeline(t, "template clause", IT_RDELIM);
		}
		return N_OTHER;
	default:
		tbackup(t);
		pipeline(t, "command", IT_RDELIM);
		return N_OTHER;
	}
}

static enum nkind text_or_action(struct tree *t)
{
	struct item tok = next_non_space(t);
	enum nkind k;

	switch (tok.type) {
	case IT_TEXT: {
		const char *s = t->lex->in + tok.pos;
		for (size_t i = 0; i < tok.len; i++)
			if (!tmpl_is_space(s[i]) && s[i] != '\v' && s[i] != '\f')
				return N_OTHER;
		return N_TEXT_SPACE;
	}
	case IT_LDELIM:
		t->action_line = tok.line;
		k = action(t);
		t->action_line = 0;
		return k;
	default:
		unexpected(t, tok, "input");
	}
}

/* {{define "name"}} ... {{end}}, "define" already read. */
static void parse_definition(struct tree *t)
{
	struct item name = next_non_space(t);

	const char *s;
	size_t n;

	parse_template_name(t, name, "define clause", &s, &n);
	expect(t, IT_RDELIM, "define clause");
	if (item_list(t) != N_END)
		terrorf(t, "unexpected {{else}} in define clause");
	/* names inside the body may have replaced c->name: read it again */
	tmpl_unquote_to(&t->c->name, t->lex->in + name.pos, name.len);
	tree_add(t, (const char *)t->c->name.data, t->c->name.len);
}

/* Tree.parse(): the top level, where {{define}} may appear. */
static void parse_top(struct tree *t)
{
	while (tpeek(t).type != IT_EOF) {
		enum nkind k;
		if (tpeek(t).type == IT_LDELIM) {
			struct item delim = tnext(t);
			if (next_non_space(t).type == IT_DEFINE) {
				struct tree sub;
				tree_init(&sub, t->c, t->lex);
				parse_definition(&sub);
				t->c->nvars = sub.base;
				continue;
			}
			tbackup2(t, delim);
		}
		k = text_or_action(t);
		if (k == N_END || k == N_ELSE)
			terrorf(t, "unexpected %s", k == N_END ? "{{end}}" : "{{else}}");
		if (k != N_TEXT_SPACE)
			t->nonempty = true;
	}
}

int rulefmt_template_check(const char *name, const char *text, size_t len, struct err *e)
{
	static const char *const predeclared[] = { "$labels", "$externalLabels", "$externalURL", "$value" };
	struct tctx c;
	struct tmpl_lexer lex;
	struct tree top;
	volatile int ret = 0;

	memset(&c, 0, sizeof(c));
	c.parse_name = name;
	tmpl_lex_init(&lex, text, len);
	tree_init(&top, &c, &lex);
	for (size_t i = 0; i < sizeof(predeclared) / sizeof(predeclared[0]); i++)
		push_var(&top, predeclared[i], strlen(predeclared[i]));
	/* the definitions are actions: the template is never empty */
	top.nonempty = true;
	/* errors longjmp back here, as Tree.errorf panics up to Parse */
	if (setjmp(c.fail) == 0) {
		parse_top(&top);
		tree_add(&top, name, strlen(name));
	} else {
		ret = err_set(e, "%s", buf_str(&c.msg));
	}
	tmpl_lex_release(&lex);
	free(c.vars);
	for (size_t i = 0; i < c.ndefined; i++)
		free(c.defined[i]);
	free(c.defined);
	buf_release(&c.q);
	buf_release(&c.u);
	buf_release(&c.name);
	buf_release(&c.msg);
	return ret;
}
