/* mm/page_alloc.c - zones, the buddy allocator, per-CPU page lists, watermarks.
 *
 * Mirrors mm/page_alloc.c (and the boot half of mm/mm_init.c):
 *   page_alloc_init    free_area_init (zones DMA < 16 MiB, DMA32 < 4 GiB, Normal above),
 *                      memblock_free_all (every frame not reserved goes to the buddy lists as
 *                      the largest aligned blocks), init_per_zone_wmark_min (min_free_kbytes,
 *                      __setup_per_zone_wmarks, setup_per_zone_lowmem_reserve,
 *                      calculate_totalreserve_pages) and zone_pcp_init (zone_batchsize,
 *                      zone_highsize).
 *   alloc_pages        __alloc_pages: get_page_from_freelist over the zonelist with
 *                      __zone_watermark_ok, rmqueue -> rmqueue_pcplist (order <= 3) or
 *                      __rmqueue_smallest + expand; then the slow path.
 *   free_pages         __free_pages: free_unref_page_commit (pcp, order <= 3, draining
 *                      `batch` pages above `high` with free_pcppages_bulk) or __free_one_page
 *                      (merge with the buddy at pfn ^ (1 << order)).
 *   check_page_alloc   the buddy and pcp invariants (vmlab's own; Linux has scattered
 *                      VM_BUG_ONs and CONFIG_DEBUG_VM checks instead).
 *
 * Invariants (check_page_alloc proves them):
 *   1. A free block of order k starts at a pfn aligned to 2^k, lies inside one zone, holds no
 *      reserved frame, and only its head page says so: PG_buddy + ->order on a buddy list,
 *      PG_pcp + ->order on a per-CPU list. Tail pages of free blocks are never looked at, so
 *      a never-touched (zero-filled) struct page is a valid free tail page.
 *   2. free_area[k].nr_free is the length of free_list k; NR_FREE_PAGES is the sum of the
 *      buddy blocks' pages (pcp pages are NOT counted, as in Linux).
 *   3. No two buddies of the same order are both free on the buddy lists (they merge).
 *   4. pcp->count is the pages on that CPU's lists.
 *
 * A block's life:            rmqueue_bulk                 alloc_pages
 *       buddy list (PG_buddy) ------------> pcp list (PG_pcp) ---------> allocated (_refcount 1)
 *          ^   ^ __free_one_page            free_pcppages_bulk |  ^  free_pages (order <= 3)  |
 *          |   +------------------------------------------------+  +---------------------------+
 *          +----------------------------------------------------------- free_pages (order > 3)
 *
 * Simplifications (each also labelled where it is made):
 *  - Linux keeps one free list per migratetype in every free_area and steals between them
 *    (__rmqueue_fallback); vmlab has one list per order because it has no compaction or page
 *    mobility to serve.
 *  - Linux has one pcp set per CPU and allocates from the running CPU's; vmlab keeps nr_cpus
 *    sets (so that batch/high and drain_all_pages are right) but allocates and frees on CPU 0,
 *    because every simulated access runs on one CPU.
 *  - Linux's fast path checks the low watermark and its slow path wakes kswapd, compacts,
 *    reclaims, drains the pcp lists and calls the OOM killer; vmlab's fast path checks the
 *    min watermark, and only user (movable) allocations reclaim and OOM-kill; kernel ones use
 *    the reserves below min instead (see __alloc_pages_slowpath).
 */
#include "mm/internal.h"

static const char *const zone_names[MAX_NR_ZONES] = {"DMA", "DMA32", "Normal"};
static const uint64_t zone_end_pfn_max[MAX_NR_ZONES] = {4096, 1ull << 20, ~0ull}; /* 16M, 4G */
static const int lowmem_reserve_ratio[MAX_NR_ZONES] = {256, 256, 32}; /* sysctl defaults */

#define LOW_RESERVED_PFNS 256u          /* the first MiB (BIOS, real-mode trampoline) */
#define KERNEL_IMAGE_PAGES 512u         /* 2 MiB of kernel text, data and bss */
#define WATERMARK_SCALE_FACTOR 10u      /* vm.watermark_scale_factor default (0.1%) */
#define MIN_FREE_KBYTES_MIN 128u
#define MIN_FREE_KBYTES_MAX 262144u

uint64_t zone_free_pages(const struct zone *z)
{
	return (uint64_t)z->vm_stat[NR_FREE_PAGES];
}

uint64_t global_free_pages(const struct vmlab *m)
{
	uint64_t s = 0;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		s += zone_free_pages(&m->zones[i]);
	return s;
}

