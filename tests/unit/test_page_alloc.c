/* tests/unit/test_page_alloc.c - tests of mm/page_alloc.c: zones, reserved frames, buddy
 * split and merge at every order, watermarks and lowmem_reserve, pcp batch/high, exhaustion,
 * __GFP_ZERO, zone fallback, explain events, the checker, and a 64 GiB boot.
 *
 * The allocator tests build a struct vmlab by hand (RAM and mem_map mmap'd MAP_NORESERVE,
 * page_alloc_init only) so that they see the allocator alone. Expected numbers are worked out
 * here from Linux's formulas (and, for 64 MiB and 1 GiB, written down as literals).
 * At the end, tests of other subsystems that have lived in this file (vmalloc, radix tree, AVL
 * tree, big machines, max_map_count) through the public vmlab_create. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mm/internal.h"
#include "mm/policy/policy.h"
#include "test.h"

/* ---- a machine with only the page allocator ------------------------------------------------- */

static struct vmlab *machine(uint64_t ram, unsigned nr_cpus)
{
	struct vmlab *m = calloc(1, sizeof(*m));

	vmlab_config_default(&m->cfg);
	m->cfg.ram = ram;
	m->cfg.nr_cpus = nr_cpus;
	m->max_pfn = ram >> PAGE_SHIFT;
	m->ram_bytes = ram;
	m->mem_map_bytes = m->max_pfn * sizeof(struct page);
	m->ram = mmap(NULL, ram, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		      -1, 0);
	m->mem_map = mmap(NULL, m->mem_map_bytes, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->ram == MAP_FAILED || m->mem_map == MAP_FAILED) {
		printf("# mmap failed\n");
		exit(1);
	}
	INIT_LIST_HEAD(&m->slab_caches);
	INIT_LIST_HEAD(&m->vmap_areas);
	INIT_LIST_HEAD(&m->file_inodes);
	INIT_LIST_HEAD(&m->shmem_inodes);
	mem_cgroup_init(m);
	m->policy = vm_policy_find("linux");
	return m;
}

static void machine_free(struct vmlab *m)
{
	munmap(m->ram, m->ram_bytes);
	munmap(m->mem_map, m->mem_map_bytes);
	free(m);
}

static struct vmlab *booted(uint64_t ram, unsigned nr_cpus)
{
	struct vmlab *m = machine(ram, nr_cpus);

	CHECK_EQ(page_alloc_init(m), 0);
	return m;
}

static int checked(struct vmlab *m)
{
	char err[256] = "";
	int r = check_page_alloc(m, err, sizeof(err));

	if (r)
		printf("# %s\n", err);
	return r;
}

typedef uint64_t buddyinfo_t[MAX_NR_ZONES][NR_PAGE_ORDERS];

static void snapshot(struct vmlab *m, buddyinfo_t out)
{
	int z, o;

	for (z = 0; z < MAX_NR_ZONES; z++)
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			out[z][o] = m->zones[z].free_area[o].nr_free;
}

static uint64_t pcp_pages(struct vmlab *m)
{
	uint64_t n = 0;
	int z, c;

	for (z = 0; z < MAX_NR_ZONES; z++)
		for (c = 0; c < (int)m->cfg.nr_cpus; c++)
			n += (uint64_t)m->zones[z].pcp[c].count;
	return n;
}

