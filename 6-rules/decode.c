/*
 * yaml.v3's decoder (decode.go: unmarshal, scalar, sequence, mapping,
 * mappingStruct, merge) specialised to the handful of Go types 2.42's
 * rulefmt decodes into.  Each C type below stands for one Go type and
 * carries its Go name, because that name appears in yaml.v3's messages:
 *   line 8: field annotation not found in type rulefmt.RuleNode
 *   line 3: cannot unmarshal !!str `abc` into int
 *   line 3: mapping key "name" already defined at line 2
 * Non-type errors (a bad duration, a contradicting explicit tag) abort the
 * decode as yaml.v3's panics do; type errors are collected and returned
 * together as a yaml.TypeError.
 */
#include "6-rules/decode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"

/* Go types.  X(ID, go name) */
#define DTYPES(X)                                                              \
	X(STRING, "string")                                                    \
	X(INT, "int")                                                          \
	X(DURATION, "model.Duration")                                          \
	X(DURATION_PTR, "*model.Duration")                                     \
	X(NODE, "yaml.Node")                                                   \
	X(MAP_SS, "map[string]string")                                         \
	X(GROUP_SLICE, "[]rulefmt.RuleGroup")                                  \
	X(RULE_SLICE, "[]rulefmt.RuleNode")                                    \
	X(NODE_SLICE, "[]yaml.Node")                                           \
	X(GROUPS, "rulefmt.RuleGroups")                                        \
	X(GROUP, "rulefmt.RuleGroup")                                          \
	X(RULE, "rulefmt.RuleNode")                                            \
	X(NODEGROUPS, "rulefmt.ruleGroups")

enum dtype {
#define X_(id, name) DT_##id,
	DTYPES(X_)
#undef X_
};

static const char *const dtype_names[] = {
#define X_(id, name) name,
	DTYPES(X_)
#undef X_
};

/*
 * Struct fields, in Go declaration order (that is the field id yaml.v3
 * uses for "already set" checks).  gate: the field exists from that
 * release on (NO_GATE: always).  record/alert/expr are yaml.Node fields
 * up to 3.2; from 3.3 the strict decode reads rulefmt.Rule, whose fields
 * are strings (struct dec.rule_strings: the node is kept and type-checked
 * as a string).
 */
#define NO_GATE COMPAT_GATE_COUNT
static const struct dfield {
	enum dtype owner;
	const char *key;
	enum dtype type;
	size_t off;
	enum compat_gate gate;
} dfields[] = {
	{ DT_GROUPS, "groups", DT_GROUP_SLICE, offsetof(struct dgroups, groups), NO_GATE },
	{ DT_NODEGROUPS, "groups", DT_NODE_SLICE, offsetof(struct dnodegroups, groups), NO_GATE },
	{ DT_GROUP, "name", DT_STRING, offsetof(struct dgroup, name), NO_GATE },
	{ DT_GROUP, "interval", DT_DURATION, offsetof(struct dgroup, interval_ms), NO_GATE },
	{ DT_GROUP, "query_offset", DT_DURATION_PTR, offsetof(struct dgroup, query_offset),
	  COMPAT_RULEFMT_QUERY_OFFSET },
	{ DT_GROUP, "limit", DT_INT, offsetof(struct dgroup, limit), NO_GATE },
	{ DT_GROUP, "rules", DT_RULE_SLICE, offsetof(struct dgroup, rules), NO_GATE },
	{ DT_GROUP, "labels", DT_MAP_SS, offsetof(struct dgroup, labels), COMPAT_RULEFMT_GROUP_LABELS },
	{ DT_RULE, "record", DT_NODE, offsetof(struct drule, record), NO_GATE },
	{ DT_RULE, "alert", DT_NODE, offsetof(struct drule, alert), NO_GATE },
	{ DT_RULE, "expr", DT_NODE, offsetof(struct drule, expr), NO_GATE },
	{ DT_RULE, "for", DT_DURATION, offsetof(struct drule, for_ms), NO_GATE },
	{ DT_RULE, "keep_firing_for", DT_DURATION, offsetof(struct drule, keep_firing_for_ms), NO_GATE },
	{ DT_RULE, "labels", DT_MAP_SS, offsetof(struct drule, labels), NO_GATE },
	{ DT_RULE, "annotations", DT_MAP_SS, offsetof(struct drule, annotations), NO_GATE },
};