/* int_sqrt (lib/math/int_sqrt.c): floor(sqrt(x)), one result bit per step. */
static uint64_t int_sqrt(uint64_t x)
{
	uint64_t r = 0, b = 1ull << 62;

	while (b > x)
		b >>= 2;
	while (b) {
		if (x >= r + b) {
			x -= r + b;
			r = (r >> 1) + b;
		} else {
			r >>= 1;
		}
		b >>= 2;
	}
	return r;
}

static uint64_t rounddown_pow_of_two(uint64_t x)
{
	uint64_t r = 1;

	while (r * 2 <= x)
		r *= 2;
	return r;
}

/* The zone a frame belongs to (by the fixed x86_64 boundaries). */
static inline int pfn_zone_idx(uint64_t pfn)
{
	return pfn < zone_end_pfn_max[ZONE_DMA] ? ZONE_DMA
	       : pfn < zone_end_pfn_max[ZONE_DMA32] ? ZONE_DMA32 : ZONE_NORMAL;
}

static inline uint64_t zone_end_pfn(const struct zone *z)
{
	return z->zone_start_pfn + z->spanned_pages;
}

/* ---- buddy core ------------------------------------------------------------------------ */

static inline void add_to_free_list(struct zone *z, struct page *p, unsigned order)
{
	p->flags = PG_buddy; /* set_buddy_order: the only flag of a free block's head */
	p->order = (uint8_t)order;
	p->zone = (uint8_t)z->idx;
	p->_refcount = 0;
	list_add(&p->lru, &z->free_area[order].free_list);
	z->free_area[order].nr_free++;
}

static inline void del_from_free_list(struct zone *z, struct page *p, unsigned order)
{
	list_del(&p->lru);
	p->flags &= ~PG_buddy;
	z->free_area[order].nr_free--;
}

/* __free_one_page: merge with free buddies as far as they go, then put the block on its
 * free list. The buddy of [pfn, pfn + 2^order) is the block at pfn ^ 2^order; it can merge
 * only when it is a free buddy-list block of the same order in the same zone. */
static void __free_one_page(struct vmlab *m, struct zone *z, uint64_t pfn, unsigned order)
{
	uint64_t zstart = z->zone_start_pfn, zend = zone_end_pfn(z);

	mod_zone_page_state(z, NR_FREE_PAGES, 1 << order);
	while (order < MAX_PAGE_ORDER) {
		uint64_t bpfn = pfn ^ (1ull << order);
		struct page *b;

		if (bpfn < zstart || bpfn >= zend || bpfn >= m->max_pfn)
			break;
		b = pfn_to_page(m, bpfn);
		if (!(b->flags & PG_buddy) || b->order != order || b->zone != z->idx)
			break;
		del_from_free_list(z, b, order);
		pfn &= ~(1ull << order);
		order++;
	}
	add_to_free_list(z, pfn_to_page(m, pfn), order);
}

/* __rmqueue_smallest + expand: takes the smallest free block of at least `order` and splits
 * it, putting the upper half back at each lower order. Returns the head, flags cleared, or
 * NULL when the zone has no block that large. */
static struct page *__rmqueue_smallest(struct vmlab *m, struct zone *z, unsigned order)
{
	unsigned cur;

	/* Simplification: Linux has a free list per migratetype and falls back to stealing from
	 * another type (__rmqueue_fallback); vmlab has one list per order (no page mobility). */
	for (cur = order; cur <= MAX_PAGE_ORDER; cur++) {
		struct free_area *area = &z->free_area[cur];
		struct page *p;
		uint64_t pfn;

		if (list_empty(&area->free_list))
			continue;
		p = list_first_entry(&area->free_list, struct page, lru);
		del_from_free_list(z, p, cur);
		pfn = page_to_pfn(m, p);
		while (cur > order) { /* expand */
			cur--;
			add_to_free_list(z, pfn_to_page(m, pfn + (1ull << cur)), cur);
		}
		mod_zone_page_state(z, NR_FREE_PAGES, -(int64_t)(1 << order));
		p->zone = (uint8_t)z->idx;
		return p;
	}
	return NULL;
}

/* ---- per-CPU lists ----------------------------------------------------------------------- */

/* free_pcppages_bulk: returns `count` pages' worth of blocks to the buddy lists, oldest first
 * (list tails), starting with the list of `order` and going round the orders. */
