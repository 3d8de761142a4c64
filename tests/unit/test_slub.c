/* tests/unit/test_slub.c - tests of mm/slub.c: the bootstrap, cache geometry as Linux's
 * calculate_order gives it, kmalloc size classes and kmalloc_large, many objects in several
 * caches, min_partial, slab accounting in bytes, destroy, and the checker.
 *
 * The machine is built by hand (RAM and mem_map mmap'd MAP_NORESERVE) with only
 * page_alloc_init and kmem_cache_init run. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mm/internal.h"
#include "mm/policy/policy.h"
#include "test.h"

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
	CHECK_EQ(page_alloc_init(m), 0);
	CHECK_EQ(kmem_cache_init(m), 0);
	return m;
}

static void machine_free(struct vmlab *m)
{
	munmap(m->ram, m->ram_bytes);
	munmap(m->mem_map, m->mem_map_bytes);
	free(m);
}

static int checked(struct vmlab *m)
{
	char err[256] = "";
	int r = check_slab(m, err, sizeof(err));

	if (!r)
		r = check_page_alloc(m, err, sizeof(err));
	if (r)
		printf("# %s\n", err);
	return r;
}

static struct kmem_cache *find_cache(struct vmlab *m, const char *name)
{
	struct list_head *pos;

	list_for_each(pos, &m->slab_caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		if (!strcmp(s->name, name))
			return s;
	}
	return NULL;
}

static struct page *slab_of(struct vmlab *m, const void *obj)
{
	struct page *p = virt_to_page(m, obj);

	while (!(p->flags & PG_slab))
		p--;
	return p;
}

/* The kmem_cache struct of "kmem_cache" is an object of its own first slab. */
static void bootstrap(void)
{
	struct vmlab *m = machine(64ull << 20, 1);
	struct kmem_cache *kc = m->kmem_cache;
	struct list_head *pos;
	int n = 0;

	CHECK(kc != NULL && !strcmp(kc->name, "kmem_cache"));
	CHECK(slab_of(m, kc)->slab_cache == kc);
	list_for_each(pos, &m->slab_caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		CHECK(slab_of(m, s)->slab_cache == kc); /* every cache struct lives in kmem_cache */
		n++;
	}
	CHECK_EQ(kc->nr_active, (uint64_t)n);
	CHECK(list_first_entry(&m->slab_caches, struct kmem_cache, list) == kc);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

/* calculate_order by hand: min_objects = 4 * (fls(nr_cpus) + 1); order from
 * get_order(min_objects * size) up while the leftover exceeds slab/16; at most order 3. */
static void kmalloc_geometry(void)
{
	static const struct {
		const char *name;
		unsigned size, order1, objects1, order4, objects4;
	} want[] = {
		/* nr_cpus 1: min_objects 8; nr_cpus 4: 16 */
		{"kmalloc-8", 8, 0, 512, 0, 512},       {"kmalloc-16", 16, 0, 256, 0, 256},
		{"kmalloc-32", 32, 0, 128, 0, 128},     {"kmalloc-64", 64, 0, 64, 0, 64},
		{"kmalloc-96", 96, 0, 42, 0, 42},       {"kmalloc-128", 128, 0, 32, 0, 32},
		{"kmalloc-192", 192, 0, 21, 0, 21},     {"kmalloc-256", 256, 0, 16, 0, 16},
		{"kmalloc-512", 512, 0, 8, 1, 16},      {"kmalloc-1k", 1024, 1, 8, 2, 16},
		{"kmalloc-2k", 2048, 2, 8, 3, 16},      {"kmalloc-4k", 4096, 3, 8, 3, 8},
		{"kmalloc-8k", 8192, 3, 4, 3, 4},
	};
	struct vmlab *m1 = machine(64ull << 20, 1), *m4 = machine(64ull << 20, 4);
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct kmem_cache *a = m1->kmalloc_caches[i], *b = m4->kmalloc_caches[i];

		CHECK(!strcmp(a->name, want[i].name));
		CHECK(find_cache(m1, want[i].name) == a);
		CHECK_EQ(a->size, want[i].size);
		CHECK_EQ(a->object_size, want[i].size);
		CHECK_EQ(a->order, want[i].order1);
		CHECK_EQ(a->objects, want[i].objects1);
		CHECK_EQ(b->order, want[i].order4);
		CHECK_EQ(b->objects, want[i].objects4);
	}
	/* the named caches */
	CHECK_EQ(m1->task_cachep->object_size, sizeof(struct task_struct));
	CHECK(!strcmp(m1->task_cachep->name, "task_struct"));
	CHECK(!strcmp(m1->mm_cachep->name, "mm_struct"));
	CHECK_EQ(m1->mm_cachep->size % 64, 0);
	CHECK(!strcmp(m1->vma_cachep->name, "vm_area_struct"));
	CHECK_EQ(m1->vma_cachep->object_size, sizeof(struct vm_area_struct));
	CHECK(!strcmp(m1->anon_vma_cachep->name, "anon_vma") && !m1->anon_vma_cachep->reclaimable);
	CHECK(!strcmp(m1->anon_vma_chain_cachep->name, "anon_vma_chain"));
	CHECK(!strcmp(m1->xa_node_cachep->name, "radix_tree_node") && m1->xa_node_cachep->reclaimable);
	CHECK_EQ(m1->xa_node_cachep->object_size, sizeof(struct xa_node));
	CHECK(!strcmp(m1->file_cachep->name, "filp"));
	CHECK(!strcmp(m1->inode_cachep->name, "shmem_inode_cache"));
	CHECK_EQ(m1->inode_cachep->object_size, shmem_inode_size());
	CHECK(m1->mapping_cachep == NULL);
	{
		struct list_head *pos;

		list_for_each(pos, &m1->slab_caches) {
			struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);
			unsigned slab = (unsigned)(PAGE_SIZE << s->order);

			CHECK(s->order <= PAGE_ALLOC_COSTLY_ORDER);
			CHECK_EQ(s->objects, slab / s->size);
			CHECK(s->size >= s->object_size && s->size % s->align == 0);
			printf("# %-18s size %5u order %u objects %4u waste %u\n", s->name, s->size,
			       s->order, s->objects, slab % s->size);
		}
	}
	machine_free(m1);
	machine_free(m4);
}

