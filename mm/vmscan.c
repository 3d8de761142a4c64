/* mm/vmscan.c - reclaim, first part: the clean, unmapped page cache.
 *
 * Mirrors mm/vmscan.c's outer structure: kswapd is woken when an allocation leaves a zone below
 * its low watermark and reclaims until the zone is above its high watermark (balance_pgdat);
 * an allocation that finds no zone above min reclaims itself first (direct reclaim,
 * try_to_free_pages, SWAP_CLUSTER_MAX = 32 pages a pass). shrink_inactive_list scans the
 * inactive file list from its old end and frees pages nobody maps, that are clean and that no
 * one holds an extra reference to (__remove_mapping), counting pgscan_* / pgsteal_*.
 *
 * Page-cache pages of host files are reclaimed: folio_referenced tests and clears the young
 * bits of every PTE that maps the page (through the file's i_mmap list), Linux's second chance
 * keeps a referenced page (PG_referenced) and activates one referenced twice; an unreferenced
 * clean page is unmapped everywhere (try_to_unmap, with TLB invalidation) and freed.
 * shrink_active_list moves pages back to the inactive list when it is smaller.
 *
 * Simplifications (this version): dirty pages are skipped (pageout comes with the swap issue,
 * background writeback cleans them meanwhile); anonymous and shmem pages (swap) and workingset
 * shadow entries arrive with the swap issue. kswapd runs synchronously inside the allocation
 * that woke it.
 */
#include "mm/internal.h"

#define SWAP_CLUSTER_MAX 32

/* folio_referenced_one: counts and clears the young bit (no TLB flush, as x86's
 * ptep_clear_flush_young skips it). */
static int referenced_one(struct vmlab *m, struct vm_area_struct *vma, uint64_t addr,
			  pteval_t *ptep, struct page *page)
{
	(void)m;
	(void)vma;
	(void)addr;
	(void)page;
	if (!(*ptep & _PAGE_ACCESSED))
		return 0;
	*ptep &= ~_PAGE_ACCESSED;
	return 1;
}

/* A clean page only: a dirty PTE keeps the page (returns 1 = still mapped). */
static int dirty_one(struct vmlab *m, struct vm_area_struct *vma, uint64_t addr, pteval_t *ptep,
		     struct page *page)
{
	(void)m;
	(void)vma;
	(void)addr;
	(void)page;
	return pte_dirty(*ptep) ? 1 : 0;
}

/* try_to_unmap_one for a clean file page: the PTE becomes none. */
static int unmap_one(struct vmlab *m, struct vm_area_struct *vma, uint64_t addr, pteval_t *ptep,
		     struct page *page)
{
	*ptep = 0;
	flush_tlb_mm_range(m, vma->vm_mm, addr, addr + PAGE_SIZE);
	add_mm_counter(vma->vm_mm, MM_FILEPAGES, -1);
	page_remove_rmap(m, page);
	folio_put(m, page);
	return 0;
}

static void move_lru(struct vmlab *m, struct page *p, bool active)
{
	lruvec_del_folio(m, p);
	if (active)
		p->flags |= PG_active;
	else
		p->flags &= ~PG_active;
	/* folio_add_lru clears PG_active: re-add by hand to keep it */
	{
		enum lru_list l = active ? LRU_ACTIVE_FILE : LRU_INACTIVE_FILE;

		list_add(&p->lru, &m->lru_lists[l]);
		p->flags |= PG_lru;
		m->lru_size[l]++;
		mod_node_page_state(m, active ? NR_ACTIVE_FILE : NR_INACTIVE_FILE, 1);
		mod_zone_page_state(page_zone(m, p), active ? NR_ZONE_ACTIVE_FILE : NR_ZONE_INACTIVE_FILE, 1);
	}
}

