/*
 * The parser of Go's text/template (Go 1.19's text/template/parse
 * parse.go, as promtool 2.42 and Prometheus 2.42 are built with): lexer
 * items in, a tree of struct tnode out (tmpl_node.h), one tree per named
 * template ({{define}}, {{block}}), with the first error reported in
 * text/template's words and line:
 *   template: __alert_x:1: function "foo" not defined
 *   template: __alert_x:2: unclosed action started at __alert_x:1
 *
 * Two users: rulefmt's testTemplateParsing check of alerting rules, which
 * parses
 *   "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}"
 *   "{{$externalURL := .ExternalURL}}{{$value := .Value}}" + text
 * (here the four variables are predeclared instead: they hold no newline,
 * so lines are unchanged), and the template expander of alerting rules
 * (tmpl_exec.c), which parses the full text so that the byte offsets in
 * its execution errors are Go's.
 */
#include "6-rules/validate.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/bigstack.h"
#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "6-rules/tmpl_lex.h"
#include "6-rules/tmpl_node.h"

/* Prometheus 2.42's template funcMap, then text/template's builtins. */
static const char *const functions[] = {
	"query", "first", "label", "value", "strvalue", "args", "reReplaceAll", "safeHtml", "match",
	"title", "toUpper", "toLower", "graphLink", "tableLink", "sortByLabel", "stripPort",
	"stripDomain", "humanize", "humanize1024", "humanizeDuration", "humanizePercentage",
	"humanizeTimestamp", "toTime", "pathPrefix", "externalURL", "parseDuration",
	"and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
	"println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
};

/* ---- parser state ------------------------------------------------------ */

struct var {
	const char *s;
	size_t n;
};

struct tctx {
	struct tmpl_set *set;
	const char *parse_name;
	struct buf *msg;
	struct buf q, u;  /* scratch for quoting in messages */
	struct buf name;  /* the last template name read */
	struct var *vars; /* every tree's variables, as nested stacks */
	size_t nvars, vars_cap;
	jmp_buf fail;
	bool *nonempty; /* per set->trees entry: IsEmptyTree() is false */
	size_t nonempty_cap;
};

struct tree {
	struct tctx *c;
	struct tmpl_lexer *lex;
	struct item token[3];
	int peek_count;
	size_t base; /* this tree's variables: c->vars[base..c->nvars) */
	int range_depth;
	int action_line;
};

