/* mm/vmscan.c - page reclaim: kswapd, direct reclaim, memcg reclaim, and the shared machinery
 * that frees a chosen page.
 *
 * Mirrors mm/vmscan.c (the classic two-list LRU, not MGLRU):
 *   balance_pgdat         kswapd, woken when an allocation leaves a zone below its low
 *                         watermark: priority 12 down to 1 until some eligible zone is above
 *                         its high watermark (pgdat_balanced), aging the anon list first
 *   do_try_to_free_pages  direct reclaim (try_to_free_pages, SWAP_CLUSTER_MAX = 32 pages) and
 *                         memcg limit reclaim (try_to_free_mem_cgroup_pages): priority 12 down
 *                         to 0 until the target is met
 *   shrink_node           over the target cgroup's tree (shrink_node_memcgs), each lruvec
 *                         shrunk by the replacement policy (mm/policy/)
 *   shrink_lruvec         the linux policy: get_scan_count (swappiness 60, anon/file cost,
 *                         cache trim mode, file_is_tiny), shrink_inactive_list and
 *                         shrink_active_list in SWAP_CLUSTER_MAX batches, inactive_is_low
 *   shrink_folio_list     for each victim: folio_check_references (second chance: a page
 *                         referenced once is kept with PG_referenced, twice activated; exec
 *                         file pages activated at once), folio_alloc_swap for anonymous pages,
 *                         try_to_unmap through the reverse map (TLB invalidated), pageout of
 *                         dirty pages (swap or file writeback), __remove_mapping with a
 *                         workingset shadow, free
 *
 * Counters as Linux: pgscan/pgsteal_{kswapd,direct} (global reclaim only), pgscan/pgsteal_
 * {anon,file}, pgrefill, pgactivate, pgdeactivate, pglazyfreed, nr_vmscan_write, allocstall,
 * pageoutrun, kswapd_{low,high}_wmark_hit_quickly, workingset_* (mm/workingset.c).
 *
 * Simplifications, each also labelled below: kswapd runs synchronously inside the allocation
 * that woke it; I/O is synchronous, so reclaim writes a dirty file page itself and frees it in
 * the same pass (Linux leaves file writeback to the flusher and reclaims the page when the
 * write completes); a page that someone holds besides its mappings and cache (a fault in
 * progress) is skipped before it is unmapped (Linux unmaps it and the fault retries).
 */
#include "mm/internal.h"
#include "mm/policy/policy.h"

#define SWAP_CLUSTER_MAX 32
#define DEF_PRIORITY 12
#define MAX_SWAPPINESS 200
#define DEACTIVATE_ANON 1u
#define DEACTIVATE_FILE 2u

enum folio_references { FOLIOREF_RECLAIM, FOLIOREF_RECLAIM_CLEAN, FOLIOREF_KEEP, FOLIOREF_ACTIVATE };
enum pageout_t { PAGE_KEEP, PAGE_ACTIVATE, PAGE_SUCCESS };

struct reclaim_stat {
	uint64_t nr_pageout, nr_unmap_fail, nr_activate[2];
};

static inline bool is_file_lru(enum lru_list l)
{
	return l == LRU_INACTIVE_FILE || l == LRU_ACTIVE_FILE;
}

static inline bool folio_is_file_lru(const struct page *p)
{
	return !(p->flags & PG_swapbacked);
}

static inline bool cgroup_reclaim(const struct scan_control *sc)
{
	return sc->target_mem_cgroup != NULL;
}

/* An LRU list's size in the sense of lruvec_page_state: node-wide for the root (global
 * reclaim's target), the cgroup's hierarchical count otherwise. */
uint64_t lruvec_state(struct vmlab *m, struct lruvec *lv, enum lru_list l)
{
	static const enum node_stat_item node_item[NR_LRU_LISTS] = {
		NR_INACTIVE_ANON, NR_ACTIVE_ANON, NR_INACTIVE_FILE, NR_ACTIVE_FILE, NR_UNEVICTABLE};
	static const enum memcg_stat_item memcg_item[NR_LRU_LISTS] = {
		MEMCG_INACTIVE_ANON, MEMCG_ACTIVE_ANON, MEMCG_INACTIVE_FILE, MEMCG_ACTIVE_FILE,
		MEMCG_UNEVICTABLE};
	int64_t v = lv->memcg->id ? lv->memcg->stat[memcg_item[l]] : m->node_stat[node_item[l]];

	return v > 0 ? (uint64_t)v : 0;
}

void lruvec_count_activate(struct vmlab *m, struct lruvec *lv, int file)
{
	struct mem_cgroup *memcg = lv->memcg;

	(void)m;
	for (;;) {
		memcg->lruvec.activate[file]++;
		if (!memcg->parent)
			break;
		memcg = memcg->parent;
	}
}

/* ---- deciding about one page -------------------------------------------------------------- */

/* folio_check_references: the second-chance rules of the inactive list. */
static enum folio_references folio_check_references(struct vmlab *m, struct page *p)
{
	uint64_t vm_flags;
	int referenced_ptes = folio_referenced(m, p, &vm_flags);
	int referenced_folio;

