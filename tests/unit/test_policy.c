/* tests/unit/test_policy.c - the exact replacement policies against textbook implementations.
 *
 * Traces of writes (every access a W, as ../shared/spec/replay.md requires for exactness) over
 * N distinct pages run through a machine with a resident limit of R pages and policy lru,
 * fifo, clock or opt; pgfault must equal the miss count of an independent, deliberately naive
 * R-entry cache of that policy written here (arrays and linear scans, nothing shared with
 * mm/policy/), compulsory misses included. The golden counts of a few fixed traces are also
 * pinned, so that a change in both would still be seen. The linux policy under a resident
 * limit is checked for what it promises: never more than R pages resident, every byte kept.
 */
#include <stdlib.h>
#include <string.h>

#include "include/vmlab.h"
#include "test.h"

#define BASE 0x200000000ull

/* ---- the textbook caches ---------------------------------------------------------------- */

/* LRU: a stamp per slot, the victim is the smallest stamp. */
static uint64_t ref_lru(const uint32_t *t, int n, int cap)
{
	uint32_t *page = malloc(sizeof(uint32_t) * (size_t)cap);
	uint64_t *stamp = malloc(sizeof(uint64_t) * (size_t)cap), misses = 0;
	int used = 0, i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < used && page[j] != t[i]; j++)
			;
		if (j == used) {
			misses++;
			if (used < cap) {
				j = used++;
			} else {
				int v = 0, k;

				for (k = 1; k < used; k++)
					if (stamp[k] < stamp[v])
						v = k;
				j = v;
			}
			page[j] = t[i];
		}
		stamp[j] = (uint64_t)i;
	}
	free(page);
	free(stamp);
	return misses;
}

/* FIFO: a ring of slots in load order. */
static uint64_t ref_fifo(const uint32_t *t, int n, int cap)
{
	uint32_t *page = malloc(sizeof(uint32_t) * (size_t)cap);
	uint64_t misses = 0;
	int used = 0, next = 0, i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < used && page[j] != t[i]; j++)
			;
		if (j < used)
			continue;
		misses++;
		if (used < cap) {
			page[used++] = t[i];
		} else {
			page[next] = t[i];
			next = (next + 1) % cap;
		}
	}
	free(page);
	return misses;
}

/* CLOCK: frames in a circle, a hand, a reference bit clear at load and set on each hit. */
static uint64_t ref_clock(const uint32_t *t, int n, int cap)
{
	uint32_t *page = malloc(sizeof(uint32_t) * (size_t)cap);
	char *ref = calloc((size_t)cap, 1);
	uint64_t misses = 0;
	int used = 0, hand = 0, i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < used && page[j] != t[i]; j++)
			;
		if (j < used) {
			ref[j] = 1;
			continue;
		}
		misses++;
		if (used < cap) {
			page[used] = t[i];
			ref[used++] = 0;
			continue;
		}
		while (ref[hand]) {
			ref[hand] = 0;
			hand = (hand + 1) % cap;
		}
		page[hand] = t[i];
		ref[hand] = 0;
		hand = (hand + 1) % cap;
	}
	free(page);
	free(ref);
	return misses;
}

/* OPT (Belady): on a miss with the cache full, evict the page whose next use is farthest. */
static uint64_t ref_opt(const uint32_t *t, int n, int cap)
{
	uint32_t *page = malloc(sizeof(uint32_t) * (size_t)cap);
	uint64_t misses = 0;
	int used = 0, i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < used && page[j] != t[i]; j++)
			;
		if (j < used)
			continue;
		misses++;
		if (used < cap) {
			page[used++] = t[i];
			continue;
		}
		{
			int v = 0, k, far = -1;

			for (k = 0; k < used; k++) {
				int q;

				for (q = i + 1; q < n && t[q] != page[k]; q++)
					;
				if (q > far) {
					far = q;
					v = k;
				}
				if (q == n)
					break; /* never used again: nothing is farther */
			}
			page[v] = t[i];
		}
	}
	free(page);
	return misses;
}

/* ---- traces ---------------------------------------------------------------------------- */

static uint64_t rng;

static uint64_t rnd(void)
{
	return test_xorshift(&rng);
}

