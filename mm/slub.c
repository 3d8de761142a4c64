/* mm/slub.c - slab caches and kmalloc, in simulated memory.
 *
 * Mirrors mm/slub.c and mm/slab_common.c:
 *   kmem_cache_init      bootstraps the "kmem_cache" cache (whose objects are the kmem_cache
 *                        structs, its own included), then create_kmalloc_caches (kmalloc-8 ..
 *                        kmalloc-8k with 96 and 192) and the caches the rest of vmlab uses.
 *   kmem_cache_create    calculate_sizes + calculate_order (slab order and objects per slab).
 *   kmem_cache_alloc     slab_alloc: the current slab's freelist, else ___slab_alloc (a partial
 *                        slab, else allocate_slab from the page allocator).
 *   kmem_cache_free      __slab_free: back on its slab's freelist; a full slab becomes
 *                        partial, an empty one is discarded once min_partial are kept.
 *   kmalloc / kfree      kmalloc_index size classes; kmalloc_large above 8 KiB.
 *   check_slab           every slab's freelist and counters (vmlab's; Linux: validate_slab).
 *
 * A slab is 2^order contiguous frames; its head struct page carries PG_slab and the slab
 * fields (Linux: struct slab overlays struct page). A free object holds the address of the
 * next free object of its slab in its first 8 bytes (Linux: at s->offset, hardened/XORed).
 *
 * Slab states (check_slab proves them):
 *                 allocate_slab            object freed (was full)
 *   (pages) -----------------> cpu_slab -----------------------> full ----------> partial
 *      ^ discard_slab          (frozen)   full: ___slab_alloc        __slab_free      |
 *      |                          ^                                                   |
 *      |                          +--------- ___slab_alloc takes the first -----------+
 *      +-------- __slab_free: empty and the cache keeps min_partial partial slabs ----+
 *
 * Simplifications (each also labelled where it is made):
 *  - Linux has a current slab per CPU with a lockless freelist, per-CPU partial lists and (6.18+)
 *    sheaves, and per-node partial lists; vmlab has one current slab per cache and one
 *    partial list, because every simulated access runs on one CPU of one node.
 *  - No debugging metadata (red zones, poisoning, owner tracking, freelist hardening).
 */
#include "mm/internal.h"

#define KMALLOC_MIN_SIZE 8u
#define KMALLOC_MAX_CACHE_SIZE 8192u                            /* 2 * PAGE_SIZE */
#define KMALLOC_MAX_SIZE ((size_t)PAGE_SIZE << MAX_PAGE_ORDER)  /* 4 MiB */
#define SLUB_MAX_ORDER PAGE_ALLOC_COSTLY_ORDER                  /* slub_max_order default */
#define MIN_PARTIAL 5u
#define MAX_PARTIAL 10u
#define ARCH_SLAB_MINALIGN 8u
#define L1_CACHE_BYTES 64u

static const unsigned kmalloc_sizes[] = {8, 16, 32, 64, 96, 128, 192, 256,
					 512, 1024, 2048, 4096, 8192};
static const char *const kmalloc_names[] = {"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64",
					    "kmalloc-96", "kmalloc-128", "kmalloc-192", "kmalloc-256",
					    "kmalloc-512", "kmalloc-1k", "kmalloc-2k", "kmalloc-4k",
					    "kmalloc-8k"};
_Static_assert(ARRAY_SIZE(kmalloc_sizes) == ARRAY_SIZE(kmalloc_names), "kmalloc tables");
_Static_assert(ARRAY_SIZE(kmalloc_sizes) <= ARRAY_SIZE(((struct vmlab *)0)->kmalloc_caches),
	       "m->kmalloc_caches too small");

/* kmalloc_size_index: the class of sizes 1..192, by (size - 1) / 8 (mm/slab_common.c's
 * size_index[]: 65..96 -> kmalloc-96, 129..192 -> kmalloc-192). */
static const uint8_t kmalloc_size_index[24] = {0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
					       5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6};

static unsigned fls_u(uint64_t x) /* fls: 1-based index of the highest set bit, 0 for 0 */
{
	return x ? 64u - (unsigned)__builtin_clzll(x) : 0;
}

