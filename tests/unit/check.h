/*
 * A minimal unit-test harness.  Each tests/unit/test_*.c is its own program:
 *
 *     static void test_crc(void) { CHECK_EQ_U(crc32c("123456789", 9), 0xE3069283u); }
 *     int main(void) { RUN(test_crc); return check_done(); }
 *
 * RUN prints "PASS <name>" or "FAIL <name>" (after the failing checks'
 * file:line messages); tests/run.sh counts those lines.  check_done()
 * returns non-zero when anything failed.
 */
#ifndef TESTS_UNIT_CHECK_H
#define TESTS_UNIT_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct check_state {
	int failed_checks; /* in the running test */
	int passed, failed;
};

extern struct check_state check_state_;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			check_state_.failed_checks++;                          \
		}                                                              \
	} while (0)

#define CHECK_EQ_I(a, b)                                                       \
	do {                                                                   \
		long long ca_ = (long long)(a), cb_ = (long long)(b);          \
		if (ca_ != cb_) {                                              \
			fprintf(stderr, "%s:%d: %s == %lld, want %lld\n", __FILE__, __LINE__, #a, ca_, cb_); \
			check_state_.failed_checks++;                          \
		}                                                              \
	} while (0)

#define CHECK_EQ_U(a, b)                                                       \
	do {                                                                   \
		unsigned long long ca_ = (unsigned long long)(a), cb_ = (unsigned long long)(b); \
		if (ca_ != cb_) {                                              \
			fprintf(stderr, "%s:%d: %s == 0x%llx, want 0x%llx\n", __FILE__, __LINE__, #a, ca_, cb_); \
			check_state_.failed_checks++;                          \
		}                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *ca_ = (a), *cb_ = (b);                             \
		if (!ca_ || !cb_ || strcmp(ca_, cb_) != 0) {                   \
			fprintf(stderr, "%s:%d: %s == \"%s\", want \"%s\"\n", __FILE__, __LINE__, #a, \
				ca_ ? ca_ : "(null)", cb_ ? cb_ : "(null)");   \
			check_state_.failed_checks++;                          \
		}                                                              \
	} while (0)

#define CHECK_MEM(a, alen, b, blen)                                            \
	do {                                                                   \
		size_t cal_ = (alen), cbl_ = (blen);                           \
		if (cal_ != cbl_ || memcmp((a), (b), cal_) != 0) {             \
			fprintf(stderr, "%s:%d: %s differs from %s (len %zu vs %zu)\n", __FILE__, __LINE__, #a, #b, cal_, cbl_); \
			check_state_.failed_checks++;                          \
		}                                                              \
	} while (0)

#define RUN(fn)                                                                \
	do {                                                                   \
		check_state_.failed_checks = 0;                                \
		fn();                                                          \
		if (check_state_.failed_checks) {                              \
			check_state_.failed++;                                 \
			printf("FAIL %s\n", #fn);                              \
		} else {                                                       \
			check_state_.passed++;                                 \
			printf("PASS %s\n", #fn);                              \
		}                                                              \
		fflush(stdout);                                                \
	} while (0)

int check_done(void);

#endif