static void free_pcppages_bulk(struct vmlab *m, struct zone *z, struct per_cpu_pages *pcp,
			       int count, unsigned order)
{
	unsigned empty = 0; /* lists found empty in a row: all of them ends the loop */

	count = MIN(count, pcp->count);
	while (count > 0 && empty < NR_PCP_ORDERS) {
		struct list_head *l = &pcp->lists[order];

		empty = list_empty(l) ? empty + 1 : 0;
		while (count > 0 && !list_empty(l)) {
			struct page *p = list_last_entry(l, struct page, lru);

			list_del(&p->lru);
			p->flags &= ~PG_pcp;
			pcp->count -= 1 << order;
			count -= 1 << order;
			__free_one_page(m, z, page_to_pfn(m, p), order);
		}
		order = (order + 1) % NR_PCP_ORDERS;
	}
}

/* nr_pcp_alloc: blocks to take from the buddy when a pcp list is empty - `batch` pages'
 * worth, at least two blocks (one when batch is 1: tiny zones keep nothing on the lists). */
static inline int nr_pcp_alloc(const struct per_cpu_pages *pcp, unsigned order)
{
	int batch = pcp->batch;

	if (batch > 1)
		batch = MAX(batch >> order, 2);
	return batch;
}

/* rmqueue_bulk: moves up to `count` blocks of `order` from the buddy to the pcp list. */
static void rmqueue_bulk(struct vmlab *m, struct zone *z, struct per_cpu_pages *pcp,
			 unsigned order, int count)
{
	struct list_head *l = &pcp->lists[order];
	int i;

	for (i = 0; i < count; i++) {
		struct page *p = __rmqueue_smallest(m, z, order);

		if (!p)
			break;
		p->flags = PG_pcp;
		p->order = (uint8_t)order;
		p->cpu = 0;
		list_add_tail(&p->lru, l);
		pcp->count += 1 << order;
	}
}

/* rmqueue_pcplist: the hottest block of CPU 0's list (its head), refilled when empty. */
static inline struct page *rmqueue_pcplist(struct vmlab *m, struct zone *z, unsigned order)
{
	/* Simplification: Linux uses the running CPU's lists; every vmlab access runs on CPU 0. */
	struct per_cpu_pages *pcp = &z->pcp[0];
	struct list_head *l = &pcp->lists[order];
	struct page *p;

	if (unlikely(list_empty(l))) {
		rmqueue_bulk(m, z, pcp, order, nr_pcp_alloc(pcp, order));
		if (list_empty(l))
			return NULL;
	}
	p = list_first_entry(l, struct page, lru);
	list_del(&p->lru);
	p->flags = 0;
	pcp->count -= 1 << order;
	return p;
}

/* free_unref_page_commit: the block goes to the head of the pcp list (the next to be
 * reused, its cache lines warm); above `high`, `batch` pages go back to the buddy. */
static inline void free_unref_page_commit(struct vmlab *m, struct zone *z, struct page *p,
					  unsigned order)
{
	struct per_cpu_pages *pcp = &z->pcp[0];

	p->flags = PG_pcp;
	p->order = (uint8_t)order;
	p->cpu = 0;
	list_add(&p->lru, &pcp->lists[order]);
	pcp->count += 1 << order;
	/* Simplification: Linux 6.x drains at count >= high and auto-tunes high between
	 * high_min and high_max; vmlab drains above a fixed high (zone_highsize), as the
	 * documented pcp behaviour reads: "frees beyond high return batch pages". */
	if (unlikely(pcp->count > pcp->high))
		free_pcppages_bulk(m, z, pcp, pcp->batch, order);
}

void drain_all_pages(struct vmlab *m)
{
	int i, c;

	for (i = 0; i < m->nr_zones; i++)
		for (c = 0; c < (int)m->cfg.nr_cpus; c++)
			free_pcppages_bulk(m, &m->zones[i], &m->zones[i].pcp[c],
					   m->zones[i].pcp[c].count, 0);
}

/* ---- watermarks ---------------------------------------------------------------------------- */

/* __zone_watermark_ok: after taking 2^order pages the zone must keep more than mark plus the
 * reserve it holds back from allocations that could have used a higher zone, and (order > 0)
 * a free block of at least that order must exist. */
