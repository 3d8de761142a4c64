/* fs/proc/cgroup.c - the files of a memory cgroup (cgroup v2): memory.current, memory.max,
 * memory.stat, memory.events, ...
 *
 * Mirrors the show functions of mm/memcontrol.c (memory_current_read, memory_max_show,
 * memory_stat_format, memory_events_show) and cgroup v2's formats: sizes in bytes, limits as
 * "max" when unlimited, memory.stat one "key value" a line in 6.12's order (items vmlab does not
 * model, such as sock, percpu, zswap and THP, are printed as 0 so the file keeps its shape).
 * Not a /proc file, but the same kind of text rendering, so it lives beside them.
 */
#include "fs/proc/seq.h"

enum stat_src { S_ZERO, S_STAT, S_EVENT, S_SUM_SCAN, S_SUM_STEAL };

struct stat_item {
	const char *name;
	enum stat_src src;
	int idx;      /* memcg_stat_item or memcg_vm_event */
	int bytes;    /* a size in pages shown in bytes */
};

static const struct stat_item memory_stats[] = {
	{"anon", S_STAT, MEMCG_ANON, 1},
	{"file", S_STAT, MEMCG_FILE, 1},
	{"kernel", S_STAT, MEMCG_KERNEL, 1},
	{"kernel_stack", S_ZERO, 0, 1},
	{"pagetables", S_STAT, MEMCG_PAGETABLES, 1},
	{"sec_pagetables", S_ZERO, 0, 1},
	{"percpu", S_ZERO, 0, 1},
	{"sock", S_ZERO, 0, 1},
	{"vmalloc", S_ZERO, 0, 1},
	{"shmem", S_STAT, MEMCG_SHMEM, 1},
	{"zswap", S_ZERO, 0, 1},
	{"zswapped", S_ZERO, 0, 1},
	{"file_mapped", S_STAT, MEMCG_FILE_MAPPED, 1},
	{"file_dirty", S_STAT, MEMCG_FILE_DIRTY, 1},
	{"file_writeback", S_STAT, MEMCG_FILE_WRITEBACK, 1},
	{"swapcached", S_STAT, MEMCG_SWAPCACHED, 1},
	{"anon_thp", S_ZERO, 0, 1},
	{"file_thp", S_ZERO, 0, 1},
	{"shmem_thp", S_ZERO, 0, 1},
	{"inactive_anon", S_STAT, MEMCG_INACTIVE_ANON, 1},
	{"active_anon", S_STAT, MEMCG_ACTIVE_ANON, 1},
	{"inactive_file", S_STAT, MEMCG_INACTIVE_FILE, 1},
	{"active_file", S_STAT, MEMCG_ACTIVE_FILE, 1},
	{"unevictable", S_STAT, MEMCG_UNEVICTABLE, 1},
	{"slab_reclaimable", S_ZERO, 0, 1},
	{"slab_unreclaimable", S_ZERO, 0, 1},
	{"slab", S_ZERO, 0, 1},
	{"workingset_refault_anon", S_EVENT, MEMCG_WS_REFAULT_ANON, 0},
	{"workingset_refault_file", S_EVENT, MEMCG_WS_REFAULT_FILE, 0},
	{"workingset_activate_anon", S_EVENT, MEMCG_WS_ACTIVATE_ANON, 0},
	{"workingset_activate_file", S_EVENT, MEMCG_WS_ACTIVATE_FILE, 0},
	{"workingset_restore_anon", S_EVENT, MEMCG_WS_RESTORE_ANON, 0},
	{"workingset_restore_file", S_EVENT, MEMCG_WS_RESTORE_FILE, 0},
	{"workingset_nodereclaim", S_ZERO, 0, 0},
	{"pswpin", S_EVENT, MEMCG_PSWPIN, 0},
	{"pswpout", S_EVENT, MEMCG_PSWPOUT, 0},
	{"pgscan", S_SUM_SCAN, 0, 0},
	{"pgsteal", S_SUM_STEAL, 0, 0},
	{"pgscan_kswapd", S_EVENT, MEMCG_PGSCAN_KSWAPD, 0},
	{"pgscan_direct", S_EVENT, MEMCG_PGSCAN_DIRECT, 0},
	{"pgscan_khugepaged", S_ZERO, 0, 0},
	{"pgscan_proactive", S_ZERO, 0, 0},
	{"pgsteal_kswapd", S_EVENT, MEMCG_PGSTEAL_KSWAPD, 0},
	{"pgsteal_direct", S_EVENT, MEMCG_PGSTEAL_DIRECT, 0},
	{"pgsteal_khugepaged", S_ZERO, 0, 0},
	{"pgsteal_proactive", S_ZERO, 0, 0},
	{"pgfault", S_EVENT, MEMCG_PGFAULT, 0},
	{"pgmajfault", S_EVENT, MEMCG_PGMAJFAULT, 0},
	{"pgrefill", S_EVENT, MEMCG_PGREFILL, 0},
	{"pgactivate", S_EVENT, MEMCG_PGACTIVATE, 0},
	{"pgdeactivate", S_EVENT, MEMCG_PGDEACTIVATE, 0},
	{"pglazyfree", S_EVENT, MEMCG_PGLAZYFREE, 0},
	{"pglazyfreed", S_EVENT, MEMCG_PGLAZYFREED, 0},
	{"zswpin", S_ZERO, 0, 0},
	{"zswpout", S_ZERO, 0, 0},
	{"zswpwb", S_ZERO, 0, 0},
	{"thp_fault_alloc", S_ZERO, 0, 0},
	{"thp_collapse_alloc", S_ZERO, 0, 0},
	{"thp_swpout", S_ZERO, 0, 0},
	{"thp_swpout_fallback", S_ZERO, 0, 0},
};