static unsigned get_order(uint64_t size) /* smallest order with PAGE_SIZE << order >= size */
{
	return size <= PAGE_SIZE ? 0 : fls_u((size - 1) >> PAGE_SHIFT);
}

static inline size_t slab_bytes_of(const struct kmem_cache *s)
{
	return (size_t)PAGE_SIZE << s->order;
}

/* ---- cache geometry ------------------------------------------------------------------------ */

/* calc_slab_order: the smallest order from min_order whose leftover is at most 1/fraction of
 * the slab; max_order + 1 when none is. */
static unsigned calc_slab_order(unsigned size, unsigned min_order, unsigned max_order,
				unsigned fraction)
{
	unsigned order;

	for (order = min_order; order <= max_order; order++) {
		unsigned slab = (unsigned)(PAGE_SIZE << order);

		if (slab % size <= slab / fraction)
			break;
	}
	return order;
}

/* calculate_order (Linux 6.8+): room for min_objects = 4 * (fls(nr_cpus) + 1) objects (fewer
 * if even an order-3 slab cannot hold them), then the smallest order up to 3 that wastes at
 * most 1/16 of the slab, accepting 1/8, 1/4, 1/2 if none does; get_order(size) for objects
 * too big for an order-3 slab. */
static void calculate_order(struct vmlab *m, struct kmem_cache *s)
{
	unsigned min_objects = 4 * (fls_u(m->cfg.nr_cpus) + 1);
	unsigned max_objects = (unsigned)((PAGE_SIZE << SLUB_MAX_ORDER) / s->size);
	unsigned min_order, order = SLUB_MAX_ORDER + 1, fraction;

	min_objects = MAX(MIN(min_objects, max_objects), 1u);
	min_order = get_order((uint64_t)min_objects * s->size);
	for (fraction = 16; fraction > 1 && order > SLUB_MAX_ORDER; fraction /= 2)
		order = calc_slab_order(s->size, min_order, SLUB_MAX_ORDER, fraction);
	if (order > SLUB_MAX_ORDER)
		order = get_order(s->size);
	s->order = order;
	s->objects = (unsigned)((PAGE_SIZE << order) / s->size);
}

/* min_partial: empty slabs a cache keeps on its partial list, clamp(ilog2(size) / 2, 5, 10). */
static unsigned min_partial(const struct kmem_cache *s)
{
	unsigned l = (fls_u(s->size) - 1) / 2;

	return l < MIN_PARTIAL ? MIN_PARTIAL : l > MAX_PARTIAL ? MAX_PARTIAL : l;
}

/* calculate_sizes + calculate_order for a new cache; links it on m->slab_caches. */
static void cache_setup(struct vmlab *m, struct kmem_cache *s, const char *name, unsigned size,
			unsigned align, unsigned flags)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->object_size = size;
	s->align = MAX(align, ARCH_SLAB_MINALIGN);
	/* room for the free pointer (Linux may place it after the object instead) */
	size = MAX(size, (unsigned)sizeof(void *));
	s->size = (size + s->align - 1) & ~(s->align - 1);
	s->reclaimable = !!(flags & SLAB_RECLAIM_ACCOUNT);
	calculate_order(m, s);
	INIT_LIST_HEAD(&s->partial);
	INIT_LIST_HEAD(&s->full);
	list_add_tail(&s->list, &m->slab_caches);
}

/* ---- slabs ----------------------------------------------------------------------------------- */

/* NR_SLAB_{RECLAIMABLE,UNRECLAIMABLE}_B count the bytes of slab pages (Linux 5.9+). */
static void account_slab(struct vmlab *m, const struct kmem_cache *s, int sign)
{
	mod_node_page_state(m, s->reclaimable ? NR_SLAB_RECLAIMABLE_B : NR_SLAB_UNRECLAIMABLE_B,
			    sign * (int64_t)slab_bytes_of(s));
}

/* allocate_slab: 2^order frames from the page allocator, the freelist threaded through all
 * objects in address order. NULL when the page allocator has nothing. */
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
	for (i = 0; i + 1 < s->objects; i++)
		*(void **)(base + (size_t)i * s->size) = base + (size_t)(i + 1) * s->size;
	*(void **)(base + (size_t)i * s->size) = NULL;
	p->freelist = base;
	s->nr_slabs++;
	s->nr_objs += s->objects;
	account_slab(m, s, 1);
	return p;
}

