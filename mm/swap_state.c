/* mm/swap_state.c - the swap cache and swap-in readahead.
 *
 * Mirrors mm/swap_state.c. A page being swapped out or in is kept in the swap cache, indexed
 * by its swap entry (PG_swapcache, page->private = the entry), so that every PTE holding the
 * entry (after fork) finds the same page, a page swapped back in keeps its slot until it is
 * written again (no second write while it stays clean), and readahead can bring neighbours in
 * ahead of their faults. The index is a table with one word per slot, as the swap table of
 * 6.18+ keeps it per cluster: a page, a workingset shadow left by its eviction, or nothing.
 * Swap-cache pages count in NR_FILE_PAGES and NR_SWAPCACHE (meminfo's SwapCached).
 *
 * Entry points: add_to_swap_cache, __delete_from_swap_cache, delete_from_swap_cache,
 * folio_free_swap (drop the cached copy once no PTE needs it), free_swap_and_cache (zap of a
 * swap PTE), lookup_swap_cache, read_swap_cache_async, swapin_readahead (VMA-based, as Linux
 * by default: up to 2^page_cluster PTEs around the fault in the same VMA and page table,
 * the window adapting to how many readahead pages were used, swap_ra / swap_ra_hit).
 *
 * Simplification: the readahead window is kept per VMA as Linux keeps it
 * (vma->swap_readahead_info); cluster-based readahead (rotating disks) is not modelled.
 */
#include "mm/internal.h"

#define SWAP_RA_ORDER_CEILING 5

static uint64_t *cache_slot(struct vmlab *m, swp_entry_t e)
{
	struct swap_info_struct *si = swp_swap_info(m, e);

	return si ? &si->swap_cache[swp_offset(e)] : NULL;
}

/* add_to_swap_cache: the slot must have SWAP_HAS_CACHE already. Takes a page reference for
 * the cache; returns the shadow the slot held (0 if none). */
uint64_t add_to_swap_cache(struct vmlab *m, struct page *page, swp_entry_t e)
{
	struct swap_info_struct *si = swp_swap_info(m, e);
	uint64_t *slot = &si->swap_cache[swp_offset(e)], shadow = 0;

	VM_BUG_ON(page->flags & PG_swapcache);
	if (*slot & 1)
		shadow = xa_to_value((void *)(uintptr_t)*slot);
	VM_BUG_ON(*slot && !(*slot & 1));
	*slot = (uint64_t)(uintptr_t)page;
	get_page(page);
	page->flags |= PG_swapcache | PG_swapbacked;
	page->private = e.val;
	si->nr_swapcache++;
	mod_node_page_state(m, NR_FILE_PAGES, 1); /* node-wide only, as node_stat_mod_folio */
	mod_page_stat(m, page, NR_SWAPCACHE, 1);
	return shadow;
}

/* __delete_from_swap_cache: the slot keeps `shadow` (0: nothing); no reference is dropped and
 * the slot's SWAP_HAS_CACHE is the caller's to clear. */
void __delete_from_swap_cache(struct vmlab *m, struct page *page, uint64_t shadow)
{
	swp_entry_t e = {page->private};
	struct swap_info_struct *si = swp_swap_info(m, e);

	VM_BUG_ON(!(page->flags & PG_swapcache));
	si->swap_cache[swp_offset(e)] = shadow ? (uint64_t)(uintptr_t)xa_mk_value(shadow) : 0;
	page->flags &= ~PG_swapcache;
	page->private = 0;
	si->nr_swapcache--;
	mod_node_page_state(m, NR_FILE_PAGES, -1);
	mod_page_stat(m, page, NR_SWAPCACHE, -1);
}

/* delete_from_swap_cache: out of the cache, the slot's cache bit cleared (the slot is freed if
 * nothing references it), and the cache's page reference dropped. */
void delete_from_swap_cache(struct vmlab *m, struct page *page)
{
	swp_entry_t e = {page->private};

	__delete_from_swap_cache(m, page, 0);
	swapcache_clear(m, e);
	folio_put(m, page);
}

/* folio_free_swap: frees the slot of a cached page that no PTE or shmem entry references any
 * more (the page itself stays, now only in memory). Returns true when it did. */
bool folio_free_swap(struct vmlab *m, struct page *page)
{
	swp_entry_t e = {page->private};

	if (!(page->flags & PG_swapcache) || __swap_count(m, e))
		return false;
	__delete_from_swap_cache(m, page, 0);
	swapcache_clear(m, e);
	folio_put(m, page);
	/* the page is newer than any copy now: it must be written if swapped out again */
	page->flags |= PG_dirty;
	return true;
}

/* free_swap_and_cache: a PTE (or shmem entry) holding e goes away. When that was the last
 * reference and the slot's cached page is unused, the page goes too. */