bool zone_watermark_ok(const struct zone *z, unsigned order, uint64_t mark, int highest_zoneidx)
{
	int64_t free = z->vm_stat[NR_FREE_PAGES] - ((int64_t)(1 << order) - 1);
	unsigned o;

	if (free <= (int64_t)mark + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;
	for (o = order; o <= MAX_PAGE_ORDER; o++)
		if (z->free_area[o].nr_free)
			return true;
	return false;
}

/* calculate_min_free_kbytes: int_sqrt(16 * lowmem KiB), clamped. Every vmlab zone is lowmem. */
static void calculate_min_free_kbytes(struct vmlab *m)
{
	uint64_t lowmem_kbytes = m->totalram_pages * (PAGE_SIZE >> 10);

	m->min_free_kbytes = int_sqrt(lowmem_kbytes * 16);
	m->min_free_kbytes = MAX(m->min_free_kbytes, (uint64_t)MIN_FREE_KBYTES_MIN);
	m->min_free_kbytes = MIN(m->min_free_kbytes, (uint64_t)MIN_FREE_KBYTES_MAX);
}

/* __setup_per_zone_wmarks: min_free_kbytes shared among zones by managed size. */
static void setup_per_zone_wmarks(struct vmlab *m)
{
	uint64_t pages_min = m->min_free_kbytes >> (PAGE_SHIFT - 10);
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &m->zones[i];
		uint64_t tmp, delta;

		if (!z->managed_pages)
			continue;
		tmp = pages_min * z->managed_pages / m->totalram_pages;
		delta = MAX(tmp >> 2, z->managed_pages * WATERMARK_SCALE_FACTOR / 10000);
		z->_watermark[WMARK_MIN] = tmp;
		z->_watermark[WMARK_LOW] = tmp + delta;
		z->_watermark[WMARK_HIGH] = tmp + 2 * delta;
		z->_watermark[WMARK_PROMO] = tmp + 3 * delta;
	}
}

/* setup_per_zone_lowmem_reserve: zone i keeps back, from allocations that may use zone j > i,
 * the managed pages of zones i+1..j divided by zone i's ratio. */
static void setup_per_zone_lowmem_reserve(struct vmlab *m)
{
	int i, j;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &m->zones[i];
		uint64_t upper = 0;

		for (j = 0; j < MAX_NR_ZONES; j++)
			z->lowmem_reserve[j] = 0;
		if (!z->managed_pages)
			continue;
		for (j = i + 1; j < MAX_NR_ZONES; j++) {
			upper += m->zones[j].managed_pages;
			z->lowmem_reserve[j] = (int64_t)(upper / (uint64_t)lowmem_reserve_ratio[i]);
		}
	}
}

/* calculate_totalreserve_pages: per zone, its largest lowmem_reserve plus its high
 * watermark, at most its managed pages. */
static void calculate_totalreserve_pages(struct vmlab *m)
{
	int i, j;

	m->totalreserve_pages = 0;
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &m->zones[i];
		uint64_t max = 0;

		for (j = i; j < MAX_NR_ZONES; j++)
			max = MAX(max, (uint64_t)z->lowmem_reserve[j]);
		max += z->_watermark[WMARK_HIGH];
		m->totalreserve_pages += MIN(max, z->managed_pages);
	}
}

/* zone_batchsize: about a quarter of a thousandth of the zone, at most 256/4 pages, rounded
 * to 2^n - 1 (to spread cache colours); zone_set_pageset_high_and_batch makes it >= 1. */
static int zone_batchsize(const struct zone *z)
{
	uint64_t batch = MIN(z->managed_pages >> 10, (uint64_t)((1u << 20) / PAGE_SIZE)) / 4;

	if (batch < 1)
		batch = 1;
	batch = rounddown_pow_of_two(batch + batch / 2) - 1;
	return batch < 1 ? 1 : (int)batch;
}

/* zone_pcp_init + zone_highsize: high is the low watermark shared by the CPUs, at least four
 * batches. */
static void setup_zone_pcp(struct vmlab *m, struct zone *z)
{
	int batch = zone_batchsize(z), c, o;
	int high = MAX((int)(z->_watermark[WMARK_LOW] / m->cfg.nr_cpus), 4 * batch);

	for (c = 0; c < MAX_CPUS; c++) {
		for (o = 0; o < NR_PCP_ORDERS; o++)
			INIT_LIST_HEAD(&z->pcp[c].lists[o]);
		z->pcp[c].count = 0;
		z->pcp[c].batch = batch;
		z->pcp[c].high = high;
	}
}

/* ---- boot ---------------------------------------------------------------------------------- */

/* Marks [start, end) reserved: PG_reserved, _refcount 1 (memblock_reserve + reserve_bootmem
 * of the kernel image; Linux reserves the first MiB in reserve_real_mode and friends). */
static void reserve_range(struct vmlab *m, uint64_t start, uint64_t end)
{
	uint64_t pfn;

	for (pfn = start; pfn < end; pfn++) {
		struct page *p = pfn_to_page(m, pfn);
		int zi = pfn_zone_idx(pfn);

		p->flags = PG_reserved;
		p->_refcount = 1;
		p->zone = (uint8_t)zi;
		m->reserved_pages++;
		m->zones[zi].managed_pages--;
	}
}

