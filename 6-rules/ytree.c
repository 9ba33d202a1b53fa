/*
 * libyaml events -> a node tree shaped like gopkg.in/yaml.v3's.
 *
 * yaml.v3 is a Go port of libyaml, so libyaml 0.2.5 produces the same
 * events, marks and problem strings; what yaml.v3 adds on top is rebuilt
 * here: node positions (event start mark + 1), short tags, the implicit
 * resolver, and the error text of parser.fail() -- "yaml: line N: <problem>"
 * where N is the context mark's line if any (else the problem mark's), which
 * is 0-based for parser errors and 1-based for scanner errors (yaml.v3 adds
 * one for scanner errors only).
 */
#include "6-rules/ytree.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "1-common/gofmt.h"
#include "1-common/xalloc.h"

/* yaml.v3's max_flow_level / max_indents. */
#define YTREE_MAX_DEPTH 10000

static const char long_prefix[] = "tag:yaml.org,2002:";

void ytree_init(struct ytree *t)
{
	memset(t, 0, sizeof(*t));
}

void ytree_release(struct ytree *t)
{
	for (size_t i = 0; i < t->nall; i++) {
		free(t->all[i]->value);
		free(t->all[i]->kids);
		free(t->all[i]);
	}
	free(t->all);
	for (size_t i = 0; i < t->nstrs; i++)
		free(t->strs[i]);
	free(t->strs);
	ytree_init(t);
}

static const char *intern(struct ytree *t, char *s)
{
	ALLOC_GROW(t->strs, t->nstrs + 1, t->strs_cap);
	t->strs[t->nstrs++] = s;
	return s;
}

/* yaml.v3 shortTag(): "tag:yaml.org,2002:x" -> "!!x". */
static const char *short_tag(struct ytree *t, const char *tag)
{
	static const char *const known[] = { "!!null", "!!bool", "!!str", "!!int", "!!float",
					     "!!timestamp", "!!seq", "!!map", "!!binary", "!!merge" };
	size_t pl = sizeof(long_prefix) - 1;

	if (strncmp(tag, long_prefix, pl) == 0) {
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(tag + pl, known[i] + 2) == 0)
				return known[i];
		return intern(t, xasprintf("!!%s", tag + pl));
	}
	return intern(t, xstrdup(tag));
}

static struct ynode *new_node(struct ytree *t, enum ynode_kind kind, const yaml_event_t *ev)
{
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->tag = "";
	n->value = xstrdup("");
	n->line = (int)ev->start_mark.line + 1;
	n->col = (int)ev->start_mark.column + 1;
	ALLOC_GROW(t->all, t->nall + 1, t->all_cap);
	t->all[t->nall++] = n;
	return n;
}

static void add_kid(struct ynode *parent, struct ynode *kid)
{
	ALLOC_GROW(parent->kids, parent->nkids + 1, parent->kids_cap);
	parent->kids[parent->nkids++] = kid;
}

/* yaml.v3 parser.node(): an explicit tag wins, then the default tag, then
 * (plain scalars) the resolver. */
static void set_tag(struct ytree *t, struct ynode *n, const unsigned char *tag, const char *deftag)
{
	if (tag && *tag && strcmp((const char *)tag, "!") != 0) {
		n->tag = short_tag(t, (const char *)tag);
		n->style |= YS_TAGGED;
	} else if (deftag) {
		n->tag = deftag;
	} else if (n->kind == YN_SCALAR) {
		struct yval v;
		yresolve(&v, "", n->value, n->len, NULL);
		n->tag = v.tag;
	}
}

/* The message of yaml.v3 (or yaml.v2) parser.fail(). */
static int parse_fail(const yaml_parser_t *p, bool v2, struct err *e)
{
	size_t line = 0;
	const char *msg = p->problem && *p->problem ? p->problem : "unknown problem parsing YAML content";

	if (v2) {
		if (p->problem_mark.line != 0)
			line = p->problem_mark.line + (p->error == YAML_SCANNER_ERROR);
		else if (p->context_mark.line != 0)
			line = p->context_mark.line;
	} else if (p->context_mark.line != 0)
		line = p->context_mark.line + (p->error == YAML_SCANNER_ERROR);
	else if (p->problem_mark.line != 0)
		line = p->problem_mark.line + (p->error == YAML_SCANNER_ERROR);
	if (line)
		return err_set(e, "yaml: line %zu: %s", line, msg);
	return err_set(e, "yaml: %s", msg);
}

