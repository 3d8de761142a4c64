/* tests/unit/test_replay_exact.c - replay's exact modes against textbook policies written
 * here (../shared/spec/replay.md: over a trace of writes, pgfault equals the miss count of a
 * PAGES-entry cache of that policy, compulsory misses included).
 *
 * Textbook LRU (recency list), FIFO (queue), CLOCK (second chance as the spec words it: a
 * page's bit is clear when it is loaded and set on each later access; frames fill in order,
 * the hand starts at frame 0, evicts the first page whose bit is clear, clearing bits it
 * passes, puts the new page there and moves one past it) and OPT (Belady: evict the page
 * whose next use is farthest, never-again first). Traces of writes: Zipf-like, a loop, uniform
 * and a mix, several sizes; vmlab_replay --resident SIZE --policy P must report their misses
 * as pgfault. Replay gives them swap by itself (a RAM disk) and counts every eviction of a
 * written page as a pswpout.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "include/vmlab.h"
#include "tests/unit/test.h"

#define N 6000

static char dir[] = "/tmp/vmlab-test-exact-XXXXXX";

static uint64_t seed = 7;

static uint64_t rnd(void)
{
	return test_lcg(&seed);
}

static uint64_t lru(const uint64_t *p, size_t n, size_t c)
{
	uint64_t *s = calloc(c, sizeof(*s)), miss = 0;
	size_t used = 0, i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < used && s[j] != p[i]; j++)
			;
		if (j == used) {
			miss++;
			if (used < c)
				used++;
			j = used - 1;
		}
		memmove(s + 1, s, j * sizeof(*s));
		s[0] = p[i];
	}
	free(s);
	return miss;
}

static int resident(const uint64_t *f, size_t used, uint64_t page, size_t *at)
{
	size_t j;

	for (j = 0; j < used; j++)
		if (f[j] == page) {
			*at = j;
			return 1;
		}
	return 0;
}

static uint64_t fifo(const uint64_t *p, size_t n, size_t c)
{
	uint64_t *f = calloc(c, sizeof(*f)), miss = 0;
	size_t used = 0, next = 0, i, at;

	for (i = 0; i < n; i++) {
		if (resident(f, used, p[i], &at))
			continue;
		miss++;
		if (used < c) {
			f[used++] = p[i];
		} else {
			f[next] = p[i]; /* the oldest arrival */
			next = (next + 1) % c;
		}
	}
	free(f);
	return miss;
}

static uint64_t clock_(const uint64_t *p, size_t n, size_t c)
{
	uint64_t *f = calloc(c, sizeof(*f)), miss = 0;
	unsigned char *ref = calloc(c, 1);
	size_t used = 0, hand = 0, i, at;

	for (i = 0; i < n; i++) {
		if (resident(f, used, p[i], &at)) {
			ref[at] = 1;
			continue;
		}
		miss++;
		if (used < c) {
			f[used] = p[i];
			ref[used++] = 0;
			continue;
		}
		while (ref[hand]) {
			ref[hand] = 0;
			hand = (hand + 1) % c;
		}
		f[hand] = p[i];
		ref[hand] = 0;
		hand = (hand + 1) % c;
	}
	free(f);
	free(ref);
	return miss;
}

static uint64_t opt(const uint64_t *p, size_t n, size_t c)
{
	uint64_t *f = calloc(c, sizeof(*f)), miss = 0, last[1024];
	size_t *next = calloc(n, sizeof(*next)), *fnext = calloc(c, sizeof(*fnext));
	size_t used = 0, i, j, at;

	/* next[i]: the next access to p[i]'s page after i (n: never); pages are below 1024 */
	for (j = 0; j < 1024; j++)
		last[j] = n;
	for (i = n; i-- > 0;) {
		next[i] = last[p[i]];
		last[p[i]] = i;
	}
	for (i = 0; i < n; i++) {
		size_t victim = 0;

		if (resident(f, used, p[i], &at)) {
			fnext[at] = next[i];
			continue;
		}
		miss++;
		if (used < c) {
			f[used] = p[i];
			fnext[used++] = next[i];
			continue;
		}
		for (j = 1; j < used; j++)
			if (fnext[j] > fnext[victim])
				victim = j;
		f[victim] = p[i];
		fnext[victim] = next[i];
	}
	free(f);
	free(next);
	free(fnext);
	return miss;
}


