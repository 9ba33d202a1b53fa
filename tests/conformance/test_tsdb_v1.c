/*
 * The TSDB reader on upstream's v1-index block
 * ($CONFORMANCE_DIR/tsdb-v2.42/index_format_v1, a block written by an old
 * Prometheus): its index, and through the querier.  Run by `make
 * conformance`; a missing $CONFORMANCE_DIR is a failure.
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "1-common/xalloc.h"
#include "3-tsdb/block_reader.h"
#include "3-tsdb/db_reader.h"
#include "3-tsdb/index_reader.h"
#include "4-promql/ast.h"
#include "4-promql/promql.h"
#include "tests/unit/check.h"

static char *conf_tsdb, *v1_block;

static void test_index_v1(void)
{
	struct tsdb_block b;
	struct err e = ERR_INIT;
	struct index_postings all, p;
	struct index_series s;
	size_t n;
	const struct index_postings_entry *vals;

	index_series_init(&s);
	if (tsdb_block_open(&b, v1_block, &e) < 0) {
		fprintf(stderr, "%s\n", err_msg(&e));
		CHECK(0);
		err_release(&e);
		return;
	}
	CHECK_EQ_I(b.ix.version, 1);
	CHECK_STR(b.meta.ulid, "01DXXFZDYD1MQW6079WK0K6EDQ");
	CHECK_EQ_I(b.ix.nnames, 2);
	vals = index_reader_label_values(&b.ix, "bar", &n);
	CHECK_EQ_I(n, 100);
	CHECK(vals && !strcmp(vals[0].value, "0"));
	CHECK_EQ_I(index_reader_postings(&b.ix, "", "", &all, &e), 0);
	CHECK_EQ_I(all.n, 102);
	CHECK_EQ_I(index_reader_postings(&b.ix, "bar", "42", &p, &e), 0);
	CHECK_EQ_I(p.n, 1);
	CHECK_EQ_I(index_reader_series(&b.ix, index_postings_at(&p, 0), &s, &e), 0);
	CHECK_EQ_I(s.nlbls, 1);
	CHECK_STR(s.lbls[0].value, "42");
	CHECK_EQ_I(s.nchks, 1);
	CHECK_EQ_I(index_reader_postings(&b.ix, "bar", "nope", &p, &e), 0);
	CHECK_EQ_I(p.n, 0);
	index_series_release(&s);
	tsdb_block_release(&b);
	err_release(&e);
}

/* --match selectors (parser.ParseMetricSelector) as the querier matches them. */
static struct promql_expr *selector(const char *s, struct err *e)
{
	struct promql_expr *x = NULL;

	promql_parse_metric_selector(&x, s, strlen(s), e);
	return x;
}

static const struct label_matcher *matchers(const struct promql_expr *x, size_t *n)
{
	*n = x ? promql_expr_root(x)->u.vector.nmatchers : 0;
	return x ? promql_expr_root(x)->u.vector.matchers : NULL;
}

/* The v1 block through the querier: matchers, time range, labels order. */
static void test_query_v1(void)
{
	struct tsdb_db db;
	struct tsdb_series_set *set = NULL;
	struct promql_expr *sel;
	const struct label_matcher *m;
	struct err e = ERR_INIT;
	int64_t t;
	double v;
	size_t nser = 0, nsamp = 0, nl, nm;

	CHECK_EQ_I(tsdb_db_open_blocks(&db, conf_tsdb, &e), 0);
	/* the conformance dir holds the block under another name: no blocks */
	CHECK_EQ_I(db.nblocks, 0);
	tsdb_db_release(&db);

	sel = selector("{bar=~\"1.\"}", &e);
	m = matchers(sel, &nm);
	tsdb_db_init(&db);
	db.nblocks = 1;
	db.blocks = xcalloc(1, sizeof(*db.blocks));
	CHECK_EQ_I(tsdb_block_open(&db.blocks[0], v1_block, &e), 0);
	CHECK_EQ_I(tsdb_db_select(&db, m, nm, 0, 7200000, &set, &e), 0);
	while (tsdb_series_set_next(set, &e) > 0) {
		const struct label *ls = tsdb_series_set_labels(set, &nl);
		CHECK_EQ_I(nl, 1);
		CHECK(ls[0].value[0] == '1' && strlen(ls[0].value) == 2);
		nser++;
		while (tsdb_series_set_sample(set, &t, &v, &e) > 0)
			nsamp++;
	}
	CHECK_EQ_I(nser, 10);
	CHECK_EQ_I(nsamp, 10);
	tsdb_series_set_free(set);
	promql_expr_free(sel);
	tsdb_db_release(&db);
	err_release(&e);
}

int main(void)
{
	const char *dir = getenv("CONFORMANCE_DIR");
	struct stat st;

	if (!dir || !*dir)
		dir = "../shared/conformance";
	conf_tsdb = xasprintf("%s/tsdb-v2.42", dir);
	v1_block = xasprintf("%s/index_format_v1", conf_tsdb);
	if (stat(v1_block, &st) < 0) {
		printf("FAIL test_tsdb_v1: %s not found (set CONFORMANCE_DIR)\n", v1_block);
		return 1;
	}
	RUN(test_index_v1);
	RUN(test_query_v1);
	free(v1_block);
	free(conf_tsdb);
	return check_done();
}