struct anchor {
	char *name;
	struct ynode *node;
};

struct anchors {
	struct anchor *v;
	size_t n, cap;
};

static void anchor_set(struct anchors *a, const unsigned char *name, struct ynode *node)
{
	if (!name)
		return;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, (const char *)name) == 0) {
			a->v[i].node = node;
			return;
		}
	ALLOC_GROW(a->v, a->n + 1, a->cap);
	a->v[a->n].name = xstrdup((const char *)name);
	a->v[a->n++].node = node;
}

static struct ynode *anchor_get(const struct anchors *a, const char *name)
{
	for (size_t i = a->n; i-- > 0;)
		if (strcmp(a->v[i].name, name) == 0)
			return a->v[i].node;
	return NULL;
}

/*
 * yaml.v3's scanner keeps two tokens of lookahead beyond what the parser
 * asks for (it needs them to attach comments), libyaml's does not.  So
 * when the parser stopped -- at an error, or at the end of the first
 * document -- with token `head` next, yaml.v3 has already tried to scan
 * tokens head+1 and head+2, and a scanner error there is what it reports.
 * Rescans the input for such an error; returns 1 with e set if found.
 */
/* Whether the parser's own scanner already produced, without an error,
 * every token lookahead_scan_error() would look at. */
static bool scanned_past(const yaml_parser_t *p, size_t head)
{
	return p->stream_end_produced || p->tokens_parsed + (size_t)(p->tokens.tail - p->tokens.head) >= head + 3;
}

static int lookahead_scan_error(const char *data, size_t len, size_t head, struct err *e)
{
	yaml_parser_t p;
	yaml_token_t tok;
	int found = 0;

	if (!yaml_parser_initialize(&p))
		return 0;
	yaml_parser_set_input_string(&p, (const unsigned char *)(data ? data : ""), len);
	for (;;) {
		if (!yaml_parser_scan(&p, &tok)) {
			/* the token being produced: those returned plus those queued */
			size_t index = p.tokens_parsed + (size_t)(p.tokens.tail - p.tokens.head);
			if (index <= head + 2 && p.error == YAML_SCANNER_ERROR) {
				parse_fail(&p, false, e);
				found = 1;
			}
			break;
		}
		if (tok.type == YAML_STREAM_END_TOKEN || p.tokens_parsed > head + 3) {
			yaml_token_delete(&tok);
			break;
		}
		yaml_token_delete(&tok);
	}
	yaml_parser_delete(&p);
	return found;
}

/*
 * libyaml skips a byte-order mark at the start of any line; yaml.v3's
 * is_bom() looks at the start of its buffer instead of the current position
 * and so, after the first line, keeps it as text ("\ufeffgroups").  To get
 * yaml.v3's reading, such marks are swapped for U+E000 (which libyaml
 * treats as ordinary text too) and swapped back in the tree.  Returns a
 * copy to parse, or NULL when there is nothing to do (or U+E000 is
 * already in use).
 */
static const char bom[] = "\xEF\xBB\xBF", stand_in[] = "\xEE\x80\x80";

static char *hide_line_boms(const char *data, size_t len)
{
	char *copy = NULL;

	if (!data || memmem(data, len, stand_in, 3))
		return NULL;
	for (size_t i = 1; i + 3 <= len; i++)
		if ((data[i - 1] == '\n' || data[i - 1] == '\r') && !memcmp(data + i, bom, 3)) {
			if (!copy) {
				copy = xmalloc(len + 1);
				memcpy(copy, data, len);
			}
			memcpy(copy + i, stand_in, 3);
		}
	return copy;
}