/* discard_slab: the slab (off every list, no object in use) back to the page allocator. */
static void discard_slab(struct vmlab *m, struct kmem_cache *s, struct page *p)
{
	VM_BUG_ON(p->inuse != 0);
	s->nr_slabs--;
	s->nr_objs -= s->objects;
	account_slab(m, s, -1);
	p->flags &= ~PG_slab;
	p->slab_cache = NULL;
	p->freelist = NULL;
	p->objects = 0;
	p->frozen = 0;
	free_pages(m, p, s->order);
}

/* The head page of the slab holding obj: slab pages other than the head are not marked
 * (Linux: compound_head), so step back at most 2^order - 1 frames. */
static struct page *obj_to_slab(struct vmlab *m, const void *obj)
{
	uint64_t pfn = virt_to_pfn(m, obj);
	struct page *p;
	unsigned i;

	VM_BUG_ON((const uint8_t *)obj < m->ram || pfn >= m->max_pfn);
	p = pfn_to_page(m, pfn);
	for (i = 0; !(p->flags & PG_slab); i++) {
		VM_BUG_ON(i >= (1u << SLUB_MAX_ORDER) || pfn == i); /* not a slab object */
		p--;
	}
	return p;
}

/* ---- allocation and free ------------------------------------------------------------------ */

/* ___slab_alloc: the current slab is full (or absent): file it on the full list and take the
 * first partial slab, or a new one. NULL when no memory. */
static struct page *___slab_alloc(struct vmlab *m, struct kmem_cache *s)
{
	struct page *p = s->cpu_slab;

	if (p) { /* deactivate_slab of a full slab */
		p->frozen = 0;
		list_add(&p->lru, &s->full);
		s->cpu_slab = NULL;
	}
	if (!list_empty(&s->partial)) { /* get_partial_node */
		p = list_first_entry(&s->partial, struct page, lru);
		list_del(&p->lru);
	} else {
		p = allocate_slab(m, s);
		if (!p)
			return NULL;
	}
	p->frozen = 1;
	s->cpu_slab = p;
	return p;
}

void *kmem_cache_alloc(struct vmlab *m, struct kmem_cache *s)
{
	struct page *p = s->cpu_slab;
	void *obj;

	if (unlikely(!p || !p->freelist)) {
		p = ___slab_alloc(m, s);
		if (!p)
			return NULL;
	}
	obj = p->freelist;
	p->freelist = *(void **)obj;
	p->inuse++;
	s->nr_active++;
	memset(obj, 0, s->size); /* callers rely on zeroed objects (Linux: __GFP_ZERO/init_on_alloc) */
	return obj;
}

/* Partial slabs, counted up to `limit` (the list is walked no further). */
static unsigned nr_partial_upto(const struct kmem_cache *s, unsigned limit)
{
	const struct list_head *pos;
	unsigned n = 0;

	for (pos = s->partial.next; pos != &s->partial && n < limit; pos = pos->next)
		n++;
	return n;
}

/* __slab_free: obj goes to the head of its slab's freelist. */
void kmem_cache_free(struct vmlab *m, struct kmem_cache *s, void *obj)
{
	struct page *p = obj_to_slab(m, obj);
	bool was_full;

	VM_BUG_ON(p->slab_cache != s || p->inuse == 0);
	VM_BUG_ON((size_t)((uint8_t *)obj - (uint8_t *)page_address(m, p)) % s->size != 0);
	VM_BUG_ON(obj == p->freelist); /* double free (Linux: set_freepointer's check) */
	*(void **)obj = p->freelist;
	p->freelist = obj;
	s->nr_active--;
	was_full = p->inuse-- == p->objects;
	if (p->frozen)
		return;
	if (p->inuse == 0 && nr_partial_upto(s, min_partial(s)) >= min_partial(s)) {
		list_del(&p->lru); /* from full (one-object slabs) or partial */
		discard_slab(m, s, p);
		return;
	}
	if (was_full) { /* add_partial(DEACTIVATE_TO_TAIL) */
		list_del(&p->lru);
		list_add_tail(&p->lru, &s->partial);
	}
}

