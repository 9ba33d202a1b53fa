/*
 * The rule manager's pieces on their own: the head-like store (append
 * checks, batches, series order over a base), evaluation slots, one
 * recording rule through time with its staleness marker, and a few alert
 * templates with answers real promtool 2.42 gave (testdata/test-rules).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "4-promql/storage.h"
#include "6-rules/manager.h"
#include "6-rules/rstore.h"
#include "6-rules/rulefmt.h"
#include "6-rules/tmpl.h"
#include "7-backfill/rules_import.h"
#include "tests/unit/check.h"

static const struct label A1[] = { { "__name__", "a" }, { "x", "1" } };
static const struct label A2[] = { { "__name__", "a" }, { "x", "2" } };
static const struct label B1[] = { { "__name__", "b" }, { "x", "1" } };

static void test_store_appends(void)
{
	struct rstore *s = rstore_new(NULL, false);
	struct err e = ERR_INIT;
	const int64_t *t;
	const double *v;
	size_t n;

	CHECK_EQ_I(rstore_append(s, A1, 2, 10, 1, &e), 0);
	rstore_commit(s);
	/* the same sample again is accepted and dropped */
	CHECK_EQ_I(rstore_append(s, A1, 2, 10, 1, &e), 0);
	CHECK_EQ_I(rstore_append(s, A1, 2, 10, 2, &e), -1);
	CHECK_STR(err_msg(&e), "duplicate sample for timestamp");
	err_release(&e);
	CHECK_EQ_I(rstore_append(s, A1, 2, 5, 1, &e), -1);
	CHECK_STR(err_msg(&e), "out of order sample");
	err_release(&e);
	/* within one batch nothing is checked; commit keeps the first */
	CHECK_EQ_I(rstore_append(s, A1, 2, 20, 3, &e), 0);
	CHECK_EQ_I(rstore_append(s, A1, 2, 20, 4, &e), 0);
	CHECK_EQ_I(rstore_append(s, A1, 2, 15, 5, &e), 0);
	rstore_commit(s);
	rstore_series_samples(s, 0, &t, &v, &n);
	CHECK_EQ_I(n, 2);
	CHECK_EQ_I(t[1], 20);
	CHECK(v[1] == 3);
	/* labels with empty values are dropped; none left is an error */
	{
		const struct label empty[] = { { "__name__", "" }, { "x", "" } };
		const struct label dup[] = { { "a", "1" }, { "a", "2" } };
		const struct label some[] = { { "a", "" }, { "b", "1" } };
		size_t nl;
		CHECK_EQ_I(rstore_append(s, empty, 2, 30, 1, &e), -1);
		CHECK_STR(err_msg(&e), "empty labelset: invalid sample");
		err_release(&e);
		CHECK_EQ_I(rstore_append(s, dup, 2, 30, 1, &e), -1);
		CHECK_STR(err_msg(&e), "label name \"a\" is not unique: invalid sample");
		err_release(&e);
		CHECK_EQ_I(rstore_append(s, some, 2, 30, 1, &e), 0);
		rstore_commit(s);
		CHECK_EQ_I(rstore_nseries(s), 2);
		CHECK_EQ_I(rstore_series_labels(s, 1, &nl)[0].name[0], 'b');
		CHECK_EQ_I(nl, 1);
	}
	/* a rolled back batch leaves no new series */
	CHECK_EQ_I(rstore_append(s, B1, 2, 40, 1, &e), 0);
	rstore_rollback(s);
	CHECK_EQ_I(rstore_nseries(s), 2);
	/* trimming keeps each series' last sample */
	rstore_trim(s, 1000);
	rstore_series_samples(s, 0, &t, &v, &n);
	CHECK_EQ_I(n, 1);
	CHECK_EQ_I(t[0], 20);
	rstore_free(s);
}

/* the labels of a set's series, as "a1 b1 ..." */
static void order_of(struct promql_storage st, char *out, size_t cap)
{
	struct promql_series_set set;
	struct label_matcher m = { LABEL_MATCH_NOT_EQUAL, "__name__", "", 0, NULL };
	struct err e = ERR_INIT;

	out[0] = '\0';
	CHECK_EQ_I(st.select(st.ctx, &m, 1, 0, 1000, &set, &e), 0);
	for (size_t i = 0; i < set.n; i++) {
		size_t l = strlen(out);
		snprintf(out + l, cap - l, "%s%s%s(%zu)", i ? " " : "", set.v[i].labels[0].value, set.v[i].labels[1].value,
			 set.v[i].n);
	}
	promql_series_set_release(&set);
}

