/* fs/proc/slabinfo.c - /proc/slabinfo.
 *
 * Mirrors mm/slab_common.c's slabinfo (version 2.1: print_slabinfo_header, then slab_show's
 * "%-17s %6lu %6lu %6u %4u %4d", " : tunables %4u %4u %4u" and " : slabdata %6lu %6lu %6lu")
 * with SLUB's get_slabinfo. Caches come newest first, as Linux walks slab_caches (each new
 * cache is added at the head of that list; vmlab's m->slab_caches is in creation order, so it
 * is walked backwards).
 *
 * As in SLUB, <active_objs> counts every object not free on a partial list: the free objects
 * of the current (per-CPU) slab count as active. The tunables are 0 0 0 and <sharedavail> is 0
 * (SLAB-era fields); <active_slabs> equals <num_slabs>.
 */
#include "fs/proc/seq.h"

/* Objects free in the slabs of the partial list (count_partial_free_approx). */
static uint64_t partial_free(struct kmem_cache *c)
{
	struct list_head *pos;
	uint64_t n = 0;

	list_for_each(pos, &c->partial) {
		struct page *p = list_entry(pos, struct page, lru);

		n += (uint64_t)(p->objects - p->inuse);
	}
	return n;
}

void proc_slabinfo(struct vmlab *m, struct seq_file *s)
{
	struct list_head *pos;

	seq_printf(s, "slabinfo - version: 2.1\n");
	seq_printf(s, "# name            <active_objs> <num_objs> <objsize> <objperslab> "
		      "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
		      "<active_slabs> <num_slabs> <sharedavail>\n");
	for (pos = m->slab_caches.prev; pos != &m->slab_caches; pos = pos->prev) {
		struct kmem_cache *c = list_entry(pos, struct kmem_cache, list);
		uint64_t free_objs = partial_free(c);

		seq_printf(s, "%-17s %6llu %6llu %6u %4u %4d", c->name,
			   (unsigned long long)(c->nr_objs - free_objs), (unsigned long long)c->nr_objs,
			   c->size, c->objects, 1 << c->order);
		seq_printf(s, " : tunables %4u %4u %4u", 0u, 0u, 0u);
		seq_printf(s, " : slabdata %6llu %6llu %6lu\n", (unsigned long long)c->nr_slabs,
			   (unsigned long long)c->nr_slabs, 0ul);
	}
}
