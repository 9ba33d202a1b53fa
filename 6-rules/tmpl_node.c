/*
 * The template parse tree's storage and printing (tmpl_node.h): the arena
 * every node lives in, lookup of named trees, and node.String() of Go
 * 1.19's text/template/parse, which execution errors quote as their
 * context ("executing \"t\" at <humanize .Value>: ...").
 */
#include "6-rules/tmpl_node.h"

#include <stdlib.h>
#include <string.h>

#include "1-common/xalloc.h"
#include "2-model/labels.h"

/* ---- arena ------------------------------------------------------------- */

void *tmpl_alloc(struct tmpl_set *s, size_t n)
{
	void *p = xcalloc(1, n ? n : 1);

	ALLOC_GROW(s->arena, s->narena + 1, s->arena_cap);
	s->arena[s->narena++] = p;
	return p;
}

char *tmpl_strndup(struct tmpl_set *s, const char *p, size_t n)
{
	char *q = tmpl_alloc(s, n + 1);

	if (n) /* p may be NULL for an empty string */
		memcpy(q, p, n);
	return q;
}

void tmpl_set_free(struct tmpl_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->narena; i++)
		free(s->arena[i]);
	free(s->arena);
	free(s->trees);
	free(s);
}

const struct tmpl_tree *tmpl_set_lookup(const struct tmpl_set *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->ntrees; i++)
		if (strlen(s->trees[i].name) == len && !memcmp(s->trees[i].name, name, len))
			return &s->trees[i];
	return NULL;
}

/* ---- node.String() ----------------------------------------------------- */

static void idents_string(struct buf *out, const struct tnode *n, bool dots)
{
	for (size_t i = 0; i < n->nident; i++) {
		if (dots || i > 0)
			buf_addc(out, '.');
		buf_adds(out, n->ident[i]);
	}
}

void tnode_string(struct buf *out, const struct tnode *n)
{
	switch (n->kind) {
	case TN_LIST:
		for (size_t i = 0; i < n->nkids; i++)
			tnode_string(out, n->kids[i]);
		break;
	case TN_TEXT:
		buf_add(out, n->text, n->text_len);
		break;
	case TN_ACTION:
		buf_adds(out, "{{");
		tnode_string(out, n->pipe);
		buf_adds(out, "}}");
		break;
	case TN_IF:
	case TN_RANGE:
	case TN_WITH:
		buf_adds(out, n->kind == TN_IF ? "{{if " : n->kind == TN_RANGE ? "{{range " : "{{with ");
		tnode_string(out, n->pipe);
		buf_adds(out, "}}");
		tnode_string(out, n->list);
		if (n->else_list) {
			buf_adds(out, "{{else}}");
			tnode_string(out, n->else_list);
		}
		buf_adds(out, "{{end}}");
		break;
	case TN_TEMPLATE:
		buf_adds(out, "{{template ");
		go_quote(out, n->text, n->text_len);
		if (n->pipe) {
			buf_addc(out, ' ');
			tnode_string(out, n->pipe);
		}
		buf_adds(out, "}}");
		break;
	case TN_BREAK:
		buf_adds(out, "{{break}}");
		break;
	case TN_CONTINUE:
		buf_adds(out, "{{continue}}");
		break;
	case TN_PIPE:
		for (size_t i = 0; i < n->ndecl; i++) {
			if (i)
				buf_adds(out, ", ");
			tnode_string(out, n->decl[i]);
		}
		if (n->ndecl)
			buf_adds(out, " := ");
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				buf_adds(out, " | ");
			tnode_string(out, n->kids[i]);
		}
		break;
	case TN_COMMAND:
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				buf_addc(out, ' ');
			if (n->kids[i]->kind == TN_PIPE) {
				buf_addc(out, '(');
				tnode_string(out, n->kids[i]);
				buf_addc(out, ')');
			} else {
				tnode_string(out, n->kids[i]);
			}
		}
		break;
	case TN_FIELD:
		idents_string(out, n, true);
		break;
	case TN_VARIABLE:
		idents_string(out, n, false);
		break;
	case TN_CHAIN:
		if (n->node->kind == TN_PIPE) {
			buf_addc(out, '(');
			tnode_string(out, n->node);
			buf_addc(out, ')');
		} else {
			tnode_string(out, n->node);
		}
		idents_string(out, n, true);
		break;
	case TN_IDENT:
		buf_add(out, n->text, n->text_len);
		break;
	case TN_DOT:
		buf_addc(out, '.');
		break;
	case TN_NIL:
		buf_adds(out, "nil");
		break;
	case TN_BOOL:
		buf_adds(out, n->b ? "true" : "false");
		break;
	case TN_NUMBER:
		buf_add(out, n->text, n->text_len);
		break;
	case TN_STRING:
		buf_adds(out, n->quoted);
		break;
	case TN_END:
		buf_adds(out, "{{end}}");
		break;
	case TN_ELSE:
		buf_adds(out, "{{else}}");
		break;
	}
}
