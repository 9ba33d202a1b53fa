/*
 * Label-matcher regexps: what our matcher (Go's syntax check, then RE2)
 * matches must be what real promtool 2.42 (Go's regexp) matches, for every
 * regexp x value pair of testdata/promql/regex_golden.json (made by
 * testdata/promql/regen.sh through `promtool test rules`).  Then what no
 * golden can hold: subjects with invalid UTF-8 (real promtool refuses them
 * in OpenMetrics input, Go reads each bad byte as U+FFFD), how a pattern
 * RE2 cannot compile fails, and a long subject for a pattern that makes a
 * backtracking matcher give up.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "1-common/xalloc.h"
#include "2-model/regex.h"
#include "4-promql/ast.h"
#include "tests/unit/check.h"

#define GOLDEN "testdata/promql/regex_golden.json"

static json_t *golden;

static size_t unhex(const char *h, unsigned char *out)
{
	size_t n = strlen(h) / 2;

	for (size_t i = 0; i < n; i++)
		sscanf(h + 2 * i, "%2hhx", &out[i]);
	return n;
}

static void test_promql_regex_matches_like_go(void)
{
	json_t *values = json_object_get(golden, "values_hex"), *cases = json_object_get(golden, "cases"), *c;
	size_t i, pairs = 0, bad = 0;

	CHECK(json_array_size(cases) > 0);
	json_array_foreach(cases, i, c) {
		const char *re = json_string_value(json_object_get(c, "re"));
		json_t *want = json_object_get(c, "matches");
		struct buf q = BUF_INIT;
		struct promql_expr *x = NULL;
		struct err e = ERR_INIT;
		const struct label_matcher *m;
		size_t j, k = 0;
		json_t *v;

		/* the golden holds the regexp as PromQL string text */
		buf_addf(&q, "m{v=~\"%s\"}", re);
		if (promql_parse(&x, buf_str(&q), q.len, &e) != 0) {
			fprintf(stderr, "%s: %s\n", buf_str(&q), err_msg(&e));
			CHECK(0);
			goto next;
		}
		m = &promql_expr_root(x)->u.vector.matchers[0];
		if (!m->re) {
			fprintf(stderr, "%s: parsed without a compiled regexp\n", re);
			CHECK(0);
			goto next;
		}
		json_array_foreach(values, j, v) {
			unsigned char val[64];
			size_t vl = unhex(json_string_value(v), val);
			bool got = label_matcher_match_value(m, (const char *)val, vl);
			bool exp = k < json_array_size(want) && json_integer_value(json_array_get(want, k)) == (json_int_t)j;

			if (exp)
				k++;
			pairs++;
			if (got != exp) {
				bad++;
				fprintf(stderr, "regexp %s on value #%zu (%s): got %d, promtool %d\n", re, j,
					json_string_value(v), got, exp);
			}
		}
next:
		promql_expr_free(x);
		err_release(&e);
		buf_release(&q);
	}
	printf("promql regexp pairs: %zu/%zu as promtool\n", pairs - bad, pairs);
	CHECK_EQ_I(bad, 0);
}

/* Compiles value as a matcher's regexp; NULL (and a failed check) on error. */
static void *compile(const char *value)
{
	struct buf msg = BUF_INIT;
	void *re = NULL;

	if (label_regex_compile(&re, value, strlen(value), &msg) != 0) {
		fprintf(stderr, "%s: %s\n", value, buf_str(&msg));
		CHECK(0);
	}
	buf_release(&msg);
	return re;
}

/* label_replace's view: the expansion of tmpl after matching v, or "-" for no match. */
static void expand(struct buf *out, void *re, const char *tmpl, const char *v, size_t vlen)
{
	struct label_regex_sub sub;

	buf_reset(out);
	label_regex_sub_init(&sub, re);
	if (label_regex_submatch(&sub, v, vlen))
		label_regex_expand(out, &sub, tmpl, strlen(tmpl), v);
	else
		buf_adds(out, "-");
	label_regex_sub_release(&sub);
}

/*
 * Go's regexp reads each invalid UTF-8 byte as U+FFFD of width 1, and its
 * submatch offsets index the subject's own bytes.
 */
