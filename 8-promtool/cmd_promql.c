/*
 * promtool promql format | label-matchers set | label-matchers delete
 * (2.46+, --compat; cmd/promtool/main.go formatPromQL, labelsSetPromQL,
 * labelsDeletePromQL, the same from v2.46.0 to v3.14.0): parse the query
 * with the release's parser, edit the vector selectors' matchers, print
 * expr.Pretty(0) and a newline.  Each needs --experimental, as upstream
 * (checkExperimental: its message on stderr, exit 1).  Pretty(0) is
 * 4-promql/pretty.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "1-common/xalloc.h"
#include "2-model/matcher.h"
#include "4-promql/ast.h"
#include "4-promql/promql.h"
#include "8-promtool/cli.h"
#include "8-promtool/commands.h"

/* The matcher arrays a label edit allocated (freed after printing). */
struct edit {
	enum { EDIT_SET, EDIT_DELETE } op;
	const char *name, *value;
	enum label_match_type type;
	struct label_matcher **owned;
	size_t nowned, owned_cap;
	int err; /* -1: Go would panic (delete, see below) */
};

static void edit_vector(struct edit *ed, struct promql_node *n)
{
	struct label_matcher *m = n->u.vector.matchers;
	size_t len = n->u.vector.nmatchers, orig = len;
	bool found = false;

	if (ed->op == EDIT_SET) {
		struct label_matcher *grown;
		for (size_t i = 0; i < len; i++)
			if (!strcmp(m[i].name, ed->name)) {
				m[i].type = ed->type;
				m[i].value = ed->value;
				m[i].value_len = strlen(ed->value);
				m[i].re = NULL; /* only printed */
				found = true;
			}
		if (found)
			return;
		grown = xcalloc(len + 1, sizeof(*grown));
		if (len)
			memcpy(grown, m, len * sizeof(*m));
		grown[len] = (struct label_matcher){ ed->type, ed->name, ed->value, strlen(ed->value), NULL };
		ALLOC_GROW(ed->owned, ed->nowned + 1, ed->owned_cap);
		ed->owned[ed->nowned++] = grown;
		n->u.vector.matchers = grown;
		n->u.vector.nmatchers = len + 1;
		return;
	}
	/*
	 * Go's loop deletes while ranging over the original slice: the element
	 * after a deleted one is skipped, and the range still reads the shifted
	 * array up to the original length; append(s[:i], s[i+1:]...) with i+1
	 * past the shortened length panics.
	 */
	for (size_t i = 0; i < orig; i++) {
		if (strcmp(m[i].name, ed->name))
			continue;
		if (i + 1 > len) {
			ed->err = -1;
			return;
		}
		memmove(&m[i], &m[i + 1], (len - i - 1) * sizeof(*m));
		len--;
	}
	n->u.vector.nmatchers = len;
}

/* parser.Inspect: every vector selector, those under matrix selectors too. */
static void walk(struct edit *ed, struct promql_node *n)
{
	if (!n)
		return;
	switch (n->kind) {
	case PROMQL_NODE_AGGREGATE:
		walk(ed, n->u.aggregate.param);
		walk(ed, n->u.aggregate.expr);
		break;
	case PROMQL_NODE_BINARY:
		walk(ed, n->u.binary.lhs);
		walk(ed, n->u.binary.rhs);
		break;
	case PROMQL_NODE_CALL:
		for (size_t i = 0; i < n->u.call.nargs; i++)
			walk(ed, n->u.call.args[i]);
		break;
	case PROMQL_NODE_MATRIX:
		walk(ed, n->u.matrix.vs);
		break;
	case PROMQL_NODE_SUBQUERY:
		walk(ed, n->u.subquery.expr);
		break;
	case PROMQL_NODE_PAREN:
		walk(ed, n->u.paren.expr);
		break;
	case PROMQL_NODE_UNARY:
		walk(ed, n->u.unary.expr);
		break;
	case PROMQL_NODE_STEP_INVARIANT:
		walk(ed, n->u.step_invariant.expr);
		break;
	case PROMQL_NODE_VECTOR:
		edit_vector(ed, n);
		break;
	default:
		break;
	}
}

static int run(const struct cli_ctx *c, struct edit *ed)
{
	const char *q = cli_str(c, "query");
	struct promql_parse_opts o;
	struct promql_expr *x = NULL;
	struct err e = ERR_INIT;
	struct buf out = BUF_INIT;
	int ret = 1;

	if (!cli_bool(c, "experimental")) {
		fprintf(stderr, "This command is experimental and requires the --experimental flag to be set.\n");
		return 1;
	}
	promtool_parser_opts(c, &o);
	if (promql_parse_with(&x, q ? q : "", q ? strlen(q) : 0, &o, &e) < 0) {
		fprintf(stderr, "%s\n", err_msg(&e));
		goto done;
	}
	if (ed) {
		walk(ed, (struct promql_node *)promql_expr_root(x));
		if (ed->err < 0) {
			fprintf(stderr, "panic: runtime error: slice bounds out of range (deleting a label given "
					"twice in one selector)\n");
			ret = 2;
			goto done;
		}
	}
	promql_pretty_with(&out, x, cli_compat(c));
	printf("%s\n", buf_str(&out));
	ret = 0;
done:
	if (ed)
		for (size_t i = 0; i < ed->nowned; i++)
			free(ed->owned[i]);
	if (ed)
		free(ed->owned);
	buf_release(&out);
	promql_expr_free(x);
	err_release(&e);
	return ret;
}

int cmd_promql_format(const struct cli_ctx *c)
{
	return run(c, NULL);
}

int cmd_promql_labels_set(const struct cli_ctx *c)
{
	static const char *const types[] = { "=", "!=", "=~", "!~" };
	static const enum label_match_type ids[] = { LABEL_MATCH_EQUAL, LABEL_MATCH_NOT_EQUAL, LABEL_MATCH_REGEXP,
						     LABEL_MATCH_NOT_REGEXP };
	struct edit ed = { .op = EDIT_SET, .name = cli_str(c, "name"), .value = cli_str(c, "value") };
	const char *t = cli_str(c, "type");
	size_t i;

	/* the enum flag admits these four only */
	for (i = 0; i < 4 && strcmp(t ? t : "=", types[i]); i++)
		;
	ed.type = ids[i < 4 ? i : 0];
	return run(c, &ed);
}

int cmd_promql_labels_delete(const struct cli_ctx *c)
{
	struct edit ed = { .op = EDIT_DELETE, .name = cli_str(c, "name") };

	return run(c, &ed);
}