/* kmem_cache_create: a new cache whose kmem_cache struct is an object of "kmem_cache".
 * align 0 means ARCH_SLAB_MINALIGN (8). NULL when no memory. */
struct kmem_cache *kmem_cache_create(struct vmlab *m, const char *name, unsigned size,
				     unsigned align, unsigned flags)
{
	struct kmem_cache *s = kmem_cache_alloc(m, m->kmem_cache);

	if (!s)
		return NULL;
	cache_setup(m, s, name, size, align, flags);
	return s;
}

/* kmem_cache_destroy: every slab back to the page allocator, the struct back to its cache.
 * Destroying a cache with live objects is a bug. */
void kmem_cache_destroy(struct vmlab *m, struct kmem_cache *s)
{
	VM_BUG_ON(s->nr_active != 0 || !list_empty(&s->full));
	if (s->cpu_slab)
		discard_slab(m, s, s->cpu_slab);
	s->cpu_slab = NULL;
	while (!list_empty(&s->partial)) {
		struct page *p = list_first_entry(&s->partial, struct page, lru);

		list_del(&p->lru);
		discard_slab(m, s, p);
	}
	list_del(&s->list);
	kmem_cache_free(m, m->kmem_cache, s);
}

/* ---- kmalloc ------------------------------------------------------------------------------- */

/* kmalloc_index: the kmalloc_caches[] slot for 1 <= size <= 8192. */
static inline unsigned kmalloc_index(size_t size)
{
	if (size <= 192)
		return kmalloc_size_index[(size - 1) / 8];
	return fls_u(size - 1) - 1; /* 193..256 -> 7 (kmalloc-256) ... 4097..8192 -> 12 */
}

/* kmalloc: a zeroed object of at least size bytes, or NULL (no memory, or above 4 MiB).
 * Simplification: Linux returns ZERO_SIZE_PTR (a non-NULL pointer that faults) for size 0;
 * vmlab serves it from kmalloc-8 so that every non-NULL result can be passed to kfree. */
void *kmalloc(struct vmlab *m, size_t size)
{
	struct page *p;

	if (likely(size <= KMALLOC_MAX_CACHE_SIZE))
		return kmem_cache_alloc(m, m->kmalloc_caches[kmalloc_index(size ? size : 1)]);
	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	/* kmalloc_large: whole pages, marked so that kfree knows them.
	 * Simplification: Linux 5.11+ adds these pages to NR_SLAB_UNRECLAIMABLE_B; vmlab leaves
	 * them out of Slab (they show as used memory) so that Slab is exactly the slab pages of
	 * the caches in /proc/slabinfo, which check_slab verifies. */
	alloc_reason(m, "kmalloc_large");
	p = alloc_pages(m, GFP_KERNEL | __GFP_ZERO, get_order(size));
	if (!p)
		return NULL;
	p->flags |= PG_kernel;
	return page_address(m, p);
}

void kfree(struct vmlab *m, const void *obj)
{
	struct page *p;

	if (!obj)
		return;
	p = virt_to_page(m, obj);
	if (p->flags & PG_kernel) {
		VM_BUG_ON(((uintptr_t)obj & (PAGE_SIZE - 1)) != 0);
		p->flags &= ~PG_kernel;
		free_pages(m, p, (p->flags & PG_head) ? p->order : 0);
		return;
	}
	p = obj_to_slab(m, obj);
	kmem_cache_free(m, p->slab_cache, (void *)(uintptr_t)obj);
}

void slab_bytes(struct vmlab *m, uint64_t *reclaimable, uint64_t *unreclaimable)
{
	*reclaimable = (uint64_t)m->node_stat[NR_SLAB_RECLAIMABLE_B];
	*unreclaimable = (uint64_t)m->node_stat[NR_SLAB_UNRECLAIMABLE_B];
}

/* ---- boot ---------------------------------------------------------------------------------- */

