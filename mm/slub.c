/* mm/slub.c - slab caches and kmalloc, in simulated memory.
 *
 * Mirrors mm/slub.c and mm/slab_common.c: a kmem_cache hands out fixed-size objects carved
 * from slabs (one or more contiguous pages from the buddy allocator, order chosen as
 * calculate_order does); a free object holds the pointer to the next free one in its first
 * word (the slab's freelist); the cache keeps a current slab (Linux: per-CPU slab) and a
 * partial list; an emptied slab goes back to the page allocator once the cache has
 * min_partial partial slabs. kmalloc serves 8 B .. 8 KiB from the kmalloc-* caches (with 96
 * and 192), larger sizes straight from the page allocator (kmalloc_large).
 *
 * Simplifications: one current slab per cache (no per-CPU partial lists, no sheaves); no
 * debugging red zones; the kmem_cache structs themselves live in the "kmem_cache" cache.
 */
#include "mm/internal.h"

static const unsigned kmalloc_sizes[] = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};
static const char *const kmalloc_names[] = {"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64",
					    "kmalloc-96", "kmalloc-128", "kmalloc-192", "kmalloc-256",
					    "kmalloc-512", "kmalloc-1k", "kmalloc-2k", "kmalloc-4k",
					    "kmalloc-8k"};

static unsigned fls_u(unsigned x)
{
	unsigned r = 0;

	while (x) {
		r++;
		x >>= 1;
	}
	return r;
}

/* calculate_order: the smallest order (<= 3) that holds min_objects with waste <= 1/16. */
static void calculate_order(struct vmlab *m, struct kmem_cache *s)
{
	unsigned min_objects = 4 * (fls_u(m->cfg.nr_cpus) + 1), order;

	for (;;) {
		for (order = 0; order <= PAGE_ALLOC_COSTLY_ORDER; order++) {
			unsigned slab = (unsigned)(PAGE_SIZE << order), objs = slab / s->size;

			if (objs >= min_objects && (slab % s->size) * 16 <= slab) {
				s->order = order;
				s->objects = objs;
				return;
			}
		}
		if (min_objects <= 1)
			break;
		min_objects /= 2;
	}
	for (order = 0; order <= PAGE_ALLOC_COSTLY_ORDER; order++)
		if ((PAGE_SIZE << order) >= s->size)
			break;
	s->order = order;
	s->objects = (unsigned)((PAGE_SIZE << order) / s->size);
}

static void cache_setup(struct vmlab *m, struct kmem_cache *s, const char *name, unsigned size,
			unsigned align, unsigned flags)
{
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->object_size = size;
	s->align = align ? align : 8;
	if (size < 8)
		size = 8;
	s->size = (size + s->align - 1) & ~(s->align - 1);
	s->reclaimable = !!(flags & SLAB_RECLAIM_ACCOUNT);
	calculate_order(m, s);
	INIT_LIST_HEAD(&s->partial);
	INIT_LIST_HEAD(&s->full);
	list_add_tail(&s->list, &m->slab_caches);
}

static void slab_stat(struct vmlab *m, struct kmem_cache *s, int64_t pages)
{
	mod_node_page_state(m, s->reclaimable ? NR_SLAB_RECLAIMABLE_B : NR_SLAB_UNRECLAIMABLE_B,
			    pages * (int64_t)PAGE_SIZE);
}

/* allocate_slab: pages from the buddy allocator, the freelist threaded through them. */
static struct page *allocate_slab(struct vmlab *m, struct kmem_cache *s)
{
	struct page *p;
	uint8_t *base;
	unsigned i;

	alloc_reason(m, "a slab");
	p = alloc_pages(m, GFP_KERNEL, s->order);
	if (!p)
		return NULL;
	p->flags |= PG_slab;
	p->slab_cache = s;
	p->inuse = 0;
	p->objects = (uint16_t)s->objects;
	p->frozen = 0;
	base = page_address(m, p);
	for (i = 0; i < s->objects; i++)
		*(void **)(base + (size_t)i * s->size) =
			i + 1 < s->objects ? base + (size_t)(i + 1) * s->size : NULL;
	p->freelist = base;
	s->nr_slabs++;
	s->nr_objs += s->objects;
	slab_stat(m, s, 1 << s->order);
	return p;
}

static void discard_slab(struct vmlab *m, struct kmem_cache *s, struct page *p)
{
	s->nr_slabs--;
	s->nr_objs -= s->objects;
	slab_stat(m, s, -(1 << s->order));
	p->flags &= ~PG_slab;
	p->slab_cache = NULL;
	p->freelist = NULL;
	p->inuse = 0;
	p->objects = 0;
	p->frozen = 0;
	free_pages(m, p, s->order);
}