	if (vm_flags & VM_LOCKED) {
		mlock_folio(m, p); /* found in an mlocked VMA: to the unevictable list */
		return FOLIOREF_ACTIVATE;
	}
	referenced_folio = (p->flags & PG_referenced) != 0;
	p->flags &= ~PG_referenced;
	if (referenced_ptes) {
		/* every mapped page starts with the references of the fault that mapped it: look
		 * twice before activating */
		p->flags |= PG_referenced;
		if (referenced_folio || referenced_ptes > 1)
			return FOLIOREF_ACTIVATE;
		if ((vm_flags & VM_EXEC) && folio_is_file_lru(p))
			return FOLIOREF_ACTIVATE; /* executable file pages after their first use */
		return FOLIOREF_KEEP;
	}
	if (referenced_folio && folio_is_file_lru(p))
		return FOLIOREF_RECLAIM_CLEAN;
	return FOLIOREF_RECLAIM;
}

/* The references an isolated page may have and still be reclaimed: its mappings, its page or
 * swap cache, and the reclaimer's. */
static int expected_refs(const struct page *p)
{
	int cache = (p->flags & PG_swapcache) || (!(p->flags & PG_anon) && p->mapping);

	return p->_mapcount + cache + 1;
}

/* folio_alloc_swap: a swap slot and the swap cache for an anonymous page. 0 or -ENOMEM (swap
 * full, or the cgroup's memory.swap.max reached). */
static int folio_alloc_swap(struct vmlab *m, struct page *p)
{
	swp_entry_t e = folio_alloc_swap_slot(m);

	if (!e.val)
		return -ENOMEM;
	if (mem_cgroup_try_charge_swap(m, p, e)) {
		swapcache_clear(m, e);
		return -ENOMEM;
	}
	add_to_swap_cache(m, p, e);
	return 0;
}

/* pageout: writes a dirty page to its backing store (swap, the shmem object's swap, or the
 * file); on success the page is clean. */
static enum pageout_t pageout(struct vmlab *m, struct page *p)
{
	if (p->flags & PG_swapcache)
		return swap_writeout(m, p) ? PAGE_ACTIVATE : PAGE_SUCCESS;
	if (p->flags & PG_swapbacked) /* shmem: moves to the swap cache, then to swap */
		return shmem_writeout(m, p) ? PAGE_ACTIVATE : PAGE_SUCCESS;
	if (filemap_writeout_page(m, p))
		return PAGE_KEEP; /* the host write failed: the page stays dirty */
	mod_node_page_state(m, NR_VMSCAN_WRITE, 1);
	return PAGE_SUCCESS;
}

/* __remove_mapping: a clean, unmapped page leaves its page or swap cache, leaving a workingset
 * shadow behind (file LRU pages and swap-cache pages). Only the reclaimer's reference remains
 * afterwards. */
static bool __remove_mapping(struct vmlab *m, struct page *p, struct scan_control *sc)
{
	if (p->_refcount != 2 || (p->flags & PG_dirty))
		return false;
	if (p->flags & PG_swapcache) {
		swp_entry_t e = {p->private};
		uint64_t shadow = workingset_eviction(m, p, sc->target_mem_cgroup);

		__delete_from_swap_cache(m, p, shadow);
		mem_cgroup_swapout(m, p, e); /* after the statistics of the cache left */
		swapcache_clear(m, e);
	} else {
		struct address_space *mapping = p->mapping;
		int shmem = mapping->host->shmem;
		uint64_t shadow = shmem ? 0 : workingset_eviction(m, p, sc->target_mem_cgroup);

		if (shadow)
			xa_store(&mapping->i_pages, p->index, xa_mk_value(shadow));
		else
			xa_erase(&mapping->i_pages, p->index);
		mapping->nrpages--;
		mod_node_page_state(m, NR_FILE_PAGES, -1);
		memcg_mod_stat(m, p, MEMCG_FILE, -1);
		if (shmem) {
			mod_node_page_state(m, NR_SHMEM, -1);
			memcg_mod_stat(m, p, MEMCG_SHMEM, -1);
		}
		p->mapping = NULL;
	}
	folio_put(m, p); /* the cache's reference */
	return true;
}

/* shrink_folio_list: tries to free each isolated page of list. Survivors stay on list (with
 * PG_active set when they are to be activated) for the caller to put back. Returns the pages
 * freed. */
