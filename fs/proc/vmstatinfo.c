/* fs/proc/vmstatinfo.c - /proc/vmstat, /proc/buddyinfo and /proc/zoneinfo.
 *
 * Mirrors mm/vmstat.c's vmstat_show (one "name value" line per vmstat_text[] entry: zone items
 * summed over zones, node items, the system-wide dirty thresholds, then the events),
 * frag_show_print ("Node 0, zone %8s " then 11 x "%6lu ") and zoneinfo_show_print.
 *
 * The file's shape is that of a late-6.x x86_64 kernel (vmstat_text[] of the 6.16-era tree)
 * built with CONFIG_SWAP, COMPACTION, MIGRATION, TRANSPARENT_HUGEPAGE (+ PUD), HUGETLB_PAGE,
 * MEMORY_BALLOON + BALLOON_COMPACTION, KSM, IOMMU_SUPPORT and DEBUG_TLBFLUSH, and without NUMA
 * (one node), CMA, ZSWAP/ZSMALLOC, UNACCEPTED_MEMORY, SHADOW_CALL_STACK, ZONE_DEVICE,
 * PER_VMA_LOCK_STATS and DEBUG_STACK_USAGE. fs/proc/meminfo.c assumes the same configuration.
 *
 * Simplification: vmlab counts only the items of mm/vmstat.h. The lines Linux has that vmlab
 * does not model are printed as a constant 0 so that tools parsing the file see Linux's shape:
 *   nr_iommu_pages, pgdemote_{kswapd,direct,khugepaged,proactive}, nr_hugetlb,
 *   nr_balloon_pages, nr_memmap_pages, nr_memmap_boot_pages (vmlab's struct page array lives in
 *   host memory), pgmigrate_*, thp_migration_*, compact_*, htlb_buddy_alloc_*, thp_*,
 *   balloon_*, ksm_swpin_copy, cow_ksm, direct_map_level{2,3}_collapses.
 * nr_free_pages_blocks is derived from the buddy lists (free blocks of pageblock order and up).
 */
#include "fs/proc/seq.h"

#define PAGEBLOCK_ORDER 9 /* pageblock_order = HPAGE_PMD_ORDER on x86_64 */
#define HPAGE_PMD_NR 512  /* base pages in a PMD-mapped THP */

enum vs_section { VS_ZONE, VS_NODE, VS_SYSTEM, VS_EVENT };

/* item values below 0: lines that are not a plain counter of mm/vmstat.h */
enum {
	VS_ZERO = -1,        /* not modelled: always 0 */
	VS_FREE_BLOCKS = -2, /* nr_free_pages_blocks, from the buddy lists */
	VS_DIRTY = -3,       /* nr_dirty_threshold */
	VS_DIRTY_BG = -4,    /* nr_dirty_background_threshold */
};

struct vmstat_line {
	unsigned char section; /* enum vs_section */
	short item;            /* index into the section's enum, or a VS_* value above */
	const char *name;      /* for the non-counter lines; counters use the mm/vmstat.c names */
};

#define Z(i) {VS_ZONE, i, NULL}
#define N(i) {VS_NODE, i, NULL}
#define E(i) {VS_EVENT, i, NULL}
#define Z0(n) {VS_ZONE, VS_ZERO, n}
#define N0(n) {VS_NODE, VS_ZERO, n}
#define S0(n) {VS_SYSTEM, VS_ZERO, n}
#define E0(n) {VS_EVENT, VS_ZERO, n}

