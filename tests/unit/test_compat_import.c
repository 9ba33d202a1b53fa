/*
 * The OpenMetrics importer under version profiles (issue 13): custom
 * labels (--label, 2.55).  A file of its own because it reads blocks back
 * (3-tsdb/db_reader.h), whose index_series is not the writer's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
#include "2-model/matcher.h"
#include "3-tsdb/db_reader.h"
#include "7-backfill/om_import.h"
#include "tests/unit/check.h"

/*
 * cmd/promtool/backfill.go createBlocks at v2.55.0: lb.Reset(l), Set every
 * custom label, lb.Labels().  b=2 is added, a="" removes a, __name__ stays.
 */
static void test_om_custom_labels(void)
{
	static const char om[] = "m{a=\"1\",c=\"3\"} 1 1700000000\nm{a=\"2\"} 2 1700000001\n# EOF\n";
	struct label extra[] = { { "b", "2" }, { "a", "" } };
	char dir[] = "/tmp/test_compat_tsdb.XXXXXX", *in = NULL;
	struct om_import_opts o = { 0 };
	struct tsdb_db db;
	struct label_matcher m = { LABEL_MATCH_NOT_EQUAL, "__name__", "", 0, NULL };
	struct tsdb_series_set *set = NULL;
	struct buf got = BUF_INIT;
	struct err e = ERR_INIT;
	FILE *f;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	in = xasprintf("%s/in.om", dir);
	f = fopen(in, "w");
	fputs(om, f);
	fclose(f);
	o.input_path = in;
	o.output_dir = dir;
	o.max_samples_in_appender = 5000;
	o.labels = extra;
	o.nlabels = 2;
	fd = om_import_open(in, &e);
	CHECK(fd >= 0);
	CHECK_EQ_I(om_import_run(fd, &o, &e), 0);
	close(fd);
	tsdb_db_init(&db);
	CHECK_EQ_I(tsdb_db_open_blocks(&db, dir, &e), 0);
	CHECK_EQ_I(tsdb_db_select(&db, &m, 1, INT64_MIN, INT64_MAX, &set, &e), 0);
	while (set && tsdb_series_set_next(set, &e) > 0) {
		size_t n;
		const struct label *ls = tsdb_series_set_labels(set, &n);
		int64_t t;
		double v;

		labels_format(&got, ls, n);
		while (tsdb_series_set_sample(set, &t, &v, &e) > 0)
			buf_addf(&got, " %g@%lld", v, (long long)t);
		buf_addc(&got, ';');
	}
	CHECK_STR(buf_str(&got), "{__name__=\"m\", b=\"2\"} 2@1700000001000;{__name__=\"m\", b=\"2\", c=\"3\"} 1@1700000000000;");
	tsdb_series_set_free(set);
	tsdb_db_release(&db);
	{
		char *cmd = xasprintf("rm -rf '%s'", dir);
		CHECK_EQ_I(system(cmd), 0);
		free(cmd);
	}
	free(in);
	buf_release(&got);
	err_release(&e);
}

int main(void)
{
	RUN(test_om_custom_labels);
	return check_done();
}