static uint64_t shrink_folio_list(struct vmlab *m, struct list_head *list, struct scan_control *sc,
				  bool ignore_references, struct reclaim_stat *stat)
{
	LIST_HEAD(ret);
	uint64_t nr_reclaimed = 0, pgactivate = 0;

	while (!list_empty(list)) {
		struct page *p = list_last_entry(list, struct page, lru);
		enum folio_references references = FOLIOREF_RECLAIM;
		int file;

		list_del(&p->lru);
		sc->nr_scanned++;
		if (p->flags & (PG_mlocked | PG_unevictable))
			goto activate;
		if (!ignore_references) {
			references = folio_check_references(m, p);
			if (references == FOLIOREF_ACTIVATE)
				goto activate;
			if (references == FOLIOREF_KEEP)
				goto keep;
		}
		/* Simplification: a page a fault in progress holds is not unmapped (Linux unmaps it
		 * and the fault's pte_same check retries) */
		if (p->_refcount != expected_refs(p))
			goto keep;
		if ((p->flags & (PG_anon | PG_swapbacked | PG_swapcache)) == (PG_anon | PG_swapbacked)) {
			if (!sc->may_swap || folio_alloc_swap(m, p))
				goto activate;
			p->flags |= PG_dirty; /* the copy on swap does not exist yet */
		}
		if (p->_mapcount && (!sc->may_unmap || !try_to_unmap(m, p))) {
			stat->nr_unmap_fail++;
			goto activate;
		}
		if (p->flags & PG_dirty) {
			if (references == FOLIOREF_RECLAIM_CLEAN || !sc->may_writepage)
				goto keep;
			switch (pageout(m, p)) {
			case PAGE_KEEP:
				goto keep;
			case PAGE_ACTIVATE:
				goto activate;
			case PAGE_SUCCESS:
				stat->nr_pageout++;
				break;
			}
		}
		if ((p->flags & (PG_anon | PG_swapbacked)) == PG_anon) {
			/* a lazily freed page nobody wrote again: discarded */
			if (p->_refcount != 1)
				goto keep;
			count_vm_event(m, PGLAZYFREED);
			memcg_count_vm_event(m, p, MEMCG_PGLAZYFREED);
		} else if (!__remove_mapping(m, p, sc)) {
			goto keep;
		}
		nr_reclaimed++;
		if (unlikely(explaining(m)))
			explain_note(m, "reclaim: frame 0x%llx freed (%s page)",
				     (unsigned long long)page_to_pfn(m, p),
				     (p->flags & PG_swapbacked) ? "anonymous/shmem" : "file");
		folio_put(m, p); /* the reclaimer's reference: the page is free */
		continue;
activate:
		/* not a candidate for swapping now: give its slot back when swap is scarce */
		if ((p->flags & PG_swapcache) && (vm_swap_full(m) || (p->flags & PG_mlocked)))
			folio_free_swap(m, p);
		if (!(p->flags & PG_mlocked)) {
			file = folio_is_file_lru(p);
			p->flags |= PG_active;
			stat->nr_activate[file]++;
			pgactivate++;
			memcg_count_vm_event(m, p, MEMCG_PGACTIVATE);
		}
keep:
		list_add(&p->lru, &ret);
	}
	list_splice(&ret, list);
	count_vm_events(m, PGACTIVATE, pgactivate);
	return nr_reclaimed;
}

/* Puts every page of list back on its LRU list (move_folios_to_lru); activated pages age the
 * workingset clock. */
static void move_folios_to_lru(struct vmlab *m, struct lruvec *lv, struct list_head *list)
{
	while (!list_empty(list)) {
		struct page *p = list_last_entry(list, struct page, lru);

		list_del(&p->lru);
		if (p->flags & PG_active)
			workingset_age_nonresident(m, lv, 1);
		folio_putback_lru(m, p);
	}
}

/* The common case of an exact policy's victim, swapped out without the general machinery: an
 * anonymous page of the root group, not in the swap cache, that one PTE maps (in an anon_vma
 * of one VMA, not mlocked), with swap in host memory (whose writes cannot fail). The state it
 * leaves is the one shrink_folio_list leaves, step for step: off the LRU; a new slot holding
 * this PTE's reference; the PTE a swap entry, its TLB entry flushed; the page written
 * (pswpout, or the zeromap); the slot keeps the workingset shadow; the page freed. What the
 * general path adds and removes again within the call (the swap cache's page and reference,
 * the slot's SWAP_HAS_CACHE, NR_SWAPCACHE, isolation) is left out. False, with nothing done,
 * for any other page. */
static bool reclaim_exact_anon(struct vmlab *m, struct page *p, struct scan_control *sc)
{
	const uint32_t mask = PG_lru | PG_unevictable | PG_mlocked | PG_anon | PG_swapbacked |
			      PG_swapcache;
	struct swap_info_struct *si = m->nr_swapfiles ? m->swap_info[0] : NULL;
	struct vm_area_struct *vma;
	uint64_t addr, off, shadow;
	pteval_t *ptep;
	swp_entry_t e;

	if ((p->flags & mask) != (PG_lru | PG_anon | PG_swapbacked) || p->_refcount != 1 ||
	    p->_mapcount != 1 || p->memcg_id || !si || !si->store || sc->target_mem_cgroup ||
	    !sc->may_swap || !sc->may_unmap || !sc->may_writepage || unlikely(explaining(m)) ||
	    m->cfg.general_paths)
		return false;
	ptep = anon_single_pte(m, p, &vma, &addr);
	if (!ptep)
		return false;
	e = folio_alloc_swap_slot(m);
	if (!e.val)
		return false;
	off = swp_offset(e);
	lruvec_del_folio(m, p);
	sc->nr_scanned++;
	si->swap_map[off] = 1; /* the PTE's reference (the cache bit came and went) */
	unmap_one_anon(m, p, vma, addr, ptep, e);
	p->flags |= PG_swapcache | PG_dirty; /* as swap_writeout expects it */
	p->private = e.val;
	swap_writeout(m, p);
	shadow = workingset_eviction(m, p, NULL);
	si->swap_cache[off] = shadow ? (uint64_t)(uintptr_t)xa_mk_value(shadow) : 0;
	p->flags &= ~PG_swapcache;
	p->private = 0;
	return true;
}

/* The vmstat counts of one page an exact policy chose: scanned, and freed or not. */
static inline void count_exact_reclaim(struct vmlab *m, const struct scan_control *sc, int file,
				uint64_t freed)
{
	if (!cgroup_reclaim(sc)) {
		count_vm_event(m, sc->kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT);
		count_vm_events(m, sc->kswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, freed);
	}
	count_vm_event(m, file ? PGSCAN_FILE : PGSCAN_ANON);
	count_vm_events(m, file ? PGSTEAL_FILE : PGSTEAL_ANON, freed);
}