static void test_store_order(void)
{
	struct promql_memstore base;
	struct promql_storage bst;
	struct rstore *s;
	struct err e = ERR_INIT;
	char got[256];

	promql_memstore_init(&base);
	CHECK_EQ_I(promql_memstore_append(&base, B1, 2, 10, 1, &e), 0);
	CHECK_EQ_I(promql_memstore_append(&base, A2, 2, 10, 1, &e), 0);
	bst = promql_memstore_storage(&base);
	/* a head's order: the base's series, then the store's own, in creation
	 * order; a series both hold is merged where the base has it */
	s = rstore_new(&bst, false);
	CHECK_EQ_I(rstore_append(s, A1, 2, 20, 1, &e), 0);
	CHECK_EQ_I(rstore_append(s, B1, 2, 20, 1, &e), 0);
	rstore_commit(s);
	order_of(rstore_storage(s), got, sizeof(got));
	CHECK_STR(got, "a2(1) b1(2) a1(1)");
	rstore_free(s);
	/* with blocks in the base, everything sorted */
	s = rstore_new(&bst, true);
	CHECK_EQ_I(rstore_append(s, A1, 2, 20, 1, &e), 0);
	rstore_commit(s);
	order_of(rstore_storage(s), got, sizeof(got));
	CHECK_STR(got, "a1(1) a2(1) b1(1)");
	rstore_free(s);
	/* no base: creation order */
	s = rstore_new(NULL, false);
	CHECK_EQ_I(rstore_append(s, B1, 2, 1, 1, &e), 0);
	CHECK_EQ_I(rstore_append(s, A1, 2, 1, 1, &e), 0);
	rstore_commit(s);
	order_of(rstore_storage(s), got, sizeof(got));
	CHECK_STR(got, "b1(1) a1(1)");
	rstore_free(s);
	promql_memstore_release(&base);
}

static void test_recording_rule_through_time(void)
{
	static const char rules[] = "groups:\n- name: g\n  interval: 1m\n  rules:\n  - record: present\n"
				    "    expr: src > 0\n    labels:\n      via: rule\n";
	static const struct label src[] = { { "__name__", "src" }, { "id", "1" } };
	static const struct label out[] = { { "__name__", "present" }, { "id", "1" }, { "via", "rule" } };
	struct rulefmt_file *f = NULL;
	struct rulefmt_errors errs;
	struct rstore *s = rstore_new(NULL, false);
	struct rule_manager *m = NULL;
	struct rm_opts o;
	struct err e = ERR_INIT;
	const double vals[] = { 1, 2, 0, 3 };
	size_t g;

	rulefmt_errors_init(&errs);
	CHECK_EQ_I(rulefmt_load_mem(&f, "r.yml", rules, sizeof(rules) - 1, &errs), 0);
	rulefmt_errors_release(&errs);
	if (!f)
		return;
	memset(&o, 0, sizeof(o));
	o.restored = true;
	CHECK_EQ_I(rule_manager_new(&m, &o, s, &e), 0);
	g = rule_manager_add_group(m, "r.yml", &f->groups[0], 60000000000LL);
	CHECK_EQ_I(rule_manager_group_interval(m, g), 60000000000LL);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ_I(rstore_append(s, src, 2, i * 60000, vals[i], &e), 0);
		rstore_commit(s);
		rule_manager_eval(m, g, (int64_t)i * 60000000000LL);
		CHECK(rule_manager_rule_error(m, g, 0) == NULL);
	}
	/* src, then present: 1, 2, a staleness marker when src <= 0, 3 */
	{
		const int64_t *t;
		const double *v;
		size_t n, nl;
		CHECK_EQ_I(rstore_nseries(s), 2);
		CHECK(labels_equal(rstore_series_labels(s, 1, &nl), 3, out, 3));
		rstore_series_samples(s, 1, &t, &v, &n);
		CHECK_EQ_I(n, 4);
		CHECK(v[0] == 1 && v[1] == 2 && v[3] == 3);
		CHECK_EQ_U(double_bits(v[2]), double_bits(prom_stale_nan()));
		CHECK_EQ_I(t[2], 120000);
	}
	/* slots: the same offset as promtool's own EvalTimestamp */
	for (int64_t t = 1700000000000000000LL; t < 1700000000000000000LL + 5 * 60000000000LL; t += 7777777777LL)
		CHECK_EQ_I(rule_manager_eval_timestamp(m, g, t), rules_backfill_eval_timestamp("r.yml", "g", 60000000000LL, t));
	rule_manager_free(m);
	rstore_free(s);
	rulefmt_file_free(f);
}

static void test_templates(void)
{
	/* answers of real promtool 2.42 (testdata/test-rules/expected/templates.out) */
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "{{ humanize 1234567.0 }}", "1.235M" },
		{ "{{ humanizeDuration 3661 }}", "1h 1m 1s" },
		{ "{{ printf \"%5.1f|%-8s|%08.3f\" 3.14159 \"ab\" 2.5 }}", "  3.1|ab      |0002.500" },
		{ "{{ $labels.job }}:{{ $value }}", "api:1" },
		{ "{{ range $k, $v := $labels }}{{ $k }}={{ $v }},{{ end }}", "job=api," },
		{ "{{ humanize \"abc\" }}",
		  "<error expanding template: error executing template __alert_T: template: __alert_T:1:115: executing "
		  "\"__alert_T\" at <humanize \"abc\">: error calling humanize: strconv.ParseFloat: parsing \"abc\": "
		  "invalid syntax>" },
		{ "{{ externalURL }}",
		  "<error expanding template: error executing template __alert_T: template: __alert_T:1:115: executing "
		  "\"__alert_T\" at <externalURL>: error calling externalURL: runtime error: invalid memory address or "
		  "nil pointer dereference>" },
	};
	static const struct label ls[] = { { "job", "api" } };
	struct tmpl_env env;

	memset(&env, 0, sizeof(env));
	env.labels = ls;
	env.nlabels = 1;
	env.value = 1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = BUF_INIT;
		tmpl_expand_alert(&b, "T", cases[i].in, &env, NULL);
		CHECK_STR(buf_str(&b), cases[i].want);
		buf_release(&b);
	}
}

int main(void)
{
	RUN(test_store_appends);
	RUN(test_store_order);
	RUN(test_recording_rule_through_time);
	RUN(test_templates);
	return check_done();
}