/* memblock_free_all for one zone: the largest naturally aligned blocks (order <= 10) that
 * fit in the zone and skip the reserved ranges. Touches only the block heads. */
static void free_zone_range(struct vmlab *m, struct zone *z)
{
	uint64_t pfn = z->zone_start_pfn, end = zone_end_pfn(z);

	while (pfn < end) {
		unsigned order = MAX_PAGE_ORDER;
		uint64_t stop = end; /* the next reserved frame at or after pfn, or the zone end */

		if (pfn < LOW_RESERVED_PFNS) {
			pfn = LOW_RESERVED_PFNS;
			continue;
		}
		if (pfn >= m->kernel_start_pfn && pfn < m->kernel_end_pfn) {
			pfn = m->kernel_end_pfn;
			continue;
		}
		if (pfn < m->kernel_start_pfn)
			stop = MIN(stop, m->kernel_start_pfn);
		while (order > 0 && ((pfn & ((1ull << order) - 1)) || pfn + (1ull << order) > stop))
			order--;
		add_to_free_list(z, pfn_to_page(m, pfn), order);
		mod_zone_page_state(z, NR_FREE_PAGES, 1 << order);
		pfn += 1ull << order;
	}
}

/* page_alloc_init: m->max_pfn, m->ram, m->mem_map (zero-filled) and m->cfg.nr_cpus are set.
 * Returns 0, or -EINVAL when the machine is too small for the kernel image or nr_cpus is out
 * of range (nothing to undo: only *m was written). */
int page_alloc_init(struct vmlab *m)
{
	uint64_t start = 0;
	int i, o;

	if (m->cfg.nr_cpus < 1 || m->cfg.nr_cpus > MAX_CPUS)
		return -EINVAL;
	/* the kernel image at its usual 16 MiB (CONFIG_PHYSICAL_START), or at 1 MiB on small
	 * machines (Simplification: Linux's placement is a config choice plus KASLR; vmlab
	 * fixes it so that frame numbers are reproducible) */
	m->kernel_start_pfn = m->max_pfn >= ((64ull << 20) >> PAGE_SHIFT) ? (16ull << 20) >> PAGE_SHIFT
									    : LOW_RESERVED_PFNS;
	m->kernel_end_pfn = m->kernel_start_pfn + KERNEL_IMAGE_PAGES;
	if (m->kernel_end_pfn >= m->max_pfn)
		return -EINVAL;
	m->nr_zones = 0;
	m->reserved_pages = 0;
	m->totalram_pages = 0;
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &m->zones[i];
		uint64_t end = MIN(zone_end_pfn_max[i], m->max_pfn);

		z->name = zone_names[i];
		z->idx = i;
		for (o = 0; o < NR_PAGE_ORDERS; o++) {
			INIT_LIST_HEAD(&z->free_area[o].free_list);
			z->free_area[o].nr_free = 0;
		}
		z->zone_start_pfn = start;
		z->spanned_pages = end > start ? end - start : 0;
		/* Simplification: Linux subtracts memory holes from the e820 map; vmlab's RAM
		 * has none, so present == spanned. */
		z->present_pages = z->spanned_pages;
		z->managed_pages = z->present_pages; /* reserve_range takes its share off */
		z->vm_stat[NR_FREE_PAGES] = 0;
		if (z->present_pages)
			m->nr_zones = i + 1;
		start = MAX(start, end);
	}
	reserve_range(m, 0, LOW_RESERVED_PFNS);
	reserve_range(m, m->kernel_start_pfn, m->kernel_end_pfn);
	for (i = 0; i < MAX_NR_ZONES; i++) {
		m->totalram_pages += m->zones[i].managed_pages;
		free_zone_range(m, &m->zones[i]);
	}
	/* init_per_zone_wmark_min */
	calculate_min_free_kbytes(m);
	setup_per_zone_wmarks(m);
	setup_per_zone_lowmem_reserve(m);
	calculate_totalreserve_pages(m);
	for (i = 0; i < MAX_NR_ZONES; i++)
		setup_zone_pcp(m, &m->zones[i]);
	return 0;
}

/* ---- allocation entry points ------------------------------------------------------------- */

static void alloc_event(struct vmlab *m, struct page *p, unsigned order, int type)
{
	vmlab_event_t ev = {.type = (enum vmlab_event_type)type, .pid = m->cur_pid,
			    .pfn = page_to_pfn(m, p), .order = order,
			    .text = type == VMLAB_EV_ALLOC ? m->alloc_why : NULL};
	vm_event(m, &ev);
}