/* The "kmem_cache" cache holds every kmem_cache struct, its own too: set it up in a struct on
 * the stack, take the first object of its first slab, move the struct there (Linux:
 * bootstrap() copies boot_kmem_cache the same way). */
static int kmem_cache_bootstrap(struct vmlab *m)
{
	struct kmem_cache boot, *s;

	cache_setup(m, &boot, "kmem_cache", sizeof(struct kmem_cache), L1_CACHE_BYTES, 0);
	list_del(&boot.list);
	s = kmem_cache_alloc(m, &boot);
	if (!s) /* allocate_slab failed: nothing was allocated */
		return -ENOMEM;
	*s = boot;
	s->cpu_slab->slab_cache = s; /* the only slab so far, and not on a list */
	INIT_LIST_HEAD(&s->partial);
	INIT_LIST_HEAD(&s->full);
	list_add_tail(&s->list, &m->slab_caches);
	m->kmem_cache = s;
	return 0;
}

/* kmem_cache_init: kmem_cache, the kmalloc caches, the caches vmlab's objects live in.
 * m->slab_caches must be an initialised (empty) list. 0 or -ENOMEM (the caches created so
 * far stay, the machine is unusable and is torn down by its creator). */
int kmem_cache_init(struct vmlab *m)
{
	size_t i;

	if (kmem_cache_bootstrap(m))
		return -ENOMEM;
	/* create_kmalloc_caches: power-of-two classes naturally aligned (Linux 5.4+) */
	for (i = 0; i < ARRAY_SIZE(kmalloc_sizes); i++) {
		unsigned size = kmalloc_sizes[i];
		unsigned align = (size & (size - 1)) ? KMALLOC_MIN_SIZE : size;

		m->kmalloc_caches[i] = kmem_cache_create(m, kmalloc_names[i], size, align, 0);
		if (!m->kmalloc_caches[i])
			return -ENOMEM;
	}
	/* alignments as Linux creates them: SLAB_HWCACHE_ALIGN (64) for task_struct, mm_struct
	 * and filp, the structure's own (8) for the rest */
	m->task_cachep = kmem_cache_create(m, "task_struct", sizeof(struct task_struct),
					   L1_CACHE_BYTES, 0);
	m->mm_cachep = kmem_cache_create(m, "mm_struct", sizeof(struct mm_struct), L1_CACHE_BYTES, 0);
	m->vma_cachep = kmem_cache_create(m, "vm_area_struct", sizeof(struct vm_area_struct), 0, 0);
	m->anon_vma_cachep = kmem_cache_create(m, "anon_vma", sizeof(struct anon_vma), 0, 0);
	m->anon_vma_chain_cachep =
		kmem_cache_create(m, "anon_vma_chain", sizeof(struct anon_vma_chain), 0, 0);
	m->xa_node_cachep = kmem_cache_create(m, "radix_tree_node", sizeof(struct xa_node), 0,
					      SLAB_RECLAIM_ACCOUNT);
	m->file_cachep = kmem_cache_create(m, "filp", sizeof(struct file), L1_CACHE_BYTES, 0);
	/* Linux has no address_space cache: the page cache of an inode is embedded in it
	 * (inode.i_data), so shmem inodes carry their address_space right after the inode. */
	m->inode_cachep = kmem_cache_create(m, "shmem_inode_cache", shmem_inode_size(), 0, 0);
	m->mapping_cachep = NULL;
	if (!m->task_cachep || !m->mm_cachep || !m->vma_cachep || !m->anon_vma_cachep ||
	    !m->anon_vma_chain_cachep || !m->xa_node_cachep || !m->file_cachep || !m->inode_cachep)
		return -ENOMEM;
	return 0;
}

/* ---- checker --------------------------------------------------------------------------------- */

enum slab_where { SLAB_CPU, SLAB_PARTIAL, SLAB_FULL };

/* One slab: head flags, owner, freelist inside the slab on object boundaries and without
 * loops (a chain longer than `objects` has a repeat), inuse + free = objects, and the list it
 * is on agrees with its fill. Adds its objects in use to *active. */