/* shrink_active_list: the old end of the active file list goes back to inactive. */
static void shrink_active_file(struct vmlab *m, uint64_t nr)
{
	struct list_head *head = &m->lru_lists[LRU_ACTIVE_FILE];
	uint64_t n = 0;

	while (!list_empty(head) && n < nr &&
	       m->lru_size[LRU_INACTIVE_FILE] < m->lru_size[LRU_ACTIVE_FILE]) {
		struct page *p = list_last_entry(head, struct page, lru);

		p->flags &= ~PG_referenced;
		move_lru(m, p, false);
		count_vm_event(m, PGDEACTIVATE);
		count_vm_event(m, PGREFILL);
		n++;
	}
}

/* One pass over the inactive file list: frees up to nr pages. Returns the pages freed. */
static uint64_t shrink_inactive_file(struct vmlab *m, uint64_t nr, bool kswapd)
{
	struct list_head *head = &m->lru_lists[LRU_INACTIVE_FILE], *pos;
	uint64_t scanned = 0, freed = 0, budget;

	shrink_active_file(m, SWAP_CLUSTER_MAX);
	pos = head->prev;
	budget = m->lru_size[LRU_INACTIVE_FILE];

	while (pos != head && freed < nr && scanned < budget) {
		struct page *p = list_entry(pos, struct page, lru);
		struct address_space *mapping = p->mapping;

		pos = pos->prev;
		scanned++;
		if ((p->flags & (PG_dirty | PG_anon)) || !mapping || mapping->host->shmem ||
		    p->_refcount != p->_mapcount + 1)
			continue; /* dirty, not a file page, or someone holds it right now */
		if (p->_mapcount) {
			/* folio_check_references: second chance for referenced mapped pages */
			int young = rmap_walk_file(m, p, referenced_one);

			if (young) {
				if (p->flags & PG_referenced) {
					move_lru(m, p, true);
					count_vm_event(m, PGACTIVATE);
				} else {
					p->flags |= PG_referenced;
					list_move(&p->lru, head); /* rotate: keep it inactive */
				}
				continue;
			}
			if (rmap_walk_file(m, p, dirty_one))
				continue; /* written through a PTE: writeback first */
			rmap_walk_file(m, p, unmap_one);
			if (p->_mapcount || p->_refcount != 1)
				continue;
		}
		/* __remove_mapping: out of the page cache, then freed */
		xa_erase(&mapping->i_pages, p->index);
		mapping->nrpages--;
		mod_node_page_state(m, NR_FILE_PAGES, -1);
		folio_put(m, p);
		freed++;
	}
	count_vm_events(m, kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT, scanned);
	count_vm_events(m, kswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, freed);
	count_vm_events(m, PGSCAN_FILE, scanned);
	count_vm_events(m, PGSTEAL_FILE, freed);
	return freed;
}

static bool zone_balanced(struct vmlab *m, int z)
{
	struct zone *zone = &m->zones[z];

	return !zone->managed_pages || zone_free_pages(zone) >= zone->_watermark[WMARK_HIGH];
}

/* balance_pgdat: reclaim until every zone is above its high watermark, or nothing is left. */
void wakeup_kswapd(struct vmlab *m)
{
	int z;

	if (m->in_reclaim)
		return;
	m->in_reclaim = 1;
	count_vm_event(m, PAGEOUTRUN);
	for (z = 0; z < MAX_NR_ZONES; z++) {
		while (!zone_balanced(m, z)) {
			drain_all_pages(m); /* pcp pages count as free only in the buddy lists */
			if (zone_balanced(m, z) || !shrink_inactive_file(m, SWAP_CLUSTER_MAX, true))
				break;
		}
	}
	m->in_reclaim = 0;
	if (unlikely(explaining(m)))
		explain_note(m, "kswapd: reclaimed clean page cache up to the high watermarks");
}

/* try_to_free_pages: the allocating task reclaims a batch itself. */
uint64_t try_to_free_pages(struct vmlab *m, int highest_zoneidx)
{
	uint64_t freed;

	if (m->in_reclaim)
		return 0;
	m->in_reclaim = 1;
	count_vm_event(m, (enum vm_event_item)(ALLOCSTALL_DMA + highest_zoneidx));
	freed = shrink_inactive_file(m, SWAP_CLUSTER_MAX, false);
	drain_all_pages(m);
	m->in_reclaim = 0;
	return freed;
}
