/* mm/policy/fifo.c - exact FIFO: evict the page that was loaded first.
 *
 * No kernel twin (the textbook policy). Pages join the head of the policy list when they are
 * faulted in and leave from the tail; accesses change nothing.
 */
#include "mm/policy/policy.h"

static void fifo_add(struct vmlab *m, struct lruvec *lv, struct page *p)
{
	(void)m;
	policy_list_add_head(lv, p);
}

static void fifo_del(struct vmlab *m, struct lruvec *lv, struct page *p)
{
	(void)m;
	policy_list_del(lv, p);
}

static void fifo_access(struct vmlab *m, struct page *p)
{
	(void)m;
	(void)p;
}

const struct vm_policy_ops fifo_policy = {
	.name = "fifo",
	.summary = "exact first-in first-out: the page loaded first goes first",
	.exact = 1,
	.add = fifo_add,
	.del = fifo_del,
	.list_at_head = 1,
	.access = fifo_access,
	.shrink = policy_shrink_tail,
	.check = policy_check_list,
};
