/*
 * The rule unit test file as gopkg.in/yaml.v2's UnmarshalStrict decodes
 * it into cmd/promtool/unittest.go's types (yaml.v2 decode.go: unmarshal,
 * prepare, scalar, sequence, mapping, mappingStruct, merge; resolve.go's
 * YAML 1.1 resolver, so "yes" is a bool).  The document itself is parsed
 * by ytree (yaml.v3's parser; both are ports of libyaml).
 *
 * Messages are yaml.v2's, with the Go type names they quote:
 *   yaml: unmarshal errors:
 *     line 3: field foo not found in type main.testGroup
 *     line 9: cannot unmarshal !!str `abc` into float64
 * model.Duration and labels.Labels decode through their UnmarshalYAML
 * (a string, a map[string]string); a bad duration aborts the decode with
 * its own error (`not a valid duration string: "1x"`), as yaml.v2 passes
 * an Unmarshaler's error through.
 */
#include "6-rules/unittest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "6-rules/ytree.h"

/* Go types.  X(ID, go name) */
#define UTYPES(X)                                                              \
	X(STRING, "string")                                                    \
	X(FLOAT, "float64")                                                    \
	X(DURATION, "model.Duration")                                          \
	X(LABELS, "labels.Labels")                                             \
	X(MAP_SS, "map[string]string")                                         \
	X(STR_SLICE, "[]string")                                               \
	X(FILE, "main.unitTestFile")                                           \
	X(GROUP, "main.testGroup")                                             \
	X(GROUP_SLICE, "[]main.testGroup")                                     \
	X(SERIES, "main.series")                                               \
	X(SERIES_SLICE, "[]main.series")                                       \
	X(ATEST, "main.alertTestCase")                                         \
	X(ATEST_SLICE, "[]main.alertTestCase")                                 \
	X(ALERT, "main.alert")                                                 \
	X(ALERT_SLICE, "[]main.alert")                                         \
	X(PTEST, "main.promqlTestCase")                                        \
	X(PTEST_SLICE, "[]main.promqlTestCase")                                \
	X(SAMPLE, "main.sample")                                               \
	X(SAMPLE_SLICE, "[]main.sample")

enum utype {
#define X_(id, name) UT_##id,
	UTYPES(X_)
#undef X_
};

static const char *const utype_names[] = {
#define X_(id, name) name,
	UTYPES(X_)
#undef X_
};

/* A slice field: the array and its count. */
struct uslice {
	void *v;
	size_t n;
};