void free_swap_and_cache(struct vmlab *m, swp_entry_t e)
{
	uint64_t *slot = cache_slot(m, e);
	struct page *page;

	swap_free(m, e);
	if (!slot || !*slot || (*slot & 1))
		return;
	page = (struct page *)(uintptr_t)*slot;
	if (!__swap_count(m, e) && !page->_mapcount && page->_refcount == 1) {
		/* only the cache holds it: off the LRU and freed */
		__delete_from_swap_cache(m, page, 0);
		swapcache_clear(m, e);
		folio_put(m, page);
	}
}

/* The page cached for e with a reference taken, or NULL. */
static struct page *swap_cache_get(struct vmlab *m, swp_entry_t e)
{
	uint64_t *slot = cache_slot(m, e);
	struct page *page;

	if (!slot || !*slot || (*slot & 1))
		return NULL;
	page = (struct page *)(uintptr_t)*slot;
	get_page(page);
	return page;
}

/* lookup_swap_cache: the fault path's lookup. A hit on a page that readahead brought in counts
 * as swap_ra_hit and grows the VMA's readahead window. */
struct page *lookup_swap_cache(struct vmlab *m, swp_entry_t e, struct vm_area_struct *vma,
				uint64_t addr)
{
	struct page *page = swap_cache_get(m, e);
	bool readahead;

	if (!page)
		return NULL;
	readahead = (page->flags & PG_readahead) != 0;
	page->flags &= ~PG_readahead;
	if (vma) {
		/* the VMA's state moves to this address; a readahead page used is one more hit */
		uint64_t v = vma->swap_readahead_info ? vma->swap_readahead_info : 4;
		uint64_t win = (v >> 6) & 0x3f, hits = v & 0x3f;

		if (readahead && hits < 0x3f)
			hits++;
		vma->swap_readahead_info = ((addr >> PAGE_SHIFT) << 12) | (win << 6) | hits;
	}
	if (readahead)
		count_vm_event(m, SWAP_RA_HIT);
	return page;
}

/* __read_swap_cache_async: the page for e, from the cache or newly allocated, added to the
 * cache and the LRU (not yet read: *allocated says so). NULL when the entry went away or
 * memory ran out. The page comes with a reference for the caller. */
static struct page *__read_swap_cache_async(struct vmlab *m, swp_entry_t e, struct mm_struct *mm,
					    bool *allocated)
{
	struct page *page = swap_cache_get(m, e);
	uint64_t shadow;

	*allocated = false;
	if (page)
		return page;
	if (!__swap_count(m, e))
		return NULL; /* freed meanwhile: nothing to read ahead */
	alloc_reason(m, "a page read back from swap");
	page = alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0);
	if (!page)
		return NULL;
	if (swapcache_prepare(m, e)) {
		/* reclaim inside the allocation may have cached or freed it */
		free_pages(m, page, 0);
		return swap_cache_get(m, e);
	}
	page->flags |= PG_swapbacked | PG_uptodate;
	if (mem_cgroup_swapin_charge(m, page, mm, e)) {
		swapcache_clear(m, e);
		free_pages(m, page, 0);
		return NULL;
	}
	shadow = add_to_swap_cache(m, page, e);
	if (shadow)
		workingset_refault(m, page, shadow);
	folio_add_lru(m, page);
	*allocated = true;
	return page;
}

/* The swap-in of a page that one PTE references from a synchronous-I/O device (do_swap_page's
 * "skip swapcache" path): a new page read at once, never in the swap cache. The slot's cache
 * bit is held while it is read (swapcache_prepare), as Linux does against racing faults. The
 * page comes with a reference for the caller; NULL when memory ran out. */
struct page *swapin_direct(struct vmlab *m, swp_entry_t e, struct mm_struct *mm)
{
	struct swap_info_struct *si = swp_swap_info(m, e);
	uint64_t *slot = &si->swap_cache[swp_offset(e)];
	struct page *page;

	alloc_reason(m, "a page read back from swap");
	page = alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0);
	if (!page)
		return NULL;
	if (swapcache_prepare(m, e)) {
		free_pages(m, page, 0);
		return NULL;
	}
	page->flags |= PG_swapbacked | PG_uptodate;
	page->private = e.val; /* for swap_read_folio, and the memcg's swap ownership */
	if (mem_cgroup_swapin_charge(m, page, mm, e)) {
		page->private = 0;
		swapcache_clear(m, e);
		free_pages(m, page, 0);
		return NULL;
	}
	if (*slot & 1)
		workingset_refault(m, page, xa_to_value((void *)(uintptr_t)*slot));
	folio_add_lru(m, page);
	if (swap_read_folio(m, page) > 0)
		disk_request(m, 1);
	page->private = 0;
	/* the cache bit goes; the PTE's reference stays until do_swap_page frees it */
	si->swap_map[swp_offset(e)] &= ~SWAP_HAS_CACHE;
	return page;
}

