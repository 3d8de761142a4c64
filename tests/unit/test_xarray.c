/* tests/unit/test_xarray.c - lib/xarray.c against a reference table.
 * No kernel twin to copy (Linux has lib/test_xarray.c). Random indices up to 2^40 and full
 * 64-bit ones, dense ranges, xa_find iteration, erase of everything down to 0 nodes, and an
 * allocator that fails on demand: a failed store must leave the tree exactly as it was.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "lib/xarray.h"
#include "tests/unit/test.h"

/* A counting allocator that can be told to fail. */
struct pool {
	long live;      /* nodes handed out and not given back */
	long fail_in;   /* fail the allocation after this many more (-1: never) */
	long failures;  /* allocations refused */
};

static void *pool_alloc(void *ctx)
{
	struct pool *p = ctx;

	if (p->fail_in == 0) {
		p->failures++;
		return NULL;
	}
	if (p->fail_in > 0)
		p->fail_in--;
	p->live++;
	return calloc(1, sizeof(struct xa_node));
}

static void pool_free(void *ctx, void *n)
{
	struct pool *p = ctx;

	p->live--;
	free(n);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Entries are fake non-NULL pointers derived from the index. */
static void *val(uint64_t index)
{
	return (void *)(uintptr_t)((index << 2) | 2);
}

#define NREF 3000
static uint64_t ref_idx[NREF];
static int ref_on[NREF];

/* Sorts ref_idx (insertion sort on a small table, ref_on follows). */
static void ref_sort(int n)
{
	int i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && ref_idx[j - 1] > ref_idx[j]; j--) {
			uint64_t t = ref_idx[j];
			int o = ref_on[j];

			ref_idx[j] = ref_idx[j - 1];
			ref_idx[j - 1] = t;
			ref_on[j] = ref_on[j - 1];
			ref_on[j - 1] = o;
		}
}

/* xa_find from 0 visits exactly the live reference entries, in order. */
static int find_matches(const struct xarray *xa, int n)
{
	uint64_t idx = 0;
	int i = 0;
	void *e;

	while ((e = xa_find(xa, &idx, UINT64_MAX)) != NULL) {
		while (i < n && !ref_on[i])
			i++;
		if (i == n || ref_idx[i] != idx || e != val(idx))
			return 0;
		i++;
		if (idx == UINT64_MAX)
			break;
		idx++;
	}
	while (i < n && !ref_on[i])
		i++;
	return i == n;
}

static void test_xa_empty(void)
{
	struct pool p = {.fail_in = -1};
	struct xarray xa;
	uint64_t idx = 0;

	xa_init(&xa, pool_alloc, pool_free, &p);
	CHECK(xa_load(&xa, 0) == NULL);
	CHECK(xa_erase(&xa, 7) == NULL);
	CHECK(xa_find(&xa, &idx, UINT64_MAX) == NULL);
	CHECK_EQ(xa_nodes(&xa), 0);
	CHECK_EQ(xa_store(&xa, 0, val(0)), 0);
	CHECK_EQ(xa.height, 1);
	CHECK_EQ(xa_nodes(&xa), 1);
	CHECK(xa_load(&xa, 0) == val(0));
	CHECK(xa_load(&xa, 64) == NULL);
	CHECK(xa_erase(&xa, 0) == val(0));
	CHECK_EQ(xa_nodes(&xa), 0);
	CHECK(xa.root == NULL);
	CHECK_EQ(p.live, 0);
}