/* vmstat_text[] in Linux's order for the configuration above. */
static const struct vmstat_line vmstat_layout[] = {
	/* enum zone_stat_item */
	Z(NR_FREE_PAGES), {VS_ZONE, VS_FREE_BLOCKS, "nr_free_pages_blocks"},
	Z(NR_ZONE_INACTIVE_ANON), Z(NR_ZONE_ACTIVE_ANON), Z(NR_ZONE_INACTIVE_FILE),
	Z(NR_ZONE_ACTIVE_FILE), Z(NR_ZONE_UNEVICTABLE), Z(NR_ZONE_WRITE_PENDING), Z(NR_MLOCK),
	Z(NR_BOUNCE), Z(NR_FREE_CMA_PAGES),
	/* enum node_stat_item */
	N(NR_INACTIVE_ANON), N(NR_ACTIVE_ANON), N(NR_INACTIVE_FILE), N(NR_ACTIVE_FILE),
	N(NR_UNEVICTABLE), N(NR_SLAB_RECLAIMABLE_B), N(NR_SLAB_UNRECLAIMABLE_B), N(NR_ISOLATED_ANON),
	N(NR_ISOLATED_FILE), N(WORKINGSET_NODES), N(WORKINGSET_REFAULT_ANON),
	N(WORKINGSET_REFAULT_FILE), N(WORKINGSET_ACTIVATE_ANON), N(WORKINGSET_ACTIVATE_FILE),
	N(WORKINGSET_RESTORE_ANON), N(WORKINGSET_RESTORE_FILE), N(WORKINGSET_NODERECLAIM),
	N(NR_ANON_MAPPED), N(NR_FILE_MAPPED), N(NR_FILE_PAGES), N(NR_FILE_DIRTY), N(NR_WRITEBACK),
	N(NR_WRITEBACK_TEMP), N(NR_SHMEM), N(NR_SHMEM_THPS), N(NR_SHMEM_PMDMAPPED), N(NR_FILE_THPS),
	N(NR_FILE_PMDMAPPED), N(NR_ANON_THPS), N(NR_VMSCAN_WRITE), N(NR_VMSCAN_IMMEDIATE),
	N(NR_DIRTIED), N(NR_WRITTEN), N(NR_THROTTLED_WRITTEN), N(NR_KERNEL_MISC_RECLAIMABLE),
	N(NR_FOLL_PIN_ACQUIRED), N(NR_FOLL_PIN_RELEASED), N(NR_KERNEL_STACK_KB), N(NR_PAGETABLE),
	N(NR_SECONDARY_PAGETABLE), N0("nr_iommu_pages"), N(NR_SWAPCACHE), N0("pgdemote_kswapd"),
	N0("pgdemote_direct"), N0("pgdemote_khugepaged"), N0("pgdemote_proactive"),
	N0("nr_hugetlb"), N0("nr_balloon_pages"),
	/* system-wide enum vm_stat_item */
	{VS_SYSTEM, VS_DIRTY, "nr_dirty_threshold"},
	{VS_SYSTEM, VS_DIRTY_BG, "nr_dirty_background_threshold"}, S0("nr_memmap_pages"),
	S0("nr_memmap_boot_pages"),
	/* enum vm_event_item */
	E(PGPGIN), E(PGPGOUT), E(PSWPIN), E(PSWPOUT), E(PGALLOC_DMA), E(PGALLOC_DMA32),
	E(PGALLOC_NORMAL), E(PGALLOC_MOVABLE), E(ALLOCSTALL_DMA), E(ALLOCSTALL_DMA32),
	E(ALLOCSTALL_NORMAL), E(ALLOCSTALL_MOVABLE), E(PGSKIP_DMA), E(PGSKIP_DMA32),
	E(PGSKIP_NORMAL), E(PGSKIP_MOVABLE), E(PGFREE), E(PGACTIVATE), E(PGDEACTIVATE),
	E(PGLAZYFREE), E(PGFAULT), E(PGMAJFAULT), E(PGLAZYFREED), E(PGREFILL), E(PGREUSE),
	E(PGSTEAL_KSWAPD), E(PGSTEAL_DIRECT), E(PGSTEAL_KHUGEPAGED), E(PGSTEAL_PROACTIVE),
	E(PGSCAN_KSWAPD), E(PGSCAN_DIRECT), E(PGSCAN_KHUGEPAGED), E(PGSCAN_PROACTIVE),
	E(PGSCAN_DIRECT_THROTTLE), E(PGSCAN_ANON), E(PGSCAN_FILE), E(PGSTEAL_ANON),
	E(PGSTEAL_FILE), E(PGINODESTEAL), E(SLABS_SCANNED), E(KSWAPD_INODESTEAL),
	E(KSWAPD_LOW_WMARK_HIT_QUICKLY), E(KSWAPD_HIGH_WMARK_HIT_QUICKLY), E(PAGEOUTRUN),
	E(PGROTATED), E(DROP_PAGECACHE), E(DROP_SLAB), E(OOM_KILL),
	E0("pgmigrate_success"), E0("pgmigrate_fail"), E0("thp_migration_success"),
	E0("thp_migration_fail"), E0("thp_migration_split"),
	E0("compact_migrate_scanned"), E0("compact_free_scanned"), E0("compact_isolated"),
	E0("compact_stall"), E0("compact_fail"), E0("compact_success"), E0("compact_daemon_wake"),
	E0("compact_daemon_migrate_scanned"), E0("compact_daemon_free_scanned"),
	E0("htlb_buddy_alloc_success"), E0("htlb_buddy_alloc_fail"),
	E(UNEVICTABLE_PGS_CULLED), E(UNEVICTABLE_PGS_SCANNED), E(UNEVICTABLE_PGS_RESCUED),
	E(UNEVICTABLE_PGS_MLOCKED), E(UNEVICTABLE_PGS_MUNLOCKED), E(UNEVICTABLE_PGS_CLEARED),
	E(UNEVICTABLE_PGS_STRANDED),
	E0("thp_fault_alloc"), E0("thp_fault_fallback"), E0("thp_fault_fallback_charge"),
	E0("thp_collapse_alloc"), E0("thp_collapse_alloc_failed"), E0("thp_file_alloc"),
	E0("thp_file_fallback"), E0("thp_file_fallback_charge"), E0("thp_file_mapped"),
	E0("thp_split_page"), E0("thp_split_page_failed"), E0("thp_deferred_split_page"),
	E0("thp_underused_split_page"), E0("thp_split_pmd"), E0("thp_scan_exceed_none_pte"),
	E0("thp_scan_exceed_swap_pte"), E0("thp_scan_exceed_share_pte"), E0("thp_split_pud"),
	E0("thp_zero_page_alloc"), E0("thp_zero_page_alloc_failed"), E0("thp_swpout"),
	E0("thp_swpout_fallback"),
	E0("balloon_inflate"), E0("balloon_deflate"), E0("balloon_migrate"),
	E(NR_TLB_REMOTE_FLUSH), E(NR_TLB_REMOTE_FLUSH_RECEIVED), E(NR_TLB_LOCAL_FLUSH_ALL),
	E(NR_TLB_LOCAL_FLUSH_ONE),
	E(SWAP_RA), E(SWAP_RA_HIT), E(SWPIN_ZERO), E(SWPOUT_ZERO), E0("ksm_swpin_copy"),
	E0("cow_ksm"),
	E(DIRECT_MAP_LEVEL2_SPLIT), E(DIRECT_MAP_LEVEL3_SPLIT), E0("direct_map_level2_collapses"),
	E0("direct_map_level3_collapses"),
};

