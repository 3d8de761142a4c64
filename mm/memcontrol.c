/* mm/memcontrol.c - memory cgroups (cgroup v2's memory controller).
 *
 * Mirrors mm/memcontrol.c and mm/page_counter.c: a group charges every user page of its
 * processes (anonymous pages at fault, page cache at insertion, swap-ins) to a page counter
 * that walks up the hierarchy; a charge that would pass memory.max reclaims inside the group
 * (try_to_free_mem_cgroup_pages) and, after MAX_RECLAIM_RETRIES passes without success, calls
 * the group's OOM killer, which chooses among the group's processes only; memory.high makes
 * the charging task reclaim the excess (never OOM); memory.low and memory.min protect a group
 * from reclaim (mm/vmscan.c's shrink_node). Swap slots are charged to memory.swap.current from
 * the moment they are allocated until they are freed, up to memory.swap.max. Each group has
 * its own lruvec, so reclaim inside a group scans only its pages. memory.stat keeps the
 * group's sizes and events hierarchically.
 *
 * The root group (id 0) is the machine itself: it has no counters of its own (the node's are
 * its statistics) and no limits, as in cgroup v2.
 *
 * Simplifications: no per-CPU charge stock (MEMCG_CHARGE_BATCH), so memory.current is exact;
 * charges never move when a process changes group (as in cgroup v2); memory.high throttling
 * has no time cost (vmlab's clock counts disk time only), only the reclaim; kernel memory
 * (page tables, slab) is not charged; groups are never removed.
 */
#include <stdlib.h>

#include "mm/internal.h"

#define MAX_RECLAIM_RETRIES 16

void mem_cgroup_init(struct vmlab *m)
{
	struct mem_cgroup *root = &m->root_mem_cgroup;

	memset(root, 0, sizeof(*root));
	root->max = root->high = root->swap_max = PAGE_COUNTER_MAX;
	root->online = 1;
	lruvec_init(&root->lruvec, root);
	m->memcgs[0] = root;
	m->nr_memcgs = 1;
}

void mem_cgroup_release(struct vmlab *m)
{
	int i;

	for (i = 1; i < m->nr_memcgs; i++)
		free(m->memcgs[i]);
	m->nr_memcgs = 1;
}

bool mem_cgroup_is_descendant(const struct mem_cgroup *memcg, const struct mem_cgroup *root)
{
	for (; memcg; memcg = memcg->parent)
		if (memcg == root)
			return true;
	return false;
}

/* Creates group `name` under parent (NULL: the root). NULL when there are too many. */
struct mem_cgroup *mem_cgroup_create(struct vmlab *m, const char *name, struct mem_cgroup *parent)
{
	struct mem_cgroup *memcg;

	if (m->nr_memcgs >= MAX_MEMCGS || (m->policy_exact))
		return NULL;
	memcg = calloc(1, sizeof(*memcg));
	if (!memcg)
		return NULL;
	snprintf(memcg->name, sizeof(memcg->name), "%s", name);
	memcg->id = m->nr_memcgs;
	memcg->parent = parent ? parent : &m->root_mem_cgroup;
	memcg->max = memcg->high = memcg->swap_max = PAGE_COUNTER_MAX;
	memcg->online = 1;
	lruvec_init(&memcg->lruvec, memcg);
	m->memcgs[m->nr_memcgs++] = memcg;
	return memcg;
}

struct mem_cgroup *mem_cgroup_find(struct vmlab *m, const char *name)
{
	int i;

	for (i = 1; i < m->nr_memcgs; i++)
		if (!strcmp(m->memcgs[i]->name, name))
			return m->memcgs[i];
	return NULL;
}

/* ---- statistics ------------------------------------------------------------------------------ */

static struct mem_cgroup *page_memcg(struct vmlab *m, const struct page *p)
{
	return p->memcg_id ? m->memcgs[p->memcg_id] : NULL;
}

void memcg_mod_stat_memcg(struct mem_cgroup *memcg, enum memcg_stat_item i, int64_t d)
{
	for (; memcg && memcg->id; memcg = memcg->parent)
		memcg->stat[i] += d;
}

void memcg_mod_stat(struct vmlab *m, const struct page *p, enum memcg_stat_item i, int64_t d)
{
	memcg_mod_stat_memcg(page_memcg(m, p), i, d);
}