static void write_trace(const char *path, const uint64_t *p, size_t n)
{
	FILE *f = fopen(path, "w");
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "W %llx\n", (unsigned long long)(0x10000000ull + p[i] * 4096 + (i % 512) * 8));
	fclose(f);
}

static int replay_pgfault(const char *path, const char *policy, uint64_t size, uint64_t *pgfault)
{
	vmlab_replay_opts_t o;
	char *buf = NULL, *at;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int rc;

	memset(&o, 0, sizeof(o));
	o.resident_pages = size;
	o.policy = policy;
	rc = vmlab_replay(path, &o, out, stdout);
	fclose(out);
	at = buf ? strstr(buf, "\npgfault ") : NULL;
	if (rc || !at || sscanf(at, "\npgfault %llu", (unsigned long long *)pgfault) != 1)
		rc = -1;
	free(buf);
	return rc;
}

static int supported(const char *policy)
{
	vmlab_config_t cfg;
	vmlab_t *m;

	vmlab_config_default(&cfg);
	cfg.resident_pages = 16;
	snprintf(cfg.policy, sizeof(cfg.policy), "%s", policy);
	if (vmlab_create(&cfg, &m))
		return 0;
	vmlab_destroy(m);
	return 1;
}

static void one_policy(const char *name, uint64_t (*textbook)(const uint64_t *, size_t, size_t))
{
	static const size_t sizes[] = {1, 7, 50, 200};
	static uint64_t p[N];
	char path[300];
	int pattern;

	CHECK(supported(name)); /* the machine accepts --resident with every exact policy */
	if (!supported(name))
		return;
	snprintf(path, sizeof(path), "%s/t.txt", dir);
	for (pattern = 0; pattern < 4; pattern++) {
		size_t i, s;

		for (i = 0; i < N; i++) {
			double u = (double)(rnd() % 1000000) / 1e6;
			int kind = pattern == 3 ? (int)(rnd() % 3) : pattern;

			p[i] = kind == 0 ? (uint64_t)pow(300.0, u) - 1 /* Zipf-like */
			     : kind == 1 ? i % 120                   /* a loop */
			     : rnd() % 250;                          /* uniform */
		}
		write_trace(path, p, N);
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			uint64_t got = 0, want = textbook(p, N, sizes[s]);

			CHECK_EQ(replay_pgfault(path, name, sizes[s], &got), 0);
			if (got != want)
				printf("# %s pattern %d size %zu: pgfault %llu, textbook %llu\n", name, pattern,
				       sizes[s], (unsigned long long)got, (unsigned long long)want);
			CHECK_EQ(got, want);
		}
	}
	unlink(path);
}

static void exact_lru(void) { one_policy("lru", lru); }
static void exact_fifo(void) { one_policy("fifo", fifo); }
static void exact_clock(void) { one_policy("clock", clock_); }
static void exact_opt(void) { one_policy("opt", opt); }

/* The textbooks agree with each other where theory says they must. */
static void textbooks_sane(void)
{
	static uint64_t p[N];
	size_t i;

	for (i = 0; i < N; i++)
		p[i] = rnd() % 100;
	CHECK(opt(p, N, 30) <= lru(p, N, 30));
	CHECK(opt(p, N, 30) <= fifo(p, N, 30));
	CHECK(opt(p, N, 30) <= clock_(p, N, 30));
	CHECK_EQ(lru(p, N, 100), 100);   /* all fit: compulsory only */
	CHECK_EQ(fifo(p, N, 100), 100);
	CHECK_EQ(clock_(p, N, 100), 100);
	for (i = 0; i < N; i++)
		p[i] = i % 10;
	CHECK_EQ(lru(p, N, 9), N);       /* a loop one page too big: LRU and FIFO miss always */
	CHECK_EQ(fifo(p, N, 9), N);
	CHECK(opt(p, N, 9) < N / 5);
	{
		/* and the harness: without a limit, pgfault is the distinct pages */
		char path[300];
		uint64_t got = 0;

		snprintf(path, sizeof(path), "%s/t.txt", dir);
		for (i = 0; i < N; i++)
			p[i] = rnd() % 250;
		write_trace(path, p, N);
		CHECK_EQ(replay_pgfault(path, NULL, 0, &got), 0);
		CHECK_EQ(got, lru(p, N, 1000));
		unlink(path);
	}
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	RUN(textbooks_sane);
	RUN(exact_lru);
	RUN(exact_fifo);
	RUN(exact_clock);
	RUN(exact_opt);
	rmdir(dir);
	TEST_EXIT();
}
