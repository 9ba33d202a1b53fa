/*
 * Fuzz target: a `promtool test rules` file as yaml.v2's UnmarshalStrict
 * reads it into the unit-test structures (6-rules/unittest_yaml.c):
 * durations, input_series strings, alert and promql_expr_test lists.
 * Any input decodes or fails with yaml.v2's message, never a crash.
 */
#include <stdint.h>
#include <stdlib.h>

#include "1-common/err.h"
#include "6-rules/unittest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ut_file f;
	struct err e = ERR_INIT;

	if (ut_file_decode(&f, (const char *)data, size, &e) < 0 && !err_isset(&e))
		abort();
	ut_file_release(&f);
	err_release(&e);
	return 0;
}