static const char *const memory_events[] = {"low", "high", "max", "oom", "oom_kill"};

static uint64_t item_value(const struct mem_cgroup *memcg, const struct stat_item *it)
{
	uint64_t v = 0;

	switch (it->src) {
	case S_ZERO:
		break;
	case S_STAT:
		v = clamp_counter(memcg->stat[it->idx]);
		break;
	case S_EVENT:
		v = memcg->vm_events[it->idx];
		break;
	case S_SUM_SCAN:
		v = memcg->vm_events[MEMCG_PGSCAN_KSWAPD] + memcg->vm_events[MEMCG_PGSCAN_DIRECT];
		break;
	case S_SUM_STEAL:
		v = memcg->vm_events[MEMCG_PGSTEAL_KSWAPD] + memcg->vm_events[MEMCG_PGSTEAL_DIRECT];
		break;
	}
	return it->bytes ? v << PAGE_SHIFT : v;
}

static void show_limit(struct seq_file *s, uint64_t pages)
{
	if (pages == PAGE_COUNTER_MAX)
		seq_printf(s, "max\n");
	else
		seq_printf(s, "%llu\n", (unsigned long long)(pages << PAGE_SHIFT));
}

int cgroup_file_show(struct vmlab *m, struct mem_cgroup *memcg, const char *file, struct seq_file *s)
{
	size_t i;

	(void)m;
	if (!strcmp(file, "memory.current"))
		seq_printf(s, "%llu\n", (unsigned long long)(memcg->usage << PAGE_SHIFT));
	else if (!strcmp(file, "memory.peak"))
		seq_printf(s, "%llu\n", (unsigned long long)(memcg->watermark << PAGE_SHIFT));
	else if (!strcmp(file, "memory.swap.current"))
		seq_printf(s, "%llu\n", (unsigned long long)(memcg->swap_usage << PAGE_SHIFT));
	else if (!strcmp(file, "memory.max"))
		show_limit(s, memcg->max);
	else if (!strcmp(file, "memory.high"))
		show_limit(s, memcg->high);
	else if (!strcmp(file, "memory.low"))
		seq_printf(s, "%llu\n", (unsigned long long)(memcg->low << PAGE_SHIFT));
	else if (!strcmp(file, "memory.min"))
		seq_printf(s, "%llu\n", (unsigned long long)(memcg->min << PAGE_SHIFT));
	else if (!strcmp(file, "memory.swap.max"))
		show_limit(s, memcg->swap_max);
	else if (!strcmp(file, "memory.stat"))
		for (i = 0; i < ARRAY_SIZE(memory_stats); i++)
			seq_printf(s, "%s %llu\n", memory_stats[i].name,
				   (unsigned long long)item_value(memcg, &memory_stats[i]));
	else if (!strcmp(file, "memory.events"))
		for (i = 0; i < ARRAY_SIZE(memory_events); i++)
			seq_printf(s, "%s %llu\n", memory_events[i], (unsigned long long)memcg->events[i]);
	else if (!strcmp(file, "memory.swap.events"))
		seq_printf(s, "high %llu\nmax %llu\nfail %llu\n",
			   (unsigned long long)memcg->events[MEMCG_SWAP_HIGH],
			   (unsigned long long)memcg->events[MEMCG_SWAP_MAX],
			   (unsigned long long)memcg->events[MEMCG_SWAP_FAIL]);
	else
		return -ENOENT;
	return 0;
}

int cgroup_stat_value(struct vmlab *m, struct mem_cgroup *memcg, const char *key, uint64_t *val)
{
	size_t i;

	(void)m;
	for (i = 0; i < ARRAY_SIZE(memory_stats); i++)
		if (!strcmp(memory_stats[i].name, key)) {
			*val = item_value(memcg, &memory_stats[i]);
			return 0;
		}
	for (i = 0; i < ARRAY_SIZE(memory_events); i++)
		if (!strcmp(memory_events[i], key)) {
			*val = memcg->events[i];
			return 0;
		}
	return -ENOENT;
}