static void kmalloc_classes(void)
{
	static const struct {
		size_t size;
		unsigned cls;
	} classes[] = {{0, 8},     {1, 8},     {8, 8},     {9, 16},    {16, 16},  {17, 32},
		       {64, 64},   {65, 96},   {96, 96},   {97, 128},  {128, 128}, {129, 192},
		       {192, 192}, {193, 256}, {256, 256}, {257, 512}, {1000, 1024}, {4097, 8192},
		       {8192, 8192}};
	struct vmlab *m = machine(64ull << 20, 1);
	size_t i;

	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		uint8_t *p = kmalloc(m, classes[i].size);
		struct page *pg;

		CHECK(p != NULL);
		if (!p)
			continue;
		pg = slab_of(m, p);
		CHECK_EQ(pg->slab_cache->size, classes[i].cls);
		CHECK_EQ(((uintptr_t)p - (uintptr_t)page_address(m, pg)) % classes[i].cls, 0);
		if (!(classes[i].cls & (classes[i].cls - 1)))
			CHECK_EQ((uintptr_t)(p - m->ram) % classes[i].cls, 0); /* natural alignment */
		memset(p, 0x5a, classes[i].cls);
		kfree(m, p);
		p = kmalloc(m, classes[i].size); /* the same object again, zeroed */
		CHECK_EQ(p[0] | p[classes[i].cls - 1], 0);
		kfree(m, p);
	}
	kfree(m, NULL);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

