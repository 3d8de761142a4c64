/* mm/swap.c - LRU plumbing and the final release of user pages.
 *
 * Mirrors mm/swap.c: folio_add_lru (a new page joins its lruvec's evictable set through the
 * replacement policy, or the unevictable list when mlocked), lruvec_del_folio,
 * folio_isolate_lru / folio_putback_lru (reclaim takes pages off and puts the survivors back),
 * folio_deactivate (MADV_COLD), lru_note_cost (the anon/file balance), and folio_put (the last
 * reference frees the page, taking it off the LRU first). Each memory cgroup has its own
 * lruvec; pages of processes in no group sit in the root's.
 *
 * Counters: every LRU page is counted by type and activity in its lruvec, the node and its
 * zone (NR_{IN,}ACTIVE_{ANON,FILE}, NR_UNEVICTABLE), and in m->nr_user_pages (what the
 * resident limit of the exact policies counts).
 *
 * Simplification: pages reach the lists at once (Linux batches them per CPU in folio_batch,
 * FOLIO_BATCH_SIZE = 31, before they reach the list).
 */
#include "mm/internal.h"
#include "mm/policy/policy.h"

#define SWAP_CLUSTER_MAX 32

enum lru_list folio_lru_list(const struct page *p)
{
	int file = !(p->flags & PG_swapbacked);

	if (p->flags & PG_unevictable)
		return LRU_UNEVICTABLE;
	return (enum lru_list)(2 * file + !!(p->flags & PG_active));
}

/* The node and zone items of an LRU list follow enum lru_list, as NR_LRU_BASE + lru does in
 * Linux, so one addition finds them. */
_Static_assert(NR_ACTIVE_ANON == NR_INACTIVE_ANON + LRU_ACTIVE_ANON &&
		       NR_INACTIVE_FILE == NR_INACTIVE_ANON + LRU_INACTIVE_FILE &&
		       NR_ACTIVE_FILE == NR_INACTIVE_ANON + LRU_ACTIVE_FILE &&
		       NR_UNEVICTABLE == NR_INACTIVE_ANON + LRU_UNEVICTABLE,
	       "node LRU items in enum lru_list order");
_Static_assert(NR_ZONE_ACTIVE_ANON == NR_ZONE_INACTIVE_ANON + LRU_ACTIVE_ANON &&
		       NR_ZONE_INACTIVE_FILE == NR_ZONE_INACTIVE_ANON + LRU_INACTIVE_FILE &&
		       NR_ZONE_ACTIVE_FILE == NR_ZONE_INACTIVE_ANON + LRU_ACTIVE_FILE &&
		       NR_ZONE_UNEVICTABLE == NR_ZONE_INACTIVE_ANON + LRU_UNEVICTABLE,
	       "zone LRU items in enum lru_list order");

/* lv is p's lruvec (folio_lruvec), whose group is the root exactly when p->memcg_id is 0. */
static inline void lru_stat(struct vmlab *m, struct lruvec *lv, const struct page *p,
			    enum lru_list l, int64_t d)
{
	lv->nr_pages[l] += (uint64_t)d;
	m->nr_user_pages += (uint64_t)d;
	mod_node_page_state(m, (enum node_stat_item)(NR_INACTIVE_ANON + l), d);
	mod_zone_page_state(page_zone(m, p), (enum zone_stat_item)(NR_ZONE_INACTIVE_ANON + l), d);
	if (unlikely(p->memcg_id))
		memcg_mod_lru(m, lv->memcg, l, d);
}

/* The common case of folio_add_lru and lruvec_del_folio: an evictable page of the root under
 * a policy whose list operations are policy_list_add_head and policy_list_del (lru, fifo),
 * done without a call so that the caller's fast path stays a leaf. `general_paths` turns it
 * off (tests/unit/test_fastpath.c compares the two). m->policy_access_to_head (lru, unless
 * general_paths) comes first: it implies list_at_head (see vm_policy_ops). */
static inline bool lru_lean_ok(const struct vmlab *m, const struct page *p, uint32_t lru_flag)
{
	return (p->flags & (PG_lru | PG_unevictable)) == lru_flag && !p->memcg_id &&
	       (m->policy_access_to_head || (m->policy->list_at_head && !m->cfg.general_paths));
}

/* folio_lru_list of an evictable page */
static inline enum lru_list lru_evictable_list(const struct page *p)
{
	return (enum lru_list)((p->flags & PG_swapbacked ? 0 : LRU_INACTIVE_FILE) +
			       !!(p->flags & PG_active));
}

static inline void lru_stat_root(struct vmlab *m, const struct page *p, enum lru_list l, int64_t d)
{
	lru_stat(m, &m->root_mem_cgroup.lruvec, p, l, d);
}

static __attribute__((noinline)) void folio_add_lru_general(struct vmlab *m, struct page *p)
{
	struct lruvec *lv = folio_lruvec(m, p);
	enum lru_list l = folio_lru_list(p);

	VM_BUG_ON(p->flags & PG_lru);
	p->flags |= PG_lru;
	lru_stat(m, lv, p, l, 1);
	if (l == LRU_UNEVICTABLE)
		list_add(&p->lru, &lv->lists[LRU_UNEVICTABLE]);
	else
		m->policy->add(m, lv, p);
}

