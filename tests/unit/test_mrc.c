/* tests/unit/test_mrc.c - vmlab mrc's one-pass LRU curve (sim/mrc.c) against a textbook LRU.
 *
 * The textbook LRU here is the plainest one: an array of the resident pages in recency order,
 * searched from the front, the last one evicted. Generated traces (Zipf-like, loops, several
 * PIDs, page-spanning and M records) are written as vmt files, vmlab_mrc prints its CSV, and
 * the misses at several sizes must equal the textbook's, compulsory misses included. Long
 * traces over few pages make the stack-distance tree compact itself many times; many distinct
 * pages make its page map grow. SHARDS sampling at rate 1 is the exact curve, and at 10% it
 * stays within 3% of the accesses on a trace of many pages, none dominant. The SVG is the same bytes twice.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "include/vmlab.h"
#include "tests/unit/test.h"

static uint64_t seed = 99;

static uint64_t rnd(void)
{
	return test_lcg(&seed);
}

struct acc {
	uint64_t page;
	uint32_t pid;
};

/* The textbook: misses of an LRU memory of `size` pages over the accesses. */
static uint64_t textbook_lru(const struct acc *a, size_t n, size_t size)
{
	struct acc *stack = calloc(size, sizeof(*stack));
	size_t used = 0, i, j;
	uint64_t misses = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < used; j++)
			if (stack[j].page == a[i].page && stack[j].pid == a[i].pid)
				break;
		if (j == used) {
			misses++;
			if (used < size)
				used++;
			j = used - 1; /* the last one goes (or the new free slot) */
		}
		memmove(stack + 1, stack, j * sizeof(*stack));
		stack[0] = a[i];
	}
	free(stack);
	return misses;
}

static char dir[] = "/tmp/vmlab-test-mrc-XXXXXX";
static char path[300];

/* Writes records, returning the page accesses they make (replay's expansion, written out
 * here again: one access per page spanned, M a load then a store of each). */
static struct acc *make_trace(const vmlab_trace_rec_t *r, size_t n, size_t *na)
{
	struct acc *a = calloc(4 * n, sizeof(*a));
	FILE *f = fopen(path, "wb");
	vmlab_trace_writer_t *w;
	size_t i, k = 0;

	vmlab_trace_writer_open(f, path, VMLAB_TRACE_VMT, 0, &w, stdout);
	for (i = 0; i < n; i++) {
		uint64_t first = r[i].addr >> 12, last = (r[i].addr + r[i].size - 1) >> 12;
		int reps = r[i].kind == VMLAB_ACC_MODIFY ? 2 : 1, q;

		vmlab_trace_write(w, &r[i]);
		for (q = 0; q < reps; q++) {
			a[k].page = first, a[k++].pid = r[i].pid;
			if (last != first)
				a[k].page = last, a[k++].pid = r[i].pid;
		}
	}
	vmlab_trace_writer_close(w, stdout);
	fclose(f);
	*na = k;
	return a;
}

/* Runs vmlab_mrc and reads the misses column at each size. */
static int run_mrc(const vmlab_mrc_opts_t *o, const uint64_t *sizes, size_t ns, uint64_t *misses)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0, k = 0;
	FILE *out = open_memstream(&buf, &len);
	vmlab_mrc_opts_t x = *o;
	int rc;

	x.sizes = sizes;
	x.nsizes = ns;
	rc = vmlab_mrc(path, &x, out, stdout);
	fclose(out);
	if (rc || strncmp(buf, "pages,misses,miss_ratio\n", 24)) {
		free(buf);
		return -1;
	}
	for (line = strtok_r(buf + 24, "\n", &save); line && k < ns; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long p, m;
		double ratio;

		if (sscanf(line, "%llu,%llu,%lf", &p, &m, &ratio) != 3 || p != sizes[k])
			break;
		misses[k++] = m;
	}
	free(buf);
	return k == ns ? 0 : -1;
}

static void check_sizes(const struct acc *a, size_t na, const uint64_t *sizes, size_t ns)
{
	vmlab_mrc_opts_t o;
	uint64_t got[16];
	size_t i;

	memset(&o, 0, sizeof(o));
	CHECK_EQ(run_mrc(&o, sizes, ns, got), 0);
	for (i = 0; i < ns; i++) {
		uint64_t want = textbook_lru(a, na, sizes[i]);

		if (got[i] != want)
			printf("# size %llu: mrc %llu, textbook %llu\n", (unsigned long long)sizes[i],
			       (unsigned long long)got[i], (unsigned long long)want);
		CHECK_EQ(got[i], want);
	}
}

/* Zipf-like over 2000 pages, two PIDs, spans and M records. */
static void lru_zipf(void)
{
	const size_t n = 30000;
	vmlab_trace_rec_t *r = calloc(n, sizeof(*r));
	static const uint64_t sizes[] = {1, 2, 10, 64, 100, 500, 1000, 1999, 2000, 5000};
	struct acc *a;
	size_t i, na;

	for (i = 0; i < n; i++) {
		double u = (double)(rnd() % 1000000) / 1e6;
		uint64_t page = (uint64_t)(pow(2000.0, u)) - 1; /* many hits on low pages */

		r[i].addr = 0x10000000 + page * 4096 + (rnd() % 4096);
		r[i].size = (uint16_t)(rnd() % 8 ? 8 : 64);
		r[i].kind = (uint8_t)(rnd() % 4);
		r[i].pid = rnd() % 5 ? 1 : 2;
	}
	a = make_trace(r, n, &na);
	check_sizes(a, na, sizes, sizeof(sizes) / sizeof(sizes[0]));
	free(a);
	free(r);
}