static void restore_boms(struct ytree *t)
{
	for (size_t i = 0; i < t->nall; i++) {
		struct ynode *n = t->all[i];
		for (char *p = n->value; (p = memmem(p, n->len - (size_t)(p - n->value), stand_in, 3)); p += 3)
			memcpy(p, bom, 3);
	}
}

/*
 * libyaml 0.2.5 refuses "x:" followed by , ? [ ] { } inside a flow
 * collection ("found unexpected ':'"); yaml.v3 dropped that check and reads
 * the colon as part of the plain scalar ("{a:}" has the key "a:").  Such
 * colons are found with a token scan, swapped for U+E001 (one character, so
 * marks do not move) and swapped back in the tree.  Returns the patched
 * copy (length in *out_len) or NULL when there is nothing to patch.
 */
static const char colon_stand_in[] = "\xEE\x80\x81";

/* Whether data has ':' followed by one of ,?[]{} anywhere: libyaml's
 * check needs that pair, so without one there is nothing to scan for. */
static bool has_flow_colon(const char *data, size_t len)
{
	for (const char *c = data; (c = memchr(c, ':', len - (size_t)(c - data))) && c + 1 < data + len; c++)
		if (strchr(",?[]{}", c[1]) && c[1])
			return true;
	return false;
}

static char *hide_flow_colons(const char *data, size_t len, size_t *out_len)
{
	char *copy = NULL;

	if (!data || memmem(data, len, colon_stand_in, 3) || !has_flow_colon(data, len))
		return NULL;
	for (int round = 0; round < 64; round++) {
		const char *cur = copy ? copy : data;
		yaml_parser_t p;
		yaml_token_t tok;
		size_t chars, off = 0;
		int patch = 0;

		if (!yaml_parser_initialize(&p))
			break;
		yaml_parser_set_input_string(&p, (const unsigned char *)cur, len);
		for (int flow = 0;;) {
			if (!yaml_parser_scan(&p, &tok)) {
				patch = p.error == YAML_SCANNER_ERROR && p.problem &&
					!strcmp(p.problem, "found unexpected ':'");
				break;
			}
			flow += tok.type == YAML_FLOW_SEQUENCE_START_TOKEN || tok.type == YAML_FLOW_MAPPING_START_TOKEN;
			flow -= flow > 0 && (tok.type == YAML_FLOW_SEQUENCE_END_TOKEN ||
					     tok.type == YAML_FLOW_MAPPING_END_TOKEN);
			/* yaml.v3's scanner stops past its depth limit (libyaml
			 * scans on, in time quadratic in the depth) */
			if (tok.type == YAML_STREAM_END_TOKEN || flow > YTREE_MAX_DEPTH) {
				yaml_token_delete(&tok);
				break;
			}
			yaml_token_delete(&tok);
		}
		chars = p.problem_mark.index;
		yaml_parser_delete(&p);
		if (!patch)
			break;
		/* marks count characters, after a leading BOM */
		if (len >= 3 && !memcmp(cur, bom, 3))
			off = 3;
		for (; off < len; off++)
			if (((unsigned char)cur[off] & 0xC0) != 0x80 && chars-- == 0)
				break;
		if (off >= len || cur[off] != ':')
			break;
		{
			char *next = xmalloc(len + 3);
			memcpy(next, cur, off);
			memcpy(next + off, colon_stand_in, 3);
			memcpy(next + off + 3, cur + off + 1, len - off - 1);
			len += 2;
			next[len] = '\0';
			free(copy);
			copy = next;
		}
	}
	*out_len = len;
	return copy;
}

static void restore_colons(struct ytree *t)
{
	for (size_t i = 0; i < t->nall; i++) {
		struct ynode *n = t->all[i];
		char *w = n->value;
		for (size_t r = 0; r < n->len;) {
			if (r + 3 <= n->len && !memcmp(n->value + r, colon_stand_in, 3)) {
				*w++ = ':';
				r += 3;
			} else {
				*w++ = n->value[r++];
			}
		}
		*w = '\0';
		n->len = (size_t)(w - n->value);
	}
}