/* Heights: 63 fits one level, 64 needs two, 2^63 needs eleven; shrinking follows erases. */
static void test_xa_grow_shrink(void)
{
	struct pool p = {.fail_in = -1};
	struct xarray xa;
	uint64_t top = 1ull << 63, idx;

	xa_init(&xa, pool_alloc, pool_free, &p);
	CHECK_EQ(xa_store(&xa, 63, val(63)), 0);
	CHECK_EQ(xa.height, 1);
	CHECK_EQ(xa_store(&xa, 64, val(64)), 0);
	CHECK_EQ(xa.height, 2);
	CHECK_EQ(xa_nodes(&xa), 3);
	CHECK_EQ(xa_store(&xa, top, val(top)), 0);
	CHECK_EQ(xa.height, 11);
	CHECK_EQ(xa_store(&xa, UINT64_MAX, val(UINT64_MAX)), 0);
	CHECK(xa_load(&xa, top) == val(top));
	CHECK(xa_load(&xa, UINT64_MAX) == val(UINT64_MAX));
	CHECK(xa_load(&xa, top + 1) == NULL);
	idx = 65;
	CHECK(xa_find(&xa, &idx, UINT64_MAX) == val(top));
	CHECK(idx == top);
	idx = top + 1;
	CHECK(xa_find(&xa, &idx, UINT64_MAX) == val(UINT64_MAX));
	CHECK(idx == UINT64_MAX);
	idx = 65;
	CHECK(xa_find(&xa, &idx, top - 1) == NULL);
	CHECK(xa_erase(&xa, top) == val(top));
	CHECK_EQ(xa.height, 11);
	CHECK(xa_erase(&xa, UINT64_MAX) == val(UINT64_MAX));
	CHECK_EQ(xa.height, 2); /* only 63 and 64 are left */
	CHECK_EQ(xa_nodes(&xa), 3);
	CHECK(xa_erase(&xa, 64) == val(64));
	CHECK_EQ(xa.height, 1);
	CHECK_EQ(xa_nodes(&xa), 1);
	CHECK(xa_load(&xa, 63) == val(63));
	CHECK(xa_erase(&xa, 63) == val(63));
	CHECK_EQ(xa_nodes(&xa), 0);
	CHECK_EQ(p.live, 0);
}

/* A dense run of 64 x 64 entries needs 64 leaves and one node above them. */
static void test_xa_dense(void)
{
	struct pool p = {.fail_in = -1};
	struct xarray xa;
	uint64_t i, base = 1ull << 20, idx;
	int ok = 1;

	xa_init(&xa, pool_alloc, pool_free, &p);
	for (i = 0; i < 4096; i++)
		ok &= xa_store(&xa, base + i, val(base + i)) == 0;
	CHECK(ok);
	CHECK_EQ(xa.count, 4096);
	CHECK_EQ(xa_nodes(&xa), (long)p.live);
	CHECK_EQ(xa_nodes(&xa), 64 + 1 + 1 + 1); /* leaves, their parent, two levels up to 2^24 */
	for (i = 0, idx = base; i < 4096; i++, idx++)
		ok &= xa_find(&xa, &idx, UINT64_MAX) == val(base + i) && idx == base + i;
	CHECK(ok);
	CHECK(xa_leaf(&xa, base + 70) != NULL);
	CHECK(xa_leaf(&xa, base + 70)->slots[(base + 70) & 63] == val(base + 70));
	CHECK(xa_leaf(&xa, 5) == NULL);
	/* replacing does not change the count */
	CHECK_EQ(xa_store(&xa, base, val(7)), 0);
	CHECK_EQ(xa.count, 4096);
	CHECK(xa_load(&xa, base) == val(7));
	for (i = 0; i < 4096; i += 2)
		xa_erase(&xa, base + i);
	CHECK_EQ(xa.count, 2048);
	for (i = 1; i < 4096; i += 2)
		ok &= xa_erase(&xa, base + i) == val(base + i);
	CHECK(ok);
	CHECK_EQ(xa.count, 0);
	CHECK_EQ(xa_nodes(&xa), 0);
	CHECK_EQ(p.live, 0);
}