static inline struct page *rmqueue(struct vmlab *m, struct zone *z, unsigned order)
{
	if (likely(order <= PAGE_ALLOC_COSTLY_ORDER))
		return rmqueue_pcplist(m, z, order);
	return __rmqueue_smallest(m, z, order);
}

/* get_page_from_freelist: the first zone, from highest_zoneidx down, whose min watermark
 * (halved for __GFP_HIGH, as ALLOC_MIN_RESERVE does) allows the allocation; with
 * !watermarks, the first zone that has the block at all. */
/* Whether get_page_from_freelist may take the block from zone z (with watermarks). */
static inline bool zone_allows(const struct zone *z, gfp_t gfp, unsigned order, int highest_zoneidx)
{
	uint64_t mark = z->_watermark[WMARK_MIN];

	if (gfp & __GFP_HIGH)
		mark -= mark / 2;
	return z->managed_pages && zone_watermark_ok(z, order, mark, highest_zoneidx);
}

static struct page *get_page_from_freelist(struct vmlab *m, gfp_t gfp, unsigned order,
					   int highest_zoneidx, bool watermarks)
{
	int i;

	for (i = highest_zoneidx; i >= 0; i--) {
		struct zone *z = &m->zones[i];
		struct page *p;

		if (!z->managed_pages || (watermarks && !zone_allows(z, gfp, order, highest_zoneidx)))
			continue;
		p = rmqueue(m, z, order);
		if (p)
			return p;
	}
	return NULL;
}

/* __alloc_pages_slowpath: no zone is above its min watermark (or none has the block).
 *  - user pages (__GFP_MOVABLE): direct reclaim, then the pcp lists drained, then the OOM
 *    killer (not for __GFP_NORETRY: readahead gives up instead); retried while either frees
 *    something (at most MAX_OOM_RETRIES kills). They never go below the min watermark:
 *    NULL means the caller's fault fails (VM_FAULT_OOM).
 *  - kernel pages: the reserves below min, then the pcp lists drained.
 * Simplification: Linux reclaims for every __GFP_DIRECT_RECLAIM allocation, compacts for
 * order > 0 and lets only PF_MEMALLOC tasks and OOM victims below min (ALLOC_NO_WATERMARKS);
 * vmlab reclaims for user pages only, because kernel allocations (slab, page tables,
 * radix-tree nodes) may sit inside updates that reclaim would re-enter, and lets kernel
 * allocations use the reserves instead. */
#define MAX_OOM_RETRIES 64
static struct page *__alloc_pages_slowpath(struct vmlab *m, gfp_t gfp, unsigned order,
					   int highest_zoneidx)
{
	struct page *p;
	int kills = 0;

	if (gfp & __GFP_MOVABLE) {
		for (;;) {
			/* slow path: reclaim goes here */
			if (!try_to_free_pages(m, highest_zoneidx)) {
				/* pcp pages are not counted free: give them back first (Linux:
				 * drain_all_pages when direct reclaim made no progress) */
				drain_all_pages(m);
				p = get_page_from_freelist(m, gfp, order, highest_zoneidx, true);
				if (p)
					return p;
				if (m->in_reclaim || (gfp & __GFP_NORETRY) ||
				    kills++ >= MAX_OOM_RETRIES || out_of_memory(m) != 0)
					return NULL;
			}
			p = get_page_from_freelist(m, gfp, order, highest_zoneidx, true);
			if (p)
				return p;
		}
	}
	p = get_page_from_freelist(m, gfp, order, highest_zoneidx, false);
	if (p)
		return p;
	drain_all_pages(m);
	return get_page_from_freelist(m, gfp, order, highest_zoneidx, false);
}

/* The frame that reclaim_resident_lean just evicted, handed straight to the allocation that
 * asked for the eviction, when that is what free_pages then get_page_from_freelist would do:
 * the freed page goes to the head of its zone's pcp list and the allocation takes the head
 * of the first zone that passes its watermark. So the page's zone must be that zone, and the
 * free must not be the one that drains the list past `high`. Explain mode, which shows both
 * steps, never gets here (reclaim_resident_lean refuses). */
static bool handoff_ok(struct vmlab *m, const struct page *p, gfp_t gfp, int high)
{
	const struct per_cpu_pages *pcp = &m->zones[p->zone].pcp[0];
	int i;

	if (p->zone > high || pcp->count + 1 > pcp->high)
		return false;
	for (i = high; i >= p->zone; i--) /* get_page_from_freelist's choice of zone */
		if (zone_allows(&m->zones[i], gfp, 0, high))
			return i == p->zone;
	return false;
}

