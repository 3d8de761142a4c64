/* fs/proc/vmstatinfo.c - /proc/vmstat, /proc/buddyinfo and /proc/zoneinfo.
 * Mirrors mm/vmstat.c's vmstat_show (zone items summed over zones, node items, the dirty
 * thresholds, then the events, "name value" a line), frag_show_print ("Node 0, zone %8s "
 * then 11 x "%6lu ") and zoneinfo_show_print (a subset: the fields vmlab has). */
#include "fs/proc/seq.h"

void proc_vmstat(struct vmlab *m, struct seq_file *s)
{
	uint64_t bg, thresh;
	int i, z;

	for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++) {
		int64_t v = 0;

		for (z = 0; z < MAX_NR_ZONES; z++)
			v += m->zones[z].vm_stat[i];
		seq_printf(s, "%s %lld\n", zone_stat_names[i], (long long)v);
	}
	for (i = 0; i < NR_VM_NODE_STAT_ITEMS; i++) {
		int64_t v = m->node_stat[i];

		/* slab and kernel-stack items are kept in bytes/kB and shown in pages/kB */
		if (i == NR_SLAB_RECLAIMABLE_B || i == NR_SLAB_UNRECLAIMABLE_B)
			v /= (int64_t)PAGE_SIZE;
		seq_printf(s, "%s %lld\n", node_stat_names[i], (long long)v);
	}
	dirty_thresholds(m, &bg, &thresh);
	seq_printf(s, "nr_dirty_threshold %llu\nnr_dirty_background_threshold %llu\n",
		   (unsigned long long)thresh, (unsigned long long)bg);
	for (i = 0; i < NR_VM_EVENT_ITEMS; i++)
		seq_printf(s, "%s %llu\n", vm_event_names[i], (unsigned long long)m->vm_events[i]);
}

void proc_buddyinfo(struct vmlab *m, struct seq_file *s)
{
	int z, o;

	for (z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &m->zones[z];

		if (!zone->present_pages)
			continue;
		seq_printf(s, "Node %d, zone %8s ", 0, zone->name);
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			seq_printf(s, "%6llu ", (unsigned long long)zone->free_area[o].nr_free);
		seq_printf(s, "\n");
	}
}

void proc_zoneinfo(struct vmlab *m, struct seq_file *s)
{
	int z, i;

	for (z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &m->zones[z];

		seq_printf(s, "Node 0, zone %8s", zone->name);
		if (!zone->present_pages) {
			seq_printf(s, "\n  pages free     0\n        boost    0\n        min      0\n"
				      "        low      0\n        high     0\n        promo    0\n"
				      "        spanned  0\n        present  0\n        managed  0\n"
				      "        cma      0\n");
			continue;
		}
		seq_printf(s, "\n  pages free     %lld\n        boost    0\n        min      %llu\n"
			      "        low      %llu\n        high     %llu\n        promo    %llu\n"
			      "        spanned  %llu\n        present  %llu\n        managed  %llu\n"
			      "        cma      0\n        protection: (",
			   (long long)zone->vm_stat[NR_FREE_PAGES],
			   (unsigned long long)zone->_watermark[WMARK_MIN],
			   (unsigned long long)zone->_watermark[WMARK_LOW],
			   (unsigned long long)zone->_watermark[WMARK_HIGH],
			   (unsigned long long)zone->_watermark[WMARK_PROMO],
			   (unsigned long long)zone->spanned_pages, (unsigned long long)zone->present_pages,
			   (unsigned long long)zone->managed_pages);
		for (i = 0; i < MAX_NR_ZONES + 1; i++)
			seq_printf(s, "%s%lld", i ? ", " : "",
				   (long long)(i < MAX_NR_ZONES ? zone->lowmem_reserve[i] : zone->lowmem_reserve[MAX_NR_ZONES - 1]));
		seq_printf(s, ")\n");
		for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
			seq_printf(s, "      %-12s %lld\n", zone_stat_names[i], (long long)zone->vm_stat[i]);
		seq_printf(s, "  pagesets\n");
		for (i = 0; i < (int)m->cfg.nr_cpus; i++)
			seq_printf(s, "    cpu: %d\n              count: %d\n              high:  %d\n"
				      "              batch: %d\n",
				   i, zone->pcp[i].count, zone->pcp[i].high, zone->pcp[i].batch);
		seq_printf(s, "  node_unreclaimable:  0\n  start_pfn:           %llu\n",
			   (unsigned long long)zone->zone_start_pfn);
	}
}