void memcg_mod_lru(struct vmlab *m, struct mem_cgroup *memcg, enum lru_list l, int64_t d)
{
	static const enum memcg_stat_item item[NR_LRU_LISTS] = {
		MEMCG_INACTIVE_ANON, MEMCG_ACTIVE_ANON, MEMCG_INACTIVE_FILE, MEMCG_ACTIVE_FILE,
		MEMCG_UNEVICTABLE};

	(void)m;
	memcg_mod_stat_memcg(memcg, item[l], d);
}

void memcg_count_vm_events(struct vmlab *m, struct mem_cgroup *memcg, enum memcg_vm_event e,
			   uint64_t n)
{
	(void)m;
	for (; memcg && memcg->id; memcg = memcg->parent)
		memcg->vm_events[e] += n;
}

void __memcg_count_vm_event(struct vmlab *m, const struct page *p, enum memcg_vm_event e)
{
	memcg_count_vm_events(m, page_memcg(m, p), e, 1);
}

/* The memcg statistic a node statistic feeds, or -1. */
static int memcg_item_of(enum node_stat_item i)
{
	switch (i) {
	case NR_ANON_MAPPED: return MEMCG_ANON;
	case NR_FILE_PAGES: return MEMCG_FILE;
	case NR_SHMEM: return MEMCG_SHMEM;
	case NR_FILE_MAPPED: return MEMCG_FILE_MAPPED;
	case NR_FILE_DIRTY: return MEMCG_FILE_DIRTY;
	case NR_WRITEBACK: return MEMCG_FILE_WRITEBACK;
	case NR_SWAPCACHE: return MEMCG_SWAPCACHED;
	default: return -1;
	}
}

void mod_page_stat(struct vmlab *m, const struct page *p, enum node_stat_item i, int64_t d)
{
	int item;

	mod_node_page_state(m, i, d);
	if (p->memcg_id && (item = memcg_item_of(i)) >= 0)
		memcg_mod_stat(m, p, (enum memcg_stat_item)item, d);
}

/* ---- page counters ----------------------------------------------------------------------------- */

/* page_counter_try_charge: one page up the hierarchy; on failure nothing is charged and the
 * group whose limit stopped it is returned in *over. */
static bool page_counter_try_charge(struct mem_cgroup *memcg, struct mem_cgroup **over)
{
	struct mem_cgroup *c;

	for (c = memcg; c && c->id; c = c->parent)
		if (c->usage + 1 > c->max) {
			*over = c;
			return false;
		}
	for (c = memcg; c && c->id; c = c->parent) {
		c->usage++;
		if (c->usage > c->watermark)
			c->watermark = c->usage;
	}
	return true;
}

static void page_counter_uncharge(struct mem_cgroup *memcg)
{
	for (; memcg && memcg->id; memcg = memcg->parent) {
		VM_BUG_ON(memcg->usage == 0);
		memcg->usage--;
	}
}

/* mem_cgroup_out_of_memory: the group's OOM killer. 0 when a process died (retry), -EINTR
 * when the victim is the charging task, -ENOMEM when the group has no process to kill. */
static int mem_cgroup_out_of_memory(struct vmlab *m, struct mem_cgroup *memcg)
{
	memcg->events[MEMCG_OOM]++;
	return oom_kill_memcg(m, memcg);
}

/* The charging task's group goes over memory.high: it reclaims the excess (Linux: on return to
 * user space, with penalty sleeps). */
static void mem_cgroup_handle_over_high(struct vmlab *m, struct mem_cgroup *memcg)
{
	struct mem_cgroup *c;

	for (c = memcg; c && c->id; c = c->parent)
		if (c->usage > c->high) {
			c->events[MEMCG_HIGH]++;
			try_to_free_mem_cgroup_pages(m, c, c->usage - c->high, true);
		}
}