static uint64_t isqrt(uint64_t x) /* independent of the allocator's int_sqrt */
{
	uint64_t r = 0;

	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

static uint64_t host_rss_bytes(void)
{
	unsigned long size = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- boot ------------------------------------------------------------------------------------ */

/* 64 MiB: DMA [0, 16M) and DMA32 [16M, 64M); first MiB and the kernel at 16 MiB reserved.
 * DMA frees 256..511 (order 8), 512..1023 (order 9), 3 order-10 blocks; DMA32 frees 4608..5119
 * (order 9) and 11 order-10 blocks. */
static void boot_64m(void)
{
	struct vmlab *m = booted(64ull << 20, 1);
	buddyinfo_t b;
	uint64_t pfn;

	CHECK_EQ(m->nr_zones, 2);
	CHECK_EQ(m->zones[ZONE_DMA].zone_start_pfn, 0);
	CHECK_EQ(m->zones[ZONE_DMA].present_pages, 4096);
	CHECK_EQ(m->zones[ZONE_DMA].managed_pages, 4096 - 256);
	CHECK_EQ(m->zones[ZONE_DMA32].zone_start_pfn, 4096);
	CHECK_EQ(m->zones[ZONE_DMA32].present_pages, 16384 - 4096);
	CHECK_EQ(m->zones[ZONE_DMA32].managed_pages, 16384 - 4096 - 512);
	CHECK_EQ(m->zones[ZONE_NORMAL].present_pages, 0);
	CHECK_EQ(m->kernel_start_pfn, 4096);
	CHECK_EQ(m->kernel_end_pfn, 4608);
	CHECK_EQ(m->reserved_pages, 768);
	CHECK_EQ(m->totalram_pages, 16384 - 768);
	CHECK_EQ(global_free_pages(m), 16384 - 768);
	for (pfn = 0; pfn < 256; pfn++)
		CHECK(pfn_to_page(m, pfn)->flags == PG_reserved && pfn_to_page(m, pfn)->_refcount == 1);
	CHECK(pfn_to_page(m, 4096)->flags == PG_reserved && pfn_to_page(m, 4096)->zone == ZONE_DMA32);
	CHECK(pfn_to_page(m, 4607)->flags == PG_reserved);
	CHECK(pfn_to_page(m, 4608)->flags == PG_buddy && pfn_to_page(m, 4608)->order == 9);
	snapshot(m, b);
	CHECK_EQ(b[ZONE_DMA][8], 1);
	CHECK_EQ(b[ZONE_DMA][9], 1);
	CHECK_EQ(b[ZONE_DMA][10], 3);
	CHECK_EQ(b[ZONE_DMA32][9], 1);
	CHECK_EQ(b[ZONE_DMA32][10], 11);
	CHECK_EQ(b[ZONE_DMA][0] + b[ZONE_DMA][7] + b[ZONE_DMA32][0] + b[ZONE_DMA32][8], 0);
	CHECK_EQ(pcp_pages(m), 0);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

/* Below 64 MiB the kernel sits at 1 MiB; a 16 MiB machine has only ZONE_DMA. */
static void boot_small(void)
{
	struct vmlab *m = booted(16ull << 20, 1);

	CHECK_EQ(m->nr_zones, 1);
	CHECK_EQ(m->kernel_start_pfn, 256);
	CHECK_EQ(m->kernel_end_pfn, 768);
	CHECK_EQ(m->zones[ZONE_DMA].managed_pages, 4096 - 768);
	CHECK_EQ(m->zones[ZONE_DMA32].present_pages, 0);
	CHECK_EQ(m->zones[ZONE_DMA].free_area[8].nr_free, 1); /* 768..1023 */
	CHECK_EQ(m->zones[ZONE_DMA].free_area[10].nr_free, 3);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
	m = machine(2ull << 20, 1); /* too small for the first MiB plus the 2 MiB image */
	CHECK_EQ(page_alloc_init(m), -EINVAL);
	machine_free(m);
	m = machine(64ull << 20, 0);
	CHECK_EQ(page_alloc_init(m), -EINVAL);
	machine_free(m);
}

/* 6 GiB: three zones; Normal starts at 4 GiB. */
static void boot_three_zones(void)
{
	struct vmlab *m = booted(6ull << 30, 1);

	CHECK_EQ(m->nr_zones, 3);
	CHECK_EQ(m->zones[ZONE_DMA32].present_pages, (1ull << 20) - 4096);
	CHECK_EQ(m->zones[ZONE_NORMAL].zone_start_pfn, 1ull << 20);
	CHECK_EQ(m->zones[ZONE_NORMAL].present_pages, 512ull << 10);
	CHECK_EQ(m->zones[ZONE_NORMAL].managed_pages, 512ull << 10);
	CHECK_EQ(m->zones[ZONE_NORMAL].free_area[10].nr_free, 512);
	CHECK_EQ(m->totalram_pages, (6ull << 18) - 768);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

/* 64 GiB: boot touches only block heads (16K struct pages of 16M) and must be quick. */
static void boot_64g(void)
{
	uint64_t rss0 = host_rss_bytes(), rss1;
	struct vmlab *m = machine(64ull << 30, 1);
	double t0 = now(), t1;

	CHECK_EQ(page_alloc_init(m), 0);
	t1 = now();
	rss1 = host_rss_bytes();
	printf("# 64 GiB page_alloc_init: %.1f ms, host RSS +%.1f MiB (mem_map is %.0f MiB)\n",
	       (t1 - t0) * 1e3, (double)(rss1 - rss0) / (1 << 20),
	       (double)m->mem_map_bytes / (1 << 20));
	CHECK_EQ(m->nr_zones, 3);
	CHECK_EQ(m->zones[ZONE_NORMAL].present_pages, (16ull << 20) - (1ull << 20));
	CHECK_EQ(m->min_free_kbytes, 32767); /* int_sqrt(16 * (64 GiB - 3 MiB) in KiB), just below 32768 */
	{
		struct page *p = alloc_pages(m, GFP_KERNEL, MAX_PAGE_ORDER);

		CHECK(p != NULL && p->zone == ZONE_NORMAL);
		free_pages(m, p, MAX_PAGE_ORDER);
	}
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

/* ---- watermarks ------------------------------------------------------------------------------ */

/* Linux's formulas, worked out independently of page_alloc.c. */
static void check_watermarks(struct vmlab *m)
{
	static const uint64_t ratio[MAX_NR_ZONES] = {256, 256, 32};
	uint64_t total = 0, min_kb, pages_min, reserve = 0;
	int z, j, k;

	for (z = 0; z < MAX_NR_ZONES; z++)
		total += m->zones[z].managed_pages;
	CHECK_EQ(total, m->totalram_pages);
	min_kb = isqrt(total * 4 * 16);
	min_kb = min_kb < 128 ? 128 : min_kb > 262144 ? 262144 : min_kb;
	CHECK_EQ(m->min_free_kbytes, min_kb);
	pages_min = min_kb / 4;
	for (z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zn = &m->zones[z];
		uint64_t tmp = pages_min * zn->managed_pages / total, delta, max = 0;
		uint64_t scaled = zn->managed_pages * 10 / 10000;
		int batch;

		if (!zn->managed_pages)
			continue;
		delta = tmp / 4 > scaled ? tmp / 4 : scaled;
		CHECK_EQ(zn->_watermark[WMARK_MIN], tmp);
		CHECK_EQ(zn->_watermark[WMARK_LOW], tmp + delta);
		CHECK_EQ(zn->_watermark[WMARK_HIGH], tmp + 2 * delta);
		CHECK_EQ(zn->_watermark[WMARK_PROMO], tmp + 3 * delta);
		for (j = z + 1; j < MAX_NR_ZONES; j++) {
			uint64_t upper = 0;

			for (k = z + 1; k <= j; k++)
				upper += m->zones[k].managed_pages;
			CHECK_EQ(zn->lowmem_reserve[j], upper / ratio[z]);
			max = upper / ratio[z] > max ? upper / ratio[z] : max;
		}
		max += zn->_watermark[WMARK_HIGH];
		reserve += max < zn->managed_pages ? max : zn->managed_pages;
		/* zone_batchsize / zone_highsize */
		batch = (int)((zn->managed_pages >> 10 < 256 ? zn->managed_pages >> 10 : 256) / 4);
		batch = batch < 1 ? 1 : batch;
		for (k = 1; k * 2 <= batch + batch / 2; k *= 2)
			;
		batch = k - 1 < 1 ? 1 : k - 1;
		CHECK_EQ(zn->pcp[0].batch, batch);
		CHECK_EQ(zn->pcp[0].high,
			 (int)(zn->_watermark[WMARK_LOW] / m->cfg.nr_cpus) > 4 * batch
				 ? (int)(zn->_watermark[WMARK_LOW] / m->cfg.nr_cpus) : 4 * batch);
		printf("# %llu MiB %s: managed %llu min %llu low %llu high %llu promo %llu batch %d "
		       "high %d\n", (unsigned long long)(m->max_pfn >> 8), zn->name,
		       (unsigned long long)zn->managed_pages, (unsigned long long)zn->_watermark[0],
		       (unsigned long long)zn->_watermark[1], (unsigned long long)zn->_watermark[2],
		       (unsigned long long)zn->_watermark[3], zn->pcp[0].batch, zn->pcp[0].high);
	}
	CHECK_EQ(m->totalreserve_pages, reserve);
}

static void watermarks(void)
{
	struct vmlab *m = booted(1ull << 30, 1);

	check_watermarks(m);
	/* the same numbers written down (python: isqrt(261376 * 64) = 4089) */
	CHECK_EQ(m->min_free_kbytes, 4089);
	CHECK_EQ(m->zones[ZONE_DMA]._watermark[WMARK_MIN], 15);
	CHECK_EQ(m->zones[ZONE_DMA]._watermark[WMARK_LOW], 18);
	CHECK_EQ(m->zones[ZONE_DMA]._watermark[WMARK_HIGH], 21);
	CHECK_EQ(m->zones[ZONE_DMA32]._watermark[WMARK_MIN], 1006);
	CHECK_EQ(m->zones[ZONE_DMA32]._watermark[WMARK_LOW], 1263);
	CHECK_EQ(m->zones[ZONE_DMA32]._watermark[WMARK_HIGH], 1520);
	CHECK_EQ(m->zones[ZONE_DMA32]._watermark[WMARK_PROMO], 1777);
	CHECK_EQ(m->zones[ZONE_DMA].lowmem_reserve[ZONE_DMA32], 1006); /* 257536 / 256 */
	CHECK_EQ(m->zones[ZONE_DMA].lowmem_reserve[ZONE_NORMAL], 1006);
	CHECK_EQ(m->zones[ZONE_DMA32].lowmem_reserve[ZONE_NORMAL], 0);
	CHECK_EQ(m->totalreserve_pages, 1027 + 1520);
	CHECK_EQ(m->zones[ZONE_DMA32].pcp[0].batch, 63);
	CHECK_EQ(m->zones[ZONE_DMA32].pcp[0].high, 1263);
	CHECK_EQ(m->zones[ZONE_DMA].pcp[0].batch, 1);
	CHECK_EQ(m->zones[ZONE_DMA].pcp[0].high, 18);
	machine_free(m);
	m = booted(64ull << 20, 1);
	check_watermarks(m);
	CHECK_EQ(m->min_free_kbytes, 999);
	CHECK_EQ(m->zones[ZONE_DMA32]._watermark[WMARK_MIN], 187);
	CHECK_EQ(m->zones[ZONE_DMA32]._watermark[WMARK_LOW], 233);
	CHECK_EQ(m->zones[ZONE_DMA]._watermark[WMARK_MIN], 61);
	CHECK_EQ(m->zones[ZONE_DMA].lowmem_reserve[ZONE_DMA32], 46);
	CHECK_EQ(m->zones[ZONE_DMA32].pcp[0].batch, 1);
	machine_free(m);
	m = booted(6ull << 30, 4); /* three zones, four CPUs */
	check_watermarks(m);
	CHECK(m->zones[ZONE_DMA32].lowmem_reserve[ZONE_NORMAL] > 0);
	machine_free(m);
	m = booted(16ull << 20, 1); /* DMA only: int_sqrt(3328 * 64) */
	check_watermarks(m);
	CHECK_EQ(m->min_free_kbytes, 461);
	machine_free(m);
}

/* ---- buddy ------------------------------------------------------------------------------------ */

/* From a pristine 64 MiB machine, an order-k DMA32 allocation (k <= 9) splits the order-9
 * block at 4608 and leaves one new free block at each order k..8; k = 10 takes an order-10
 * block whole. DMA32's batch is 1 there, so the pcp refill takes exactly the one block.
 * Freeing (and draining the pcp) merges back to the boot state exactly. */
static void split_merge_every_order(void)
{
	unsigned k;

	for (k = 0; k <= MAX_PAGE_ORDER; k++) {
		struct vmlab *m = booted(64ull << 20, 1);
		buddyinfo_t before, after;
		struct page *p;
		unsigned o;

		snapshot(m, before);
		p = alloc_pages(m, GFP_KERNEL | __GFP_DMA32, k);
		CHECK(p != NULL);
		if (!p) {
			machine_free(m);
			continue;
		}
		snapshot(m, after);
		CHECK_EQ(p->zone, ZONE_DMA32);
		CHECK_EQ(p->_refcount, 1);
		CHECK_EQ(p->flags, k ? PG_head : 0);
		CHECK_EQ(page_to_pfn(m, p) & ((1ull << k) - 1), 0);
		CHECK_EQ(pcp_pages(m), 0);
		for (o = 0; o <= MAX_PAGE_ORDER; o++) {
			uint64_t want = before[ZONE_DMA32][o];

			if (k <= 9 && o >= k && o <= 8)
				want++;
			if ((k <= 9 && o == 9) || (k == 10 && o == 10))
				want--;
			CHECK_EQ(after[ZONE_DMA32][o], want);
			CHECK_EQ(after[ZONE_DMA][o], before[ZONE_DMA][o]);
		}
		if (k <= 9)
			CHECK_EQ(page_to_pfn(m, p), 4608);
		CHECK_EQ(zone_free_pages(&m->zones[ZONE_DMA32]), 11776 - (1u << k));
		CHECK_EQ(m->vm_events[PGALLOC_DMA32], 1u << k);
		CHECK_EQ(checked(m), 0);
		free_pages(m, p, k);
		CHECK_EQ(m->vm_events[PGFREE], 1u << k);
		CHECK_EQ(checked(m), 0);
		drain_all_pages(m);
		snapshot(m, after);
		CHECK(!memcmp(before, after, sizeof(before)));
		CHECK_EQ(checked(m), 0);
		machine_free(m);
	}
}

/* Every order, many blocks at once, freed in a scrambled order: back to boot exactly. */
static void scrambled_frees(void)
{
	struct vmlab *m = booted(64ull << 20, 1);
	struct page *p[400];
	unsigned ord[400];
	buddyinfo_t before, after;
	uint64_t r = 7;
	int n = 0, i;

	snapshot(m, before);
	for (i = 0; i < 400; i++) {
		r = r * 6364136223846793005ull + 1442695040888963407ull;
		ord[n] = (unsigned)((r >> 33) % 7);
		p[n] = alloc_pages(m, GFP_KERNEL, ord[n]);
		if (p[n])
			n++;
	}
	CHECK_EQ(checked(m), 0);
	for (i = 0; i < n; i++) { /* free in a permuted order */
		int j = (int)((uint64_t)i * 7919 % (uint64_t)n);

		if (n % 7919 == 0)
			j = i;
		put_page(m, p[j]);
		p[j] = NULL;
		if (i % 50 == 0)
			CHECK_EQ(checked(m), 0);
	}
	for (i = 0; i < n; i++)
		CHECK(p[i] == NULL);
	drain_all_pages(m);
	snapshot(m, after);
	CHECK(!memcmp(before, after, sizeof(before)));
	CHECK_EQ(global_free_pages(m), m->totalram_pages);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

/* ---- pcp ------------------------------------------------------------------------------------- */

static void pcp_batch_and_high(void)
{
	struct vmlab *m = booted(1ull << 30, 1);
	struct zone *z = &m->zones[ZONE_DMA32];
	struct per_cpu_pages *pcp = &z->pcp[0];
	uint64_t free0 = zone_free_pages(z);
	static struct page *pages[2000];
	struct page *p;
	int i, n = 1400;

	/* an empty list takes batch (63) pages from the buddy and hands out one */
	p = alloc_pages(m, GFP_KERNEL, 0);
	CHECK_EQ(pcp->count, 62);
	CHECK_EQ(zone_free_pages(z), free0 - 63); /* pcp pages are not NR_FREE_PAGES */
	CHECK(pfn_to_page(m, page_to_pfn(m, p) + 1)->flags == PG_pcp); /* its neighbours wait */
	CHECK_EQ(checked(m), 0);
	/* the freed page goes to the head: the next allocation gets it back (hot) */
	free_pages(m, p, 0);
	CHECK_EQ(pcp->count, 63);
	CHECK(alloc_pages(m, GFP_KERNEL, 0) == p);
	free_pages(m, p, 0);
	/* higher orders: max(batch >> order, 2) blocks */
	p = alloc_pages(m, GFP_KERNEL, 2);
	CHECK_EQ(pcp->count, 63 + (15 - 1) * 4);
	free_pages(m, p, 2);
	CHECK_EQ(pcp->count, 63 + 15 * 4);
	drain_all_pages(m);
	CHECK_EQ(pcp->count, 0);
	CHECK_EQ(zone_free_pages(z), free0);
	/* frees beyond high (1263) send batch (63) pages back, oldest first */
	for (i = 0; i < n; i++)
		pages[i] = alloc_pages(m, GFP_KERNEL, 0);
	drain_all_pages(m);
	for (i = 0; i < n; i++) {
		int before = pcp->count;

		free_pages(m, pages[i], 0);
		if (before + 1 > pcp->high)
			CHECK_EQ(pcp->count, before + 1 - pcp->batch);
		else
			CHECK_EQ(pcp->count, before + 1);
		CHECK(pcp->count <= pcp->high);
	}
	/* drained at frees 1264, 1327 and 1390 (each time count reached 1264): 1201 + 10 */
	CHECK_EQ(pcp->count, 1211);
	CHECK(pages[0]->flags == PG_buddy || !(pages[0]->flags & PG_pcp)); /* oldest went back */
	CHECK(pages[n - 1]->flags == PG_pcp);
	CHECK_EQ(checked(m), 0);
	drain_all_pages(m);
	CHECK_EQ(zone_free_pages(z), free0);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

/* Every CPU's lists are drained and checked; high is shared by the CPUs. */
static void pcp_many_cpus(void)
{
	struct vmlab *m = booted(1ull << 30, 4);
	struct zone *z = &m->zones[ZONE_DMA32];
	struct page *p;

	CHECK_EQ(z->pcp[0].high, 1263 / 4);
	CHECK_EQ(z->pcp[3].high, 1263 / 4);
	/* pages put on CPU 2's list by hand (as if freed there) */
	p = alloc_pages(m, GFP_KERNEL, 0);
	p->_refcount = 0;
	p->flags = PG_pcp;
	p->order = 0;
	p->cpu = 2;
	list_add(&p->lru, &z->pcp[2].lists[0]);
	z->pcp[2].count = 1;
	CHECK_EQ(checked(m), 0);
	drain_all_pages(m);
	CHECK_EQ(pcp_pages(m), 0);
	CHECK_EQ(global_free_pages(m), m->totalram_pages);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

/* ---- exhaustion, zeroing, zones ------------------------------------------------------------ */

/* Kernel allocations may take every managed frame (the reserves, then the pcp lists). */
static void exhaust_and_return(void)
{
	struct vmlab *m = booted(64ull << 20, 1);
	uint64_t total = m->totalram_pages, n = 0, i;
	struct page **pages = malloc(sizeof(*pages) * (total + 1));
	buddyinfo_t before, after;

	snapshot(m, before);
	while (n <= total && (pages[n] = alloc_pages(m, GFP_KERNEL | __GFP_ZERO, 0)) != NULL) {
		uint8_t *b = page_address(m, pages[n]);

		CHECK(b[0] == 0 && b[4095] == 0);
		memset(b, 0xaa, 4096);
		n++;
	}
	CHECK_EQ(n, total);
	CHECK_EQ(global_free_pages(m), 0);
	CHECK_EQ(pcp_pages(m), 0);
	CHECK(alloc_pages(m, GFP_ATOMIC, 0) == NULL);
	CHECK_EQ(checked(m), 0);
	for (i = 0; i < n; i++)
		free_pages(m, pages[i], 0);
	drain_all_pages(m);
	snapshot(m, after);
	CHECK(!memcmp(before, after, sizeof(before)));
	CHECK_EQ(global_free_pages(m), total);
	/* recycled frames come back zeroed with __GFP_ZERO, dirty without */
	{
		struct page *p = alloc_pages(m, GFP_KERNEL | __GFP_ZERO, 3);
		uint8_t *b = page_address(m, p), all = 0;

		for (i = 0; i < (PAGE_SIZE << 3); i++)
			all |= b[i];
		CHECK_EQ(all, 0);
		free_pages(m, p, 3);
		p = alloc_pages(m, GFP_KERNEL, 0);
		CHECK_EQ(*(uint8_t *)page_address(m, p), 0xaa);
		free_pages(m, p, 0);
	}
	CHECK_EQ(checked(m), 0);
	free(pages);
	machine_free(m);
}

/* User pages stop at the min watermark, and the DMA zone keeps lowmem_reserve back from them:
 * at the end DMA32 holds about min free pages and DMA about min + DMA32's managed/256. */
static void zone_fallback_and_lowmem_reserve(void)
{
	struct vmlab *m = booted(1ull << 30, 1);
	struct zone *dma = &m->zones[ZONE_DMA], *dma32 = &m->zones[ZONE_DMA32];
	uint64_t n = 0, i, dma_mark = dma->_watermark[WMARK_MIN] + (uint64_t)dma->lowmem_reserve[ZONE_NORMAL];
	struct page **pages = malloc(sizeof(*pages) * m->totalram_pages);
	struct page *p;

	p = alloc_pages(m, GFP_KERNEL | __GFP_DMA, 0);
	CHECK(p && p->zone == ZONE_DMA);
	CHECK_EQ(m->vm_events[PGALLOC_DMA], 1);
	free_pages(m, p, 0);
	p = alloc_pages(m, GFP_KERNEL, 0); /* Normal is empty: DMA32 */
	CHECK(p && p->zone == ZONE_DMA32);
	free_pages(m, p, 0);
	while ((pages[n] = alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0)) != NULL)
		n++;
	drain_all_pages(m);
	printf("# 1 GiB: %llu user pages; left DMA32 %llu (min %llu), DMA %llu (min+reserve %llu)\n",
	       (unsigned long long)n, (unsigned long long)zone_free_pages(dma32),
	       (unsigned long long)dma32->_watermark[WMARK_MIN],
	       (unsigned long long)zone_free_pages(dma), (unsigned long long)dma_mark);
	CHECK(zone_free_pages(dma32) <= dma32->_watermark[WMARK_MIN]);
	CHECK(zone_free_pages(dma32) + (uint64_t)dma32->pcp[0].batch > dma32->_watermark[WMARK_MIN]);
	CHECK(zone_free_pages(dma) <= dma_mark);
	CHECK(zone_free_pages(dma) + (uint64_t)dma->pcp[0].batch > dma_mark);
	CHECK(m->vm_events[PGALLOC_DMA] > 1); /* the fallback did reach DMA */
	/* __GFP_HIGH goes down to half of min */
	p = alloc_pages(m, GFP_ATOMIC | __GFP_DMA32, 0);
	CHECK(p != NULL);
	if (p)
		free_pages(m, p, 0);
	/* DMA allocations do not pay DMA's reserve */
	p = alloc_pages(m, GFP_KERNEL | __GFP_DMA, 0);
	CHECK(p && p->zone == ZONE_DMA);
	if (p)
		free_pages(m, p, 0);
	CHECK_EQ(checked(m), 0);
	for (i = 0; i < n; i++)
		put_page(m, pages[i]);
	drain_all_pages(m);
	CHECK_EQ(global_free_pages(m), m->totalram_pages);
	CHECK_EQ(checked(m), 0);
	free(pages);
	machine_free(m);
}

static void watermark_ok_by_order(void)
{
	struct vmlab *m = booted(64ull << 20, 1);
	struct zone *z = &m->zones[ZONE_DMA32];

	/* 11776 free: order 10 fits above min 187 ... */
	CHECK(zone_watermark_ok(z, 10, z->_watermark[WMARK_MIN], ZONE_DMA32));
	CHECK(zone_watermark_ok(z, 0, 11775, ZONE_DMA32));
	CHECK(!zone_watermark_ok(z, 0, 11776, ZONE_DMA32));
	CHECK(!zone_watermark_ok(z, 1, 11775, ZONE_DMA32)); /* free - (2^order - 1) <= mark */
	/* ... but not when no block of order >= 10 is left */
	while (z->free_area[10].nr_free)
		CHECK(alloc_pages(m, GFP_KERNEL | __GFP_DMA32, 10) != NULL);
	CHECK(!zone_watermark_ok(z, 10, 0, ZONE_DMA32));
	CHECK(zone_watermark_ok(z, 9, 0, ZONE_DMA32));
	/* the DMA zone holds reserve back from DMA32 allocations */
	CHECK(zone_watermark_ok(&m->zones[ZONE_DMA], 0, 3840 - 46, ZONE_DMA));
	CHECK(!zone_watermark_ok(&m->zones[ZONE_DMA], 0, 3840 - 46, ZONE_DMA32));
	CHECK(zone_watermark_ok(&m->zones[ZONE_DMA], 0, 3840 - 47, ZONE_DMA32));
	machine_free(m);
}

static void refcounts(void)
{
	struct vmlab *m = booted(64ull << 20, 1);
	struct page *p = alloc_pages(m, GFP_KERNEL, 2);
	uint64_t free0;

	drain_all_pages(m);
	free0 = global_free_pages(m);
	get_page(p);
	put_page(m, p);
	CHECK_EQ(p->_refcount, 1);
	CHECK_EQ(global_free_pages(m), free0);
	put_page(m, p); /* the PG_head order: all four pages */
	drain_all_pages(m);
	CHECK_EQ(global_free_pages(m), free0 + 4);
	CHECK(alloc_pages(m, GFP_KERNEL, MAX_PAGE_ORDER + 1) == NULL);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

struct ev_log {
	int allocs, frees;
	uint64_t pfn;
	unsigned order;
	const char *why;
};

static void ev_hook(void *ctx, const vmlab_event_t *ev)
{
	struct ev_log *l = ctx;

	if (ev->type == VMLAB_EV_ALLOC) {
		l->allocs++;
		l->pfn = ev->pfn;
		l->order = ev->order;
		l->why = ev->text;
	} else if (ev->type == VMLAB_EV_FREE) {
		l->frees++;
	}
}

static void explain_events(void)
{
	struct vmlab *m = booted(64ull << 20, 1);
	struct ev_log log = {0};
	struct page *p = alloc_pages(m, GFP_KERNEL, 1); /* no hook: no event */

	free_pages(m, p, 1);
	m->hook = ev_hook;
	m->hook_ctx = &log;
	alloc_reason(m, "a test");
	p = alloc_pages(m, GFP_KERNEL, 1);
	CHECK_EQ(log.allocs, 1);
	CHECK_EQ(log.pfn, page_to_pfn(m, p));
	CHECK_EQ(log.order, 1);
	CHECK(log.why && !strcmp(log.why, "a test"));
	CHECK(m->alloc_why == NULL);
	free_pages(m, p, 1);
	CHECK_EQ(log.frees, 1);
	machine_free(m);
}

/* The checker catches each kind of damage. */
static void checker_detects_corruption(void)
{
	struct vmlab *m = booted(64ull << 20, 1);
	struct zone *z = &m->zones[ZONE_DMA32];
	struct page *p = alloc_pages(m, GFP_KERNEL, 0), *head;
	char err[256];

	CHECK_EQ(checked(m), 0);
	z->free_area[5].nr_free++;
	CHECK_EQ(check_page_alloc(m, err, sizeof(err)), -EFAULT);
	CHECK(!strncmp(err, "check_page_alloc: ", 18));
	z->free_area[5].nr_free--;
	z->vm_stat[NR_FREE_PAGES]++;
	CHECK_EQ(check_page_alloc(m, err, sizeof(err)), -EFAULT);
	z->vm_stat[NR_FREE_PAGES]--;
	z->pcp[0].count++;
	CHECK_EQ(check_page_alloc(m, err, sizeof(err)), -EFAULT);
	z->pcp[0].count--;
	head = list_first_entry(&z->free_area[10].free_list, struct page, lru);
	head->order = 9;
	CHECK_EQ(check_page_alloc(m, err, sizeof(err)), -EFAULT);
	head->order = 10;
	head->flags |= PG_reserved;
	CHECK_EQ(check_page_alloc(m, err, sizeof(err)), -EFAULT);
	head->flags = PG_buddy;
	CHECK_EQ(checked(m), 0);
	free_pages(m, p, 0);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

/* Order-0 allocation and free through the pcp lists (no assertion on speed). */
static void hot_path_speed(void)
{
	struct vmlab *m = booted(1ull << 30, 1);
	struct page *p[16];
	double t0 = now(), t;
	int i, j, rounds = 500000;

	for (i = 0; i < rounds; i++) {
		for (j = 0; j < 16; j++)
			p[j] = alloc_pages(m, GFP_KERNEL, 0);
		for (j = 0; j < 16; j++)
			free_pages(m, p[j], 0);
	}
	t = now() - t0;
	printf("# order-0 alloc+free via pcp: %.1f M pairs/s\n", rounds * 16 / t / 1e6);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

/* ---- other subsystems (through vmlab_create) -------------------------------------------- */

static struct vmlab *boot(uint64_t ram)
{
	vmlab_config_t cfg;
	struct vmlab *m;

	vmlab_config_default(&cfg);
	cfg.ram = ram;
	if (vmlab_create(&cfg, &m))
		return NULL;
	return m;
}

static void vmalloc_area(void)
{
	struct vmlab *m = boot(64ull << 20);
	uint64_t a = vmalloc(m, 3 * 4096 + 1, "test"), b;
	char buf[16] = {0}, err[256];

	CHECK_EQ(a, VMALLOC_START);
	CHECK_EQ(m->vmalloc_pages, 4);
	CHECK_EQ(kernel_write(m, a + 4096 * 3, "vmalloc!", 8), 0);
	CHECK_EQ(kernel_read(m, a + 4096 * 3, buf, 8), 0);
	CHECK(!strcmp(buf, "vmalloc!"));
	CHECK(kernel_read(m, a + 4096 * 4, buf, 1) != 0); /* the guard page is not mapped */
	b = vmalloc(m, 4096, "test2");
	CHECK_EQ(b, a + 5 * 4096); /* after the guard page */
	CHECK_EQ(check_vmalloc(m, err, sizeof(err)), 0);
	vfree(m, a);
	CHECK_EQ(m->vmalloc_pages, 1);
	CHECK_EQ(vmalloc(m, 4096, "reuse"), VMALLOC_START);
	CHECK_EQ(check_vmalloc(m, err, sizeof(err)), 0);
	vmlab_destroy(m);
}

static void *xa_alloc_host(void *ctx)
{
	(*(int *)ctx)++;
	return calloc(1, sizeof(struct xa_node));
}

static void xa_free_host(void *ctx, void *p)
{
	(*(int *)ctx)--;
	free(p);
}

static void radix_tree(void)
{
	int live = 0;
	struct xarray xa;
	uint64_t i, idx, found = 0;
	static uint64_t keys[2000];
	uint64_t r = 12345;

	xa_init(&xa, xa_alloc_host, xa_free_host, &live);
	for (i = 0; i < 2000; i++) {
		r = r * 6364136223846793005ull + 1;
		keys[i] = i < 1000 ? i : (r >> 24); /* dense, then sparse up to 2^40 */
		CHECK_EQ(xa_store(&xa, keys[i], (void *)(uintptr_t)(keys[i] * 2 + 1)), 0);
	}
	for (i = 0; i < 2000; i++)
		CHECK(xa_load(&xa, keys[i]) == (void *)(uintptr_t)(keys[i] * 2 + 1));
	for (idx = 0; xa_find(&xa, &idx, UINT64_MAX); idx++)
		found++;
	CHECK_EQ(found, xa.count);
	CHECK_EQ((uint64_t)live, xa_nodes(&xa));
	for (i = 0; i < 2000; i++)
		xa_erase(&xa, keys[i]);
	CHECK_EQ(xa.count, 0);
	CHECK_EQ(live, 0); /* every node given back */
	xa_destroy(&xa);
}

struct inode_key {
	struct avl_node n;
	int key;
};

static int cmp_key(const struct avl_node *a, const struct avl_node *b)
{
	int x = container_of(a, struct inode_key, n)->key, y = container_of(b, struct inode_key, n)->key;

	return x < y ? -1 : x > y;
}

static void avl_tree(void)
{
	static struct inode_key k[3000];
	static int in[3000];
	struct avl_node *root = NULL;
	long count = 0;
	int i;
	uint64_t r = 99;

	for (i = 0; i < 3000; i++)
		k[i].key = i;
	for (i = 0; i < 20000; i++) {
		int j;

		r = r * 6364136223846793005ull + 1442695040888963407ull;
		j = (int)((r >> 33) % 3000);
		if (in[j]) {
			avl_erase(&root, &k[j].n, cmp_key);
			count--;
		} else {
			avl_insert(&root, &k[j].n, cmp_key);
			count++;
		}
		in[j] ^= 1;
		if (i % 97 == 0)
			CHECK_EQ(avl_check(root, cmp_key), count);
	}
	CHECK_EQ(avl_check(root, cmp_key), count);
}

static void big_machine(void)
{
	vmlab_config_t cfg;
	vmlab_t *m;
	uint64_t a;
	int pid;

	vmlab_config_default(&cfg);
	cfg.ram = 64ull << 30;
	CHECK_EQ(vmlab_create(&cfg, &m), 0);
	CHECK_EQ(m->nr_zones, 3);
	CHECK_EQ(m->directmap_1g, 64ull << 30);
	CHECK_EQ(vmlab_spawn(m, &pid), 0);
	CHECK_EQ(vmlab_mmap(m, pid, 0, 1 << 20, 3, VMLAB_MAP_PRIVATE, &a), 0);
	CHECK_EQ(vmlab_touch(m, pid, a, 1 << 20, VMLAB_ACC_WRITE, NULL), 0);
	vmlab_destroy(m);
	cfg.ram = 3; /* impossible sizes are refused */
	CHECK_EQ(vmlab_create(&cfg, &m), -EINVAL);
	cfg.ram = 2ull << 40;
	CHECK_EQ(vmlab_create(&cfg, &m), -EINVAL);
}

static void max_map_count(void)
{
	struct vmlab *m = boot(256ull << 20);
	uint64_t a = 0;
	int pid, i, err = 0;

	vmlab_spawn(m, &pid);
	/* alternate protections so that neighbours never merge */
	for (i = 0; i < 70000; i++) {
		err = vmlab_mmap(m, pid, 0, 4096, (i & 1) ? VMLAB_PROT_READ : VMLAB_PROT_NONE,
				 VMLAB_MAP_PRIVATE, &a);
		if (err)
			break;
	}
	printf("# mmap failed after %d mappings (+1 stack VMA): %d\n", i, err);
	CHECK_EQ(err, -ENOMEM);
	CHECK_EQ(find_task(m, pid)->mm->map_count, DEFAULT_MAX_MAP_COUNT + 1);
	/* a split that would exceed the limit fails too */
	CHECK_EQ(vmlab_mprotect(m, pid, a, 4096, VMLAB_PROT_WRITE | VMLAB_PROT_READ), 0);
	vmlab_destroy(m);
}


int main(void)
{
	RUN(boot_64m);
	RUN(boot_small);
	RUN(boot_three_zones);
	RUN(boot_64g);
	RUN(watermarks);
	RUN(split_merge_every_order);
	RUN(scrambled_frees);
	RUN(pcp_batch_and_high);
	RUN(pcp_many_cpus);
	RUN(exhaust_and_return);
	RUN(zone_fallback_and_lowmem_reserve);
	RUN(watermark_ok_by_order);
	RUN(refcounts);
	RUN(explain_events);
	RUN(checker_detects_corruption);
	RUN(hot_path_speed);
	RUN(vmalloc_area);
	RUN(radix_tree);
	RUN(avl_tree);
	RUN(big_machine);
	RUN(max_map_count);
	TEST_EXIT();
}
