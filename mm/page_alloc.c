/* mm/page_alloc.c - zones, the buddy allocator, per-CPU page lists, watermarks.
 *
 * Mirrors mm/page_alloc.c: free_area_init (zones DMA < 16 MiB, DMA32 < 4 GiB, Normal above),
 * memblock_free_all (every frame not reserved goes to the buddy lists as the largest aligned
 * blocks), __rmqueue_smallest + expand (split), __free_one_page (merge with the buddy at
 * pfn ^ (1 << order)), per-CPU lists (rmqueue_pcplist, free_unref_page, batch/high from
 * zone_batchsize/zone_highsize), and the watermarks of __setup_per_zone_wmarks from
 * min_free_kbytes = int_sqrt(16 * lowmem_kbytes).
 *
 * Boot touches only the struct pages of free-block heads: a zero-filled struct page is a valid
 * free tail page, so a 64 GiB machine boots without committing its 1 GiB memmap.
 *
 * Simplifications: no migrate types or compaction; the pcp lists are those of CPU 0 (vmlab
 * runs every access on one CPU); no reclaim yet - below the min watermark an allocation
 * falls back to ignoring watermarks (the slow path is where reclaim will go).
 */
#include "mm/internal.h"

static const char *const zone_names[MAX_NR_ZONES] = {"DMA", "DMA32", "Normal"};
static const uint64_t zone_end_pfn_max[MAX_NR_ZONES] = {4096, 1ull << 20, ~0ull};
static const int lowmem_reserve_ratio[MAX_NR_ZONES] = {256, 256, 32};

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

/* ---- buddy core ------------------------------------------------------------------------ */

static inline void set_buddy(struct page *p, unsigned order, uint8_t zone)
{
	p->flags = PG_buddy;
	p->order = (uint8_t)order;
	p->zone = zone;
	p->_refcount = 0;
}

static inline void add_to_free_list(struct zone *z, struct page *p, unsigned order)
{
	set_buddy(p, order, (uint8_t)z->idx);
	list_add(&p->lru, &z->free_area[order].free_list);
	z->free_area[order].nr_free++;
}

static inline void del_from_free_list(struct zone *z, struct page *p, unsigned order)
{
	list_del(&p->lru);
	p->flags &= ~PG_buddy;
	z->free_area[order].nr_free--;
}