static const char *line_name(const struct vmstat_line *l)
{
	if (l->item < 0)
		return l->name;
	switch (l->section) {
	case VS_ZONE:
		return zone_stat_names[l->item];
	case VS_NODE:
		return node_stat_names[l->item];
	default:
		return vm_event_names[l->item];
	}
}

/* Free pages in blocks of at least a pageblock (NR_FREE_PAGES_BLOCKS). */
static uint64_t free_blocks(const struct zone *z)
{
	uint64_t n = 0;
	int o;

	for (o = PAGEBLOCK_ORDER; o < NR_PAGE_ORDERS; o++)
		n += z->free_area[o].nr_free << o;
	return n;
}

static uint64_t clamp0(int64_t v)
{
	return v > 0 ? (uint64_t)v : 0; /* Linux's global_*_page_state: per-CPU drift below 0 */
}

/* A zone item of one zone (z) or summed over all zones (z == NULL), as global_zone_page_state. */
static uint64_t zone_value(struct vmlab *m, const struct zone *z, int item)
{
	int64_t v = 0;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone *zi = &m->zones[i];

		if (z && zi != z)
			continue;
		v += item == VS_FREE_BLOCKS ? (int64_t)free_blocks(zi) : zi->vm_stat[item];
	}
	return clamp0(v);
}

/* A node item as vmstat prints it: byte counters in pages, THP counters in huge pages. */
uint64_t node_stat_value(struct vmlab *m, enum node_stat_item i)
{
	uint64_t v = clamp0(m->node_stat[i]);

	switch (i) {
	case NR_SLAB_RECLAIMABLE_B:
	case NR_SLAB_UNRECLAIMABLE_B:
		return v >> PAGE_SHIFT; /* global_node_page_state_pages */
	case NR_ANON_THPS:
	case NR_FILE_THPS:
	case NR_SHMEM_THPS:
	case NR_SHMEM_PMDMAPPED:
	case NR_FILE_PMDMAPPED:
		return v / HPAGE_PMD_NR; /* vmstat_item_print_in_thp */
	default:
		return v;
	}
}

static uint64_t line_value(struct vmlab *m, const struct vmstat_line *l, const struct zone *z)
{
	uint64_t bg, thresh;

	if (l->item == VS_ZERO)
		return 0;
	switch (l->section) {
	case VS_ZONE:
		return zone_value(m, z, l->item);
	case VS_NODE:
		return node_stat_value(m, (enum node_stat_item)l->item);
	case VS_SYSTEM:
		dirty_thresholds(m, &bg, &thresh);
		return l->item == VS_DIRTY ? thresh : bg;
	default:
		return m->vm_events[l->item];
	}
}

void proc_vmstat(struct vmlab *m, struct seq_file *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vmstat_layout); i++)
		seq_printf(s, "%s %llu\n", line_name(&vmstat_layout[i]),
			   (unsigned long long)line_value(m, &vmstat_layout[i], NULL));
}

void proc_buddyinfo(struct vmlab *m, struct seq_file *s)
{
	int z, o;

	for (z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &m->zones[z];

		if (!zone->present_pages) /* populated_zone() */
			continue;
		seq_printf(s, "Node %d, zone %8s ", 0, zone->name);
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			seq_printf(s, "%6llu ", (unsigned long long)zone->free_area[o].nr_free);
		seq_printf(s, "\n");
	}
}