/* free_pages then rmqueue_pcplist of the same page, in effect: the pcp list ends as it was. */
static void free_handed_on(struct vmlab *m, struct page *p)
{
	VM_BUG_ON(p->_refcount != 1);
	VM_BUG_ON(p->flags & (PG_buddy | PG_pcp | PG_reserved | PG_lru | PG_slab | PG_head));
	count_vm_event(m, PGFREE);
	p->flags = 0;
	p->order = 0;
	p->cpu = 0;
}

/* gfp_zone: the highest zone the flags allow, clamped to the populated ones. */
static inline int gfp_zone(const struct vmlab *m, gfp_t gfp)
{
	int high = (gfp & __GFP_DMA) ? ZONE_DMA : (gfp & __GFP_DMA32) ? ZONE_DMA32 : ZONE_NORMAL;

	return high < m->nr_zones ? high : m->nr_zones - 1;
}

struct page *alloc_pages(struct vmlab *m, gfp_t gfp, unsigned order)
{
	int high = gfp_zone(m, gfp);
	struct page *p;

	if (unlikely(order > MAX_PAGE_ORDER))
		return NULL;
	/* the resident limit: evict by the replacement policy before a user page is taken */
	if (unlikely(m->cfg.resident_pages) && (gfp & __GFP_MOVABLE) && !m->in_reclaim) {
		int kills = 0;

		if (order == 0 && (p = reclaim_resident_lean(m)) != NULL) {
			if (handoff_ok(m, p, gfp, high)) {
				free_handed_on(m, p);
				goto prep;
			}
			free_pages(m, p, 0);
		}
		while (!reclaim_resident(m))
			if (kills++ >= MAX_OOM_RETRIES || out_of_memory(m) != 0) {
				m->alloc_why = NULL;
				return NULL;
			}
	}
	p = get_page_from_freelist(m, gfp, order, high, true);
	if (unlikely(!p)) {
		p = __alloc_pages_slowpath(m, gfp, order, high);
		if (!p) {
			m->alloc_why = NULL;
			return NULL;
		}
	}
prep:
	/* prep_new_page: one reference, no role yet */
	p->flags = order ? PG_head : 0;
	p->order = (uint8_t)order;
	p->_refcount = 1;
	p->_mapcount = 0;
	p->mapping = NULL;
	p->index = 0;
	p->private = 0;
	count_vm_events(m, PGALLOC_DMA + p->zone, 1ull << order);
	if (gfp & __GFP_ZERO_LAZY)
		p->flags |= PG_zerofill; /* Simplification: zeroed when its bytes are first used */
	else if (gfp & __GFP_ZERO)
		memset(page_address(m, p), 0, PAGE_SIZE << order);
	/* below the low watermark: wake kswapd (it runs now, to the high watermark) */
	if ((gfp & __GFP_MOVABLE) && !m->in_reclaim &&
	    zone_free_pages(&m->zones[p->zone]) < m->zones[p->zone]._watermark[WMARK_LOW])
		wakeup_kswapd(m);
	if (unlikely(explaining(m)))
		alloc_event(m, p, order, VMLAB_EV_ALLOC);
	m->alloc_why = NULL;
	return p;
}

/* free_pages: the caller's reference must be the only one; the block's head loses every role
 * flag and goes to the pcp list (order <= 3) or the buddy lists. */
void free_pages(struct vmlab *m, struct page *p, unsigned order)
{
	struct zone *z = page_zone(m, p);

	VM_BUG_ON(p->_refcount != 1);
	VM_BUG_ON(p->flags & (PG_buddy | PG_pcp | PG_reserved | PG_lru | PG_slab));
	VM_BUG_ON(order > MAX_PAGE_ORDER || ((p->flags & PG_head) && p->order != order));
	if (unlikely(explaining(m)))
		alloc_event(m, p, order, VMLAB_EV_FREE);
	count_vm_events(m, PGFREE, 1ull << order);
	p->_refcount = 0;
	p->_mapcount = 0;
	p->mapping = NULL;
	p->index = 0;
	p->private = 0;
	if (likely(order <= PAGE_ALLOC_COSTLY_ORDER)) {
		free_unref_page_commit(m, z, p, order);
		return;
	}
	p->flags = 0;
	__free_one_page(m, z, page_to_pfn(m, p), order);
}

void put_page(struct vmlab *m, struct page *p)
{
	if (p->_refcount > 1) {
		p->_refcount--;
		return;
	}
	free_pages(m, p, (p->flags & PG_head) ? p->order : 0);
}

/* ---- checker --------------------------------------------------------------------------------- */

/* Whether [pfn, pfn + 2^order) holds a reserved frame. */
static bool overlaps_reserved(const struct vmlab *m, uint64_t pfn, unsigned order)
{
	uint64_t end = pfn + (1ull << order);

	return pfn < LOW_RESERVED_PFNS || (pfn < m->kernel_end_pfn && end > m->kernel_start_pfn);
}