/* A loop over 300 pages, long: LRU misses everything below 300 pages, nothing above; and
 * the tree is compacted again and again. */
static void lru_loop_compaction(void)
{
	const size_t n = 400000;
	vmlab_trace_rec_t *r = calloc(n, sizeof(*r));
	static const uint64_t sizes[] = {1, 299, 300, 301};
	vmlab_mrc_opts_t o;
	uint64_t got[4];
	size_t i;

	for (i = 0; i < n; i++) {
		r[i].addr = 0x10000000 + (i % 300) * 4096;
		r[i].size = 1;
		r[i].kind = VMLAB_ACC_WRITE;
		r[i].pid = 1;
	}
	free(make_trace(r, n, &i));
	memset(&o, 0, sizeof(o));
	CHECK_EQ(run_mrc(&o, sizes, 4, got), 0);
	CHECK_EQ(got[0], n);
	CHECK_EQ(got[1], n);
	CHECK_EQ(got[2], 300);
	CHECK_EQ(got[3], 300);
	free(r);
}

/* 60000 distinct pages (the page map grows many times), then a second pass over a mix. */
static void lru_many_pages(void)
{
	const size_t n = 90000;
	vmlab_trace_rec_t *r = calloc(n, sizeof(*r));
	static const uint64_t sizes[] = {1000, 30000, 59999, 60000};
	struct acc *a;
	size_t i, na;

	for (i = 0; i < n; i++) {
		uint64_t page = i < 60000 ? i * 7919 % 60000 : rnd() % 60000;

		r[i].addr = 0x10000000 + page * 4096;
		r[i].size = 1;
		r[i].kind = VMLAB_ACC_WRITE;
		r[i].pid = 1;
	}
	a = make_trace(r, n, &na);
	/* the textbook is quadratic: check sizes on a prefix-free basis of known answers */
	{
		vmlab_mrc_opts_t o;
		uint64_t got[4];

		memset(&o, 0, sizeof(o));
		CHECK_EQ(run_mrc(&o, sizes, 4, got), 0);
		CHECK_EQ(got[3], 60000); /* everything fits: compulsory misses only */
		CHECK(got[2] > got[3] && got[1] > got[2] && got[0] > got[1]);
		CHECK_EQ(got[0], textbook_lru(a, na, 1000));
	}
	free(a);
	free(r);
}

static void shards(void)
{
	const size_t n = 200000;
	vmlab_trace_rec_t *r = calloc(n, sizeof(*r));
	static const uint64_t sizes[] = {2000, 8000, 16000};
	vmlab_mrc_opts_t o;
	uint64_t exact[3], one[3], tenth[3];
	size_t i, na;

	for (i = 0; i < n; i++) {
		/* many pages, none dominant (sampling needs many pages to stand for the rest) */
		uint64_t page = rnd() % 10 < 7 ? rnd() % 20000 : rnd() % 3000;

		r[i].addr = 0x10000000 + page * 4096;
		r[i].size = 1;
		r[i].kind = VMLAB_ACC_WRITE;
		r[i].pid = 1;
	}
	free(make_trace(r, n, &na));
	memset(&o, 0, sizeof(o));
	CHECK_EQ(run_mrc(&o, sizes, 3, exact), 0);
	o.sample = 1.0;
	CHECK_EQ(run_mrc(&o, sizes, 3, one), 0);
	o.sample = 0.1;
	CHECK_EQ(run_mrc(&o, sizes, 3, tenth), 0);
	for (i = 0; i < 3; i++) {
		double d = fabs((double)tenth[i] - (double)exact[i]) / (double)n;

		CHECK_EQ(one[i], exact[i]);
		if (d > 0.03)
			printf("# size %llu: exact %llu, sampled %llu\n", (unsigned long long)sizes[i],
			       (unsigned long long)exact[i], (unsigned long long)tenth[i]);
		CHECK(d <= 0.03); /* within 3% of the accesses */
	}
	free(r);
}

static void svg_deterministic(void)
{
	vmlab_mrc_opts_t o;
	char *a = NULL, *b = NULL, *csv = NULL;
	size_t la = 0, lb = 0, lc = 0;
	FILE *fa = open_memstream(&a, &la), *fb = open_memstream(&b, &lb), *fc = open_memstream(&csv, &lc);

	memset(&o, 0, sizeof(o));
	o.svg = fa;
	o.svg_title = "a <title> & more";
	CHECK_EQ(vmlab_mrc(path, &o, fc, stdout), 0);
	o.svg = fb;
	CHECK_EQ(vmlab_mrc(path, &o, fc, stdout), 0);
	fclose(fa);
	fclose(fb);
	fclose(fc);
	CHECK(la > 500 && la == lb && !memcmp(a, b, la));
	CHECK(!strncmp(a, "<svg ", 5) && strstr(a, "</svg>\n") == a + la - 7);
	CHECK(strstr(a, "a &lt;title&gt; &amp; more") != NULL);
	free(a);
	free(b);
	free(csv);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/t.vmt", dir);
	RUN(lru_zipf);
	RUN(lru_loop_compaction);
	RUN(lru_many_pages);
	RUN(shards);
	RUN(svg_deterministic);
	unlink(path);
	rmdir(dir);
	TEST_EXIT();
}