/* Reclaims one page chosen by an exact policy: isolated, tried, put back if it must stay.
 * Returns 1 when it was freed. */
int reclaim_one_folio(struct vmlab *m, struct page *p, struct scan_control *sc)
{
	struct lruvec *lv = folio_lruvec(m, p);
	struct reclaim_stat stat = {0};
	LIST_HEAD(list);
	int file = folio_is_file_lru(p);
	uint64_t freed;

	if (!(p->flags & PG_lru) || (p->flags & PG_unevictable))
		return 0;
	if (reclaim_exact_anon(m, p, sc)) {
		folio_put(m, p);
		freed = 1;
		goto count;
	}
	folio_isolate_lru(m, p);
	list_add(&p->lru, &list);
	freed = shrink_folio_list(m, &list, sc, true, &stat);
count:
	count_exact_reclaim(m, sc, file, freed);
	/* an exact policy decided: a survivor goes back without an activation */
	if (!list_empty(&list)) {
		p->flags &= ~PG_active;
		move_folios_to_lru(m, lv, &list);
	}
	sc->nr_reclaimed += freed;
	return (int)freed;
}

/* ---- the linux policy: scanning the lists ------------------------------------------------- */

/* isolate_lru_folios: up to nr pages from the old end of list l. */
static uint64_t isolate_lru_folios(struct vmlab *m, struct lruvec *lv, enum lru_list l, uint64_t nr,
				   struct list_head *dst)
{
	struct list_head *src = &lv->lists[l];
	uint64_t taken = 0;

	while (taken < nr && !list_empty(src)) {
		struct page *p = list_last_entry(src, struct page, lru);

		folio_isolate_lru(m, p);
		list_add(&p->lru, dst);
		taken++;
	}
	return taken;
}

static uint64_t shrink_inactive_list(struct vmlab *m, uint64_t nr_to_scan, struct lruvec *lv,
				     struct scan_control *sc, enum lru_list l)
{
	LIST_HEAD(list);
	struct reclaim_stat stat = {0};
	bool file = is_file_lru(l);
	uint64_t taken = isolate_lru_folios(m, lv, l, nr_to_scan, &list), freed;

	if (!taken)
		return 0;
	if (!cgroup_reclaim(sc))
		count_vm_events(m, sc->kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT, taken);
	memcg_count_vm_events(m, lv->memcg, sc->kswapd ? MEMCG_PGSCAN_KSWAPD : MEMCG_PGSCAN_DIRECT, taken);
	count_vm_events(m, file ? PGSCAN_FILE : PGSCAN_ANON, taken);
	freed = shrink_folio_list(m, &list, sc, false, &stat);
	move_folios_to_lru(m, lv, &list);
	if (!cgroup_reclaim(sc))
		count_vm_events(m, sc->kswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, freed);
	memcg_count_vm_events(m, lv->memcg, sc->kswapd ? MEMCG_PGSTEAL_KSWAPD : MEMCG_PGSTEAL_DIRECT, freed);
	count_vm_events(m, file ? PGSTEAL_FILE : PGSTEAL_ANON, freed);
	lru_note_cost(m, lv, file, stat.nr_pageout, taken - freed);
	return freed;
}

/* shrink_active_list: the old end of an active list goes back to the inactive list, young bits
 * cleared on the way; referenced executable file pages stay active. */
static void shrink_active_list(struct vmlab *m, uint64_t nr_to_scan, struct lruvec *lv,
			       struct scan_control *sc, enum lru_list l)
{
	LIST_HEAD(hold);
	LIST_HEAD(active);
	LIST_HEAD(inactive);
	bool file = is_file_lru(l);
	uint64_t taken = isolate_lru_folios(m, lv, l, nr_to_scan, &hold), rotated = 0, deact = 0;

	(void)sc;
	if (!taken)
		return;
	count_vm_events(m, PGREFILL, taken);
	memcg_count_vm_events(m, lv->memcg, MEMCG_PGREFILL, taken);
	while (!list_empty(&hold)) {
		struct page *p = list_last_entry(&hold, struct page, lru);
		uint64_t vm_flags;

		list_del(&p->lru);
		if (folio_referenced(m, p, &vm_flags) && (vm_flags & VM_EXEC) && folio_is_file_lru(p)) {
			rotated++;
			list_add(&p->lru, &active);
			continue;
		}
		if (vm_flags & VM_LOCKED)
			mlock_folio(m, p);
		p->flags &= ~PG_active;
		p->flags |= PG_workingset;
		list_add(&p->lru, &inactive);
		deact++;
	}
	move_folios_to_lru(m, lv, &active);
	move_folios_to_lru(m, lv, &inactive);
	count_vm_events(m, PGDEACTIVATE, deact);
	memcg_count_vm_events(m, lv->memcg, MEMCG_PGDEACTIVATE, deact);
	if (rotated)
		lru_note_cost(m, lv, file, 0, rotated);
}

/* inactive_is_low: the inactive list should hold 1/(1+ratio) of the type's pages, ratio =
 * sqrt(10 x GiB of the lists) (1 below a GiB). */