void *kmem_cache_alloc(struct vmlab *m, struct kmem_cache *s)
{
	struct page *p = s->cpu_slab;
	void *obj;

	if (!p || !p->freelist) {
		/* ___slab_alloc: retire the full current slab, take a partial one or a new one */
		if (p) {
			p->frozen = 0;
			list_add(&p->lru, &s->full);
		}
		if (!list_empty(&s->partial)) {
			p = list_first_entry(&s->partial, struct page, lru);
			list_del(&p->lru);
		} else {
			p = allocate_slab(m, s);
			if (!p) {
				s->cpu_slab = NULL;
				return NULL;
			}
		}
		p->frozen = 1;
		s->cpu_slab = p;
	}
	obj = p->freelist;
	p->freelist = *(void **)obj;
	p->inuse++;
	s->nr_active++;
	memset(obj, 0, s->object_size);
	return obj;
}

static unsigned min_partial(const struct kmem_cache *s)
{
	unsigned l = fls_u(s->size) / 2;

	return l < 5 ? 5 : l > 10 ? 10 : l;
}

static unsigned nr_partial(const struct kmem_cache *s)
{
	const struct list_head *pos;
	unsigned n = 0;

	for (pos = s->partial.next; pos != &s->partial; pos = pos->next)
		n++;
	return n;
}

void kmem_cache_free(struct vmlab *m, struct kmem_cache *s, void *obj)
{
	struct page *p = virt_to_page(m, obj);

	/* the head page of a higher-order slab */
	while (!(p->flags & PG_slab))
		p--;
	VM_BUG_ON(p->slab_cache != s || p->inuse == 0);
	*(void **)obj = p->freelist;
	p->freelist = obj;
	s->nr_active--;
	if (p->frozen) {
		p->inuse--;
		return;
	}
	if (p->inuse-- == p->objects) {
		/* was full: now partial */
		list_del(&p->lru);
		list_add(&p->lru, &s->partial);
	}
	if (p->inuse == 0 && nr_partial(s) > min_partial(s)) {
		list_del(&p->lru);
		discard_slab(m, s, p);
	}
}

struct kmem_cache *kmem_cache_create(struct vmlab *m, const char *name, unsigned size,
				     unsigned align, unsigned flags)
{
	struct kmem_cache *s = kmem_cache_alloc(m, m->kmem_cache);

	if (!s)
		return NULL;
	cache_setup(m, s, name, size, align, flags);
	return s;
}

void kmem_cache_destroy(struct vmlab *m, struct kmem_cache *s)
{
	struct page *p;

	VM_BUG_ON(s->nr_active != 0);
	if (s->cpu_slab)
		discard_slab(m, s, s->cpu_slab);
	while (!list_empty(&s->partial)) {
		p = list_first_entry(&s->partial, struct page, lru);
		list_del(&p->lru);
		discard_slab(m, s, p);
	}
	list_del(&s->list);
	kmem_cache_free(m, m->kmem_cache, s);
}

/* kmalloc_index: the size class for a request. */
static int kmalloc_index(size_t size)
{
	int i;

	if (size <= 8)
		return 0;
	if (size > 64 && size <= 96)
		return 4;
	if (size > 128 && size <= 192)
		return 6;
	for (i = 0; i < (int)ARRAY_SIZE(kmalloc_sizes); i++)
		if (size <= kmalloc_sizes[i] && i != 4 && i != 6)
			return i;
	return -1;
}

void *kmalloc(struct vmlab *m, size_t size)
{
	int i = kmalloc_index(size);

	if (i >= 0)
		return kmem_cache_alloc(m, m->kmalloc_caches[i]);
	if (size > (PAGE_SIZE << MAX_PAGE_ORDER))
		return NULL;
	{
		unsigned order = 0;
		struct page *p;

		while ((PAGE_SIZE << order) < size)
			order++;
		p = alloc_pages(m, GFP_KERNEL | __GFP_ZERO, order);
		if (!p)
			return NULL;
		p->flags |= PG_kernel;
		return page_address(m, p);
	}
}

void kfree(struct vmlab *m, const void *obj)
{
	struct page *p;

	if (!obj)
		return;
	p = virt_to_page(m, obj);
	if (p->flags & PG_kernel) {
		p->flags &= ~PG_kernel;
		free_pages(m, p, (p->flags & PG_head) ? p->order : 0);
		return;
	}
	while (!(p->flags & PG_slab))
		p--;
	kmem_cache_free(m, p->slab_cache, (void *)(uintptr_t)obj);
}

void slab_bytes(struct vmlab *m, uint64_t *reclaimable, uint64_t *unreclaimable)
{
	*reclaimable = (uint64_t)m->node_stat[NR_SLAB_RECLAIMABLE_B];
	*unreclaimable = (uint64_t)m->node_stat[NR_SLAB_UNRECLAIMABLE_B];
}

