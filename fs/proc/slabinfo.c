/* fs/proc/slabinfo.c - /proc/slabinfo and /proc/vmallocinfo.
 * Mirrors mm/slab_common.c (slabinfo version 2.1: caches newest first, "%-17s %6lu %6lu %6u
 * %4u %4d" then tunables 0 0 0 and slabdata) and mm/vmalloc.c's vmalloc_info_show. */
#include "fs/proc/seq.h"

void proc_slabinfo(struct vmlab *m, struct seq_file *s)
{
	struct list_head *pos;

	seq_printf(s, "slabinfo - version: 2.1\n");
	seq_printf(s, "# name            <active_objs> <num_objs> <objsize> <objperslab> "
		      "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
		      "<active_slabs> <num_slabs> <sharedavail>\n");
	/* Linux adds new caches at the head of slab_caches: the newest is listed first */
	for (pos = m->slab_caches.prev; pos != &m->slab_caches; pos = pos->prev) {
		struct kmem_cache *c = list_entry(pos, struct kmem_cache, list);

		seq_printf(s, "%-17s %6llu %6llu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6llu %6llu %6lu\n",
			   c->name, (unsigned long long)c->nr_active, (unsigned long long)c->nr_objs,
			   c->size, c->objects, 1 << c->order, 0u, 0u, 0u,
			   (unsigned long long)c->nr_slabs, (unsigned long long)c->nr_slabs, 0ul);
	}
}

void proc_vmallocinfo(struct vmlab *m, struct seq_file *s)
{
	struct list_head *pos;

	list_for_each(pos, &m->vmap_areas) {
		struct vm_struct *a = list_entry(pos, struct vm_struct, list);

		seq_printf(s, "0x%016llx-0x%016llx %7llu %s pages=%llu vmalloc\n",
			   (unsigned long long)a->addr, (unsigned long long)(a->addr + a->size),
			   (unsigned long long)a->size, a->caller ? a->caller : "?",
			   (unsigned long long)a->nr_pages);
	}
}
