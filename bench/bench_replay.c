/* bench/bench_replay.c - replay speed from the text format: a seeded Zipf(1.0) trace of 10M
 * writes over 100k pages (the workload), written to a temporary file, replayed through
 * vmlab_replay on a 1 GiB machine (no eviction: this measures parsing + TLB + faults).
 * Prints "replay_text_zipf N Maccesses/s". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <vmlab.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
	const long n = 10000000, pages = 100000;
	char path[] = "/tmp/vmlab-zipf-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL, *null = fopen("/dev/null", "w");
	double *cdf = malloc(sizeof(double) * (size_t)pages), sum = 0, t;
	uint64_t rng = 42;
	vmlab_replay_opts_t o = {.ram = 1ull << 30};
	long i;

	if (!f || !null || !cdf)
		return 1;
	for (i = 0; i < pages; i++)
		sum += 1.0 / (double)(i + 1);
	for (i = 0, cdf[0] = 0; i < pages; i++)
		cdf[i] = (i ? cdf[i - 1] : 0) + 1.0 / (double)(i + 1) / sum;
	for (i = 0; i < n; i++) {
		double u;
		long lo = 0, hi = pages - 1;

		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		u = (double)(rng >> 11) / 9007199254740992.0;
		while (lo < hi) {
			long mid = (lo + hi) / 2;

			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		fprintf(f, "W %llx\n", 0x10000000ull + (unsigned long long)lo * 4096);
	}
	fclose(f);
	t = now();
	vmlab_replay(path, &o, null, stderr);
	t = now() - t;
	printf("replay_text_zipf %.1f Maccesses/s\n", (double)n / t / 1e6);
	unlink(path);
	free(cdf);
	fclose(null);
	return 0;
}