int kmem_cache_init(struct vmlab *m)
{
	static struct kmem_cache boot;
	struct kmem_cache *s;
	size_t i;

	/* bootstrap: a static kmem_cache allocates the real one, which then replaces it */
	memset(&boot, 0, sizeof(boot));
	INIT_LIST_HEAD(&boot.list);
	cache_setup(m, &boot, "kmem_cache", sizeof(struct kmem_cache), 64, 0);
	list_del(&boot.list);
	s = kmem_cache_alloc(m, &boot);
	if (!s)
		return -ENOMEM;
	*s = boot;
	if (s->cpu_slab)
		s->cpu_slab->slab_cache = s;
	INIT_LIST_HEAD(&s->partial);
	INIT_LIST_HEAD(&s->full);
	list_add_tail(&s->list, &m->slab_caches);
	m->kmem_cache = s;
	for (i = 0; i < ARRAY_SIZE(kmalloc_sizes); i++) {
		m->kmalloc_caches[i] = kmem_cache_create(m, kmalloc_names[i], kmalloc_sizes[i], 8, 0);
		if (!m->kmalloc_caches[i])
			return -ENOMEM;
	}
	m->task_cachep = kmem_cache_create(m, "task_struct", sizeof(struct task_struct), 64, 0);
	m->mm_cachep = kmem_cache_create(m, "mm_struct", sizeof(struct mm_struct), 64, 0);
	m->vma_cachep = kmem_cache_create(m, "vm_area_struct", sizeof(struct vm_area_struct), 8, 0);
	m->anon_vma_cachep = kmem_cache_create(m, "anon_vma", sizeof(struct anon_vma), 8, 0);
	m->anon_vma_chain_cachep =
		kmem_cache_create(m, "anon_vma_chain", sizeof(struct anon_vma_chain), 8, 0);
	m->xa_node_cachep = kmem_cache_create(m, "radix_tree_node", sizeof(struct xa_node), 8,
					      SLAB_RECLAIM_ACCOUNT);
	m->file_cachep = kmem_cache_create(m, "filp", sizeof(struct file), 64, 0);
	m->inode_cachep = kmem_cache_create(m, "shmem_inode_cache",
					    sizeof(struct inode) + sizeof(struct address_space), 8,
					    SLAB_RECLAIM_ACCOUNT);
	m->mapping_cachep = NULL;
	if (!m->task_cachep || !m->mm_cachep || !m->vma_cachep || !m->anon_vma_cachep ||
	    !m->anon_vma_chain_cachep || !m->xa_node_cachep || !m->file_cachep || !m->inode_cachep)
		return -ENOMEM;
	return 0;
}

int check_slab(struct vmlab *m, char *err, size_t n)
{
	struct list_head *pos;

	list_for_each(pos, &m->slab_caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);
		struct list_head *lists[2] = {&s->partial, &s->full};
		uint64_t slabs = 0, active = 0;
		int l;

		for (l = 0; l < 3; l++) {
			struct list_head *q;
			struct page *one = NULL;

			if (l < 2) {
				q = lists[l]->next;
			} else {
				one = s->cpu_slab;
				q = NULL;
			}
			for (;;) {
				struct page *p;
				unsigned free = 0;
				uint8_t *base, *o;

				if (l < 2) {
					if (q == lists[l])
						break;
					p = list_entry(q, struct page, lru);
					q = q->next;
				} else {
					if (!one)
						break;
					p = one;
					one = NULL;
				}
				base = page_address(m, p);
				for (o = p->freelist; o; o = *(uint8_t **)o) {
					if (o < base || o >= base + ((size_t)PAGE_SIZE << s->order) ||
					    (size_t)(o - base) % s->size || ++free > s->objects) {
						snprintf(err, n, "check_slab: %s: corrupt freelist", s->name);
						return -EFAULT;
					}
				}
				if (!(p->flags & PG_slab) || p->slab_cache != s ||
				    p->inuse + free != p->objects || (l == 1 && p->inuse != p->objects) ||
				    (l == 0 && p->inuse == p->objects) || (l == 2) != (p->frozen == 1)) {
					snprintf(err, n, "check_slab: %s: slab counts inconsistent", s->name);
					return -EFAULT;
				}
				slabs++;
				active += p->inuse;
			}
		}
		if (slabs != s->nr_slabs || active != s->nr_active || s->nr_objs != slabs * s->objects) {
			snprintf(err, n, "check_slab: %s: %llu slabs %llu active, counters %llu %llu", s->name,
				 (unsigned long long)slabs, (unsigned long long)active,
				 (unsigned long long)s->nr_slabs, (unsigned long long)s->nr_active);
			return -EFAULT;
		}
	}
	return 0;
}
