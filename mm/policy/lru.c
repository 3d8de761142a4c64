/* mm/policy/lru.c - exact LRU: evict the page whose last access is the oldest.
 *
 * No kernel twin (the textbook policy). Every access that completes without a fault moves its
 * page to the head of the lruvec's policy list; a page faulted in starts at the head; the
 * victim is the tail. Over a trace of writes with a resident limit of N pages, the faults are
 * exactly the misses of an N-entry LRU cache.
 */
#include "mm/policy/policy.h"

/* (policy_access does this inline unless the machine asked for the general paths) */
static void lru_access(struct vmlab *m, struct page *p)
{
	if ((p->flags & (PG_lru | PG_unevictable)) == PG_lru)
		policy_list_to_head(folio_lruvec(m, p), p);
}

/* MADV_COLD: to the victim end. */
static void lru_deactivate(struct vmlab *m, struct lruvec *lv, struct page *p)
{
	(void)m;
	list_del(&p->lru);
	list_add_tail(&p->lru, &lv->policy_list);
}

static void lru_add(struct vmlab *m, struct lruvec *lv, struct page *p)
{
	(void)m;
	policy_list_add_head(lv, p);
}

static void lru_del(struct vmlab *m, struct lruvec *lv, struct page *p)
{
	(void)m;
	policy_list_del(lv, p);
}

const struct vm_policy_ops lru_policy = {
	.name = "lru",
	.summary = "exact least-recently-used: every access moves its page to the head",
	.exact = 1,
	.add = lru_add,
	.del = lru_del,
	.list_at_head = 1,
	.access = lru_access,
	.access_to_head = 1,
	.deactivate = lru_deactivate,
	.shrink = policy_shrink_tail,
	.check = policy_check_list,
};
