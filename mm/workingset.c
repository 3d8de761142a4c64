/* mm/workingset.c - refault distances: was an evicted page part of the workingset?
 *
 * Mirrors mm/workingset.c (the classic two-list LRU part, not MGLRU): each lruvec has a clock,
 * nonresident_age, that advances on every eviction and activation. Evicting a page leaves a
 * shadow entry in its page-cache or swap-cache slot: the clock's value, the memcg's id and
 * whether the page was in the workingset (PG_workingset: it had been active). When the page
 * faults back in, the refault distance (clock now - clock then) says how many more pages of
 * memory would have kept it resident; if that is at most the workingset size (the active file
 * list, plus the anon lists when there is free swap, plus inactive file for anon pages), the
 * page is activated at once (workingset_activate_*) and, if it had been in the workingset
 * before, counted as a restore (workingset_restore_*). Every refault counts in
 * workingset_refault_{anon,file}.
 *
 * Simplifications: no shadow-node shrinker (shadows live until refault, truncation or swap-slot
 * reuse), no bucket_order (the clock is 64 bits wide and never needs coarsening).
 */
#include "mm/internal.h"

#define WORKINGSET_SHIFT 1
#define MEMCG_ID_SHIFT 16

void workingset_age_nonresident(struct vmlab *m, struct lruvec *lv, uint64_t nr)
{
	struct mem_cgroup *memcg = lv->memcg;

	/* the parents' virtual LRUs age with their children's */
	for (;;) {
		lv->nonresident_age += nr;
		if (!memcg || !memcg->parent)
			break;
		memcg = memcg->parent;
		lv = &memcg->lruvec;
	}
	(void)m;
}

/* workingset_eviction: the shadow entry for an evicted page (taken off the LRU already). */
uint64_t workingset_eviction(struct vmlab *m, struct page *page, struct mem_cgroup *target)
{
	struct lruvec *lv;
	uint64_t eviction;

	if (likely(!target && !page->memcg_id && !m->cfg.general_paths)) {
		/* the root's clock, which has no parents to age (memcg id 0 in the shadow) */
		lv = &m->root_mem_cgroup.lruvec;
		eviction = lv->nonresident_age++;
		return (eviction << (MEMCG_ID_SHIFT + WORKINGSET_SHIFT)) |
		       !!(page->flags & PG_workingset);
	}
	lv = target ? &target->lruvec : folio_lruvec(m, page);
	eviction = lv->nonresident_age;
	workingset_age_nonresident(m, lv, 1);
	return ((eviction << MEMCG_ID_SHIFT | (uint64_t)lv->memcg->id) << WORKINGSET_SHIFT) |
	       !!(page->flags & PG_workingset);
}

/* lruvec_state's value for the root: the node's count, never below 0 (the node items follow
 * enum lru_list, as mm/swap.c asserts) */
static inline uint64_t node_lru_pages(const struct vmlab *m, enum lru_list l)
{
	int64_t v = m->node_stat[NR_INACTIVE_ANON + l];

	return v > 0 ? (uint64_t)v : 0;
}

static __attribute__((noinline)) void refault_explain(struct vmlab *m, uint64_t distance,
						      uint64_t size, int workingset)
{
	explain_note(m, "workingset_refault: refault distance %llu <= workingset %llu pages: "
			"activate the page%s", (unsigned long long)distance,
		     (unsigned long long)size, workingset ? " (a workingset restore)" : "");
}

/* workingset_refault for a page of the root evicted from the root: the general steps below
 * with the root's values (online, no parents, no memcg events, lruvec_state the node's
 * counts, mem_cgroup_nr_swap_pages the global free swap). */
