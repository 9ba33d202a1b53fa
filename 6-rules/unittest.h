/*
 * Rule unit tests: `promtool test rules` of 2.42 (cmd/promtool/unittest.go).
 * A test file (YAML, decoded as gopkg.in/yaml.v2's UnmarshalStrict does)
 * names rule files and test groups; each group loads input series in the
 * PromQL test notation, evaluates every rule group at every evaluation
 * interval from 0 to the largest eval_time, checks the firing alerts of
 * alert_rule_test cases as it goes and promql_expr_test queries at the
 * end, and reports failures in promtool's words.
 *
 * rules_unittest_run() fills a struct ut_result the caller owns
 * (ut_result_release()): the warnings printed while resolving rule files
 * and the errors promtool prints (none: the file passed).  Printing is the
 * CLI's business.
 */
#ifndef RULES_UNITTEST_H
#define RULES_UNITTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "2-model/labels.h"

/* ---- the test file (unitTestFile and friends) ------------------------- */

struct ut_series {
	char *series, *values;
};

struct ut_alert {
	struct labels exp_labels, exp_annotations; /* map order; owned */
};

struct ut_alert_test {
	int64_t eval_time_ms;
	char *alertname;
	struct ut_alert *exp;
	size_t nexp;
};

struct ut_sample {
	char *labels;
	double value;
};

struct ut_expr_test {
	char *expr;
	int64_t eval_time_ms;
	struct ut_sample *exp;
	size_t nexp;
};

struct ut_group {
	int64_t interval_ms;
	struct ut_series *series;
	size_t nseries;
	struct ut_alert_test *alerts;
	size_t nalerts;
	struct ut_expr_test *exprs;
	size_t nexprs;
	struct labels external_labels; /* sorted (labels.FromMap) */
	char *external_url;
	char *name;
};

struct ut_file {
	char **rule_files;
	size_t nrule_files;
	int64_t evaluation_interval_ms;
	char **group_eval_order;
	size_t ngroup_eval_order;
	struct ut_group *tests;
	size_t ntests;
};

/*
 * yaml.UnmarshalStrict(data, &unitTestFile) of yaml.v2.  Returns 0, or -1
 * with e set to yaml.v2's error ("yaml: unmarshal errors:\n  line 3:
 * field foo not found in type main.testGroup", "yaml: line 2: ...", or an
 * UnmarshalYAML error such as `not a valid duration string: "1x"`).
 * *out is filled either way and must be released.
 */
int ut_file_decode(struct ut_file *out, const char *data, size_t len, struct err *e);
void ut_file_release(struct ut_file *f);

/* ---- running ----------------------------------------------------------- */

struct ut_result {
	char **warnings; /* stderr lines printed during the run */
	size_t nwarnings;
	char **errors;   /* each printed to stderr, followed by an empty stdout line */
	size_t nerrors;
	size_t warnings_cap, errors_cap;
};

void ut_result_release(struct ut_result *r);

/* ruleUnitTest(filename): false when errors were reported. */
bool rules_unittest_run(const char *filename, struct ut_result *res);
struct compat;
/* The same with the PromQL engine of release compat (borrowed; NULL: 2.42.0). */
bool rules_unittest_run_with(const char *filename, const struct compat *compat, struct ut_result *res);

#endif
