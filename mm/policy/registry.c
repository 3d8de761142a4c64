/* mm/policy/registry.c - the table of replacement policies, and helpers shared by the
 * list-based exact ones.
 *
 * No kernel twin. A new policy is one file in mm/policy/ plus one line in policies[] below.
 */
#include "mm/policy/policy.h"

extern const struct vm_policy_ops linux_policy, lru_policy, fifo_policy, clock_policy, opt_policy;

static const struct vm_policy_ops *const policies[] = {
	&linux_policy, /* the default: Linux's active/inactive lists with second chance */
	&lru_policy,
	&fifo_policy,
	&clock_policy,
	&opt_policy,
};

const struct vm_policy_ops *vm_policy_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(policies); i++)
		if (!strcmp(policies[i]->name, name)) {
			/* folio_add_lru and lruvec_del_folio take m->policy_access_to_head
			 * for list_at_head */
			VM_BUG_ON(policies[i]->access_to_head && !policies[i]->list_at_head);
			return policies[i];
		}
	return NULL;
}

const char *vm_policy_names(void)
{
	static char buf[128];
	size_t i, len = 0;

	if (buf[0])
		return buf;
	for (i = 0; i < ARRAY_SIZE(policies) && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? "|" : "", policies[i]->name);
	return buf;
}

int vmlab_policy_info(const char *name, int *exact, int *needs_future)
{
	const struct vm_policy_ops *p = name ? vm_policy_find(name) : NULL;

	if (!p)
		return -ENOENT;
	if (exact)
		*exact = p->exact;
	if (needs_future)
		*needs_future = p->needs_future;
	return 0;
}

const char *vmlab_policy_names(void)
{
	return vm_policy_names();
}

void policy_access_ops(struct vmlab *m, struct page *p)
{
	m->policy->access(m, p);
}

void policy_list_add_head(struct lruvec *lv, struct page *p)
{
	list_add(&p->lru, &lv->policy_list);
}

void policy_list_del(struct lruvec *lv, struct page *p)
{
	(void)lv;
	list_del(&p->lru);
}

/* Victims from the tail, one at a time, through the shared reclaim path. A page that cannot
 * go now (held by a fault in progress, no swap slot left) is put back where it was and the
 * next one is tried; the walk stops after every page was looked at once. */
void policy_shrink_tail(struct vmlab *m, struct lruvec *lv, struct scan_control *sc)
{
	uint64_t budget = lv->nr_pages[LRU_INACTIVE_ANON] + lv->nr_pages[LRU_ACTIVE_ANON] +
			  lv->nr_pages[LRU_INACTIVE_FILE] + lv->nr_pages[LRU_ACTIVE_FILE];
	struct list_head *pos = lv->policy_list.prev;

	while (sc->nr_reclaimed < sc->nr_to_reclaim && budget-- && pos != &lv->policy_list) {
		struct page *p = list_entry(pos, struct page, lru);
		struct list_head *prev = pos->prev;

		if (!reclaim_one_folio(m, p, sc)) {
			/* kept: folio_putback_lru put it at the head; restore its place */
			if ((p->flags & PG_lru) && !(p->flags & PG_unevictable)) {
				list_del(&p->lru);
				if (prev == &lv->policy_list)
					list_add(&p->lru, &lv->policy_list);
				else
					list_add(&p->lru, prev);
			}
		}
		pos = prev;
	}
}

int policy_check_list(struct vmlab *m, struct lruvec *lv, char *err, size_t n)
{
	uint64_t want = lv->nr_pages[LRU_INACTIVE_ANON] + lv->nr_pages[LRU_ACTIVE_ANON] +
			lv->nr_pages[LRU_INACTIVE_FILE] + lv->nr_pages[LRU_ACTIVE_FILE], cnt = 0;
	struct list_head *pos;
	int l;

	for (l = 0; l < LRU_UNEVICTABLE; l++)
		if (!list_empty(&lv->lists[l])) {
			snprintf(err, n, "check_lru: %s keeps pages on Linux's list %d", m->policy->name, l);
			return -EFAULT;
		}
	list_for_each(pos, &lv->policy_list) {
		struct page *p = list_entry(pos, struct page, lru);

		if (!(p->flags & PG_lru) || (p->flags & PG_unevictable) || folio_lruvec(m, p) != lv) {
			snprintf(err, n, "check_lru: frame %llx on the %s list is not an evictable page of it",
				 (unsigned long long)page_to_pfn(m, p), m->policy->name);
			return -EFAULT;
		}
		if (++cnt > m->max_pfn)
			break;
	}
	if (cnt != want) {
		snprintf(err, n, "check_lru: the %s list has %llu pages, the counters %llu",
			 m->policy->name, (unsigned long long)cnt, (unsigned long long)want);
		return -EFAULT;
	}
	return 0;
}