/* A free block head: the right flag, order and zone, aligned, inside its zone, not reserved. */
static bool bad_free_block(const struct vmlab *m, const struct zone *z, const struct page *p,
			   uint64_t pfn, unsigned order, uint32_t flag)
{
	return p->flags != flag || p->order != order || p->zone != z->idx ||
	       (pfn & ((1ull << order) - 1)) || pfn < z->zone_start_pfn ||
	       pfn + (1ull << order) > zone_end_pfn(z) || overlaps_reserved(m, pfn, order);
}

static int check_buddy_lists(struct vmlab *m, struct zone *z, char *err, size_t n)
{
	uint64_t zend = zone_end_pfn(z), pages = 0;
	unsigned o;

	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		struct list_head *pos;
		uint64_t cnt = 0;

		list_for_each(pos, &z->free_area[o].free_list) {
			struct page *p = list_entry(pos, struct page, lru), *bp;
			uint64_t pfn = page_to_pfn(m, p), b = pfn ^ (1ull << o);

			if (pfn >= m->max_pfn || bad_free_block(m, z, p, pfn, o, PG_buddy)) {
				snprintf(err, n, "check_page_alloc: bad free block 0x%llx order %u in %s",
					 (unsigned long long)pfn, o, z->name);
				return -EFAULT;
			}
			bp = b < m->max_pfn ? pfn_to_page(m, b) : NULL;
			if (o < MAX_PAGE_ORDER && b >= z->zone_start_pfn && b < zend && bp &&
			    (bp->flags & PG_buddy) && bp->order == o) {
				snprintf(err, n, "check_page_alloc: free buddies 0x%llx and 0x%llx order %u not merged",
					 (unsigned long long)pfn, (unsigned long long)b, o);
				return -EFAULT;
			}
			if (++cnt > z->spanned_pages) {
				snprintf(err, n, "check_page_alloc: %s order %u free list loops", z->name, o);
				return -EFAULT;
			}
			pages += 1ull << o;
		}
		if (cnt != z->free_area[o].nr_free) {
			snprintf(err, n, "check_page_alloc: %s order %u has %llu blocks, nr_free %llu",
				 z->name, o, (unsigned long long)cnt,
				 (unsigned long long)z->free_area[o].nr_free);
			return -EFAULT;
		}
	}
	if ((int64_t)pages != z->vm_stat[NR_FREE_PAGES]) {
		snprintf(err, n, "check_page_alloc: %s free lists hold %llu pages, NR_FREE_PAGES %lld",
			 z->name, (unsigned long long)pages, (long long)z->vm_stat[NR_FREE_PAGES]);
		return -EFAULT;
	}
	return 0;
}

static int check_pcp_lists(struct vmlab *m, struct zone *z, int cpu, char *err, size_t n)
{
	struct per_cpu_pages *pcp = &z->pcp[cpu];
	int64_t cnt = 0;
	unsigned o;

	for (o = 0; o < NR_PCP_ORDERS; o++) {
		struct list_head *pos;

		list_for_each(pos, &pcp->lists[o]) {
			struct page *p = list_entry(pos, struct page, lru);
			uint64_t pfn = page_to_pfn(m, p);

			if (pfn >= m->max_pfn || bad_free_block(m, z, p, pfn, o, PG_pcp)) {
				snprintf(err, n, "check_page_alloc: bad pcp block 0x%llx order %u in %s cpu %d",
					 (unsigned long long)pfn, o, z->name, cpu);
				return -EFAULT;
			}
			cnt += 1 << o;
			if (cnt > (int64_t)z->spanned_pages) {
				snprintf(err, n, "check_page_alloc: %s cpu %d pcp list loops", z->name, cpu);
				return -EFAULT;
			}
		}
	}
	if (cnt != pcp->count) {
		snprintf(err, n, "check_page_alloc: %s cpu %d pcp count %d, lists hold %lld", z->name,
			 cpu, pcp->count, (long long)cnt);
		return -EFAULT;
	}
	return 0;
}

int check_page_alloc(struct vmlab *m, char *err, size_t n)
{
	int i, c;

	for (i = 0; i < m->nr_zones; i++) {
		struct zone *z = &m->zones[i];

		if (check_buddy_lists(m, z, err, n))
			return -EFAULT;
		for (c = 0; c < (int)m->cfg.nr_cpus; c++)
			if (check_pcp_lists(m, z, c, err, n))
				return -EFAULT;
	}
	return 0;
}