int ytree_parse(struct ytree *t, const char *data, size_t len, struct err *e)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct anchors anchors = { NULL, 0, 0 };
	struct ynode **stack = NULL;
	size_t depth = 0, stack_cap = 0;
	/* yaml.v3's scanner limits: open flow collections (max_flow_level),
	 * pushed block indents (max_indents, columns in indents[]) */
	size_t flow = 0, nindents = 0, indents_cap = 0, lvl_cap = 0;
	int *indents = NULL;
	char *lvl = NULL; /* per open node: 'f' flow, 'i' pushed an indent, 0 */
	int have_ev = 0, ret = -1, done = 0, explicit_end = 0;
	char *hidden = hide_line_boms(data, len), *colons;

	if (hidden)
		data = hidden;
	colons = hide_flow_colons(data, len, &len);
	if (colons)
		data = colons;
	if (!yaml_parser_initialize(&p)) {
		free(colons);
		free(hidden);
		return err_set(e, "yaml: failed to initialize YAML parser");
	}
	/* libyaml asserts on a NULL input, even an empty one */
	yaml_parser_set_input_string(&p, (const unsigned char *)(data ? data : ""), len);

	while (!done) {
		struct ynode *n = NULL;

		if (!yaml_parser_parse(&p, &ev)) {
			/* yaml.v2 has no comment lookahead: it reports what libyaml says */
			if (t->v2_errors || p.error == YAML_SCANNER_ERROR || scanned_past(&p, p.tokens_parsed) ||
			    !lookahead_scan_error(data, len, p.tokens_parsed, e))
				parse_fail(&p, t->v2_errors, e);
			goto done;
		}
		have_ev = 1;
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			/* an empty stream: yaml.v3 returns no node at all */
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			n = new_node(t, YN_DOC, &ev);
			t->root = n;
			ALLOC_GROW(stack, depth + 1, stack_cap);
			stack[depth++] = n;
			n = NULL;
			break;
		case YAML_DOCUMENT_END_EVENT:
			/* only the first document is read, as Decode/Unmarshal do */
			done = 1;
			/* an explicit "..." was consumed; the parser last asked for it */
			explicit_end = !ev.data.document_end.implicit;
			break;
		case YAML_ALIAS_EVENT:
			n = new_node(t, YN_ALIAS, &ev);
			free(n->value);
			n->value = xstrdup((const char *)ev.data.alias.anchor);
			n->len = strlen(n->value);
			n->alias = anchor_get(&anchors, n->value);
			if (!n->alias) {
				err_set(e, "yaml: unknown anchor '%s' referenced", n->value);
				goto done;
			}
			break;
		case YAML_SCALAR_EVENT: {
			const char *deftag = NULL;

			n = new_node(t, YN_SCALAR, &ev);
			free(n->value);
			n->len = ev.data.scalar.length;
			n->value = xmalloc(n->len + 1);
			memcpy(n->value, ev.data.scalar.value, n->len);
			n->value[n->len] = '\0';
			switch (ev.data.scalar.style) {
			case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = YS_DQUOTED; break;
			case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = YS_SQUOTED; break;
			case YAML_LITERAL_SCALAR_STYLE: n->style = YS_LITERAL; break;
			case YAML_FOLDED_SCALAR_STYLE: n->style = YS_FOLDED; break;
			default: break;
			}
			if (n->style)
				deftag = "!!str";
			else if (strcmp(n->value, "<<") == 0)
				deftag = "!!merge";
			set_tag(t, n, ev.data.scalar.tag, deftag);
			anchor_set(&anchors, ev.data.scalar.anchor, n);
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			int seq = ev.type == YAML_SEQUENCE_START_EVENT;

			n = new_node(t, seq ? YN_SEQ : YN_MAP, &ev);
			set_tag(t, n, seq ? ev.data.sequence_start.tag : ev.data.mapping_start.tag,
				seq ? "!!seq" : "!!map");
			if (seq ? ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
				: ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE)
				n->style |= YS_FLOW;
			/* anchored before the children, so an alias inside may refer to it */
			anchor_set(&anchors, seq ? ev.data.sequence_start.anchor : ev.data.mapping_start.anchor, n);
			ALLOC_GROW(lvl, depth + 1, lvl_cap);
			lvl[depth] = 0;
			if (n->style & YS_FLOW) {
				flow++;
				lvl[depth] = 'f';
			} else if (!nindents || n->col > indents[nindents - 1]) {
				/* roll_indent pushes a deeper column only (not an
				 * indentless sequence) */
				ALLOC_GROW(indents, nindents + 1, indents_cap);
				indents[nindents++] = n->col;
				lvl[depth] = 'i';
			}
			if (flow > YTREE_MAX_DEPTH || nindents > YTREE_MAX_DEPTH) {
				/* libyaml 0.2.5 has no limit; yaml.v3's scanner stops here */
				/* a scanner error: no line when on the first line */
				if (n->line > 1)
					err_set(e, "yaml: line %d: exceeded max depth of %d", n->line, YTREE_MAX_DEPTH);
				else
					err_set(e, "yaml: exceeded max depth of %d", YTREE_MAX_DEPTH);
				goto done;
			}
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			if (lvl[depth] == 'f')
				flow--;
			else if (lvl[depth] == 'i')
				nindents--;
			break;
		default:
			break;
		}
		if (n) {
			if (depth > 0)
				add_kid(stack[depth - 1], n);
			if (n->kind == YN_SEQ || n->kind == YN_MAP) {
				ALLOC_GROW(stack, depth + 1, stack_cap);
				stack[depth++] = n;
			}
		}
		yaml_event_delete(&ev);
		have_ev = 0;
	}
	if (t->root && !t->v2_errors && !scanned_past(&p, p.tokens_parsed - (explicit_end && p.tokens_parsed)) &&
	    lookahead_scan_error(data, len, p.tokens_parsed - (explicit_end && p.tokens_parsed), e))
		goto done;
	ret = 0;
