/* tests/unit/test.h - a tiny TAP-like harness: CHECK() records one assertion, each TEST()
 * prints "ok - NAME" or "not ok - NAME" (scripts/run-tests.sh counts these lines). */
#ifndef VMLAB_TEST_H
#define VMLAB_TEST_H
#include <stdio.h>
#include <stdlib.h>

static int t_failed_checks; /* failures inside the current test */
static int t_total_failed;  /* tests failed */

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("# %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);          \
			t_failed_checks++;                                                         \
		}                                                                                  \
	} while (0)
#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long long _a = (long long)(a), _b = (long long)(b);                                \
		if (_a != _b) {                                                                    \
			printf("# %s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b, \
			       _a, _b);                                                            \
			t_failed_checks++;                                                         \
		}                                                                                  \
	} while (0)

#define RUN(fn)                                                                                    \
	do {                                                                                       \
		t_failed_checks = 0;                                                               \
		fn();                                                                              \
		printf("%s - %s\n", t_failed_checks ? "not ok" : "ok", #fn);                       \
		if (t_failed_checks)                                                               \
			t_total_failed++;                                                          \
	} while (0)

#define TEST_EXIT() return t_total_failed ? 1 : 0
#endif
