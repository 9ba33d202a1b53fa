/*
 * Label-matcher regexps: what PCRE2 (with our RE2-to-PCRE2 rewrites)
 * matches must be what real promtool 2.42 (Go's regexp) matches, for every
 * regexp x value pair of testdata/promql/regex_golden.json (made by
 * testdata/promql/regen.sh through `promtool test rules`).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/err.h"
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
			fprintf(stderr, "%s: PCRE2 could not compile it\n", re);
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

int main(void)
{
	json_error_t jerr;

	golden = json_load_file(GOLDEN, 0, &jerr);
	if (!golden) {
		printf("FAIL test_promql_regex: cannot load '%s': %s\n", GOLDEN, jerr.text);
		return 1;
	}
	RUN(test_promql_regex_matches_like_go);
	json_decref(golden);
	return check_done();
}
