/*
 * Robustness: every expression of the parser's fuzz corpus
 * (tests/fuzz/corpus/promql) that parses is evaluated as an instant and as
 * a range query over a small store.  Each evaluation must either fail with
 * a message or give a well-formed result: range results sorted by labels,
 * every point on the step grid inside [start, end], no label set twice,
 * vectors with one point at the evaluation time.  Under SANITIZE builds
 * this also replays the corpus through ASan/UBSan.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/err.h"
#include "2-model/labels.h"
#include "4-promql/eval.h"
#include "4-promql/promql.h"
#include "4-promql/storage.h"
#include "tests/unit/check.h"

#define CORPUS "tests/fuzz/corpus/promql"

static void fill(struct promql_memstore *ms)
{
	static const char *names[] = { "foo", "bar", "http_requests", "x", "a", "b", "metric", "up" };
	struct err e = ERR_INIT;

	for (int n = 0; n < 8; n++) {
		for (int s = 0; s < 3; s++) {
			char v[16];
			snprintf(v, sizeof(v), "%d", s);
			struct label ls[] = { { "__name__", names[n] }, { "job", v }, { "le", s == 2 ? "+Inf" : v } };
			for (int i = 0; i < 40; i++)
				CHECK_EQ_I(promql_memstore_append(ms, ls, 3, (int64_t)i * 30000, i * 1.5 + s - 3, &e), 0);
		}
	}
}

static int check_range(const struct promql_result *r, int64_t start, int64_t end, int64_t step)
{
	for (size_t i = 0; i < r->nseries; i++) {
		const struct promql_result_series *s = &r->series[i];
		if (i && labels_cmp(r->series[i - 1].labels, r->series[i - 1].nlabels, s->labels, s->nlabels) >= 0)
			return -1; /* unsorted or duplicate */
		if (!s->n)
			return -1;
		for (size_t j = 0; j < s->n; j++)
			if (s->t[j] < start || s->t[j] > end || (s->t[j] - start) % step ||
			    (j && s->t[j] <= s->t[j - 1]))
				return -1;
	}
	return 0;
}

static int check_instant(const struct promql_result *r, int64_t t)
{
	if (r->type != PROMQL_TYPE_VECTOR)
		return 0;
	for (size_t i = 0; i < r->nseries; i++) {
		if (r->series[i].n != 1 || r->series[i].t[0] != t)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (labels_equal(r->series[i].labels, r->series[i].nlabels, r->series[j].labels,
					 r->series[j].nlabels))
				return -1;
	}
	return 0;
}

static void test_corpus(void)
{
	struct promql_memstore ms;
	struct promql_storage st;
	DIR *d = opendir(CORPUS);
	struct dirent *de;
	int parsed = 0, bad = 0;

	if (!d) {
		printf("SKIP test_corpus: %s not found\n", CORPUS);
		return;
	}
	promql_memstore_init(&ms);
	fill(&ms);
	st = promql_memstore_storage(&ms);
	while ((de = readdir(d))) {
		char path[4096], buf[65536];
		size_t len;
		FILE *f;
		struct promql_expr *x = NULL;
		struct err e = ERR_INIT;
		struct promql_result r;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", CORPUS, de->d_name);
		if (!(f = fopen(path, "rb")))
			continue;
		len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = '\0';
		if (promql_parse(&x, buf, len, &e) < 0) {
			err_release(&e);
			continue;
		}
		parsed++;
		if (promql_eval_instant(&r, &st, promql_expr_root(x), 600000, NULL, &e) == 0) {
			if (check_instant(&r, 600000) < 0) {
				fprintf(stderr, "%s: malformed instant result\n", de->d_name);
				bad++;
			}
			promql_result_release(&r);
		} else if (!err_msg(&e)[0]) {
			fprintf(stderr, "%s: instant query failed without a message\n", de->d_name);
			bad++;
		}
		err_release(&e);
		if (promql_eval_range(&r, &st, promql_expr_root(x), 0, 1200000, 60000, NULL, &e) == 0) {
			if (check_range(&r, 0, 1200000, 60000) < 0) {
				fprintf(stderr, "%s: malformed range result\n", de->d_name);
				bad++;
			}
			promql_result_release(&r);
		} else if (!err_msg(&e)[0]) {
			fprintf(stderr, "%s: range query failed without a message\n", de->d_name);
			bad++;
		}
		err_release(&e);
		promql_expr_free(x);
	}
	closedir(d);
	promql_memstore_release(&ms);
	CHECK(parsed > 100);
	CHECK_EQ_I(bad, 0);
}

int main(void)
{
	RUN(test_corpus);
	return check_done();
}