static void test_invalid_utf8_subjects(void)
{
	void *dot = compile("(.)(.)(.)"), *rest = compile(".(.*)"), *fffd = compile("a\\x{FFFD}+(b)");
	void *notb = compile("[^b]+"), *word = compile("(\\w*)(\\W)(\\w*)");
	struct buf out = BUF_INIT;

	if (!dot || !rest || !fffd || !notb || !word)
		goto done;
	CHECK(label_regex_match(dot, "a\xff" "b", 3));
	CHECK(!label_regex_match(dot, "a\xff\xfe" "b", 4));
	CHECK(label_regex_match(fffd, "a\xff\xc0\xef" "b", 5));  /* three bad bytes, three U+FFFD */
	CHECK(label_regex_match(fffd, "a\xef\xbf\xbd" "b", 5));  /* a real U+FFFD */
	CHECK(!label_regex_match(fffd, "a\xed\xa0\x80", 4)); /* a surrogate: 3 bad bytes, no b */
	CHECK(label_regex_match(notb, "\xff\xff", 2));
	expand(&out, dot, "$1|$2|$3", "a\xff" "b", 3);
	CHECK_MEM(out.data, out.len, "a|\xff|b", 5);
	expand(&out, rest, "<$1>", "\xff" "ab\xfe", 4);
	CHECK_MEM(out.data, out.len, "<ab\xfe>", 5);
	expand(&out, fffd, "[$0][$1]", "xa\xf0\x9f\x98" "bz", 7); /* a truncated 4-byte rune is one bad byte per byte */
	CHECK_MEM(out.data, out.len, "-", 1);
	expand(&out, fffd, "[$0][$1]", "a\xf0\x9f\x98" "b", 5);
	CHECK_MEM(out.data, out.len, "[a\xf0\x9f\x98" "b][b]", 10);
	expand(&out, word, "$3$2$1", "ab\xff" "cd", 5);
	CHECK_MEM(out.data, out.len, "cd\xff" "ab", 5);
	/* long enough that the copy cannot live on the stack */
	{
		size_t n = 5000;
		char *v = xmalloc(n);
		memset(v, 'a', n);
		v[n / 2] = (char)0xff;
		CHECK(label_regex_match(notb, v, n));
		expand(&out, word, "$2", v, n);
		CHECK_MEM(out.data, out.len, "\xff", 1);
		free(v);
	}
done:
	buf_release(&out);
	label_regex_free(dot);
	label_regex_free(rest);
	label_regex_free(fffd);
	label_regex_free(notb);
	label_regex_free(word);
}

/* Go's Regexp.ExpandString on what no Prometheus answer holds. */
static void test_expand_edges(void)
{
	void *re = NULL;
	struct buf out = BUF_INIT;

	/* Go 1.19 allows only [A-Za-z0-9_] in group names (RE2 also letters) */
	CHECK_EQ_I(label_regex_compile(&re, "(?P<\xc3\xa9>b)", 9, &out), LABEL_REGEX_ESYNTAX);
	CHECK_STR(buf_str(&out), "error parsing regexp: invalid named capture: `(?P<\xc3\xa9>`");
	re = compile("(?P<x>a)(?P<x9>b)?(c)");
	if (!re)
		goto done;
	expand(&out, re, "$\xff|$x\xff|${x}\xff|$x9|$xé|${x|$", "ac", 2);
	CHECK_STR(buf_str(&out), "$\xff|a\xff|a\xff|||${x|$");
	expand(&out, re, "$3$3$$3$", "abc", 3);
	CHECK_STR(buf_str(&out), "cc$3$");
	expand(&out, re, "", "abc", 3);
	CHECK_EQ_I(out.len, 0);
done:
	buf_release(&out);
	label_regex_free(re);
}

/* Where Go and RE2 part: an error saying so, never a matcher that matches nothing. */
static void test_compile_failures(void)
{
	struct buf msg = BUF_INIT;
	void *re = NULL;

	CHECK_EQ_I(label_regex_compile(&re, "(", 1, &msg), LABEL_REGEX_ESYNTAX);
	CHECK(re == NULL);
	CHECK_STR(buf_str(&msg), "error parsing regexp: missing closing ): `^(?:()$`");
	buf_reset(&msg);
	CHECK_EQ_I(label_regex_compile(&re, "(a{501}){2}", 11, &msg), LABEL_REGEX_ESYNTAX);
	CHECK_STR(buf_str(&msg), "error parsing regexp: invalid repeat count: `{2}`");
	buf_reset(&msg);
	CHECK_EQ_I(label_regex_compile(&re, "((a{1000}){0}){2}", 17, &msg), LABEL_REGEX_ELIMIT);
	CHECK(re == NULL);
	CHECK_STR(buf_str(&msg), "cannot compile regexp: invalid repetition size: {2}: `^(?:((a{1000}){0}){2})$`");
	buf_release(&msg);
}

/* RE2 decides in time linear in the subject: a 1 MB subject that drives a
 * backtracking matcher past any limit is answered, and right. */
static void test_long_pathological_subject(void)
{
	void *any = compile("(a|a)*c|.+"), *c = compile("(a|a)*c"), *nested = compile("((a+)+)+c");
	size_t n = 1 << 20;
	char *v = xmalloc(n + 1);

	memset(v, 'a', n);
	if (any && c && nested) {
		CHECK(label_regex_match(any, v, n));
		CHECK(!label_regex_match(c, v, n));
		CHECK(!label_regex_match(nested, v, n));
		v[n - 1] = 'c';
		CHECK(label_regex_match(c, v, n));
		CHECK(label_regex_match(nested, v, n));
		CHECK(!label_regex_matches_empty(any));
		CHECK(!label_regex_matches_empty(c));
	}
	free(v);
	label_regex_free(any);
	label_regex_free(c);
	label_regex_free(nested);
}

int main(void)
{
	json_error_t jerr;

	golden = json_load_file(GOLDEN, 0, &jerr);
	if (!golden) {
		printf("FAIL test_promql_regex: cannot load '%s': %s\n", GOLDEN, jerr.text);
		return 1;
	}
	RUN(test_promql_regex_matches_like_go);
	RUN(test_invalid_utf8_subjects);
	RUN(test_expand_edges);
	RUN(test_compile_failures);
	RUN(test_long_pathological_subject);
	json_decref(golden);
	return check_done();
}