static bool inactive_is_low(struct vmlab *m, struct lruvec *lv, enum lru_list inactive_lru)
{
	uint64_t inactive = lruvec_state(m, lv, inactive_lru);
	uint64_t active = lruvec_state(m, lv, (enum lru_list)(inactive_lru + 1));
	uint64_t gb = (inactive + active) >> (30 - PAGE_SHIFT), ratio = 1;

	if (gb) {
		ratio = 1;
		while ((ratio + 1) * (ratio + 1) <= 10 * gb)
			ratio++;
	}
	return inactive * ratio < active;
}

static bool can_reclaim_anon_pages(struct vmlab *m, struct mem_cgroup *memcg)
{
	return mem_cgroup_nr_swap_pages(m, memcg) > 0;
}

enum scan_balance { SCAN_EQUAL, SCAN_FRACT, SCAN_ANON, SCAN_FILE };

/* prepare_scan_control: how much the active lists may be deactivated, and the cache trim and
 * tiny-file modes, from the target's lists. */
static void prepare_scan_control(struct vmlab *m, struct scan_control *sc)
{
	struct mem_cgroup *target = sc->target_mem_cgroup ? sc->target_mem_cgroup : &m->root_mem_cgroup;
	struct lruvec *lv = &target->lruvec;

	sc->anon_cost = lv->anon_cost;
	sc->file_cost = lv->file_cost;
	if (!sc->force_deactivate) {
		/* refaults mean a new workingset forms: deactivate stale active pages quickly */
		if (lv->activate[0] != lv->refaults[0] || inactive_is_low(m, lv, LRU_INACTIVE_ANON))
			sc->may_deactivate |= DEACTIVATE_ANON;
		else
			sc->may_deactivate &= ~DEACTIVATE_ANON;
		if (lv->activate[1] != lv->refaults[1] || inactive_is_low(m, lv, LRU_INACTIVE_FILE))
			sc->may_deactivate |= DEACTIVATE_FILE;
		else
			sc->may_deactivate &= ~DEACTIVATE_FILE;
	} else {
		sc->may_deactivate = DEACTIVATE_ANON | DEACTIVATE_FILE;
	}
	/* plenty of inactive page cache that is not thrashing: reclaim it before anon */
	sc->cache_trim_mode = (lruvec_state(m, lv, LRU_INACTIVE_FILE) >> sc->priority) &&
			      !(sc->may_deactivate & DEACTIVATE_FILE);
	if (!cgroup_reclaim(sc)) {
		/* the file LRU is almost gone: a runaway file reclaim would thrash it */
		uint64_t wmark = 0, file = lruvec_state(m, lv, LRU_ACTIVE_FILE) +
					   lruvec_state(m, lv, LRU_INACTIVE_FILE);
		int z;

		for (z = 0; z < MAX_NR_ZONES; z++)
			wmark += m->zones[z]._watermark[WMARK_HIGH];
		sc->file_is_tiny = file + global_free_pages(m) <= wmark &&
				   !(sc->may_deactivate & DEACTIVATE_ANON) &&
				   (lruvec_state(m, lv, LRU_INACTIVE_ANON) >> sc->priority);
	}
}

/* get_scan_count: how many pages of each list to scan at this priority. */
static void get_scan_count(struct vmlab *m, struct lruvec *lv, struct scan_control *sc, uint64_t nr[])
{
	int swappiness = m->swappiness;
	enum scan_balance balance;
	uint64_t fraction[2] = {0, 0}, denominator = 1;
	int l;

	if (!sc->may_swap || !can_reclaim_anon_pages(m, lv->memcg))
		balance = SCAN_FILE;
	else if (cgroup_reclaim(sc) && !swappiness)
		balance = SCAN_FILE;
	else if (!sc->priority && swappiness)
		balance = SCAN_EQUAL;
	else if (sc->file_is_tiny)
		balance = SCAN_ANON;
	else if (sc->cache_trim_mode)
		balance = SCAN_FILE;
	else {
		/* calculate_pressure_balance: pressure inverse to each type's reclaim cost, at
		 * least a third of it before swappiness */
		uint64_t total = sc->anon_cost + sc->file_cost;
		uint64_t anon_cost = total + sc->anon_cost, file_cost = total + sc->file_cost;
		uint64_t ap, fp;

		total = anon_cost + file_cost;
		ap = (uint64_t)swappiness * (total + 1) / (anon_cost + 1);
		fp = (uint64_t)(MAX_SWAPPINESS - swappiness) * (total + 1) / (file_cost + 1);
		fraction[0] = ap;
		fraction[1] = fp;
		denominator = ap + fp;
		balance = SCAN_FRACT;
	}
	for (l = 0; l < LRU_UNEVICTABLE; l++) {
		bool file = is_file_lru((enum lru_list)l);
		uint64_t scan = lv->nr_pages[l] >> sc->priority;

		switch (balance) {
		case SCAN_EQUAL:
			break;
		case SCAN_FRACT:
			scan = denominator ? scan * fraction[file] / denominator : 0;
			break;
		case SCAN_FILE:
		case SCAN_ANON:
			if ((balance == SCAN_FILE) != file)
				scan = 0;
			break;
		}
		nr[l] = scan;
	}
}