/* kind 0: uniform; 1: a loop over npages; 2: skewed (80% of accesses on 10% of the pages);
 * 3: phases (working sets that move). */
static uint32_t *make_trace(int kind, int n, int npages, uint64_t seed)
{
	uint32_t *t = malloc(sizeof(uint32_t) * (size_t)n);
	int i;

	rng = seed * 0x9e3779b97f4a7c15ull + 7;
	for (i = 0; i < n; i++) {
		switch (kind) {
		case 0: t[i] = (uint32_t)(rnd() % (uint64_t)npages); break;
		case 1: t[i] = (uint32_t)(i % npages); break;
		case 2:
			t[i] = rnd() % 10 < 8 ? (uint32_t)(rnd() % (uint64_t)(npages / 10))
					      : (uint32_t)(rnd() % (uint64_t)npages);
			break;
		default:
			t[i] = (uint32_t)(((uint64_t)(i / 2000) * 37 + rnd() % (uint64_t)(npages / 4)) %
					  (uint64_t)npages);
			break;
		}
	}
	return t;
}

/* next[i]: the index of the next access to t[i]'s page, or UINT64_MAX. */
static uint64_t *next_uses(const uint32_t *t, int n, int npages)
{
	uint64_t *next = malloc(sizeof(uint64_t) * (size_t)n), *last = malloc(sizeof(uint64_t) * (size_t)npages);
	int i;

	for (i = 0; i < npages; i++)
		last[i] = UINT64_MAX;
	for (i = n - 1; i >= 0; i--) {
		next[i] = last[t[i]];
		last[t[i]] = (uint64_t)i;
	}
	free(last);
	return next;
}

/* Runs t through a machine; returns pgfault. check: run the invariant checkers every access. */
static uint64_t machine_faults(const char *policy, const uint32_t *t, int n, int npages, int cap,
			       int check)
{
	vmlab_config_t cfg;
	vmlab_t *m;
	uint64_t a, faults = 0, *next = strcmp(policy, "opt") ? NULL : next_uses(t, n, npages);
	int pid, i;

	vmlab_config_default(&cfg);
	cfg.ram = 64ull << 20;
	cfg.swap = 64ull << 20;
	cfg.resident_pages = (uint64_t)cap;
	cfg.check = check;
	snprintf(cfg.policy, sizeof(cfg.policy), "%s", policy);
	if (vmlab_create(&cfg, &m)) {
		free(next);
		return UINT64_MAX;
	}
	vmlab_spawn(m, &pid);
	if (vmlab_mmap(m, pid, BASE, (uint64_t)npages * 4096, VMLAB_PROT_READ | VMLAB_PROT_WRITE,
		       VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &a) == 0) {
		for (i = 0; i < n; i++) {
			if (next)
				vmlab_set_next_use(m, next[i]);
			if (vmlab_access(m, pid, BASE + (uint64_t)t[i] * 4096, VMLAB_ACC_WRITE))
				break;
		}
		if (i == n)
			vmlab_vmstat(m, "pgfault", &faults);
	}
	if (check) {
		char why[256];

		if (vmlab_check(m, why, sizeof(why))) {
			printf("# %s: %s\n", policy, why);
			faults = UINT64_MAX;
		}
	}
	vmlab_destroy(m);
	free(next);
	return faults;
}

static uint64_t reference(const char *policy, const uint32_t *t, int n, int cap)
{
	if (!strcmp(policy, "lru"))
		return ref_lru(t, n, cap);
	if (!strcmp(policy, "fifo"))
		return ref_fifo(t, n, cap);
	if (!strcmp(policy, "clock"))
		return ref_clock(t, n, cap);
	return ref_opt(t, n, cap);
}

static const char *const policies[] = {"lru", "fifo", "clock", "opt"};