static void kmalloc_large(void)
{
	struct vmlab *m = machine(64ull << 20, 1);
	uint64_t free0, slab0 = (uint64_t)m->node_stat[NR_SLAB_UNRECLAIMABLE_B];
	uint8_t *big, *huge;
	struct page *p;
	size_t i;
	uint8_t all = 0;

	drain_all_pages(m);
	free0 = global_free_pages(m);
	big = kmalloc(m, 100000); /* order 5 */
	CHECK(big != NULL);
	p = virt_to_page(m, big);
	CHECK_EQ(p->flags, PG_kernel | PG_head);
	CHECK_EQ(p->order, 5);
	for (i = 0; i < 100000; i++)
		all |= big[i];
	CHECK_EQ(all, 0);
	CHECK_EQ(m->node_stat[NR_SLAB_UNRECLAIMABLE_B], slab0); /* not in Slab */
	kfree(m, big);
	p = virt_to_page(m, kmalloc(m, 8193)); /* order 2 */
	CHECK_EQ(p->order, 2);
	kfree(m, page_address(m, p));
	huge = kmalloc(m, 4u << 20); /* KMALLOC_MAX_SIZE: order 10 */
	CHECK(huge != NULL);
	kfree(m, huge);
	CHECK(kmalloc(m, (4u << 20) + 1) == NULL);
	drain_all_pages(m);
	CHECK_EQ(global_free_pages(m), free0);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

/* Many objects of several caches, allocated and freed in a pseudo-random interleaving. */
static void many_objects(void)
{
	enum { N = 20000 };
	struct vmlab *m = machine(256ull << 20, 1);
	struct kmem_cache *c[4];
	static void *obj[N];
	static int which[N];
	uint64_t r = 42, live = 0, slabs0[4];
	int i, k;

	c[0] = m->vma_cachep;
	c[1] = m->anon_vma_chain_cachep;
	c[2] = m->xa_node_cachep;
	c[3] = kmem_cache_create(m, "test_200", 200, 0, 0);
	CHECK(c[3] != NULL);
	CHECK_EQ(c[3]->size, 200);
	for (k = 0; k < 4; k++)
		slabs0[k] = c[k]->nr_slabs;
	for (i = 0; i < N; i++) {
		which[i] = i % 4;
		obj[i] = kmem_cache_alloc(m, c[which[i]]);
		CHECK(obj[i] != NULL);
		memset(obj[i], i & 0xff, c[which[i]]->object_size);
		live++;
		if (i % 3 == 2) { /* free one at random */
			int j;

			r = r * 6364136223846793005ull + 1442695040888963407ull;
			j = (int)((r >> 33) % (uint64_t)(i + 1));
			if (obj[j]) {
				kmem_cache_free(m, c[which[j]], obj[j]);
				obj[j] = NULL;
				live--;
			}
		}
		if (i % 2000 == 0)
			CHECK_EQ(checked(m), 0);
	}
	CHECK_EQ(c[0]->nr_active + c[1]->nr_active + c[2]->nr_active + c[3]->nr_active, live);
	CHECK_EQ(checked(m), 0);
	for (i = 0; i < N; i++) /* the rest, through kfree */
		if (obj[i])
			kfree(m, obj[i]);
	for (k = 0; k < 4; k++) {
		CHECK_EQ(c[k]->nr_active, 0);
		/* what is left: the current slab and at most min_partial empty ones */
		CHECK(c[k]->nr_slabs <= 1 + 10);
		CHECK(c[k]->nr_slabs >= slabs0[k]);
	}
	CHECK_EQ(checked(m), 0);
	kmem_cache_destroy(m, c[3]);
	CHECK(find_cache(m, "test_200") == NULL);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

/* Emptied slabs stay on the partial list while fewer than min_partial (5 for size 256) are
 * there, then go back to the page allocator. */
static void min_partial_and_accounting(void)
{
	struct vmlab *m = machine(64ull << 20, 1);
	struct kmem_cache *s = kmem_cache_create(m, "test_256", 256, 0, 0), *r;
	int64_t un0 = m->node_stat[NR_SLAB_UNRECLAIMABLE_B], re0 = m->node_stat[NR_SLAB_RECLAIMABLE_B];
	void *o[16 * 20];
	uint64_t free0;
	int i;

	CHECK_EQ(s->objects, 16);
	CHECK_EQ(s->order, 0);
	for (i = 0; i < 16 * 20; i++)
		o[i] = kmem_cache_alloc(m, s);
	CHECK_EQ(s->nr_slabs, 20);
	CHECK_EQ(s->nr_objs, 320);
	CHECK_EQ(s->nr_active, 320);
	CHECK_EQ(m->node_stat[NR_SLAB_UNRECLAIMABLE_B], un0 + 20 * 4096);
	CHECK_EQ(checked(m), 0);
	for (i = 0; i < 16 * 20; i++)
		kmem_cache_free(m, s, o[i]);
	/* __slab_free discards an emptied slab when nr_partial (itself included) >= min_partial:
	 * slabs 0..3 stay empty on the partial list, 4..18 go back, 19 is the current slab */
	CHECK_EQ(s->nr_slabs, 5);
	CHECK_EQ(s->nr_active, 0);
	CHECK_EQ(m->node_stat[NR_SLAB_UNRECLAIMABLE_B], un0 + 5 * 4096);
	CHECK_EQ(checked(m), 0);
	drain_all_pages(m);
	free0 = global_free_pages(m);
	kmem_cache_destroy(m, s);
	drain_all_pages(m);
	CHECK_EQ(global_free_pages(m), free0 + 5);
	CHECK_EQ(m->node_stat[NR_SLAB_UNRECLAIMABLE_B], un0);
	/* reclaimable caches count in NR_SLAB_RECLAIMABLE_B */
	r = kmem_cache_create(m, "test_rcl", 1000, 0, SLAB_RECLAIM_ACCOUNT);
	o[0] = kmem_cache_alloc(m, r);
	CHECK_EQ(m->node_stat[NR_SLAB_RECLAIMABLE_B], re0 + (int64_t)(PAGE_SIZE << r->order));
	kmem_cache_free(m, r, o[0]);
	kmem_cache_destroy(m, r);
	CHECK_EQ(m->node_stat[NR_SLAB_RECLAIMABLE_B], re0);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

/* Allocation failure: a cache on a machine whose memory is gone returns NULL and stays sane. */
static void out_of_memory_slab(void)
{
	struct vmlab *m = machine(16ull << 20, 1);
	struct kmem_cache *s = kmem_cache_create(m, "test_4k", 4096, 0, 0);
	static void *o[8192];
	int n = 0;

	while (n < 8192 && (o[n] = kmem_cache_alloc(m, s)) != NULL)
		n++;
	printf("# 16 MiB machine: %d objects of 4 KiB before NULL\n", n);
	CHECK(n > 0 && n < 8192);
	CHECK_EQ(checked(m), 0);
	while (n)
		kmem_cache_free(m, s, o[--n]);
	kmem_cache_destroy(m, s);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

static void checker_detects_corruption(void)
{
	struct vmlab *m = machine(64ull << 20, 1);
	struct kmem_cache *s = m->kmalloc_caches[3];
	void *a = kmalloc(m, 64), *b = kmalloc(m, 64);
	struct page *p = slab_of(m, a);
	void *saved;
	char err[256];

	CHECK_EQ(checked(m), 0);
	s->nr_active++;
	CHECK_EQ(check_slab(m, err, sizeof(err)), -EFAULT);
	CHECK(!strncmp(err, "check_slab: ", 12));
	s->nr_active--;
	saved = p->freelist; /* a freelist pointing outside the slab */
	*(void **)saved = m->ram;
	CHECK_EQ(check_slab(m, err, sizeof(err)), -EFAULT);
	*(void **)saved = (uint8_t *)saved + 64;
	CHECK_EQ(checked(m), 0);
	*(void **)saved = saved; /* a loop */
	CHECK_EQ(check_slab(m, err, sizeof(err)), -EFAULT);
	*(void **)saved = (uint8_t *)saved + 64;
	p->inuse++;
	CHECK_EQ(check_slab(m, err, sizeof(err)), -EFAULT);
	p->inuse--;
	m->node_stat[NR_SLAB_RECLAIMABLE_B] += 4096;
	CHECK_EQ(check_slab(m, err, sizeof(err)), -EFAULT);
	m->node_stat[NR_SLAB_RECLAIMABLE_B] -= 4096;
	CHECK_EQ(checked(m), 0);
	kfree(m, a);
	kfree(m, b);
	CHECK_EQ(checked(m), 0);
	machine_free(m);
}

int main(void)
{
	RUN(bootstrap);
	RUN(kmalloc_geometry);
	RUN(kmalloc_classes);
	RUN(kmalloc_large);
	RUN(many_objects);
	RUN(min_partial_and_accounting);
	RUN(out_of_memory_slab);
	RUN(checker_detects_corruption);
	TEST_EXIT();
}