#define NFIELDS (sizeof(dfields) / sizeof(dfields[0]))

/* Merge-key bookkeeping: names already present in the merging mapping. */
struct keyset {
	char **v;
	size_t n, cap;
};

struct dec {
	const struct compat *compat;
	bool known_fields;
	bool rule_strings; /* 3.3+ strict decode: record/alert/expr are strings */
	enum dnames names;
	struct err *fatal;  /* set once; decoding stops */
	char **terrs;       /* "line N: ..." */
	size_t nterrs, terrs_cap;
	long decode_count, alias_count;
	int alias_depth;
	struct keyset *merged;
};

enum { BAD = 0, GOOD = 1, FATAL = -1 };

/*
 * The Go type names a release's messages use.  2.42-3.2 decode strictly
 * into RuleGroup{Rules []RuleNode} and positionally into []yaml.Node; 3.3
 * decodes strictly into RuleGroup{Rules []Rule} and positionally into
 * ruleGroupNode{Rules []ruleNode}, exported as RuleGroupNode/RuleNode in 3.4.
 */
static const char *type_name(const struct dec *d, enum dtype t)
{
	static const char *const group[] = { "rulefmt.RuleGroup", "rulefmt.RuleGroup", "rulefmt.ruleGroupNode",
					     "rulefmt.RuleGroupNode" };
	static const char *const rule[] = { "rulefmt.RuleNode", "rulefmt.Rule", "rulefmt.ruleNode",
					    "rulefmt.RuleNode" };
	static const char *const groups[] = { "[]rulefmt.RuleGroup", "[]rulefmt.RuleGroup",
					      "[]rulefmt.ruleGroupNode", "[]rulefmt.RuleGroupNode" };
	static const char *const rules[] = { "[]rulefmt.RuleNode", "[]rulefmt.Rule", "[]rulefmt.ruleNode",
					     "[]rulefmt.RuleNode" };

	switch (t) {
	case DT_GROUP: return group[d->names];
	case DT_RULE: return rule[d->names];
	case DT_GROUP_SLICE: return groups[d->names];
	case DT_RULE_SLICE: return rules[d->names];
	case DT_GROUPS: return d->names >= DN_NODE_3_3 ? "rulefmt.ruleGroups" : "rulefmt.RuleGroups";
	default: return dtype_names[t];
	}
}

static bool field_on(const struct dec *d, const struct dfield *f)
{
	return f->gate == NO_GATE || compat_on(d->compat, f->gate);
}

static int unmarshal(struct dec *d, const struct ynode *n, enum dtype t, void *out);
static void release(enum dtype t, void *p);

static void terr_add(struct dec *d, char *msg)
{
	ALLOC_GROW(d->terrs, d->nterrs + 1, d->terrs_cap);
	d->terrs[d->nterrs++] = msg;
}

/* decoder.terror() */
static void terror(struct dec *d, const struct ynode *n, const char *tag, enum dtype t)
{
	struct buf b = BUF_INIT;

	if (*n->tag)
		tag = n->tag;
	buf_addf(&b, "line %d: cannot unmarshal %s", n->line, tag);
	if (strcmp(tag, "!!seq") != 0 && strcmp(tag, "!!map") != 0) {
		buf_adds(&b, " `");
		if (n->len > 10) {
			buf_add(&b, n->value, 7);
			buf_adds(&b, "...");
		} else {
			buf_add(&b, n->value, n->len);
		}
		buf_adds(&b, "`");
	}
	buf_addf(&b, " into %s", type_name(d, t));
	terr_add(d, buf_detach(&b, NULL));
}

static bool is_null(const struct ynode *n)
{
	return strcmp(ynode_short_tag(n), "!!null") == 0;
}