static inline void workingset_refault_root(struct vmlab *m, struct page *page, uint64_t shadow,
					   int file)
{
	struct lruvec *lv = &m->root_mem_cgroup.lruvec;
	uint64_t eviction = shadow >> (WORKINGSET_SHIFT + MEMCG_ID_SHIFT);
	uint64_t distance, size;

	mod_node_page_state(m, file ? WORKINGSET_REFAULT_FILE : WORKINGSET_REFAULT_ANON, 1);
	if (unlikely(!m->root_mem_cgroup.online))
		return;
	distance = lv->nonresident_age - eviction;
	size = node_lru_pages(m, LRU_ACTIVE_FILE);
	if (!file)
		size += node_lru_pages(m, LRU_INACTIVE_FILE);
	if (m->nr_swap_pages > 0) {
		size += node_lru_pages(m, LRU_ACTIVE_ANON);
		if (file)
			size += node_lru_pages(m, LRU_INACTIVE_ANON);
	}
	if (distance > size)
		return;
	page->flags |= PG_active;
	lv->nonresident_age++;
	lv->activate[file]++;
	mod_node_page_state(m, file ? WORKINGSET_ACTIVATE_FILE : WORKINGSET_ACTIVATE_ANON, 1);
	if (shadow & 1) {
		page->flags |= PG_workingset;
		mod_node_page_state(m, file ? WORKINGSET_RESTORE_FILE : WORKINGSET_RESTORE_ANON, 1);
	}
	if (unlikely(explaining(m)))
		refault_explain(m, distance, size, (int)(shadow & 1));
}

static __attribute__((noinline)) void workingset_refault_general(struct vmlab *m,
								 struct page *page, uint64_t shadow)
{
	int file = !(page->flags & PG_swapbacked);
	int workingset = (int)(shadow & 1);
	unsigned id = (unsigned)((shadow >> WORKINGSET_SHIFT) & ((1u << MEMCG_ID_SHIFT) - 1));
	uint64_t eviction = shadow >> (WORKINGSET_SHIFT + MEMCG_ID_SHIFT);
	struct mem_cgroup *ev_memcg;
	struct lruvec *lv, *elv;
	uint64_t distance, size;

	ev_memcg = id < (unsigned)m->nr_memcgs ? m->memcgs[id] : NULL;
	lv = folio_lruvec(m, page);
	mod_node_page_state(m, file ? WORKINGSET_REFAULT_FILE : WORKINGSET_REFAULT_ANON, 1);
	memcg_count_vm_event(m, page, file ? MEMCG_WS_REFAULT_FILE : MEMCG_WS_REFAULT_ANON);
	if (!ev_memcg || !ev_memcg->online)
		return;
	elv = &ev_memcg->lruvec;
	distance = elv->nonresident_age - eviction;
	/* the workingset the refault competes with (node-wide for the root) */
	size = lruvec_state(m, elv, LRU_ACTIVE_FILE);
	if (!file)
		size += lruvec_state(m, elv, LRU_INACTIVE_FILE);
	if (mem_cgroup_nr_swap_pages(m, ev_memcg) > 0) {
		size += lruvec_state(m, elv, LRU_ACTIVE_ANON);
		if (file)
			size += lruvec_state(m, elv, LRU_INACTIVE_ANON);
	}
	if (distance > size)
		return;
	page->flags |= PG_active;
	workingset_age_nonresident(m, lv, 1);
	lruvec_count_activate(m, lv, file);
	mod_node_page_state(m, file ? WORKINGSET_ACTIVATE_FILE : WORKINGSET_ACTIVATE_ANON, 1);
	memcg_count_vm_event(m, page, file ? MEMCG_WS_ACTIVATE_FILE : MEMCG_WS_ACTIVATE_ANON);
	if (workingset) {
		page->flags |= PG_workingset;
		mod_node_page_state(m, file ? WORKINGSET_RESTORE_FILE : WORKINGSET_RESTORE_ANON, 1);
		memcg_count_vm_event(m, page, file ? MEMCG_WS_RESTORE_FILE : MEMCG_WS_RESTORE_ANON);
	}
	if (unlikely(explaining(m)))
		refault_explain(m, distance, size, workingset);
}

/* workingset_refault: a page read back in for a slot that held `shadow`. May set PG_active and
 * PG_workingset before the caller puts the page on the LRU. */
void workingset_refault(struct vmlab *m, struct page *page, uint64_t shadow)
{
	/* memcg id 0 in the shadow: evicted from the root */
	if (likely(!(shadow & (((1ull << MEMCG_ID_SHIFT) - 1) << WORKINGSET_SHIFT)) &&
		   !page->memcg_id && !m->cfg.general_paths))
		workingset_refault_root(m, page, shadow, !(page->flags & PG_swapbacked));
	else
		workingset_refault_general(m, page, shadow);
}