/* try_charge_memcg for one page. 0 or -ENOMEM (the group's OOM killer found nothing). */
static int try_charge(struct vmlab *m, struct mem_cgroup *memcg)
{
	int retries = MAX_RECLAIM_RETRIES, kills = 0;
	struct mem_cgroup *over = NULL;

	while (!page_counter_try_charge(memcg, &over)) {
		uint64_t freed;

		over->events[MEMCG_MAX]++;
		if (m->in_reclaim)
			return -ENOMEM; /* reclaim does not charge; a charge inside it cannot wait */
		freed = try_to_free_mem_cgroup_pages(m, over, 1, true);
		if (over->usage + 1 <= over->max)
			continue;
		if (freed && retries-- > 0)
			continue;
		if (kills++ >= 64)
			return -ENOMEM;
		switch (mem_cgroup_out_of_memory(m, over)) {
		case 0:
			retries = MAX_RECLAIM_RETRIES;
			continue;
		default:
			return -ENOMEM;
		}
	}
	mem_cgroup_handle_over_high(m, memcg); /* any level over memory.high reclaims */
	return 0;
}

static struct mem_cgroup *mm_memcg(struct mm_struct *mm)
{
	return mm && mm->memcg && mm->memcg->id ? mm->memcg : NULL;
}

/* mem_cgroup_charge: charges a new user page to mm's group (before it reaches the LRU).
 * 0 or -ENOMEM. */
/* Charges page to memcg (none: the root, uncharged). 0 or -ENOMEM. */
static int charge_to(struct vmlab *m, struct page *page, struct mem_cgroup *memcg)
{
	page->memcg_id = 0;
	if (!memcg)
		return 0;
	if (try_charge(m, memcg))
		return -ENOMEM;
	page->memcg_id = (uint16_t)memcg->id;
	return 0;
}

int mem_cgroup_charge(struct vmlab *m, struct page *page, struct mm_struct *mm)
{
	return charge_to(m, page, mm_memcg(mm));
}

/* The task running the current operation's mm (for page-cache charges). */
struct mm_struct *current_mm(struct vmlab *m)
{
	struct task_struct *t = find_task(m, m->cur_pid);

	return t ? t->mm : NULL;
}

void mem_cgroup_uncharge(struct vmlab *m, struct page *page)
{
	struct mem_cgroup *memcg = page_memcg(m, page);

	if (memcg)
		page_counter_uncharge(memcg);
	page->memcg_id = 0;
}

/* ---- swap ------------------------------------------------------------------------------------- */

/* The swap slots a group may still use (and the machine has free). */
int64_t mem_cgroup_nr_swap_pages(struct vmlab *m, struct mem_cgroup *memcg)
{
	int64_t nr = m->nr_swap_pages;

	for (; memcg && memcg->id; memcg = memcg->parent) {
		int64_t room = memcg->swap_max == PAGE_COUNTER_MAX
				       ? INT64_MAX
				       : (int64_t)memcg->swap_max - (int64_t)memcg->swap_usage;

		nr = MIN(nr, room);
	}
	return nr;
}

/* mem_cgroup_try_charge_swap: a slot for a page of its group. -ENOMEM over memory.swap.max. */
int mem_cgroup_try_charge_swap(struct vmlab *m, struct page *page, swp_entry_t e)
{
	struct mem_cgroup *memcg = page_memcg(m, page), *c;
	struct swap_info_struct *si = swp_swap_info(m, e);

	if (!memcg)
		return 0;
	for (c = memcg; c && c->id; c = c->parent)
		if (c->swap_usage + 1 > c->swap_max) {
			c->events[MEMCG_SWAP_MAX]++;
			memcg->events[MEMCG_SWAP_FAIL]++;
			return -ENOMEM;
		}
	for (c = memcg; c && c->id; c = c->parent)
		c->swap_usage++;
	si->swap_cgroup[swp_offset(e)] = (uint16_t)memcg->id;
	return 0;
}

/* mem_cgroup_uncharge_swap: the slot is free again. */
void mem_cgroup_uncharge_swap(struct vmlab *m, struct swap_info_struct *si, uint64_t off)
{
	uint16_t id = si->swap_cgroup[off];
	struct mem_cgroup *c;

	if (!id)
		return;
	for (c = m->memcgs[id]; c && c->id; c = c->parent)
		c->swap_usage--;
	si->swap_cgroup[off] = 0;
}

/* mem_cgroup_swapout: the page leaves memory for its slot: the memory charge goes (the swap
 * charge stays with the slot). */