done:
	if (have_ev)
		yaml_event_delete(&ev);
	yaml_parser_delete(&p);
	for (size_t i = 0; i < anchors.n; i++)
		free(anchors.v[i].name);
	free(anchors.v);
	free(stack);
	free(lvl);
	free(indents);
	if (colons)
		restore_colons(t);
	if (hidden)
		restore_boms(t);
	free(colons);
	free(hidden);
	return ret;
}

/* ---- the resolver ---------------------------------------------------- */

static bool in_list(const char *v, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(v, *list) == 0)
			return true;
	return false;
}

/* Reads 1..max digits; returns the count (0 when none). */
static size_t digits(const char *s, size_t len, size_t i, size_t max, int *out)
{
	size_t k = 0;

	*out = 0;
	while (i + k < len && k < max && isdigit((unsigned char)s[i + k]))
		*out = *out * 10 + (s[i + k++] - '0');
	return k;
}

/*
 * yaml.v3 parseTimestamp(): time.Parse with "2006-1-2T15:4:5.999999999Z07:00"
 * (also with 't' or ' ' and no zone) or "2006-1-2", with Go's range checks.
 */
static bool is_timestamp(const char *s, size_t len)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int year, mon, day, h, m, sec, k;
	size_t i = 0, n;
	char sep;

	if ((n = digits(s, len, 0, 5, &year)) != 4 || len < 5 || s[4] != '-')
		return false;
	i = 5;
	if (!(n = digits(s, len, i, 2, &mon)))
		return false;
	i += n;
	if (i >= len || s[i++] != '-' || !(n = digits(s, len, i, 2, &day)))
		return false;
	i += n;
	if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1])
		return false;
	if (mon == 2 && day == 29 && !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return false;
	if (i == len)
		return true;
	sep = s[i++];
	if (sep != 'T' && sep != 't' && sep != ' ')
		return false;
	if (!(n = digits(s, len, i, 2, &h)) || (i += n) >= len || s[i++] != ':')
		return false;
	if (!(n = digits(s, len, i, 2, &m)) || (i += n) >= len || s[i++] != ':')
		return false;
	if (!(n = digits(s, len, i, 2, &sec)))
		return false;
	i += n;
	if (h > 23 || m > 59 || sec > 59)
		return false;
	if (i < len && s[i] == '.') {
		size_t f = ++i;
		while (i < len && isdigit((unsigned char)s[i]))
			i++;
		if (i == f)
			return false;
	}
	if (i == len)
		return true;
	if (sep == ' ')
		return false;
	if (s[i] == 'Z')
		return i + 1 == len;
	if (s[i] != '+' && s[i] != '-')
		return false;
	i++;
	if (digits(s, len, i, 2, &k) != 2 || k > 23 || (i += 2) >= len || s[i++] != ':')
		return false;
	return digits(s, len, i, 2, &k) == 2 && k < 60 && i + 2 == len;
}

