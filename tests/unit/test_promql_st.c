/*
 * Start timestamps in the in-memory store (3.12's `metric@st` lines): a
 * series keeps an array of them only once one is not 0, earlier samples
 * reading 0, and select() hands them out aligned with the samples it
 * trims; a series without any has none (st NULL), as every block-read
 * series.
 */
#include <string.h>

#include "1-common/err.h"
#include "2-model/labels.h"
#include "4-promql/storage.h"
#include "tests/unit/check.h"

static const struct promql_series *find(const struct promql_series_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++) {
		const char *v = labels_get(set->v[i].labels, set->v[i].nlabels, "__name__");
		if (v && !strcmp(v, name))
			return &set->v[i];
	}
	return NULL;
}

static void test_memstore_st(void)
{
	struct promql_memstore ms;
	struct promql_storage st;
	struct promql_series_set set = { 0 };
	struct label a[] = { { "__name__", "a" } }, b[] = { { "__name__", "b" } };
	struct label_matcher m = { LABEL_MATCH_NOT_EQUAL, "__name__", "", 0, NULL };
	const struct promql_series *sa, *sb;
	struct err e = ERR_INIT;

	promql_memstore_init(&ms);
	st = promql_memstore_storage(&ms);
	for (int64_t t = 0; t < 40; t++) {
		/* a: no ST for its first 10 samples, then ST = t - 5 */
		CHECK_EQ_I(promql_memstore_append_st(&ms, a, 1, t * 1000, t < 10 ? 0 : t * 1000 - 5, (double)t, &e), 0);
		CHECK_EQ_I(promql_memstore_append(&ms, b, 1, t * 1000, (double)t, &e), 0);
	}
	CHECK_EQ_I(st.select(st.ctx, &m, 1, 5000, 20000, &set, &e), 0);
	sa = find(&set, "a");
	sb = find(&set, "b");
	CHECK(sa && sb);
	if (sa && sb) {
		CHECK_EQ_I(sa->n, 16);
		CHECK_EQ_I(sa->t[0], 5000);
		CHECK(sa->st != NULL);
		if (sa->st) {
			CHECK_EQ_I(sa->st[0], 0);
			CHECK_EQ_I(sa->st[4], 0);
			CHECK_EQ_I(sa->st[5], 9995);
			CHECK_EQ_I(sa->st[15], 19995);
		}
		CHECK(sb->st == NULL);
	}
	promql_series_set_release(&set);
	promql_memstore_release(&ms);
	err_release(&e);
}

int main(void)
{
	RUN(test_memstore_st);
	return check_done();
}
