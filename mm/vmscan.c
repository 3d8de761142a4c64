/* mm/vmscan.c - reclaim, first part: the clean, unmapped page cache.
 *
 * Mirrors mm/vmscan.c's outer structure: kswapd is woken when an allocation leaves a zone below
 * its low watermark and reclaims until the zone is above its high watermark (balance_pgdat);
 * an allocation that finds no zone above min reclaims itself first (direct reclaim,
 * try_to_free_pages, SWAP_CLUSTER_MAX = 32 pages a pass). shrink_inactive_list scans the
 * inactive file list from its old end and frees pages nobody maps, that are clean and that no
 * one holds an extra reference to (__remove_mapping), counting pgscan_* / pgsteal_*.
 *
 * Simplifications (this version): only unmapped clean page-cache pages are reclaimed; mapped
 * pages (which need try_to_unmap through the reverse map), dirty pages (pageout), anonymous
 * and shmem pages (swap), the active list and workingset shadow entries arrive with the swap
 * issue. kswapd runs synchronously inside the allocation that woke it.
 */
#include "mm/internal.h"

#define SWAP_CLUSTER_MAX 32

/* One pass over the inactive file list: frees up to nr pages. Returns the pages freed. */
static uint64_t shrink_inactive_file(struct vmlab *m, uint64_t nr, bool kswapd)
{
	struct list_head *head = &m->lru_lists[LRU_INACTIVE_FILE], *pos = head->prev;
	uint64_t scanned = 0, freed = 0, budget = m->lru_size[LRU_INACTIVE_FILE];

	while (pos != head && freed < nr && scanned < budget) {
		struct page *p = list_entry(pos, struct page, lru);
		struct address_space *mapping = p->mapping;

		pos = pos->prev;
		scanned++;
		if (p->_mapcount || p->_refcount != 1 || (p->flags & (PG_dirty | PG_anon)) ||
		    !mapping || mapping->host->shmem)
			continue;
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