/* Struct fields in Go declaration order (the ids of "already set"). */
static const struct ufield {
	enum utype owner;
	const char *key;
	enum utype type;
	size_t off, off_n; /* slices: pointer and count */
} ufields[] = {
	{ UT_FILE, "rule_files", UT_STR_SLICE, offsetof(struct ut_file, rule_files), offsetof(struct ut_file, nrule_files) },
	{ UT_FILE, "evaluation_interval", UT_DURATION, offsetof(struct ut_file, evaluation_interval_ms), 0 },
	{ UT_FILE, "group_eval_order", UT_STR_SLICE, offsetof(struct ut_file, group_eval_order),
	  offsetof(struct ut_file, ngroup_eval_order) },
	{ UT_FILE, "tests", UT_GROUP_SLICE, offsetof(struct ut_file, tests), offsetof(struct ut_file, ntests) },
	{ UT_GROUP, "interval", UT_DURATION, offsetof(struct ut_group, interval_ms), 0 },
	{ UT_GROUP, "input_series", UT_SERIES_SLICE, offsetof(struct ut_group, series), offsetof(struct ut_group, nseries) },
	{ UT_GROUP, "alert_rule_test", UT_ATEST_SLICE, offsetof(struct ut_group, alerts), offsetof(struct ut_group, nalerts) },
	{ UT_GROUP, "promql_expr_test", UT_PTEST_SLICE, offsetof(struct ut_group, exprs), offsetof(struct ut_group, nexprs) },
	{ UT_GROUP, "external_labels", UT_LABELS, offsetof(struct ut_group, external_labels), 0 },
	{ UT_GROUP, "external_url", UT_STRING, offsetof(struct ut_group, external_url), 0 },
	{ UT_GROUP, "name", UT_STRING, offsetof(struct ut_group, name), 0 },
	{ UT_SERIES, "series", UT_STRING, offsetof(struct ut_series, series), 0 },
	{ UT_SERIES, "values", UT_STRING, offsetof(struct ut_series, values), 0 },
	{ UT_ATEST, "eval_time", UT_DURATION, offsetof(struct ut_alert_test, eval_time_ms), 0 },
	{ UT_ATEST, "alertname", UT_STRING, offsetof(struct ut_alert_test, alertname), 0 },
	{ UT_ATEST, "exp_alerts", UT_ALERT_SLICE, offsetof(struct ut_alert_test, exp), offsetof(struct ut_alert_test, nexp) },
	{ UT_ALERT, "exp_labels", UT_MAP_SS, offsetof(struct ut_alert, exp_labels), 0 },
	{ UT_ALERT, "exp_annotations", UT_MAP_SS, offsetof(struct ut_alert, exp_annotations), 0 },
	{ UT_PTEST, "expr", UT_STRING, offsetof(struct ut_expr_test, expr), 0 },
	{ UT_PTEST, "eval_time", UT_DURATION, offsetof(struct ut_expr_test, eval_time_ms), 0 },
	{ UT_PTEST, "exp_samples", UT_SAMPLE_SLICE, offsetof(struct ut_expr_test, exp), offsetof(struct ut_expr_test, nexp) },
	{ UT_SAMPLE, "labels", UT_STRING, offsetof(struct ut_sample, labels), 0 },
	{ UT_SAMPLE, "value", UT_FLOAT, offsetof(struct ut_sample, value), 0 },
};

#define NUFIELDS (sizeof(ufields) / sizeof(ufields[0]))

struct udec {
	struct err *fatal; /* set once; decoding stops */
	char **terrs;
	size_t nterrs, terrs_cap;
	int alias_depth;
};

enum { BAD = 0, GOOD = 1, FATAL = -1 };

static int unmarshal(struct udec *d, const struct ynode *n, enum utype t, void *out);
static void release(enum utype t, void *p);

static bool is_struct(enum utype t)
{
	return t == UT_FILE || t == UT_GROUP || t == UT_SERIES || t == UT_ATEST || t == UT_ALERT || t == UT_PTEST ||
	       t == UT_SAMPLE;
}

static bool is_slice(enum utype t)
{
	return t == UT_STR_SLICE || t == UT_GROUP_SLICE || t == UT_SERIES_SLICE || t == UT_ATEST_SLICE ||
	       t == UT_ALERT_SLICE || t == UT_PTEST_SLICE || t == UT_SAMPLE_SLICE;
}

static enum utype elem_type(enum utype t)
{
	return t == UT_STR_SLICE ? UT_STRING : (enum utype)(t - 1);
}

static size_t type_size(enum utype t)
{
	switch (t) {
	case UT_STRING: return sizeof(char *);
	case UT_GROUP: return sizeof(struct ut_group);
	case UT_SERIES: return sizeof(struct ut_series);
	case UT_ATEST: return sizeof(struct ut_alert_test);
	case UT_ALERT: return sizeof(struct ut_alert);
	case UT_PTEST: return sizeof(struct ut_expr_test);
	case UT_SAMPLE: return sizeof(struct ut_sample);
	default: return 0;
	}
}

/* A slice field's array and count, reached through the owner. */
struct sref {
	void **v;
	size_t *n;
};

static void release_slice(enum utype t, struct sref s)
{
	size_t es = type_size(elem_type(t));

	for (size_t i = 0; i < *s.n; i++)
		release(elem_type(t), (char *)*s.v + i * es);
	free(*s.v);
	*s.v = NULL;
	*s.n = 0;
}