static int check_one_slab(struct vmlab *m, struct kmem_cache *s, struct page *p,
			  enum slab_where where, uint64_t *active, char *err, size_t n)
{
	uint8_t *base = page_address(m, p), *end = base + (size_t)s->objects * s->size, *o;
	unsigned free = 0;
	uint32_t head = s->order ? PG_head : 0;

	if (page_to_pfn(m, p) >= m->max_pfn || (p->flags & ~(uint32_t)PG_head) != PG_slab ||
	    (p->flags & PG_head) != head || p->_refcount != 1 || p->slab_cache != s ||
	    p->objects != s->objects) {
		snprintf(err, n, "check_slab: %s: slab 0x%llx has flags 0x%x objects %u", s->name,
			 (unsigned long long)page_to_pfn(m, p), p->flags, p->objects);
		return -EFAULT;
	}
	for (o = p->freelist; o; o = *(uint8_t **)o) {
		if (o < base || o >= end || (size_t)(o - base) % s->size || ++free > s->objects) {
			snprintf(err, n, "check_slab: %s: slab 0x%llx freelist corrupt", s->name,
				 (unsigned long long)page_to_pfn(m, p));
			return -EFAULT;
		}
	}
	if (p->inuse + free != p->objects || (where == SLAB_FULL && free) ||
	    (where == SLAB_PARTIAL && !free) || (where == SLAB_CPU) != (p->frozen == 1)) {
		snprintf(err, n, "check_slab: %s: slab 0x%llx inuse %u free %u objects %u frozen %u",
			 s->name, (unsigned long long)page_to_pfn(m, p), p->inuse, free, p->objects,
			 p->frozen);
		return -EFAULT;
	}
	*active += p->inuse;
	return 0;
}

static int check_slab_list(struct vmlab *m, struct kmem_cache *s, struct list_head *head,
			   enum slab_where where, uint64_t *slabs, uint64_t *active, char *err,
			   size_t n)
{
	struct list_head *pos;

	list_for_each(pos, head) {
		if (++*slabs > s->nr_slabs) {
			snprintf(err, n, "check_slab: %s: more slabs on lists than nr_slabs %llu",
				 s->name, (unsigned long long)s->nr_slabs);
			return -EFAULT;
		}
		if (check_one_slab(m, s, list_entry(pos, struct page, lru), where, active, err, n))
			return -EFAULT;
	}
	return 0;
}

int check_slab(struct vmlab *m, char *err, size_t n)
{
	struct list_head *pos;
	int64_t bytes[2] = {0, 0}; /* unreclaimable, reclaimable */

	list_for_each(pos, &m->slab_caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);
		uint64_t slabs = 0, active = 0;

		if (s->cpu_slab) {
			slabs++;
			if (check_one_slab(m, s, s->cpu_slab, SLAB_CPU, &active, err, n))
				return -EFAULT;
		}
		if (check_slab_list(m, s, &s->partial, SLAB_PARTIAL, &slabs, &active, err, n) ||
		    check_slab_list(m, s, &s->full, SLAB_FULL, &slabs, &active, err, n))
			return -EFAULT;
		if (slabs != s->nr_slabs || active != s->nr_active ||
		    s->nr_objs != slabs * s->objects) {
			snprintf(err, n, "check_slab: %s: %llu slabs %llu active, counters %llu %llu %llu",
				 s->name, (unsigned long long)slabs, (unsigned long long)active,
				 (unsigned long long)s->nr_slabs, (unsigned long long)s->nr_active,
				 (unsigned long long)s->nr_objs);
			return -EFAULT;
		}
		bytes[!!s->reclaimable] += (int64_t)(s->nr_slabs * slab_bytes_of(s));
	}
	if (bytes[0] != m->node_stat[NR_SLAB_UNRECLAIMABLE_B] ||
	    bytes[1] != m->node_stat[NR_SLAB_RECLAIMABLE_B]) {
		snprintf(err, n, "check_slab: slab pages hold %lld + %lld bytes, node stats %lld + %lld",
			 (long long)bytes[0], (long long)bytes[1],
			 (long long)m->node_stat[NR_SLAB_UNRECLAIMABLE_B],
			 (long long)m->node_stat[NR_SLAB_RECLAIMABLE_B]);
		return -EFAULT;
	}
	return 0;
}