/* vsnprintf into a string from xmalloc (NULL on a format error). */
static char *format_va(const char *fmt, va_list ap)
{
	va_list aq;
	char one[1];
	int n;
	char *s;

	va_copy(aq, ap);
	n = vsnprintf(one, sizeof(one), fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static void terrorf(struct tree *t, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void terrorf(struct tree *t, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	buf_addf(t->c->msg, "template: %s:%d: ", t->c->parse_name, t->token[0].line);
	va_start(ap, fmt);
	if ((s = format_va(fmt, ap)) != NULL)
		buf_adds(t->c->msg, s);
	va_end(ap);
	free(s);
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
	struct buf *b = &t->c->u;

	buf_reset(b);
	if (tok.type == IT_ERROR) {
		buf_adds(b, tok.msg);
		if (t->action_line != 0 && t->action_line != tok.line) {
			size_t ml = strlen(tok.msg);
			/* avoid "action in action" */
			if (ml >= 7 && !strcmp(tok.msg + ml - 7, " action"))
				buf_addf(b, " started at %s:%d", t->c->parse_name, t->action_line);
			else
				buf_addf(b, " in action started at %s:%d", t->c->parse_name, t->action_line);
		}
	} else {
		buf_adds(b, "unexpected ");
		item_str(b, t->lex, &tok);
		buf_addf(b, " in %s", context);
	}
	terrorf(t, "%s", buf_str(b));
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

/* ---- nodes ------------------------------------------------------------- */

static struct tnode *new_node(struct tree *t, enum tnode_kind k, size_t pos, int line)
{
	struct tnode *n = tmpl_alloc(t->c->set, sizeof(*n));

	n->kind = k;
	n->pos = pos;
	n->line = line;
	return n;
}

static void add_kid(struct tree *t, struct tnode *parent, struct tnode *kid)
{
	if (parent->nkids == parent->kids_cap) {
		size_t ncap = parent->kids_cap ? 2 * parent->kids_cap : 4;
		struct tnode **k = tmpl_alloc(t->c->set, ncap * sizeof(*k));
		if (parent->nkids)
			memcpy(k, parent->kids, parent->nkids * sizeof(*k));
		parent->kids = k;
		parent->kids_cap = ncap;
	}
	parent->kids[parent->nkids++] = kid;
}

static void add_ident(struct tree *t, struct tnode *n, const char *s, size_t len)
{
	if (n->nident == n->ident_cap) {
		size_t ncap = n->ident_cap ? 2 * n->ident_cap : 4;
		char **k = tmpl_alloc(t->c->set, ncap * sizeof(*k));
		if (n->nident)
			memcpy(k, n->ident, n->nident * sizeof(*k));
		n->ident = k;
		n->ident_cap = ncap;
	}
	n->ident[n->nident++] = tmpl_strndup(t->c->set, s, len);
}

/* Splits s at dots into n's idents (strings.Split). */
static void split_idents(struct tree *t, struct tnode *n, const char *s, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i <= len; i++)
		if (i == len || s[i] == '.') {
			add_ident(t, n, s + start, i - start);
			start = i + 1;
		}
}

/* newField(pos, ".A.B"): idents without the leading dot. */
static struct tnode *new_field(struct tree *t, size_t pos, int line, const char *s, size_t len)
{
	struct tnode *n = new_node(t, TN_FIELD, pos, line);
	split_idents(t, n, s + 1, len - 1);
	return n;
}

static struct tnode *new_variable(struct tree *t, size_t pos, int line, const char *s, size_t len)
{
	struct tnode *n = new_node(t, TN_VARIABLE, pos, line);
	split_idents(t, n, s, len);
	return n;
}

/* parse.newNumber: the literal's errors and its int/uint/float views. */
static struct tnode *new_number(struct tree *t, const struct item *tok)
{
	const char *s = t->lex->in + tok->pos;
	size_t n = tok->len;
	struct tnode *nd = new_node(t, TN_NUMBER, tok->pos, tok->line);
	enum tmpl_number_kind kind = tok->type == IT_CHARCONST ? TMPL_NUM_CHAR
				     : tok->type == IT_COMPLEX ? TMPL_NUM_COMPLEX
							       : TMPL_NUM_NUMBER;

	nd->text = tmpl_strndup(t->c->set, s, n);
	nd->text_len = n;
	buf_reset(&t->c->q);
	if (tmpl_number_parse(nd, kind, s, n, &t->c->q) < 0)
		terrorf(t, "%s", buf_str(&t->c->q));
	return nd;
}

/* ---- grammar ----------------------------------------------------------- */

static struct tnode *pipeline(struct tree *t, const char *context, enum itype end);
static struct tnode *item_list(struct tree *t, struct tnode **next);

static struct tnode *term(struct tree *t)
{
	struct item tok = next_non_space(t);
	const char *s = t->lex->in + tok.pos;
	struct tnode *n;

	switch (tok.type) {
	case IT_IDENT:
		if (!has_function(s, tok.len))
			terrorf(t, "function \"%.*s\" not defined", (int)tok.len, s);
		n = new_node(t, TN_IDENT, tok.pos, tok.line);
		n->text = tmpl_strndup(t->c->set, s, tok.len);
		n->text_len = tok.len;
		return n;
	case IT_DOT:
		return new_node(t, TN_DOT, tok.pos, tok.line);
	case IT_NIL:
		return new_node(t, TN_NIL, tok.pos, tok.line);
	case IT_VARIABLE:
		for (size_t i = t->base; i < t->c->nvars; i++)
			if (t->c->vars[i].n == tok.len && !memcmp(t->c->vars[i].s, s, tok.len))
				return new_variable(t, tok.pos, tok.line, s, tok.len);
		buf_reset(&t->c->q);
		go_quote(&t->c->q, s, tok.len);
		terrorf(t, "undefined variable %s", buf_str(&t->c->q));
	case IT_FIELD:
		return new_field(t, tok.pos, tok.line, s, tok.len);
	case IT_BOOL:
		n = new_node(t, TN_BOOL, tok.pos, tok.line);
		n->b = tok.len == 4 && !memcmp(s, "true", 4);
		return n;
	case IT_CHARCONST:
	case IT_COMPLEX:
	case IT_NUMBER:
		return new_number(t, &tok);
	case IT_LPAREN:
		return pipeline(t, "parenthesized pipeline", IT_RPAREN);
	case IT_STRING:
	case IT_RAWSTRING: {
		struct buf u = BUF_INIT;
		if (!tmpl_unquote_ok(s, tok.len))
			terrorf(t, "invalid syntax");
		tmpl_unquote_to(&u, s, tok.len);
		n = new_node(t, TN_STRING, tok.pos, tok.line);
		n->text = tmpl_strndup(t->c->set, u.data ? (const char *)u.data : "", u.len);
		n->text_len = u.len;
		n->quoted = tmpl_strndup(t->c->set, s, tok.len);
		buf_release(&u);
		return n;
	}
	default:
		tbackup(t);
		return NULL;
	}
}

/* operand: term .Field*; NULL when there is none. */
static struct tnode *operand(struct tree *t)
{
	struct tnode *node = term(t), *chain;
	struct buf *b = &t->c->u;

	if (!node)
		return NULL;
	if (tpeek(t).type != IT_FIELD)
		return node;
	chain = new_node(t, TN_CHAIN, tpeek(t).pos, tpeek(t).line);
	chain->node = node;
	while (tpeek(t).type == IT_FIELD) {
		struct item f = tnext(t);
		add_ident(t, chain, t->lex->in + f.pos + 1, f.len - 1);
	}
	switch (node->kind) {
	case TN_FIELD:
	case TN_VARIABLE:
		/* more fields on the original node (chain.String() re-split) */
		buf_reset(b);
		tnode_string(b, chain);
		return node->kind == TN_FIELD ? new_field(t, chain->pos, chain->line, (const char *)b->data, b->len)
					      : new_variable(t, chain->pos, chain->line, (const char *)b->data, b->len);
	case TN_BOOL:
	case TN_STRING:
	case TN_NUMBER:
	case TN_NIL:
	case TN_DOT:
		buf_reset(b);
		tnode_string(b, node);
		buf_reset(&t->c->q);
		go_quote(&t->c->q, (const char *)b->data, b->len);
		terrorf(t, "unexpected . after term %s", buf_str(&t->c->q));
	default:
		return chain;
	}
}

static struct tnode *command(struct tree *t)
{
	struct tnode *cmd = new_node(t, TN_COMMAND, peek_non_space(t).pos, peek_non_space(t).line);

	for (;;) {
		struct tnode *op;
		struct item tok;

		peek_non_space(t);
		op = operand(t);
		if (op)
			add_kid(t, cmd, op);
		tok = tnext(t);
		if (tok.type == IT_SPACE)
			continue;
		if (tok.type == IT_RDELIM || tok.type == IT_RPAREN)
			tbackup(t);
		else if (tok.type != IT_PIPE)
			unexpected(t, tok, "operand");
		break;
	}
	if (cmd->nkids == 0)
		terrorf(t, "empty command");
	return cmd;
}

static struct tnode *pipeline(struct tree *t, const char *context, enum itype end)
{
	struct item first = peek_non_space(t);
	struct tnode *pipe = new_node(t, TN_PIPE, first.pos, first.line);
	struct tnode *decl[2];
	size_t ndecl = 0;

	for (;;) {
		struct item v = peek_non_space(t), after, next;

		if (v.type != IT_VARIABLE)
			break;
		tnext(t);
		after = tpeek(t);
		next = peek_non_space(t);
		if (next.type == IT_ASSIGN || next.type == IT_DECLARE) {
			pipe->is_assign = next.type == IT_ASSIGN;
			next_non_space(t);
			decl[ndecl++] = new_variable(t, v.pos, v.line, t->lex->in + v.pos, v.len);
			push_var(t, t->lex->in + v.pos, v.len);
			break;
		} else if (next.type == IT_CHAR && next.len == 1 && t->lex->in[next.pos] == ',') {
			next_non_space(t);
			decl[ndecl++] = new_variable(t, v.pos, v.line, t->lex->in + v.pos, v.len);
			push_var(t, t->lex->in + v.pos, v.len);
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
	if (ndecl) {
		pipe->decl = tmpl_alloc(t->c->set, ndecl * sizeof(*pipe->decl));
		memcpy(pipe->decl, decl, ndecl * sizeof(*decl));
		pipe->ndecl = ndecl;
	}
	for (;;) {
		struct item tok = next_non_space(t);

		if (tok.type == end) {
			/* checkPipeline */
			if (pipe->nkids == 0)
				terrorf(t, "missing value for %s", context);
			for (size_t i = 1; i < pipe->nkids; i++) {
				enum tnode_kind k = pipe->kids[i]->kids[0]->kind;
				if (k == TN_BOOL || k == TN_DOT || k == TN_NIL || k == TN_NUMBER || k == TN_STRING)
					terrorf(t, "non executable command in pipeline stage %zu", i + 1);
			}
			return pipe;
		}
		switch (tok.type) {
		case IT_BOOL: case IT_CHARCONST: case IT_COMPLEX: case IT_DOT: case IT_FIELD: case IT_IDENT:
		case IT_NUMBER: case IT_NIL: case IT_RAWSTRING: case IT_STRING: case IT_VARIABLE: case IT_LPAREN:
			tbackup(t);
			add_kid(t, pipe, command(t));
			break;
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

/* IsEmptyTree: only whitespace text (and comments). */
static bool is_empty_tree(const struct tnode *list)
{
	for (size_t i = 0; i < list->nkids; i++) {
		const struct tnode *n = list->kids[i];
		if (n->kind != TN_TEXT)
			return false;
		for (size_t j = 0; j < n->text_len; j++)
			if (!tmpl_is_space(n->text[j]) && n->text[j] != '\v' && n->text[j] != '\f')
				return false;
	}
	return true;
}

/* Tree.add(): a later non-empty template replaces an empty one of the same
 * name; two non-empty ones are an error. */
static void tree_add(struct tree *t, const char *name, size_t n, struct tnode *root, bool force_nonempty)
{
	struct tctx *c = t->c;
	struct tmpl_set *s = c->set;
	bool nonempty = force_nonempty || !is_empty_tree(root);

	if (!name)
		name = ""; /* an empty name's buffer may hold nothing: no memcmp on NULL */
	for (size_t i = 0; i < s->ntrees; i++)
		if (strlen(s->trees[i].name) == n && !memcmp(s->trees[i].name, name, n)) {
			if (!c->nonempty[i]) {
				s->trees[i].root = root;
				c->nonempty[i] = nonempty;
				return;
			}
			if (nonempty) {
				buf_reset(&c->q);
				go_quote(&c->q, name, n);
				terrorf(t, "template: multiple definition of template %s", buf_str(&c->q));
			}
			return;
		}
	ALLOC_GROW(s->trees, s->ntrees + 1, s->trees_cap);
	if (s->trees_cap > c->nonempty_cap) {
		c->nonempty = xreallocarray(c->nonempty, s->trees_cap, sizeof(*c->nonempty));
		c->nonempty_cap = s->trees_cap;
	}
	s->trees[s->ntrees].name = tmpl_strndup(s, name, n);
	s->trees[s->ntrees].root = root;
	c->nonempty[s->ntrees++] = nonempty;
}

static struct tnode *text_or_action(struct tree *t);

static struct tnode *new_list(struct tree *t)
{
	struct item p = peek_non_space(t);
	return new_node(t, TN_LIST, p.pos, p.line);
}

/* Reads text and actions up to {{end}} or {{else}}, returned in *next. */
static struct tnode *item_list(struct tree *t, struct tnode **next)
{
	struct tnode *list = new_list(t);

	while (peek_non_space(t).type != IT_EOF) {
		struct tnode *n = text_or_action(t);
		if (n->kind == TN_END || n->kind == TN_ELSE) {
			*next = n;
			return list;
		}
		add_kid(t, list, n);
	}
	terrorf(t, "unexpected EOF");
}

static struct tnode *if_control(struct tree *t);

/* if/range/with: pipeline, list, optional else list (else-if for "if"). */
static struct tnode *parse_control(struct tree *t, enum tnode_kind kind, bool allow_else_if, const char *context)
{
	size_t nvars = t->c->nvars;
	bool is_range = kind == TN_RANGE;
	struct tnode *pipe, *next, *n;

	pipe = pipeline(t, context, IT_RDELIM);
	n = new_node(t, kind, pipe->pos, pipe->line);
	n->pipe = pipe;
	if (is_range)
		t->range_depth++;
	n->list = item_list(t, &next);
	if (is_range)
		t->range_depth--;
	if (next->kind == TN_ELSE) {
		if (allow_else_if && tpeek(t).type == IT_IF) {
			tnext(t);
			n->else_list = new_node(t, TN_LIST, next->pos, next->line);
			add_kid(t, n->else_list, if_control(t));
		} else {
			n->else_list = item_list(t, &next);
			if (next->kind != TN_END)
				terrorf(t, "expected end; found {{else}}");
		}
	}
	t->c->nvars = nvars;
	return n;
}

static struct tnode *if_control(struct tree *t)
{
	return parse_control(t, TN_IF, true, "if");
}

/* strconv.Unquote of a template name literal. */
static void parse_template_name(struct tree *t, struct item tok, const char *context)
{
	if (tok.type != IT_STRING && tok.type != IT_RAWSTRING)
		unexpected(t, tok, context);
	if (!tmpl_unquote_ok(t->lex->in + tok.pos, tok.len))
		terrorf(t, "invalid syntax");
	tmpl_unquote_to(&t->c->name, t->lex->in + tok.pos, tok.len);
}

static struct tnode *action(struct tree *t)
{
	struct item tok = next_non_space(t);
	struct tnode *n;

	switch (tok.type) {
	case IT_BLOCK: {
		struct tree sub;
		struct tnode *pipe, *root, *end;
		struct item name = next_non_space(t);
		parse_template_name(t, name, "block clause");
		pipe = pipeline(t, "block clause", IT_RDELIM);
		tree_init(&sub, t->c, t->lex);
		root = item_list(&sub, &end);
		if (end->kind != TN_END)
			terrorf(t, "unexpected {{else}} in block clause");
		/* names inside the body may have replaced c->name: read it again */
		tmpl_unquote_to(&t->c->name, t->lex->in + name.pos, name.len);
		tree_add(&sub, (const char *)t->c->name.data, t->c->name.len, root, false);
		t->c->nvars = sub.base;
		n = new_node(t, TN_TEMPLATE, name.pos, name.line);
		n->text = tmpl_strndup(t->c->set, (const char *)t->c->name.data, t->c->name.len);
		n->text_len = t->c->name.len;
		n->pipe = pipe;
		return n;
	}
	case IT_BREAK:
	case IT_CONTINUE: {
		const char *word = tok.type == IT_BREAK ? "break" : "continue";
		char ctx[16];
		struct item r;
		snprintf(ctx, sizeof(ctx), "{{%s}}", word);
		r = next_non_space(t);
		if (r.type != IT_RDELIM)
			unexpected(t, r, ctx);
		if (t->range_depth == 0)
			terrorf(t, "{{%s}} outside {{range}}", word);
		return new_node(t, tok.type == IT_BREAK ? TN_BREAK : TN_CONTINUE, tok.pos, tok.line);
	}
	case IT_ELSE: {
		struct item p = peek_non_space(t);
		if (p.type != IT_IF)
			p = expect(t, IT_RDELIM, "else");
		return new_node(t, TN_ELSE, p.pos, p.line);
	}
	case IT_END: {
		struct item r = expect(t, IT_RDELIM, "end");
		return new_node(t, TN_END, r.pos, r.line);
	}
	case IT_IF:
		return if_control(t);
	case IT_RANGE:
		return parse_control(t, TN_RANGE, false, "range");
	case IT_WITH:
		return parse_control(t, TN_WITH, false, "with");
	case IT_TEMPLATE: {
		struct item name = next_non_space(t);
		parse_template_name(t, name, "template clause");
		n = new_node(t, TN_TEMPLATE, name.pos, name.line);
		n->text = tmpl_strndup(t->c->set, (const char *)t->c->name.data, t->c->name.len);
		n->text_len = t->c->name.len;
		if (next_non_space(t).type != IT_RDELIM) {
			tbackup(t);
			n->pipe = pipeline(t, "template clause", IT_RDELIM);
		}
		return n;
	}
	default: {
		struct item p;
		tbackup(t);
		p = tpeek(t);
		n = new_node(t, TN_ACTION, p.pos, p.line);
		n->pipe = pipeline(t, "command", IT_RDELIM);
		return n;
	}
	}
}

static struct tnode *text_or_action(struct tree *t)
{
	struct item tok = next_non_space(t);
	struct tnode *n;

	switch (tok.type) {
	case IT_TEXT:
		n = new_node(t, TN_TEXT, tok.pos, tok.line);
		n->text = tmpl_strndup(t->c->set, t->lex->in + tok.pos, tok.len);
		n->text_len = tok.len;
		return n;
	case IT_LDELIM:
		t->action_line = tok.line;
		n = action(t);
		t->action_line = 0;
		return n;
	default:
		unexpected(t, tok, "input");
	}
}

/* {{define "name"}} ... {{end}}, "define" already read. */
static void parse_definition(struct tree *t)
{
	struct item name = next_non_space(t);
	struct tnode *root, *end;

	parse_template_name(t, name, "define clause");
	expect(t, IT_RDELIM, "define clause");
	root = item_list(t, &end);
	if (end->kind != TN_END)
		terrorf(t, "unexpected {{else}} in define clause");
	/* names inside the body may have replaced c->name: read it again */
	tmpl_unquote_to(&t->c->name, t->lex->in + name.pos, name.len);
	tree_add(t, (const char *)t->c->name.data, t->c->name.len, root, false);
}

/* Tree.parse(): the top level, where {{define}} may appear. */
static struct tnode *parse_top(struct tree *t)
{
	struct tnode *root = new_node(t, TN_LIST, tpeek(t).pos, tpeek(t).line);

	while (tpeek(t).type != IT_EOF) {
		struct tnode *n;
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
		n = text_or_action(t);
		if (n->kind == TN_END || n->kind == TN_ELSE)
			terrorf(t, "unexpected %s", n->kind == TN_END ? "{{end}}" : "{{else}}");
		add_kid(t, root, n);
	}
	return root;
}

static int set_parse(struct tmpl_set **out, const char *name, const char *text, size_t len,
		     const char *const *predeclared, size_t npredeclared, struct buf *msg)
{
	struct tmpl_set *s = xcalloc(1, sizeof(*s));
	struct tctx c;
	struct tmpl_lexer lex;
	struct tree top;
	volatile int ret = 0;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.set = s;
	c.msg = msg;
	c.parse_name = s->parse_name = tmpl_strndup(s, name, strlen(name));
	s->text = tmpl_strndup(s, text, len);
	s->text_len = len;
	tmpl_lex_init(&lex, s->text, len);
	tree_init(&top, &c, &lex);
	for (size_t i = 0; i < npredeclared; i++)
		push_var(&top, predeclared[i], strlen(predeclared[i]));
	/* errors longjmp back here, as Tree.errorf panics up to Parse */
	if (setjmp(c.fail) == 0) {
		struct tnode *root = parse_top(&top);
		/* the predeclared variables stand for definitions: never empty */
		tree_add(&top, name, strlen(name), root, npredeclared > 0);
		/* the named template first */
		for (size_t i = 1; i < s->ntrees; i++)
			if (!strcmp(s->trees[i].name, name)) {
				struct tmpl_tree tmp = s->trees[0];
				s->trees[0] = s->trees[i];
				s->trees[i] = tmp;
			}
	} else {
		ret = -1;
	}
	tmpl_lex_release(&lex);
	free(c.vars);
	free(c.nonempty);
	buf_release(&c.q);
	buf_release(&c.u);
	buf_release(&c.name);
	if (ret < 0)
		tmpl_set_free(s);
	else
		*out = s;
	return ret;
}

struct parse_args {
	struct tmpl_set **out;
	const char *name, *text;
	size_t len;
	const char *const *predeclared;
	size_t npredeclared;
	struct buf *msg;
};

static int parse_thunk(void *p)
{
	struct parse_args *a = p;

	return set_parse(a->out, a->name, a->text, a->len, a->predeclared, a->npredeclared, a->msg);
}

/* Nesting (parentheses, actions) a few hundred deep could overflow the
 * main stack: Go's parser recurses as ours does, on a goroutine stack that
 * grows to 1 GB. */
static bool maybe_deep(const char *text, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (text[i] == '(' || text[i] == '{')
			n++;
	return n > 256;
}

int tmpl_set_parse(struct tmpl_set **out, const char *name, const char *text, size_t len,
		   const char *const *predeclared, size_t npredeclared, struct buf *msg)
{
	struct parse_args a = { out, name, text, len, predeclared, npredeclared, msg };

	if (maybe_deep(text, len))
		return bigstack_run(parse_thunk, &a);
	return set_parse(out, name, text, len, predeclared, npredeclared, msg);
}

int rulefmt_template_check(const char *name, const char *text, size_t len, struct err *e)
{
	static const char *const predeclared[] = { "$labels", "$externalLabels", "$externalURL", "$value" };
	struct tmpl_set *s = NULL;
	struct buf msg = BUF_INIT;
	int ret = 0;

	if (tmpl_set_parse(&s, name, text, len, predeclared, 4, &msg) < 0)
		ret = err_set(e, "%s", buf_str(&msg));
	tmpl_set_free(s);
	buf_release(&msg);
	return ret;
}