static void release(enum utype t, void *p)
{
	switch (t) {
	case UT_STRING: {
		char **s = p;
		free(*s);
		*s = NULL;
		break;
	}
	case UT_LABELS:
	case UT_MAP_SS:
		labels_release(p);
		labels_init(p);
		break;
	default:
		if (is_struct(t))
			for (size_t i = 0; i < NUFIELDS; i++) {
				const struct ufield *f = &ufields[i];
				if (f->owner != t)
					continue;
				if (is_slice(f->type))
					release_slice(f->type, (struct sref){ (void **)((char *)p + f->off),
									      (size_t *)((char *)p + f->off_n) });
				else
					release(f->type, (char *)p + f->off);
			}
		break;
	}
}

static void terr_add(struct udec *d, char *msg)
{
	ALLOC_GROW(d->terrs, d->nterrs + 1, d->terrs_cap);
	d->terrs[d->nterrs++] = msg;
}

/* The node's explicit tag ("" for none: ytree fills in resolved ones). */
static const char *etag(const struct ynode *n)
{
	return (n->style & YS_TAGGED) ? n->tag : "";
}

/* decoder.terror() */
static void terror(struct udec *d, const struct ynode *n, const char *tag, enum utype t)
{
	struct buf b = BUF_INIT;

	if (*etag(n))
		tag = etag(n);
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
	buf_addf(&b, " into %s", utype_names[t]);
	terr_add(d, buf_detach(&b, NULL));
}

/* A plain scalar (yaml.v2's implicit), as opposed to quoted or block. */
static bool implicit(const struct ynode *n)
{
	return !(n->style & (YS_DQUOTED | YS_SQUOTED | YS_LITERAL | YS_FOLDED));
}

/*
 * yaml.v2 prepare(): no Unmarshaler for a plain "null", "~" or empty
 * value or a !!null tag, which decode as zero; other nulls ("NULL") go to
 * the Unmarshaler, which sees "" (its string decodes as zero).
 */
static bool prepare_null(const struct ynode *n)
{
	if (!strcmp(etag(n), "!!null"))
		return true;
	return n->kind == YN_SCALAR && !*etag(n) && implicit(n) &&
	       (!strcmp(n->value, "null") || !strcmp(n->value, "~") || n->len == 0);
}

static bool is_merge(const struct ynode *n)
{
	return n->kind == YN_SCALAR && !strcmp(n->value, "<<") && (implicit(n) || !strcmp(etag(n), "!!merge"));
}

/* yaml.v2 resolve() */
enum rkind { R_NULL, R_BOOL, R_INT, R_FLOAT, R_STR, R_TIMESTAMP, R_OTHER };

struct rval {
	enum rkind k;
	const char *tag;
	double f;
};

static bool in_list(const char *v, const char *const *l)
{
	for (; *l; l++)
		if (!strcmp(v, *l))
			return true;
	return false;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s)
{
	size_t i = 0, d = 0;

	if (s[i] == '-' || s[i] == '+')
		i++;
	if (s[i] == '.') {
		i++;
		while (s[i] >= '0' && s[i] <= '9')
			i++, d++;
		if (!d)
			return false;
	} else {
		while (s[i] >= '0' && s[i] <= '9')
			i++, d++;
		if (!d)
			return false;
		if (s[i] == '.') {
			i++;
			while (s[i] >= '0' && s[i] <= '9')
				i++;
		}
	}
	if (s[i] == 'e' || s[i] == 'E') {
		i++;
		if (s[i] == '-' || s[i] == '+')
			i++;
		d = 0;
		while (s[i] >= '0' && s[i] <= '9')
			i++, d++;
		if (!d)
			return false;
	}
	return s[i] == '\0';
}