/* __swapin_nr_pages: Linux's heuristic for the window from readahead hits and the distance to
 * the previous fault ("+ 2 just happens to work well"). */
static unsigned swapin_nr_pages(uint64_t prev, uint64_t cur, unsigned hits, unsigned max_pages,
				unsigned prev_win)
{
	unsigned pages = hits + 2, last_ra;

	if (pages == 2) {
		if (cur != prev + 1 && cur + 1 != prev)
			pages = 1;
	} else {
		unsigned roundup = 4;

		while (roundup < pages)
			roundup <<= 1;
		pages = roundup;
	}
	if (pages > max_pages)
		pages = max_pages;
	last_ra = prev_win / 2;
	if (pages < last_ra)
		pages = last_ra;
	return pages;
}

/* Reads page e into the cache (or finds it there); counts a read in *nr_read. */
static struct page *read_one(struct vmlab *m, swp_entry_t e, struct mm_struct *mm, bool ra,
			     uint64_t *nr_read)
{
	bool allocated;
	struct page *page = __read_swap_cache_async(m, e, mm, &allocated);

	if (page && allocated) {
		if (swap_read_folio(m, page) > 0)
			(*nr_read)++;
		if (ra) {
			page->flags |= PG_readahead;
			count_vm_event(m, SWAP_RA);
		}
	}
	return page;
}

/* swapin_readahead (swap_vma_readahead): reads the faulting entry and the swap entries of up
 * to `win` PTEs around it in the same VMA and page table. Returns the faulting page with a
 * reference, or NULL when memory ran out or the entry is gone. */
struct page *swapin_readahead(struct vmlab *m, swp_entry_t e, struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned max_win = 1u << MIN(m->page_cluster, SWAP_RA_ORDER_CEILING), win = 1;
	uint64_t fpfn = vmf->address >> PAGE_SHIFT, nr_read = 0, start = fpfn, end = fpfn + 1;
	struct page *page;

	if (max_win > 1) {
		uint64_t v = vma->swap_readahead_info ? vma->swap_readahead_info : 4;
		uint64_t prev = v >> 12;
		unsigned prev_win = (unsigned)((v >> 6) & 0x3f), hits = (unsigned)(v & 0x3f);
		uint64_t lo = MAX(vma->vm_start, vmf->address & ~(PMD_SIZE - 1)) >> PAGE_SHIFT;
		uint64_t hi = MIN(vma->vm_end, (vmf->address & ~(PMD_SIZE - 1)) + PMD_SIZE) >> PAGE_SHIFT;

		win = swapin_nr_pages(prev, fpfn, hits, max_win, prev_win);
		vma->swap_readahead_info = (fpfn << 12) | ((uint64_t)win << 6);
		if (win > 1) {
			if (fpfn == prev + 1) {
				start = fpfn;
				end = fpfn + win;
			} else if (prev == fpfn + 1) {
				start = fpfn + 1 - win;
				end = fpfn + 1;
			} else {
				start = fpfn - (win - 1) / 2;
				end = start + win;
			}
			start = MAX(start, lo);
			end = MIN(end, hi);
		}
	}
	if (win > 1) {
		uint64_t pfn;

		for (pfn = start; pfn < end; pfn++) {
			pteval_t pte = vmf->pte[(int64_t)pfn - (int64_t)fpfn];
			swp_entry_t re;
			struct page *p;

			if (pfn == fpfn || !is_swap_pte(pte))
				continue;
			re = pte_to_swp_entry(pte);
			p = read_one(m, re, vma->vm_mm, true, &nr_read);
			if (p)
				folio_put(m, p);
		}
	}
	page = read_one(m, e, vma->vm_mm, false, &nr_read);
	disk_request(m, nr_read); /* the window is one request */
	if (unlikely(explaining(m)) && win > 1)
		explain_note(m, "swapin_readahead: window of %u pages around the fault, %llu read "
				"from the swap device", win, (unsigned long long)nr_read);
	return page;
}

/* shmem_swapin: reads one swap entry of a shmem object back (no readahead); the page comes
 * with a reference and is in the swap cache. NULL when memory ran out. */
struct page *read_swap_cache_page(struct vmlab *m, swp_entry_t e, struct mm_struct *mm, bool *major)
{
	uint64_t nr_read = 0;
	struct page *page = lookup_swap_cache(m, e, NULL, 0);

	*major = false;
	if (page)
		return page;
	page = read_one(m, e, mm, false, &nr_read);
	disk_request(m, nr_read);
	*major = page != NULL;
	return page;
}