/* ---- /proc/zoneinfo ------------------------------------------------------------------------ */

/* Linux's x86_64 zones are DMA, DMA32, Normal and Movable; vmlab has no ZONE_MOVABLE, so
 * zoneinfo shows it as Linux does when kernelcore=/movablecore= are not given: empty, with
 * the lowmem reserves of the lower zones repeated for it (its managed pages are 0). */
#define ZONEINFO_ZONES (MAX_NR_ZONES + 1)

static int64_t protection(const struct zone *z, int j)
{
	return z->lowmem_reserve[j < MAX_NR_ZONES ? j : MAX_NR_ZONES - 1];
}

static int fls_u64(uint64_t x)
{
	int n = 0;

	while (x) {
		n++;
		x >>= 1;
	}
	return n;
}

/* calculate_normal_threshold: the per-CPU vmstat drift allowed before folding. */
static int stat_threshold(struct vmlab *m, const struct zone *z)
{
	uint64_t mem = z->managed_pages >> (27 - PAGE_SHIFT); /* in 128 MiB units */
	int t = 2 * fls_u64(m->cfg.nr_cpus) * (1 + fls_u64(mem));

	return t < 125 ? t : 125;
}

static void zoneinfo_zone(struct vmlab *m, struct seq_file *s, const struct zone *z,
			  const char *name, int first_populated)
{
	size_t i;
	int j;
	unsigned c;

	seq_printf(s, "Node 0, zone %8s", name);
	if (first_populated) {
		seq_printf(s, "\n  per-node stats");
		for (i = 0; i < ARRAY_SIZE(vmstat_layout); i++)
			if (vmstat_layout[i].section == VS_NODE)
				seq_printf(s, "\n      %-12s %llu", line_name(&vmstat_layout[i]),
					   (unsigned long long)line_value(m, &vmstat_layout[i], NULL));
	}
	seq_printf(s,
		   "\n  pages free     %llu\n        boost    0\n        min      %llu"
		   "\n        low      %llu\n        high     %llu\n        promo    %llu"
		   "\n        spanned  %llu\n        present  %llu\n        managed  %llu"
		   "\n        cma      0",
		   (unsigned long long)(z ? clamp0(z->vm_stat[NR_FREE_PAGES]) : 0),
		   (unsigned long long)(z ? z->_watermark[WMARK_MIN] : 0),
		   (unsigned long long)(z ? z->_watermark[WMARK_LOW] : 0),
		   (unsigned long long)(z ? z->_watermark[WMARK_HIGH] : 0),
		   (unsigned long long)(z ? z->_watermark[WMARK_PROMO] : 0),
		   (unsigned long long)(z ? z->spanned_pages : 0),
		   (unsigned long long)(z ? z->present_pages : 0),
		   (unsigned long long)(z ? z->managed_pages : 0));
	seq_printf(s, "\n        protection: (");
	for (j = 0; j < ZONEINFO_ZONES; j++)
		seq_printf(s, "%s%lld", j ? ", " : "", (long long)(z ? protection(z, j) : 0));
	seq_printf(s, ")");
	if (!z || !z->present_pages) {
		seq_printf(s, "\n");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(vmstat_layout); i++)
		if (vmstat_layout[i].section == VS_ZONE)
			seq_printf(s, "\n      %-12s %llu", line_name(&vmstat_layout[i]),
				   (unsigned long long)line_value(m, &vmstat_layout[i], z));
	seq_printf(s, "\n  pagesets");
	for (c = 0; c < m->cfg.nr_cpus; c++) {
		const struct per_cpu_pages *p = &z->pcp[c];

		/* Simplification: vmlab's pcp has one fixed high; Linux 6.7+ lets high float
		 * between high_min and high_max, printed here as that one value. */
		seq_printf(s,
			   "\n    cpu: %u\n              count:    %d\n              high:     %d"
			   "\n              batch:    %d\n              high_min: %d"
			   "\n              high_max: %d\n  vm stats threshold: %d",
			   c, p->count, p->high, p->batch, p->high, p->high, stat_threshold(m, z));
	}
	seq_printf(s, "\n  node_unreclaimable:  0\n  start_pfn:           %llu\n",
		   (unsigned long long)z->zone_start_pfn);
}

void proc_zoneinfo(struct vmlab *m, struct seq_file *s)
{
	int z, first = -1;

	for (z = 0; z < MAX_NR_ZONES && first < 0; z++)
		if (m->zones[z].present_pages)
			first = z;
	for (z = 0; z < MAX_NR_ZONES; z++)
		zoneinfo_zone(m, s, &m->zones[z], m->zones[z].name, z == first);
	zoneinfo_zone(m, s, NULL, "Movable", 0);
}
