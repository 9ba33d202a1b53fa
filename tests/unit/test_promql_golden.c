/*
 * PromQL parser and printer against goldens from the real promtool 2.42
 * (testdata/promql/golden.jsonl, made by testdata/promql/regen.sh): every
 * "out" case must print byte for byte as 2.42's String(), and re-parse to
 * the same text; every "err" case must fail with 2.42's exact message.
 *
 * With an argument "-" it is a debugging driver instead: each line of
 * stdin is parsed and its String() or error printed.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "4-promql/promql.h"
#include "tests/unit/check.h"

#define GOLDEN "testdata/promql/golden.jsonl"
#define MAX_REPORTS 60

static int reports;

/* Parses in[0..len) into "out" text or "err" text; returns 0 if parsed. */
static int run(const char *in, size_t len, struct buf *res)
{
	struct promql_expr *x = NULL;
	struct err e = ERR_INIT;
	int rc = promql_parse(&x, in, len, &e);

	buf_reset(res);
	if (rc == 0)
		promql_print(res, x);
	else
		buf_adds(res, err_msg(&e));
	promql_expr_free(x);
	err_release(&e);
	return rc;
}

static void report(const char *what, const char *in, const char *got, const char *want)
{
	if (reports++ >= MAX_REPORTS)
		return;
	fprintf(stderr, "%s mismatch\n  in:   %s\n  got:  %s\n  want: %s\n", what, in, got, want);
}

static json_t *cases;

static void test_promql_golden_printed(void)
{
	struct buf got = BUF_INIT, again = BUF_INIT;
	size_t i, n = 0, ok = 0;
	json_t *c;

	json_array_foreach(cases, i, c) {
		json_t *in = json_object_get(c, "in"), *out = json_object_get(c, "out");
		if (!out)
			continue;
		n++;
		if (run(json_string_value(in), json_string_length(in), &got) != 0 ||
		    strcmp(buf_str(&got), json_string_value(out)) != 0) {
			report("printed", json_string_value(in), buf_str(&got), json_string_value(out));
			continue;
		}
		/*
		 * String() re-parses, and printing that changes nothing -- except
		 * that 2.42 prints +Inf/-Inf with a sign that re-parses as a unary
		 * operator ("2 - inf ^ 3" -> "2 - +Inf ^ 3" -> "2 - ++Inf ^ 3").
		 */
		if (run(buf_str(&got), got.len, &again) != 0 ||
		    (!strstr(buf_str(&got), "Inf") && strcmp(buf_str(&again), buf_str(&got)) != 0)) {
			report("re-printed", buf_str(&got), buf_str(&again), buf_str(&got));
			continue;
		}
		ok++;
	}
	printf("promql golden printed: %zu/%zu\n", ok, n);
	CHECK(n > 0);
	CHECK_EQ_I(ok, n);
	buf_release(&got);
	buf_release(&again);
}

static void test_promql_golden_errors(void)
{
	struct buf got = BUF_INIT;
	size_t i, n = 0, ok = 0;
	json_t *c;

	json_array_foreach(cases, i, c) {
		json_t *in = json_object_get(c, "in"), *want = json_object_get(c, "err");
		if (!want)
			continue;
		n++;
		if (run(json_string_value(in), json_string_length(in), &got) == 0 ||
		    strcmp(buf_str(&got), json_string_value(want)) != 0) {
			report("error", json_string_value(in), buf_str(&got), json_string_value(want));
			continue;
		}
		ok++;
	}
	printf("promql golden errors: %zu/%zu\n", ok, n);
	CHECK(n > 0);
	CHECK_EQ_I(ok, n);
	buf_release(&got);
}

static int driver(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	struct buf res = BUF_INIT;

	while ((len = getline(&line, &cap, stdin)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		int rc = run(line, (size_t)len, &res);
		printf("%s %s\n", rc == 0 ? "OK " : "ERR", buf_str(&res));
	}
	free(line);
	buf_release(&res);
	return 0;
}

int main(int argc, char **argv)
{
	json_error_t jerr;
	FILE *f;

	if (argc > 1 && !strcmp(argv[1], "-"))
		return driver();
	f = fopen(GOLDEN, "r");
	if (!f) {
		printf("FAIL test_promql_golden: cannot open '%s'\n", GOLDEN);
		return 1;
	}
	cases = json_array();
	for (;;) {
		json_t *c = json_loadf(f, JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &jerr);
		if (!c)
			break;
		json_array_append_new(cases, c);
	}
	fclose(f);
	RUN(test_promql_golden_printed);
	RUN(test_promql_golden_errors);
	json_decref(cases);
	return check_done();
}
