/* tests/unit/test_page_alloc.c - zones, buddy split/merge at every order, watermarks, pcp,
 * slab and kmalloc, vmalloc, the radix tree and the AVL tree, big machines, max_map_count. */
#include <stdlib.h>
#include <string.h>

#include "mm/internal.h"
#include "test.h"

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

static void snapshot(struct vmlab *m, uint64_t out[MAX_NR_ZONES][NR_PAGE_ORDERS])
{
	int z, o;

	for (z = 0; z < MAX_NR_ZONES; z++)
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			out[z][o] = m->zones[z].free_area[o].nr_free;
}

static void zones_and_reserve(void)
{
	struct vmlab *m = boot(64ull << 20);
	char err[256];

	CHECK_EQ(m->nr_zones, 2); /* DMA and DMA32 on 64 MiB */
	CHECK_EQ(m->zones[ZONE_DMA].present_pages, 4096);
	CHECK_EQ(m->zones[ZONE_DMA32].present_pages, 16384 - 4096);
	CHECK_EQ(m->zones[ZONE_NORMAL].present_pages, 0);
	CHECK_EQ(m->reserved_pages, 256 + 512);
	CHECK_EQ(m->totalram_pages, 16384 - 768);
	CHECK_EQ(m->kernel_start_pfn, 4096); /* 16 MiB */
	CHECK(pfn_to_page(m, 0)->flags & PG_reserved);
	CHECK(pfn_to_page(m, m->zero_pfn)->flags & PG_reserved);
	CHECK_EQ(check_page_alloc(m, err, sizeof(err)), 0);
	vmlab_destroy(m);
	m = boot(8ull << 30);
	CHECK_EQ(m->nr_zones, 3);
	CHECK_EQ(m->zones[ZONE_NORMAL].zone_start_pfn, 1ull << 20);
	CHECK_EQ(m->zones[ZONE_NORMAL].present_pages, (8ull << 18) - (1ull << 20));
	vmlab_destroy(m);
}

static void watermarks(void)
{
	struct vmlab *m = boot(1ull << 30);
	uint64_t total = m->totalram_pages, min_kb = 0, x = total * 4 * 16, r = 0, pages_min;
	int z;

	/* int_sqrt by bisection, independently of the allocator's */
	for (r = 0; (r + 1) * (r + 1) <= x; r++)
		;
	min_kb = r < 128 ? 128 : r;
	CHECK_EQ(m->min_free_kbytes, min_kb);
	pages_min = min_kb / 4;
	for (z = 0; z < m->nr_zones; z++) {
		struct zone *zn = &m->zones[z];
		uint64_t tmp = pages_min * zn->managed_pages / total;
		uint64_t delta = tmp / 4 > zn->managed_pages * 10 / 10000 ? tmp / 4 : zn->managed_pages * 10 / 10000;

		CHECK_EQ(zn->_watermark[WMARK_MIN], tmp);
		CHECK_EQ(zn->_watermark[WMARK_LOW], tmp + delta);
		CHECK_EQ(zn->_watermark[WMARK_HIGH], tmp + 2 * delta);
		printf("# %s: managed %llu min %llu low %llu high %llu batch %d high %d\n", zn->name,
		       (unsigned long long)zn->managed_pages, (unsigned long long)zn->_watermark[0],
		       (unsigned long long)zn->_watermark[1], (unsigned long long)zn->_watermark[2],
		       zn->pcp[0].batch, zn->pcp[0].high);
	}
	/* lowmem_reserve: DMA keeps DMA32's managed/256 back from DMA32 allocations */
	CHECK_EQ(m->zones[ZONE_DMA].lowmem_reserve[ZONE_DMA32], (int64_t)(m->zones[ZONE_DMA32].managed_pages / 256));
	CHECK_EQ(m->zones[ZONE_DMA32].pcp[0].batch, 63); /* zones of >= 1 GiB... of about 1 GiB */
	vmlab_destroy(m);
}

static void split_merge_every_order(void)
{
	struct vmlab *m = boot(64ull << 20);
	uint64_t before[MAX_NR_ZONES][NR_PAGE_ORDERS], after[MAX_NR_ZONES][NR_PAGE_ORDERS];
	unsigned order;
	char err[256];

	drain_all_pages(m);
	snapshot(m, before);
	for (order = 0; order <= MAX_PAGE_ORDER; order++) {
		struct page *p = alloc_pages(m, GFP_KERNEL | __GFP_DMA32, order);
		uint64_t pfn;

		CHECK(p != NULL);
		if (!p)
			continue;
		pfn = page_to_pfn(m, p);
		CHECK_EQ(pfn & ((1ull << order) - 1), 0); /* naturally aligned */
		CHECK_EQ(check_page_alloc(m, err, sizeof(err)), 0);
		free_pages(m, p, order);
		drain_all_pages(m);
		snapshot(m, after);
		CHECK(!memcmp(before, after, sizeof(before))); /* merged back exactly */
	}
	/* an order-0 allocation from a pristine order-10 block splits one block of each order */
	{
		struct page *p;
		int o;

		snapshot(m, before);
		m->zones[ZONE_DMA32].pcp[0].batch = 1; /* take exactly one page from the buddy */
		p = alloc_pages(m, GFP_KERNEL | __GFP_DMA32, 0);
		snapshot(m, after);
		if (before[ZONE_DMA32][0] == 0 && before[ZONE_DMA32][1] == 0) {
			for (o = 0; o < MAX_PAGE_ORDER; o++)
				CHECK_EQ(after[ZONE_DMA32][o], before[ZONE_DMA32][o] + 1);
		}
		free_pages(m, p, 0);
		drain_all_pages(m);
	}
	CHECK_EQ(check_page_alloc(m, err, sizeof(err)), 0);
	vmlab_destroy(m);
}