static uint64_t shrink_list(struct vmlab *m, enum lru_list l, uint64_t nr, struct lruvec *lv,
			    struct scan_control *sc)
{
	if (l == LRU_ACTIVE_ANON || l == LRU_ACTIVE_FILE) {
		if (sc->may_deactivate & (is_file_lru(l) ? DEACTIVATE_FILE : DEACTIVATE_ANON))
			shrink_active_list(m, nr, lv, sc, l);
		else
			sc->skipped_deactivate = 1;
		return 0;
	}
	return shrink_inactive_list(m, nr, lv, sc, l);
}

/* shrink_lruvec: the linux policy's reclaim of one lruvec (the vm_policy_ops shrink). */
void shrink_lruvec(struct vmlab *m, struct lruvec *lv, struct scan_control *sc)
{
	uint64_t nr[NR_LRU_LISTS] = {0}, targets[NR_LRU_LISTS], reclaimed = 0;
	bool proportional = !cgroup_reclaim(sc) && !sc->kswapd && sc->priority == DEF_PRIORITY;
	int l;

	get_scan_count(m, lv, sc, nr);
	memcpy(targets, nr, sizeof(nr));
	while (nr[LRU_INACTIVE_ANON] || nr[LRU_ACTIVE_FILE] || nr[LRU_INACTIVE_FILE]) {
		uint64_t nr_anon, nr_file, pct;
		int lru;

		for (l = 0; l < LRU_UNEVICTABLE; l++) {
			if (nr[l]) {
				uint64_t n = MIN(nr[l], (uint64_t)SWAP_CLUSTER_MAX);

				nr[l] -= n;
				reclaimed += shrink_list(m, (enum lru_list)l, n, lv, sc);
			}
		}
		if (sc->nr_reclaimed + reclaimed < sc->nr_to_reclaim || proportional)
			continue;
		/* the target is met: finish the smaller type in proportion, stop the other */
		nr_file = nr[LRU_INACTIVE_FILE] + nr[LRU_ACTIVE_FILE];
		nr_anon = nr[LRU_INACTIVE_ANON] + nr[LRU_ACTIVE_ANON];
		if (!nr_file || !nr_anon)
			break;
		if (nr_file > nr_anon) {
			pct = nr_anon * 100 / (targets[LRU_INACTIVE_ANON] + targets[LRU_ACTIVE_ANON] + 1);
			lru = LRU_INACTIVE_ANON;
		} else {
			pct = nr_file * 100 / (targets[LRU_INACTIVE_FILE] + targets[LRU_ACTIVE_FILE] + 1);
			lru = LRU_INACTIVE_FILE;
		}
		nr[lru] = nr[lru + 1] = 0;
		lru = lru == LRU_INACTIVE_FILE ? LRU_INACTIVE_ANON : LRU_INACTIVE_FILE;
		for (l = lru; l <= lru + 1; l++) {
			uint64_t scanned = targets[l] - nr[l];

			nr[l] = targets[l] * (100 - pct) / 100;
			nr[l] -= MIN(nr[l], scanned);
		}
	}
	sc->nr_reclaimed += reclaimed;
	/* keep the anon inactive list from running dry */
	if (can_reclaim_anon_pages(m, lv->memcg) && inactive_is_low(m, lv, LRU_INACTIVE_ANON))
		shrink_active_list(m, SWAP_CLUSTER_MAX, lv, sc, LRU_ACTIVE_ANON);
}

/* shrink_node: every lruvec of the target's cgroup tree (shrink_node_memcgs), in id order;
 * memory.min protects a group always, memory.low unless nothing else could be reclaimed. */
static void shrink_node(struct vmlab *m, struct scan_control *sc)
{
	struct mem_cgroup *target = sc->target_mem_cgroup ? sc->target_mem_cgroup : &m->root_mem_cgroup;
	int id;

	if (!m->policy_exact)
		prepare_scan_control(m, sc);
	for (id = 0; id < m->nr_memcgs; id++) {
		struct mem_cgroup *memcg = m->memcgs[id];

		if (!memcg || !mem_cgroup_is_descendant(memcg, target))
			continue;
		if (memcg != target && memcg->usage <= memcg->min)
			continue;
		if (memcg != target && memcg->usage <= memcg->low) {
			if (!sc->memcg_low_reclaim) {
				sc->memcg_low_skipped = 1;
				continue;
			}
			memcg->events[MEMCG_LOW]++;
		}
		m->policy->shrink(m, &memcg->lruvec, sc);
		/* direct reclaim stops as soon as it has its batch */
		if (!sc->kswapd && !cgroup_reclaim(sc) && sc->nr_reclaimed >= sc->nr_to_reclaim)
			break;
	}
}

static void snapshot_refaults(struct vmlab *m, struct mem_cgroup *target)
{
	struct lruvec *lv = &(target ? target : &m->root_mem_cgroup)->lruvec;

	lv->refaults[0] = lv->activate[0];
	lv->refaults[1] = lv->activate[1];
}

/* do_try_to_free_pages: priority 12 down to 0 until nr_to_reclaim pages are freed; if that
 * failed because deactivation or memory.low held back, once more without them. */
