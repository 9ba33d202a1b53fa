/*
 * Internal to rulefmt/: a YAML document as gopkg.in/yaml.v3 sees it.
 *
 * ytree_parse() turns the first document of a byte string into a tree of
 * struct ynode the way yaml.v3's parser builds its *yaml.Node tree (same
 * kinds, short tags, styles and 1-based line:column), and reports syntax
 * errors with yaml.v3's wording ("yaml: line 3: did not find expected key").
 * All nodes belong to the struct ytree; ytree_release() frees them.
 *
 * yresolve() is yaml.v3's resolve(): the implicit type of a plain scalar.
 */
#ifndef RULES_YTREE_H
#define RULES_YTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"

/* yaml.v3's Kind values, so kinds print the same if ever shown. */
enum ynode_kind { YN_DOC = 1, YN_SEQ = 2, YN_MAP = 4, YN_SCALAR = 8, YN_ALIAS = 16 };

/* yaml.v3's Style bits. */
enum {
	YS_TAGGED = 1,
	YS_DQUOTED = 2,
	YS_SQUOTED = 4,
	YS_LITERAL = 8,
	YS_FOLDED = 16,
	YS_FLOW = 32,
};

struct ynode {
	enum ynode_kind kind;
	int style;
	const char *tag; /* short form ("!!str", "!!map", "!foo"); never NULL */
	char *value;     /* scalar text, alias name; "" otherwise */
	size_t len;
	int line, col;   /* 1-based, of the node's first event */
	struct ynode **kids; /* documents: 1; sequences: items; mappings: k,v,k,v */
	size_t nkids, kids_cap;
	struct ynode *alias; /* alias nodes: the anchored node */
	bool visiting;       /* decoder's cycle guard for aliases */
};

struct ytree {
	struct ynode *root; /* the document node; NULL for an empty stream */
	struct ynode **all; /* every node, for release */
	size_t nall, all_cap;
	char **strs;        /* owned tag strings */
	size_t nstrs, strs_cap;
	/* Syntax errors as yaml.v2 words them: the problem's line first, then
	 * the context's (yaml.v3 prefers the context's). */
	bool v2_errors;
};

void ytree_init(struct ytree *t);
void ytree_release(struct ytree *t);

/*
 * Parses the first document of data[0..len).  On a syntax error returns -1
 * with e set to yaml.v3's message (without any file name).
 */
int ytree_parse(struct ytree *t, const char *data, size_t len, struct err *e);

/* Implicit types of yaml.v3's resolver. */
enum yres {
	YR_NULL,
	YR_BOOL,
	YR_INT,   /* fits Go int64 */
	YR_UINT,  /* > INT64_MAX, fits uint64 */
	YR_FLOAT,
	YR_TIMESTAMP,
	YR_STR,
	YR_MERGE,
	YR_OTHER, /* a tag the resolver does not know: the value stays a string */
};

struct yval {
	enum yres type;
	const char *tag; /* short tag of the result, e.g. "!!int" */
	int64_t i;
	uint64_t u;
	double f;
};

/*
 * yaml.v3 resolve(tag, value).  Returns -1 with e set when an explicit tag
 * contradicts the value ("yaml: cannot decode !!str `abc` as a !!int").
 */
int yresolve(struct yval *out, const char *tag, const char *v, size_t len, struct err *e);
/* yaml.v3 Node.ShortTag(). */
const char *ynode_short_tag(const struct ynode *n);
/* yaml.v3 Node.indicatedString(). */
bool ynode_indicated_string(const struct ynode *n);

#endif