/* strconv.ParseInt/ParseUint(s, base 0) as a float (the values fit). */
static bool parse_int0(const char *s, double *f)
{
	int base = 10;
	size_t i = 0;
	bool neg = false, any = false;
	unsigned long long v = 0;

	if (s[0] == '+' || s[0] == '-')
		neg = s[0] == '-', i++;
	if (s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
		base = 16, i += 2;
	else if (s[i] == '0' && (s[i + 1] == 'o' || s[i + 1] == 'O'))
		base = 8, i += 2;
	else if (s[i] == '0' && (s[i + 1] == 'b' || s[i + 1] == 'B'))
		base = 2, i += 2;
	else if (s[i] == '0' && s[i + 1])
		base = 8, i++, any = true;
	for (; s[i]; i++) {
		int dv = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10 :
			 s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10 : 99;
		if (dv >= base)
			return false;
		if (v > (~0ULL - (unsigned)dv) / (unsigned)base)
			return false;
		v = v * (unsigned)base + (unsigned)dv;
		any = true;
	}
	if (!any)
		return false;
	if (neg && v > (1ULL << 63))
		return false;
	*f = neg ? -(double)v : (double)v;
	return true;
}

static bool is_timestamp(const char *s)
{
	size_t i = 0;

	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (i != 4 || s[i] != '-')
		return false;
	/* "2006-1-2" and longer forms: digits, '-', then a day */
	i++;
	if (!(s[i] >= '0' && s[i] <= '9'))
		return false;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (s[i] != '-')
		return false;
	i++;
	if (!(s[i] >= '0' && s[i] <= '9'))
		return false;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	return s[i] == '\0' || s[i] == 'T' || s[i] == 't' || s[i] == ' ';
}

static int resolve(struct udec *d, const char *tag, const char *in, struct rval *out)
{
	static const char *const yes[] = { "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
					   "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
					   NULL };
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const nans[] = { ".nan", ".NaN", ".NAN", NULL };
	static const char *const infs[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL };
	static const char *const ninfs[] = { "-.inf", "-.Inf", "-.INF", NULL };
	bool resolvable = !*tag || !strcmp(tag, "!!str") || !strcmp(tag, "!!bool") || !strcmp(tag, "!!int") ||
			  !strcmp(tag, "!!float") || !strcmp(tag, "!!timestamp") || !strcmp(tag, "!!null");
	char c = in[0];

	memset(out, 0, sizeof(*out));
	if (!resolvable) {
		out->k = R_OTHER;
		out->tag = tag;
		return 0;
	}
	out->k = R_STR;
	out->tag = "!!str";
	if (strcmp(tag, "!!str") && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || !c ||
				     strchr("yYnNtTfFoO~", c))) {
		if (in_list(in, yes)) {
			out->k = R_BOOL, out->tag = "!!bool";
		} else if (in_list(in, nulls)) {
			out->k = R_NULL, out->tag = "!!null";
		} else if (in_list(in, nans)) {
			out->k = R_FLOAT, out->tag = "!!float", out->f = go_nan();
		} else if (in_list(in, infs) || in_list(in, ninfs)) {
			out->k = R_FLOAT, out->tag = "!!float", out->f = in_list(in, infs) ? INFINITY : -INFINITY;
		} else if (c == '.') {
			double f;
			if (go_parse_float(in, strlen(in), &f) == 0)
				out->k = R_FLOAT, out->tag = "!!float", out->f = f;
		} else if ((c >= '0' && c <= '9') || c == '+' || c == '-') {
			char *plain = xmalloc(strlen(in) + 1);
			size_t k = 0;
			double f;
			for (size_t i = 0; in[i]; i++)
				if (in[i] != '_')
					plain[k++] = in[i];
			plain[k] = '\0';
			if ((!*tag || !strcmp(tag, "!!timestamp")) && is_timestamp(in)) {
				out->k = R_TIMESTAMP, out->tag = "!!timestamp";
			} else if (parse_int0(plain, &f)) {
				out->k = R_INT, out->tag = "!!int", out->f = f;
			} else if (yaml_style_float(plain) && go_parse_float(plain, k, &f) != -1) {
				out->k = R_FLOAT, out->tag = "!!float", out->f = f;
			}
			free(plain);
		}
	}
	/* an explicit tag must agree (!!float accepts an int) */
	if (*tag && strcmp(tag, out->tag) && strcmp(tag, "!!str") && strcmp(tag, "!!binary")) {
		if (!strcmp(tag, "!!float") && out->k == R_INT) {
			out->k = R_FLOAT;
			out->tag = "!!float";
			return 0;
		}
		err_set(d->fatal, "yaml: cannot decode %s `%s` as a %s", out->tag, in, tag);
		return -1;
	}
	if (!strcmp(tag, "!!str")) {
		out->k = R_STR;
		out->tag = "!!str";
	}
	return 0;
}

