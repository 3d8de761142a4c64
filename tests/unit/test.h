/* tests/unit/test.h - a tiny TAP-like harness: CHECK() records one assertion, each TEST()
 * prints "ok - NAME" or "not ok - NAME" (scripts/run-tests.sh counts these lines). */
#ifndef VMLAB_TEST_H
#define VMLAB_TEST_H
#include <stdint.h>
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

/* Seeded generators for test inputs (the same sequence in every test that names one). */
static inline uint64_t test_lcg(uint64_t *s) /* 64-bit LCG, its high bits */
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 17;
}
static inline uint64_t test_xorshift(uint64_t *s) /* xorshift64 (13, 7, 17); *s != 0 */
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* dir/name, in one of four rotating buffers (dir: a test's mkdtemp directory). */
static inline const char *test_path(const char *dir, const char *name)
{
	static char p[4][256];
	static int k;

	k = (k + 1) & 3;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}
#endif