/* Every policy, four kinds of traces, several sizes: faults == textbook misses. */
static void test_exact_policies(void)
{
	static const int caps[] = {1, 7, 64, 200, 500};
	int kind, c, p;

	for (kind = 0; kind < 4; kind++) {
		int n = 12000, npages = 800;
		uint32_t *t = make_trace(kind, n, npages, (uint64_t)kind + 1);

		for (c = 0; c < (int)(sizeof(caps) / sizeof(caps[0])); c++)
			for (p = 0; p < 4; p++) {
				uint64_t want = reference(policies[p], t, n, caps[c]);
				uint64_t got = machine_faults(policies[p], t, n, npages, caps[c], 0);

				if (got != want)
					printf("# %s kind %d cap %d: pgfault %llu, textbook %llu\n", policies[p],
					       kind, caps[c], (unsigned long long)got, (unsigned long long)want);
				CHECK_EQ(got, want);
			}
		free(t);
	}
}

/* The same with every invariant checker after every access (short traces). */
static void test_exact_policies_checked(void)
{
	uint32_t *t = make_trace(2, 1500, 300, 99);
	int p;

	for (p = 0; p < 4; p++)
		CHECK_EQ(machine_faults(policies[p], t, 1500, 300, 40, 1), reference(policies[p], t, 1500, 40));
	free(t);
}

/* Golden counts of fixed traces (seeded as above), pinned so that a change to both the
 * machine and the reference would show. */
static void test_golden(void)
{
	/* trace kind 2 (skewed), 12000 accesses over 800 pages, 64 frames */
	static const struct {
		const char *policy;
		uint64_t faults;
	} golden[] = {{"lru", 5996}, {"fifo", 6504}, {"clock", 5719}, {"opt", 2733}};
	uint32_t *t = make_trace(2, 12000, 800, 3);
	size_t i;

	for (i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		uint64_t got = machine_faults(golden[i].policy, t, 12000, 800, 64, 0);

		if (golden[i].faults)
			CHECK_EQ(got, golden[i].faults);
		else
			printf("# golden %s: %llu\n", golden[i].policy, (unsigned long long)got);
	}
	free(t);
}

/* A loop one page bigger than memory: LRU and FIFO miss every time, OPT keeps R-1 pages. */
static void test_loop_textbook(void)
{
	int n = 3000, cap = 100;
	uint32_t *t = make_trace(1, n, cap + 1, 1);

	CHECK_EQ(machine_faults("lru", t, n, cap + 1, cap, 0), (uint64_t)n);
	CHECK_EQ(machine_faults("fifo", t, n, cap + 1, cap, 0), (uint64_t)n);
	CHECK_EQ(machine_faults("clock", t, n, cap + 1, cap, 0), (uint64_t)n);
	CHECK(machine_faults("opt", t, n, cap + 1, cap, 0) < (uint64_t)n / 10);
	free(t);
}

/* The linux policy under a resident limit: never more than the limit, bytes all kept. */
static void test_linux_resident_limit(void)
{
	vmlab_config_t cfg;
	vmlab_t *m;
	uint64_t a, rss = 0;
	int pid, i;
	uint8_t buf[8];

	vmlab_config_default(&cfg);
	cfg.ram = 64ull << 20;
	cfg.swap = 64ull << 20;
	cfg.resident_pages = 300;
	cfg.check = 1;
	CHECK_EQ(vmlab_create(&cfg, &m), 0);
	vmlab_spawn(m, &pid);
	CHECK_EQ(vmlab_mmap(m, pid, BASE, 2000 * 4096, VMLAB_PROT_READ | VMLAB_PROT_WRITE,
			    VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &a), 0);
	for (i = 0; i < 2000; i++) {
		uint64_t v = (uint64_t)i * 2654435761u;

		CHECK_EQ(vmlab_store(m, pid, BASE + (uint64_t)i * 4096, &v, 8, NULL), 0);
		vmlab_task_stat(m, pid, "rss", &rss);
		CHECK(rss <= 300 * 4096);
	}
	for (i = 0; i < 2000; i++) {
		uint64_t v = (uint64_t)i * 2654435761u;

		CHECK_EQ(vmlab_load(m, pid, BASE + (uint64_t)i * 4096, buf, 8, NULL), 0);
		CHECK_EQ(memcmp(buf, &v, 8), 0);
	}
	vmlab_destroy(m);
}

int main(void)
{
	RUN(test_exact_policies);
	RUN(test_exact_policies_checked);
	RUN(test_golden);
	RUN(test_loop_textbook);
	RUN(test_linux_resident_limit);
	TEST_EXIT();
}