static void set_zero(enum utype t, void *out)
{
	if (is_slice(t)) {
		release_slice(t, *(struct sref *)out);
		return;
	}
	release(t, out);
	if (t == UT_FLOAT)
		*(double *)out = 0;
	else if (t == UT_DURATION)
		*(int64_t *)out = 0;
	else if (is_struct(t))
		memset(out, 0, type_size(t));
}

static int dec_scalar(struct udec *d, const struct ynode *n, enum utype t, void *out)
{
	struct rval v;
	const char *tag;

	if (!*etag(n) && !implicit(n)) {
		v.k = R_STR;
		tag = v.tag = "!!str";
	} else {
		if (resolve(d, etag(n), n->value, &v) < 0)
			return FATAL;
		tag = v.tag;
	}
	if (v.k == R_NULL) {
		set_zero(t, out);
		return GOOD;
	}
	switch (t) {
	case UT_STRING: {
		char **s = out;
		free(*s);
		*s = xstrndup(n->value, n->len);
		return GOOD;
	}
	case UT_FLOAT:
		if (v.k == R_INT || v.k == R_FLOAT) {
			*(double *)out = v.f;
			return GOOD;
		}
		break;
	default:
		break;
	}
	terror(d, n, tag, t);
	return BAD;
}

static int dec_sequence(struct udec *d, const struct ynode *n, enum utype t, struct sref s)
{
	enum utype et = elem_type(t);
	size_t es = type_size(et);

	release_slice(t, s);
	*s.v = xcalloc(n->nkids ? n->nkids : 1, es);
	for (size_t i = 0; i < n->nkids; i++) {
		void *e = (char *)*s.v + *s.n * es;
		int r = unmarshal(d, n->kids[i], et, e);
		if (r == FATAL) {
			release(et, e);
			return FATAL;
		}
		if (r == GOOD)
			(*s.n)++;
		else
			release(et, e), memset(e, 0, es);
	}
	return GOOD;
}

static int dec_merge(struct udec *d, const struct ynode *n, enum utype t, void *out)
{
	const struct ynode *a = n;

	while (a->kind == YN_ALIAS && a->alias)
		a = a->alias;
	if (n->kind == YN_MAP || (n->kind == YN_ALIAS && a->kind == YN_MAP))
		return unmarshal(d, n, t, out) == FATAL ? FATAL : GOOD;
	if (n->kind == YN_SEQ) {
		for (size_t i = n->nkids; i-- > 0;) {
			const struct ynode *ni = n->kids[i], *na = ni;
			while (na->kind == YN_ALIAS && na->alias)
				na = na->alias;
			if (na->kind != YN_MAP)
				goto want_map;
			if (unmarshal(d, ni, t, out) == FATAL)
				return FATAL;
		}
		return GOOD;
	}
want_map:
	err_set(d->fatal, "yaml: map merge requires map or sequence of maps as the value");
	return FATAL;
}