static uint64_t do_try_to_free_pages(struct vmlab *m, struct scan_control *sc)
{
	int initial = sc->priority;

retry:
	do {
		sc->nr_scanned = 0;
		shrink_node(m, sc);
		if (sc->nr_reclaimed >= sc->nr_to_reclaim)
			break;
	} while (--sc->priority >= 0);
	snapshot_refaults(m, sc->target_mem_cgroup);
	if (sc->nr_reclaimed)
		return sc->nr_reclaimed;
	if (sc->skipped_deactivate) {
		sc->priority = initial;
		sc->force_deactivate = 1;
		sc->skipped_deactivate = 0;
		goto retry;
	}
	if (sc->memcg_low_skipped) {
		sc->priority = initial;
		sc->force_deactivate = 0;
		sc->memcg_low_reclaim = 1;
		sc->memcg_low_skipped = 0;
		goto retry;
	}
	return 0;
}

/* try_to_free_pages: direct reclaim by the allocating task. */
uint64_t try_to_free_pages(struct vmlab *m, int highest_zoneidx)
{
	struct scan_control sc = {.nr_to_reclaim = SWAP_CLUSTER_MAX, .priority = DEF_PRIORITY,
				  .reclaim_idx = highest_zoneidx, .may_writepage = 1,
				  .may_unmap = 1, .may_swap = 1};
	uint64_t freed;

	if (m->in_reclaim)
		return 0;
	m->in_reclaim = 1;
	count_vm_event(m, (enum vm_event_item)(ALLOCSTALL_DMA + highest_zoneidx));
	freed = do_try_to_free_pages(m, &sc);
	drain_all_pages(m);
	m->in_reclaim = 0;
	return freed;
}

/* try_to_free_mem_cgroup_pages: reclaim inside a cgroup over its limit. */
uint64_t try_to_free_mem_cgroup_pages(struct vmlab *m, struct mem_cgroup *memcg, uint64_t nr_pages,
				      bool may_swap)
{
	struct scan_control sc = {.nr_to_reclaim = MAX(nr_pages, (uint64_t)SWAP_CLUSTER_MAX),
				  .priority = DEF_PRIORITY, .reclaim_idx = MAX_NR_ZONES - 1,
				  .target_mem_cgroup = memcg, .may_writepage = 1, .may_unmap = 1,
				  .may_swap = may_swap};
	uint64_t freed;

	if (m->in_reclaim)
		return 0;
	m->in_reclaim = 1;
	freed = do_try_to_free_pages(m, &sc);
	m->in_reclaim = 0;
	return freed;
}

/* ---- kswapd ------------------------------------------------------------------------------- */

/* pgdat_balanced: some eligible zone is above its high watermark (with lowmem reserves). */
static bool pgdat_balanced(struct vmlab *m, int highest_zoneidx)
{
	bool any = false;
	int z;

	for (z = 0; z <= highest_zoneidx && z < MAX_NR_ZONES; z++) {
		struct zone *zone = &m->zones[z];

		if (!zone->managed_pages)
			continue;
		any = true;
		if (zone_watermark_ok(zone, 0, zone->_watermark[WMARK_HIGH], highest_zoneidx))
			return true;
	}
	return !any;
}

static int kswapd_zoneidx(struct vmlab *m)
{
	int z = MAX_NR_ZONES - 1;

	while (z > 0 && !m->zones[z].managed_pages)
		z--;
	return z;
}

/* balance_pgdat, run synchronously (Simplification: kswapd is a thread in Linux, woken by the
 * allocation and running beside it). */
void wakeup_kswapd(struct vmlab *m)
{
	int high = kswapd_zoneidx(m), z;
	struct scan_control sc = {.priority = DEF_PRIORITY, .reclaim_idx = high, .may_unmap = 1,
				  .may_swap = 1, .may_writepage = 1, .kswapd = 1};
	uint64_t before;

	if (m->in_reclaim)
		return;
	drain_all_pages(m); /* pcp pages count as free only on the buddy lists */
	if (pgdat_balanced(m, high)) {
		count_vm_event(m, KSWAPD_HIGH_WMARK_HIT_QUICKLY);
		return;
	}
	m->in_reclaim = 1;
	count_vm_event(m, PAGEOUTRUN);
	do {
		uint64_t nr_reclaimed = sc.nr_reclaimed;
		bool raise = true;

		drain_all_pages(m);
		if (pgdat_balanced(m, high))
			break;
		/* kswapd_age_node: keep some anon pages on the inactive list */
		if (m->total_swap_pages && !m->policy_exact &&
		    inactive_is_low(m, &m->root_mem_cgroup.lruvec, LRU_INACTIVE_ANON)) {
			int id;

			for (id = 0; id < m->nr_memcgs; id++)
				if (m->memcgs[id])
					shrink_active_list(m, SWAP_CLUSTER_MAX, &m->memcgs[id]->lruvec,
							   &sc, LRU_ACTIVE_ANON);
		}
		/* kswapd_shrink_node: the high watermarks' worth */
		sc.nr_to_reclaim = 0;
		for (z = 0; z <= high; z++)
			if (m->zones[z].managed_pages)
				sc.nr_to_reclaim += MAX(m->zones[z]._watermark[WMARK_HIGH],
							(uint64_t)SWAP_CLUSTER_MAX);
		before = sc.nr_reclaimed;
		sc.nr_scanned = 0;
		shrink_node(m, &sc);
		if (MAX(sc.nr_scanned, sc.nr_reclaimed - before) >= sc.nr_to_reclaim)
			raise = false;
		if (raise || sc.nr_reclaimed == nr_reclaimed)
			sc.priority--;
	} while (sc.priority >= 1);
	if (!sc.nr_reclaimed)
		m->kswapd_failures++;
	else
		m->kswapd_failures = 0;
	snapshot_refaults(m, NULL);
	drain_all_pages(m);
	m->in_reclaim = 0;
	if (unlikely(explaining(m)))
		explain_note(m, "kswapd: reclaimed %llu pages towards the high watermarks",
			     (unsigned long long)sc.nr_reclaimed);
}