void folio_add_lru(struct vmlab *m, struct page *p)
{
	enum lru_list l;

	if (unlikely(!lru_lean_ok(m, p, 0))) {
		folio_add_lru_general(m, p);
		return;
	}
	l = lru_evictable_list(p);
	p->flags |= PG_lru;
	lru_stat_root(m, p, l, 1);
	list_add(&p->lru, &m->root_mem_cgroup.lruvec.policy_list);
}

static __attribute__((noinline)) void lruvec_del_folio_general(struct vmlab *m, struct page *p)
{
	struct lruvec *lv = folio_lruvec(m, p);
	enum lru_list l = folio_lru_list(p);

	VM_BUG_ON(!(p->flags & PG_lru));
	if (l == LRU_UNEVICTABLE)
		list_del(&p->lru);
	else
		m->policy->del(m, lv, p);
	p->flags &= ~PG_lru;
	lru_stat(m, lv, p, l, -1);
}

void lruvec_del_folio(struct vmlab *m, struct page *p)
{
	enum lru_list l;

	if (unlikely(!lru_lean_ok(m, p, PG_lru))) {
		lruvec_del_folio_general(m, p);
		return;
	}
	l = lru_evictable_list(p);
	list_del(&p->lru);
	p->flags &= ~PG_lru;
	lru_stat_root(m, p, l, -1);
}

/* folio_isolate_lru: takes p off its LRU with a reference for the caller (reclaim). */
void folio_isolate_lru(struct vmlab *m, struct page *p)
{
	lruvec_del_folio(m, p);
	get_page(p);
}

/* folio_putback_lru: back on the LRU (active if PG_active was set), the caller's reference
 * dropped; the page is freed if that was the last one. */
void folio_putback_lru(struct vmlab *m, struct page *p)
{
	if (p->flags & PG_mlocked)
		p->flags |= PG_unevictable;
	folio_add_lru(m, p);
	folio_put(m, p);
}

/* folio_deactivate (MADV_COLD): the policy moves p towards the victim end. */
void folio_deactivate(struct vmlab *m, struct page *p)
{
	if (!(p->flags & PG_lru) || (p->flags & PG_unevictable) || !m->policy->deactivate)
		return;
	m->policy->deactivate(m, folio_lruvec(m, p), p);
}

/* lru_note_cost: reclaim effort (I/O counted 32 times a rotation) biases get_scan_count away
 * from the type that costs more; a floating average, halved when it outgrows a quarter of the
 * LRU. Applied to the lruvec and its parents. */
void lru_note_cost(struct vmlab *m, struct lruvec *lv, int file, uint64_t nr_io, uint64_t nr_rotated)
{
	uint64_t cost = nr_io * SWAP_CLUSTER_MAX + nr_rotated;
	struct mem_cgroup *memcg = lv->memcg;

	for (;;) {
		uint64_t lrusize = lruvec_state(m, lv, LRU_INACTIVE_ANON) +
				   lruvec_state(m, lv, LRU_ACTIVE_ANON) +
				   lruvec_state(m, lv, LRU_INACTIVE_FILE) +
				   lruvec_state(m, lv, LRU_ACTIVE_FILE);

		if (file)
			lv->file_cost += cost;
		else
			lv->anon_cost += cost;
		if (lv->file_cost + lv->anon_cost > lrusize / 4) {
			lv->file_cost /= 2;
			lv->anon_cost /= 2;
		}
		if (!memcg->parent)
			break;
		memcg = memcg->parent;
		lv = &memcg->lruvec;
	}
}

void folio_put(struct vmlab *m, struct page *p)
{
	VM_BUG_ON(p->_refcount <= 0);
	if (p->_refcount > 1) {
		p->_refcount--;
		return;
	}
	folio_unref_last(m, p);
	free_pages(m, p, 0);
}

/* What folio_put does when the last reference goes, short of freeing the page. */
void folio_unref_last(struct vmlab *m, struct page *p)
{
	VM_BUG_ON(p->_mapcount != 0);
	if (unlikely(p->flags & (PG_swapcache | PG_lru | PG_mlocked))) {
		VM_BUG_ON(p->flags & PG_swapcache);
		if (p->flags & PG_lru)
			lruvec_del_folio(m, p);
		if (p->flags & PG_mlocked)
			mod_zone_page_state(page_zone(m, p), NR_MLOCK, -1);
	}
	if (p->memcg_id) /* (a page of the root has nothing to uncharge) */
		mem_cgroup_uncharge(m, p);
	p->flags &= ~(PG_anon | PG_anon_exclusive | PG_swapbacked | PG_dirty | PG_uptodate |
		      PG_referenced | PG_active | PG_unevictable | PG_mlocked | PG_workingset |
		      PG_readahead | PG_zerofill);
	p->mapping = NULL;
	p->index = 0;
	p->private = 0;
}

/* ---- the linux policy's lists (mm/policy/linux.c uses these) -------------------------------- */

void lru_list_add(struct lruvec *lv, struct page *p)
{
	list_add(&p->lru, &lv->lists[folio_lru_list(p)]); /* the head is the young end */
}

void lru_list_del(struct lruvec *lv, struct page *p)
{
	(void)lv;
	list_del(&p->lru);
}

void lruvec_init(struct lruvec *lv, struct mem_cgroup *memcg)
{
	int i;

	memset(lv, 0, sizeof(*lv));
	for (i = 0; i < NR_LRU_LISTS; i++)
		INIT_LIST_HEAD(&lv->lists[i]);
	INIT_LIST_HEAD(&lv->policy_list);
	lv->memcg = memcg;
}