void mem_cgroup_swapout(struct vmlab *m, struct page *page, swp_entry_t e)
{
	(void)e;
	mem_cgroup_uncharge(m, page);
}

/* mem_cgroup_swapin_charge_folio: a page read back from swap is charged to the group that owns
 * the slot (if it still exists), else to the faulting mm's. */
int mem_cgroup_swapin_charge(struct vmlab *m, struct page *page, struct mm_struct *mm, swp_entry_t e)
{
	struct swap_info_struct *si = swp_swap_info(m, e);
	uint16_t id = si ? si->swap_cgroup[swp_offset(e)] : 0;

	return charge_to(m, page, id && m->memcgs[id]->online ? m->memcgs[id] : mm_memcg(mm));
}

/* ---- limits ------------------------------------------------------------------------------------ */

/* memory.max write: a lower limit reclaims (and OOM-kills) down to it. */
int mem_cgroup_set_max(struct vmlab *m, struct mem_cgroup *memcg, uint64_t pages)
{
	int kills = 0;

	memcg->max = pages;
	while (memcg->usage > memcg->max) {
		if (try_to_free_mem_cgroup_pages(m, memcg, memcg->usage - memcg->max, true))
			continue;
		memcg->events[MEMCG_MAX]++;
		if (kills++ >= 64 || mem_cgroup_out_of_memory(m, memcg))
			break;
	}
	return 0;
}

/* memory.high write: reclaims the excess at once. */
int mem_cgroup_set_high(struct vmlab *m, struct mem_cgroup *memcg, uint64_t pages)
{
	memcg->high = pages;
	if (memcg->usage > memcg->high)
		try_to_free_mem_cgroup_pages(m, memcg, memcg->usage - memcg->high, true);
	return 0;
}

/* Moves task t into memcg (echo PID > cgroup.procs); its mm's future charges go there. */
void mem_cgroup_attach(struct vmlab *m, struct task_struct *t, struct mem_cgroup *memcg)
{
	if (t->memcg)
		t->memcg->nr_tasks--;
	t->memcg = memcg && memcg->id ? memcg : NULL;
	if (t->memcg)
		t->memcg->nr_tasks++;
	if (t->mm)
		t->mm->memcg = t->memcg;
	(void)m;
}

/* ---- checker ------------------------------------------------------------------------------------ */

/* check_memcg: every group's usage equals the pages charged to it and its descendants, and its
 * swap usage the slots charged; LRU stats match its lruvec. pages[] and slots[] hold the
 * counts found by the caller's census, per group id (non-hierarchical). */
int check_memcg(struct vmlab *m, const uint64_t *pages, const uint64_t *slots, char *err, size_t n)
{
	int i, j;

	for (i = 1; i < m->nr_memcgs; i++) {
		struct mem_cgroup *memcg = m->memcgs[i];
		uint64_t want = 0, want_swap = 0;
		int l;

		for (j = 1; j < m->nr_memcgs; j++)
			if (mem_cgroup_is_descendant(m->memcgs[j], memcg)) {
				want += pages[j];
				want_swap += slots[j];
			}
		if (want != memcg->usage || want_swap != memcg->swap_usage) {
			snprintf(err, n, "check_memcg: group %s charges %llu pages and %llu swap slots, "
				 "counters say %llu and %llu", memcg->name, (unsigned long long)want,
				 (unsigned long long)want_swap, (unsigned long long)memcg->usage,
				 (unsigned long long)memcg->swap_usage);
			return -EFAULT;
		}
		for (l = 0; l < NR_LRU_LISTS; l++) {
			uint64_t sum = 0;

			for (j = 1; j < m->nr_memcgs; j++)
				if (mem_cgroup_is_descendant(m->memcgs[j], memcg))
					sum += m->memcgs[j]->lruvec.nr_pages[l];
			if (sum != lruvec_state(m, &memcg->lruvec, (enum lru_list)l)) {
				snprintf(err, n, "check_memcg: group %s LRU list %d holds %llu pages, "
					 "memory.stat says %llu", memcg->name, l, (unsigned long long)sum,
					 (unsigned long long)lruvec_state(m, &memcg->lruvec, (enum lru_list)l));
				return -EFAULT;
			}
		}
	}
	return 0;
}