static void test_xa_random(void)
{
	struct pool p = {.fail_in = -1};
	struct xarray xa;
	int i, step, bad = 0, n = NREF;
	long live = 0;

	for (i = 0; i < n; i++) {
		/* half spread up to 2^40, half clustered in a few 4096-page windows */
		ref_idx[i] = (i & 1) ? next_rand() & ((1ull << 40) - 1)
				     : ((next_rand() % 8) << 30) + next_rand() % 4096;
		ref_on[i] = 0;
	}
	ref_sort(n);
	for (i = 1; i < n; i++) /* make the indices unique, still sorted */
		if (ref_idx[i] <= ref_idx[i - 1])
			ref_idx[i] = ref_idx[i - 1] + 1;
	xa_init(&xa, pool_alloc, pool_free, &p);
	for (step = 0; step < 30000 && !bad; step++) {
		int k = (int)(next_rand() % (uint64_t)n);

		if (ref_on[k]) {
			if (xa_erase(&xa, ref_idx[k]) != val(ref_idx[k]))
				bad = step + 1;
			live--;
		} else {
			if (xa_store(&xa, ref_idx[k], val(ref_idx[k])) != 0)
				bad = step + 1;
			live++;
		}
		ref_on[k] = !ref_on[k];
		if ((long)xa.count != live || (long)xa_nodes(&xa) != p.live)
			bad = step + 1;
		if (step % 1000 == 0 && !find_matches(&xa, n))
			bad = step + 1;
	}
	CHECK_EQ(bad, 0);
	CHECK(find_matches(&xa, n));
	for (i = 0; i < n; i++)
		bad |= xa_load(&xa, ref_idx[i]) != (ref_on[i] ? val(ref_idx[i]) : NULL);
	CHECK_EQ(bad, 0);
	for (i = 0; i < n; i++)
		if (ref_on[i]) {
			xa_erase(&xa, ref_idx[i]);
			ref_on[i] = 0;
		}
	CHECK_EQ(xa.count, 0);
	CHECK_EQ(xa_nodes(&xa), 0);
	CHECK(xa.root == NULL);
	CHECK_EQ(p.live, 0);
}

/* Sum of slot pointers and counts over the tree: a fingerprint to compare before and after. */
static uint64_t fingerprint(const struct xa_node *n)
{
	uint64_t h = (uint64_t)(uintptr_t)n * 31 + n->count * 7 + n->shift;
	unsigned i;

	for (i = 0; i < XA_CHUNK_SIZE; i++)
		if (n->slots[i])
			h = h * 1000003 + (n->shift ? fingerprint(n->slots[i]) : (uint64_t)(uintptr_t)n->slots[i]);
	return h;
}

/* Every store that needs k nodes is tried with the allocator failing at each of the k. */
static void test_xa_enomem(void)
{
	static const uint64_t idx[] = {0, 1, 100, 5000, 1ull << 40, (1ull << 40) + 64, 3, 1ull << 62,
				       UINT64_MAX, 64, 4096 * 64 + 1};
	struct pool p = {.fail_in = -1};
	struct xarray xa;
	unsigned k;
	int bad = 0;

	xa_init(&xa, pool_alloc, pool_free, &p);
	for (k = 0; k < sizeof(idx) / sizeof(idx[0]); k++) {
		long f;

		for (f = 0;; f++) {
			uint64_t before = xa.root ? fingerprint(xa.root) : 0, count = xa.count;
			unsigned height = xa.height;
			long live = p.live;
			int err;

			p.fail_in = f;
			err = xa_store(&xa, idx[k], val(idx[k]));
			p.fail_in = -1;
			if (err == 0)
				break;
			if (err != -ENOMEM || xa.count != count || xa.height != height || p.live != live ||
			    (xa.root ? fingerprint(xa.root) : 0) != before || xa_load(&xa, idx[k]))
				bad++;
		}
		if (xa_load(&xa, idx[k]) != val(idx[k]))
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK(p.failures > 20);
	CHECK_EQ(xa.count, sizeof(idx) / sizeof(idx[0]));
	CHECK_EQ(xa_nodes(&xa), p.live);
	xa_destroy(&xa);
	CHECK_EQ(p.live, 0);
	CHECK(xa.root == NULL);
	/* the very first store into an empty tree fails cleanly too */
	p.fail_in = 0;
	CHECK_EQ(xa_store(&xa, 1ull << 40, val(1)), -ENOMEM);
	CHECK(xa.root == NULL && xa.height == 0 && p.live == 0);
	p.fail_in = 3;
	CHECK_EQ(xa_store(&xa, 1ull << 40, val(1)), -ENOMEM);
	CHECK(xa.root == NULL && xa.height == 0 && p.live == 0);
}

int main(void)
{
	RUN(test_xa_empty);
	RUN(test_xa_grow_shrink);
	RUN(test_xa_dense);
	RUN(test_xa_random);
	RUN(test_xa_enomem);
	TEST_EXIT();
}
