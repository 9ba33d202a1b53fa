/*
 * --shard of the rules backfill: reading the value (rb_shard_parse in
 * 7-backfill/rules_import.c), which shard owns a unit, and the units of
 * --semantics=prometheus (rules_backfill_live_units in 7-backfill/rules_live.c)
 * on known rule files.  tests/sh/rules_shard.sh checks the blocks.
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/err.h"
#include "1-common/xalloc.h"
#include "6-rules/rulefmt.h"
#include "7-backfill/rules_import.h"
#include "7-backfill/rules_live.h"
#include "tests/unit/check.h"

static void test_parse(void)
{
	static const struct {
		const char *spec, *env_i, *env_n;
		size_t index, count;
	} good[] = {
		{ "0/1", NULL, NULL, 0, 1 },       { "2/3", NULL, NULL, 2, 3 },
		{ "07/10", NULL, NULL, 7, 10 },    { "999999/1000000", NULL, NULL, 999999, 1000000 },
		{ "auto", "0", "1", 0, 1 },        { "auto", "4", "5", 4, 5 },
		{ "auto", "12", "100", 12, 100 },
	};
	static const struct {
		const char *spec, *env_i, *env_n, *msg;
	} bad[] = {
		{ "3/2", NULL, NULL, "invalid --shard=\"3/2\"" },
		{ "2/2", NULL, NULL, "invalid --shard=\"2/2\"" },
		{ "0/0", NULL, NULL, "invalid --shard=\"0/0\"" },
		{ "x", NULL, NULL, "invalid --shard=\"x\"" },
		{ "", NULL, NULL, "invalid --shard=\"\"" },
		{ "/", NULL, NULL, "invalid --shard=\"/\"" },
		{ "1/2/3", NULL, NULL, "invalid --shard=\"1/2/3\"" },
		{ "+1/2", NULL, NULL, "invalid --shard=\"+1/2\"" },
		{ "0/1000001", NULL, NULL, "invalid --shard=\"0/1000001\"" },
		{ "0/18446744073709551617", NULL, NULL, "invalid --shard=\"0/18446744073709551617\"" },
		{ "AUTO", "0", "1", "invalid --shard=\"AUTO\"" },
		{ "auto", NULL, NULL, "--shard=auto needs JOB_COMPLETION_INDEX and JOB_COMPLETIONS" },
		{ "auto", "0", NULL, "--shard=auto needs" },
		{ "auto", NULL, "2", "--shard=auto needs" },
		{ "auto", "", "2", "--shard=auto needs" },
		{ "auto", "2", "2", "JOB_COMPLETION_INDEX=\"2\" JOB_COMPLETIONS=\"2\"" },
		{ "auto", "0", "0", "JOB_COMPLETIONS=\"0\"" },
		{ "auto", "-1", "2", "JOB_COMPLETION_INDEX=\"-1\"" },
		{ "auto", "0", "2 ", "JOB_COMPLETIONS=\"2 \"" },
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct rb_shard s;
		struct err e = ERR_INIT;
		CHECK_EQ_I(rb_shard_parse(&s, good[i].spec, good[i].env_i, good[i].env_n, &e), 0);
		CHECK_EQ_U(s.index, good[i].index);
		CHECK_EQ_U(s.count, good[i].count);
		err_release(&e);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rb_shard s;
		struct err e = ERR_INIT;
		CHECK_EQ_I(rb_shard_parse(&s, bad[i].spec, bad[i].env_i, bad[i].env_n, &e), -1);
		CHECK(strstr(err_msg(&e), bad[i].msg) != NULL);
		CHECK_EQ_U(s.count, 0); /* a failed parse leaves no sharding */
		err_release(&e);
	}
}

/* Every unit belongs to exactly one shard, unit k to shard k mod n. */
static void test_owns(void)
{
	for (size_t n = 1; n <= 7; n++)
		for (size_t k = 0; k < 50; k++) {
			size_t owners = 0;
			for (size_t i = 0; i < n; i++) {
				struct rb_shard s = { i, n };
				if (rb_shard_owns(&s, k)) {
					owners++;
					CHECK_EQ_U(i, k % n);
				}
			}
			CHECK_EQ_U(owners, 1);
		}
	struct rb_shard none = { 0, 0 };
	CHECK(rb_shard_owns(&none, 12345));
}

/* The units of a rule file's groups, as a string of unit numbers. */
static void live_units(const char *path, char *out, size_t outlen, size_t *nunits)
{
	struct rulefmt_file *f = NULL;
	struct rulefmt_errors errs;
	struct rl_group *g;
	size_t *comp, n = 0;

	rulefmt_errors_init(&errs);
	CHECK_EQ_I(rulefmt_load_file(&f, path, &errs), 0);
	rulefmt_errors_release(&errs);
	out[0] = '\0';
	if (!f)
		return;
	g = xcalloc(f->ngroups + 1, sizeof(*g));
	comp = xcalloc(f->ngroups + 1, sizeof(*comp));
	for (size_t i = 0; i < f->ngroups; i++) {
		g[i].file = path;
		g[i].g = &f->groups[i];
	}
	*nunits = rules_backfill_live_units(g, f->ngroups, comp);
	for (size_t i = 0; i < f->ngroups && n + 2 < outlen; i++)
		n += (size_t)snprintf(out + n, outlen - n, "%zu", comp[i]);
	free(comp);
	free(g);
	rulefmt_file_free(f);
}

static void test_live_units(void)
{
	char got[64];
	size_t n = 0;

	/* rates, tenants, latency_alerts, ratios (reads rates), alert_counts (reads ALERTS) */
	live_units("testdata/rules-shard/rules_live.yml", got, sizeof(got), &n);
	CHECK_STR(got, "01202");
	CHECK_EQ_U(n, 3);
	/*
	 * rates; derived reads rates; alerts reads derived's flapping; node has
	 * an alert, and alert_counts reads ALERTS: all one unit
	 */
	live_units("testdata/rules-live/rules.yml", got, sizeof(got), &n);
	CHECK_STR(got, "00000");
	CHECK_EQ_U(n, 1);
	/* no group reads another's output: one unit each */
	live_units("testdata/rules-backfill/rules_intervals.yml", got, sizeof(got), &n);
	CHECK_STR(got, "012");
	CHECK_EQ_U(n, 3);
}

int main(void)
{
	RUN(test_parse);
	RUN(test_owns);
	RUN(test_live_units);
	return check_done();
}
