/* mm/policy/linux.c - the default policy: Linux's two-list LRU with second chance.
 *
 * Mirrors the classic (non-MGLRU) reclaim of mm/vmscan.c and mm/swap.c: each lruvec has an
 * inactive and an active list for anonymous and for file pages; new pages start inactive
 * (or active when workingset_refault says they were recently evicted), reclaim scans the
 * inactive tails with second chance on referenced pages and refills them from the active
 * lists (shrink_lruvec in mm/vmscan.c, where the machinery lives). Accesses are not seen one
 * by one: the hardware's accessed bits are what reclaim reads.
 */
#include "mm/policy/policy.h"

static void linux_add(struct vmlab *m, struct lruvec *lv, struct page *p)
{
	(void)m;
	lru_list_add(lv, p);
}

static void linux_del(struct vmlab *m, struct lruvec *lv, struct page *p)
{
	(void)m;
	lru_list_del(lv, p);
}

/* lru_deactivate: to the head of the inactive list, references forgotten. */
static void linux_deactivate(struct vmlab *m, struct lruvec *lv, struct page *p)
{
	if (!(p->flags & PG_active) && !(p->flags & PG_referenced))
		return;
	lruvec_del_folio(m, p);
	if (p->flags & PG_active)
		count_vm_event(m, PGDEACTIVATE);
	p->flags &= ~(PG_active | PG_referenced);
	folio_add_lru(m, p);
	(void)lv;
}

static int linux_check(struct vmlab *m, struct lruvec *lv, char *err, size_t n)
{
	int l;

	if (!list_empty(&lv->policy_list)) {
		snprintf(err, n, "check_lru: linux policy with pages on the exact-policy list");
		return -EFAULT;
	}
	for (l = 0; l < LRU_UNEVICTABLE; l++) {
		struct list_head *pos;
		uint64_t cnt = 0;

		list_for_each(pos, &lv->lists[l]) {
			struct page *p = list_entry(pos, struct page, lru);

			if (!(p->flags & PG_lru) || folio_lru_list(p) != (enum lru_list)l ||
			    folio_lruvec(m, p) != lv) {
				snprintf(err, n, "check_lru: frame %llx on the wrong LRU list",
					 (unsigned long long)page_to_pfn(m, p));
				return -EFAULT;
			}
			if (++cnt > m->max_pfn)
				break;
		}
		if (cnt != lv->nr_pages[l]) {
			snprintf(err, n, "check_lru: list %d has %llu pages, counter says %llu", l,
				 (unsigned long long)cnt, (unsigned long long)lv->nr_pages[l]);
			return -EFAULT;
		}
	}
	return 0;
}

const struct vm_policy_ops linux_policy = {
	.name = "linux",
	.summary = "Linux's active/inactive LRU lists with second chance, swappiness and workingset",
	.add = linux_add,
	.del = linux_del,
	.deactivate = linux_deactivate,
	.shrink = shrink_lruvec,
	.check = linux_check,
};
