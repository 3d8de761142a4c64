/* fs/proc/vmallocinfo.c - /proc/vmallocinfo.
 *
 * Mirrors vmalloc_info_show of mm/vmalloc.c: one line per area in address order,
 * "0x%pK-0x%pK %7ld" (start, end and size including the guard page), the caller (Linux: "%pS",
 * symbol+offset/size; vmlab: the caller's name), " pages=%d" and the area's kind (" vmalloc").
 *
 * Simplifications: only vmalloc areas exist (no ioremap/vmap/vm_map_ram/percpu areas); a large
 * area's page array is kmalloc'd, so no " vpages" tag and no extra area for it; no lazily freed
 * areas are waiting for a purge ("unpurged vm_area" lines); no NUMA "N0=" counts.
 */
#include "fs/proc/seq.h"

void proc_vmallocinfo(struct vmlab *m, struct seq_file *s)
{
	struct list_head *pos;

	list_for_each(pos, &m->vmap_areas) {
		struct vm_struct *a = list_entry(pos, struct vm_struct, list);

		seq_printf(s, "0x%016llx-0x%016llx %7llu", (unsigned long long)a->addr,
			   (unsigned long long)(a->addr + a->size), (unsigned long long)a->size);
		if (a->caller)
			seq_printf(s, " %s", a->caller);
		if (a->nr_pages)
			seq_printf(s, " pages=%llu", (unsigned long long)a->nr_pages);
		seq_printf(s, " vmalloc\n");
	}
}
