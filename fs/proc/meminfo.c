/* fs/proc/meminfo.c - /proc/meminfo.
 * Mirrors fs/proc/meminfo.c (meminfo_proc_show: "%-16s%8lu kB" lines in Linux's order) and
 * si_mem_available (mm/show_mem.c). Lines for features vmlab does not configure (HIGHMEM,
 * zswap, CMA, unaccepted memory) are absent, as on a kernel built without them. */
#include "fs/proc/seq.h"

static uint64_t node(struct vmlab *m, enum node_stat_item i)
{
	return m->node_stat[i] > 0 ? (uint64_t)m->node_stat[i] : 0;
}

/* si_mem_available: free memory plus what reclaim could give back without swapping. */
static uint64_t mem_available(struct vmlab *m)
{
	int64_t avail, pagecache, reclaimable;
	uint64_t wmark_low = 0;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		wmark_low += m->zones[i]._watermark[WMARK_LOW];
	avail = (int64_t)global_free_pages(m) - (int64_t)m->totalreserve_pages;
	pagecache = (int64_t)(node(m, NR_ACTIVE_FILE) + node(m, NR_INACTIVE_FILE));
	pagecache -= MIN(pagecache / 2, (int64_t)wmark_low);
	avail += pagecache;
	reclaimable = (int64_t)(node(m, NR_SLAB_RECLAIMABLE_B) / PAGE_SIZE +
				node(m, NR_KERNEL_MISC_RECLAIMABLE));
	avail += reclaimable - MIN(reclaimable / 2, (int64_t)wmark_low);
	return avail < 0 ? 0 : (uint64_t)avail;
}

#define P(label, pages) seq_kb(s, label, (uint64_t)(pages) * 4, 8)

void proc_meminfo(struct vmlab *m, struct seq_file *s)
{
	uint64_t cached = node(m, NR_FILE_PAGES) - node(m, NR_SWAPCACHE);
	uint64_t sreclaim = node(m, NR_SLAB_RECLAIMABLE_B) / PAGE_SIZE;
	uint64_t sunreclaim = node(m, NR_SLAB_UNRECLAIMABLE_B) / PAGE_SIZE;
	uint64_t swap_pages = m->cfg.swap >> PAGE_SHIFT;

	P("MemTotal:       ", m->totalram_pages);
	P("MemFree:        ", global_free_pages(m));
	P("MemAvailable:   ", mem_available(m));
	P("Buffers:        ", 0);
	P("Cached:         ", cached);
	P("SwapCached:     ", node(m, NR_SWAPCACHE));
	P("Active:         ", node(m, NR_ACTIVE_ANON) + node(m, NR_ACTIVE_FILE));
	P("Inactive:       ", node(m, NR_INACTIVE_ANON) + node(m, NR_INACTIVE_FILE));
	P("Active(anon):   ", node(m, NR_ACTIVE_ANON));
	P("Inactive(anon): ", node(m, NR_INACTIVE_ANON));
	P("Active(file):   ", node(m, NR_ACTIVE_FILE));
	P("Inactive(file): ", node(m, NR_INACTIVE_FILE));
	P("Unevictable:    ", node(m, NR_UNEVICTABLE));
	P("Mlocked:        ", 0);
	P("SwapTotal:      ", swap_pages);
	P("SwapFree:       ", swap_pages);
	P("Dirty:          ", node(m, NR_FILE_DIRTY));
	P("Writeback:      ", node(m, NR_WRITEBACK));
	P("AnonPages:      ", node(m, NR_ANON_MAPPED));
	P("Mapped:         ", node(m, NR_FILE_MAPPED));
	P("Shmem:          ", node(m, NR_SHMEM));
	P("KReclaimable:   ", sreclaim + node(m, NR_KERNEL_MISC_RECLAIMABLE));
	P("Slab:           ", sreclaim + sunreclaim);
	P("SReclaimable:   ", sreclaim);
	P("SUnreclaim:     ", sunreclaim);
	seq_kb(s, "KernelStack:    ", node(m, NR_KERNEL_STACK_KB), 8);
	P("PageTables:     ", node(m, NR_PAGETABLE));
	P("SecPageTables:  ", 0);
	P("NFS_Unstable:   ", 0);
	P("Bounce:         ", 0);
	P("WritebackTmp:   ", 0);
	P("CommitLimit:    ", m->totalram_pages * 50 / 100 + swap_pages);
	P("Committed_AS:   ", m->vm_committed_as > 0 ? (uint64_t)m->vm_committed_as : 0);
	seq_kb(s, "VmallocTotal:   ", (VMALLOC_END - VMALLOC_START) >> 10, 8);
	P("VmallocUsed:    ", m->vmalloc_pages);
	P("VmallocChunk:   ", 0);
	P("Percpu:         ", 0);
	seq_kb(s, "HardwareCorrupted: ", 0, 5);
	P("AnonHugePages:  ", 0);
	P("ShmemHugePages: ", 0);
	P("ShmemPmdMapped: ", 0);
	P("FileHugePages:  ", 0);
	P("FilePmdMapped:  ", 0);
	seq_printf(s, "HugePages_Total:   %5u\nHugePages_Free:    %5u\nHugePages_Rsvd:    %5u\n"
		      "HugePages_Surp:    %5u\n", 0u, 0u, 0u, 0u);
	seq_kb(s, "Hugepagesize:   ", 2048, 8);
	seq_kb(s, "Hugetlb:        ", 0, 8);
	seq_kb(s, "DirectMap4k:    ", m->directmap_4k >> 10, 8);
	seq_kb(s, "DirectMap2M:    ", m->directmap_2m >> 10, 8);
	seq_kb(s, "DirectMap1G:    ", m->directmap_1g >> 10, 8);
}