static int dec_map_ss(struct udec *d, const struct ynode *n, struct labels *m)
{
	for (size_t i = 0; i + 1 < n->nkids; i += 2) {
		char *k = NULL, *v = NULL;
		int r;

		if (is_merge(n->kids[i])) {
			if (dec_merge(d, n->kids[i + 1], UT_MAP_SS, m) == FATAL)
				return FATAL;
			continue;
		}
		r = unmarshal(d, n->kids[i], UT_STRING, &k);
		if (r == GOOD) {
			r = unmarshal(d, n->kids[i + 1], UT_STRING, &v);
			if (r == GOOD) {
				if (labels_get(m->v, m->n, k ? k : "")) {
					/* setMapIndex in strict mode: %#v of the key */
					struct buf b = BUF_INIT;
					buf_addf(&b, "line %d: key ", n->kids[i + 1]->line);
					go_quote(&b, k ? k : "", k ? strlen(k) : 0);
					buf_adds(&b, " already set in map");
					terr_add(d, buf_detach(&b, NULL));
				} else {
					labels_add_copy(m, k ? k : "", v ? v : "");
				}
			}
		}
		free(k);
		free(v);
		if (r == FATAL)
			return FATAL;
	}
	return GOOD;
}

static int dec_struct(struct udec *d, const struct ynode *n, enum utype t, void *out)
{
	bool done[NUFIELDS] = { false };
	char *name = NULL;
	int ret = GOOD;

	for (size_t i = 0; i + 1 < n->nkids; i += 2) {
		const struct ynode *ni = n->kids[i];
		size_t f;
		int r;

		if (is_merge(ni)) {
			if (dec_merge(d, n->kids[i + 1], t, out) == FATAL) {
				ret = FATAL;
				break;
			}
			continue;
		}
		r = unmarshal(d, ni, UT_STRING, &name);
		if (r == FATAL) {
			ret = FATAL;
			break;
		}
		if (r != GOOD)
			continue;
		for (f = 0; f < NUFIELDS; f++)
			if (ufields[f].owner == t && !strcmp(ufields[f].key, name ? name : ""))
				break;
		if (f == NUFIELDS) {
			terr_add(d, xasprintf("line %d: field %s not found in type %s", ni->line, name ? name : "",
					      utype_names[t]));
			continue;
		}
		if (done[f]) {
			terr_add(d, xasprintf("line %d: field %s already set in type %s", ni->line, name, utype_names[t]));
			continue;
		}
		done[f] = true;
		if (is_slice(ufields[f].type)) {
			struct sref sr = { (void **)((char *)out + ufields[f].off),
					   (size_t *)((char *)out + ufields[f].off_n) };
			r = unmarshal(d, n->kids[i + 1], ufields[f].type, &sr);
		} else {
			r = unmarshal(d, n->kids[i + 1], ufields[f].type, (char *)out + ufields[f].off);
		}
		if (r == FATAL) {
			ret = FATAL;
			break;
		}
	}
	free(name);
	return ret;
}

/* A model.Duration's UnmarshalYAML: a string, then model.ParseDuration. */
static int dec_duration(struct udec *d, const struct ynode *n, int64_t *out)
{
	char *s = NULL;
	size_t before = d->nterrs;
	int r = unmarshal(d, n, UT_STRING, &s);
	int64_t ms;
	int rc;

	if (r != GOOD || d->nterrs > before) {
		free(s);
		return r == FATAL ? FATAL : BAD;
	}
	if (!s || !*s) {
		free(s);
		err_set(d->fatal, "empty duration string");
		return FATAL;
	}
	rc = prom_parse_duration(s, strlen(s), &ms);
	if (rc == -1) {
		struct buf b = BUF_INIT;
		go_quote(&b, s, strlen(s));
		err_set(d->fatal, "not a valid duration string: %s", buf_str(&b));
		buf_release(&b);
		free(s);
		return FATAL;
	}
	free(s);
	if (rc == -2) {
		err_set(d->fatal, "duration out of range");
		return FATAL;
	}
	*out = ms;
	return GOOD;
}