/* strconv.ParseInt/ParseUint(s, 0, 64) after underscores are dropped. */
static int parse_go_int(const char *s, bool *neg, uint64_t *mag)
{
	int base = 10;
	uint64_t v = 0;

	*neg = false;
	if (*s == '+' || *s == '-')
		*neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	else if (s[0] == '0' && s[1])
		base = 8, s += 1;
	if (!*s)
		return -1;
	for (; *s; s++) {
		int d;
		if (isdigit((unsigned char)*s))
			d = *s - '0';
		else if (isalpha((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			return -1;
		if (d >= base)
			return -1;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -2;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*mag = v;
	return 0;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s)
{
	size_t n;

	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.') {
		s++;
		for (n = 0; isdigit((unsigned char)*s); s++, n++)
			;
		if (!n)
			return false;
	} else {
		for (n = 0; isdigit((unsigned char)*s); s++, n++)
			;
		if (!n)
			return false;
		if (*s == '.')
			for (s++; isdigit((unsigned char)*s); s++)
				;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		for (n = 0; isdigit((unsigned char)*s); s++, n++)
			;
		if (!n)
			return false;
	}
	return *s == '\0';
}

/* Integer forms of resolve(): decimal/0x/0o/0/0b via ParseInt then
 * ParseUint; sets out and returns true when one matched. */
static bool resolve_int(struct yval *out, const char *plain)
{
	bool neg;
	uint64_t mag;
	int r = parse_go_int(plain, &neg, &mag);

	if (r == 0) {
		if (!neg && mag <= (uint64_t)INT64_MAX) {
			out->type = YR_INT, out->i = (int64_t)mag;
			return true;
		}
		if (neg && mag <= (uint64_t)INT64_MAX + 1) {
			out->type = YR_INT, out->i = (int64_t)(0 - mag);
			return true;
		}
		if (!neg && plain[0] != '+') {
			out->type = YR_UINT, out->u = mag;
			return true;
		}
		if (plain[0] == '+') {
			/* ParseUint refuses a sign */
			return false;
		}
	}
	return false;
}

int yresolve(struct yval *out, const char *tag, const char *v, size_t len, struct err *e)
{
	static const char *const trues[] = { "true", "True", "TRUE", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", NULL };
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const nans[] = { ".nan", ".NaN", ".NAN", NULL };
	static const char *const pinfs[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL };
	static const char *const ninfs[] = { "-.inf", "-.Inf", "-.INF", NULL };
	const char *rtag = "!!str";
	unsigned char c0 = len ? (unsigned char)v[0] : 0;
	int hint;
	bool have = false;

	memset(out, 0, sizeof(*out));
	out->type = YR_STR;
	if (*tag && strcmp(tag, "!!str") && strcmp(tag, "!!bool") && strcmp(tag, "!!int") &&
	    strcmp(tag, "!!float") && strcmp(tag, "!!null") && strcmp(tag, "!!timestamp")) {
		out->type = strcmp(tag, "!!binary") == 0 ? YR_STR : YR_OTHER;
		out->tag = tag;
		return 0;
	}
	if (!len)
		hint = 'N';
	else if (c0 == '+' || c0 == '-' || isdigit(c0))
		hint = 'D';
	else if (strchr("yYnNtTfFoO~", c0))
		hint = 'M';
	else if (c0 == '.')
		hint = '.';
	else
		hint = 0;
	/* Go strings may hold NUL bytes; such a value is never a number */
	if (strlen(v) != len)
		hint = 0;

	if (hint && strcmp(tag, "!!str") != 0) {
		have = true;
		if (in_list(v, trues) || in_list(v, falses))
			out->type = YR_BOOL, rtag = "!!bool", out->i = in_list(v, trues);
		else if (in_list(v, nulls))
			out->type = YR_NULL, rtag = "!!null";
		else if (in_list(v, nans))
			out->type = YR_FLOAT, rtag = "!!float", out->f = NAN;
		else if (in_list(v, pinfs))
			out->type = YR_FLOAT, rtag = "!!float", out->f = INFINITY;
		else if (in_list(v, ninfs))
			out->type = YR_FLOAT, rtag = "!!float", out->f = -INFINITY;
		else if (strcmp(v, "<<") == 0)
			out->type = YR_MERGE, rtag = "!!merge";
		else
			have = false;

		if (!have && hint == '.') {
			double f;
			if (go_parse_float(v, len, &f) == 0)
				out->type = YR_FLOAT, rtag = "!!float", out->f = f, have = true;
		} else if (!have && hint == 'D') {
			char *plain = xmalloc(len + 1);
			size_t pl = 0;

			for (size_t i = 0; i < len; i++)
				if (v[i] != '_')
					plain[pl++] = v[i];
			plain[pl] = '\0';
			if ((!*tag || strcmp(tag, "!!timestamp") == 0) && is_timestamp(v, len)) {
				out->type = YR_TIMESTAMP, rtag = "!!timestamp", have = true;
			} else if (resolve_int(out, plain)) {
				rtag = "!!int", have = true;
			} else if (yaml_style_float(plain)) {
				double f;
				int r = go_parse_float(plain, pl, &f);
				if (r == 0) /* Go's ErrRange also fails here */
					out->type = YR_FLOAT, rtag = "!!float", out->f = f, have = true;
			}
			/* "0b"/"0o" forms were already accepted by resolve_int's base prefixes */
			free(plain);
		}
	}
	if (!have)
		out->type = YR_STR, rtag = "!!str";
	out->tag = rtag;

	/* an explicit tag must agree with what the value resolves to */
	if (*tag && strcmp(tag, rtag) != 0 && strcmp(tag, "!!str") != 0) {
		if (strcmp(tag, "!!float") == 0 && out->type == YR_INT) {
			out->type = YR_FLOAT, out->f = (double)out->i, out->tag = "!!float";
			return 0;
		}
		return err_set(e, "yaml: cannot decode %s `%s` as a %s", rtag, v, tag);
	}
	if (strcmp(tag, "!!str") == 0) {
		out->type = YR_STR;
		out->tag = "!!str";
	}
	return 0;
}

bool ynode_indicated_string(const struct ynode *n)
{
	return n->kind == YN_SCALAR &&
	       (strcmp(n->tag, "!!str") == 0 ||
		((!*n->tag || strcmp(n->tag, "!") == 0) &&
		 (n->style & (YS_SQUOTED | YS_DQUOTED | YS_LITERAL | YS_FOLDED))));
}

const char *ynode_short_tag(const struct ynode *n)
{
	if (ynode_indicated_string(n))
		return "!!str";
	if (!*n->tag || strcmp(n->tag, "!") == 0) {
		switch (n->kind) {
		case YN_MAP: return "!!map";
		case YN_SEQ: return "!!seq";
		case YN_ALIAS: return n->alias ? ynode_short_tag(n->alias) : "";
		case YN_SCALAR: {
			struct yval v;
			yresolve(&v, "", n->value, n->len, NULL);
			return v.tag;
		}
		default: return "";
		}
	}
	return n->tag;
}