/* __free_one_page: merge with free buddies, then put the block on its free list. */
static void __free_one_page(struct vmlab *m, struct zone *z, uint64_t pfn, unsigned order)
{
	uint64_t zend = z->zone_start_pfn + z->spanned_pages;

	mod_zone_page_state(z, NR_FREE_PAGES, 1 << order);
	while (order < MAX_PAGE_ORDER) {
		uint64_t bpfn = pfn ^ (1ull << order);
		struct page *b;

		if (bpfn < z->zone_start_pfn || bpfn >= zend || bpfn >= m->max_pfn)
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

/* __rmqueue_smallest + expand: the smallest free block of at least `order`, split down. */
static struct page *__rmqueue(struct vmlab *m, struct zone *z, unsigned order)
{
	unsigned cur;

	for (cur = order; cur <= MAX_PAGE_ORDER; cur++) {
		struct free_area *area = &z->free_area[cur];
		struct page *p;
		uint64_t pfn;

		if (list_empty(&area->free_list))
			continue;
		p = list_first_entry(&area->free_list, struct page, lru);
		del_from_free_list(z, p, cur);
		pfn = page_to_pfn(m, p);
		while (cur > order) { /* expand: give back the upper halves */
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

static void free_pcppages_bulk(struct vmlab *m, struct zone *z, struct per_cpu_pages *pcp,
			       int count)
{
	unsigned order = 0;

	while (count > 0 && pcp->count > 0) {
		struct list_head *l = &pcp->lists[order];

		if (list_empty(l)) {
			order = (order + 1) % NR_PCP_ORDERS;
			continue;
		}
		{
			/* the oldest first: the tail of the list */
			struct page *p = list_last_entry(l, struct page, lru);

			list_del(&p->lru);
			p->flags &= ~PG_pcp;
			pcp->count -= 1 << order;
			count -= 1 << order;
			__free_one_page(m, z, page_to_pfn(m, p), order);
		}
	}
}

static struct page *rmqueue_pcplist(struct vmlab *m, struct zone *z, unsigned order)
{
	struct per_cpu_pages *pcp = &z->pcp[0];
	struct list_head *l = &pcp->lists[order];
	struct page *p;

	if (list_empty(l)) {
		/* rmqueue_bulk: refill with batch pages' worth of blocks */
		int i, n = MAX(1, pcp->batch >> order);

		for (i = 0; i < n; i++) {
			p = __rmqueue(m, z, order);
			if (!p)
				break;
			p->flags = PG_pcp;
			p->order = (uint8_t)order;
			list_add_tail(&p->lru, l);
			pcp->count += 1 << order;
		}
		if (list_empty(l))
			return NULL;
	}
	p = list_first_entry(l, struct page, lru);
	list_del(&p->lru);
	p->flags &= ~PG_pcp;
	pcp->count -= 1 << order;
	return p;
}

void drain_all_pages(struct vmlab *m)
{
	int i, c;

	for (i = 0; i < MAX_NR_ZONES; i++)
		for (c = 0; c < (int)m->cfg.nr_cpus; c++)
			free_pcppages_bulk(m, &m->zones[i], &m->zones[i].pcp[c],
					   m->zones[i].pcp[c].count);
}

/* ---- watermarks ---------------------------------------------------------------------------- */

bool zone_watermark_ok(const struct zone *z, unsigned order, uint64_t mark, int highest_zoneidx)
{
	int64_t free = z->vm_stat[NR_FREE_PAGES] - (int64_t)(1 << order) + 1;
	unsigned o;

	if (free <= (int64_t)mark + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;
	/* __zone_watermark_ok: a free block of at least this order must exist */
	for (o = order; o <= MAX_PAGE_ORDER; o++)
		if (z->free_area[o].nr_free)
			return true;
	return false;
}

static void setup_watermarks(struct vmlab *m)
{
	uint64_t lowmem_kb = 0, pages_min, total = 0;
	int i, j;

	for (i = 0; i < MAX_NR_ZONES; i++)
		total += m->zones[i].managed_pages;
	lowmem_kb = total * (PAGE_SIZE / 1024);
	m->min_free_kbytes = int_sqrt(lowmem_kb * 16);
	if (m->min_free_kbytes < 128)
		m->min_free_kbytes = 128;
	if (m->min_free_kbytes > 262144)
		m->min_free_kbytes = 262144;
	pages_min = m->min_free_kbytes >> (PAGE_SHIFT - 10);
	m->totalreserve_pages = 0;
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &m->zones[i];
		uint64_t tmp, delta, max_res = 0;

		if (!z->managed_pages)
			continue;
		tmp = pages_min * z->managed_pages / total;
		delta = MAX(tmp >> 2, z->managed_pages * 10 / 10000);
		z->_watermark[WMARK_MIN] = tmp;
		z->_watermark[WMARK_LOW] = tmp + delta;
		z->_watermark[WMARK_HIGH] = tmp + 2 * delta;
		z->_watermark[WMARK_PROMO] = tmp + 3 * delta;
		/* setup_per_zone_lowmem_reserve */
		for (j = i + 1; j < MAX_NR_ZONES; j++) {
			uint64_t upper = 0;
			int k;

			for (k = i + 1; k <= j; k++)
				upper += m->zones[k].managed_pages;
			z->lowmem_reserve[j] = (int64_t)(upper / (uint64_t)lowmem_reserve_ratio[i]);
			if ((uint64_t)z->lowmem_reserve[j] > max_res)
				max_res = (uint64_t)z->lowmem_reserve[j];
		}
		/* calculate_totalreserve_pages */
		max_res += z->_watermark[WMARK_HIGH];
		m->totalreserve_pages += MIN(max_res, z->managed_pages);
	}
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &m->zones[i];
		int c, batch;

		/* zone_batchsize */
		batch = (int)(MIN(z->managed_pages >> 10, (uint64_t)(1 << 20) / PAGE_SIZE) / 4);
		if (batch < 1)
			batch = 1;
		batch = (int)rounddown_pow_of_two((uint64_t)(batch + batch / 2)) - 1;
		if (batch < 1)
			batch = 1;
		for (c = 0; c < MAX_CPUS; c++) {
			int o;

			for (o = 0; o < NR_PCP_ORDERS; o++)
				INIT_LIST_HEAD(&z->pcp[c].lists[o]);
			z->pcp[c].batch = batch;
			/* zone_highsize: low watermark / CPUs, at least 4 batches */
			z->pcp[c].high = MAX((int)(z->_watermark[WMARK_LOW] / m->cfg.nr_cpus), 4 * batch);
		}
	}
}

/* ---- boot ---------------------------------------------------------------------------------- */

static bool reserved_pfn(struct vmlab *m, uint64_t pfn)
{
	return pfn < 256 || (pfn >= m->kernel_start_pfn && pfn < m->kernel_end_pfn);
}

int page_alloc_init(struct vmlab *m)
{
	uint64_t start = 0, pfn;
	int i, o;

	m->kernel_start_pfn = (m->max_pfn >= (64ull << 20) >> PAGE_SHIFT) ? (16ull << 20) >> PAGE_SHIFT
									   : 256;
	m->kernel_end_pfn = m->kernel_start_pfn + ((2ull << 20) >> PAGE_SHIFT);
	if (m->kernel_end_pfn > m->max_pfn)
		return -EINVAL;
	m->nr_zones = 0;
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &m->zones[i];
		uint64_t end = MIN(zone_end_pfn_max[i], m->max_pfn);

		z->name = zone_names[i];
		z->idx = i;
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			INIT_LIST_HEAD(&z->free_area[o].free_list);
		z->zone_start_pfn = start;
		z->spanned_pages = end > start ? end - start : 0;
		z->present_pages = z->spanned_pages;
		if (z->present_pages)
			m->nr_zones = i + 1;
		start = MAX(start, end);
	}
	/* reserved frames: the first MiB and the kernel image */
	m->reserved_pages = 0;
	{
		const uint64_t rs[2][2] = {{0, 256}, {m->kernel_start_pfn, m->kernel_end_pfn}};
		int r;

		for (r = 0; r < 2; r++) {
			for (pfn = rs[r][0]; pfn < rs[r][1]; pfn++) {
				struct page *p = pfn_to_page(m, pfn);
				int zi = pfn < 4096 ? ZONE_DMA : pfn < (1ull << 20) ? ZONE_DMA32 : ZONE_NORMAL;

				p->flags = PG_reserved;
				p->_refcount = 1;
				p->zone = (uint8_t)zi;
				m->reserved_pages++;
				m->zones[zi].managed_pages++; /* counts reserved here; inverted below */
			}
		}
	}
	m->totalram_pages = 0;
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &m->zones[i];

		z->managed_pages = z->present_pages - z->managed_pages;
		m->totalram_pages += z->managed_pages;
	}
	/* memblock_free_all: the largest aligned blocks that avoid reserved frames */
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &m->zones[i];
		uint64_t end = z->zone_start_pfn + z->spanned_pages;

		pfn = z->zone_start_pfn;
		while (pfn < end) {
			unsigned order = MAX_PAGE_ORDER;

			if (reserved_pfn(m, pfn)) {
				pfn++;
				continue;
			}
			while (order > 0 && ((pfn & ((1ull << order) - 1)) || pfn + (1ull << order) > end ||
					     (pfn < m->kernel_end_pfn &&
					      pfn + (1ull << order) > m->kernel_start_pfn)))
				order--;
			add_to_free_list(z, pfn_to_page(m, pfn), order);
			mod_zone_page_state(z, NR_FREE_PAGES, 1 << order);
			pfn += 1ull << order;
		}
	}
	setup_watermarks(m);
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

static struct page *rmqueue(struct vmlab *m, struct zone *z, unsigned order)
{
	if (order <= PAGE_ALLOC_COSTLY_ORDER)
		return rmqueue_pcplist(m, z, order);
	return __rmqueue(m, z, order);
}

struct page *alloc_pages(struct vmlab *m, gfp_t gfp, unsigned order)
{
	int high = (gfp & __GFP_DMA) ? ZONE_DMA : (gfp & __GFP_DMA32) ? ZONE_DMA32 : ZONE_NORMAL;
	struct page *p = NULL;
	int i, pass;

	if (order > MAX_PAGE_ORDER)
		return NULL;
	if (high >= m->nr_zones)
		high = m->nr_zones - 1;
	for (pass = 0; pass < 3 && !p; pass++) {
		/* pass 0: the fast path, above the min watermark; pass 1: the same after direct
		 * reclaim, and for user pages after the OOM killer freed another process; pass 2
		 * (kernel allocations only): the reserves below min. Kernel allocations do not
		 * reclaim in vmlab: they may sit inside slab or radix-tree updates that reclaim
		 * would re-enter. */
		if (pass == 1 && !((gfp & __GFP_MOVABLE) && try_to_free_pages(m, high)) &&
		    !((gfp & __GFP_MOVABLE) && !m->in_reclaim && out_of_memory(m) == 0))
			continue;
		if (pass == 2 && (gfp & __GFP_MOVABLE))
			break;
		for (i = high; i >= 0 && !p; i--) {
			struct zone *z = &m->zones[i];
			uint64_t mark = z->_watermark[WMARK_MIN];

			if (!z->managed_pages)
				continue;
			if (gfp & __GFP_HIGH)
				mark /= 2;
			if (pass < 2 && !zone_watermark_ok(z, order, mark, high))
				continue;
			p = rmqueue(m, z, order);
		}
		if (!p && pass == 1 && (gfp & __GFP_MOVABLE) && m->oom_retries++ < 64)
			pass = 0; /* the OOM killer freed memory: try again */
	}
	m->oom_retries = 0;
	if (!p)
		return NULL;
	p->flags = order ? PG_head : 0;
	p->order = (uint8_t)order;
	p->_refcount = 1;
	p->_mapcount = 0;
	p->mapping = NULL;
	p->index = 0;
	p->private = 0;
	count_vm_events(m, PGALLOC_DMA + p->zone, 1ull << order);
	if (gfp & __GFP_ZERO)
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

void free_pages(struct vmlab *m, struct page *p, unsigned order)
{
	struct zone *z = page_zone(m, p);

	VM_BUG_ON(p->_refcount != 1);
	VM_BUG_ON(p->flags & (PG_buddy | PG_pcp | PG_reserved | PG_lru));
	if (unlikely(explaining(m)))
		alloc_event(m, p, order, VMLAB_EV_FREE);
	count_vm_events(m, PGFREE, 1ull << order);
	p->_refcount = 0;
	p->_mapcount = 0;
	p->mapping = NULL;
	p->index = 0;
	p->private = 0;
	if (order <= PAGE_ALLOC_COSTLY_ORDER) {
		struct per_cpu_pages *pcp = &z->pcp[0];

		p->flags = PG_pcp;
		p->order = (uint8_t)order;
		list_add(&p->lru, &pcp->lists[order]);
		pcp->count += 1 << order;
		if (pcp->count > pcp->high)
			free_pcppages_bulk(m, z, pcp, pcp->batch);
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

int check_page_alloc(struct vmlab *m, char *err, size_t n)
{
	int i, o, c;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &m->zones[i];
		uint64_t zend = z->zone_start_pfn + z->spanned_pages, pages = 0;

		for (o = 0; o < NR_PAGE_ORDERS; o++) {
			struct list_head *pos;
			uint64_t cnt = 0;

			list_for_each(pos, &z->free_area[o].free_list) {
				struct page *p = list_entry(pos, struct page, lru);
				uint64_t pfn = page_to_pfn(m, p), b = pfn ^ (1ull << o);

				if (!(p->flags & PG_buddy) || p->order != o || p->zone != i ||
				    (pfn & ((1ull << o) - 1)) || pfn < z->zone_start_pfn ||
				    pfn + (1ull << o) > zend) {
					snprintf(err, n, "check_page_alloc: bad free block %llx order %d in %s",
						 (unsigned long long)pfn, o, z->name);
					return -EFAULT;
				}
				if (o < MAX_PAGE_ORDER && b < zend && b >= z->zone_start_pfn &&
				    b < m->max_pfn && (pfn_to_page(m, b)->flags & PG_buddy) &&
				    pfn_to_page(m, b)->order == o) {
					snprintf(err, n, "check_page_alloc: free buddies %llx and %llx not merged",
						 (unsigned long long)pfn, (unsigned long long)b);
					return -EFAULT;
				}
				cnt++;
				pages += 1ull << o;
			}
			if (cnt != z->free_area[o].nr_free) {
				snprintf(err, n, "check_page_alloc: %s order %d has %llu blocks, nr_free %llu",
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
		for (c = 0; c < (int)m->cfg.nr_cpus; c++) {
			struct per_cpu_pages *pcp = &z->pcp[c];
			int cnt = 0;

			for (o = 0; o < NR_PCP_ORDERS; o++) {
				struct list_head *pos;

				list_for_each(pos, &pcp->lists[o]) {
					struct page *p = list_entry(pos, struct page, lru);

					if (!(p->flags & PG_pcp) || p->order != o || p->zone != i) {
						snprintf(err, n, "check_page_alloc: bad pcp page %llx",
							 (unsigned long long)page_to_pfn(m, p));
						return -EFAULT;
					}
					cnt += 1 << o;
				}
			}
			if (cnt != pcp->count) {
				snprintf(err, n, "check_page_alloc: pcp count %d, lists hold %d", pcp->count, cnt);
				return -EFAULT;
			}
		}
	}
	return 0;
}
