/* Version profiles (1-common/compat.c): parsing releases and the gates each one has. */
#include "1-common/compat.h"
#include "1-common/err.h"
#include "tests/unit/check.h"

static void test_default_is_2_42(void)
{
	struct compat c;
	char buf[16];

	compat_init(&c);
	CHECK_STR(compat_format(&c, buf, sizeof(buf)), "2.42.0");
	CHECK_STR(compat_format(NULL, buf, sizeof(buf)), "2.42.0");
	for (int g = 0; g < COMPAT_GATE_COUNT; g++) {
		CHECK(!compat_on(&c, (enum compat_gate)g));
		CHECK(!compat_on(NULL, (enum compat_gate)g));
	}
	CHECK(compat_at_least(NULL, 2, 42, 0));
	CHECK(!compat_at_least(NULL, 2, 42, 1));
}

static void test_parse_forms(void)
{
	static const char *const good[][2] = {
		{ "2.52", "2.52.0" }, { "2.52.0", "2.52.0" }, { "v3.14.0", "3.14.0" },
		{ "3.0.1", "3.0.1" }, { "v2.42", "2.42.0" }, { "2.45.6", "2.45.6" },
	};
	static const char *const bad[] = { "", "2", "2.41.0", "3.15.0", "2.52.9", "2.52.0.1", "x", "2.52-rc.0",
					   "v", "2..0", "3.14.0 ", "002.0042.0000" };
	struct compat c;
	char buf[16];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct err e = ERR_INIT;
		CHECK_EQ_I(compat_parse(&c, good[i][0], &e), 0);
		CHECK_STR(compat_format(&c, buf, sizeof(buf)), good[i][1]);
		err_release(&e);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err e = ERR_INIT;
		CHECK(compat_parse(&c, bad[i], &e) < 0);
		CHECK(strstr(err_msg(&e), "from 2.42.0 to 3.14.0") != NULL);
		err_release(&e);
	}
}

/* A gate is on exactly from the release its row names. */
static void test_gates_follow_their_release(void)
{
	struct compat c;
	struct err e = ERR_INIT;

	CHECK_EQ_I(compat_parse(&c, "3.0.0", &e), 0);
	CHECK(compat_on(&c, COMPAT_PROMQL_LEFT_OPEN));
	CHECK(!compat_on(&c, COMPAT_PROMQL_LEFT_OPEN_SUBQUERY));
	CHECK(compat_on(&c, COMPAT_PROMQL_RATE_THRESHOLD_FIRST));
	CHECK(!compat_on(&c, COMPAT_INDEX_NO_LABEL_INDICES));
	CHECK_EQ_I(compat_parse(&c, "3.0.1", &e), 0);
	CHECK(compat_on(&c, COMPAT_PROMQL_LEFT_OPEN_SUBQUERY));
	CHECK_EQ_I(compat_parse(&c, "2.50.1", &e), 0);
	CHECK(!compat_on(&c, COMPAT_PROMQL_RATE_THRESHOLD_FIRST));
	CHECK(compat_on(&c, COMPAT_PROMQL_HQ_SMALL_DELTAS));
	CHECK_EQ_I(compat_parse(&c, "3.14.0", &e), 0);
	for (int g = 0; g < COMPAT_GATE_COUNT; g++) {
		const struct compat_gate_info *gi = compat_gate((enum compat_gate)g);
		CHECK(compat_on(&c, (enum compat_gate)g));
		CHECK(gi->name && gi->what && *gi->what);
		CHECK(compat_at_least(&c, gi->major, gi->minor, gi->patch));
	}
	err_release(&e);
}

int main(void)
{
	RUN(test_default_is_2_42);
	RUN(test_parse_forms);
	RUN(test_gates_follow_their_release);
	return check_done();
}
