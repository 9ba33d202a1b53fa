/*
 * Internal to the template code: the parse tree of Go's text/template
 * (text/template/parse node.go of Go 1.19) as tmpl.c builds it and
 * tmpl_exec.c walks it, and the set of named templates one Parse yields.
 *
 * All nodes and their strings live in the arena of the struct tmpl_set
 * that owns the trees; tmpl_set_free() releases everything.
 */
#ifndef RULES_TMPL_NODE_H
#define RULES_TMPL_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"

enum tnode_kind {
	TN_LIST, TN_TEXT, TN_ACTION, TN_IF, TN_RANGE, TN_WITH, TN_TEMPLATE, TN_BREAK, TN_CONTINUE,
	TN_PIPE, TN_COMMAND, TN_FIELD, TN_CHAIN, TN_IDENT, TN_VARIABLE, TN_DOT, TN_NIL, TN_BOOL,
	TN_NUMBER, TN_STRING,
	TN_END, TN_ELSE, /* parser-only markers */
};

struct tnode {
	enum tnode_kind kind;
	size_t pos; /* byte offset in the template text */
	int line;
	/* LIST: nodes; PIPE: commands; COMMAND: args */
	struct tnode **kids;
	size_t nkids, kids_cap;
	/* PIPE: declared variables (TN_VARIABLE), IsAssign */
	struct tnode **decl;
	size_t ndecl;
	bool is_assign;
	/* ACTION, IF, RANGE, WITH, TEMPLATE: the pipeline (may be NULL for
	 * TEMPLATE); IF/RANGE/WITH: lists */
	struct tnode *pipe, *list, *else_list;
	/* CHAIN: the node the fields apply to */
	struct tnode *node;
	/* FIELD (without dots), VARIABLE ("$x" then fields), CHAIN fields */
	char **ident;
	size_t nident, ident_cap;
	/* TEXT: bytes; STRING: unquoted; IDENT: name; NUMBER: as written;
	 * TEMPLATE: the name */
	char *text;
	size_t text_len;
	char *quoted; /* STRING: the literal as written */
	bool b;       /* BOOL */
	/* NUMBER, as parse.NumberNode */
	bool is_int, is_uint, is_float, is_complex;
	int64_t i;
	uint64_t u;
	double f, re, im;
};

struct tmpl_tree {
	char *name;
	struct tnode *root; /* TN_LIST */
};

struct tmpl_set {
	char *parse_name; /* the name Parse was called with (error locations) */
	const char *text; /* the parsed text (copied into the arena) */
	size_t text_len;
	struct tmpl_tree *trees; /* trees[0] is the named template */
	size_t ntrees, trees_cap;
	void **arena;
	size_t narena, arena_cap;
};

/* Arena allocation (zeroed) and string copies. */
void *tmpl_alloc(struct tmpl_set *s, size_t n);
char *tmpl_strndup(struct tmpl_set *s, const char *p, size_t n);

/* Which token a number literal came from. */
enum tmpl_number_kind { TMPL_NUM_NUMBER, TMPL_NUM_CHAR, TMPL_NUM_COMPLEX };

/*
 * parse.newNumber: fills nd's is_int/is_uint/is_float/is_complex and
 * values from the literal s[0..n).  Returns 0, or -1 with text/template's
 * message (without the "template: name:line: " prefix) appended to msg.
 */
int tmpl_number_parse(struct tnode *nd, enum tmpl_number_kind kind, const char *s, size_t n, struct buf *msg);

/*
 * Parses text as template name (Go's Template.Parse), with predeclared
 * variables available to the top-level tree.  Returns 0 and *out, or -1
 * with msg set to text/template's message.
 */
int tmpl_set_parse(struct tmpl_set **out, const char *name, const char *text, size_t len,
		   const char *const *predeclared, size_t npredeclared, struct buf *msg);
void tmpl_set_free(struct tmpl_set *s);
/* The tree of that name, NULL if none. */
const struct tmpl_tree *tmpl_set_lookup(const struct tmpl_set *s, const char *name, size_t len);

/* node.String() of parse/node.go, for error contexts. */
void tnode_string(struct buf *out, const struct tnode *n);

#endif
