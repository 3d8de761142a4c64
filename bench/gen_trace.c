/* bench/gen_trace.c - a seeded generator of memory traces for benchmarks and experiments.
 *
 *   gen_trace [--pattern uniform|zipf|loop|mixed|tlb90] [--n ACCESSES] [--pages P]
 *             [--alpha A] [--writes FRACTION] [--seed S] [--to text|vmt] [-o FILE] [--zstd]
 *
 * Page p is at 0x10000000 + p * 4096 (process 1). Patterns:
 *   uniform  every page equally likely
 *   zipf     page of rank r (0-based) with probability proportional to 1 / (r + 1)^alpha
 *            (alpha 1.0 by default); rank 0 is page 0
 *   loop     pages 0, 1, ..., P-1, 0, 1, ...
 *   mixed    each access: zipf with probability 1/2, the loop 1/4, uniform 1/4
 *   tlb90    runs of ten accesses to one uniformly chosen page at random 8-byte offsets: with
 *            P well above the TLB's entries, nine in ten accesses hit the TLB
 * Every access is a write unless --writes gives a smaller fraction (reads otherwise). The same
 * arguments give the same bytes (a 64-bit LCG). Output: text by default, standard output
 * unless -o; written with the library's trace writer (so vmt is vmlab's own encoding).
 * Not a benchmark itself: bench/run.sh runs only bench_* programs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmlab.h>

static uint64_t rng;

static uint64_t next64(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return rng;
}

static double unit(void)
{
	return (double)(next64() >> 11) / 9007199254740992.0;
}

static int usage(void)
{
	fprintf(stderr, "usage: gen_trace [--pattern uniform|zipf|loop|mixed|tlb90] [--n N] [--pages P]\n"
			"                 [--alpha A] [--writes F] [--seed S] [--to text|vmt] [-o FILE] [--zstd]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *pattern = "zipf", *opath = NULL;
	uint64_t n = 1000000, pages = 100000, seed = 42, i, loop = 0, run_page = 0;
	double alpha = 1.0, writes = 1.0, *cdf = NULL;
	int format = VMLAB_TRACE_TEXT, zstd = 0, a;
	vmlab_trace_writer_t *w;
	FILE *f = stdout;

	for (a = 1; a < argc; a++) {
		const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (!strcmp(o, "--zstd")) {
			zstd = 1;
			continue;
		}
		if (!v)
			return usage();
		a++;
		if (!strcmp(o, "--pattern"))
			pattern = v;
		else if (!strcmp(o, "--n"))
			n = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--pages"))
			pages = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--alpha"))
			alpha = strtod(v, NULL);
		else if (!strcmp(o, "--writes"))
			writes = strtod(v, NULL);
		else if (!strcmp(o, "--seed"))
			seed = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--to"))
			format = !strcmp(v, "vmt") ? VMLAB_TRACE_VMT : !strcmp(v, "text") ? VMLAB_TRACE_TEXT : -1;
		else if (!strcmp(o, "-o"))
			opath = v;
		else
			return usage();
	}
	if (format < 0 || !pages || pages > (1ull << 30) ||
	    (strcmp(pattern, "uniform") && strcmp(pattern, "zipf") && strcmp(pattern, "loop") &&
	     strcmp(pattern, "mixed") && strcmp(pattern, "tlb90")))
		return usage();
	rng = seed;
	if (!strcmp(pattern, "zipf") || !strcmp(pattern, "mixed")) {
		double sum = 0;

		cdf = malloc(sizeof(double) * pages);
		if (!cdf)
			return 1;
		for (i = 0; i < pages; i++)
			sum += pow((double)(i + 1), -alpha);
		for (i = 0; i < pages; i++)
			cdf[i] = (i ? cdf[i - 1] : 0) + pow((double)(i + 1), -alpha) / sum;
	}
	if (opath && !(f = fopen(opath, "wb"))) {
		perror(opath);
		return 1;
	}
	if (vmlab_trace_writer_open(f, opath ? opath : "standard output", format, zstd, &w, stderr))
		return 1;
	for (i = 0; i < n; i++) {
		vmlab_trace_rec_t r = {.pid = 1, .size = 1};
		uint64_t page, off = 0;
		double u = 0;
		int which = pattern[0] == 'u' ? 0 : pattern[0] == 'z' ? 1 : pattern[0] == 'l' ? 2 : pattern[0] == 't' ? 3 : 4;

		if (which == 4) {
			double c = unit();

			which = c < 0.5 ? 1 : c < 0.75 ? 2 : 0;
		}
		switch (which) {
		case 0:
			page = next64() % pages;
			break;
		case 1: {
			uint64_t lo = 0, hi = pages - 1;

			u = unit();
			while (lo < hi) {
				uint64_t mid = (lo + hi) / 2;

				if (cdf[mid] < u)
					lo = mid + 1;
				else
					hi = mid;
			}
			page = lo;
			break;
		}
		case 2:
			page = loop;
			loop = (loop + 1) % pages;
			break;
		default:
			if (i % 10 == 0)
				run_page = next64() % pages;
			page = run_page;
			off = (next64() >> 20) & 4088;
		}
		r.addr = 0x10000000ull + page * 4096 + off;
		r.kind = writes >= 1.0 || unit() < writes ? VMLAB_ACC_WRITE : VMLAB_ACC_READ;
		if (vmlab_trace_write(w, &r))
			break;
	}
	free(cdf);
	a = vmlab_trace_writer_close(w, stderr);
	if (f != stdout && fclose(f))
		a = 1;
	return a ? 1 : 0;
}
