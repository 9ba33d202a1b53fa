/*
 * promtool test rules <test-file>... (2.42 cmd/promtool/unittest.go
 * RulesUnitTest): per file "Unit Testing:  <file>" on stdout, then
 * "  SUCCESS" or "  FAILED:" (stderr) with each error on stderr followed
 * by an empty line on stdout, and an empty line on stdout; exit 1 if any
 * file failed.  The testing itself is 6-rules/unittest.h.
 */
#include <stdio.h>

#include "6-rules/unittest.h"
#include "8-promtool/cli.h"
#include "8-promtool/commands.h"

int cmd_test_rules(const struct cli_ctx *c)
{
	size_t nfiles = 0;
	const char *const *files = cli_list(c, "test-rule-file", &nfiles);
	int failed = 0;

	for (size_t i = 0; i < nfiles; i++) {
		struct ut_result res;
		bool ok;

		printf("Unit Testing:  %s\n", files[i]);
		fflush(stdout);
		ok = rules_unittest_run_with(files[i], cli_compat(c), &res);
		for (size_t k = 0; k < res.nwarnings; k++)
			fprintf(stderr, "%s\n", res.warnings[k]);
		if (!ok) {
			fprintf(stderr, "  FAILED:\n");
			for (size_t k = 0; k < res.nerrors; k++) {
				fprintf(stderr, "%s\n", res.errors[k]);
				fflush(stderr);
				printf("\n");
				fflush(stdout);
			}
			failed = 1;
		} else {
			printf("  SUCCESS\n");
		}
		printf("\n");
		fflush(stdout);
		ut_result_release(&res);
	}
	return failed;
}
