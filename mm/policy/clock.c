/* mm/policy/clock.c - exact CLOCK (second chance).
 *
 * No kernel twin (the textbook policy, which Linux's LRU lists descend from). The evictable
 * pages form a circle (the policy list) with a hand. A page's reference bit (PG_referenced) is
 * clear when the page is loaded and set by each later access. To evict, the hand looks at the
 * page it points to: a set bit is cleared and the hand moves on; the first page with a clear
 * bit is the victim, and the hand moves past it. A new page takes the victim's place in the
 * circle: it is inserted just behind the hand, so it is the last the hand will reach.
 */
#include "mm/policy/policy.h"

static struct list_head *hand_of(struct lruvec *lv)
{
	if (!lv->clock_hand)
		lv->clock_hand = &lv->policy_list;
	return lv->clock_hand;
}

static void clock_add(struct vmlab *m, struct lruvec *lv, struct page *p)
{
	(void)m;
	p->flags &= ~PG_referenced;
	list_add_tail(&p->lru, hand_of(lv)); /* just behind the hand */
}

static void clock_del(struct vmlab *m, struct lruvec *lv, struct page *p)
{
	(void)m;
	if (hand_of(lv) == &p->lru)
		lv->clock_hand = p->lru.next; /* the hand moves past a page that leaves */
	list_del(&p->lru);
}

static void clock_access(struct vmlab *m, struct page *p)
{
	(void)m;
	p->flags |= PG_referenced;
}

static void clock_shrink(struct vmlab *m, struct lruvec *lv, struct scan_control *sc)
{
	uint64_t size = lv->nr_pages[LRU_INACTIVE_ANON] + lv->nr_pages[LRU_ACTIVE_ANON] +
			lv->nr_pages[LRU_INACTIVE_FILE] + lv->nr_pages[LRU_ACTIVE_FILE];
	uint64_t steps = 2 * (size + 1) + 1; /* two turns of the hand, the sentinel included */

	while (sc->nr_reclaimed < sc->nr_to_reclaim && steps-- && size) {
		struct list_head *h = hand_of(lv);
		struct page *p;

		if (h == &lv->policy_list) { /* the sentinel: wrap around */
			lv->clock_hand = h->next;
			continue;
		}
		p = list_entry(h, struct page, lru);
		if (p->flags & PG_referenced) {
			p->flags &= ~PG_referenced;
			lv->clock_hand = h->next;
			continue;
		}
		/* the victim; if it must stay (held by a fault in progress), folio_putback_lru
		 * puts it back just behind the hand, which is where it was */
		lv->clock_hand = h->next;
		reclaim_one_folio(m, p, sc);
	}
}

const struct vm_policy_ops clock_policy = {
	.name = "clock",
	.summary = "exact CLOCK (second chance): reference bit clear at load, set by each access",
	.exact = 1,
	.add = clock_add,
	.del = clock_del,
	.access = clock_access,
	.shrink = clock_shrink,
	.check = policy_check_list,
};