static void exhaust_and_return(void)
{
	struct vmlab *m = boot(16ull << 20);
	struct page **pages = malloc(sizeof(*pages) * 8192);
	uint64_t before[MAX_NR_ZONES][NR_PAGE_ORDERS], after[MAX_NR_ZONES][NR_PAGE_ORDERS];
	uint64_t n = 0, free0;
	char err[256];

	drain_all_pages(m);
	snapshot(m, before);
	free0 = global_free_pages(m);
	while (n < 8192 && (pages[n] = alloc_pages(m, GFP_KERNEL | __GFP_ZERO, 0)) != NULL) {
		uint8_t *b = page_address(m, pages[n]);

		CHECK(b[0] == 0 && b[4095] == 0);
		memset(b, 0xaa, 4096);
		n++;
	}
	printf("# allocated %llu pages of %llu free\n", (unsigned long long)n, (unsigned long long)free0);
	CHECK(n >= free0);
	CHECK_EQ(global_free_pages(m), 0);
	while (n)
		free_pages(m, pages[--n], 0);
	drain_all_pages(m);
	snapshot(m, after);
	CHECK(!memcmp(before, after, sizeof(before)));
	CHECK_EQ(check_page_alloc(m, err, sizeof(err)), 0);
	free(pages);
	vmlab_destroy(m);
}

static void slab_and_kmalloc(void)
{
	struct vmlab *m = boot(64ull << 20);
	struct kmem_cache *c = kmem_cache_create(m, "test_obj", 200, 8, 0);
	void *objs[1000];
	char err[256];
	static const struct {
		size_t size;
		unsigned cls;
	} classes[] = {{1, 8},    {8, 8},     {9, 16},    {64, 64},    {65, 96},  {96, 96},
		       {97, 128}, {128, 128}, {129, 192}, {192, 192},  {193, 256}, {8192, 8192}};
	int i;

	CHECK(c != NULL);
	CHECK_EQ(c->size, 200);
	for (i = 0; i < 1000; i++) {
		objs[i] = kmem_cache_alloc(m, c);
		CHECK(objs[i] != NULL);
		memset(objs[i], i & 0xff, 200);
	}
	CHECK_EQ(c->nr_active, 1000);
	CHECK(c->nr_slabs >= 1000 / c->objects);
	CHECK_EQ(check_slab(m, err, sizeof(err)), 0);
	for (i = 0; i < 1000; i += 2)
		kmem_cache_free(m, c, objs[i]);
	CHECK_EQ(check_slab(m, err, sizeof(err)), 0);
	for (i = 1; i < 1000; i += 2)
		kmem_cache_free(m, c, objs[i]);
	CHECK_EQ(c->nr_active, 0);
	CHECK_EQ(check_slab(m, err, sizeof(err)), 0);
	kmem_cache_destroy(m, c);
	for (i = 0; i < (int)(sizeof(classes) / sizeof(classes[0])); i++) {
		void *p = kmalloc(m, classes[i].size);
		struct page *pg = virt_to_page(m, p);

		while (!(pg->flags & PG_slab))
			pg--;
		CHECK_EQ(pg->slab_cache->size, classes[i].cls);
		kfree(m, p);
	}
	{
		void *big = kmalloc(m, 100000); /* order 5 from the page allocator */

		CHECK(big != NULL && (virt_to_page(m, big)->flags & PG_kernel));
		kfree(m, big);
	}
	/* corruption is detected */
	m->kmalloc_caches[0]->nr_active++;
	CHECK(check_slab(m, err, sizeof(err)) != 0);
	m->kmalloc_caches[0]->nr_active--;
	vmlab_destroy(m);
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
	RUN(zones_and_reserve);
	RUN(watermarks);
	RUN(split_merge_every_order);
	RUN(exhaust_and_return);
	RUN(slab_and_kmalloc);
	RUN(vmalloc_area);
	RUN(radix_tree);
	RUN(avl_tree);
	RUN(big_machine);
	RUN(max_map_count);
	TEST_EXIT();
}