static int unmarshal(struct udec *d, const struct ynode *n, enum utype t, void *out)
{
	if (n->kind == YN_DOC)
		return n->nkids ? unmarshal(d, n->kids[0], t, out) : GOOD;
	if (n->kind == YN_ALIAS) {
		int r;
		if (!n->alias)
			return BAD;
		if (n->alias->visiting) {
			err_set(d->fatal, "yaml: anchor '%s' value contains itself", n->value);
			return FATAL;
		}
		((struct ynode *)n->alias)->visiting = true;
		d->alias_depth++;
		r = unmarshal(d, n->alias, t, out);
		d->alias_depth--;
		((struct ynode *)n->alias)->visiting = false;
		return r;
	}
	if (t == UT_DURATION || t == UT_LABELS) {
		if (prepare_null(n)) {
			set_zero(t, out);
			return GOOD;
		}
	} else if (n->kind == YN_SCALAR) {
		/* scalar(): a resolved null is the zero value of any type */
		struct rval v;
		if (*etag(n) || implicit(n)) {
			if (resolve(d, etag(n), n->value, &v) < 0)
				return FATAL;
			if (v.k == R_NULL) {
				set_zero(t, out);
				return GOOD;
			}
		}
	}
	/* Unmarshalers */
	if (t == UT_DURATION)
		return dec_duration(d, n, out);
	if (t == UT_LABELS) {
		struct labels m = LABELS_INIT;
		size_t before = d->nterrs;
		int r = unmarshal(d, n, UT_MAP_SS, &m);
		if (r == GOOD && d->nterrs == before) {
			labels_release(out);
			*(struct labels *)out = m;
			labels_sort(out);
			return GOOD;
		}
		labels_release(&m);
		return r == FATAL ? FATAL : BAD;
	}
	switch (n->kind) {
	case YN_SCALAR:
		if (is_slice(t) || is_struct(t) || t == UT_MAP_SS) {
			const char *tag;
			struct rval v;
			if (!*etag(n) && !implicit(n)) {
				tag = "!!str";
			} else {
				if (resolve(d, etag(n), n->value, &v) < 0)
					return FATAL;
				tag = v.tag;
			}
			terror(d, n, tag, t);
			return BAD;
		}
		return dec_scalar(d, n, t, out);
	case YN_SEQ:
		if (!is_slice(t)) {
			terror(d, n, "!!seq", t);
			return BAD;
		}
		return dec_sequence(d, n, t, *(struct sref *)out);
	case YN_MAP:
		if (t == UT_MAP_SS)
			return dec_map_ss(d, n, out);
		if (is_struct(t))
			return dec_struct(d, n, t, out);
		terror(d, n, "!!map", t);
		return BAD;
	default:
		return BAD;
	}
}

void ut_file_release(struct ut_file *f)
{
	release(UT_FILE, f);
}

int ut_file_decode(struct ut_file *out, const char *data, size_t len, struct err *e)
{
	struct ytree t;
	struct udec d;
	struct err fatal = ERR_INIT;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	d.fatal = &fatal;
	ytree_init(&t);
	t.v2_errors = true;
	if (ytree_parse(&t, data, len, e) < 0) {
		rc = -1;
		goto done;
	}
	if (t.root && unmarshal(&d, t.root, UT_FILE, out) == FATAL) {
		err_move(e, &fatal);
		rc = -1;
		goto done;
	}
	if (d.nterrs) {
		struct buf b = BUF_INIT;
		buf_adds(&b, "yaml: unmarshal errors:");
		for (size_t i = 0; i < d.nterrs; i++)
			buf_addf(&b, "\n  %s", d.terrs[i]);
		err_set(e, "%s", buf_str(&b));
		buf_release(&b);
		rc = -1;
	}
done:
	for (size_t i = 0; i < d.nterrs; i++)
		free(d.terrs[i]);
	free(d.terrs);
	err_release(&fatal);
	ytree_release(&t);
	return rc;
}