static bool is_merge(const struct ynode *n)
{
	return n->kind == YN_SCALAR && strcmp(n->value, "<<") == 0 &&
	       (!*n->tag || strcmp(n->tag, "!") == 0 || strcmp(n->tag, "!!merge") == 0);
}

static bool keyset_has(const struct keyset *s, const char *k)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], k) == 0)
			return true;
	return false;
}

static void keyset_add(struct keyset *s, const char *k)
{
	ALLOC_GROW(s->v, s->n + 1, s->cap);
	s->v[s->n++] = xstrdup(k);
}

static void keyset_free(struct keyset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	free(s);
}

static size_t elem_size(enum dtype t)
{
	switch (t) {
	case DT_GROUP_SLICE: return sizeof(struct dgroup);
	case DT_RULE_SLICE: return sizeof(struct drule);
	default: return sizeof(const struct ynode *);
	}
}

static enum dtype elem_type(enum dtype t)
{
	switch (t) {
	case DT_GROUP_SLICE: return DT_GROUP;
	case DT_RULE_SLICE: return DT_RULE;
	default: return DT_NODE;
	}
}

static bool is_slice(enum dtype t)
{
	return t == DT_GROUP_SLICE || t == DT_RULE_SLICE || t == DT_NODE_SLICE;
}

static bool is_struct(enum dtype t)
{
	return t == DT_GROUPS || t == DT_GROUP || t == DT_RULE || t == DT_NODEGROUPS;
}

static void release(enum dtype t, void *p)
{
	switch (t) {
	case DT_STRING: {
		char **s = p;
		free(*s);
		*s = NULL;
		break;
	}
	case DT_MAP_SS: {
		struct dmap *m = p;
		labels_release(&m->l);
		m->made = false;
		break;
	}
	case DT_GROUP_SLICE:
	case DT_RULE_SLICE:
	case DT_NODE_SLICE: {
		struct dslice *s = p;
		for (size_t i = 0; i < s->n; i++)
			release(elem_type(t), (char *)s->v + i * elem_size(t));
		free(s->v);
		memset(s, 0, sizeof(*s));
		break;
	}
	case DT_RULE: {
		struct drule *r = p;
		for (size_t i = 0; i < 3; i++) {
			free(r->text[i]);
			r->text[i] = NULL;
		}
	}
		/* fall through */
	case DT_GROUPS:
	case DT_GROUP:
	case DT_NODEGROUPS:
		for (size_t i = 0; i < NFIELDS; i++)
			if (dfields[i].owner == t)
				release(dfields[i].type, (char *)p + dfields[i].off);
		break;
	default:
		break;
	}
}

/* decoder.null(): nil-able kinds become nil and count as decoded. */
static int set_null(enum dtype t, void *out)
{
	if (t == DT_MAP_SS || is_slice(t)) {
		release(t, out);
		return GOOD;
	}
	return BAD;
}