/* ---- the resident limit of the exact policies ---------------------------------------------- */

/* Before a user page is allocated: evict down to resident_pages - 1 pages by the policy.
 * Returns false when nothing could be evicted (the allocation then fails: out of memory). */
bool reclaim_resident(struct vmlab *m)
{
	uint64_t limit = m->cfg.resident_pages;
	struct scan_control sc = {.priority = 0, .reclaim_idx = MAX_NR_ZONES - 1, .may_unmap = 1,
				  .may_swap = 1, .may_writepage = 1};

	if (m->in_reclaim || m->nr_user_pages < limit)
		return true;
	m->in_reclaim = 1;
	sc.nr_to_reclaim = m->nr_user_pages - limit + 1;
	if (m->policy_exact) {
		m->policy->shrink(m, &m->root_mem_cgroup.lruvec, &sc);
	} else {
		/* the linux policy: as a limit on the root group, a batch at a time */
		sc.nr_to_reclaim = MAX(sc.nr_to_reclaim, (uint64_t)SWAP_CLUSTER_MAX);
		sc.priority = DEF_PRIORITY;
		do_try_to_free_pages(m, &sc);
	}
	m->in_reclaim = 0;
	return m->nr_user_pages < limit;
}

/* Host-side only: asks the host's cache for what the next evictions will read first, since
 * the list's tail was touched long ago: the PTE of the next victim (found from its struct
 * page, which the previous call asked for) and the struct page of the one after it. Reads
 * only; a stale guess costs a little time and nothing else. */
static inline void prefetch_victims(struct vmlab *m, struct lruvec *lv)
{
	struct page *n, *after;
	struct anon_vma *av;
	struct vm_area_struct *vma;
	uint64_t addr;
	struct pde_cache_entry *pc;

	if (list_empty(&lv->policy_list))
		return;
	n = list_last_entry(&lv->policy_list, struct page, lru);
	after = list_entry(n->lru.prev, struct page, lru);
	prefetch_line(after);
	if (!(n->flags & PG_anon) || !(av = n->mapping) || list_empty(&av->chains))
		return;
	vma = list_entry(av->chains.next, struct anon_vma_chain, same_anon_vma)->vma;
	if (n->index < vma->vm_pgoff)
		return;
	addr = vma->vm_start + ((n->index - vma->vm_pgoff) << PAGE_SHIFT);
	pc = pde_slot(&m->cpu, addr);
	if (pc->va == pde_key(&m->cpu, addr))
		prefetch_line((pteval_t *)pfn_to_virt(m, pc->pfn) + pte_index(addr));
}

/* reclaim_resident's common case, lean: the resident limit is reached (not passed) under an
 * exact policy that evicts its list's tail (lru, fifo), and the tail is a page that
 * reclaim_exact_anon handles. The page is evicted exactly as policy_shrink_tail and
 * reclaim_one_folio would evict it, and comes back with its last reference, off every list,
 * ready for free_pages: alloc_pages then frees it or hands it on (see there). NULL, with
 * nothing done, when the general reclaim_resident must run. */
struct page *reclaim_resident_lean(struct vmlab *m)
{
	struct lruvec *lv = &m->root_mem_cgroup.lruvec;
	struct scan_control sc = {.priority = 0, .reclaim_idx = MAX_NR_ZONES - 1, .may_unmap = 1,
				  .may_swap = 1, .may_writepage = 1, .nr_to_reclaim = 1};
	struct page *p;

	if (m->nr_user_pages != m->cfg.resident_pages || m->policy->shrink != policy_shrink_tail ||
	    list_empty(&lv->policy_list))
		return NULL;
	p = list_last_entry(&lv->policy_list, struct page, lru);
	m->in_reclaim = 1;
	if (!reclaim_exact_anon(m, p, &sc)) {
		m->in_reclaim = 0;
		return NULL;
	}
	folio_unref_last(m, p);
	m->in_reclaim = 0;
	count_exact_reclaim(m, &sc, 0, 1);
	prefetch_victims(m, lv);
	return p;
}

/* ---- madvise(MADV_PAGEOUT) -------------------------------------------------------------------- */

/* reclaim_pages: reclaims an isolated list at once, ignoring references. Survivors go back. */
uint64_t reclaim_pages(struct vmlab *m, struct list_head *list)
{
	struct scan_control sc = {.nr_to_reclaim = UINT64_MAX, .priority = DEF_PRIORITY,
				  .reclaim_idx = MAX_NR_ZONES - 1, .may_writepage = 1, .may_unmap = 1,
				  .may_swap = 1, .proactive = 1};
	struct reclaim_stat stat = {0};
	uint64_t freed;

	if (m->in_reclaim)
		return 0;
	m->in_reclaim = 1;
	freed = shrink_folio_list(m, list, &sc, true, &stat);
	while (!list_empty(list)) {
		struct page *p = list_last_entry(list, struct page, lru);

		list_del(&p->lru);
		folio_putback_lru(m, p);
	}
	m->in_reclaim = 0;
	return freed;
}