static int base64_val(int c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

/* base64.StdEncoding.DecodeString (padding required, CR/LF ignored). */
static int base64_decode(struct buf *out, const char *s, size_t len)
{
	int q[4], nq = 0, pad = 0;

	for (size_t i = 0; i < len; i++) {
		int v;
		if (s[i] == '\r' || s[i] == '\n')
			continue;
		if (s[i] == '=' && nq >= 2) {
			pad++;
			q[nq++] = 0;
		} else if (pad || (v = base64_val((unsigned char)s[i])) < 0) {
			return -1;
		} else {
			q[nq++] = v;
		}
		if (nq == 4) {
			buf_addc(out, (unsigned char)(q[0] << 2 | q[1] >> 4));
			if (pad < 2)
				buf_addc(out, (unsigned char)((q[1] & 15) << 4 | q[2] >> 2));
			if (pad < 1)
				buf_addc(out, (unsigned char)((q[2] & 3) << 6 | q[3]));
			nq = 0;
			if (pad)
				pad = 3; /* nothing may follow padding */
		}
	}
	return nq == 0 ? 0 : -1;
}

/* decoder.scalar() for the kinds we decode into. */
static int dec_scalar(struct dec *d, const struct ynode *n, enum dtype t, void *out)
{
	struct yval v;
	struct buf bin = BUF_INIT;
	const char *tag;
	int ret = BAD;

	if (ynode_indicated_string(n)) {
		memset(&v, 0, sizeof(v));
		v.type = YR_STR;
		v.tag = tag = "!!str";
	} else {
		if (yresolve(&v, n->tag, n->value, n->len, d->fatal) < 0)
			return FATAL;
		tag = v.tag;
		if (strcmp(tag, "!!binary") == 0 && base64_decode(&bin, n->value, n->len) < 0) {
			err_set(d->fatal, "yaml: !!binary value contains invalid base64 data");
			return FATAL;
		}
	}
	if (v.type == YR_NULL)
		return set_null(t, out);

	switch (t) {
	case DT_STRING: {
		char **s = out;
		free(*s);
		if (strcmp(tag, "!!binary") == 0)
			*s = buf_detach(&bin, NULL);
		else
			*s = xstrndup(n->value, n->len);
		ret = GOOD;
		break;
	}
	case DT_INT: {
		int64_t *i = out;
		if (v.type == YR_INT) {
			*i = v.i;
			ret = GOOD;
		} else if (v.type == YR_FLOAT && v.f <= 9223372036854775807.0) {
			/* Go's int64(f) on amd64: out-of-range gives MinInt64 */
			*i = (v.f >= -9223372036854775808.0 && v.f < 9223372036854775808.0) ? (int64_t)v.f : INT64_MIN;
			ret = GOOD;
		}
		break;
	}
	default:
		break;
	}
	buf_release(&bin);
	if (ret == BAD)
		terror(d, n, tag, t);
	return ret;
}

static int dec_sequence(struct dec *d, const struct ynode *n, enum dtype t, void *out)
{
	struct dslice *s = out;
	enum dtype et = elem_type(t);
	size_t es = elem_size(t);

	if (!is_slice(t)) {
		terror(d, n, "!!seq", t);
		return BAD;
	}
	release(t, s);
	s->v = xcalloc(n->nkids ? n->nkids : 1, es);
	s->cap = n->nkids;
	for (size_t i = 0; i < n->nkids; i++) {
		void *e = (char *)s->v + s->n * es;
		int r = unmarshal(d, n->kids[i], et, e);
		if (r == FATAL) {
			release(et, e);
			return FATAL;
		}
		if (r == GOOD)
			s->n++;
		else
			release(et, e), memset(e, 0, es);
	}
	return GOOD;
}

static int dec_merge(struct dec *d, const struct ynode *parent, const struct ynode *merge, enum dtype t,
		     void *out);

/* The identity a key has in yaml.v3's mergedFields (a map[interface{}]bool). */
static char *key_id(const struct ynode *k)
{
	while (k->kind == YN_ALIAS && k->alias)
		k = k->alias;
	if (k->kind != YN_SCALAR)
		return NULL;
	if (ynode_indicated_string(k) || strcmp(ynode_short_tag(k), "!!str") == 0)
		return xasprintf("s:%s", k->value);
	return xasprintf("o:%s", k->value);
}

static int dec_map_ss(struct dec *d, const struct ynode *n, struct dmap *m)
{
	struct keyset *merged = d->merged;
	const struct ynode *merge_node = NULL;
	bool is_new = !m->made;
	int ret = GOOD;

	d->merged = NULL;
	m->made = true;
	for (size_t i = 0; i + 1 < n->nkids; i += 2) {
		char *k = NULL, *v = NULL;
		int r;

		if (is_merge(n->kids[i])) {
			merge_node = n->kids[i + 1];
			continue;
		}
		r = unmarshal(d, n->kids[i], DT_STRING, &k);
		if (r == GOOD) {
			char *id = xasprintf("s:%s", k ? k : "");
			bool skip = false;
			if (merged) {
				skip = keyset_has(merged, id);
				if (!skip)
					keyset_add(merged, id);
			}
			free(id);
			if (!skip) {
				r = unmarshal(d, n->kids[i + 1], DT_STRING, &v);
				if (r == GOOD || (r == BAD && is_null(n->kids[i + 1]) &&
						  (is_new || !labels_get(m->l.v, m->l.n, k ? k : ""))))
					labels_set_copy(&m->l, k ? k : "", v ? v : "");
			}
		}
		free(k);
		free(v);
		if (r == FATAL) {
			ret = FATAL;
			break;
		}
	}
	d->merged = merged;
	if (ret == GOOD && merge_node)
		ret = dec_merge(d, n, merge_node, DT_MAP_SS, m) == FATAL ? FATAL : GOOD;
	return ret;
}

static int dec_struct(struct dec *d, const struct ynode *n, enum dtype t, void *out)
{
	struct keyset *merged = d->merged;
	const struct ynode *merge_node = NULL;
	bool done[NFIELDS] = { false };
	char *name = NULL;
	int ret = GOOD;

	d->merged = NULL;
	if (d->rule_strings && t == DT_RULE)
		((struct drule *)out)->typed = true;
	for (size_t i = 0; i + 1 < n->nkids; i += 2) {
		const struct ynode *ni = n->kids[i];
		size_t f;
		int r;

		if (is_merge(ni)) {
			merge_node = n->kids[i + 1];
			continue;
		}
		r = unmarshal(d, ni, DT_STRING, &name);
		if (r == FATAL) {
			ret = FATAL;
			break;
		}
		if (r != GOOD)
			continue;
		if (merged) {
			char *id = xasprintf("s:%s", name ? name : "");
			bool seen = keyset_has(merged, id);
			if (!seen)
				keyset_add(merged, id);
			free(id);
			if (seen)
				continue;
		}
		for (f = 0; f < NFIELDS; f++)
			if (dfields[f].owner == t && field_on(d, &dfields[f]) &&
			    strcmp(dfields[f].key, name ? name : "") == 0)
				break;
		if (f < NFIELDS) {
			if (done[f]) {
				terr_add(d, xasprintf("line %d: field %s already set in type %s", ni->line,
						      name, type_name(d, t)));
				continue;
			}
			done[f] = true;
			if (unmarshal(d, n->kids[i + 1], dfields[f].type, (char *)out + dfields[f].off) == FATAL) {
				ret = FATAL;
				break;
			}
			if (d->rule_strings && t == DT_RULE && dfields[f].type == DT_NODE) {
				/* 3.3+: rulefmt.Rule's string field: its text and its type errors */
				struct drule *dr = out;
				enum drule_text w = !strcmp(dfields[f].key, "record") ? DR_RECORD
						    : !strcmp(dfields[f].key, "alert") ? DR_ALERT : DR_EXPR;
				if (unmarshal(d, n->kids[i + 1], DT_STRING, &dr->text[w]) == FATAL) {
					ret = FATAL;
					break;
				}
			}
		} else if (d->known_fields) {
			terr_add(d, xasprintf("line %d: field %s not found in type %s", ni->line,
					      name ? name : "", type_name(d, t)));
		}
	}
	free(name);
	d->merged = merged;
	if (ret == GOOD && merge_node)
		ret = dec_merge(d, n, merge_node, t, out) == FATAL ? FATAL : GOOD;
	return ret;
}

static int dec_mapping(struct dec *d, const struct ynode *n, enum dtype t, void *out)
{
	size_t before = d->nterrs;

	/* uniqueKeys: the same key (kind and text) twice is an error */
	for (size_t i = 0; i + 1 < n->nkids; i += 2)
		for (size_t j = i + 2; j + 1 < n->nkids; j += 2) {
			const struct ynode *a = n->kids[i], *b = n->kids[j];
			if (a->kind == b->kind && a->len == b->len && !memcmp(a->value, b->value, a->len)) {
				struct buf m = BUF_INIT;
				buf_addf(&m, "line %d: mapping key ", b->line);
				go_quote(&m, b->value, b->len);
				buf_addf(&m, " already defined at line %d", a->line);
				terr_add(d, buf_detach(&m, NULL));
			}
		}
	if (d->nterrs > before)
		return BAD;
	if (is_struct(t))
		return dec_struct(d, n, t, out);
	if (t == DT_MAP_SS)
		return dec_map_ss(d, n, out);
	terror(d, n, "!!map", t);
	return BAD;
}

static int dec_merge(struct dec *d, const struct ynode *parent, const struct ynode *merge, enum dtype t,
		     void *out)
{
	static const char want_map[] = "yaml: map merge requires map or sequence of maps as the value";
	struct keyset *saved = d->merged, *mine = NULL;
	int ret = GOOD;

	if (!saved) {
		mine = xcalloc(1, sizeof(*mine));
		for (size_t i = 0; i + 1 < parent->nkids; i += 2) {
			char *id = key_id(parent->kids[i]);
			if (id && !keyset_has(mine, id))
				keyset_add(mine, id);
			free(id);
		}
		d->merged = mine;
	}
	switch (merge->kind) {
	case YN_MAP:
		ret = unmarshal(d, merge, t, out);
		break;
	case YN_ALIAS:
		if (merge->alias && merge->alias->kind != YN_MAP)
			goto bad;
		ret = unmarshal(d, merge, t, out);
		break;
	case YN_SEQ:
		for (size_t i = 0; i < merge->nkids && ret != FATAL; i++) {
			const struct ynode *ni = merge->kids[i];
			if (ni->kind == YN_ALIAS ? ni->alias && ni->alias->kind != YN_MAP : ni->kind != YN_MAP)
				goto bad;
			ret = unmarshal(d, ni, t, out);
		}
		break;
	default:
		goto bad;
	}
	goto done;
bad:
	err_set(d->fatal, "%s", want_map);
	ret = FATAL;
done:
	d->merged = saved;
	keyset_free(mine);
	return ret;
}

/* yaml.v3 allowedAliasRatio() */
static double allowed_alias_ratio(long count)
{
	if (count <= 400000)
		return 0.99;
	if (count >= 4000000)
		return 0.10;
	return 0.99 - 0.89 * ((double)(count - 400000) / 3600000.0);
}

/* model.Duration's UnmarshalYAML: decode a string, then ParseDuration. */
static int dec_duration(struct dec *d, const struct ynode *n, int64_t *out)
{
	size_t before = d->nterrs;
	char *s = NULL;
	int r = unmarshal(d, n, DT_STRING, &s);
	int64_t ms;

	if (r == FATAL)
		return FATAL;
	if (d->nterrs > before) {
		free(s);
		return BAD;
	}
	if (!s || !*s) {
		err_set(d->fatal, "empty duration string");
		r = FATAL;
	} else if ((r = prom_parse_duration(s, strlen(s), &ms)) == -2) {
		err_set(d->fatal, "duration out of range");
		r = FATAL;
	} else if (r < 0) {
		struct buf q = BUF_INIT;
		go_quote(&q, s, strlen(s));
		err_set(d->fatal, "not a valid duration string: %s", buf_str(&q));
		buf_release(&q);
		r = FATAL;
	} else {
		*out = ms;
		r = GOOD;
	}
	free(s);
	return r;
}

static int unmarshal(struct dec *d, const struct ynode *n, enum dtype t, void *out)
{
	d->decode_count++;
	if (d->alias_depth > 0)
		d->alias_count++;
	if (d->alias_count > 100 && d->decode_count > 1000 &&
	    (double)d->alias_count / (double)d->decode_count > allowed_alias_ratio(d->decode_count)) {
		err_set(d->fatal, "yaml: document contains excessive aliasing");
		return FATAL;
	}
	if (t == DT_NODE) {
		*(const struct ynode **)out = n;
		return GOOD;
	}
	if (n->kind == YN_DOC) {
		if (n->nkids == 1) {
			int r = unmarshal(d, n->kids[0], t, out);
			return r == FATAL ? FATAL : GOOD;
		}
		return BAD;
	}
	if (n->kind == YN_ALIAS) {
		struct ynode *a = (struct ynode *)n;
		int r;
		if (a->visiting) {
			err_set(d->fatal, "yaml: anchor '%s' value contains itself", n->value);
			return FATAL;
		}
		a->visiting = true;
		d->alias_depth++;
		r = unmarshal(d, n->alias, t, out);
		d->alias_depth--;
		a->visiting = false;
		return r;
	}
	if (t == DT_DURATION && !is_null(n))
		return dec_duration(d, n, out);
	if (t == DT_DURATION_PTR) {
		/* *model.Duration: null leaves it nil, anything else is a Duration */
		struct doptdur *od = out;
		int r;
		if (is_null(n)) {
			od->set = false;
			return GOOD;
		}
		r = dec_duration(d, n, &od->ms);
		od->set = r == GOOD;
		return r;
	}
	switch (n->kind) {
	case YN_SCALAR: return dec_scalar(d, n, t, out);
	case YN_MAP: return dec_mapping(d, n, t, out);
	case YN_SEQ: return dec_sequence(d, n, t, out);
	default: return BAD;
	}
}

/* Runs one decode; returns 0 or -1 with e set as yaml.v3's Decode would. */
static int run(const struct ynode *root, const struct dec *proto, enum dtype t, void *out, struct err *e)
{
	struct dec d = *proto;
	struct err fatal = ERR_INIT;
	int r, ret = 0;

	d.fatal = &fatal;
	r = unmarshal(&d, root, t, out);
	if (r == FATAL) {
		err_move(e, &fatal);
		ret = -1;
	} else if (d.nterrs) {
		struct buf b = BUF_INIT;
		buf_adds(&b, "yaml: unmarshal errors:");
		for (size_t i = 0; i < d.nterrs; i++)
			buf_addf(&b, "\n  %s", d.terrs[i]);
		err_set(e, "%s", buf_str(&b));
		buf_release(&b);
		ret = -1;
	}
	for (size_t i = 0; i < d.nterrs; i++)
		free(d.terrs[i]);
	free(d.terrs);
	err_release(&fatal);
	return ret;
}

static struct dec proto_dec(const struct rdecode_opts *o, bool strict)
{
	struct dec d;
	bool typed = o && compat_on(o->compat, COMPAT_RULEFMT_TYPED_NODES);

	memset(&d, 0, sizeof(d));
	d.compat = o ? o->compat : NULL;
	d.known_fields = strict && !(o && o->ignore_unknown_fields);
	d.rule_strings = strict && typed;
	if (!typed)
		d.names = DN_2_42;
	else if (strict)
		d.names = DN_RULE;
	else
		d.names = compat_on(d.compat, COMPAT_RULEFMT_NODE_TYPES_EXPORTED) ? DN_NODE_3_4 : DN_NODE_3_3;
	return d;
}

int rdecode_groups(struct dgroups *out, const struct ynode *root, bool root_is_groups,
		   const struct rdecode_opts *o, struct err *e)
{
	struct dec d = proto_dec(o, true);

	memset(out, 0, sizeof(*out));
	if (root_is_groups)
		return run(root, &d, DT_GROUP_SLICE, &out->groups, e);
	return run(root, &d, DT_GROUPS, out, e);
}

int rdecode_nodegroups(struct dnodegroups *out, const struct ynode *root, bool root_is_groups,
		       const struct rdecode_opts *o, struct err *e)
{
	struct dec d = proto_dec(o, false);

	memset(out, 0, sizeof(*out));
	if (d.names != DN_2_42) {
		/* 3.3+: the positional decode is typed too, with its own errors */
		struct dgroups typed;
		int r;

		memset(&typed, 0, sizeof(typed));
		r = root_is_groups ? run(root, &d, DT_GROUP_SLICE, &typed.groups, e) : run(root, &d, DT_GROUPS, &typed, e);
		rdecode_groups_release(&typed);
		if (r < 0)
			return r;
		d.names = DN_2_42;
	}
	if (root_is_groups)
		return run(root, &d, DT_NODE_SLICE, &out->groups, e);
	return run(root, &d, DT_NODEGROUPS, out, e);
}

void rdecode_groups_release(struct dgroups *g)
{
	release(DT_GROUPS, g);
}

void rdecode_nodegroups_release(struct dnodegroups *g)
{
	release(DT_NODEGROUPS, g);
}
